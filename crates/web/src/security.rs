//! Sessions, CSRF and security headers, as middleware around every route.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hongling_service::CurrentUser;
use hongling_service::auth::SessionInfo;

use crate::AppState;
use crate::error::{Problem, WebError, is_api};

pub const SESSION_COOKIE: &str = "hl_session";
pub const CSRF_COOKIE: &str = "hl_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Who is asking, resolved once per request by `load_session`.
#[derive(Clone, Debug)]
pub enum Auth {
    Anonymous,
    Session { info: SessionInfo, token: String },
    Bearer(CurrentUser),
}

impl Auth {
    pub fn user(&self) -> Option<&CurrentUser> {
        match self {
            Auth::Anonymous => None,
            Auth::Session { info, .. } => Some(&info.user),
            Auth::Bearer(u) => Some(u),
        }
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when configured.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> HeaderValue {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(a) = max_age {
        s.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        s.push_str("; Secure");
    }
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The client's address as the throttle counts it: the last entry of the
/// configured proxy header, else the connection's peer address.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl axum::extract::FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        st: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(parts, st.cfg.client_ip_header.as_deref())))
    }
}

pub fn client_addr(parts: &axum::http::request::Parts, header_name: Option<&str>) -> String {
    if let Some(name) = header_name
        && let Some(v) = parts.headers.get(name).and_then(|v| v.to_str().ok())
        && let Some(last) = v.rsplit(',').map(str::trim).find(|s| !s.is_empty())
    {
        return last.chars().take(64).collect();
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Did the request reach the proxy in front of Hongling over HTTPS?
/// (`X-Forwarded-Proto: https`, or `Forwarded: …proto=https`.)
pub fn over_tls(headers: &HeaderMap) -> bool {
    let proto = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).unwrap_or("");
    let fwd = headers.get(header::FORWARDED).and_then(|v| v.to_str().ok()).unwrap_or("");
    proto.split(',').next().is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
        || fwd.split([';', ',']).any(|p| p.trim().eq_ignore_ascii_case("proto=https"))
}

/// Cookies are `Secure` when configured, and on their own whenever the
/// request came over TLS (a forged header only makes the sender's own cookie
/// unusable over plain HTTP).
pub fn secure_for(cfg: &crate::WebConfig, headers: &HeaderMap) -> bool {
    cfg.secure_cookies || over_tls(headers)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
}

pub async fn load_session(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let auth = if let Some(tok) = bearer(headers) {
        match st.app.token_user(tok).await {
            Ok(Some(u)) => {
                if let Err(e) = st.app.api_call(u.id).await {
                    return WebError::api(e).into_response();
                }
                Auth::Bearer(u)
            }
            Ok(None) => return WebError::api(hongling_service::Error::Unauthenticated).into_response(),
            Err(e) => return WebError::api(e).into_response(),
        }
    } else if let Some(tok) = cookie(headers, SESSION_COOKIE).map(str::to_owned) {
        match st.app.session(&tok).await {
            Ok(Some(info)) => Auth::Session { info, token: tok },
            Ok(None) => Auth::Anonymous,
            Err(e) => return WebError { err: e, json: is_api(req.uri().path()) }.into_response(),
        }
    } else {
        Auth::Anonymous
    };
    req.extensions_mut().insert(auth);
    next.run(req).await
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn csrf_failure(req_is_api: bool) -> Response {
    let e = hongling_service::Error::Forbidden("页面已过期或请求来源不可信，请刷新页面后重试");
    if req_is_api { WebError::api(e).into_response() } else { WebError::page(e).into_response() }
}

/// Synchronizer-token CSRF check on every state-changing request that is
/// authenticated by cookie (bearer-token API calls carry no ambient authority).
/// The token comes in the `X-CSRF-Token` header (htmx sends it on every
/// request) or in the `_csrf` field of an url-encoded or multipart form.
/// Browsers that send `Sec-Fetch-Site: cross-site` are refused outright.
/// An `/api/` request without credentials is not checked: it has no authority
/// to abuse, and its answer is the 401 of `ApiUser` (not a CSRF 403).
pub async fn csrf(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let is_api = is_api(req.uri().path());
    let auth = req.extensions().get::<Auth>().cloned().unwrap_or(Auth::Anonymous);
    if matches!(auth, Auth::Bearer(_)) {
        return next.run(req).await;
    }
    if is_api && matches!(auth, Auth::Anonymous) {
        // No credentials, so no ambient authority to protect: the API answers
        // 401 (`ApiUser`), or 404/405 from routing, instead of a CSRF 403.
        return next.run(req).await;
    }
    if req.headers().get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site") {
        return csrf_failure(is_api);
    }
    let expected = match &auth {
        Auth::Session { info, .. } => Some(info.csrf_token.clone()),
        _ => cookie(req.headers(), CSRF_COOKIE).map(str::to_owned),
    };
    let Some(expected) = expected else { return csrf_failure(is_api) };
    if let Some(h) = req.headers().get(CSRF_HEADER) {
        return if constant_time_eq(h.as_bytes(), expected.as_bytes()) {
            next.run(req).await
        } else {
            csrf_failure(is_api)
        };
    }
    let ctype = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        // the body limit (RequestBodyLimitLayer) cut it off, or the client did
        Err(_) => return Problem::for_status(StatusCode::PAYLOAD_TOO_LARGE).render(is_api),
    };
    let provided = if ctype.starts_with("application/x-www-form-urlencoded") {
        form_urlencoded_field(&bytes, CSRF_FIELD)
    } else if ctype.starts_with("multipart/form-data") {
        multipart_field(&ctype, bytes.clone(), CSRF_FIELD).await
    } else {
        None
    };
    match provided {
        Some(p) if constant_time_eq(p.as_bytes(), expected.as_bytes()) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => csrf_failure(is_api),
    }
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

async fn multipart_field(ctype: &str, body: axum::body::Bytes, name: &str) -> Option<String> {
    let boundary = multer::parse_boundary(ctype).ok()?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut mp = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = mp.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// Security headers on every response, errors included (this is the
/// outermost layer); pages are never cached. Also the access log (method, path
/// without the query string, status, time: no personal data).
pub async fn headers(State(hsts): State<u64>, req: Request, next: Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let tls = over_tls(req.headers());
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = std::time::Instant::now();
    let mut res = next.run(req).await;
    if !is_static {
        tracing::info!(%method, %path, status = res.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    }
    let h = res.headers_mut();
    // a stricter policy set by the handler stays (downloads of uploaded files: `sandbox`)
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; \
                 connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
            ),
        );
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=()"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if hsts > 0
        && tls
        && let Ok(v) = HeaderValue::from_str(&format!("max-age={hsts}"))
    {
        h.insert(header::STRICT_TRANSPORT_SECURITY, v);
    }
    if !is_static && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
