//! Background jobs: claims in the database (one server of several makes each
//! run), outcomes, the jobs page and its 立即运行, the CLI.

use axum::http::StatusCode;
use hongling_domain::Role;
use hongling_service::Principal;
use hongling_service::jobs::RunStatus;
use hongling_store::entity::job_run;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use time::Duration;

use crate::support::*;

async fn runs(t: &TestApp, job: &str) -> Vec<job_run::Model> {
    job_run::Entity::find().filter(job_run::Column::Job.eq(job)).all(&t.app.db).await.expect("runs")
}

async fn run_count(t: &TestApp) -> u64 {
    job_run::Entity::find().count(&t.app.db).await.expect("count")
}

#[tokio::test]
async fn a_queued_run_is_claimed_by_exactly_one_of_two_servers() {
    let t = TestApp::new().await;
    let admin = t.user("jobadmin", Role::Admin, "3705", PW).await;
    let me = t.current(admin).await;
    let other = t.second_instance().await;
    for _ in 0..3 {
        let run = t.app.queue_job(&me, "coverage.policy").await.expect("queue");
        assert_eq!(run.status, RunStatus::Queued.as_str());
        let (a, b) = tokio::join!(t.app.claim_queued(run.id, "server-a"), other.claim_queued(run.id, "server-b"));
        let (a, b) = (a.expect("a"), b.expect("b"));
        assert!(a.is_some() ^ b.is_some(), "exactly one claim wins: {a:?} {b:?}");
        let won = a.or(b).expect("winner");
        assert_eq!(won.status, RunStatus::Running.as_str());
        assert!(won.worker == "server-a" || won.worker == "server-b");
        // claimed once, never again
        assert!(t.app.claim_queued(run.id, "server-c").await.expect("again").is_none());
    }
}

#[tokio::test]
async fn the_daily_refresh_is_made_once_a_day_by_one_of_two_servers() {
    let t = TestApp::new().await;
    let other = t.second_instance().await;
    // 2026-03-02 09:00 in Beijing: the 02:00 run of the day is due
    let (a, b) = tokio::join!(t.app.run_due_jobs("server-a"), other.run_due_jobs("server-b"));
    let made: Vec<_> = a.expect("a").into_iter().chain(b.expect("b")).filter(|r| r.job == "coverage.daily").collect();
    assert_eq!(made.len(), 1, "{made:?}");
    let daily = runs(&t, "coverage.daily").await;
    assert_eq!(daily.len(), 1);
    assert_eq!(daily[0].run_key, "2026-03-02");
    assert_eq!(daily[0].status, RunStatus::Succeeded.as_str());
    assert_eq!(daily[0].trigger_kind, "schedule");
    assert!(daily[0].duration_ms.is_some());
    // the year-end figures of 2025, once too
    let snap = runs(&t, "coverage.snapshot").await;
    assert_eq!(snap.len(), 1);
    assert_eq!(snap[0].run_key, "2025");
    // later the same day: nothing is due
    t.clock.advance(Duration::hours(3));
    assert!(t.app.run_due_jobs("server-a").await.expect("again").is_empty());
    assert_eq!(runs(&t, "coverage.daily").await.len(), 1);
    // the next day it runs again
    t.clock.advance(Duration::days(1));
    let next = t.app.run_due_jobs("server-b").await.expect("next day");
    let keys = |job: &str| next.iter().filter(|r| r.job == job).map(|r| r.run_key.clone()).collect::<Vec<_>>();
    assert_eq!(keys("coverage.daily"), ["2026-03-03"]);
    assert_eq!(keys("system.cleanup"), ["2026-03-03"]);
}

/// The daily cleanup deletes ended sessions and throttle counters older than two days.
#[tokio::test]
async fn the_cleanup_job_forgets_old_sessions_and_counters() {
    let t = TestApp::new().await;
    t.user("clean1", Role::Registrar, "3705", PW).await;
    t.app.login("clean1", "bad-password-9", "10.8.0.1").await.expect_err("a counted failure");
    t.app.login("clean1", PW, "10.8.0.2").await.expect("a session");
    let count = |sql: &'static str| {
        let db = t.app.db.clone();
        async move {
            use sea_orm::ConnectionTrait;
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql.to_owned()))
                .await
                .expect("q")
                .expect("row");
            row.try_get::<i64>("", "n").expect("n")
        }
    };
    assert!(count("SELECT COUNT(*) AS n FROM throttle_hits").await > 0);
    assert_eq!(count("SELECT COUNT(*) AS n FROM sessions").await, 1);
    let r = t.app.run_job_now(&Principal::Cli, "system.cleanup", "", "cli").await.expect("run");
    assert_eq!(r.status, RunStatus::Succeeded.as_str());
    assert!(count("SELECT COUNT(*) AS n FROM throttle_hits").await > 0, "today's counters stay");
    assert_eq!(count("SELECT COUNT(*) AS n FROM sessions").await, 1, "a live session stays");
    t.clock.advance(Duration::days(3));
    let r = t.app.run_job_now(&Principal::Cli, "system.cleanup", "", "cli").await.expect("run");
    assert_eq!(r.result, "过期会话 1 个，过期计数 5 行，导入 0 个", "{r:?}");
    assert_eq!(count("SELECT COUNT(*) AS n FROM throttle_hits").await, 0);
    assert_eq!(count("SELECT COUNT(*) AS n FROM sessions").await, 0);
}

#[tokio::test]
async fn run_now_records_duration_and_outcome_and_is_audited() {
    let t = TestApp::new().await;
    let before = t.audit_count().await;
    let r = t.app.run_job_now(&Principal::Cli, "coverage.daily", "3705", "cli").await.expect("run");
    assert_eq!(r.status, RunStatus::Succeeded.as_str());
    assert_eq!(r.trigger_kind, "manual");
    assert_eq!(r.region_code, "3705");
    assert_eq!(r.actor, "命令行");
    assert!(r.duration_ms.is_some_and(|ms| ms >= 0));
    assert!(r.finished_at.is_some());
    assert!(r.result.contains("组织") && r.result.contains("党组织"), "{}", r.result);
    // the run (job.run) and the refresh it made (coverage.refresh)
    assert_eq!(t.audit_count().await, before + 2);
}

#[tokio::test]
async fn a_failing_job_records_failed() {
    let t = TestApp::new().await;
    let r = t.app.run_job_now(&Principal::Cli, "coverage.daily", "99", "cli").await.expect("recorded");
    assert_eq!(r.status, RunStatus::Failed.as_str());
    assert!(r.result.starts_with("失败：") && r.result.contains("不存在"), "{}", r.result);
    assert!(r.finished_at.is_some() && r.duration_ms.is_some());
    // a queued run of a job this release no longer has fails too, and the queue moves on
    use sea_orm::{ActiveModelTrait, Set};
    let now = hongling_store::to_db(t.app.now());
    let old = job_run::ActiveModel {
        job: Set("retired.job".into()),
        run_key: Set("manual:1".into()),
        region_code: Set(String::new()),
        actor: Set("someone".into()),
        started_at: Set(now),
        finished_at: Set(None),
        result: Set(String::new()),
        status: Set("queued".into()),
        trigger_kind: Set("manual".into()),
        queued_at: Set(Some(now)),
        heartbeat_at: Set(None),
        duration_ms: Set(None),
        worker: Set(String::new()),
        ..Default::default()
    }
    .insert(&t.app.db)
    .await
    .expect("insert");
    let made = t.app.run_due_jobs("w").await.expect("pass");
    let r = made.iter().find(|r| r.id == old.id).expect("made");
    assert_eq!(r.status, RunStatus::Failed.as_str());
    assert!(r.result.contains("retired.job"), "{}", r.result);
}

#[tokio::test]
async fn a_run_of_a_dead_server_is_failed_after_ten_silent_minutes() {
    let t = TestApp::new().await;
    let admin = t.user("jobadmin", Role::Admin, "3705", PW).await;
    let run = t.app.queue_job(&t.current(admin).await, "coverage.daily").await.expect("queue");
    t.app.claim_queued(run.id, "gone:1").await.expect("claim").expect("claimed");
    t.clock.advance(Duration::minutes(5));
    assert_eq!(t.app.fail_stale_runs().await.expect("stale"), 0);
    t.clock.advance(Duration::minutes(6));
    assert_eq!(t.app.fail_stale_runs().await.expect("stale"), 1);
    let r = job_run::Entity::find_by_id(run.id).one(&t.app.db).await.expect("q").expect("run");
    assert_eq!(r.status, RunStatus::Failed.as_str());
    assert!(r.result.contains("gone:1"), "{}", r.result);
}

#[tokio::test]
async fn a_policy_change_queues_its_refresh_for_the_worker() {
    let t = TestApp::new().await;
    let admin = t.user("jobadmin", Role::Admin, "3705", PW).await;
    let me = t.current(admin).await;
    let input = hongling_service::policy::PolicyInput {
        region: "370502".into(),
        param: "joint_branch_max_orgs".into(),
        value: Some("4".into()),
        basis: "测试".into(),
        ..Default::default()
    };
    t.app.set_policy(&me, &input).await.expect("set");
    let queued = runs(&t, "coverage.policy").await;
    assert_eq!(queued.len(), 1);
    assert_eq!((queued[0].status.as_str(), queued[0].trigger_kind.as_str()), ("queued", "policy"));
    assert_eq!((queued[0].region_code.as_str(), queued[0].actor.as_str()), ("370502", "jobadmin"));
    let made = t.app.run_due_jobs("w").await.expect("pass");
    let r = made.iter().find(|r| r.job == "coverage.policy").expect("made");
    assert_eq!(r.status, RunStatus::Succeeded.as_str(), "{}", r.result);
}

#[tokio::test]
async fn the_jobs_page_lists_the_daily_refresh_and_runs_one_now() {
    let t = TestApp::new().await;
    t.user("jobadmin", Role::Admin, "3705", PW).await;
    let mut b = t.browser();
    b.login("jobadmin", PW).await;
    let home = b.get("/").await;
    assert!(home.body.contains("href=\"/system/jobs\""), "menu entry 后台任务");
    let p = b.get("/system/jobs").await;
    assert_eq!(p.status, StatusCode::OK);
    for s in
        ["后台任务", "每日重新计算党建覆盖情况", "coverage.daily", "每天 02:00", "已到时间", "立即运行", "运行记录"]
    {
        assert!(p.body.contains(s), "{s} on the page");
    }
    // once made, the next run is tomorrow at 02:00
    t.app.run_due_jobs("w").await.expect("pass");
    let p = b.get("/system/jobs").await;
    assert!(p.body.contains("2026-03-03 02:00:00"), "next run");
    assert!(p.body.contains("成功"), "last run's outcome");
    // 立即运行: queued, audited, a flash message
    let before = (t.audit_count().await, run_count(&t).await);
    let r = b.post("/system/jobs/coverage.daily/run", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some("/system/jobs"));
    assert_eq!((t.audit_count().await, run_count(&t).await), (before.0 + 1, before.1 + 1));
    let queued: Vec<_> =
        runs(&t, "coverage.daily").await.into_iter().filter(|r| r.status == RunStatus::Queued.as_str()).collect();
    assert_eq!(queued.len(), 1);
    assert_eq!((queued[0].actor.as_str(), queued[0].region_code.as_str()), ("jobadmin", "3705"));
    let p = b.get("/system/jobs").await;
    assert!(p.body.contains("已将“每日重新计算党建覆盖情况”排入队列"), "flash");
    assert!(p.body.contains("排队中"));
    // the runs list filters
    let p = b.get("/system/jobs?status=queued").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("job-runs-table"));
}

#[tokio::test]
async fn only_administrators_with_a_token_queue_known_jobs() {
    let t = TestApp::new().await;
    t.user("jobadmin", Role::Admin, "3705", PW).await;
    t.user("jobclerk", Role::Registrar, "3705", PW).await;
    let mut clerk = t.browser();
    clerk.login("jobclerk", PW).await;
    assert_eq!(clerk.get("/system/jobs").await.status, StatusCode::FORBIDDEN);
    assert_eq!(clerk.post("/system/jobs/coverage.daily/run", &[]).await.status, StatusCode::FORBIDDEN);
    assert!(!clerk.get("/").await.body.contains("/system/jobs"), "no menu entry");
    let mut b = t.browser();
    b.login("jobadmin", PW).await;
    b.get("/system/jobs").await;
    let before = (t.audit_count().await, run_count(&t).await);
    // no CSRF token
    let r = b.post_raw("/system/jobs/coverage.daily/run", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = b.post("/system/jobs/coverage.daily/run", &[("_csrf", "wrong")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // an unknown job
    let r = b.post("/system/jobs/nope/run", &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("没有名为“nope”的后台任务"), "{}", r.body);
    assert_eq!((t.audit_count().await, run_count(&t).await), before, "nothing written");
    assert_eq!(t.app.run_job_now(&Principal::Cli, "nope", "", "cli").await.expect_err("unknown").code(), "invalid");
    assert_eq!((t.audit_count().await, run_count(&t).await), before, "nothing written");
}

#[tokio::test]
async fn cli_jobs_list_and_run() {
    let t = TestApp::new().await;
    let exe = env!("CARGO_BIN_EXE_hongling");
    let url = &t.db.cfg.url;
    let mut envs: Vec<(&str, String)> = vec![("HONGLING_DATABASE_URL", url.clone()), ("HONGLING_LOG", "warn".into())];
    if let Some(schema) = &t.db.cfg.schema {
        let sep = if url.contains('?') { '&' } else { '?' };
        envs[0].1 = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    }
    let run = |args: &[&str]| {
        let out = std::process::Command::new(exe)
            .args(args)
            .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .expect("run");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&["jobs", "run", "coverage.daily", "--region", "370502"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("coverage.daily") && out.contains("组织"), "{out}");
    let (ok, out, err) = run(&["jobs", "list"]);
    assert!(ok, "{err}");
    assert!(out.contains("coverage.daily") && out.contains("每天 02:00") && out.contains("成功"), "{out}");
    assert!(out.contains("coverage.policy") && out.contains("按需"), "{out}");
    let before = run_count(&t).await;
    let (ok, _, err) = run(&["jobs", "run", "no.such.job"]);
    assert!(!ok);
    assert!(err.contains("没有名为“no.such.job”的后台任务"), "{err}");
    assert_eq!(run_count(&t).await, before, "nothing written");
    let (ok, _, err) = run(&["jobs", "run", "coverage.daily", "--region", "99"]);
    assert!(!ok);
    assert!(err.contains("失败") && err.contains("不存在"), "{err}");
}
