//! Reading no more than the role needs (issue 10, finding 9): a supervisor
//! (业务主管单位) reads the organizations of its own unit only, and the
//! members and party organizations linked to them; phone numbers of party
//! members are masked for everyone who does not keep the member's record.

use axum::http::StatusCode;
use hongling_domain::Role;
use hongling_service::Principal;
use hongling_service::party::lists::MemberList;
use hongling_service::party::members::MemberInput;
use hongling_service::party::records::PartyOrgInput;
use hongling_service::system::users::{NewUser, ScopeInput};

use crate::support::*;

const WENHUI: &str = "370502001011"; // 文汇街道东营社区

async fn account(t: &TestApp, name: &str, role: Role, scope: ScopeInput) -> hongling_service::CurrentUser {
    let (u, _) = t
        .app
        .system()
        .create_user(
            &Principal::Cli,
            NewUser { username: name.into(), display_name: name.into(), role, scope, password: Some(PW.into()) },
        )
        .await
        .expect("create user");
    t.current(u.id).await
}

// ---------- phones ----------

#[tokio::test]
async fn member_phones_are_masked_for_those_who_do_not_keep_the_record() {
    let t = TestApp::new().await;
    let reg = t.current(t.user("reg", Role::Registrar, "3705", PW).await).await;
    let office = t.current(t.user("office", Role::PartyOffice, "3705", PW).await).await;
    let worker = t.current(t.user("worker", Role::Grassroots, "370502", PW).await).await;
    let org = t
        .app
        .registry()
        .create_org(
            &Principal::User(reg.clone()),
            draft("东营区电话测试协会", &code('1', "370502", "PHN00001"), WENHUI),
            false,
        )
        .await
        .expect("org")
        .id;
    let po = t
        .app
        .party()
        .create_party_org(
            &office,
            &PartyOrgInput {
                name: "东营区电话测试协会党支部".into(),
                org_type: "branch".into(),
                region_code: WENHUI.into(),
                org_ids: vec![org],
                ..Default::default()
            },
        )
        .await
        .expect("party org")
        .id;
    let mut ids = Vec::new();
    for (name, phone) in [("张三", "13812345678"), ("李四", "0546-8888888")] {
        let input = MemberInput {
            name: name.into(),
            member_type: "formal".into(),
            party_org_id: Some(po.to_string()),
            employer_org_id: Some(org.to_string()),
            phone: phone.into(),
            ..Default::default()
        };
        ids.push(t.app.party().create_member(&office, &input).await.expect("member").id);
    }
    let member = account(&t, "dangyuan", Role::PartyMember, ScopeInput::PartyOrg(po)).await;
    let secretary = account(&t, "shuji", Role::PartySecretary, ScopeInput::PartyOrg(po)).await;

    let phones = |p: hongling_service::Page<hongling_service::party::members::MemberView>| {
        let mut v: Vec<(String, String)> = p.items.into_iter().map(|m| (m.name, m.phone)).collect();
        v.sort();
        v
    };
    let full = vec![("张三".to_owned(), "13812345678".to_owned()), ("李四".to_owned(), "0546-8888888".to_owned())];
    let masked = vec![("张三".to_owned(), "138****5678".to_owned()), ("李四".to_owned(), "054*****8888".to_owned())];
    // those who keep the record: the party office, the township worker, the secretary
    for who in [&office, &worker, &secretary] {
        assert_eq!(phones(list::<MemberList>(&t.app, who, ALL).await), full, "{}", who.username);
        assert_eq!(t.app.party().get_member(who, ids[0]).await.expect("member").phone, "13812345678");
    }
    // a fellow member and a registrar read them masked
    for who in [&member, &reg] {
        assert_eq!(phones(list::<MemberList>(&t.app, who, ALL).await), masked, "{}", who.username);
        assert_eq!(t.app.party().get_member(who, ids[0]).await.expect("member").phone, "138****5678");
    }

    // the same through the API and on the member's page
    let mut b = t.browser();
    let tok = t.app.create_token(&Principal::Cli, "dangyuan", "test", None).await.expect("token");
    let r = b.api_get("/api/v1/party-members", Some(&tok)).await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.body.clone();
    assert!(body.contains("138****5678") && !body.contains("13812345678"), "{body}");
    let r = b.api_get(&format!("/api/v1/party-members/{}", ids[0]), Some(&tok)).await;
    assert_eq!(r.json()["phone"], "138****5678");
    let office_tok = t.app.create_token(&Principal::Cli, "office", "test", None).await.expect("token");
    let r = b.api_get(&format!("/api/v1/party-members/{}", ids[0]), Some(&office_tok)).await;
    assert_eq!(r.json()["phone"], "13812345678");

    let mut mb = t.browser();
    mb.login("dangyuan", PW).await;
    let page = mb.get(&format!("/party/members/{}", ids[0])).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("138****5678") && !page.body.contains("13812345678"));
    let mut ob = t.browser();
    ob.login("office", PW).await;
    let page = ob.get(&format!("/party/members/{}", ids[0])).await;
    assert!(page.body.contains("13812345678"));
}

// ---------- supervisors ----------

const KENLI: &str = "370505001001"; // 垦利区

struct Supervised {
    /// the unit's organizations (one in 东营区, one in 垦利区)
    own: [i64; 2],
    /// another unit's organization, and a directly registered one
    other: i64,
    direct: i64,
    own_party: i64,
    other_party: i64,
    own_member: i64,
    other_member: i64,
    unit: i64,
    other_unit: i64,
}

async fn supervised(t: &TestApp) -> Supervised {
    use hongling_domain::registry::Category;
    let reg = t.current(t.user("reg", Role::Registrar, "3705", PW).await).await;
    let office = t.current(t.user("office", Role::PartyOffice, "3705", PW).await).await;
    let by = Principal::User(reg.clone());
    let unit = t.app.registry().create_supervisory_unit(&by, "东营市教育局", "3705").await.expect("unit").id;
    let other_unit =
        t.app.registry().create_supervisory_unit(&by, "东营市卫生健康委员会", "3705").await.expect("unit").id;
    let mut n = 0;
    let mut org = |name: &'static str, region: &'static str, unit: Option<i64>| {
        n += 1;
        let mut d = draft(name, &code('1', &region[..6], &format!("MJD{n:05}")), region);
        if unit.is_some() {
            d.category = Some(Category::Other);
            d.supervisory_unit_id = unit;
        }
        let by = by.clone();
        async move { t.app.registry().create_org(&by, d, false).await.expect("org").id }
    };
    let a = org("东营区教育学会", WENHUI, Some(unit)).await;
    let a2 = org("垦利区教育学会", KENLI, Some(unit)).await;
    let b = org("东营区医学会", WENHUI, Some(other_unit)).await;
    let c = org("东营区爱心学会", WENHUI, None).await;
    let mut party = Vec::new();
    let mut members = Vec::new();
    for (o, name) in [(a, "东营区教育学会党支部"), (b, "东营区医学会党支部")] {
        let p = t
            .app
            .party()
            .create_party_org(
                &office,
                &PartyOrgInput {
                    name: name.into(),
                    org_type: "branch".into(),
                    region_code: WENHUI.into(),
                    org_ids: vec![o],
                    ..Default::default()
                },
            )
            .await
            .expect("party org")
            .id;
        party.push(p);
        let input = MemberInput {
            name: format!("{name}党员"),
            member_type: "formal".into(),
            party_org_id: Some(p.to_string()),
            employer_org_id: Some(o.to_string()),
            phone: "13812345678".into(),
            ..Default::default()
        };
        members.push(t.app.party().create_member(&office, &input).await.expect("member").id);
    }
    Supervised {
        own: [a, a2],
        other: b,
        direct: c,
        own_party: party[0],
        other_party: party[1],
        own_member: members[0],
        other_member: members[1],
        unit,
        other_unit,
    }
}

#[tokio::test]
async fn a_supervisor_reads_only_the_organizations_of_its_unit() {
    use hongling_service::list::Listing;
    use hongling_service::party::lists::PartyOrgList;
    use hongling_service::registry::lists::{OrgList, UnitList};
    let t = TestApp::new().await;
    let s = supervised(&t).await;
    let sup = account(&t, "jiaoyu", Role::Supervisor, ScopeInput::Unit(s.unit)).await;
    let ids = |p: hongling_service::Page<hongling_service::models::SocialOrg>| {
        let mut v: Vec<i64> = p.items.into_iter().map(|o| o.id).collect();
        v.sort();
        v
    };

    // the list and its count: the unit's two organizations, in both counties, nothing else
    let p = orgs(&t.app, &sup, ALL).await;
    assert_eq!(p.total, 2);
    assert_eq!(ids(p), s.own.to_vec());
    let p = orgs(&t.app, &sup, &[("q", "学会")]).await;
    assert_eq!((p.total, ids(p)), (2, s.own.to_vec()));
    // another unit's organization and a directly registered one answer 404
    for id in [s.other, s.direct] {
        assert!(matches!(t.app.registry().get_org(&sup, id).await, Err(hongling_service::Error::NotFound)));
    }
    assert_eq!(t.app.registry().get_org(&sup, s.own[1]).await.expect("own").name, "垦利区教育学会");
    // the export
    let q = t.app.list_query(&sup, OrgList::spec(), &[], false).await.expect("query");
    let x = t.app.export::<OrgList>(&sup, &q).await.expect("export");
    assert_eq!(x.rows, 2);
    let table = hongling_service::tabular::read_table("x.xlsx", &x.bytes, 1000).expect("xlsx");
    let mut names: Vec<&str> = table.rows.iter().map(|r| r.cells[1].as_str()).collect();
    names.sort();
    assert_eq!(names, ["东营区教育学会", "垦利区教育学会"]);
    // its own unit only; the party organizations and members of its organizations only
    let units = list::<UnitList>(&t.app, &sup, ALL).await;
    assert_eq!(units.items.iter().map(|u| u.unit.id).collect::<Vec<_>>(), [s.unit]);
    let po = list::<PartyOrgList>(&t.app, &sup, ALL).await;
    assert_eq!(po.items.iter().map(|p| p.id).collect::<Vec<_>>(), [s.own_party]);
    let m = list::<MemberList>(&t.app, &sup, ALL).await;
    assert_eq!(m.items.iter().map(|m| m.id).collect::<Vec<_>>(), [s.own_member]);
    // phones masked for a supervisor too
    assert_eq!(m.items[0].phone, "138****5678");
    assert!(t.app.party().get_party_org(&sup, s.own_party).await.is_ok());
    assert!(matches!(t.app.party().get_party_org(&sup, s.other_party).await, Err(hongling_service::Error::NotFound)));
    assert!(matches!(t.app.party().get_member(&sup, s.other_member).await, Err(hongling_service::Error::NotFound)));
    // pickers offer the same
    let picked = t.app.pick(&sup, hongling_service::list::Pick::Orgs, "学会", 20).await.expect("pick");
    assert_eq!(picked.len(), 2, "{picked:?}");
    let picked = t.app.pick(&sup, hongling_service::list::Pick::Units, "东营市", 20).await.expect("pick");
    assert_eq!(picked.iter().map(|c| c.value.clone()).collect::<Vec<_>>(), [s.unit.to_string()]);
    // no region-wide figure: the workbench counts its unit's organizations only
    let d = t.app.system().dashboard(&sup).await.expect("dashboard");
    assert_eq!((d.registered_active, d.counties, d.level), (2, 0, 0));

    // the API: lists, counts and 404s
    let mut b = t.browser();
    let tok = t.app.create_token(&Principal::Cli, "jiaoyu", "test", None).await.expect("token");
    let r = b.api_get("/api/v1/orgs", Some(&tok)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["total"], 2, "{}", r.body);
    assert!(!r.body.contains("东营区医学会") && !r.body.contains("爱心"), "{}", r.body);
    for uri in [
        format!("/api/v1/orgs/{}", s.other),
        format!("/api/v1/orgs/{}", s.direct),
        format!("/api/v1/orgs/{}/history", s.other),
        format!("/api/v1/party-orgs/{}", s.other_party),
        format!("/api/v1/party-members/{}", s.other_member),
    ] {
        let r = b.api_get(&uri, Some(&tok)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}: {}", r.body);
        assert!(!r.body.contains("医学会"), "{uri}");
    }
    assert_eq!(b.api_get(&format!("/api/v1/orgs/{}", s.own[0]), Some(&tok)).await.status, StatusCode::OK);
    let r = b.api_get("/api/v1/party-members", Some(&tok)).await;
    assert_eq!(r.json()["total"], 1, "{}", r.body);
    // region-wide figures are not a supervisor's
    assert_eq!(b.api_get("/api/v1/coverage", Some(&tok)).await.status, StatusCode::FORBIDDEN);

    // pages
    let mut pb = t.browser();
    pb.login("jiaoyu", PW).await;
    let r = pb.get("/registry/orgs").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("东营区教育学会") && !r.body.contains("东营区医学会") && !r.body.contains("爱心学会"));
    assert!(r.body.contains("（业务主管单位：东营市教育局）"), "the header names the unit, not its id");
    assert_eq!(pb.get(&format!("/registry/orgs/{}", s.other)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(pb.get(&format!("/party/orgs/{}", s.other_party)).await.status, StatusCode::NOT_FOUND);
    let _ = s.other_unit;
}

#[tokio::test]
async fn a_supervisor_needs_its_unit_and_without_one_sees_nothing() {
    use sea_orm::{ActiveModelTrait, Set};
    let t = TestApp::new().await;
    let s = supervised(&t).await;
    // a supervisor account is given a unit, not a region
    let e = t
        .app
        .system()
        .create_user(
            &Principal::Cli,
            NewUser {
                username: "quyu".into(),
                display_name: "quyu".into(),
                role: Role::Supervisor,
                scope: ScopeInput::Region(hongling_domain::RegionCode::parse("3705").expect("code")),
                password: Some(PW.into()),
            },
        )
        .await
        .expect_err("a region scope is refused");
    assert!(e.field_errors()[0].message.contains("业务主管单位"), "{:?}", e.field_errors());
    // an account older than the link (migrated to a unit scope without its unit) sees nothing
    let now = hongling_store::to_db(T0);
    let u = hongling_store::entity::user::ActiveModel {
        username: Set("old_sup".into()),
        display_name: Set("old_sup".into()),
        role: Set("supervisor".into()),
        scope_kind: Set("unit".into()),
        scope_region: Set("3705".into()),
        scope_ref_id: Set(None),
        password_hash: Set(String::new()),
        failed_logins: Set(0),
        locked_until: Set(None),
        disabled: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&t.app.db)
    .await
    .expect("insert");
    let old = t.current(u.id).await;
    assert_eq!(orgs(&t.app, &old, ALL).await.total, 0);
    assert_eq!(list::<MemberList>(&t.app, &old, ALL).await.total, 0);
    assert!(matches!(t.app.registry().get_org(&old, s.own[0]).await, Err(hongling_service::Error::NotFound)));
    // another unit's supervisor reads its own
    let sup = account(&t, "weijian", Role::Supervisor, ScopeInput::Unit(s.other_unit)).await;
    assert_eq!(orgs(&t.app, &sup, ALL).await.items.iter().map(|o| o.id).collect::<Vec<_>>(), [s.other]);
}
