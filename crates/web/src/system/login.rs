//! Login.

use crate::AppState;
use crate::error::WebError;
use crate::routes::Routes;
use crate::security::{Auth, CSRF_COOKIE, ClientAddr, SESSION_COOKIE, cookie, secure_for, set_cookie};
use crate::ui::{Field, FormPage, Kind, attach};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Access;
use hongling_domain::Action;
use hongling_service::{Error, FieldError};
use serde::Deserialize;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/login", Access::Public, login_form)
        .post("/login", Access::Public, login)
        .post("/logout", Access::Public, logout)
        .get("/account/password", Action::Account, password_form)
        .post("/account/password", Action::Account, password_change)
}

#[derive(Template)]
#[template(path = "system/login.html")]
struct LoginPage {
    csrf: String,
    error: Option<String>,
    username: String,
    next: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only a same-site path made of safe characters is followed after login:
/// no other host (`//`, `/\\`), and no whitespace or control character that a
/// browser would drop to make one (`/%09/evil.example/` decodes to a tab).
pub(crate) fn safe_next(next: Option<&str>) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-._~/?=&%+,;:@".contains(c);
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && n.len() <= 2000 && n.chars().all(safe) => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn login_page(
    st: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<String>,
    username: String,
    next: String,
) -> Response {
    let (csrf, fresh) = match cookie(headers, CSRF_COOKIE) {
        Some(c) => (c.to_owned(), false),
        None => (hongling_service::secret::random_token(), true),
    };
    let mut res = render(&LoginPage { csrf: csrf.clone(), error, username, next });
    *res.status_mut() = status;
    if fresh {
        res.headers_mut()
            .append(header::SET_COOKIE, set_cookie(CSRF_COOKIE, &csrf, secure_for(&st.cfg, headers), None));
    }
    res
}

async fn login_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    auth: axum::Extension<Auth>,
    Query(q): Query<NextQuery>,
) -> Response {
    if matches!(auth.0, Auth::Session { .. }) {
        return Redirect::to("/").into_response();
    }
    login_page(&st, &headers, StatusCode::OK, None, String::new(), safe_next(q.next.as_deref()))
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(st): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    match st.app.login(&f.username, &f.password, &client).await {
        Ok(ok) => {
            let mut res = Redirect::to(&next).into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &ok.session_token, secure_for(&st.cfg, &headers), None),
            );
            res
        }
        Err(e @ (Error::BadCredentials | Error::Throttled(_) | Error::Disabled)) => {
            let status = crate::error::status_of(&e);
            let mut res = login_page(&st, &headers, status, Some(e.to_string()), f.username, next);
            if let Error::Throttled(s) = e
                && let Ok(v) = header::HeaderValue::from_str(&s.to_string())
            {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        Err(e) => WebError::page(e).into_response(),
    }
}

async fn logout(State(st): State<AppState>, headers: HeaderMap, auth: axum::Extension<Auth>) -> Response {
    if let Auth::Session { token, .. } = &auth.0
        && let Err(e) = st.app.logout(token).await
    {
        return WebError::page(e).into_response();
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", secure_for(&st.cfg, &headers), Some(0)));
    res
}

/// The change-password form on the shared form page, with the errors under their fields.
async fn password_page(st: &AppState, pu: &PageUser, errors: &[FieldError]) -> Response {
    let layout = pu.layout(st, "", "修改密码").await.crumb("修改密码", None);
    let mut page = FormPage::new(layout, "修改密码", "/account/password", "/");
    page.fields = vec![
        Field::new("current", "当前密码", Kind::Password, "").required(),
        Field::new("new", "新密码", Kind::Password, "").required().hint("至少 10 位，须同时包含字母和数字"),
    ];
    page.errors = attach(&mut page.fields, errors);
    let mut res = render(&page);
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

async fn password_form(State(st): State<AppState>, pu: PageUser) -> Response {
    password_page(&st, &pu, &[]).await
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
}

async fn password_change(
    State(st): State<AppState>,
    pu: PageUser,
    ClientAddr(client): ClientAddr,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let keep = Some(pu.session_token());
    match st.app.system().change_own_password(&pu.user, &f.current, &f.new, &client, keep).await {
        Ok(()) => Ok(pu
            .redirect(
                &st,
                "/account/password",
                hongling_service::auth::Flash::ok("密码已修改。您在其他地方的登录和 API 令牌已全部失效。"),
            )
            .await),
        Err(Error::Invalid(errors)) => Ok(password_page(&st, &pu, &errors).await),
        Err(e) => Err(e.into()),
    }
}
