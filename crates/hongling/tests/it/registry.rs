//! The registry (M1): records, history, life cycle, search, scope, import,
//! export, API.

use axum::http::StatusCode;
use hongling_domain::Role;
use hongling_domain::registry::decision::Verdict;
use hongling_domain::registry::{Category, OrgKind, RegistrationMode, StatusAction};
use hongling_service::Principal;
use hongling_service::registry::orgs::StatusOutcome;
use time::Duration;
use time::macros::date;

use crate::support::*;

const DYQ_VILLAGE: &str = "370502001011"; // 东营区文汇街道东营社区

async fn registrar(t: &TestApp, name: &str, scope: &str) -> hongling_service::CurrentUser {
    let id = t.user(name, Role::Registrar, scope, PW).await;
    t.current(id).await
}

/// A life-cycle action that needs a second person: `me` proposes it, a
/// leader of the same scope approves it; the record as changed.
pub(crate) async fn proposed_and_approved(
    t: &TestApp,
    me: &hongling_service::CurrentUser,
    id: i64,
    action: StatusAction,
    reason: &str,
    doc_no: &str,
) -> hongling_store::registry::entity::social_org::Model {
    let out = t.app.registry().org_status_action(me, id, action, reason, doc_no, None, None).await.expect("propose");
    let StatusOutcome::Proposed(d) = out else { panic!("{action:?} is a proposal where the policy asks for approval") };
    let name = format!("leader_{}", d.id);
    let leader = t.current(t.user(&name, Role::RegistrarLeader, me.scope.region.as_str(), PW).await).await;
    t.app.registry().decide(&leader, d.id, Verdict::Approve, "").await.expect("approve");
    t.app.registry().get_org(me, id).await.expect("org")
}

fn done(o: StatusOutcome) -> hongling_store::registry::entity::social_org::Model {
    match o {
        StatusOutcome::Done(m) => *m,
        StatusOutcome::Proposed(d) => panic!("taken at once, not proposed: {d:?}"),
    }
}

#[tokio::test]
async fn create_update_and_read_the_past() {
    let t = TestApp::new().await;
    let me = registrar(&t, "reg1", "3705").await;
    let by = Principal::User(me.clone());
    let c = code('1', "370502", "MJA00001");
    let org =
        t.app.registry().create_org(&by, draft("东营区爱心助学协会", &c, DYQ_VILLAGE), false).await.expect("create");
    assert_eq!(org.status, "active");
    assert!(org.sync_pending, "a new registered organization waits for party coverage (三同步)");
    // the registration is effective from its founding date
    t.clock.advance(Duration::days(30));
    let mut d = hongling_service::registry::orgs::draft_of(&org);
    d.name = "东营区爱心助学促进会".into();
    d.legal_rep = "李娜".into();
    let changed = t
        .app
        .registry()
        .update_org(&me, org.id, d, Some(org.version), Some(date!(2026 - 03 - 20)), "换届")
        .await
        .expect("update");
    assert_eq!(changed.version, 2);
    // a stale version is refused
    let stale = t
        .app
        .registry()
        .update_org(&me, org.id, hongling_service::registry::orgs::draft_of(&org), Some(1), None, "")
        .await;
    assert_eq!(stale.expect_err("stale").code(), "conflict");
    // what it said on past dates
    let before = t.app.registry().org_as_of(&me, org.id, date!(2026 - 03 - 19)).await.expect("q").expect("existed");
    assert_eq!(before.name, "东营区爱心助学协会");
    assert_eq!(before.legal_rep, "王伟");
    let after = t.app.registry().org_as_of(&me, org.id, date!(2026 - 03 - 20)).await.expect("q").expect("existed");
    assert_eq!(after.name, "东营区爱心助学促进会");
    assert!(
        t.app.registry().org_as_of(&me, org.id, date!(2015 - 05 - 31)).await.expect("q").is_none(),
        "before founding"
    );
    let h = t.app.registry().org_history(&me, org.id).await.expect("history");
    assert_eq!(h.len(), 2);
    assert_eq!(h[0].action, "update");
    assert!(h[0].changes_json.contains("legal_rep") && h[0].reason == "换届");
    // the new name is searchable, the old one is not
    let f = |q: &str| vec![("q", q.to_string())];
    assert_eq!(orgs(&t.app, &me, &f("促进会")).await.total, 1);
    assert_eq!(orgs(&t.app, &me, &f("助学协会")).await.total, 0);
}

#[tokio::test]
async fn field_rules_give_chinese_messages() {
    let t = TestApp::new().await;
    let me = registrar(&t, "reg2", "370502").await;
    let by = Principal::User(me.clone());
    let good = code('1', "370502", "MJA00009");
    let wrong_last = if good.ends_with('1') { '2' } else { '1' };
    let bad = format!("{}{wrong_last}", &good[..17]);
    let mut d = draft("某协会", &bad, DYQ_VILLAGE);
    let e = t.app.registry().create_org(&by, d.clone(), false).await.expect_err("bad code");
    let msgs: Vec<_> = e.field_errors().iter().map(|f| (f.field.clone(), f.message.clone())).collect();
    assert!(msgs.iter().any(|(f, m)| f == "uscc" && m.contains("第18位校验码错误")), "{msgs:?}");
    // outside the clerk's county
    d.uscc = code('1', "370505", "MJA00002");
    d.region_code = "370505001001".into();
    d.authority_region = "370505".into();
    let e = t.app.registry().create_org(&by, d.clone(), false).await.expect_err("out of scope");
    assert!(
        e.field_errors()
            .iter()
            .any(|f| f.field == "region_code" && f.message == "住所所在区划不存在或不在您的管辖范围内"),
        "{:?}",
        e.field_errors()
    );
    // duplicate code
    let d2 = draft("甲协会", &code('1', "370502", "MJA00003"), DYQ_VILLAGE);
    t.app.registry().create_org(&by, d2.clone(), false).await.expect("first");
    let e = t.app.registry().create_org(&by, OrgDraftExt::renamed(d2, "乙协会"), false).await.expect_err("dup");
    assert!(e.field_errors()[0].message.contains("已被“甲协会”使用"), "{:?}", e.field_errors());
    // a filed community organization needs no code but a service type
    let mut f = draft("东营社区舞蹈队", "", DYQ_VILLAGE);
    f.mode = Some(RegistrationMode::Filed);
    f.category = Some(Category::CultureSports);
    f.authority_region = "370502001".into();
    let m = t.app.registry().create_org(&by, f, false).await.expect("filed");
    assert!(m.uscc.is_none() && !m.sync_pending);
}

trait OrgDraftExt {
    fn renamed(self, name: &str) -> Self;
}

impl OrgDraftExt for hongling_domain::registry::OrgDraft {
    fn renamed(mut self, name: &str) -> Self {
        self.name = name.into();
        self
    }
}

#[tokio::test]
async fn life_cycle_actions() {
    let t = TestApp::new().await;
    let me = registrar(&t, "reg3", "3705").await;
    let by = Principal::User(me.clone());
    let app_draft = draft("东营市无人机协会", "", DYQ_VILLAGE);
    let a = t.app.registry().create_org(&by, app_draft, true).await.expect("application");
    assert_eq!(a.status, "applying");
    let e = t
        .app
        .registry()
        .org_status_action(&me, a.id, StatusAction::ApproveRegistration, "材料齐全", "", None, None)
        .await;
    assert_eq!(e.expect_err("needs a code").field_errors()[0].field, "uscc");
    let c = code('1', "370500", "MJA00004");
    let m = done(
        t.app
            .registry()
            .org_status_action(&me, a.id, StatusAction::ApproveRegistration, "材料齐全", "", None, Some(&c))
            .await
            .expect("approve"),
    );
    assert_eq!(m.status, "active");
    assert_eq!(m.uscc.as_deref(), Some(c.as_str()));
    let e = t.app.registry().org_status_action(&me, a.id, StatusAction::RevokeLicence, "未年检", "", None, None).await;
    assert_eq!(e.expect_err("needs doc").field_errors()[0].field, "doc_no");
    proposed_and_approved(&t, &me, a.id, StatusAction::RevokeLicence, "连续两年未年检", "东民社罚〔2026〕3号").await;
    let back =
        proposed_and_approved(&t, &me, a.id, StatusAction::Reinstate, "行政复议撤销原决定", "东民复〔2026〕1号").await;
    assert_eq!(back.status, "active");
    proposed_and_approved(&t, &me, a.id, StatusAction::Deregister, "自行解散", "东民社注〔2026〕9号").await;
    let e = t.app.registry().org_status_action(&me, a.id, StatusAction::Reinstate, "x", "y", None, None).await;
    assert_eq!(e.expect_err("final").code(), "conflict");
    let h = t.app.registry().org_history(&me, a.id).await.expect("h");
    let actions: Vec<_> = h.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["deregister", "reinstate", "revoke_licence", "approve", "apply"]);
    assert_eq!(h[2].doc_no, "东民社罚〔2026〕3号");
    // a filed community organization has no certificate to revoke
    let mut f = draft("东营社区秧歌队", "", DYQ_VILLAGE);
    f.mode = Some(RegistrationMode::Filed);
    f.category = Some(Category::CultureSports);
    f.authority_region = "370502001".into();
    let filed = t.app.registry().create_org(&by, f, false).await.expect("filed");
    let e = t.app.registry().org_status_action(&me, filed.id, StatusAction::RevokeLicence, "x", "y", None, None).await;
    assert_eq!(e.expect_err("no licence").code(), "conflict");
    proposed_and_approved(&t, &me, filed.id, StatusAction::Revoke, "长期不活动", "文汇街道〔2026〕2号").await;
    // a grassroots worker reads but cannot change
    let g = t.user("grass", Role::Grassroots, "370502001", PW).await;
    let g = t.current(g).await;
    assert!(t.app.registry().get_org(&g, a.id).await.is_ok());
    let e = t.app.registry().org_status_action(&g, a.id, StatusAction::Reinstate, "x", "y", None, None).await;
    assert_eq!(e.expect_err("forbidden").code(), "forbidden");
}

async fn seed_two_counties(t: &TestApp) -> (i64, i64) {
    let me = registrar(t, "cityreg", "3705").await;
    let by = Principal::User(me);
    let a = t
        .app
        .registry()
        .create_org(&by, draft("东营区爱心志愿者协会", &code('1', "370502", "MJB00001"), DYQ_VILLAGE), false)
        .await
        .expect("a");
    let mut kd = draft("垦利区爱心志愿者协会", &code('1', "370505", "MJB00002"), "370505001001");
    kd.authority_region = "370505".into();
    let b = t.app.registry().create_org(&by, kd, false).await.expect("b");
    (a.id, b.id)
}

#[tokio::test]
async fn another_county_is_404_on_page_api_search_and_export() {
    let t = TestApp::new().await;
    let (dyq, kenli) = seed_two_counties(&t).await;
    t.user("dyqreg", Role::Registrar, "370502", PW).await;
    let mut b = t.browser();
    b.login("dyqreg", PW).await;
    assert_eq!(b.get(&format!("/registry/orgs/{dyq}")).await.status, StatusCode::OK);
    let r = b.get(&format!("/registry/orgs/{kenli}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.body.contains("垦利区爱心"));
    assert_eq!(b.get(&format!("/registry/orgs/{kenli}/edit")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.get(&format!("/registry/orgs/{kenli}?tab=history")).await.status, StatusCode::NOT_FOUND);
    let r = b.api_get(&format!("/api/v1/orgs/{kenli}"), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["code"], "not_found");
    let r = b.api_get(&format!("/api/v1/orgs/{kenli}/history"), None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // search finds only the own county's
    let r = b.get("/registry/orgs?q=%E7%88%B1%E5%BF%83").await; // 爱心
    assert!(r.body.contains("东营区爱心志愿者协会") && !r.body.contains("垦利区爱心"), "{}", r.body);
    let r = b.api_get("/api/v1/orgs?q=%E7%88%B1%E5%BF%83", None).await;
    assert_eq!(r.json()["total"], 1);
    // a region filter outside the scope is refused, the same as one that does not exist
    let r = b.api_get("/api/v1/orgs?region=370505", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["message"].as_str().unwrap_or("").contains("不存在或不在您的管辖范围内"), "{}", r.body);
    // export
    let r = b.get("/registry/orgs/export?q=%E5%8D%8F%E4%BC%9A").await;
    assert_eq!(r.status, StatusCode::OK);
    let bytes = export_bytes(&mut b, "/registry/orgs/export").await;
    let table = hongling_service::tabular::read_table("x.xlsx", &bytes, 1000).expect("xlsx");
    let names: Vec<&str> = table.rows.iter().map(|r| r.cells[1].as_str()).collect();
    assert_eq!(names, ["东营区爱心志愿者协会"]);
}

#[tokio::test]
async fn the_edit_form_saves_what_the_page_sends() {
    let t = TestApp::new().await;
    let (dyq, _) = seed_two_counties(&t).await;
    t.user("dyqreg", Role::Registrar, "370502", PW).await;
    let mut b = t.browser();
    b.login("dyqreg", PW).await;
    let page = b.get(&format!("/registry/orgs/{dyq}/edit")).await;
    assert_eq!(page.status, StatusCode::OK);
    let mut fields = form_fields(&page.body, "record-form");
    assert!(fields.iter().any(|(k, v)| k == "version" && v == "1"), "{fields:?}");
    for (k, v) in fields.iter_mut() {
        match k.as_str() {
            "legal_rep" => *v = "赵磊".into(),
            "reason" => *v = "换届选举".into(),
            _ => {}
        }
    }
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = b.post(&format!("/registry/orgs/{dyq}"), &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = b.get(&format!("/registry/orgs/{dyq}")).await;
    assert!(r.body.contains("已保存变更") && r.body.contains("赵磊"), "{}", r.body);
    // the same form again (an old version): refused, nothing overwritten
    let r = b.post(&format!("/registry/orgs/{dyq}"), &pairs).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("已被他人修改") && r.body.contains("id=\"conflict\""), "{}", r.body);
    // a version that is not a number is a clear error, not a crash
    let bad: Vec<(&str, &str)> = pairs.iter().map(|&(k, v)| if k == "version" { (k, "x") } else { (k, v) }).collect();
    let r = b.post(&format!("/registry/orgs/{dyq}"), &bad).await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(r.body.contains("应为整数"), "{}", r.body);
    let r = b.api_get(&format!("/api/v1/orgs/{dyq}"), None).await;
    assert_eq!((r.json()["version"].as_i64(), r.json()["legal_rep"].as_str()), (Some(2), Some("赵磊")), "{}", r.body);
}

async fn export_bytes(b: &mut Browser, uri: &str) -> Vec<u8> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = axum::http::Request::get(uri)
        .header("cookie", b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "))
        .body(axum::body::Body::empty())
        .expect("req");
    let res = b.router.clone().oneshot(req).await.expect("res");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().expect("ct").contains("spreadsheetml"));
    res.into_body().collect().await.expect("body").to_bytes().to_vec()
}

#[tokio::test]
async fn search_two_characters_and_code_prefixes() {
    let t = TestApp::new().await;
    let me = registrar(&t, "reg4", "3705").await;
    let by = Principal::User(me.clone());
    let names = ["东营市爱心志愿者协会", "东营区餐饮行业协会", "东营市慈善总会", "胜利社区爱心服务社"];
    for (i, n) in names.iter().enumerate() {
        let c = code('1', "370502", &format!("MJC0000{i}"));
        let mut d = draft(n, &c, DYQ_VILLAGE);
        if n.ends_with("服务社") {
            d.uscc.clear();
            d.mode = Some(RegistrationMode::Filed);
            d.category = Some(Category::PublicWelfare);
        }
        t.app.registry().create_org(&by, d, false).await.expect("create");
    }
    let q = |s: &str| vec![("q", s.to_string())];
    let names_of = |p: hongling_service::Page<hongling_service::models::SocialOrg>| {
        let mut v: Vec<String> = p.items.into_iter().map(|m| m.name).collect();
        v.sort();
        v
    };
    let r = orgs(&t.app, &me, &q("爱心")).await;
    assert_eq!(names_of(r), ["东营市爱心志愿者协会", "胜利社区爱心服务社"]);
    let r = orgs(&t.app, &me, &q("协会")).await;
    assert_eq!(r.total, 2);
    // grams found apart are not a match: 爱心 … 协会 is not "心协"
    assert_eq!(orgs(&t.app, &me, &q("心协")).await.total, 0);
    assert_eq!(orgs(&t.app, &me, &q("慈善总会")).await.total, 1);
    assert_eq!(orgs(&t.app, &me, &q("会")).await.total, 3);
    // codes and prefixes, any case, full width
    let c0 = code('1', "370502", "MJC00000");
    assert_eq!(orgs(&t.app, &me, &q(&c0)).await.total, 1);
    assert_eq!(orgs(&t.app, &me, &q("51370502")).await.total, 3);
    assert_eq!(orgs(&t.app, &me, &q(&c0[..12].to_lowercase())).await.total, 3);
    // filters combine
    let f = vec![("q", "爱心".to_string()), ("mode", "filed".to_string())];
    assert_eq!(orgs(&t.app, &me, &f).await.total, 1);
    let f = vec![("kind", OrgKind::Foundation.as_str().to_string())];
    assert_eq!(orgs(&t.app, &me, &f).await.total, 0);
}

#[tokio::test]
async fn json_api_for_the_registry() {
    let t = TestApp::new().await;
    t.user("apireg", Role::Registrar, "370502", PW).await;
    let token = t.app.create_token(&Principal::Cli, "apireg", "test", None).await.expect("token");
    t.user("apilead", Role::RegistrarLeader, "370502", PW).await;
    let lead_token = t.app.create_token(&Principal::Cli, "apilead", "test", None).await.expect("token");
    let mut b = t.browser();
    let c = code('1', "370502", "MJK00001");
    let body = serde_json::json!({
        "uscc": c, "name": "东营区接口测试协会", "kind": "association", "registration_mode": "registered",
        "category": "charity", "authority_region": "370502", "region_code": DYQ_VILLAGE,
        "legal_rep": "周杰", "founded_on": "2020-01-02", "member_count": 30
    });
    let r = b.api_send("POST", "/api/v1/orgs", &token, body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let org = r.json();
    let id = org["id"].as_i64().expect("id");
    assert_eq!(org["status"], "active");
    assert_eq!(org["founded_on"], "2020-01-02");
    // invalid input: field messages in Chinese
    let mut bad = body.clone();
    bad["uscc"] = serde_json::json!("123");
    bad["name"] = serde_json::json!("");
    let r = b.api_send("POST", "/api/v1/orgs", &token, bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = r.json();
    assert_eq!(j["code"], "invalid");
    let fields: Vec<&str> =
        j["fields"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
    assert!(fields.contains(&"uscc") && fields.contains(&"name"), "{j}");
    // list with filters
    let r = b.api_get("/api/v1/orgs?q=%E6%8E%A5%E5%8F%A3&kind=association&per_page=5", Some(&token)).await;
    let j = r.json();
    assert_eq!((j["total"].as_u64(), j["per_page"].as_u64(), j["page"].as_u64()), (Some(1), Some(5), Some(1)));
    assert_eq!(j["items"][0]["id"], id);
    // a PUT is the whole record: a field left out or misspelt is refused and changes nothing
    let mut upd = body.clone();
    upd["name"] = serde_json::json!("东营区接口测试促进会");
    upd["version"] = serde_json::json!(1);
    upd["reason"] = serde_json::json!("更名");
    let r = b.api_send("PUT", &format!("/api/v1/orgs/{id}"), &token, upd.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let j = r.json();
    let missing: Vec<&str> =
        j["fields"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
    assert!(r.body.contains("缺少字段") && r.body.contains("address"), "{}", r.body);
    assert!(!missing.contains(&"reason"), "the reason of a change may be left out");
    for (k, v) in [
        ("address", serde_json::json!("黄河路 1 号")),
        ("industry", serde_json::json!("")),
        ("supervisory_unit_id", serde_json::Value::Null),
        ("industry_department_id", serde_json::Value::Null),
        ("decoupled", serde_json::json!(false)),
        ("longitude", serde_json::Value::Null),
        ("latitude", serde_json::Value::Null),
        ("staff_count", serde_json::Value::Null),
        ("charter_party_clause", serde_json::json!(true)),
        ("is_hub", serde_json::json!(false)),
        ("is_brand", serde_json::json!(false)),
        ("incubator", serde_json::json!("")),
    ] {
        upd[k] = v;
    }
    let mut typo = upd.clone();
    typo.as_object_mut().expect("object").remove("address");
    typo["adress"] = serde_json::json!("");
    let r = b.api_send("PUT", &format!("/api/v1/orgs/{id}"), &token, typo).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["fields"][0]["field"], "adress", "{}", r.body);
    let r = b.api_get(&format!("/api/v1/orgs/{id}"), Some(&token)).await;
    assert_eq!((r.json()["version"].as_i64(), r.json()["name"].as_str()), (Some(1), Some("东营区接口测试协会")));
    // update with the version read; a second update with the old version is refused
    let r = b.api_send("PUT", &format!("/api/v1/orgs/{id}"), &token, upd.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["version"], 2);
    assert_eq!(r.json()["address"], "黄河路 1 号");
    let r = b.api_send("PUT", &format!("/api/v1/orgs/{id}"), &token, upd).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // status action and history
    let r = b
        .api_send(
            "POST",
            &format!("/api/v1/orgs/{id}/status"),
            &token,
            serde_json::json!({"action": "deregister", "reason": "解散", "doc_no": "东民注〔2026〕1号"}),
        )
        .await;
    // a proposal: 202 with the pending decision, the record unchanged until a leader approves
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!((r.json()["status"].as_str(), r.json()["proposed_by"].as_str()), (Some("pending"), Some("apireg")));
    let decision = r.json()["id"].as_i64().expect("decision id");
    assert_eq!(b.api_get(&format!("/api/v1/orgs/{id}"), Some(&token)).await.json()["status"], "active");
    let r = b.api_get("/api/v1/org-decisions", Some(&lead_token)).await;
    assert_eq!(r.json().as_array().map(Vec::len), Some(1), "{}", r.body);
    // the clerk may not decide; the leader approves
    let approve = format!("/api/v1/org-decisions/{decision}/approve");
    let r = b.api_send("POST", &approve, &token, serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = b.api_send("POST", &approve, &lead_token, serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.json()["status"].as_str(), r.json()["decided_by"].as_str()), (Some("approved"), Some("apilead")));
    let r = b.api_send("POST", &approve, &lead_token, serde_json::json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "approved twice: {}", r.body);
    assert_eq!(b.api_get(&format!("/api/v1/orgs/{id}"), Some(&token)).await.json()["status"], "deregistered");
    let h = b.api_get(&format!("/api/v1/orgs/{id}/history"), Some(&token)).await.json();
    let actions: Vec<&str> = h.as_array().expect("list").iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions, ["deregister", "update", "create"]);
    assert_eq!(h[1]["snapshot"]["name"], "东营区接口测试促进会");
    // the OpenAPI document describes the registry
    let doc = b.get("/api/v1/openapi.json").await.json();
    for p in ["/api/v1/orgs", "/api/v1/orgs/{id}", "/api/v1/orgs/{id}/status", "/api/v1/uscc/{code}"] {
        assert!(doc["paths"][p].is_object(), "{p}");
    }
}

#[tokio::test]
async fn public_credit_code_check() {
    let t = TestApp::new().await;
    let mut b = t.browser();
    let r = b.get("/api/v1/uscc/91350100M000100Y43").await.json();
    assert_eq!(r["valid"], true);
    let r = b.get("/api/v1/uscc/%EF%BC%99%EF%BC%91350100m000100y43").await.json(); // full-width 9 9, lower case
    assert_eq!((r["valid"].as_bool(), r["normalized"].as_str()), (Some(true), Some("91350100M000100Y43")));
    let r = b.get("/api/v1/uscc/91350100M000100Y44").await.json();
    assert_eq!(r["valid"], false);
    assert_eq!(r["part"], "final_check");
    assert!(r["message"].as_str().expect("msg").contains("第18位"));
    let r = b.get("/api/v1/uscc/91350100M0001O0Y43").await.json();
    assert!(r["message"].as_str().expect("msg").contains("“O”"), "{r}");
}

#[tokio::test]
async fn an_organization_account_sees_only_itself() {
    let t = TestApp::new().await;
    let (dyq, kenli) = seed_two_counties(&t).await;
    let admin = t.user("cityadmin9", Role::Admin, "3705", PW).await;
    let admin = t.current(admin).await;
    let new = hongling_service::system::users::NewUser {
        username: "orgself".into(),
        display_name: "东营区爱心志愿者协会".into(),
        role: Role::OrgAccount,
        scope: hongling_service::system::users::ScopeInput::Org(dyq),
        password: Some(PW.into()),
    };
    let (u, _) = t.app.system().create_user(&Principal::User(admin.clone()), new).await.expect("org account");
    assert_eq!(u.scope_region, DYQ_VILLAGE, "scope anchored at the organization's residence");
    let me = t.current(u.id).await;
    assert!(t.app.registry().get_org(&me, dyq).await.is_ok());
    assert_eq!(t.app.registry().get_org(&me, kenli).await.expect_err("other").code(), "not_found");
    let all = orgs(&t.app, &me, ALL).await;
    assert_eq!(all.total, 1);
    // a county admin elsewhere cannot give an account for this organization
    let kadmin = t.user("kenliadmin", Role::Admin, "370505", PW).await;
    let kadmin = t.current(kadmin).await;
    let new = hongling_service::system::users::NewUser {
        username: "orgself2".into(),
        display_name: "x".into(),
        role: Role::OrgAccount,
        scope: hongling_service::system::users::ScopeInput::Org(dyq),
        password: None,
    };
    let e = t.app.system().create_user(&Principal::User(kadmin), new).await.expect_err("outside");
    assert!(e.field_errors().iter().any(|f| f.message.contains("管辖区域")));
}

#[tokio::test]
async fn demo_registry_is_realistic() {
    let t = TestApp::new().await;
    let n = t.app.registry().seed_demo_registry("3705").await.expect("seed");
    assert!(n >= 9000, "{n}");
    assert_eq!(t.app.registry().seed_demo_registry("3705").await.expect("again"), 0, "seeding is idempotent");
    let id = t.user("demoreg", Role::Registrar, "3705", PW).await;
    let me = t.current(id).await;
    let count = |f: Vec<(&'static str, String)>| {
        let app = t.app.clone();
        let me = me.clone();
        async move { orgs(&app, &me, &f).await.total }
    };
    let registered = count(vec![("mode", "registered".to_string())]).await;
    let filed = count(vec![("mode", "filed".to_string())]).await;
    assert_eq!(registered, 3000);
    assert!(filed >= 6000);
    // every registered code is valid and unique, names are unique
    let page = orgs(&t.app, &me, &[("mode", "registered"), ("per_page", "200")]).await;
    for m in &page.items {
        let c = m.uscc.as_deref().expect("registered have codes");
        hongling_domain::registry::uscc::Uscc::parse(c).expect("valid code");
        assert!(m.region_code.starts_with("3705") && m.region_code.starts_with(&m.authority_region));
    }
    assert!(count(vec![("q", "爱心".to_string())]).await > 10);
    assert!(count(vec![("q", "广场舞".to_string())]).await > 10);
    assert!(count(vec![("region", "370502".to_string())]).await > 500);
    assert!(count(vec![("status", "deregistered".to_string())]).await > 50);
    let f = hongling_service::system::dashboard::DashboardFigures::default();
    let d = t.app.system().dashboard(&me).await.expect("dash");
    assert!(d.registered_active > 2500 && d.filed_active > 5000, "{d:?} {f:?}");
    // names read as real ones (issue 11, item 11): none repeats, no "（2）", no statistical suffix
    let one = |sql: &'static str| {
        let db = t.app.db.clone();
        async move {
            use sea_orm::ConnectionTrait;
            let r = db.query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await;
            r.expect("query").expect("row").try_get_by_index::<i64>(0).expect("count")
        }
    };
    assert_eq!(one("SELECT COUNT(*) - COUNT(DISTINCT name) FROM social_orgs").await, 0);
    assert_eq!(one("SELECT COUNT(*) FROM social_orgs WHERE name LIKE '%（%' OR name LIKE '%类似%'").await, 0);
    assert_eq!(one("SELECT COUNT(*) FROM social_orgs WHERE founded_on > '2026-03-02'").await, 0, "no future dates");
    t.app.party().seed_demo_party("3705").await.expect("party demo");
    assert_eq!(one("SELECT COUNT(*) - COUNT(DISTINCT name) FROM party_orgs").await, 0);
    assert_eq!(one("SELECT COUNT(*) FROM party_orgs WHERE name LIKE '%（%' OR name LIKE '%类似%'").await, 0);
    assert!(one("SELECT COUNT(*) FROM party_orgs WHERE name LIKE '%社会组织第二联合党支部'").await > 0);
    assert_eq!(one("SELECT COUNT(*) FROM party_members WHERE LENGTH(phone) <> 11").await, 0, "11-digit mobiles");
    assert_eq!(one("SELECT COUNT(*) FROM party_members WHERE joined_on > '2026-03-02'").await, 0);
    // past 10,000 matches the count stops and says so
    let page = orgs(&t.app, &me, ALL).await;
    assert!(page.total_exact && page.total < 10_000);
    t.app.registry().generate_orgs(1_200, "3705", |_| {}).await.expect("generate");
    let page = orgs(&t.app, &me, ALL).await;
    assert_eq!((page.total, page.total_exact), (10_000, false));
    let mut b = t.browser();
    b.login("demoreg", PW).await;
    assert!(b.get("/registry/orgs").await.body.contains("共 10,000+ 条"));
    let api = b.api_get("/api/v1/orgs?per_page=1", None).await.json();
    assert_eq!((api["total"].as_u64(), api["total_exact"].as_bool()), (Some(10_000), Some(false)));
}

#[tokio::test]
async fn pickers_suggest_and_resolve_names_within_scope() {
    let t = TestApp::new().await;
    let (dyq, _kenli) = seed_two_counties(&t).await;
    t.user("picker", Role::Registrar, "370502", PW).await;
    let mut b = t.browser();
    b.login("picker", PW).await;
    // suggestions by name or code, inside the scope only
    let r = b.get("/pick/regions?q=%E6%96%87%E6%B1%87").await; // 文汇
    let v = r.json();
    assert!(v.as_array().is_some_and(|a| a.iter().any(|c| c["value"] == "370502001")), "{v}");
    let r = b.get("/pick/regions?q=370505").await; // 垦利区: another county
    assert_eq!(r.json(), serde_json::json!([]));
    let r = b.get("/pick/orgs?q=%E7%88%B1%E5%BF%83").await; // 爱心
    let v = r.json();
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v[0]["value"], dyq.to_string());
    // a list filtered by a region typed as a name answers as by its code
    let by_code = b.get("/registry/orgs?region=370502001").await;
    let by_name = b.get("/registry/orgs?region=%E6%96%87%E6%B1%87%E8%A1%97%E9%81%93").await; // 文汇街道
    assert_eq!(by_name.status, StatusCode::OK);
    let total = |body: &str| body.split("共 ").nth(1).and_then(|s| s.split(' ').next()).unwrap_or("").to_owned();
    assert_eq!(total(&by_name.body), total(&by_code.body));
    assert!(by_name.body.contains("value=\"370502001\""), "the picker keeps the resolved code");
    // a name that matches nothing in the scope says so instead of filtering to nothing
    let r = b.get("/registry/orgs?region=%E5%9E%A6%E5%88%A9%E5%8C%BA").await; // 垦利区
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("未找到名为“垦利区”的行政区划"), "{}", r.body);
    // the API says the same, in JSON
    let r = b.api_get("/api/v1/orgs?region=%E5%9E%A6%E5%88%A9%E5%8C%BA", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}
