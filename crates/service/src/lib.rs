//! Hongling's services: every operation a page, the API or the CLI performs.
//!
//! Services own transactions: they check the caller's scope, call the domain
//! rules and the storage layer, and write the audit log in the same
//! transaction as the change. Handlers only translate to and from HTTP.

// shared
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod crypto;
pub mod error;
pub mod input;
pub mod jobs;
pub mod list;
pub mod notices;
pub mod pick;
pub mod policy;
pub mod refs;
pub mod regions;
pub mod secret;
pub mod tabular;
pub mod throttle;

// modules, each a facade on `Hongling`
pub mod party;
pub mod registry;
pub mod system;

use std::sync::{Arc, Mutex};

use hongling_domain::auth::{SessionPolicy, TokenPolicy};
use hongling_domain::role::ScopeKind;
use hongling_domain::throttle::{Limit, LoginThrottle};
use hongling_domain::{Action, RegionCode, Role, Scope};
pub use hongling_store::{DbConfig, Page, PageRequest, redact_url};
use sea_orm::DatabaseConnection;
use time::OffsetDateTime;

pub use error::{Error, FieldError, Result};
pub use regions::read_region_file;

/// The source of "now". Rules never read the clock; services ask this.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock tests can set and advance.
pub struct ManualClock(Mutex<OffsetDateTime>);

impl ManualClock {
    pub fn new(t: OffsetDateTime) -> Self {
        Self(Mutex::new(t))
    }

    pub fn advance(&self, d: time::Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += d;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        self.0.lock().map(|t| *t).unwrap_or_else(|e| *e.into_inner())
    }
}

/// A reference to a record: id and name.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Ref {
    pub id: i64,
    pub name: String,
}

/// The signed-in user, as every service call sees them.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
}

impl CurrentUser {
    /// Does the permission matrix grant this user `action` (their role with
    /// their kind of scope)?
    pub fn can(&self, action: Action) -> bool {
        hongling_domain::access::allows(self.role, self.scope.kind, action)
    }

    /// `can`, or the error that says which action is refused.
    pub fn require(&self, action: Action) -> Result<()> {
        if self.can(action) { Ok(()) } else { Err(Error::Denied(action)) }
    }

    /// The region prefix the user's region-wide reads are limited to, or an
    /// error for organization and party-organization accounts.
    pub fn region_prefix(&self) -> Result<&RegionCode> {
        match self.scope.kind {
            ScopeKind::Region => Ok(&self.scope.region),
            _ => Err(Error::Forbidden("当前账号无权查看区域数据")),
        }
    }
}

/// Who performs a change: a signed-in user, or the command line run by the
/// operator of the server (who holds the database anyway).
#[derive(Debug, Clone)]
pub enum Principal {
    User(CurrentUser),
    Cli,
    /// A background job run by a worker (`hongling_service::jobs`).
    Job,
}

impl Principal {
    pub fn actor_name(&self) -> String {
        match self {
            Principal::User(u) => u.username.clone(),
            Principal::Cli => "命令行".to_owned(),
            Principal::Job => "后台任务".to_owned(),
        }
    }

    pub fn actor_id(&self) -> Option<i64> {
        match self {
            Principal::User(u) => Some(u.id),
            Principal::Cli | Principal::Job => None,
        }
    }
}

/// The application: a database, a clock and the policies.
/// API calls a user may make per minute unless configured otherwise.
pub const DEFAULT_API_RATE_PER_MINUTE: i64 = 600;

#[derive(Clone)]
pub struct Hongling {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub sessions: SessionPolicy,
    /// How long API tokens live.
    pub tokens: TokenPolicy,
    /// Login attempts: limits per client address, username and pair.
    pub login_throttle: LoginThrottle,
    /// API calls per user and minute (`max` 0: no limit).
    pub api_rate: Limit,
    /// The key that encrypts personal data at rest (ID numbers); without it
    /// such data cannot be stored or read.
    pub data_key: Option<crypto::DataKey>,
    /// How background jobs run (their hour, pace and batch size).
    pub jobs: jobs::JobsConfig,
    /// Import files being read on this server (bounded: `registry::import`).
    pub(crate) import_reads: Arc<registry::import::ImportReads>,
}

impl Hongling {
    pub fn new(db: DatabaseConnection, clock: Arc<dyn Clock>) -> Self {
        Self {
            db,
            clock,
            sessions: SessionPolicy::default(),
            tokens: TokenPolicy::default(),
            login_throttle: LoginThrottle::default(),
            api_rate: Limit::new(DEFAULT_API_RATE_PER_MINUTE, 60),
            data_key: None,
            jobs: jobs::JobsConfig::default(),
            import_reads: Arc::default(),
        }
    }

    /// Connect, migrate and load built-in data.
    pub async fn open(cfg: &DbConfig, clock: Arc<dyn Clock>) -> Result<Self> {
        let db = hongling_store::connect(cfg).await.map_err(Error::internal)?;
        hongling_store::migrate(&db).await.map_err(Error::internal)?;
        Ok(Self::new(db, clock))
    }

    pub fn with_data_key(mut self, key: Option<crypto::DataKey>) -> Self {
        self.data_key = key;
        self
    }

    /// API calls per user and minute; 0 turns the limit off.
    pub fn with_api_rate(mut self, per_minute: i64) -> Self {
        self.api_rate = Limit::new(per_minute.max(0), 60);
        self
    }

    pub fn with_jobs(mut self, jobs: jobs::JobsConfig) -> Self {
        self.jobs = jobs;
        self
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Today's date in Asia/Shanghai.
    pub fn today(&self) -> time::Date {
        registry::orgs::local_today(self.now())
    }

    /// The registry of social organizations (M1).
    pub fn registry(&self) -> registry::Registry<'_> {
        registry::Registry(self)
    }

    /// Party-organization coverage (M2).
    pub fn party(&self) -> party::Party<'_> {
        party::Party(self)
    }

    /// Accounts and the home page.
    pub fn system(&self) -> system::System<'_> {
        system::System(self)
    }

    pub fn backend_name(&self) -> &'static str {
        if hongling_store::is_postgres(&self.db) { "PostgreSQL" } else { "SQLite" }
    }
}

/// Records as the storage layer returns them, for rendering.
pub mod models {
    pub use hongling_store::entity::audit_log::Model as AuditEntry;
    pub use hongling_store::entity::region::Model as Region;
    pub use hongling_store::entity::user::Model as User;
    pub use hongling_store::registry::entity::import_job::Model as ImportJob;
    pub use hongling_store::registry::entity::org_event::Model as OrgEvent;
    pub use hongling_store::registry::entity::social_org::Model as SocialOrg;
    pub use hongling_store::registry::entity::supervisory_unit::Model as SupervisoryUnit;
}
