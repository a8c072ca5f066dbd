//! Login, lockout, sessions (expiry with time passed in), CSRF, tokens.

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

#[tokio::test]
async fn lockout_after_five_failures_until_time_passes() {
    let t = TestApp::new().await;
    t.user("clerk03", Role::Registrar, "3705", PW).await;
    for i in 0..4 {
        let e = t.app.login("clerk03", "bad-password-9").await.expect_err("fails");
        assert_eq!(e.code(), "bad_credentials", "attempt {i}");
    }
    let e = t.app.login("clerk03", "bad-password-9").await.expect_err("locks");
    assert_eq!(e.code(), "account_locked");
    assert!(e.to_string().contains("锁定"));
    // the right password does not help while locked
    let e = t.app.login("clerk03", PW).await.expect_err("still locked");
    assert_eq!(e.code(), "account_locked");
    t.clock.advance(Duration::minutes(14));
    assert_eq!(t.app.login("clerk03", PW).await.expect_err("locked").code(), "account_locked");
    t.clock.advance(Duration::minutes(1));
    t.app.login("clerk03", PW).await.expect("unlocked after 15 minutes");
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
    let token = t.app.create_token(&Principal::Cli, "api07", "exchange").await.expect("token");
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
