use sea_orm::entity::prelude::*;

/// A run of a background job. (job, run_key) is unique: a scheduled run's key
/// is its period (a date, a year), so one server of several inserts it; a
/// queued run has a key of its own and is claimed by moving it from `queued`
/// to `running` (`hongling_domain::jobs::RunStatus`, stored as its identifier).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub job: String,
    pub run_key: String,
    /// the subtree the run covers ("" for all)
    pub region_code: String,
    /// who asked for it (a username, 命令行, 后台任务)
    pub actor: String,
    /// when it started (for a queued run: when it was queued, until it starts)
    pub started_at: TimeDateTime,
    pub finished_at: Option<TimeDateTime>,
    /// the outcome in words
    pub result: String,
    pub status: String,
    pub trigger_kind: String,
    pub queued_at: Option<TimeDateTime>,
    pub heartbeat_at: Option<TimeDateTime>,
    pub duration_ms: Option<i64>,
    /// the server process that ran it (host:pid)
    pub worker: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
