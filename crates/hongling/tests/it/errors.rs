//! Every error answers one shape: `{code, message, fields?}` JSON with a
//! Chinese message under `/api/`, the Chinese error page elsewhere, with the
//! security headers, including axum's own rejections, the body limit, the
//! timeout and panics.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::routing::get;
use hongling_domain::Role;
use hongling_service::Principal;

use crate::support::*;

fn chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Status, JSON content type, the code and a Chinese message; returns the body.
#[track_caller]
fn api_error(r: &Resp, status: StatusCode, code: &str) -> serde_json::Value {
    assert_eq!(r.status, status, "{}", r.body);
    let ctype = r.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(ctype.starts_with("application/json"), "content type {ctype:?}: {}", r.body);
    let j = r.json();
    assert_eq!(j["code"], code, "{j}");
    let message = j["message"].as_str().unwrap_or("");
    assert!(chinese(message), "message not Chinese: {j}");
    assert!(r.headers.contains_key(header::CONTENT_SECURITY_POLICY), "security headers on errors too");
    j
}

/// Status, an HTML page, Chinese text; returns the body.
#[track_caller]
fn page_error(r: &Resp, status: StatusCode) -> &str {
    assert_eq!(r.status, status, "{}", r.body);
    let ctype = r.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(ctype.starts_with("text/html"), "content type {ctype:?}: {}", r.body);
    assert!(r.body.contains("id=\"error-message\"") && chinese(&r.body), "{}", r.body);
    assert!(r.headers.contains_key(header::CONTENT_SECURITY_POLICY), "security headers on errors too");
    &r.body
}

fn field(j: &serde_json::Value) -> &str {
    j["fields"][0]["field"].as_str().unwrap_or("")
}

fn request(method: &str, uri: &str, headers: &[(&str, &str)], body: impl Into<Body>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body.into()).expect("request")
}

/// A registrar of 东营区 with an API token.
async fn token(t: &TestApp) -> String {
    // an administrator: the permission matrix lets the requests reach their extractors
    t.user("errapi", Role::Admin, "370502", PW).await;
    t.app.create_token(&Principal::Cli, "errapi", "errors", None).await.expect("token")
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn api_malformed_json_is_400_bad_json() {
    let t = TestApp::new().await;
    let tok = token(&t).await;
    let mut b = t.browser();
    let auth = bearer(&tok);
    let h = [("authorization", auth.as_str()), ("content-type", "application/json")];
    let r = b.send(request("POST", "/api/v1/orgs", &h, "{\"name\": ")).await;
    api_error(&r, StatusCode::BAD_REQUEST, "bad_json");
    let r = b.send(request("POST", "/api/v1/orgs", &h, "{\"name\": \"a\",}")).await;
    let j = api_error(&r, StatusCode::BAD_REQUEST, "bad_json");
    assert!(j["message"].as_str().unwrap_or("").contains("第 1 行"), "{j}");
}

#[tokio::test]
async fn api_missing_or_mistyped_field_is_422_naming_it() {
    let t = TestApp::new().await;
    let tok = token(&t).await;
    let mut b = t.browser();
    let body = serde_json::json!({
        "kind": "association", "registration_mode": "registered", "category": "charity",
        "authority_region": "370502", "region_code": "370502001011"
    });
    let r = b.api_send("POST", "/api/v1/orgs", &tok, body.clone()).await;
    let j = api_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(field(&j), "name", "{j}");
    let mut typed = body.clone();
    typed["name"] = serde_json::json!("东营区错误测试协会");
    typed["member_count"] = serde_json::json!("三十");
    let r = b.api_send("POST", "/api/v1/orgs", &tok, typed).await;
    let j = api_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(field(&j), "member_count", "{j}");
    assert!(j["message"].as_str().unwrap_or("").contains("整数"), "{j}");
    // nested: the index is named
    let r = b.api_send("POST", "/api/v1/party-orgs/1/orgs", &tok, serde_json::json!({"add": [1, "x"]})).await;
    let j = api_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(field(&j), "add[1]", "{j}");
    // not an object at all
    let r = b.api_send("POST", "/api/v1/orgs", &tok, serde_json::json!([1, 2])).await;
    api_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
}

#[tokio::test]
async fn api_wrong_or_missing_content_type_is_415() {
    let t = TestApp::new().await;
    let tok = token(&t).await;
    let mut b = t.browser();
    let auth = bearer(&tok);
    for ctype in [Some("text/plain"), Some("application/x-www-form-urlencoded"), None] {
        let mut h = vec![("authorization", auth.as_str())];
        if let Some(c) = ctype {
            h.push(("content-type", c));
        }
        let r = b.send(request("POST", "/api/v1/orgs", &h, "{}")).await;
        let j = api_error(&r, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
        assert!(j["message"].as_str().unwrap_or("").contains("application/json"), "{j}");
    }
    // `+json` types and parameters are JSON
    let h = [("authorization", auth.as_str()), ("content-type", "application/json; charset=utf-8")];
    let r = b.send(request("POST", "/api/v1/orgs", &h, "{}")).await;
    api_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
}

#[tokio::test]
async fn api_bad_path_parameter_is_404() {
    let t = TestApp::new().await;
    let tok = token(&t).await;
    let mut b = t.browser();
    for uri in ["/api/v1/orgs/abc", "/api/v1/orgs/99999999999999999999", "/api/v1/party-members/1.5"] {
        let r = b.api_get(uri, Some(&tok)).await;
        let j = api_error(&r, StatusCode::NOT_FOUND, "not_found");
        assert!(j["message"].as_str().unwrap_or("").contains("id"), "{uri}: {j}");
    }
    let r = b.api_send("PUT", "/api/v1/orgs/abc", &tok, serde_json::json!({})).await;
    api_error(&r, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn api_bad_query_value_is_422() {
    let t = TestApp::new().await;
    let tok = token(&t).await;
    let mut b = t.browser();
    let r = b.api_get("/api/v1/orgs?page=abc", Some(&tok)).await;
    let j = api_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(field(&j), "page", "{j}");
    let r = b.api_get("/api/v1/orgs?breaches=maybe", Some(&tok)).await;
    let j = api_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(field(&j), "breaches", "{j}");
    let r = b.api_get("/api/v1/orgs?supervisory_unit_id=-", Some(&tok)).await;
    api_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let r = b.api_get("/api/v1/party-members?page=-1", Some(&tok)).await;
    let j = api_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(field(&j), "page", "{j}");
}

#[tokio::test]
async fn api_unknown_path_is_404() {
    let t = TestApp::new().await;
    let tok = token(&t).await;
    let mut b = t.browser();
    for uri in ["/api/v1/nothing-here", "/api/v2/orgs", "/api/"] {
        let r = b.api_get(uri, Some(&tok)).await;
        api_error(&r, StatusCode::NOT_FOUND, "not_found");
    }
    // without credentials as well, and for a write (no CSRF 403 for a path that does not exist)
    let r = b.api_get("/api/v1/nothing-here", None).await;
    let j = api_error(&r, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(j["message"], "接口不存在，请检查地址");
    let r = b.send(request("POST", "/api/v1/nothing-here", &[("content-type", "application/json")], "{}")).await;
    api_error(&r, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn api_wrong_method_is_405_with_allow() {
    let t = TestApp::new().await;
    let tok = token(&t).await;
    let mut b = t.browser();
    let r = b.api_send("DELETE", "/api/v1/orgs", &tok, serde_json::json!({})).await;
    api_error(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let allow = r.headers.get(header::ALLOW).and_then(|v| v.to_str().ok()).unwrap_or("");
    assert!(allow.contains("GET") && allow.contains("POST"), "Allow: {allow:?}");
    let r = b.api_send("POST", "/api/v1/me", &tok, serde_json::json!({})).await;
    api_error(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    assert!(r.headers.contains_key(header::ALLOW));
}

#[tokio::test]
async fn body_over_the_limit_is_413_with_security_headers() {
    let t = TestApp::new().await;
    let tok = token(&t).await;
    t.user("errpage", Role::Registrar, "3705", PW).await;
    let small = hongling_web::WebConfig { max_body_bytes: 1024, ..Default::default() };
    let mut b = Browser::new(hongling_web::router(t.app.clone(), small));
    let auth = bearer(&tok);
    let big = format!("{{\"name\": \"{}\"}}", "长".repeat(2000));
    // a declared length over the limit: RequestBodyLimitLayer refuses it before any handler
    let len = big.len().to_string();
    let h = [("authorization", auth.as_str()), ("content-type", "application/json"), ("content-length", len.as_str())];
    let r = b.send(request("POST", "/api/v1/orgs", &h, big.clone())).await;
    api_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // no declared length: the limit cuts the body off in the JSON extractor (DefaultBodyLimit)
    let h = [("authorization", auth.as_str()), ("content-type", "application/json")];
    let r = b.send(request("POST", "/api/v1/orgs", &h, big.clone())).await;
    api_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // an upload on a page: the Chinese page, with the security headers
    b.login("errpage", PW).await;
    b.get("/").await; // the session's CSRF token
    let cookies = b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let csrf = b.csrf.clone().expect("csrf token");
    let mp = format!(
        "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--XyZ\r\nContent-Disposition: form-data; \
         name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\n{}\r\n--XyZ--\r\n",
        "x,".repeat(2000)
    );
    let h = [("cookie", cookies.as_str()), ("content-type", "multipart/form-data; boundary=XyZ")];
    let r = b.send(request("POST", "/registry/import", &h, mp.clone())).await;
    assert!(page_error(&r, StatusCode::PAYLOAD_TOO_LARGE).contains("大小限制"));
    let len = mp.len().to_string();
    let h = [
        ("cookie", cookies.as_str()),
        ("content-type", "multipart/form-data; boundary=XyZ"),
        ("content-length", len.as_str()),
    ];
    let r = b.send(request("POST", "/registry/import", &h, mp)).await;
    page_error(&r, StatusCode::PAYLOAD_TOO_LARGE);
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(30)).await;
    "late"
}

async fn boom() -> &'static str {
    panic!("secret-panic-detail")
}

/// Routes of the test's own behind the same outer layers as the application.
fn layered() -> Browser {
    let routes = Router::new()
        .route("/api/v1/slow", get(slow))
        .route("/slow", get(slow))
        .route("/api/v1/boom", get(boom))
        .route("/boom", get(boom));
    Browser::new(hongling_web::outer_layers(routes, 1024, Duration::from_millis(50), 0))
}

#[tokio::test]
async fn timeout_is_408() {
    let mut b = layered();
    let r = b.get("/api/v1/slow").await;
    api_error(&r, StatusCode::REQUEST_TIMEOUT, "timeout");
    let r = b.get("/slow").await;
    assert!(page_error(&r, StatusCode::REQUEST_TIMEOUT).contains("超时"));
}

#[tokio::test]
async fn panic_is_500_without_detail() {
    let mut b = layered();
    let r = b.get("/api/v1/boom").await;
    let j = api_error(&r, StatusCode::INTERNAL_SERVER_ERROR, "internal");
    assert_eq!(j["message"], "系统内部错误，请稍后再试");
    assert!(!r.body.contains("secret") && !r.body.contains("panic"), "{}", r.body);
    let r = b.get("/boom").await;
    let body = page_error(&r, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("系统错误") && !body.contains("secret"), "{body}");
}

#[tokio::test]
async fn write_without_credentials_is_401_before_csrf() {
    let t = TestApp::new().await;
    t.user("errcsrf", Role::Registrar, "370502", PW).await;
    let mut b = t.browser();
    let h = [("content-type", "application/json")];
    let r = b.send(request("POST", "/api/v1/orgs", &h, "{}")).await;
    let j = api_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    assert_eq!(j["message"], "请先登录");
    for (method, uri) in [("PUT", "/api/v1/orgs/1"), ("POST", "/api/v1/party-members"), ("POST", "/api/v1/policy")] {
        let r = b.send(request(method, uri, &h, "{}")).await;
        api_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    }
    // a stale session cookie is no credential either
    let h = [("content-type", "application/json"), ("cookie", "hl_session=stale-session-token")];
    let r = b.send(request("POST", "/api/v1/orgs", &h, "{}")).await;
    api_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated");
    // a signed-in cookie session still needs the CSRF token
    b.login("errcsrf", PW).await;
    b.get("/").await; // the session's CSRF token
    let cookies = b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let h = [("content-type", "application/json"), ("cookie", cookies.as_str())];
    let r = b.send(request("POST", "/api/v1/orgs", &h, "{}")).await;
    let j = api_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert!(j["message"].as_str().unwrap_or("").contains("页面已过期"), "{j}");
    let csrf = b.csrf.clone().expect("csrf token");
    let h = [("content-type", "application/json"), ("cookie", cookies.as_str()), ("x-csrf-token", csrf.as_str())];
    let r = b.send(request("POST", "/api/v1/orgs", &h, "{}")).await;
    api_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
}

#[tokio::test]
async fn huge_page_numbers_answer_422() {
    let t = TestApp::new().await;
    let tok = token(&t).await;
    t.user("errpages", Role::Registrar, "3705", PW).await;
    let mut b = t.browser();
    for q in ["page=9223372036854775808", "page=9223372036854775807", "page=18446744073709551616", "page=0"] {
        for list in ["/api/v1/orgs", "/api/v1/party-members", "/api/v1/coverage/breaches"] {
            let r = b.api_get(&format!("{list}?{q}"), Some(&tok)).await;
            let j = api_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
            assert_eq!(field(&j), "page", "{j}");
            assert!(j["message"].as_str().unwrap_or("").contains("页码超出范围"), "{j}");
        }
    }
    for q in ["per_page=9223372036854775808", "per_page=1000000", "per_page=0"] {
        let r = b.api_get(&format!("/api/v1/orgs?{q}"), Some(&tok)).await;
        let j = api_error(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert_eq!(field(&j), "per_page", "{j}");
    }
    // the last page anyone may ask for is answered (empty), not refused
    let r = b.api_get("/api/v1/orgs?page=1000000&per_page=200", Some(&tok)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["items"].as_array().map(Vec::len), Some(0));
    // pages
    b.login("errpages", PW).await;
    for uri in [
        "/registry/orgs?page=9223372036854775808",
        "/registry/orgs?page=9223372036854775807",
        "/system/audit?page=9223372036854775807",
    ] {
        let r = b.get(uri).await;
        assert!(page_error(&r, StatusCode::UNPROCESSABLE_ENTITY).contains("页码超出范围"), "{uri}");
    }
    assert_eq!(b.get("/registry/orgs?page=2").await.status, StatusCode::OK);
}

#[tokio::test]
async fn page_rejections_are_chinese_pages() {
    let t = TestApp::new().await;
    t.user("errhtml", Role::Registrar, "3705", PW).await;
    let mut b = t.browser();
    b.login("errhtml", PW).await;
    b.get("/").await; // the session's CSRF token
    // a path parameter that is not an id: no such record
    let r = b.get("/registry/orgs/abc").await;
    page_error(&r, StatusCode::NOT_FOUND);
    // a query value that does not parse
    // (a list page shows it above its search form, keeping what was typed)
    let r = b.get("/registry/orgs?page=abc").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("页码应为正整数"), "{}", r.body);
    // a method the page does not take (with the CSRF token, so the request reaches routing)
    let r = b.post("/system/audit", &[]).await;
    page_error(&r, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.headers.contains_key(header::ALLOW));
    // a form post with another content type
    let cookies = b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let csrf = b.csrf.clone().expect("csrf token");
    let h = [("cookie", cookies.as_str()), ("x-csrf-token", csrf.as_str()), ("content-type", "text/plain")];
    let r = b.send(request("POST", "/registry/orgs", &h, "name=x")).await;
    let status = r.status;
    assert!(status.is_client_error(), "{status}");
    page_error(&r, status);
    // a missing static file and an unknown page
    page_error(&b.get("/static/nothing.js").await, StatusCode::NOT_FOUND);
    page_error(&b.get("/no/such/page").await, StatusCode::NOT_FOUND);
}
