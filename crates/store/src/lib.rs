//! Hongling's storage layer: one schema, one set of queries, two databases.
//!
//! SQLite (the default, embedded) and PostgreSQL (for scale) are reached
//! through sea-orm / sea-query, which writes each dialect from one query
//! description. The few places where the backends differ are in this crate,
//! marked `// backend:`.

// shared
pub mod audit;
pub mod entity;
pub mod migration;
pub mod page;
pub mod policy;
pub mod regions;
pub mod throttle;

// modules
pub mod party;
pub mod registry;

use std::time::Duration;

pub use sea_orm;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use time::{OffsetDateTime, PrimitiveDateTime};

pub use page::{Page, PageRequest};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库地址无效：{0}（应为 sqlite://文件路径 或 postgres://…）")]
    BadUrl(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Connection settings. `Debug` never prints a password in the URL.
#[derive(Clone)]
pub struct DbConfig {
    pub url: String,
    /// PostgreSQL only: the schema to use (tests give each run its own).
    pub schema: Option<String>,
    pub max_connections: u32,
}

impl std::fmt::Debug for DbConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbConfig")
            .field("url", &redact_url(&self.url))
            .field("schema", &self.schema)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((cred, host)) = rest.split_once('@')
        && let Some((user, _)) = cred.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_owned()
}

impl DbConfig {
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), schema: None, max_connections: 16 }
    }
}

/// Open a pool. SQLite gets WAL, a busy timeout, foreign keys and
/// `synchronous=NORMAL` on every connection; a missing file is created.
pub async fn connect(cfg: &DbConfig) -> Result<DatabaseConnection, StoreError> {
    let url = cfg.url.trim();
    let mut opts;
    if url.starts_with("sqlite:") {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        if !memory {
            create_private(url);
        }
        opts = ConnectOptions::new(url.to_owned());
        // backend: SQLite pragmas for every pooled connection
        opts.map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
        opts.max_connections(if memory { 1 } else { cfg.max_connections.clamp(1, 8) });
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        opts = ConnectOptions::new(url.to_owned());
        opts.max_connections(cfg.max_connections);
        // backend: JIT compilation adds 100 ms or more to the queries it picks
        // (counts over large ranges) and pays off only for analytics; and the
        // generic plan of a prepared statement cannot know how common a name
        // gram or a region is (a plan good for 石油 is ruinous for 服务), so
        // every execution is planned with its values
        opts.map_sqlx_postgres_opts(|o| o.options([("jit", "off"), ("plan_cache_mode", "force_custom_plan")]));
        if let Some(schema) = &cfg.schema {
            opts.set_schema_search_path(schema.clone());
        }
    } else {
        return Err(StoreError::BadUrl(redact_url(url)));
    }
    opts.min_connections(0)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false);
    Ok(Database::connect(opts).await?)
}

/// Create a missing SQLite database file readable by its owner only (0600):
/// it holds personal data. SQLite gives its `-wal` and `-shm` files the same
/// permissions. An existing file is left as its administrator set it.
fn create_private(url: &str) {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || std::path::Path::new(path).exists() {
        return;
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    // a failure here (a missing directory…) is reported by the connection itself
    let _ = o.open(path);
}

/// Run pending migrations, load the built-in regions on an empty database and
/// synchronise the shipped policy values (every start: a new release's values
/// reach an existing database).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), StoreError> {
    migration::Migrator::up(db, None).await?;
    regions::load_builtin(db).await?;
    let synced =
        policy::sync_builtin_policy(db, &hongling_domain::policy::shipped(), time::OffsetDateTime::now_utc()).await?;
    if synced.changed_anything() {
        tracing::info!(
            added = synced.added.len(),
            changed = synced.changed.len(),
            removed = synced.removed.len(),
            "shipped policy values synchronised"
        );
    }
    optimize(db, false).await?;
    Ok(())
}

/// Refresh the query planner's statistics. Range filters on region codes are
/// planned well only with them (SQLite's STAT4 samples tell a county's range
/// from a province's). `after_bulk`: a large load just happened, analyze now.
pub async fn optimize(db: &DatabaseConnection, after_bulk: bool) -> Result<(), DbErr> {
    // backend: planner statistics
    if is_postgres(db) {
        if after_bulk {
            // VACUUM sets the visibility map, so counts over the gram index are
            // index-only scans; it cannot run in a transaction, hence one by one
            for t in [
                "social_orgs",
                "org_name_grams",
                "org_events",
                "regions",
                "party_members",
                "party_orgs",
                "party_org_orgs",
                "instructor_assignments",
                "coverage_breaches",
            ] {
                db.execute_unprepared(&format!("VACUUM (ANALYZE) {t}")).await?;
            }
        }
    } else if after_bulk {
        db.execute_unprepared("ANALYZE").await?;
    } else {
        // analyzes only the tables whose statistics are missing or stale
        db.execute_unprepared("PRAGMA optimize=0x10002").await?;
    }
    Ok(())
}

/// Begin a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`, so
/// it takes the write lock at once (waiting on the busy timeout) instead of
/// failing later when a read upgrades to a write.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    // backend: SQLite transaction mode
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

pub fn is_postgres(conn: &impl ConnectionTrait) -> bool {
    conn.get_database_backend() == DbBackend::Postgres
}

/// A UTC instant as stored: whole seconds, no offset.
pub fn to_db(t: OffsetDateTime) -> PrimitiveDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    PrimitiveDateTime::new(t.date(), t.time())
}

pub fn from_db(t: PrimitiveDateTime) -> OffsetDateTime {
    t.assume_utc()
}

/// Is this error a unique-key violation (on either backend)?
pub fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact_url("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://x.db"), "sqlite://x.db");
    }
}
