//! What every HTML page handler shares: rendering a template and the
//! signed-in user.

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use hongling_service::auth::Flash;
use hongling_service::{CurrentUser, Error};

use crate::AppState;
use crate::error::WebError;
use crate::layout::Layout;
use crate::security::Auth;

pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => WebError::page(Error::internal(e)).into_response(),
    }
}

/// A signed-in user on a page (cookie session). Anonymous visitors are sent to
/// the login page and come back afterwards.
pub struct PageUser {
    pub user: CurrentUser,
    pub csrf: String,
    /// The session token (to leave or clear a flash message).
    token: String,
    /// The message left for this page by the previous request.
    flash: Option<Flash>,
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Auth>() {
            Some(Auth::Session { info, token }) => Ok(PageUser {
                user: info.user.clone(),
                csrf: info.csrf_token.clone(),
                token: token.clone(),
                flash: info.flash.clone(),
            }),
            _ => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let q = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                Err(Redirect::to(&format!("/login?{q}")).into_response())
            }
        }
    }
}

impl PageUser {
    /// The session token of this request (to keep this session when others end).
    pub fn session_token(&self) -> &str {
        &self.token
    }

    /// The shell of a page; it shows (once) the message the previous request
    /// left in the session.
    pub async fn layout(&self, st: &AppState, active: &'static str, title: &str) -> Layout {
        let mut l = Layout::new(&st.app, &self.user, &self.csrf, active, title).await;
        if let Some(f) = &self.flash {
            if let Err(e) = st.app.clear_flash(&self.token).await {
                tracing::warn!(error = %e, "could not clear a flash message");
            }
            l.flash = Some(f.clone());
        }
        l
    }

    /// Redirect with a message for the next page (kept in the session, not
    /// in the URL).
    pub async fn redirect(&self, st: &AppState, to: &str, flash: Flash) -> Response {
        if let Err(e) = st.app.set_flash(&self.token, &flash).await {
            tracing::warn!(error = %e, "could not leave a flash message");
        }
        Redirect::to(to).into_response()
    }
}

pub async fn not_found(uri: Uri) -> Response {
    if crate::error::is_api(uri.path()) {
        return crate::error::Problem::new(StatusCode::NOT_FOUND, "not_found", "接口不存在，请检查地址").json();
    }
    crate::error::error_page(StatusCode::NOT_FOUND, "您访问的页面不存在。".into())
}

pub fn xlsx_response(bytes: Vec<u8>, file_name: &str) -> Response {
    let encoded: String =
        serde_urlencoded::to_string([("n", file_name)]).unwrap_or_default().trim_start_matches("n=").to_owned();
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"export.xlsx\"; filename*=UTF-8''{encoded}")),
        ],
        bytes,
    )
        .into_response()
}
