//! Extractors of the JSON API with Chinese rejections in the `{code, message,
//! fields}` shape (`Problem`): `ApiJson<T>` for bodies, `ApiQuery<T>` for
//! query strings, `ApiPath<T>` for path parameters. Every API handler takes its
//! input through these; axum's own `Json`, `Query` and `Path` would answer
//! English plain text.
//!
//! - body not JSON at all: 400 `bad_json` (with line and column);
//! - a field missing, of the wrong type or with a value outside its set:
//!   422 `invalid`, naming the field in `fields`;
//! - no or another `Content-Type`: 415 `unsupported_media_type`;
//! - body over the limit: 413 `payload_too_large`;
//! - a query value that does not parse: 422 `invalid`, naming the parameter;
//! - a path parameter that does not parse (`/api/v1/orgs/abc`): 404
//!   `not_found`, like an id that names no record.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::{JSON_TYPE_MESSAGE, Problem};

/// A JSON request body.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned + utoipa::PartialSchema,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        read_json::<T, S>(req, state, false).await.map(ApiJson)
    }
}

/// The JSON body of a `PUT`: the whole new content of the record. Besides
/// what [`ApiJson`] checks, every field of the input must be present (`null`
/// or `""` clears one), so that a field left out by mistake is a 422 naming
/// it, never a value silently blanked. Change details (`reason`,
/// `effective_on`) may be left out.
pub struct ApiPut<T>(pub T);

impl<T, S> FromRequest<S> for ApiPut<T>
where
    T: DeserializeOwned + utoipa::PartialSchema,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        read_json::<T, S>(req, state, true).await.map(ApiPut)
    }
}

/// Fields of a `PUT` body that may be left out: details of the change, not
/// of the record (`reason`, `effective_on`), and what only creating takes
/// (`applying`, `org_ids`).
pub const PUT_OPTIONAL: &[&str] = &["reason", "effective_on", "applying", "org_ids"];

/// The fields a `PUT` body must carry, of the fields its input has: all but
/// [`PUT_OPTIONAL`]. [`ApiPut`] refuses a body without one of them, and the
/// OpenAPI document's `PUT` bodies list the same as `required`
/// (`openapi::complete`), so the two cannot differ.
pub fn put_required<'a>(fields: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    fields.into_iter().filter(|f| !PUT_OPTIONAL.contains(f)).collect()
}

async fn read_json<T, S>(req: Request, state: &S, whole: bool) -> Result<T, Problem>
where
    T: DeserializeOwned + utoipa::PartialSchema,
    S: Send + Sync,
{
    if !json_content_type(req.headers()) {
        return Err(Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", JSON_TYPE_MESSAGE));
    }
    let bytes = Bytes::from_request(req, state).await.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::for_status(StatusCode::PAYLOAD_TOO_LARGE)
        } else {
            Problem::new(StatusCode::BAD_REQUEST, "bad_request", "请求体读取失败或不完整")
        }
    })?;
    decode_body(&bytes, whole)
}

/// A JSON body read as [`ApiJson`] (`whole`: as [`ApiPut`]) reads it: no field
/// the input does not have, with `whole` every field [`put_required`] names,
/// then the input itself.
pub fn decode_body<T>(bytes: &[u8], whole: bool) -> Result<T, Problem>
where
    T: DeserializeOwned + utoipa::PartialSchema,
{
    // the fields the input has, from its schema (the OpenAPI document's)
    if let (Some(known), Ok(serde_json::Value::Object(body))) =
        (schema_fields::<T>(), serde_json::from_slice::<serde_json::Value>(bytes))
    {
        if let Some(unknown) = body.keys().find(|k| !known.iter().any(|f| f == *k)) {
            let detail = format!("没有这个字段（可用字段：{}）", known.join("、"));
            return Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", format!("字段 {unknown}：{detail}"))
                .with_field(unknown.clone(), detail));
        }
        if whole {
            let missing: Vec<&str> =
                put_required(known.iter().map(String::as_str)).into_iter().filter(|f| !body.contains_key(*f)).collect();
            if !missing.is_empty() {
                let detail = "PUT 须提交记录的全部字段（清空请传 null 或空字符串）";
                let mut p = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    format!("缺少字段：{}。{detail}", missing.join("、")),
                );
                for f in missing {
                    p = p.with_field(f, "缺少该字段");
                }
                return Err(p);
            }
        }
    }
    from_json(bytes)
}

/// The property names of an input's schema; None when it is not a plain object.
fn schema_fields<T: utoipa::PartialSchema>() -> Option<Vec<String>> {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;
    match T::schema() {
        RefOr::T(Schema::Object(o)) if !o.properties.is_empty() => Some(o.properties.keys().cloned().collect()),
        _ => None,
    }
}

/// A query string.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        from_query(parts.uri.query().unwrap_or_default()).map(ApiQuery)
    }
}

/// Path parameters.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) if e.status().is_client_error() => {
                use axum::extract::path::ErrorKind;
                let (key, expected) = match e.kind() {
                    ErrorKind::ParseErrorAtKey { key, expected_type, .. } => (Some(key.as_str()), Some(*expected_type)),
                    ErrorKind::ParseError { expected_type, .. }
                    | ErrorKind::ParseErrorAtIndex { expected_type, .. } => (None, Some(*expected_type)),
                    ErrorKind::InvalidUtf8InPathParam { key } | ErrorKind::DeserializeError { key, .. } => {
                        (Some(key.as_str()), None)
                    }
                    _ => (None, None),
                };
                // a single parameter (`Path<i64>`) is not named in the error: the route names it
                let only = match RawPathParams::from_request_parts(parts, state).await {
                    Ok(raw) if raw.iter().count() == 1 => raw.iter().next().map(|(k, _)| k.to_owned()),
                    _ => None,
                };
                let key = key.map(str::to_owned).or(only);
                let key = key.as_deref();
                let what = match (key, expected) {
                    (Some(k), Some(t)) => format!("地址中的 {k} 应为{}", expected_cn(t)),
                    (None, Some(t)) => format!("地址中的参数应为{}", expected_cn(t)),
                    (Some(k), None) => format!("地址中的 {k} 无效"),
                    (None, None) => "地址中的参数无效".to_owned(),
                };
                Err(Problem::new(StatusCode::NOT_FOUND, "not_found", format!("记录不存在：{what}")))
            }
            Err(r) => {
                // the route and the handler disagree: a programming error
                tracing::error!(rejection = %r.body_text(), "path parameters");
                Err(Problem::internal())
            }
        }
    }
}

/// `application/json` or `application/…+json`, with or without parameters.
pub fn is_json_type(ctype: &str) -> bool {
    let mime = ctype.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

fn json_content_type(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(is_json_type)
}

/// A JSON document into `T`, with Chinese errors naming the field.
pub fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = match serde_path_to_error::deserialize(&mut de) {
        Ok(v) => v,
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            return Err(match inner.classify() {
                serde_json::error::Category::Data => {
                    let text = inner.to_string();
                    let msg = strip_position(&text);
                    field_problem("字段", &path, msg)
                }
                _ => syntax_problem(&inner),
            });
        }
    };
    de.end().map_err(|e| syntax_problem(&e))?;
    Ok(value)
}

/// A query string into `T`, with Chinese errors naming the parameter.
pub fn from_query<T: DeserializeOwned>(query: &str) -> Result<T, Problem> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        field_problem("查询参数", &path, &e.inner().to_string())
    })
}

fn syntax_problem(e: &serde_json::Error) -> Problem {
    let message = if e.is_eof() {
        "请求体为空或 JSON 不完整".to_owned()
    } else {
        format!("请求体不是有效的 JSON（第 {} 行第 {} 列）", e.line(), e.column())
    };
    Problem::new(StatusCode::BAD_REQUEST, "bad_json", message)
}

/// serde_json appends " at line L column C" to its messages.
fn strip_position(text: &str) -> &str {
    match text.rfind(" at line ") {
        Some(i) if text[i..].contains(" column ") => &text[..i],
        _ => text,
    }
}

/// A serde error written as `path: message` (serde_path_to_error's form, as
/// axum's rejections carry it) into a 422 naming the field. `kind` says what
/// the field is, in Chinese (字段, 查询参数, 表单字段).
pub fn serde_problem(kind: &str, text: &str) -> Problem {
    let text = strip_position(text.trim());
    match text.split_once(": ") {
        Some((path, msg)) if !path.is_empty() && !path.contains(char::is_whitespace) && !path.contains('`') => {
            field_problem(kind, path, msg)
        }
        _ => field_problem(kind, ".", text),
    }
}

/// One field error from serde's wording. `path` is serde_path_to_error's
/// (`.` for the whole document, `?` for a segment it could not tell).
fn field_problem(kind: &str, path: &str, msg: &str) -> Problem {
    let base = path.trim_matches(|c| c == '.' || c == '?');
    let (field, detail) = describe(base, msg);
    if field.is_empty() {
        let whole = if kind == "字段" { format!("请求体{detail}") } else { format!("{kind}有误：{detail}") };
        return Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", whole);
    }
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", format!("{kind} {field}：{detail}"))
        .with_field(field, detail)
}

/// The tokens between backticks, in order.
fn quoted(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

fn join(base: &str, name: &str) -> String {
    if base.is_empty() { name.to_owned() } else { format!("{base}.{name}") }
}

/// The field a serde message is about and a Chinese description.
fn describe(base: &str, msg: &str) -> (String, String) {
    let first = || quoted(msg).first().map(|s| s.to_string()).unwrap_or_default();
    if msg.starts_with("missing field") {
        return (join(base, &first()), "缺少必填字段".into());
    }
    if msg.starts_with("unknown field") {
        return (join(base, &first()), "不支持的字段".into());
    }
    if msg.starts_with("duplicate field") {
        return (join(base, &first()), "字段重复".into());
    }
    let detail = if msg.starts_with("unknown variant") {
        let q = quoted(msg);
        let allowed: Vec<&str> = q.iter().skip(1).copied().collect();
        if allowed.is_empty() {
            format!("取值 {} 无效", first())
        } else {
            format!("取值 {} 无效，可选：{}", first(), allowed.join("、"))
        }
    } else if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let expected = rest.split_once("expected ").map(|(_, e)| e).unwrap_or("");
        if base.is_empty() && (expected.starts_with("struct") || expected.contains("map")) {
            return (String::new(), "应为 JSON 对象".into());
        }
        format!("类型不正确，应为{}", expected_cn(expected))
    } else if let Some(rest) = msg.strip_prefix("invalid value: ") {
        let expected = rest.split_once("expected ").map(|(_, e)| e).unwrap_or("");
        format!("取值无效，应为{}", expected_cn(expected))
    } else if msg.starts_with("invalid length") {
        "长度不正确".into()
    } else if msg.starts_with("invalid digit") {
        "应为整数".into()
    } else if msg.starts_with("number too large") || msg.starts_with("number too small") {
        "数值超出范围".into()
    } else if msg.starts_with("cannot parse integer from empty string") {
        "不能为空，应为整数".into()
    } else if msg.starts_with("invalid float literal") {
        "应为数字".into()
    } else if msg.contains("`true` or `false`") {
        "应为 true 或 false".into()
    } else if msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        // a message of our own (a Deserialize impl with Chinese text) is kept
        msg.to_owned()
    } else {
        "格式不正确".into()
    };
    (base.to_owned(), detail)
}

/// serde's "expected …" (or a Rust type name) in Chinese.
fn expected_cn(expected: &str) -> &'static str {
    let e = expected.trim();
    let int = ["i8", "i16", "i32", "i64", "i128", "u8", "u16", "u32", "u64", "u128", "isize", "usize", "integer"];
    if e.contains("string") || e.contains("str") || e.contains("char") {
        "字符串"
    } else if int.iter().any(|t| e == *t || e.starts_with(&format!("{t} ")) || e.ends_with(&format!(" {t}"))) {
        "整数"
    } else if e.contains("f32") || e.contains("f64") || e.contains("float") || e.contains("number") {
        "数字"
    } else if e.contains("bool") {
        "布尔值（true 或 false）"
    } else if e.contains("sequence") || e.contains("array") || e.contains("tuple") {
        "数组"
    } else if e.contains("struct") || e.contains("map") {
        "对象"
    } else {
        "正确的格式"
    }
}

/// A form body (`application/x-www-form-urlencoded`) read into the same
/// input struct the JSON API takes: fields become a JSON object of strings
/// (a repeated field an array), the CSRF token is set aside, and the struct's
/// lenient readers accept the strings. So a form and a JSON body go through
/// one type, with one set of rules and messages.
pub struct FormInput<T>(pub T);

/// A form's rejection: the Chinese error page (forms are pages).
pub struct PageProblem(pub Problem);

impl axum::response::IntoResponse for PageProblem {
    fn into_response(self) -> axum::response::Response {
        self.0.render(false)
    }
}

impl<T, S> FromRequest<S> for FormInput<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = PageProblem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Self::read(req, state).await.map_err(PageProblem)
    }
}

impl<T: DeserializeOwned> FormInput<T> {
    async fn read<S: Send + Sync>(req: Request, state: &S) -> Result<Self, Problem> {
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        if !form {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请通过页面上的表单提交（Content-Type: application/x-www-form-urlencoded）",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::for_status(StatusCode::PAYLOAD_TOO_LARGE)
            } else {
                Problem::new(StatusCode::BAD_REQUEST, "bad_request", "表单读取失败或不完整")
            }
        })?;
        let value = form_object(&bytes);
        let text =
            serde_json::to_vec(&value).map_err(|_| Problem::new(StatusCode::BAD_REQUEST, "bad_request", "表单有误"))?;
        from_json(&text).map(FormInput)
    }
}

/// Form pairs as a JSON object: `a=1&b=2&b=3` → `{"a":"1","b":["2","3"]}`.
pub fn form_object(bytes: &[u8]) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (k, v) in form_urlencoded::parse(bytes) {
        if k == "_csrf" {
            continue;
        }
        let v = serde_json::Value::String(v.into_owned());
        match map.get_mut(k.as_ref()) {
            None => {
                map.insert(k.into_owned(), v);
            }
            Some(serde_json::Value::Array(a)) => a.push(v),
            Some(old) => {
                let first = old.take();
                *old = serde_json::Value::Array(vec![first, v]);
            }
        }
    }
    serde_json::Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Input {
        name: String,
        count: Option<i64>,
        tags: Option<Vec<String>>,
    }

    fn field(p: &Problem) -> &str {
        p.fields.first().map(|f| f.field.as_str()).unwrap_or("")
    }

    #[test]
    fn json_errors_name_the_field() {
        let p = from_json::<Input>(br#"{"count": 1}"#).expect_err("missing");
        assert_eq!((p.status.as_u16(), p.code, field(&p)), (422, "invalid", "name"));
        assert_eq!(p.message, "字段 name：缺少必填字段");
        let p = from_json::<Input>(br#"{"name": "a", "count": "x"}"#).expect_err("type");
        assert_eq!((field(&p), p.fields[0].message.as_str()), ("count", "类型不正确，应为整数"));
        let p = from_json::<Input>(br#"{"name": "a", "tags": [1]}"#).expect_err("nested");
        assert_eq!(field(&p), "tags[0]");
        let p = from_json::<Input>(br#"{"name": "#).expect_err("syntax");
        assert_eq!((p.status.as_u16(), p.code), (400, "bad_json"));
        let p = from_json::<Input>(br#"{"name": "a"} x"#).expect_err("trailing");
        assert_eq!(p.code, "bad_json");
        let p = from_json::<Input>(b"1").expect_err("not an object");
        assert_eq!((p.code, p.message.as_str()), ("invalid", "请求体应为 JSON 对象"));
    }

    #[test]
    fn query_errors_name_the_parameter() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Q {
            page: Option<u64>,
            on: Option<bool>,
        }
        let p = from_query::<Q>("page=abc").expect_err("digit");
        assert_eq!((p.status.as_u16(), field(&p), p.message.as_str()), (422, "page", "查询参数 page：应为整数"));
        let p = from_query::<Q>("on=yes").expect_err("bool");
        assert_eq!(field(&p), "on");
        assert!(from_query::<Q>("page=2&on=true").is_ok());
    }

    #[test]
    fn axum_texts_are_classified() {
        let p = serde_problem("查询参数", "page: invalid digit found in string");
        assert_eq!((field(&p), p.message.as_str()), ("page", "查询参数 page：应为整数"));
        let p = serde_problem("字段", "missing field `name` at line 1 column 2");
        assert_eq!(field(&p), "name");
        let p = serde_problem("字段", "invalid type: integer `1`, expected a string at line 1 column 9");
        assert_eq!(p.code, "invalid");
        assert!(is_json_type("application/json; charset=utf-8") && is_json_type("application/problem+json"));
        assert!(!is_json_type("text/plain"));
    }
}
