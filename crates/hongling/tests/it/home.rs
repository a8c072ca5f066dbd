//! Home pages per kind of account (issue 11, item 6): a region account sees
//! the levels below its own and every card leads to its list; an
//! organization's account sees its own record, coverage, documents and
//! tasks; a party secretary sees the duties and deadlines of the party
//! organization (三会一课 by calendar period, probation, training).

use axum::http::StatusCode;
use hongling_domain::Role;
use hongling_service::Principal;
use hongling_service::party::life::TrainingInput;
use hongling_service::party::members::MemberInput;
use hongling_service::party::records::PartyOrgInput;
use hongling_service::system::users::{NewUser, ScopeInput};

use crate::support::*;

const WENHUI: &str = "370502001011"; // 文汇街道东营社区

async fn account(t: &TestApp, name: &str, role: Role, scope: ScopeInput) {
    t.app
        .system()
        .create_user(
            &Principal::Cli,
            NewUser { username: name.into(), display_name: name.into(), role, scope, password: Some(PW.into()) },
        )
        .await
        .expect("create user");
}

async fn home_of(t: &TestApp, name: &str) -> String {
    let mut b = t.browser();
    b.login(name, PW).await;
    let r = b.get("/").await;
    assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.body);
    r.body
}

#[tokio::test]
async fn region_homes_show_the_levels_below_and_every_card_is_a_link() {
    let t = TestApp::new().await;
    t.user("city", Role::Registrar, "3705", PW).await;
    t.user("town", Role::Grassroots, "370502001", PW).await;
    let city = home_of(&t, "city").await;
    for label in ["县级行政区", "乡镇（街道）", "村（社区）"] {
        assert!(city.contains(label), "{label}");
    }
    let town = home_of(&t, "town").await;
    assert!(town.contains("文汇街道"), "the township's own figures");
    assert!(!town.contains("县级行政区") && !town.contains(">乡镇（街道）<"), "no levels above or at its own");
    assert!(town.contains("村（社区）"));
    for body in [&city, &town] {
        assert!(!body.contains("<div class=\"card hl-figure\">"), "every figure card is a link");
        assert!(
            body.contains("href=\"/registry/orgs?supervised=1\"") && body.contains("href=\"/registry/orgs?closed=1\"")
        );
    }
    // the cards' lists take their flags; a misspelt one is refused
    let mut b = t.browser();
    b.login("city", PW).await;
    assert_eq!(b.get("/registry/orgs?closed=1").await.status, StatusCode::OK);
    assert_eq!(b.get("/registry/orgs?supervised=1").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_supervisory_unit_sees_the_figures_of_its_own_organizations() {
    let t = TestApp::new().await;
    let by = Principal::User(t.current(t.user("reg", Role::Registrar, "3705", PW).await).await);
    let unit = t.app.registry().create_supervisory_unit(&by, "东营市教育局", "3705").await.expect("unit").id;
    let mut d = draft("东营区首页主管协会", &code('1', "370502", "HMA00003"), WENHUI);
    d.supervisory_unit_id = Some(unit);
    t.app.registry().create_org(&by, d, false).await.expect("org");
    t.app
        .registry()
        .create_org(&by, draft("东营区无主管协会", &code('1', "370502", "HMA00004"), WENHUI), false)
        .await
        .expect("org");
    account(&t, "jiaoyu", Role::Supervisor, ScopeInput::Unit(unit)).await;
    let home = home_of(&t, "jiaoyu").await;
    assert!(home.contains("业务主管单位：东营市教育局") && home.contains("主管的社会组织"), "{home}");
    let n = home.split("id=\"fig-registered\">").nth(1).and_then(|s| s.split('<').next()).unwrap_or("");
    assert_eq!(n, "1", "its own organization only");
    assert!(!home.contains("县级行政区"), "no region cards");
}

#[tokio::test]
async fn an_organization_account_sees_its_own_record_and_tasks() {
    let t = TestApp::new().await;
    let reg = t.current(t.user("reg", Role::Registrar, "3705", PW).await).await;
    let mut d = draft("东营区首页测试协会", &code('1', "370502", "HMA00001"), WENHUI);
    d.charter_party_clause = false;
    let org = t.app.registry().create_org(&Principal::User(reg.clone()), d, false).await.expect("org").id;
    let other = t
        .app
        .registry()
        .create_org(&Principal::User(reg), draft("东营区另一协会", &code('1', "370502", "HMA00002"), WENHUI), false)
        .await
        .expect("org")
        .id;
    account(&t, "xiehui", Role::OrgAccount, ScopeInput::Org(org)).await;
    let home = home_of(&t, "xiehui").await;
    assert!(home.contains("东营区首页测试协会") && home.contains("待办事项"), "{home}");
    assert!(home.contains("章程尚未写入党的建设有关内容"), "{home}");
    assert!(home.contains("党建覆盖") && home.contains("登记记录与文书"), "{home}");
    assert!(!home.contains("fig-registered"), "no dashboard of zeros");
    let mut b = t.browser();
    b.login("xiehui", PW).await;
    // the menu's entry leads to the record, not to a search form for one row
    let r = b.get("/registry/orgs").await;
    assert_eq!(r.location.as_deref(), Some(format!("/registry/orgs/{org}").as_str()));
    assert_eq!(b.get(&format!("/registry/orgs/{other}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_secretary_sees_the_duties_and_deadlines_of_the_party_organization() {
    let t = TestApp::new().await;
    let reg = t.current(t.user("reg", Role::Registrar, "3705", PW).await).await;
    let office = t.current(t.user("office", Role::PartyOffice, "3705", PW).await).await;
    let org = t
        .app
        .registry()
        .create_org(&Principal::User(reg), draft("东营区职责测试协会", &code('1', "370502", "DUT00001"), WENHUI), false)
        .await
        .expect("org")
        .id;
    let party = t.app.party();
    let i = PartyOrgInput {
        name: "东营区职责测试协会党支部".into(),
        org_type: "branch".into(),
        region_code: WENHUI.into(),
        founded_on: Some("2020-01-01".into()),
        org_ids: vec![org],
        ..Default::default()
    };
    let po = party.create_party_org(&office, &i).await.expect("party org").id;
    let member = |name: &str, kind: &str, joined: &str| MemberInput {
        name: name.into(),
        member_type: kind.into(),
        joined_on: Some(joined.into()),
        party_org_id: Some(po.to_string()),
        employer_org_id: Some(org.to_string()),
        ..Default::default()
    };
    let sec = party.create_member(&office, &member("王书记", "formal", "2001-07-01")).await.expect("m").id;
    // today is 2026-03-02: a probation that ends on 2026-03-20, one that ended, one far off
    party.create_member(&office, &member("李预备", "probationary", "2025-03-20")).await.expect("m");
    party.create_member(&office, &member("赵预备", "probationary", "2025-02-20")).await.expect("m");
    party.create_member(&office, &member("钱预备", "probationary", "2025-12-01")).await.expect("m");
    let d = party.get_party_org(&office, po).await.expect("po");
    let i = PartyOrgInput {
        secretary_member_id: Some(sec.to_string()),
        version: Some(d.org.version),
        org_ids: vec![],
        ..i
    };
    party.update_party_org(&office, po, &i).await.expect("secretary");
    let life = |kind: &str, on: &str| hongling_domain::party::inputs::PartyLifeInput {
        party_org_id: Some(po.to_string()),
        kind: kind.into(),
        held_on: Some(on.into()),
        topic: "学习".into(),
        ..Default::default()
    };
    party.create_party_life(&office, &life("committee_meeting", "2026-03-01")).await.expect("life");
    party.create_party_life(&office, &life("themed_day", "2026-02-10")).await.expect("life");
    party.create_party_life(&office, &life("party_lecture", "2026-01-15")).await.expect("life");
    let t2 = TrainingInput {
        member_id: Some(sec.to_string()),
        title: "书记轮训班".into(),
        trained_on: Some("2024-11-01".into()),
        ..Default::default()
    };
    party.create_training(&office, &t2).await.expect("training");
    account(&t, "shuji", Role::PartySecretary, ScopeInput::PartyOrg(po)).await;
    let home = home_of(&t, "shuji").await;
    let rows: Vec<&str> = home.split("<tr>").collect();
    let row =
        |kind: &str| rows.iter().find(|r| r.starts_with(&format!("<td>{kind}</td>"))).copied().unwrap_or_default();
    assert!(row("支部委员会").contains("本月已开展"), "{home}");
    assert!(row("主题党日").contains("本月尚未开展，截止 2026-03-31"), "{home}");
    assert!(row("党课").contains("本季度已开展") && row("党课").contains("2026-01-15"), "{home}");
    assert!(row("支部党员大会").contains("上期未开展，本季度尚未开展，截止 2026-03-31"), "{home}");
    assert!(home.contains("李预备：预备期即将期满"), "{home}");
    assert!(home.contains("赵预备：预备期已于 2026-02-20 期满，尚未讨论转正"), "{home}");
    assert!(!home.contains("钱预备"), "a probation ending in nine months is not a task yet");
    assert!(home.contains("书记近一年未参加培训（最近一次：2024-11-01）"), "{home}");
    // a member of the same party organization sees the same page, without the record button
    account(&t, "dangyuan", Role::PartyMember, ScopeInput::PartyOrg(po)).await;
    let home = home_of(&t, "dangyuan").await;
    assert!(home.contains("三会一课") && !home.contains("登记组织生活"), "{home}");
}
