//! Background jobs (issue 8, item 7): a run is queued, claimed, running,
//! succeeded or failed. `job_runs` gains its status, what started it, when
//! it was queued, a heartbeat, its duration and the server that ran it.
//! Runs of earlier releases were inserted when they started: finished ones
//! succeeded unless their result says 失败, unfinished ones were cut off.

use sea_orm_migration::prelude::*;

use crate::migration::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "job_runs";

fn columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::new("status").string_len(16).not_null().default("succeeded").take(),
        ColumnDef::new("trigger_kind").string_len(16).not_null().default("schedule").take(),
        ColumnDef::new("queued_at").date_time().null().take(),
        ColumnDef::new("heartbeat_at").date_time().null().take(),
        ColumnDef::new("duration_ms").big_integer().null().take(),
        ColumnDef::new("worker").string_len(128).not_null().default("").take(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction (and one connection) on both databases.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // backend: SQLite takes one column per ALTER TABLE
        for mut c in columns() {
            m.alter_table(Table::alter().table(TABLE).add_column(&mut c).take()).await?;
        }
        let failed = Expr::col("finished_at").is_null().or(Expr::col("result").like("失败%"));
        m.exec_stmt(Query::update().table(TABLE).value("status", "failed").and_where(failed).take()).await?;
        m.exec_stmt(
            Query::update()
                .table(TABLE)
                .value("trigger_kind", "policy")
                .and_where(Expr::col("job").eq("coverage.policy"))
                .take(),
        )
        .await?;
        // the queue (`status = 'queued'` in id order) and each job's latest runs
        m.create_index(index("ix_job_runs_status", TABLE, &["status", "id"])).await?;
        m.create_index(index("ix_job_runs_job", TABLE, &["job", "id"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for i in ["ix_job_runs_status", "ix_job_runs_job"] {
            m.drop_index(Index::drop().name(i).table(TABLE).to_owned()).await?;
        }
        for c in ["status", "trigger_kind", "queued_at", "heartbeat_at", "duration_ms", "worker"] {
            m.alter_table(Table::alter().table(TABLE).drop_column(c).take()).await?;
        }
        Ok(())
    }
}
