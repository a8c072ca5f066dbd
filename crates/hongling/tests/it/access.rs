//! The permission matrix against the router: every route of the route table,
//! requested by a signed-in user of every role, answers 403 exactly when the
//! matrix refuses that role the route's action, and never a server error.
//! A route added without an entry in the table is refused (deny by default).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use hongling_domain::access::allows;
use hongling_domain::{Access, Role};
use hongling_service::party::instructors::InstructorInput;
use hongling_service::party::members::MemberInput;
use hongling_service::party::records::PartyOrgInput;
use hongling_service::system::users::{NewUser, ScopeInput};
use hongling_service::{CurrentUser, Principal};

use crate::support::*;

/// Ids the route patterns are filled with.
struct Ids {
    org: i64,
    party_org: i64,
    member: i64,
    instructor: i64,
    user: i64,
    import_job: i64,
    uscc: String,
}

fn fill(path: &str, ids: &Ids) -> String {
    let mut out = Vec::new();
    for seg in path.split('/') {
        let v = match seg {
            "{id}" => {
                let id = if path.starts_with("/registry/orgs")
                    || path.starts_with("/api/v1/orgs")
                    || path.starts_with("/party/coverage/orgs")
                    || path.starts_with("/api/v1/coverage/orgs")
                {
                    ids.org
                } else if path.starts_with("/party/orgs") || path.starts_with("/api/v1/party-orgs") {
                    ids.party_org
                } else if path.starts_with("/party/members") || path.starts_with("/api/v1/party-members") {
                    ids.member
                } else if path.starts_with("/party/instructors") || path.starts_with("/api/v1/instructors") {
                    ids.instructor
                } else if path.starts_with("/registry/decisions") || path.starts_with("/api/v1/org-decisions") {
                    // no proposal of that id: 404, still "allowed" (not 403)
                    ids.org
                } else if path.starts_with("/system/users") {
                    ids.user
                } else if path.starts_with("/party/coverage/breaches") {
                    // a breach may or may not exist under this number: 404 is still "allowed" (not 403)
                    ids.org
                } else if path.starts_with("/notices") || path.starts_with("/attachments") {
                    // none of the caller's under this number: 404, still "allowed" (not 403)
                    ids.user
                } else if path.starts_with("/account/tokens") {
                    // no token of the caller's: 404, which is still "allowed" (not 403)
                    ids.user
                } else {
                    panic!("the route × role test does not know what {{id}} of {path} is: add it here")
                };
                id.to_string()
            }
            "{job}" => ids.import_job.to_string(),
            "{seq}" => "1".into(),
            "{dim}" => "channel".into(),
            "{name}" if path.starts_with("/system/jobs") => "coverage.policy".into(),
            "{code}" if path.starts_with("/api/v1/uscc") => ids.uscc.clone(),
            "{code}" => "3705".into(),
            "{*path}" => "app.css".into(),
            s if s.starts_with('{') => panic!("the route × role test cannot fill {s} of {path}: add it here"),
            s => s.to_owned(),
        };
        out.push(v);
    }
    out.join("/")
}

async fn request(b: &mut Browser, method: &str, uri: &str) -> Resp {
    let api = uri.starts_with("/api/");
    let token = b.csrf.clone().unwrap_or_default();
    let cookies = b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let mut req = Request::builder().method(method).uri(uri).header(header::COOKIE, cookies);
    let body = if method == "GET" {
        Body::empty()
    } else if api {
        req = req.header(header::CONTENT_TYPE, "application/json").header("X-CSRF-Token", &token);
        Body::from("{}")
    } else {
        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        Body::from(serde_urlencoded::to_string([("_csrf", token.as_str())]).expect("form"))
    };
    b.send(req.body(body).expect("request")).await
}

async fn account(t: &TestApp, name: &str, role: Role, scope: ScopeInput) -> i64 {
    let (u, _) = t
        .app
        .system()
        .create_user(
            &Principal::Cli,
            NewUser { username: name.into(), display_name: name.into(), role, scope, password: Some(PW.into()) },
        )
        .await
        .expect("create user");
    u.id
}

async fn fixture(t: &TestApp) -> (Ids, CurrentUser) {
    let office = t.current(t.user("office", Role::PartyOffice, "3705", PW).await).await;
    let reg = t.current(t.user("clerk", Role::Registrar, "3705", PW).await).await;
    let uscc = code('1', "370502", "MJA00001");
    let org = t
        .app
        .registry()
        .create_org(&Principal::User(reg.clone()), draft("东营市爱心志愿者协会", &uscc, "370502001011"), false)
        .await
        .expect("org")
        .id;
    let party = t.app.party();
    let party_org = party
        .create_party_org(
            &office,
            &PartyOrgInput {
                name: "东营市爱心志愿者协会党支部".into(),
                org_type: "branch".into(),
                region_code: "370502001011".into(),
                org_ids: vec![org],
                ..Default::default()
            },
        )
        .await
        .expect("party org")
        .id;
    let member = party
        .create_member(
            &office,
            &MemberInput {
                name: "张敏".into(),
                member_type: "formal".into(),
                party_org_id: Some(party_org.to_string()),
                employer_org_id: Some(org.to_string()),
                ..Default::default()
            },
        )
        .await
        .expect("member")
        .id;
    let instructor = party
        .create_instructor(
            &office,
            &InstructorInput {
                name: "李强".into(),
                source: "retired_cadre".into(),
                region_code: "370502".into(),
                ..Default::default()
            },
        )
        .await
        .expect("instructor")
        .id;
    let csv = "统一社会信用代码,组织名称,组织类型,登记方式,类别,登记管理机关区划代码,住所区划代码\n,测试协会,社会团体,登记,公益慈善类,370502,370502001011\n".as_bytes().to_vec();
    let (import_job, _) = t.app.registry().preview_import(&reg, "orgs.csv", csv).await.expect("preview");
    let user = t.user("victim", Role::Grassroots, "370502", PW).await;
    (Ids { org, party_org, member, instructor, user, import_job, uscc }, office)
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let t = TestApp::new().await;
    let (ids, _) = fixture(&t).await;
    // one account of every role, with the kind of scope the role is given
    let unit =
        t.app.registry().create_supervisory_unit(&Principal::Cli, "东营市民政局", "3705").await.expect("unit").id;
    let mut accounts = Vec::new();
    for role in Role::ALL {
        let scope = match role.scope_kind() {
            hongling_domain::role::ScopeKind::Region => {
                ScopeInput::Region(hongling_domain::RegionCode::parse("3705").expect("code"))
            }
            hongling_domain::role::ScopeKind::Org => ScopeInput::Org(ids.org),
            hongling_domain::role::ScopeKind::PartyOrg => ScopeInput::PartyOrg(ids.party_org),
            hongling_domain::role::ScopeKind::Unit => ScopeInput::Unit(unit),
        };
        let name = format!("r_{}", role.as_str());
        account(&t, &name, role, scope).await;
        accounts.push((role, name));
    }
    let table = hongling_web::all_routes().into_parts().1;
    assert!(table.len() > 80, "the table lists every route");
    let mut mismatches = Vec::new();
    let mut checked = 0;
    for (role, name) in &accounts {
        let mut b = t.browser();
        let r = b.login(name, PW).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{name} signs in");
        b.get("/account/password").await; // a page with the session's CSRF token
        for e in &table {
            if e.path == "/logout" {
                continue; // would end the session the walk uses
            }
            let uri = fill(e.path, &ids);
            let res = request(&mut b, e.method, &uri).await;
            let granted = match e.access {
                Access::Public => true,
                Access::Action(a) => allows(*role, role.scope_kind(), a),
            };
            checked += 1;
            let ok = if granted {
                res.status != StatusCode::FORBIDDEN && !res.status.is_server_error()
            } else {
                res.status == StatusCode::FORBIDDEN
            };
            if !ok {
                mismatches.push(format!(
                    "{:?} {} {} → {} (matrix {}): {}",
                    role,
                    e.method,
                    uri,
                    res.status,
                    if granted { "grants" } else { "refuses" },
                    res.body.chars().take(160).collect::<String>()
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {checked} answers disagree with the matrix:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[tokio::test]
async fn a_route_without_an_entry_is_refused() {
    let t = TestApp::new().await;
    t.user("admin", Role::Admin, "3705", PW).await;
    // a route added with axum's own `.route()`, bypassing the table
    let extra = axum::Router::new().route("/sneaky", axum::routing::get(|| async { "secret" }));
    let mut b = Browser::new(hongling_web::router_with(t.app.clone(), hongling_web::WebConfig::default(), extra));
    b.login("admin", PW).await;
    let r = b.get("/sneaky").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!r.body.contains("secret"));
    // a method the table does not list for a listed path
    let r = request(&mut b, "DELETE", "/registry/orgs").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}
