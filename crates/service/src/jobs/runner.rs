//! Claiming and running jobs: scheduled runs by a unique insert, queued runs
//! by a compare-and-set update, every run with a heartbeat, its duration and
//! its outcome.

use hongling_domain::audit::AuditAction;
use std::time::Instant;

use hongling_domain::Action;
use hongling_domain::jobs::{HEARTBEAT_EVERY, STALE_AFTER, is_stale};
use hongling_store::entity::job_run;
use hongling_store::{begin_write, from_db, is_unique_violation, to_db};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use time::OffsetDateTime;

use super::{JOBS, Job, JobContext, Pace, RunStatus, Schedule, Trigger, job};
use crate::{CurrentUser, Error, Hongling, Principal, Result};

/// This server process, as recorded on the runs it makes (host:pid).
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    let mut name = format!("{host}:{}", std::process::id());
    name.truncate(120);
    name
}

/// A job with its last run and its next one (the jobs page, `hongling jobs list`).
#[derive(Debug, Clone)]
pub struct JobView {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub schedule: Schedule,
    /// The latest run that started (not a queued one).
    pub last: Option<job_run::Model>,
    /// When it runs by itself next (None: only on demand).
    pub next_run: Option<OffsetDateTime>,
    /// The scheduled run of the current period is due and not yet made.
    pub due: bool,
    /// Runs waiting for a worker.
    pub queued: u64,
}

impl Hongling {
    /// The jobs with their last and next runs, for administrators.
    pub async fn jobs_overview(&self, me: &CurrentUser) -> Result<Vec<JobView>> {
        me.require(Action::JobsManage)?;
        self.job_views().await
    }

    /// The jobs with their last and next runs (no permission check: the CLI).
    pub async fn job_views(&self) -> Result<Vec<JobView>> {
        let now = self.now();
        let mut out = Vec::with_capacity(JOBS.len());
        for j in JOBS {
            let schedule = j.schedule(&self.jobs);
            let last = job_run::Entity::find()
                .filter(job_run::Column::Job.eq(j.name))
                .filter(job_run::Column::Status.ne(RunStatus::Queued.as_str()))
                .order_by_desc(job_run::Column::Id)
                .one(&self.db)
                .await?;
            let claimed = match schedule.key(now) {
                Some(key) => self.period_claimed(j.name, &key).await?,
                None => false,
            };
            let queued = job_run::Entity::find()
                .filter(job_run::Column::Job.eq(j.name))
                .filter(job_run::Column::Status.eq(RunStatus::Queued.as_str()))
                .count(&self.db)
                .await?;
            out.push(JobView {
                name: j.name,
                title: j.title,
                description: j.description,
                schedule,
                last,
                next_run: schedule.next_run(now, claimed),
                due: schedule.due(now, claimed),
                queued,
            });
        }
        Ok(out)
    }

    async fn period_claimed(&self, job: &str, key: &str) -> Result<bool> {
        Ok(job_run::Entity::find()
            .filter(job_run::Column::Job.eq(job))
            .filter(job_run::Column::RunKey.eq(key))
            .count(&self.db)
            .await?
            > 0)
    }

    /// A new run row (not yet inserted).
    fn new_run(&self, job: &str, key: String, trigger: Trigger, by: &Principal, region: &str) -> job_run::ActiveModel {
        let now = to_db(self.now());
        job_run::ActiveModel {
            job: Set(job.to_owned()),
            run_key: Set(key),
            region_code: Set(region.to_owned()),
            actor: Set(by.actor_name()),
            started_at: Set(now),
            finished_at: Set(None),
            result: Set(String::new()),
            status: Set(RunStatus::Queued.as_str().to_owned()),
            trigger_kind: Set(trigger.as_str().to_owned()),
            queued_at: Set(Some(now)),
            heartbeat_at: Set(None),
            duration_ms: Set(None),
            worker: Set(String::new()),
            ..Default::default()
        }
    }

    /// A key no other run has: the instant and a random number.
    fn fresh_key(&self, trigger: Trigger) -> String {
        format!("{}:{}:{:08x}", trigger.as_str(), self.now().unix_timestamp(), rand::random::<u32>())
    }

    /// Queue a run of `job` in the caller's transaction (a policy change
    /// queues its re-evaluation with the change itself).
    pub(crate) async fn queue_run_in(
        &self,
        conn: &impl ConnectionTrait,
        job: &Job,
        trigger: Trigger,
        by: &Principal,
        region: &str,
    ) -> Result<job_run::Model> {
        Ok(self.new_run(job.name, self.fresh_key(trigger), trigger, by, region).insert(conn).await?)
    }

    /// 立即运行: an administrator queues a run of a job over their own
    /// subtree; a worker makes it. Audited with the queuing, in one transaction.
    pub async fn queue_job(&self, me: &CurrentUser, name: &str) -> Result<job_run::Model> {
        me.require(Action::JobsManage)?;
        let j = job(name)?;
        let region = me.region_prefix()?.as_str().to_owned();
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let run = self.queue_run_in(&txn, j, Trigger::Manual, &by, &region).await?;
        let summary = format!("手动运行后台任务“{}”（{}），排队编号 {}", j.title, j.name, run.id);
        self.audit(&txn, &by, AuditAction::JobQueue, "job_run", run.id, &region, summary, None, None).await?;
        txn.commit().await?;
        Ok(run)
    }

    /// `hongling jobs run NAME`: run a job now, in the foreground, recorded
    /// (and audited) like any run. The run's own failure is its outcome
    /// (`status = failed`), not an error.
    pub async fn run_job_now(&self, by: &Principal, name: &str, region: &str, worker: &str) -> Result<job_run::Model> {
        let j = job(name)?;
        let txn = begin_write(&self.db).await?;
        let mut run = self.new_run(j.name, self.fresh_key(Trigger::Manual), Trigger::Manual, by, region);
        let now = to_db(self.now());
        run.status = Set(RunStatus::Running.as_str().to_owned());
        run.heartbeat_at = Set(Some(now));
        run.worker = Set(worker.to_owned());
        let run = run.insert(&txn).await?;
        let summary = format!("运行后台任务“{}”（{}），运行编号 {}", j.title, j.name, run.id);
        self.audit(&txn, by, AuditAction::JobRun, "job_run", run.id, region, summary, None, None).await?;
        txn.commit().await?;
        self.execute(Some(j), run, Pace::of(&self.jobs)).await
    }

    /// Claim the run of the current period of a scheduled job: the server
    /// whose insert succeeds makes it.
    async fn claim_scheduled(&self, j: &Job, key: &str, worker: &str) -> Result<Option<job_run::Model>> {
        let mut run = self.new_run(j.name, key.to_owned(), Trigger::Schedule, &Principal::Job, "");
        let now = to_db(self.now());
        run.status = Set(RunStatus::Running.as_str().to_owned());
        run.queued_at = Set(None);
        run.heartbeat_at = Set(Some(now));
        run.worker = Set(worker.to_owned());
        match run.insert(&self.db).await {
            Ok(m) => Ok(Some(m)),
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Claim a queued run: `queued → running` where it is still queued, so
    /// that of several servers exactly one gets it. None: another did.
    pub async fn claim_queued(&self, id: i64, worker: &str) -> Result<Option<job_run::Model>> {
        let now = to_db(self.now());
        let r = job_run::Entity::update_many()
            .col_expr(job_run::Column::Status, Expr::value(RunStatus::Running.as_str()))
            .col_expr(job_run::Column::StartedAt, Expr::value(now))
            .col_expr(job_run::Column::HeartbeatAt, Expr::value(Some(now)))
            .col_expr(job_run::Column::Worker, Expr::value(worker))
            .filter(job_run::Column::Id.eq(id))
            .filter(job_run::Column::Status.eq(RunStatus::Queued.as_str()))
            .exec(&self.db)
            .await?;
        if r.rows_affected != 1 {
            return Ok(None);
        }
        Ok(job_run::Entity::find_by_id(id).one(&self.db).await?)
    }

    /// Runs whose server stopped reporting are failed (their server died);
    /// returns how many.
    pub async fn fail_stale_runs(&self) -> Result<u64> {
        let now = self.now();
        let cutoff = to_db(now - STALE_AFTER);
        let stale = job_run::Entity::find()
            .filter(job_run::Column::Status.eq(RunStatus::Running.as_str()))
            .filter(job_run::Column::HeartbeatAt.lt(cutoff))
            .all(&self.db)
            .await?;
        let mut n = 0;
        for r in stale {
            if !r.heartbeat_at.is_some_and(|t| is_stale(from_db(t), now)) {
                continue;
            }
            let done = job_run::Entity::update_many()
                .col_expr(job_run::Column::Status, Expr::value(RunStatus::Failed.as_str()))
                .col_expr(job_run::Column::FinishedAt, Expr::value(Some(to_db(now))))
                .col_expr(
                    job_run::Column::Result,
                    Expr::value(format!("失败：运行它的服务器（{}）已停止响应，运行未完成", r.worker)),
                )
                .filter(job_run::Column::Id.eq(r.id))
                .filter(job_run::Column::Status.eq(RunStatus::Running.as_str()))
                .exec(&self.db)
                .await?;
            n += done.rows_affected;
        }
        Ok(n)
    }

    /// One pass of a worker: fail stale runs, make the due scheduled runs
    /// this worker claims, then the queued runs it claims (oldest first).
    /// Returns the runs it made.
    pub async fn run_due_jobs(&self, worker: &str) -> Result<Vec<job_run::Model>> {
        let stale = self.fail_stale_runs().await?;
        if stale > 0 {
            tracing::warn!(stale, "job runs of stopped servers marked failed");
        }
        let mut done = Vec::new();
        for j in JOBS {
            let schedule = j.schedule(&self.jobs);
            let Some(key) = schedule.key(self.now()) else { continue };
            if !schedule.due(self.now(), self.period_claimed(j.name, &key).await?) {
                continue;
            }
            if let Some(run) = self.claim_scheduled(j, &key, worker).await? {
                done.push(self.execute(Some(j), run, Pace::of(&self.jobs)).await?);
            }
        }
        loop {
            let queued: Vec<i64> = job_run::Entity::find()
                .select_only()
                .column(job_run::Column::Id)
                .filter(job_run::Column::Status.eq(RunStatus::Queued.as_str()))
                .order_by_asc(job_run::Column::Id)
                .limit(20)
                .into_tuple()
                .all(&self.db)
                .await?;
            if queued.is_empty() {
                break;
            }
            let mut claimed_any = false;
            for id in queued {
                if let Some(run) = self.claim_queued(id, worker).await? {
                    claimed_any = true;
                    let j = super::JOBS.iter().find(|j| j.name == run.job);
                    done.push(self.execute(j, run, Pace::of(&self.jobs)).await?);
                }
            }
            if !claimed_any {
                break;
            }
        }
        Ok(done)
    }

    /// The worker: a pass every `poll` until the process stops.
    pub async fn job_worker(&self, worker: String, poll: std::time::Duration) {
        tracing::info!(worker = %worker, "job worker started");
        loop {
            match self.run_due_jobs(&worker).await {
                Ok(runs) => {
                    for r in runs {
                        tracing::info!(job = %r.job, status = %r.status, ms = r.duration_ms, result = %r.result, "job run");
                    }
                }
                Err(e) => tracing::error!(error = %e, "job worker pass failed"),
            }
            tokio::time::sleep(poll).await;
        }
    }

    /// Make a claimed run and record its outcome, with a heartbeat while it
    /// works. `job` None: a run of a job this release no longer has.
    async fn execute(&self, j: Option<&Job>, run: job_run::Model, pace: Pace) -> Result<job_run::Model> {
        let started = Instant::now();
        let outcome = match j {
            None => Err(Error::invalid("job", format!("没有名为“{}”的后台任务", run.job))),
            Some(j) => {
                let work = (j.run)(self, JobContext { region: &run.region_code, pace: &pace });
                tokio::select! {
                    r = work => r,
                    never = self.heartbeat(run.id) => match never {},
                }
            }
        };
        let ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let (status, result) = match outcome {
            Ok(text) => (RunStatus::Succeeded, text),
            Err(e) => {
                tracing::warn!(job = %run.job, id = run.id, error = ?e, "job run failed");
                (RunStatus::Failed, format!("失败：{e}"))
            }
        };
        let now = to_db(self.now());
        let mut m: job_run::ActiveModel = run.into();
        m.status = Set(status.as_str().to_owned());
        m.finished_at = Set(Some(now));
        m.heartbeat_at = Set(Some(now));
        m.duration_ms = Set(Some(ms));
        m.result = Set(result);
        Ok(m.update(&self.db).await?)
    }

    /// Report every `HEARTBEAT_EVERY` that the run is alive; never returns.
    async fn heartbeat(&self, id: i64) -> std::convert::Infallible {
        let every = std::time::Duration::from_secs(HEARTBEAT_EVERY.whole_seconds().unsigned_abs());
        loop {
            tokio::time::sleep(every).await;
            let r = job_run::Entity::update_many()
                .col_expr(job_run::Column::HeartbeatAt, Expr::value(Some(to_db(self.now()))))
                .filter(job_run::Column::Id.eq(id))
                .exec(&self.db)
                .await;
            if let Err(e) = r {
                tracing::warn!(error = %e, id, "job heartbeat not written");
            }
        }
    }

    /// Record a run made outside the worker (the demo's year-end figures):
    /// the run id for the one process that inserted `(job, key)` first, None for the others.
    pub async fn claim_job(&self, job: &str, key: &str, region: &str, by: &Principal) -> Result<Option<i64>> {
        let mut run = self.new_run(job, key.to_owned(), Trigger::Schedule, by, region);
        run.status = Set(RunStatus::Running.as_str().to_owned());
        run.queued_at = Set(None);
        run.heartbeat_at = Set(Some(to_db(self.now())));
        match run.insert(&self.db).await {
            Ok(m) => Ok(Some(m.id)),
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Finish a run recorded with `claim_job`, successfully.
    pub async fn finish_job(&self, id: i64, result: &str) -> Result<()> {
        let now = to_db(self.now());
        job_run::Entity::update_many()
            .col_expr(job_run::Column::Status, Expr::value(RunStatus::Succeeded.as_str()))
            .col_expr(job_run::Column::FinishedAt, Expr::value(Some(now)))
            .col_expr(job_run::Column::Result, Expr::value(result))
            .filter(job_run::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The latest runs of a job, newest first.
    pub async fn job_runs(&self, job: &str, limit: u64) -> Result<Vec<job_run::Model>> {
        Ok(job_run::Entity::find()
            .filter(job_run::Column::Job.eq(job))
            .order_by_desc(job_run::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }
}
