//! Background jobs (后台任务): every registered job with its schedule, last
//! and next run and a 立即运行 button, above the list of runs.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_service::auth::Flash;
use hongling_service::jobs::{JobRunList, JobView, RunStatus, duration_text};

use super::PageUser;
use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::routes::Routes;
use crate::ui::list::{ListView, pairs, tone_class};
use crate::ui::{Cell, Table};

pub(super) fn routes() -> Routes {
    Routes::new().get("/system/jobs", Action::JobsManage, jobs).post(
        "/system/jobs/{name}/run",
        Action::JobsManage,
        run_now,
    )
}

/// An instant in Beijing time, as every time on the pages.
fn when(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    fmt::datetime(time::PrimitiveDateTime::new(t.date(), t.time()))
}

fn job_row(j: &JobView) -> Vec<Cell> {
    let (last, took, outcome) = match &j.last {
        None => (Cell::text("尚未运行"), Cell::default(), Cell::default()),
        Some(r) => {
            let status = hongling_service::jobs::status_cell(&r.status);
            let tag = match status {
                hongling_service::list::Cell::Tag(label, tone) => Some((label, tone_class(tone))),
                _ => None,
            };
            let mut c = Cell { nowrap: true, ..Cell::text(fmt::datetime(r.started_at)) };
            if let Some((label, _)) = &tag {
                c = c.sub(format!("{label}（{}）", r.actor));
            }
            let outcome = match tag {
                Some((_, class)) if r.status == RunStatus::Failed.as_str() => Cell::tag(r.result.clone(), class),
                _ => Cell::text(r.result.clone()),
            };
            (c, Cell { nowrap: true, ..Cell::text(duration_text(r.duration_ms)) }, outcome)
        }
    };
    let next = match j.next_run {
        None if j.queued > 0 => Cell::text(format!("已排队 {} 次", j.queued)),
        None => Cell::text("按需"),
        Some(_) if j.due => Cell::text("已到时间，等待后台进程运行"),
        Some(t) => Cell { nowrap: true, ..Cell::text(when(t)) },
    };
    let next =
        if j.queued > 0 && j.next_run.is_some() { next.sub(format!("另有 {} 次排队", j.queued)) } else { next };
    vec![
        Cell::text(j.title).sub(j.name),
        Cell::text(j.description),
        Cell { nowrap: true, ..Cell::text(j.schedule.describe()) },
        last,
        took,
        outcome,
        next,
        Cell::post(
            "立即运行",
            format!("/system/jobs/{}/run", j.name),
            format!("立即在后台运行“{}”？范围为您的管辖区域，运行期间系统按批次处理，不影响正常使用。", j.title),
        ),
    ]
}

async fn jobs(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let views = st.app.jobs_overview(&pu.user).await?;
    let mut table =
        Table::new("jobs-table", vec!["名称", "说明", "计划", "上次运行", "耗时", "结果", "下次运行", "操作"])
            .titled("任务");
    table.rows = views.iter().map(job_row).collect();
    let raw = pairs(raw.as_deref());
    let runs =
        ListView::load::<JobRunList>(&st, &pu.user, "/system/jobs", "job-runs-table", &raw, &["job", "status"], &[])
            .await?;
    let mut runs = runs;
    runs.table.title = "运行记录".into();
    let layout = pu.layout(&st, "jobs", "后台任务").await.crumb("系统管理", None).crumb("后台任务", None);
    Ok(runs
        .page(layout, "后台任务", vec![])
        .intro("定时任务由启用了后台进程的服务器之一运行（数据库决定由谁运行，每次只运行一次）；“立即运行”将任务排入队列。")
        .above(vec![table])
        .render())
}

async fn run_now(State(st): State<AppState>, pu: PageUser, Path(name): Path<String>) -> Result<Response, WebError> {
    let run = st.app.queue_job(&pu.user, &name).await?;
    let title = hongling_service::jobs::job(&name).map(|j| j.title).unwrap_or("后台任务");
    let text = format!("已将“{title}”排入队列（编号 {}），后台进程稍后运行，结果见运行记录。", run.id);
    Ok(pu.redirect(&st, "/system/jobs", Flash::ok(text)).await)
}
