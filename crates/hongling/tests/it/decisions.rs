//! Registry decisions need a second person (issue 11, item 2), edit conflicts
//! keep the clerk's work (item 3) and the category follows the registration
//! mode (item 8): the service rules, the pages and their abuse cases.

use axum::http::StatusCode;
use hongling_domain::Role;
use hongling_domain::registry::StatusAction;
use hongling_domain::registry::decision::Verdict;
use hongling_service::policy::PolicyInput;
use hongling_service::registry::orgs::StatusOutcome;
use hongling_service::{CurrentUser, Principal};

use crate::support::*;

const VILLAGE: &str = "370502001011"; // 东营区文汇街道东营社区

struct Fixture {
    clerk: CurrentUser,
    leader: CurrentUser,
    org: i64,
}

async fn fixture(t: &TestApp) -> Fixture {
    let clerk = t.current(t.user("clerk", Role::Registrar, "370502", PW).await).await;
    let leader = t.current(t.user("leader", Role::RegistrarLeader, "370502", PW).await).await;
    let mut d = draft("东营区爱心助老协会", &code('1', "370502", "MJD00001"), VILLAGE);
    d.authority_region = "370502".into();
    let org = t.app.registry().create_org(&Principal::User(clerk.clone()), d, false).await.expect("org").id;
    Fixture { clerk, leader, org }
}

async fn propose(t: &TestApp, me: &CurrentUser, org: i64, action: StatusAction) -> hongling_service::Result<i64> {
    match t
        .app
        .registry()
        .org_status_action(me, org, action, "会员大会决议解散", "东民社注〔2026〕7号", None, None)
        .await?
    {
        StatusOutcome::Proposed(d) => Ok(d.id),
        StatusOutcome::Done(m) => panic!("proposed, not done: {m:?}"),
    }
}

#[tokio::test]
async fn a_clerks_proposal_takes_effect_when_a_leader_approves_it() {
    let t = TestApp::new().await;
    let f = fixture(&t).await;
    let before = t.audit_count().await;
    let id = propose(&t, &f.clerk, f.org, StatusAction::Deregister).await.expect("propose");
    assert_eq!(t.audit_count().await, before + 1, "the proposal is audited");
    let org = t.app.registry().get_org(&f.clerk, f.org).await.expect("org");
    assert_eq!(org.status, "active", "nothing changes before the approval");
    // the leader's to-do list: who, when, why, the document and the date
    let todo = t
        .app
        .registry()
        .decisions(&f.leader, hongling_domain::registry::decision::DecisionStatus::Pending, 50)
        .await
        .expect("list");
    assert_eq!(todo.len(), 1);
    let d = &todo[0];
    assert_eq!((d.id, d.proposed_by.as_str(), d.action.as_str()), (id, "clerk", "deregister"));
    assert_eq!((d.reason.as_str(), d.doc_no.as_str()), ("会员大会决议解散", "东民社注〔2026〕7号"));
    assert_eq!(t.app.registry().pending_decision_count(&f.leader).await.expect("count"), 1);
    // the clerk does not decide
    let e = t.app.registry().decide(&f.clerk, id, Verdict::Approve, "").await.expect_err("clerk");
    assert_eq!(e.code(), "forbidden");
    let d = t.app.registry().decide(&f.leader, id, Verdict::Approve, "").await.expect("approve");
    assert_eq!((d.status.as_str(), d.decided_by), ("approved", Some(f.leader.id)));
    assert_eq!(t.audit_count().await, before + 2, "the approval is audited with the change");
    let org = t.app.registry().get_org(&f.clerk, f.org).await.expect("org");
    assert_eq!(org.status, "deregistered");
    // the history names both people
    let h = t.app.registry().org_history(&f.clerk, f.org).await.expect("history");
    assert_eq!((h[0].action.as_str(), h[0].actor.as_str(), h[0].approver.as_str()), ("deregister", "clerk", "leader"));
    assert_eq!(h[0].doc_no, "东民社注〔2026〕7号");
    // a closed record takes no change any more
    let e = t
        .app
        .registry()
        .update_org(&f.clerk, f.org, hongling_service::registry::orgs::draft_of(&org), Some(org.version), None, "")
        .await
        .expect_err("closed");
    assert_eq!(e.code(), "conflict");
    assert!(e.to_string().contains("已注销"), "{e}");
}

#[tokio::test]
async fn abuse_own_proposal_twice_out_of_scope_and_a_second_proposal() {
    let t = TestApp::new().await;
    let f = fixture(&t).await;
    // a leader who proposes cannot approve it
    let own = propose(&t, &f.leader, f.org, StatusAction::Revoke).await.expect("leader proposes");
    let e = t.app.registry().decide(&f.leader, own, Verdict::Approve, "").await.expect_err("own");
    assert_eq!(e.code(), "conflict");
    assert!(e.to_string().contains("本人"), "{e}");
    // only one pending proposal per organization
    let before = t.audit_count().await;
    let e = propose(&t, &f.clerk, f.org, StatusAction::Deregister).await.expect_err("second");
    assert_eq!(e.code(), "conflict");
    assert!(e.to_string().contains("待审批"), "{e}");
    assert_eq!(t.audit_count().await, before, "a refused proposal writes nothing");
    // a leader of another county: not found, like a missing one
    let kenli = t.current(t.user("kenli_leader", Role::RegistrarLeader, "370505", PW).await).await;
    let e = t.app.registry().decide(&kenli, own, Verdict::Approve, "").await.expect_err("scope");
    assert_eq!(e.code(), "not_found");
    assert!(
        t.app
            .registry()
            .decisions(&kenli, hongling_domain::registry::decision::DecisionStatus::Pending, 50)
            .await
            .expect("list")
            .is_empty()
    );
    // two leaders approve at once: one wins, the other is told it was decided
    let second = t.current(t.user("leader2", Role::RegistrarLeader, "370502", PW).await).await;
    let third = t.current(t.user("leader3", Role::RegistrarLeader, "3705", PW).await).await;
    let reg = t.app.registry();
    let (a, b) =
        tokio::join!(reg.decide(&second, own, Verdict::Approve, ""), reg.decide(&third, own, Verdict::Approve, ""));
    let codes: Vec<&str> = [&a, &b].iter().map(|r| r.as_ref().map(|_| "ok").unwrap_or_else(|e| e.code())).collect();
    assert!(codes.contains(&"ok") && codes.contains(&"conflict"), "{codes:?}");
    let org = t.app.registry().get_org(&f.clerk, f.org).await.expect("org");
    assert_eq!(org.status, "revoked");
    let h = t.app.registry().org_history(&f.clerk, f.org).await.expect("history");
    assert_eq!(h.iter().filter(|e| e.action == "revoke").count(), 1, "changed once");
}

#[tokio::test]
async fn a_return_needs_a_reason_and_a_changed_status_is_not_approved() {
    let t = TestApp::new().await;
    let f = fixture(&t).await;
    let id = propose(&t, &f.clerk, f.org, StatusAction::Deregister).await.expect("propose");
    let before = t.audit_count().await;
    let e = t.app.registry().decide(&f.leader, id, Verdict::Return, "  ").await.expect_err("no reason");
    assert_eq!(e.field_errors()[0].field, "note");
    assert_eq!(t.audit_count().await, before, "nothing written");
    let d = t.app.registry().decide(&f.leader, id, Verdict::Return, "文书号有误").await.expect("return");
    assert_eq!((d.status.as_str(), d.decision_note.as_str()), ("returned", "文书号有误"));
    assert_eq!(t.app.registry().get_org(&f.clerk, f.org).await.expect("org").status, "active");
    let mut clerk = t.browser();
    clerk.login("clerk", PW).await;
    let page = clerk.get(&format!("/registry/orgs/{}", f.org)).await.body;
    assert!(page.contains("已被 leader 退回，理由：文书号有误"), "the clerk sees why: {page}");
    assert!(page.contains("?action=deregister"), "and may propose again");
    // returned: the clerk proposes again
    let again = propose(&t, &f.clerk, f.org, StatusAction::Deregister).await.expect("again");
    // meanwhile the locality switches approval off and another clerk revokes at once
    let admin = t.current(t.user("admin", Role::Admin, "3705", PW).await).await;
    let input = PolicyInput {
        region: "3705".into(),
        param: "registry_decision_approval".into(),
        value: Some("否".into()),
        effective_from: None,
        basis: "本地规定".into(),
    };
    t.app.set_policy(&admin, &input).await.expect("policy");
    let out = t
        .app
        .registry()
        .org_status_action(&f.clerk, f.org, StatusAction::Revoke, "违法", "东民社罚〔2026〕2号", None, None)
        .await
        .expect("revoke");
    assert!(matches!(out, StatusOutcome::Done(ref m) if m.status == "revoked"), "taken at once where it is off");
    let e = t.app.registry().decide(&f.leader, again, Verdict::Approve, "").await.expect_err("changed");
    assert_eq!(e.code(), "conflict");
    assert!(e.to_string().contains("已撤销"), "{e}");
    assert_eq!(t.app.registry().get_org(&f.clerk, f.org).await.expect("org").status, "revoked");
}

#[tokio::test]
async fn pages_propose_list_approve_and_close_the_record() {
    let t = TestApp::new().await;
    let f = fixture(&t).await;
    let mut clerk = t.browser();
    clerk.login("clerk", PW).await;
    let page = clerk.get(&format!("/registry/orgs/{}/status?action=deregister", f.org)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("须经登记管理机关负责人批准"), "the form says a leader decides");
    // required fields are marked for the browser's own check before the confirmation
    let form = &page.body[page.body.find("id=\"record-form\"").expect("form")..];
    assert!(form.contains("name=\"reason\" rows=\"3\" placeholder=\"\" required"), "{form}");
    assert!(form.contains("name=\"doc_no\"") && form.contains("data-confirm"));
    // an unknown action is refused and changes nothing
    let before = t.audit_count().await;
    let r = clerk.post(&format!("/registry/orgs/{}/status", f.org), &[("action", "explode"), ("reason", "x")]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = clerk.post(&format!("/registry/orgs/{}/status", f.org), &[("action", "deregister"), ("reason", "x")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "no document number");
    assert!(r.body.contains("请填写决定文书号"));
    assert_eq!(t.audit_count().await, before);
    let r = clerk
        .post(
            &format!("/registry/orgs/{}/status", f.org),
            &[("action", "deregister"), ("reason", "自行解散"), ("doc_no", "东民社注〔2026〕8号"), ("on", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let detail = clerk.get(&format!("/registry/orgs/{}", f.org)).await.body;
    assert!(detail.contains("注销登记待审批") && detail.contains("查看审批进度"), "pending shown");
    assert!(!detail.contains("?action=deregister"), "no second proposal offered");
    // the leader's home page counts it, the to-do list shows it
    let mut lead = t.browser();
    lead.login("leader", PW).await;
    let home = lead.get("/").await.body;
    assert!(
        home.contains("待我审批的登记事项") && home.contains("id=\"fig-decisions\">1<"),
        "counted on the home page"
    );
    let list = lead.get("/registry/decisions").await;
    assert!(list.body.contains("东营区爱心助老协会") && list.body.contains("东民社注〔2026〕8号"), "{}", list.body);
    assert!(list.body.contains("登记审批"), "in the menu");
    let id = t
        .app
        .registry()
        .decisions(&f.leader, hongling_domain::registry::decision::DecisionStatus::Pending, 5)
        .await
        .expect("list")[0]
        .id;
    let dp = lead.get(&format!("/registry/decisions/{id}")).await;
    assert!(dp.body.contains("approve-form") && dp.body.contains("return-form"));
    // a leader of another county: 404
    t.user("kl_leader", Role::RegistrarLeader, "370505", PW).await;
    let mut other = t.browser();
    other.login("kl_leader", PW).await;
    other.get("/").await; // a page with the session's CSRF token
    assert_eq!(other.get(&format!("/registry/decisions/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.post(&format!("/registry/decisions/{id}/approve"), &[]).await.status, StatusCode::NOT_FOUND);
    // the clerk may not approve (403 at the guard)
    assert_eq!(clerk.post(&format!("/registry/decisions/{id}/approve"), &[]).await.status, StatusCode::FORBIDDEN);
    // a return without a reason: 422, nothing changes
    lead.get(&format!("/registry/decisions/{id}")).await;
    let r = lead.post(&format!("/registry/decisions/{id}/return"), &[("note", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("退回申请须填写退回理由"));
    let r = lead.post(&format!("/registry/decisions/{id}/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // again: 409 with a Chinese message on the proposal's page
    let r = lead.post(&format!("/registry/decisions/{id}/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("该申请已处理"), "{}", r.body);
    // closed: no badge, no change actions; the history shows both people
    let detail = clerk.get(&format!("/registry/orgs/{}", f.org)).await.body;
    assert!(detail.contains("已注销"));
    assert!(!detail.contains("三同步待落实"), "no 三同步 badge on a closed record");
    assert!(!detail.contains("变更登记事项") && !detail.contains("supervision-form"), "no change actions");
    let history = clerk.get(&format!("/registry/orgs/{}?tab=history", f.org)).await.body;
    assert!(history.contains("clerk（提出）") && history.contains("leader（批准）"), "{history}");
}

#[tokio::test]
async fn an_edit_overtaken_by_a_colleague_shows_both_and_saves_again() {
    let t = TestApp::new().await;
    let f = fixture(&t).await;
    t.user("clerk2", Role::Registrar, "370502", PW).await;
    let edit = format!("/registry/orgs/{}/edit", f.org);
    let mut a = t.browser();
    a.login("clerk", PW).await;
    let mut b = t.browser();
    b.login("clerk2", PW).await;
    let page_a = a.get(&edit).await.body;
    let page_b = b.get(&edit).await.body;
    let set = |fields: Vec<(String, String)>, k: &str, v: &str| -> Vec<(String, String)> {
        fields.into_iter().map(|(n, x)| if n == k { (n, v.to_owned()) } else { (n, x) }).collect()
    };
    let post = |fields: &[(String, String)]| fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>();
    // the colleague saves first
    let theirs = set(form_fields(&page_b, "record-form"), "legal_rep", "同事改的");
    let pairs = post(&theirs);
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(b.post(&format!("/registry/orgs/{}", f.org), &refs).await.status, StatusCode::SEE_OTHER);
    // the clerk's save: 409, their input kept, the colleague's value beside it
    let mine = set(set(form_fields(&page_a, "record-form"), "legal_rep", "我改的"), "address", "黄河路 9 号");
    let pairs = post(&mine);
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let before = t.audit_count().await;
    let r = a.post(&format!("/registry/orgs/{}", f.org), &refs).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(t.audit_count().await, before, "nothing saved");
    assert!(r.body.contains("id=\"conflict-table\""), "{}", r.body);
    assert!(r.body.contains("同事已保存为：同事改的"), "the colleague's value beside the field");
    assert!(r.body.contains("value=\"我改的\"") && r.body.contains("value=\"黄河路 9 号\""), "the input is kept");
    assert!(r.body.contains("采用同事保存的内容"));
    let again = form_fields(&r.body, "record-form");
    assert_eq!(again.iter().find(|(k, _)| k == "version").map(|(_, v)| v.as_str()), Some("2"), "the new version");
    // reapply: saved over the colleague's change
    let pairs = post(&again);
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = a.post(&format!("/registry/orgs/{}", f.org), &refs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let org = t.app.registry().get_org(&f.clerk, f.org).await.expect("org");
    assert_eq!((org.legal_rep.as_str(), org.address.as_str(), org.version), ("我改的", "黄河路 9 号", 3));
}

#[tokio::test]
async fn the_category_list_follows_the_registration_mode() {
    let t = TestApp::new().await;
    let _f = fixture(&t).await;
    let mut b = t.browser();
    b.login("clerk", PW).await;
    let page = b.get("/registry/orgs/new").await.body;
    assert!(page.contains("data-depends=\"registration_mode\""), "the select names what it depends on");
    assert!(page.contains("value=\"charity\" ") && page.contains("data-when=\"registered\">公益慈善类"), "{page}");
    assert!(page.contains("data-when=\"filed\">文体娱乐"));
    // a filed organization with a registered category is refused with a Chinese message
    let before = t.audit_count().await;
    let r = b
        .post(
            "/registry/orgs",
            &[
                ("name", "东营社区测试队"),
                ("kind", "association"),
                ("registration_mode", "filed"),
                ("category", "charity"),
                ("authority_region", "370502001"),
                ("region_code", VILLAGE),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("备案的社区社会组织类别应为"), "{}", r.body);
    assert_eq!(t.audit_count().await, before);
}

#[tokio::test]
async fn the_member_and_party_org_forms_keep_the_work_too() {
    use hongling_service::party::members::MemberInput;
    use hongling_service::party::records::PartyOrgInput;
    let t = TestApp::new().await;
    let office = t.current(t.user("office", Role::PartyOffice, "370502", PW).await).await;
    t.user("office2", Role::PartyOffice, "370502", PW).await;
    let party_org = t
        .app
        .party()
        .create_party_org(
            &office,
            &PartyOrgInput {
                name: "文汇街道联合党支部".into(),
                org_type: "branch".into(),
                region_code: VILLAGE.into(),
                ..Default::default()
            },
        )
        .await
        .expect("party org")
        .id;
    let member = t
        .app
        .party()
        .create_member(
            &office,
            &MemberInput {
                name: "张敏".into(),
                member_type: "formal".into(),
                party_org_id: Some(party_org.to_string()),
                ..Default::default()
            },
        )
        .await
        .expect("member")
        .id;
    let mut a = t.browser();
    a.login("office", PW).await;
    let mut b = t.browser();
    b.login("office2", PW).await;
    for (edit, save, field, theirs, mine) in [
        (format!("/party/members/{member}/edit"), format!("/party/members/{member}"), "posts", "组织委员", "宣传委员"),
        (format!("/party/orgs/{party_org}/edit"), format!("/party/orgs/{party_org}"), "brand", "红色先锋", "党群连心"),
    ] {
        let page_a = a.get(&edit).await.body;
        let page_b = b.get(&edit).await.body;
        let with = |html: &str, v: &str| -> Vec<(String, String)> {
            form_fields(html, "record-form")
                .into_iter()
                .map(|(k, x)| if k == field { (k, v.to_owned()) } else { (k, x) })
                .collect()
        };
        let pb = with(&page_b, theirs);
        let refs: Vec<(&str, &str)> = pb.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(b.post(&save, &refs).await.status, StatusCode::SEE_OTHER, "{edit}");
        let pa = with(&page_a, mine);
        let refs: Vec<(&str, &str)> = pa.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = a.post(&save, &refs).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{edit}: {}", r.body);
        assert!(r.body.contains(&format!("同事已保存为：{theirs}")), "{edit}: {}", r.body);
        assert!(r.body.contains(&format!("value=\"{mine}\"")), "{edit}: the input is kept");
        let again = form_fields(&r.body, "record-form");
        let refs: Vec<(&str, &str)> = again.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = a.post(&save, &refs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{edit}: saved again: {}", r.body);
    }
    let m = t.app.party().get_member(&office, member).await.expect("member");
    assert_eq!(m.posts, "宣传委员");
}
