//! Background jobs: one registry of every job (`JOBS`), the runner that
//! claims runs in the database so that one server of several makes each
//! (`runner`), and the list of runs (`lists`).
//!
//! A scheduled run is claimed by inserting its row `(job, run_key)` where
//! the key is its period (the date, the year): the unique index lets one
//! insert win. A run on demand (a policy change, 立即运行, `hongling jobs
//! run`) is a `queued` row with a key of its own; a worker claims it by
//! moving it from `queued` to `running` with a compare-and-set update. A
//! running run reports a heartbeat; one silent for `STALE_AFTER` is marked
//! failed (its server died). Jobs work in batches and pause between them
//! (`Pace`, the duty cycle), so that they leave the request path room.
//!
//! Adding a job: one `Job` entry in `JOBS` (name, title, description,
//! schedule, function). See docs/ARCHITECTURE.md, "Background jobs".

mod lists;
mod runner;

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

pub use hongling_domain::jobs::{RunStatus, Schedule, Trigger};
pub use lists::{JobRunList, duration_text, status_cell};
pub use runner::{JobView, worker_name};

use crate::{Error, Hongling, Principal, Result};

/// How jobs run: `[jobs]` of the configuration.
#[derive(Clone, Copy, Debug)]
pub struct JobsConfig {
    /// The hour (Beijing time) of the daily jobs, 0–23.
    pub daily_hour: u8,
    /// The share of time a job may work (0.05–1): after each batch it pauses
    /// for `batch time × (1 − duty) / duty`.
    pub duty: f64,
    /// Organizations per batch (and per write transaction).
    pub batch: usize,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self { daily_hour: 2, duty: 0.5, batch: 500 }
    }
}

/// The pacing of a job's batches: their size, and the pause after each.
pub struct Pace {
    duty: f64,
    batch: usize,
}

impl Pace {
    /// No pause, batches of 2,000 (commands run by hand and the demo's loader).
    pub fn none() -> Self {
        Self { duty: 1.0, batch: 2000 }
    }

    pub fn of(cfg: &JobsConfig) -> Self {
        Self { duty: cfg.duty, batch: cfg.batch.max(1) }
    }

    /// Records per batch.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// After a batch begun at `started`: pause for the duty cycle.
    pub async fn after(&self, started: Instant) {
        let pause = hongling_domain::jobs::pause_after(started.elapsed(), self.duty);
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
    }
}

/// What a job's function is given.
pub struct JobContext<'a> {
    /// The subtree to work on ("" for all).
    pub region: &'a str,
    pub pace: &'a Pace,
}

/// A job's outcome in words, or the error that made it fail.
pub type JobFuture<'a> = Pin<Box<dyn Future<Output = Result<String>> + Send + 'a>>;

/// A background job.
pub struct Job {
    /// Stable identifier: stored in `job_runs.job`, typed in `hongling jobs run`.
    pub name: &'static str,
    /// Chinese title (名称).
    pub title: &'static str,
    /// What it does (说明).
    pub description: &'static str,
    schedule: fn(&JobsConfig) -> Schedule,
    run: for<'a> fn(&'a Hongling, JobContext<'a>) -> JobFuture<'a>,
}

impl Job {
    pub fn schedule(&self, cfg: &JobsConfig) -> Schedule {
        (self.schedule)(cfg)
    }
}

/// Every background job. Adding a job is one entry here.
pub static JOBS: &[Job] = &[
    Job {
        name: "coverage.daily",
        title: "每日重新计算党建覆盖情况",
        description: "按当日有效的政策参数重新计算全部社会组织和党组织的覆盖方式、党员人数、管理渠道和违规提示（培训期限、未来生效的参数等随时间变化的规则）",
        schedule: |c| Schedule::Daily { hour: c.daily_hour },
        run: coverage_refresh,
    },
    Job {
        name: "coverage.snapshot",
        title: "上年度年末党建覆盖统计",
        description: "按上一年 12 月 31 日有效的政策参数计算并保存上年度年末统计，供按年份查看",
        schedule: |c| Schedule::YearEnd { hour: c.daily_hour },
        run: year_end_snapshot,
    },
    Job {
        name: "coverage.policy",
        title: "按新参数重新计算",
        description: "设定政策参数后，重新计算该区域及下级区域的覆盖情况和违规提示",
        schedule: |_| Schedule::OnDemand,
        run: coverage_refresh,
    },
    Job {
        name: "system.cleanup",
        title: "清理过期会话、计数和导入文件",
        description: "删除已过期的登录会话、两天前的登录限制和接口调用计数；放弃超过 7 天未确认的导入预览，关闭因服务停止而中断的导入",
        schedule: |c| Schedule::Daily { hour: c.daily_hour },
        run: cleanup,
    },
];

/// The job of this name, or an input error that lists the names.
pub fn job(name: &str) -> Result<&'static Job> {
    let name = name.trim();
    JOBS.iter().find(|j| j.name == name).ok_or_else(|| {
        let known: Vec<&str> = JOBS.iter().map(|j| j.name).collect();
        Error::invalid("job", format!("没有名为“{name}”的后台任务；现有任务：{}", known.join("、")))
    })
}

fn coverage_refresh<'a>(app: &'a Hongling, cx: JobContext<'a>) -> JobFuture<'a> {
    Box::pin(async move {
        if !cx.region.is_empty() && app.region(cx.region).await?.is_none() {
            return Err(Error::invalid("region", format!("区域 {} 不存在", cx.region)));
        }
        let (o, c, p) = app.party().refresh_coverage_paced(&Principal::Job, cx.region, app.today(), cx.pace).await?;
        Ok(format!("组织 {o} 个（变化 {c} 个），党组织 {p} 个"))
    })
}

fn cleanup<'a>(app: &'a Hongling, _cx: JobContext<'a>) -> JobFuture<'a> {
    Box::pin(async move {
        let s = app.purge_sessions().await?;
        let t = app.purge_throttle().await?;
        let i = app.registry().purge_imports().await?;
        Ok(format!("过期会话 {s} 个，过期计数 {t} 行，导入 {i} 个"))
    })
}

fn year_end_snapshot<'a>(app: &'a Hongling, _cx: JobContext<'a>) -> JobFuture<'a> {
    Box::pin(async move {
        let year = app.today().year() - 1;
        let n = app.party().snapshot_year(year).await?;
        Ok(format!("{year} 年末统计 {n} 行"))
    })
}
