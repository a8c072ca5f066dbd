//! Login, throttling, sessions (expiry with time passed in), CSRF, tokens.

use axum::http::StatusCode;
use hongling_domain::Role;
use hongling_service::Principal;
use time::Duration;

use crate::support::*;

#[tokio::test]
async fn login_menu_logout() {
    let t = TestApp::new().await;
    t.user("clerk01", Role::Admin, "3705", PW).await;
    let mut b = t.browser();
    let r = b.get("/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location.as_deref(), Some("/login?next=%2F"));
    let r = b.login("clerk01", PW).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let session_cookie = r.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Lax"), "{session_cookie}");
    let r = b.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("工作台") && r.body.contains("审计日志") && r.body.contains("东营市"), "{}", r.body);
    let r = b.post("/logout", &[]).await;
    assert_eq!(r.location.as_deref(), Some("/login"));
    assert_eq!(b.get("/").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn wrong_password_shows_chinese_error() {
    let t = TestApp::new().await;
    t.user("clerk02", Role::Registrar, "3705", PW).await;
    let mut b = t.browser();
    let r = b.login("clerk02", "wrong-password-1").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("用户名或密码错误"));
    let r = b.login("nobody", "wrong-password-1").await;
    assert!(r.body.contains("用户名或密码错误"), "unknown users get the same answer");
}

/// Issue 10, finding 3: five wrong passwords used to lock the account for
/// everyone, again and again. Now the guessing address is refused for that
/// username, the owner from another address gets in, answers are the same
/// for unknown usernames, and the refusal ends with its window or an unlock.
#[tokio::test]
async fn login_throttle_refuses_the_guesser_not_the_owner() {
    let t = TestApp::new().await;
    t.user("clerk03", Role::Registrar, "3705", PW).await;
    for (name, addr) in [("clerk03", "10.0.0.1"), ("nobody03", "10.0.0.3")] {
        for i in 0..5 {
            let e = t.app.login(name, "bad-password-9", addr).await.expect_err("fails");
            assert_eq!(e.code(), "bad_credentials", "{name} attempt {i}");
        }
        let e = t.app.login(name, "bad-password-9", addr).await.expect_err("refused");
        assert_eq!(e.code(), "too_many_requests", "{name}: the sixth try from the same address");
        assert!(e.to_string().contains("分钟后再试"), "{e}");
    }
    // even the right password from the guessing address waits out the window
    assert_eq!(t.app.login("clerk03", PW, "10.0.0.1").await.expect_err("refused").code(), "too_many_requests");
    // the owner, from their own address, is not kept out
    t.app.login("clerk03", PW, "10.0.0.2").await.expect("the owner logs in from another address");
    // the window ends
    t.clock.advance(Duration::minutes(15));
    t.app.login("clerk03", PW, "10.0.0.1").await.expect("after 15 minutes");
    // an administrator's unlock ends it at once
    for _ in 0..5 {
        t.app.login("clerk03", "bad-password-9", "10.0.0.4").await.expect_err("fails");
    }
    assert_eq!(t.app.login("clerk03", PW, "10.0.0.4").await.expect_err("refused").code(), "too_many_requests");
    let before = t.audit_count().await;
    assert!(t.app.system().unlock_username("clerk03").await.expect("unlock") > 0);
    assert_eq!(t.audit_count().await, before + 1, "the unlock is audited");
    t.app.login("clerk03", PW, "10.0.0.4").await.expect("after the unlock");
}

/// Distributed guessing: past 50 failures in an hour on one username, every
/// address that has failed on it is refused, but a fresh address still gets
/// its check, so the owner is never locked out.
#[tokio::test]
async fn many_addresses_guessing_one_username() {
    let t = TestApp::new().await;
    t.user("clerk13", Role::Registrar, "3705", PW).await;
    for i in 0..50 {
        let addr = format!("10.1.{}.{}", i / 200, i % 200);
        t.app.login("clerk13", "bad-password-9", &addr).await.expect_err("fails");
    }
    let e = t.app.login("clerk13", "bad-password-9", "10.1.0.0").await.expect_err("refused");
    assert_eq!(e.code(), "too_many_requests", "an address that already failed on it");
    t.app.login("clerk13", PW, "192.168.1.20").await.expect("the owner's fresh address");
    // the user list shows the restriction
    let admin = t.user("admin13", Role::Admin, "3705", PW).await;
    let me = t.current(admin).await;
    let rows = t.app.system().user_rows(&me, vec![user_model(&t, "clerk13").await]).await.expect("rows");
    assert!(rows[0].login_restricted && rows[0].login_failures == 50, "{:?}", rows[0].login_failures);
}

/// A flood from one address is refused before any password is hashed.
#[tokio::test]
async fn a_login_flood_from_one_address_is_refused_quickly() {
    let t = TestApp::new().await;
    for i in 0..30 {
        t.app.login(&format!("flood{i}"), "whatever-1", "10.2.0.1").await.expect_err("unknown");
    }
    let started = std::time::Instant::now();
    let e = t.app.login("flood99", "whatever-1", "10.2.0.1").await.expect_err("refused");
    assert_eq!(e.code(), "too_many_requests");
    assert!(
        started.elapsed() < std::time::Duration::from_millis(500),
        "refused without hashing: {:?}",
        started.elapsed()
    );
    t.app.login("flood99", "whatever-1", "10.2.0.2").await.expect_err("another address is checked");
    // a second server on the same database counts on the same counters
    let other = t.second_instance().await;
    assert_eq!(other.login("flood1", "whatever-1", "10.2.0.1").await.expect_err("shared").code(), "too_many_requests");
}

async fn user_model(t: &TestApp, username: &str) -> hongling_service::models::User {
    use hongling_store::entity::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    user::Entity::find().filter(user::Column::Username.eq(username)).one(&t.app.db).await.expect("q").expect("user")
}

/// The login page answers a refused attempt with 429, Retry-After and a
/// Chinese message; a wrong current password on the change-password form
/// counts too.
#[tokio::test]
async fn throttled_pages_answer_429() {
    let t = TestApp::new().await;
    t.user("clerk23", Role::Registrar, "3705", PW).await;
    let mut b = t.browser();
    for _ in 0..5 {
        assert_eq!(b.login("clerk23", "bad-password-9").await.status, StatusCode::UNAUTHORIZED);
    }
    let r = b.login("clerk23", PW).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.body.contains("操作过于频繁"), "{}", r.body);
    assert!(r.headers.get("retry-after").is_some());
    t.clock.advance(Duration::minutes(15));
    assert_eq!(b.login("clerk23", PW).await.status, StatusCode::SEE_OTHER);
    b.get("/account/password").await;
    for _ in 0..5 {
        let r = b.post("/account/password", &[("current", "bad-password-9"), ("new", "Another-pass-77")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("当前密码不正确"));
    }
    let r = b.post("/account/password", &[("current", PW), ("new", "Another-pass-77")]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the sixth wrong guess is refused, the right one too");
    t.app.login("clerk23", PW, "10.3.0.9").await.expect("the password did not change");
}

/// Issue 10, finding 5: a password change ends the user's other sessions and
/// tokens (the session that changed it stays); a reset ends all of them.
#[tokio::test]
async fn password_change_ends_other_sessions_and_tokens() {
    let t = TestApp::new().await;
    t.user("clerk33", Role::Registrar, "3705", PW).await;
    let token = t.app.create_token(&Principal::Cli, "clerk33", "exchange", None).await.expect("token");
    let (mut b1, mut b2) = (t.browser(), t.browser());
    b1.login("clerk33", PW).await;
    b2.login("clerk33", PW).await;
    assert_eq!(b2.get("/").await.status, StatusCode::OK);
    assert_eq!(b1.api_get("/api/v1/me", Some(&token)).await.status, StatusCode::OK);
    b1.get("/account/password").await;
    let r = b1.post("/account/password", &[("current", PW), ("new", "Another-pass-77")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(b1.get("/").await.status, StatusCode::OK, "the session that changed it stays");
    assert_eq!(b2.get("/").await.status, StatusCode::SEE_OTHER, "the other session ended");
    assert_eq!(b1.api_get("/api/v1/me", Some(&token)).await.status, StatusCode::UNAUTHORIZED, "the token ended");
    let admin = t.user("admin33", Role::Admin, "3705", PW).await;
    let id = user_model(&t, "clerk33").await.id;
    t.app.system().reset_password(&t.current(admin).await, id).await.expect("reset");
    assert_eq!(b1.get("/").await.status, StatusCode::SEE_OTHER, "a reset ends every session");
}

/// Issue 10, finding 7: `next` after login is a same-site path of safe characters.
#[tokio::test]
async fn login_next_is_never_another_site() {
    let t = TestApp::new().await;
    t.user("clerk43", Role::Registrar, "3705", PW).await;
    for (next, expected) in [
        ("/\t/evil.example/", "/"),
        ("/\r\n/evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/orgs\nSet-Cookie: x=1", "/"),
        ("/orgs?q=%E5%8D%8F%E4%BC%9A&page=2", "/orgs?q=%E5%8D%8F%E4%BC%9A&page=2"),
    ] {
        let mut b = t.browser();
        b.get("/login").await;
        let r = b.post("/login", &[("username", "clerk43"), ("password", PW), ("next", next)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next:?}: {}", r.body);
        assert_eq!(r.location.as_deref(), Some(expected), "{next:?}");
    }
    // the login form carries only a safe `next` (the query decodes %09 to a tab)
    let r = t.browser().get("/login?next=/%09/evil.example/").await;
    assert!(!r.body.contains("evil.example"), "{}", r.body);
}

#[tokio::test]
async fn session_idle_timeout_and_absolute_lifetime() {
    let t = TestApp::new().await;
    t.user("clerk04", Role::Registrar, "3705", PW).await;
    let mut b = t.browser();
    b.login("clerk04", PW).await;
    assert_eq!(b.get("/").await.status, StatusCode::OK);
    // activity within the idle period keeps the session
    for _ in 0..3 {
        t.clock.advance(Duration::minutes(25));
        assert_eq!(b.get("/").await.status, StatusCode::OK);
    }
    t.clock.advance(Duration::minutes(31));
    assert_eq!(b.get("/").await.status, StatusCode::SEE_OTHER, "idle for 31 minutes");

    b.login("clerk04", PW).await;
    for _ in 0..((12 * 60) / 25) {
        t.clock.advance(Duration::minutes(25));
        assert_eq!(b.get("/").await.status, StatusCode::OK);
    }
    t.clock.advance(Duration::minutes(25));
    assert_eq!(b.get("/").await.status, StatusCode::SEE_OTHER, "past 12 hours");
}

#[tokio::test]
async fn two_instances_share_sessions() {
    let t = TestApp::new().await;
    t.user("clerk05", Role::Registrar, "3705", PW).await;
    let mut b = t.browser();
    b.login("clerk05", PW).await;
    let other = t.second_instance().await;
    let mut b2 = Browser::new(hongling_web::router(other, hongling_web::WebConfig::default()));
    b2.cookies = b.cookies.clone();
    let r = b2.get("/").await;
    assert_eq!(r.status, StatusCode::OK, "the second server accepts the first one's login");
}

#[tokio::test]
async fn csrf_is_enforced_on_forms() {
    let t = TestApp::new().await;
    t.user("admin06", Role::Admin, "3705", PW).await;
    let mut b = t.browser();
    // login without the pre-session token is refused
    let r = b.post_raw("/login", &[("username", "admin06"), ("password", PW)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("页面已过期"));
    b.login("admin06", PW).await;
    b.get("/system/users/new").await;
    let form = [("username", "newuser6"), ("display_name", "新用户"), ("role", "registrar"), ("scope", "3705")];
    let r = b.post_raw("/system/users", &form).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no token");
    let mut bad = form.to_vec();
    bad.push(("_csrf", "0000"));
    assert_eq!(b.post_raw("/system/users", &bad).await.status, StatusCode::FORBIDDEN, "wrong token");
    let r = b.post("/system/users", &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("仅显示这一次"));
    // cross-site requests are refused even with the token
    let token = b.csrf.clone().unwrap_or_default();
    let req = axum::http::Request::post("/logout")
        .header("cookie", b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; "))
        .header("sec-fetch-site", "cross-site")
        .header("x-csrf-token", token)
        .body(axum::body::Body::empty())
        .expect("req");
    assert_eq!(b.send(req).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn api_token_auth() {
    let t = TestApp::new().await;
    t.user("api07", Role::Registrar, "370502", PW).await;
    let token = t.app.create_token(&Principal::Cli, "api07", "exchange", None).await.expect("token");
    let mut b = t.browser();
    let r = b.api_get("/api/v1/me", Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let me = r.json();
    assert_eq!(me["username"], "api07");
    assert_eq!(me["role"], "registrar");
    assert_eq!(me["scope"]["region"], "370502");
    assert_eq!(me["scope"]["region_name"], "山东省东营市东营区");
    let r = b.api_get("/api/v1/me", Some("hl_not-a-token")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "unauthenticated");
    assert_eq!(r.json()["message"], "请先登录");
    let r = b.api_get("/api/v1/me", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // a disabled user's token stops working
    let admin = t.user("admin07", Role::Admin, "3705", PW).await;
    let me_admin = hongling_service::auth::current_user(
        &hongling_store::entity::user::Entity::find_by_id(admin).one(&t.app.db).await.expect("q").expect("u"),
    )
    .expect("cu");
    let uid = me["id"].as_i64().expect("id");
    t.app.system().set_user_disabled(&me_admin, uid, true).await.expect("disable");
    assert_eq!(b.api_get("/api/v1/me", Some(&token)).await.status, StatusCode::UNAUTHORIZED);
}

use sea_orm::EntityTrait;

/// Issue 9: the API answers 429 `too_many_requests` with Retry-After past the
/// per-user limit, counted in the database (a second server shares it), and
/// the next minute is open again.
#[tokio::test]
async fn api_rate_limit_answers_429() {
    let t = TestApp::new().await;
    t.user("api53", Role::Registrar, "370502", PW).await;
    let token = t.app.create_token(&Principal::Cli, "api53", "exchange", None).await.expect("token");
    let app = t.app.clone().with_api_rate(3);
    let mut b = Browser::new(hongling_web::router(app, hongling_web::WebConfig::default()));
    for _ in 0..2 {
        assert_eq!(b.api_get("/api/v1/me", Some(&token)).await.status, StatusCode::OK);
    }
    let other = t.second_instance().await.with_api_rate(3);
    let mut b2 = Browser::new(hongling_web::router(other, hongling_web::WebConfig::default()));
    assert_eq!(b2.api_get("/api/v1/me", Some(&token)).await.status, StatusCode::OK, "the third, on another server");
    let r = b.api_get("/api/v1/orgs", Some(&token)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(r.json()["code"], "too_many_requests");
    assert!(r.json()["message"].as_str().unwrap_or("").contains("后再试"), "{}", r.body);
    let retry: i64 =
        r.headers.get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).expect("retry-after");
    assert!((1..=60).contains(&retry), "{retry}");
    t.clock.advance(Duration::seconds(retry));
    assert_eq!(b.api_get("/api/v1/me", Some(&token)).await.status, StatusCode::OK, "a new minute");
}

/// Issue 10, finding 5: tokens expire, their owner lists them with the time
/// each was last used and revokes them on the page; another user's token
/// answers 404; the command line lists and revokes too.
#[tokio::test]
async fn tokens_expire_and_their_owner_revokes_them() {
    let t = TestApp::new().await;
    t.user("tok63", Role::Registrar, "370502", PW).await;
    t.user("tok64", Role::Registrar, "370502", PW).await;
    let short = t.app.create_token(&Principal::Cli, "tok63", "短期", Some(30)).await.expect("token");
    let e = t.app.create_token(&Principal::Cli, "tok63", "太长", Some(5000)).await.expect_err("too long");
    assert_eq!(e.code(), "invalid");
    let mut b = t.browser();
    assert_eq!(b.api_get("/api/v1/me", Some(&short)).await.status, StatusCode::OK);
    b.login("tok63", PW).await;
    let r = b.get("/account/tokens").await;
    assert!(r.body.contains("短期") && r.body.contains("有效") && !r.body.contains("从未使用"), "{}", r.body);
    assert!(!r.body.contains(&short), "the token itself is never shown again");
    // made on the page, shown once
    let r = b.post("/account/tokens", &[("name", "交换平台"), ("days", "90")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let made = r.body.split("hl_").nth(1).map(|s| format!("hl_{}", &s[..64])).expect("the new token on the page");
    assert_eq!(b.api_get("/api/v1/me", Some(&made)).await.status, StatusCode::OK);
    let r = b.post("/account/tokens", &[("name", ""), ("days", "abc")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // expiry
    t.clock.advance(Duration::days(30));
    assert_eq!(b.api_get("/api/v1/me", Some(&short)).await.status, StatusCode::UNAUTHORIZED, "expired");
    b.login("tok63", PW).await;
    assert!(b.get("/account/tokens").await.body.contains("已过期"));
    // revoke on the page
    let list = t.app.tokens_of(&Principal::Cli, "tok63").await.expect("list");
    let id = list.iter().find(|v| v.name == "交换平台").map(|v| v.id).expect("made");
    let r = b.post(&format!("/account/tokens/{id}/revoke"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(b.api_get("/api/v1/me", Some(&made)).await.status, StatusCode::UNAUTHORIZED, "revoked");
    // another user's token is not found
    let theirs = t.app.create_token(&Principal::Cli, "tok64", "他人", None).await.expect("token");
    let their_id = t.app.tokens_of(&Principal::Cli, "tok64").await.expect("list")[0].id;
    assert_eq!(b.post(&format!("/account/tokens/{their_id}/revoke"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.api_get("/api/v1/me", Some(&theirs)).await.status, StatusCode::OK);
    // the command line revokes by prefix
    t.app.revoke_token(&Principal::Cli, "tok64", &theirs[..10]).await.expect("revoke");
    assert_eq!(b.api_get("/api/v1/me", Some(&theirs)).await.status, StatusCode::UNAUTHORIZED);
}

/// Issue 10, finding 10: behind a TLS proxy the cookies are Secure without
/// configuration, and HSTS is sent when configured (only over TLS).
#[tokio::test]
async fn cookies_are_secure_over_tls_and_hsts_is_configurable() {
    let t = TestApp::new().await;
    let cfg = hongling_web::WebConfig { hsts_max_age: 31_536_000, ..Default::default() };
    let mut b = Browser::new(hongling_web::router(t.app.clone(), cfg));
    let get = |tls: bool| {
        let mut r = axum::http::Request::get("/login");
        if tls {
            r = r.header("x-forwarded-proto", "https");
        }
        r.body(axum::body::Body::empty()).expect("req")
    };
    let plain = b.send(get(false)).await;
    let cookie = plain.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(plain.headers.get("strict-transport-security").is_none());
    let mut b = Browser::new(hongling_web::router(
        t.app.clone(),
        hongling_web::WebConfig { hsts_max_age: 31_536_000, ..Default::default() },
    ));
    let tls = b.send(get(true)).await;
    let cookie = tls.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert_eq!(tls.headers.get("strict-transport-security").and_then(|v| v.to_str().ok()), Some("max-age=31536000"));
}
