//! One error type for the service layer, rendered by the web layer as a
//! Chinese page or as `{"code", "message"}` JSON, and by the CLI as text.
//!
//! Policy: expected failures (not found, invalid input, forbidden, conflicts)
//! are variants with a Chinese message for the user. Anything else is
//! `Internal`: logged in full on the server, shown to the user as a plain
//! "系统内部错误" without details.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("记录不存在或无权访问")]
    NotFound,
    #[error("{0}")]
    Forbidden(&'static str),
    /// The permission matrix does not grant the caller this action.
    #[error("当前账号无权{}", .0.label())]
    Denied(hongling_domain::Action),
    #[error("请先登录")]
    Unauthenticated,
    #[error("用户名或密码错误")]
    BadCredentials,
    /// The server is doing as much of this as it may at once (imports being read).
    #[error("{0}")]
    Busy(String),
    /// Too many attempts or calls: retry after this many seconds.
    #[error("操作过于频繁，请{}后再试", wait_text(*.0))]
    Throttled(i64),
    #[error("账号已停用，请联系管理员")]
    Disabled,
    #[error("{}", .0.first().map(|e| e.message.as_str()).unwrap_or("输入有误"))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error("系统内部错误，请稍后再试")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A wait in words: 17 秒, 9 分钟 (minutes rounded up).
pub fn wait_text(secs: i64) -> String {
    if secs < 60 { format!(" {} 秒", secs.max(1)) } else { format!(" {} 分钟", (secs + 59) / 60) }
}

impl Error {
    /// A stable identifier API clients can match on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound => "not_found",
            Error::Forbidden(_) | Error::Denied(_) => "forbidden",
            Error::Unauthenticated => "unauthenticated",
            Error::BadCredentials => "bad_credentials",
            Error::Throttled(_) | Error::Busy(_) => "too_many_requests",
            Error::Disabled => "account_disabled",
            Error::Invalid(_) => "invalid",
            Error::Conflict(_) => "conflict",
            Error::Internal(_) => "internal",
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Error::Invalid(vec![FieldError { field: field.to_owned(), message: message.into() }])
    }

    /// Wrap an unexpected failure; the detail is logged, never shown.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        let detail = e.to_string();
        tracing::error!(error = %detail, "internal error");
        Error::Internal(detail)
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Error::Invalid(v) => v,
            _ => &[],
        }
    }
}

impl From<hongling_domain::input::Violation> for FieldError {
    fn from(v: hongling_domain::input::Violation) -> Self {
        FieldError { field: v.field.to_owned(), message: v.message }
    }
}

/// The per-field violations of a domain draft or rule are invalid input.
impl From<Vec<hongling_domain::input::Violation>> for Error {
    fn from(v: Vec<hongling_domain::input::Violation>) -> Self {
        Error::Invalid(v.into_iter().map(FieldError::from).collect())
    }
}

impl From<hongling_domain::input::Violation> for Error {
    fn from(v: hongling_domain::input::Violation) -> Self {
        Error::Invalid(vec![v.into()])
    }
}

impl From<sea_orm::DbErr> for Error {
    fn from(e: sea_orm::DbErr) -> Self {
        Error::internal(e)
    }
}
