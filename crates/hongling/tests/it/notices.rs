//! The shared foundation of issue 12: the in-app notice inbox and
//! attachments kept in the database.

use axum::http::StatusCode;
use hongling_domain::Role;
use hongling_service::Principal;
use hongling_service::notices::NewNotice;
use hongling_service::system::users::{NewUser, ScopeInput};
use hongling_store::begin_write;

use crate::support::*;

const WENHUI: &str = "370502001011"; // 文汇街道东营社区

async fn account(t: &TestApp, name: &str, role: Role, scope: ScopeInput) -> i64 {
    t.app
        .system()
        .create_user(
            &Principal::Cli,
            NewUser { username: name.into(), display_name: name.into(), role, scope, password: Some(PW.into()) },
        )
        .await
        .expect("create user")
        .0
        .id
}

/// Two organizations of 东营区 with an account each, and a county registrar.
async fn two_orgs(t: &TestApp) -> (i64, i64) {
    t.user("reg", Role::Registrar, "370502", PW).await;
    let reg = Principal::User(t.current_by_name("reg").await);
    let registry = t.app.registry();
    let d = draft("东营区通知测试协会", &code('1', "370502", "NTC00001"), WENHUI);
    let a = registry.create_org(&reg, d, false).await.expect("org").id;
    let d = draft("东营区另一测试协会", &code('1', "370502", "NTC00002"), WENHUI);
    let b = registry.create_org(&reg, d, false).await.expect("org").id;
    account(t, "org_a", Role::OrgAccount, ScopeInput::Org(a)).await;
    account(t, "org_a2", Role::OrgAccount, ScopeInput::Org(a)).await;
    account(t, "org_b", Role::OrgAccount, ScopeInput::Org(b)).await;
    (a, b)
}

async fn send(t: &TestApp, n: NewNotice) -> bool {
    let txn = begin_write(&t.app.db).await.expect("txn");
    let sent = t.app.notify(&txn, n).await.expect("notify");
    txn.commit().await.expect("commit");
    sent
}

fn reminder(org: i64, key: &str) -> NewNotice {
    NewNotice {
        org_id: Some(org),
        kind: "test.reminder",
        title: "请按时报送年度报告".into(),
        body: "2025 年度报告应于 2026-05-31 前报送。".into(),
        link: Some(format!("/registry/orgs/{org}")),
        dedup_key: Some(key.into()),
        ..Default::default()
    }
}

/// The id of the first notice linked from an inbox page.
fn first_notice(html: &str) -> i64 {
    html.match_indices("href=\"/notices/")
        .find_map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"')?].parse::<i64>().ok()
        })
        .expect("a notice")
}

#[tokio::test]
async fn notices_reach_the_organizations_accounts_once_and_no_one_else() {
    let t = TestApp::new().await;
    let (a, b) = two_orgs(&t).await;
    assert!(send(&t, reminder(a, "t:2025:a:d30")).await);
    // the same key again (a job run twice), and from a second server at once: stored once
    let second = t.second_instance().await;
    let (x, y) = tokio::join!(
        async {
            let txn = begin_write(&t.app.db).await.expect("txn");
            let s = t.app.notify(&txn, reminder(a, "t:2025:a:d7")).await.expect("n");
            txn.commit().await.expect("c");
            s
        },
        async {
            let txn = begin_write(&second.db).await.expect("txn");
            let s = second.notify(&txn, reminder(a, "t:2025:a:d7")).await.expect("n");
            txn.commit().await.expect("c");
            s
        }
    );
    assert!(x ^ y, "exactly one of two concurrent sends stores it: {x} {y}");
    assert!(!send(&t, reminder(a, "t:2025:a:d30")).await);
    // no recipient, or a link to another site: refused / dropped
    let txn = begin_write(&t.app.db).await.expect("txn");
    assert!(t.app.notify(&txn, NewNotice { kind: "x", title: "x".into(), ..Default::default() }).await.is_err());
    let evil = NewNotice { link: Some("//evil.example/x".into()), dedup_key: None, ..reminder(b, "") };
    assert!(t.app.notify(&txn, evil).await.expect("sent"));
    txn.commit().await.expect("c");

    let me_a = t.current_by_name("org_a").await;
    let me_a2 = t.current_by_name("org_a2").await;
    let me_b = t.current_by_name("org_b").await;
    let reg = t.current_by_name("reg").await;
    assert_eq!(t.app.notices().unread(&me_a).await.expect("n"), 2);
    assert_eq!(t.app.notices().unread(&me_a2).await.expect("n"), 2, "every account of the organization");
    assert_eq!(t.app.notices().unread(&me_b).await.expect("n"), 1);
    assert_eq!(t.app.notices().unread(&reg).await.expect("n"), 0);

    // the bell, the inbox, opening one (read for the organization's other account too)
    let mut br = t.browser();
    br.login("org_a", PW).await;
    let home = br.get("/").await;
    assert!(home.body.contains("id=\"notice-bell\"") && home.body.contains("未读 2 条"), "{}", home.body);
    let inbox = br.get("/notices").await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body.contains("请按时报送年度报告") && inbox.body.contains("未读"), "{}", inbox.body);
    let id = first_notice(&inbox.body);
    let opened = br.get(&format!("/notices/{id}")).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    assert_eq!(opened.location.as_deref(), Some(format!("/registry/orgs/{a}").as_str()));
    assert_eq!(t.app.notices().unread(&me_a2).await.expect("n"), 1);
    // another organization's notice: 404, and it stays unread
    let mut bb = t.browser();
    bb.login("org_b", PW).await;
    assert_eq!(bb.get(&format!("/notices/{id}")).await.status, StatusCode::NOT_FOUND);
    let b_inbox = bb.get("/notices?unread=1").await;
    assert!(!b_inbox.body.contains(&format!("href=\"/notices/{id}\"")));
    let b_id = first_notice(&b_inbox.body);
    assert_eq!(br.get(&format!("/notices/{b_id}")).await.status, StatusCode::NOT_FOUND);
    // the foreign link was dropped: opening goes to the inbox
    assert_eq!(bb.get(&format!("/notices/{b_id}")).await.location.as_deref(), Some("/notices"));
    // read all
    br.get("/notices").await;
    let r = br.post("/notices/read-all", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(t.app.notices().unread(&me_a).await.expect("n"), 0);
    assert_eq!(t.app.notices().unread(&me_b).await.expect("n"), 0, "b read its own only");
    let _ = me_b;
}

/// How many uploads the audit log holds.
async fn uploads(t: &TestApp) -> u64 {
    use hongling_store::entity::audit_log;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let q = audit_log::Entity::find().filter(audit_log::Column::Action.eq("attachment.add"));
    q.count(&t.app.db).await.expect("count")
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test]
async fn attachments_are_kept_by_content_and_served_within_scope() {
    let t = TestApp::new().await;
    let (a, b) = two_orgs(&t).await;
    t.user("other_county", Role::Registrar, "370503", PW).await;
    t.user("city", Role::Registrar, "3705", PW).await;
    let mut reg = t.browser();
    reg.login("reg", PW).await;
    let page = reg.get(&format!("/registry/orgs/{a}?tab=files")).await;
    assert!(page.body.contains("id=\"file-form\"") && page.body.contains("enctype=\"multipart/form-data\""));
    let audits = uploads(&t).await;
    let r =
        reg.upload(&format!("/registry/orgs/{a}/files"), &[], "file", "C:\\扫描\\章程（2024 年修订）.PDF", PDF).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(uploads(&t).await, audits + 1, "the upload is audited");
    let page = reg.get(&format!("/registry/orgs/{a}?tab=files")).await;
    assert!(page.body.contains("章程（2024 年修订）.pdf"), "{}", page.body);
    let me = t.current_by_name("reg").await;
    let files = t.app.attachments().of(&me, "social_org", a).await.expect("files");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].sha256.len(), 64);
    assert_eq!(files[0].size_bytes, PDF.len() as i64);
    let href = files[0].href();

    // refused: not a PDF/PNG/JPEG whatever its name, empty, too large; nothing kept
    for (name, bytes, why) in [
        ("病毒.pdf", b"MZ\x90\x00\x03".to_vec(), "只能上传"),
        ("空.pdf", vec![], "请选择"),
        ("大.pdf", [PDF, &vec![b' '; 10 * 1024 * 1024]].concat(), "不超过 10 MB"),
    ] {
        reg.get(&format!("/registry/orgs/{a}?tab=files")).await;
        let r = reg.upload(&format!("/registry/orgs/{a}/files"), &[], "file", name, &bytes).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let shown = reg.get(&format!("/registry/orgs/{a}?tab=files")).await;
        assert!(shown.body.contains(why), "{name}: {}", shown.body);
    }
    assert_eq!(t.app.attachments().of(&me, "social_org", a).await.expect("files").len(), 1);
    assert_eq!(uploads(&t).await, audits + 1);

    // downloads: an attachment, never inline
    let d = reg.get(&href).await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/pdf"));
    let cd = d.headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(cd.starts_with("attachment;") && cd.contains("filename*=UTF-8''"), "{cd}");
    assert_eq!(d.headers.get("content-security-policy").and_then(|v| v.to_str().ok()), Some("sandbox"));
    assert!(d.body.starts_with("%PDF-1.4"));
    for (who, status) in [
        ("city", StatusCode::OK),
        ("org_a", StatusCode::OK),
        ("org_b", StatusCode::NOT_FOUND),
        ("other_county", StatusCode::NOT_FOUND),
    ] {
        let mut br = t.browser();
        br.login(who, PW).await;
        assert_eq!(br.get(&href).await.status, status, "{who}");
    }
    // an organization's account cannot upload to the registry record
    let mut oa = t.browser();
    oa.login("org_a", PW).await;
    oa.get("/").await;
    let r = oa.upload(&format!("/registry/orgs/{a}/files"), &[], "file", "x.pdf", PDF).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // another county's clerk: the record is not theirs
    let mut oc = t.browser();
    oc.login("other_county", PW).await;
    oc.get("/").await;
    let r = oc.upload(&format!("/registry/orgs/{b}/files"), &[], "file", "x.pdf", PDF).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(t.app.attachments().of(&me, "social_org", b).await.expect("files").is_empty());
    assert_eq!(uploads(&t).await, audits + 1);
    // without a session: the sign-in page, not the file
    let anon = t.browser().get(&href).await;
    assert_ne!(anon.status, StatusCode::OK);
}
