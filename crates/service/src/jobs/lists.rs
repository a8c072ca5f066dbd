//! The runs of background jobs (运行记录), newest first.

use std::sync::LazyLock;

use hongling_domain::Action;
use hongling_store::entity::job_run;
use sea_orm::Condition;

use super::{JOBS, RunStatus, Trigger};
use crate::list::{Bind, Cell, Filter, FilterKind, ListQuery, ListSpec, Listing, Tone};
use crate::{CurrentUser, Hongling, Result};

/// Beijing time, to the second.
fn cst(t: time::PrimitiveDateTime) -> String {
    let t = t.assume_utc().to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC));
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", t.year(), t.month() as u8, t.day(), t.hour(), t.minute(), t.second())
}

/// A duration in words: 850 毫秒, 12.3 秒, 1 分 30 秒.
pub fn duration_text(ms: Option<i64>) -> String {
    match ms {
        None => String::new(),
        Some(ms) if ms < 1000 => format!("{ms} 毫秒"),
        Some(ms) if ms < 60_000 => format!("{:.1} 秒", ms as f64 / 1000.0),
        Some(ms) => format!("{} 分 {} 秒", ms / 60_000, (ms % 60_000) / 1000),
    }
}

/// A run's status as a tag.
pub fn status_cell(status: &str) -> Cell {
    match RunStatus::parse(status) {
        Some(s @ RunStatus::Succeeded) => Cell::Tag(s.label().into(), Tone::Green),
        Some(s @ RunStatus::Failed) => Cell::Tag(s.label().into(), Tone::Red),
        Some(s @ RunStatus::Running) => Cell::Tag(s.label().into(), Tone::Blue),
        Some(s @ RunStatus::Queued) => Cell::Tag(s.label().into(), Tone::Grey),
        None => Cell::text(status.to_owned()),
    }
}

fn title(name: &str) -> String {
    JOBS.iter().find(|j| j.name == name).map(|j| j.title.to_owned()).unwrap_or_else(|| name.to_owned())
}

/// The runs of every job. Jobs are the whole system's, so every
/// administrator (`JobsManage`) sees every run.
pub struct JobRunList;

/// A run with the name of its region.
pub struct JobRunView {
    pub run: job_run::Model,
    pub region_name: String,
}

static RUNS: LazyLock<ListSpec<job_run::Entity, JobRunView>> = LazyLock::new(|| {
    use job_run::Column as C;
    let jobs = JOBS.iter().map(|j| (j.name, j.title)).collect();
    ListSpec::<job_run::Entity, JobRunView>::new("job_runs", "后台任务运行记录")
        .filter(Filter::new("job", "任务", FilterKind::Choice(jobs)), Bind::Eq(C::Job))
        .filter(Filter::choice::<RunStatus>("status", "状态"), Bind::Eq(C::Status))
        .filter(Filter::choice::<Trigger>("trigger", "触发方式"), Bind::Eq(C::TriggerKind))
        .sorted("id", "编号", C::Id, |r| Cell::Count(Some(r.run.id)))
        .column("job", "任务", |r| Cell::Lines(Box::new(Cell::text(title(&r.run.job))), r.run.job.clone()))
        .column("trigger", "触发方式", |r| {
            Cell::text(Trigger::parse(&r.run.trigger_kind).map(Trigger::label).unwrap_or(r.run.trigger_kind.as_str()))
        })
        .column("actor", "发起人", |r| Cell::text(r.run.actor.clone()))
        .column("region", "区域", |r| {
            Cell::text(if r.run.region_code.is_empty() { "全部".into() } else { r.region_name.clone() })
        })
        .column("started", "开始", |r| {
            if r.run.status == RunStatus::Queued.as_str() { Cell::Empty } else { Cell::text(cst(r.run.started_at)) }
        })
        .column("finished", "完成", |r| Cell::text(r.run.finished_at.map(cst).unwrap_or_default()))
        .column("duration", "耗时", |r| Cell::text(duration_text(r.run.duration_ms)))
        .column("status", "状态", |r| status_cell(&r.run.status))
        .column("result", "结果", |r| Cell::text(r.run.result.clone()))
        .page_only("worker", "服务器", |r| Cell::text(r.run.worker.clone()))
        .default_order("id", true)
});

impl Listing for JobRunList {
    type Entity = job_run::Entity;
    type Row = JobRunView;

    fn spec() -> &'static ListSpec<job_run::Entity, JobRunView> {
        &RUNS
    }

    fn scope(_app: &Hongling, me: &CurrentUser, _q: &ListQuery) -> Result<Condition> {
        me.require(Action::JobsManage)?;
        Ok(Condition::all())
    }

    async fn rows(app: &Hongling, _me: &CurrentUser, models: Vec<job_run::Model>) -> Result<Vec<JobRunView>> {
        let codes: Vec<String> = models.iter().map(|m| m.region_code.clone()).filter(|c| !c.is_empty()).collect();
        let names = app.region_labels(&codes).await?;
        Ok(models
            .into_iter()
            .map(|run| {
                let region_name = names.get(&run.region_code).cloned().unwrap_or_else(|| run.region_code.clone());
                JobRunView { run, region_name }
            })
            .collect())
    }
}
