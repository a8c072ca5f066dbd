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
    let tok = t.app.create_token(&Principal::Cli, "dangyuan", "test").await.expect("token");
    let r = b.api_get("/api/v1/party-members", Some(&tok)).await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.body.clone();
    assert!(body.contains("138****5678") && !body.contains("13812345678"), "{body}");
    let r = b.api_get(&format!("/api/v1/party-members/{}", ids[0]), Some(&tok)).await;
    assert_eq!(r.json()["phone"], "138****5678");
    let office_tok = t.app.create_token(&Principal::Cli, "office", "test").await.expect("token");
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
