//! Import from .xlsx/.csv with preview, all-or-nothing, re-import; export escaping.

use axum::http::StatusCode;
use hongling_domain::Role;
use hongling_domain::registry::ImportStatus;
use hongling_service::Principal;
use hongling_service::tabular::{Cell, read_table, write_xlsx};
use sea_orm::ConnectionTrait;

use crate::support::*;

const HEADERS: &str = "统一社会信用代码,组织名称,组织类型,登记方式,类别,所属行业,登记管理机关区划代码,业务主管单位,住所区划代码,住所地址,经度,纬度,法定代表人,成立日期,从业人员数,会员数,章程含党建内容,枢纽型组织,品牌组织,孵化基地,登记状态,监管分类";

fn csv(rows: &[String]) -> Vec<u8> {
    let mut s = String::from(HEADERS);
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s.into_bytes()
}

fn row(code: &str, name: &str, region: &str) -> String {
    format!(
        "{code},{name},社会团体,登记,公益慈善类,,{},,{region},,,,王伟,2018-03-01,3,50,是,否,否,,正常,",
        &region[..6]
    )
}

#[tokio::test]
async fn preview_lists_every_rejected_row_then_imports_valid_rows() {
    let t = TestApp::new().await;
    let id = t.user("imp1", Role::Registrar, "370502", PW).await;
    let me = t.current(id).await;
    let good1 = code('1', "370502", "MJE00001");
    let good2 = code('1', "370502", "MJE00002");
    let rows = vec![
        row(&good1, "东营区甲协会", "370502001011"),               // line 2 ok
        row("51370502MJE0000199", "东营区乙协会", "370502001011"), // 3 bad final check
        row(&code('1', "370502", "MJE00003"), "东营区丙协会", "370502999999"), // 4 unknown region
        row(&good1, "东营区甲协会重复", "370502001011"),           // 5 duplicate code in file
        format!(",,社会团体,登记,公益慈善类,,370502,,370502001011,,,,,,,,,,,,,"), // 6 missing name and code
        row(&good2, "东营区丁协会", "370502001011"),               // 7 ok
        row(&code('1', "370505", "MJE00004"), "垦利区协会", "370505001001"), // 8 outside the county
        format!(",东营社区舞蹈队,社会团体,备案,文体娱乐,,370502001,,370502001011,,,,,2021/3/5,,20,,,,,,"), // 9 ok
        format!(",坏日期舞蹈队,社会团体,备案,文体娱乐,,370502001,,370502001011,,,,,2021-13-45,,20,,,,,,"), // 10 bad date
    ];
    let (job, s) = t.app.registry().preview_import(&me, "名录.csv", csv(&rows)).await.expect("preview");
    assert_eq!(s.total, 9);
    assert_eq!((s.creates, s.updates), (3, 0));
    let lines: Vec<usize> = s.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, [3, 4, 5, 6, 8, 10]);
    let why =
        |line: usize| s.rejected.iter().find(|r| r.line == line).map(|r| r.reasons.join("；")).unwrap_or_default();
    assert!(why(3).contains("校验"), "{}", why(3));
    assert!(why(4).contains("住所区划代码“370502999999”不存在"), "{}", why(4));
    assert!(why(5).contains("与第 2 行重复"), "{}", why(5));
    assert!(why(6).contains("请填写组织名称") && why(6).contains("须填写统一社会信用代码"), "{}", why(6));
    // outside the county: worded as for a region that does not exist (line 4)
    assert_eq!(
        why(8),
        "住所区划代码“370505001001”不存在或不在您的管辖范围内；登记管理机关区划代码“370505”不存在或不在您的管辖范围内"
    );
    assert!(why(10).contains("成立日期"), "{}", why(10));
    // nothing is written by a preview
    assert_eq!(orgs(&t.app, &me, ALL).await.total, 0);
    let done = t.app.registry().commit_import(&me, job).await.expect("commit");
    assert_eq!(done.creates, 3);
    assert_eq!(orgs(&t.app, &me, ALL).await.total, 3);
    // the job cannot be committed twice
    assert_eq!(t.app.registry().commit_import(&me, job).await.expect_err("twice").code(), "conflict");
    // re-importing the same file creates nothing new
    let (job2, s2) = t.app.registry().preview_import(&me, "名录.csv", csv(&rows)).await.expect("preview");
    assert_eq!((s2.creates, s2.updates, s2.unchanged), (0, 0, 3));
    t.app.registry().commit_import(&me, job2).await.expect("commit");
    assert_eq!(orgs(&t.app, &me, ALL).await.total, 3);
    // a changed row updates the record, with an import event in its history
    let mut changed = rows.clone();
    changed[0] = changed[0].replace("王伟", "李娜");
    let s3 = t.app.registry().import_orgs_file("名录2.csv", &csv(&changed)).await.expect("cli import");
    // the command line has no region scope: the 垦利区 row (line 8) is imported there too
    assert_eq!((s3.creates, s3.updates, s3.unchanged), (1, 1, 2));
    let f = vec![("q", good1.to_string())];
    let org = orgs(&t.app, &me, &f).await.items.remove(0);
    assert_eq!(org.legal_rep, "李娜");
    let h = t.app.registry().org_history(&me, org.id).await.expect("h");
    assert_eq!(h.len(), 2);
    assert!(h[0].changes_json.contains("李娜"));
}

/// Issue 10, finding 6: committing one preview three times at once made
/// every row three times (rows without a credit code have no unique key to
/// stop them). Now the commit claims the preview in its write transaction.
#[tokio::test]
async fn a_preview_commits_once_under_concurrent_commits() {
    let t = TestApp::new().await;
    let id = t.user("imp6", Role::Registrar, "370502", PW).await;
    let me = t.current(id).await;
    let rows = vec![
        format!(",东营社区合唱队,社会团体,备案,文体娱乐,,370502001,,370502001011,,,,,2021/3/5,,20,,,,,,"),
        format!(",东营社区书法队,社会团体,备案,文体娱乐,,370502001,,370502001011,,,,,2021/3/5,,12,,,,,,"),
        row(&code('1', "370502", "MJE00061"), "东营区戊协会", "370502001011"),
    ];
    let (job, s) = t.app.registry().preview_import(&me, "并发.csv", csv(&rows)).await.expect("preview");
    assert_eq!(s.creates, 3);
    let other = t.second_instance().await;
    let reg = t.app.registry();
    let reg2 = other.registry();
    let (a, b, c) =
        tokio::join!(reg.commit_import(&me, job), reg2.commit_import(&me, job), reg.commit_import(&me, job));
    let outcomes = [&a, &b, &c];
    assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), 1, "{a:?} {b:?} {c:?}");
    for r in outcomes.iter().filter(|r| r.is_err()) {
        assert_eq!(r.as_ref().expect_err("refused").code(), "conflict");
    }
    assert_eq!(orgs(&t.app, &me, ALL).await.total, 3, "every row once");
    // a discard after the import leaves it recorded as imported
    t.app.registry().discard_import(&me, job).await.expect("discard");
    let j = t.app.registry().import_state(&me, job).await.expect("job");
    assert_eq!(j.status, ImportStatus::Imported);
}

#[tokio::test]
async fn import_is_all_or_nothing() {
    let t = TestApp::new().await;
    let id = t.user("imp2", Role::Registrar, "370502", PW).await;
    let me = t.current(id).await;
    let rows: Vec<String> = (0..450)
        .map(|i| row(&code('1', "370502", &format!("MJF{i:05}")), &format!("东营区第{i}协会"), "370502001011"))
        .collect();
    let (job, s) = t.app.registry().preview_import(&me, "big.csv", csv(&rows)).await.expect("preview");
    assert_eq!(s.creates, 450);
    // make the final audit write fail: the whole import must roll back
    t.app.db.execute_unprepared("DELETE FROM audit_head").await.expect("break");
    assert_eq!(t.app.registry().commit_import(&me, job).await.expect_err("fails").code(), "internal");
    let n = t
        .app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            t.app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM social_orgs".to_owned(),
        ))
        .await
        .expect("q")
        .expect("row");
    assert_eq!(n.try_get::<i64>("", "n").expect("n"), 0, "no half import");
    let g = t
        .app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            t.app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM org_name_grams".to_owned(),
        ))
        .await
        .expect("q")
        .expect("row");
    assert_eq!(g.try_get::<i64>("", "n").expect("n"), 0);
}

#[tokio::test]
async fn gbk_csv_and_xlsx_from_another_program() {
    let t = TestApp::new().await;
    let id = t.user("imp3", Role::Registrar, "3705", PW).await;
    let me = t.current(id).await;
    let gbk: &[u8] = include_bytes!("fixtures/orgs_gbk.csv");
    assert!(String::from_utf8(gbk.to_vec()).is_err(), "the fixture really is GBK");
    let (_, s) = t.app.registry().preview_import(&me, "名录.csv", gbk.to_vec()).await.expect("gbk");
    assert_eq!((s.total, s.creates), (2, 2), "{:?}", s.rejected);
    let x = include_bytes!("fixtures/orgs_openpyxl.xlsx");
    let (job, s) = t.app.registry().preview_import(&me, "openpyxl.xlsx", x.to_vec()).await.expect("xlsx");
    assert_eq!(s.total, 3, "the blank row is skipped");
    assert_eq!(s.creates, 2, "{:?}", s.rejected);
    assert_eq!(s.rejected.len(), 1);
    assert_eq!(s.rejected[0].line, 5, "row numbers as Excel shows them");
    t.app.registry().commit_import(&me, job).await.expect("commit");
    let f = vec![("q", "湿地".to_string())];
    let org = orgs(&t.app, &me, &f).await.items.remove(0);
    assert_eq!(org.founded_on, Some(time::macros::date!(2015 - 06 - 01)), "a real Excel date cell");
    assert_eq!(org.member_count, Some(120));
    assert_eq!(org.lon_e6, Some(118_580_000));
}

#[tokio::test]
async fn malformed_uploads_get_clear_errors() {
    let t = TestApp::new().await;
    let id = t.user("imp4", Role::Registrar, "3705", PW).await;
    let me = t.current(id).await;
    let e =
        t.app.registry().preview_import(&me, "x.xlsx", b"not a spreadsheet at all".to_vec()).await.expect_err("bad");
    assert_eq!(e.code(), "invalid");
    assert!(!e.to_string().is_empty());
    let e = t.app.registry().preview_import(&me, "x.exe", b"MZ....".to_vec()).await.expect_err("type");
    assert!(e.to_string().contains(".xlsx"), "{e}");
    let e = t
        .app
        .registry()
        .preview_import(&me, "x.csv", "名称,地址\n甲,乙\n".as_bytes().to_vec())
        .await
        .expect_err("headers");
    assert!(e.to_string().contains("缺少必需的列"), "{e}");
    let big = vec![b'a'; hongling_service::registry::import::MAX_IMPORT_BYTES + 1];
    assert!(t.app.registry().preview_import(&me, "x.csv", big).await.expect_err("size").to_string().contains("MB"));
}

/// A multipart upload of one file from the browser's session.
fn upload_req(b: &Browser, token: &str, file_name: &str, body: &[u8]) -> axum::http::Request<axum::body::Body> {
    let boundary = "XyZ123";
    let mut mp = Vec::new();
    mp.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n").as_bytes());
    mp.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n")
            .as_bytes(),
    );
    mp.extend(body);
    mp.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    axum::http::Request::post("/registry/import")
        .header("cookie", b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(axum::body::Body::from(mp))
        .expect("req")
}

/// Follow a job's progress as its page does, until it has ended: the
/// progress card answers 200 while it runs, then 204 telling htmx to reload.
async fn until_done(b: &mut Browser, job_page: &str) -> Resp {
    for _ in 0..3000 {
        let r = b.get(&format!("{job_page}/progress")).await;
        if r.status == StatusCode::NO_CONTENT {
            assert_eq!(r.headers.get("hx-refresh").and_then(|v| v.to_str().ok()), Some("true"));
            return b.get(job_page).await;
        }
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(r.body.contains("hx-trigger=\"every 2s\""), "{}", r.body);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("{job_page} did not end in a minute");
}

#[tokio::test]
async fn upload_page_preview_and_commit() {
    let t = TestApp::new().await;
    t.user("imp5", Role::Registrar, "3705", PW).await;
    let mut b = t.browser();
    b.login("imp5", PW).await;
    let r = b.get("/registry/import").await;
    assert!(r.body.contains("导入模板"));
    let tpl = b.get("/registry/import/template").await;
    assert_eq!(tpl.status, StatusCode::OK);
    let body = csv(&[row(&code('1', "370502", "MJG00001"), "东营区上传协会", "370502001011")]);
    let token = b.csrf.clone().unwrap_or_default();
    // without the token in the form the upload is refused
    let r = b.send(upload_req(&b, "bad", "a.csv", &body)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // the upload answers at once with the job's page, which follows the read
    let r = b.send(upload_req(&b, &token, "a.csv", &body)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let preview = r.location.clone().expect("to preview");
    let r = until_done(&mut b, &preview).await;
    assert!(r.body.contains("将新增") && r.body.contains("导入有效记录（1 条）"), "{}", r.body);
    assert!(!r.body.contains("hx-trigger"), "an ended job is not polled");
    // the commit answers at once too; the import follows on the same page
    let r = b.post(&format!("{preview}/commit"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = until_done(&mut b, &preview).await;
    assert!(r.body.contains("导入完成"), "{}", r.body);
    assert!(b.get("/registry/orgs?q=%E4%B8%8A%E4%BC%A0").await.body.contains("东营区上传协会"));
    // committing again is a conflict, not a second import
    assert_eq!(b.post(&format!("{preview}/commit"), &[]).await.status, StatusCode::CONFLICT);
    // another user can see neither the job nor its progress
    t.user("imp6", Role::Registrar, "3705", PW).await;
    let mut other = t.browser();
    other.login("imp6", PW).await;
    assert_eq!(other.get(&preview).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("{preview}/progress")).await.status, StatusCode::NOT_FOUND);
    other.get("/registry/import").await;
    assert_eq!(other.post(&format!("{preview}/commit"), &[]).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_unreadable_upload_ends_its_job_with_the_reason() {
    let t = TestApp::new().await;
    let id = t.user("imp7", Role::Registrar, "3705", PW).await;
    let mut b = t.browser();
    b.login("imp7", PW).await;
    b.get("/registry/import").await;
    let token = b.csrf.clone().unwrap_or_default();
    let before = t.audit_count().await;
    let r = b.send(upload_req(&b, &token, "x.xlsx", b"not a spreadsheet at all")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location.expect("job page");
    let r = until_done(&mut b, &page).await;
    assert!(r.body.contains("文件未能读取") && r.body.contains("重新上传"), "{}", r.body);
    assert!(!r.body.contains("commit-import"), "nothing to import");
    // a file with the wrong columns names them
    let r = b.send(upload_req(&b, &token, "x.csv", "名称,地址\n甲,乙\n".as_bytes())).await;
    let r = until_done(&mut b, &r.location.expect("job page")).await;
    assert!(r.body.contains("缺少必需的列"), "{}", r.body);
    // no file at all, and too large a file, are refused on the form at once
    let r = b.send(upload_req(&b, &token, "x.csv", b"")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("请选择要导入的"), "{}", r.body);
    assert_eq!(t.audit_count().await, before, "nothing was written");
    assert_eq!(orgs(&t.app, &t.current(id).await, ALL).await.total, 0);
}

#[tokio::test]
async fn a_second_upload_while_the_first_is_read_gets_a_chinese_message() {
    let t = TestApp::new().await;
    t.user("imp8", Role::Registrar, "3705", PW).await;
    let mut b = t.browser();
    b.login("imp8", PW).await;
    b.get("/registry/import").await;
    let token = b.csrf.clone().unwrap_or_default();
    // a file of about 19 MB takes this debug build well over a second to read
    let one = row(&code('1', "370502", "MJG00001"), "东营区读取协会", "370502001011");
    let n = 19 * 1024 * 1024 / (one.len() + 1);
    let rows: Vec<String> = std::iter::repeat_n(one, n).collect();
    let big = csv(&rows);
    assert!(big.len() < hongling_service::registry::import::MAX_IMPORT_BYTES, "{}", big.len());
    let r = b.send(upload_req(&b, &token, "big.csv", &big)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let first = r.location.expect("job page");
    let r = b.send(upload_req(&b, &token, "small.csv", &csv(&[]))).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.body.contains("您已有一个文件正在读取，请等它完成后再上传下一个"), "{}", r.body);
    assert!(r.body.contains("上传并检查"), "the form stays");
    let r = b.get(&first).await;
    assert!(r.body.contains("正在检查") && r.body.contains("hx-get"), "{}", r.body);
    let r = until_done(&mut b, &first).await;
    assert!(r.body.contains("检查结果"), "{}", r.body);
    // once it has been read, the next upload is taken
    let r = b.send(upload_req(&b, &token, "small.csv", &csv(&[]))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    until_done(&mut b, &r.location.expect("job page")).await;
}

/// A job as a server leaves it when it stops in the middle: running, its
/// last report at the time of the stop.
async fn left_behind(t: &TestApp, user: i64, status: ImportStatus, content: Vec<u8>, summary: &str) -> i64 {
    use hongling_store::registry::entity::import_job;
    use sea_orm::{ActiveModelTrait, Set};
    let now = hongling_store::to_db(t.app.now());
    import_job::ActiveModel {
        user_id: Set(user),
        file_name: Set("中断.csv".into()),
        content: Set(content),
        status: Set(status.as_str().into()),
        summary_json: Set(summary.into()),
        created_at: Set(now),
        progress: Set("正在读取文件".into()),
        heartbeat_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(&t.app.db)
    .await
    .expect("job")
    .id
}

#[tokio::test]
async fn jobs_left_by_a_stopped_server_are_closed() {
    let t = TestApp::new().await;
    let id = t.user("imp9", Role::Registrar, "3705", PW).await;
    let me = t.current(id).await;
    let mut b = t.browser();
    b.login("imp9", PW).await;
    let body = csv(&[row(&code('1', "370502", "MJG00009"), "东营区中断协会", "370502001011")]);
    let (_, summary) = t.app.registry().preview_import(&me, "中断.csv", body.clone()).await.expect("preview");
    let summary = serde_json::to_string(&summary).expect("json");
    let reading = left_behind(&t, id, ImportStatus::Reading, body.clone(), "").await;
    let importing = left_behind(&t, id, ImportStatus::Importing, body.clone(), &summary).await;
    // while its server reports, a job runs and its page follows it
    t.clock.advance(time::Duration::minutes(2));
    let r = b.get(&format!("/registry/import/{reading}")).await;
    assert!(r.body.contains("正在检查") && r.body.contains("hx-trigger=\"every 2s\""), "{}", r.body);
    assert!(r.body.contains("已用时 2 分 0 秒"), "{}", r.body);
    assert_eq!(b.get(&format!("/registry/import/{importing}/progress")).await.status, StatusCode::OK);
    // when it has not reported for longer, its server has stopped
    t.clock.advance(time::Duration::seconds(1));
    let r = until_done(&mut b, &format!("/registry/import/{reading}")).await;
    assert!(r.body.contains("读取中断") && r.body.contains("重新上传"), "{}", r.body);
    assert_eq!(t.app.registry().import_state(&me, reading).await.expect("state").status, ImportStatus::Failed);
    // an import cut off never committed: it is a preview again, which can be imported
    let r = until_done(&mut b, &format!("/registry/import/{importing}")).await;
    assert!(r.body.contains("上次导入未完成") && r.body.contains("导入有效记录（1 条）"), "{}", r.body);
    assert_eq!(orgs(&t.app, &me, ALL).await.total, 0);
    t.app.registry().commit_import(&me, importing).await.expect("commit again");
    assert_eq!(orgs(&t.app, &me, ALL).await.total, 1);
    // the daily clean-up closes the jobs nobody looks at, and old previews
    let quiet = left_behind(&t, id, ImportStatus::Reading, body.clone(), "").await;
    let waiting = left_behind(&t, id, ImportStatus::Previewed, body.clone(), &summary).await;
    assert_eq!(t.app.registry().purge_imports().await.expect("purge"), 0, "both are fresh");
    t.clock.advance(time::Duration::days(8));
    assert!(t.app.registry().purge_imports().await.expect("purge") >= 2);
    let reg = t.app.registry();
    assert_eq!(reg.import_state(&me, quiet).await.expect("state").status, ImportStatus::Failed);
    let w = reg.import_state(&me, waiting).await.expect("state");
    assert_eq!(w.status, ImportStatus::Discarded);
    assert!(w.progress.contains("自动放弃"), "{}", w.progress);
}

#[tokio::test]
async fn export_escapes_formulas() {
    let t = TestApp::new().await;
    let id = t.user("exp1", Role::Registrar, "3705", PW).await;
    let me = t.current(id).await;
    let by = Principal::User(me.clone());
    let mut d = draft("=HYPERLINK(\"http://x\",\"点我\")协会", &code('1', "370502", "MJH00001"), "370502001011");
    d.address = "+86 滨河路".into();
    d.legal_rep = "@张三".into();
    t.app.registry().create_org(&by, d, false).await.expect("create");
    let bytes = t
        .app
        .export::<hongling_service::registry::lists::OrgList>(&me, &Default::default())
        .await
        .expect("export")
        .bytes;
    // the cells as Excel sees them: text with a leading quote, and no formula anywhere
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).expect("xlsx");
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).expect("sheet");
    let cells: Vec<String> = range.rows().nth(1).expect("row").iter().map(|c| c.to_string()).collect();
    assert!(cells.iter().any(|c| c.starts_with("'=HYPERLINK")), "{cells:?}");
    assert!(cells.iter().any(|c| c == "'+86 滨河路"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "'@张三"), "{cells:?}");
    let formulas = wb.worksheet_formula(&sheet).expect("formulas");
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula in the export");
    // the export reads back through the import (same columns, escaping undone)
    let table = read_table("e.xlsx", &bytes, 100).expect("read");
    assert!(table.rows[0].cells[1].starts_with("=HYPERLINK"));
    let (_, s) = t.app.registry().preview_import(&me, "e.xlsx", bytes).await.expect("re-import preview");
    assert_eq!((s.total, s.unchanged), (1, 1), "{:?}", s.rejected);
    assert!(write_xlsx("x", &["a"], vec![vec![Cell::Text("=1".into())]]).is_ok());
}

#[tokio::test]
async fn the_template_reads_back_with_its_example_row() {
    let t = TestApp::new().await;
    let id = t.user("tpl1", Role::Registrar, "3705", PW).await;
    let me = t.current(id).await;
    let tpl = t.app.registry().import_template().expect("template");
    let (_, s) = t.app.registry().preview_import(&me, "模板.xlsx", tpl).await.expect("preview");
    assert_eq!((s.total, s.creates), (1, 1), "{:?}", s.rejected);
}
