//! One service error, two renderings: a Chinese HTML page or `{code, message}` JSON.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hongling_service::Error;
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
    /// Stable identifier: not_found, forbidden, unauthenticated, invalid, conflict, internal…
    pub code: &'static str,
    /// A Chinese message for people.
    pub message: String,
    /// Per-field messages for `invalid`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ApiFieldError>,
}

/// A message about one input field.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiFieldError {
    pub field: String,
    pub message: String,
}

pub fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::NotFound => StatusCode::NOT_FOUND,
        Error::Forbidden(_) | Error::Denied(_) => StatusCode::FORBIDDEN,
        Error::Unauthenticated | Error::BadCredentials => StatusCode::UNAUTHORIZED,
        Error::Locked(_) => StatusCode::LOCKED,
        Error::Disabled => StatusCode::FORBIDDEN,
        Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[derive(Template)]
#[template(path = "ui/error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title: &'static str,
    pub message: String,
}

pub fn error_page(status: StatusCode, message: String) -> Response {
    let title = match status {
        StatusCode::NOT_FOUND => "页面或记录不存在",
        StatusCode::FORBIDDEN => "无权访问",
        StatusCode::INTERNAL_SERVER_ERROR => "系统错误",
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
        let status = status_of(&self.err);
        if self.json {
            let body = ApiError {
                code: self.err.code(),
                message: self.err.to_string(),
                fields: self
                    .err
                    .field_errors()
                    .iter()
                    .map(|f| ApiFieldError { field: f.field.clone(), message: f.message.clone() })
                    .collect(),
            };
            return (status, Json(body)).into_response();
        }
        if matches!(self.err, Error::Unauthenticated) {
            return Redirect::to("/login").into_response();
        }
        error_page(status, self.err.to_string())
    }
}

impl From<Error> for WebError {
    fn from(err: Error) -> Self {
        Self::page(err)
    }
}
