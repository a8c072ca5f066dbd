//! One error, two renderings: a Chinese HTML page or `{code, message, fields}`
//! JSON under `/api/`. Service errors (`WebError`), rejected input (the
//! extractors of `extract.rs`) and anything else that leaves the router as an
//! error (axum's own rejections, 404, 405, 408, 413, panics) all become a
//! `Problem` first; `shape` is the middleware that makes sure of it.

use askama::Template;
use axum::Json;
use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use hongling_service::{Error, PageRequest};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug)]
pub struct WebError {
    pub err: Error,
    pub json: bool,
}

impl WebError {
    pub fn page(err: Error) -> Self {
        Self { err, json: false }
    }

    pub fn api(err: Error) -> Self {
        Self { err, json: true }
    }
}

/// The body of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiError {
    /// Stable identifier (docs/API.md): bad_request, bad_json, unauthenticated, forbidden,
    /// not_found, method_not_allowed, timeout, conflict, payload_too_large,
    /// unsupported_media_type, invalid, too_many_requests, internal, unavailable…
    pub code: &'static str,
    /// A Chinese message for people.
    pub message: String,
    /// Per-field messages for `invalid`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ApiFieldError>,
}

/// A message about one input field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiFieldError {
    pub field: String,
    pub message: String,
}

pub fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::Forbidden(_) | Error::Denied(_) => StatusCode::FORBIDDEN,
        Error::Unauthenticated | Error::BadCredentials => StatusCode::UNAUTHORIZED,
        Error::Throttled(_) | Error::Busy(_) => StatusCode::TOO_MANY_REQUESTS,
        Error::Disabled => StatusCode::FORBIDDEN,
        Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An error answer before it is rendered. As a response (the rejection of
/// the API extractors) it is JSON; `page()` renders the Chinese page.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    /// Stable identifier, the `code` of `ApiError`.
    pub code: &'static str,
    /// Chinese, for people.
    pub message: String,
    pub fields: Vec<ApiFieldError>,
    /// Seconds for the `Retry-After` header (429).
    pub retry_after: Option<i64>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), fields: vec![], retry_after: None }
    }

    /// Add a message about one field.
    pub fn with_field(mut self, field: impl Into<String>, message: impl Into<String>) -> Self {
        self.fields.push(ApiFieldError { field: field.into(), message: message.into() });
        self
    }

    /// 500 `internal`: nothing about the cause reaches the client.
    pub fn internal() -> Self {
        Self::for_status(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn from_error(e: &Error) -> Self {
        Self {
            status: status_of(e),
            code: e.code(),
            message: e.to_string(),
            fields: e
                .field_errors()
                .iter()
                .map(|f| ApiFieldError { field: f.field.clone(), message: f.message.clone() })
                .collect(),
            retry_after: match e {
                Error::Throttled(s) => Some(*s),
                Error::Busy(_) => Some(60),
                _ => None,
            },
        }
    }

    /// The generic answer for a status, when nothing more is known.
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status.as_u16() {
            400 => ("bad_request", "请求格式不正确，请检查后重试"),
            401 => ("unauthenticated", "请先登录"),
            403 => ("forbidden", "无权访问"),
            404 => ("not_found", "您访问的页面或记录不存在"),
            405 => ("method_not_allowed", "该地址不支持此请求方式"),
            408 => ("timeout", "请求处理超时，请稍后再试"),
            409 => ("conflict", "操作冲突，请刷新后重试"),
            413 => ("payload_too_large", "请求内容超过大小限制，请拆分后再上传"),
            415 => ("unsupported_media_type", "不支持的请求内容类型"),
            422 => ("invalid", "提交的内容有误"),
            429 => ("too_many_requests", "请求过于频繁，请稍后再试"),
            503 => ("unavailable", "服务暂不可用，请稍后再试"),
            s if (400..500).contains(&s) => ("bad_request", "请求无法处理，请检查后重试"),
            _ => ("internal", "系统内部错误，请稍后再试"),
        };
        Self::new(status, code, message)
    }

    /// An error response that left the router as text (axum's rejections
    /// answer English plain text): its status and known wording tell which.
    pub fn from_rejection(status: StatusCode, text: &str) -> Self {
        if status.is_server_error() {
            return Self::for_status(status);
        }
        let after = |prefix: &str| text.strip_prefix(prefix).map(|r| r.trim_start_matches(':').trim());
        if text.starts_with("Invalid URL") {
            // a path parameter that cannot be what the route expects names no record
            return Self::new(StatusCode::NOT_FOUND, "not_found", "记录不存在：地址中的参数无效");
        }
        if let Some(rest) = after("Failed to deserialize query string") {
            return crate::extract::serde_problem("查询参数", rest);
        }
        if let Some(rest) = after("Failed to deserialize form body").or_else(|| after("Failed to deserialize form")) {
            return crate::extract::serde_problem("表单字段", rest);
        }
        if let Some(rest) = after("Failed to deserialize the JSON body into the target type") {
            return crate::extract::serde_problem("字段", rest);
        }
        if text.starts_with("Failed to parse the request body as JSON") {
            return Self::new(StatusCode::BAD_REQUEST, "bad_json", "请求体不是有效的 JSON");
        }
        if text.starts_with("Expected request with `Content-Type: application/json`") {
            return Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", JSON_TYPE_MESSAGE);
        }
        if text.starts_with("Form requests must have `Content-Type") {
            return Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "表单的 Content-Type 应为 application/x-www-form-urlencoded",
            );
        }
        Self::for_status(status)
    }

    /// `{code, message, fields}` JSON.
    pub fn json(self) -> Response {
        let retry = self.retry_after;
        let body = ApiError { code: self.code, message: self.message, fields: self.fields };
        with_retry_after((self.status, Json(body)).into_response(), retry)
    }

    /// The Chinese error page.
    pub fn page(self) -> Response {
        with_retry_after(error_page(self.status, self.message), self.retry_after)
    }

    pub fn render(self, api: bool) -> Response {
        if api { self.json() } else { self.page() }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        self.json()
    }
}

fn with_retry_after(mut res: Response, secs: Option<i64>) -> Response {
    if let Some(v) = secs.and_then(|s| HeaderValue::from_str(&s.max(1).to_string()).ok()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

pub const JSON_TYPE_MESSAGE: &str = "请求的 Content-Type 应为 application/json";

#[derive(Template)]
#[template(path = "ui/error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title: &'static str,
    pub message: String,
}

pub fn error_page(status: StatusCode, message: String) -> Response {
    let title = match status.as_u16() {
        400 => "请求有误",
        401 => "请先登录",
        403 => "无权访问",
        404 => "页面或记录不存在",
        405 => "不支持的请求方式",
        408 => "请求超时",
        413 => "上传内容过大",
        415 => "不支持的内容类型",
        429 => "操作过于频繁",
        500 => "系统错误",
        503 => "服务暂不可用",
        _ => "操作未完成",
    };
    let page = ErrorPage { status: status.as_u16(), title, message };
    match page.render() {
        Ok(html) => (status, axum::response::Html(html)).into_response(),
        Err(_) => (status, page.message).into_response(),
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if self.json {
            return Problem::from_error(&self.err).json();
        }
        if matches!(self.err, Error::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        Problem::from_error(&self.err).page()
    }
}

impl From<Error> for WebError {
    fn from(err: Error) -> Self {
        Self::page(err)
    }
}

pub fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// `page` and `per_page` of any request, checked in one place before any
/// handler parses them: an out-of-range number is 422 (页码超出范围), not a
/// database offset past `i64` (which panicked). Values that are not numbers at
/// all are left to the handler's query extractor.
pub fn paging_problem(query: Option<&str>) -> Option<Problem> {
    for (k, v) in form_urlencoded::parse(query?.as_bytes()) {
        if (k != "page" && k != "per_page") || v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let n = Some(v.parse::<u64>().unwrap_or(u64::MAX));
        let checked = if k == "page" { PageRequest::check(n, None) } else { PageRequest::check(None, n) };
        if let Err(e) = checked {
            return Some(
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.message())
                    .with_field(e.field(), e.message()),
            );
        }
    }
    None
}

/// The body of an error response is read to classify it; rejections are short.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// The response-mapping middleware: every error that leaves the router as
/// anything but our own shape (axum's plain-text rejections, the empty 405 and
/// 408, the 413 of the body limit, the panic catcher's 500) is rendered again:
/// `{code, message, fields}` JSON under `/api/`, the Chinese error page
/// elsewhere. `Allow` (405) and `Retry-After` are kept.
pub async fn shape(req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    if let Some(p) = paging_problem(req.uri().query()) {
        return p.render(api);
    }
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let ctype = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let json = crate::extract::is_json_type(ctype);
    let html = ctype.starts_with("text/html");
    // already our shape: JSON under /api/; a page (or JSON such as /healthz's) elsewhere
    if json || (!api && html) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text =
        to_bytes(body, MAX_ERROR_BODY).await.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let problem = Problem::from_rejection(status, &text);
    if problem.status.is_server_error() {
        tracing::error!(status = status.as_u16(), "error response without detail for the client");
    }
    let mut out = problem.render(api);
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

/// The panic catcher's answer: the panic is logged on the server; the client
/// gets a bare 500 that `shape` renders as `internal` (nothing of the panic
/// message leaves the server).
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = %detail, "request handler panicked");
    let mut res = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    res
}
