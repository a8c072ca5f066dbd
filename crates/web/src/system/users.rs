//! Users.

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::layout::{Layout, Pager};
use crate::routes::Routes;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Action;
use hongling_domain::{RegionCode, Role};
use hongling_service::models;
use hongling_service::system::users::{NewUser, ScopeInput, UserFilter};
use hongling_service::{Error, FieldError, PageRequest};
use serde::Deserialize;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/system/users", Action::UsersManage, users)
        .post("/system/users", Action::UsersManage, user_create)
        .get("/system/users/new", Action::UsersManage, user_new)
        .get("/system/users/{id}", Action::UsersManage, user_detail)
        .post("/system/users/{id}/disable", Action::UsersManage, user_disable)
        .post("/system/users/{id}/enable", Action::UsersManage, user_enable)
        .post("/system/users/{id}/reset-password", Action::UsersManage, user_reset)
}

/// A user as the list and detail pages show it.
struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    role: &'static str,
    scope: String,
    disabled: bool,
    locked: bool,
    created_at: String,
    updated_at: String,
}

impl UserRow {
    fn new(u: &models::User, scope: String, now: time::OffsetDateTime) -> Self {
        Self {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: Role::parse(&u.role).map(Role::label).unwrap_or("未知角色"),
            scope,
            disabled: u.disabled,
            locked: fmt::now_is_after(u.locked_until, now),
            created_at: fmt::datetime(u.created_at),
            updated_at: fmt::datetime(u.updated_at),
        }
    }
}

fn role_options() -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect()
}

#[derive(Template)]
#[template(path = "system/users.html")]
struct UsersPage {
    layout: Layout,
    notice: Option<String>,
    q: String,
    role: String,
    roles: Vec<(&'static str, &'static str)>,
    rows: Vec<UserRow>,
    pager: Pager,
}

#[derive(Deserialize, Default)]
struct UsersQuery {
    q: Option<String>,
    role: Option<String>,
    page: Option<u64>,
    ok: Option<String>,
}

async fn user_row(st: &AppState, u: &models::User) -> UserRow {
    UserRow::new(u, scope_text(st, u).await, st.app.now())
}

async fn scope_text(st: &AppState, u: &models::User) -> String {
    let name = match RegionCode::parse(&u.scope_region) {
        Ok(c) => st.app.region_full_name(&c).await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    match u.scope_ref_id {
        Some(id) if u.scope_kind == "org" => format!("社会组织 #{id}（{name}）"),
        Some(id) => format!("党组织 #{id}（{name}）"),
        None => format!("{name}（{}）", u.scope_region),
    }
}

async fn users(State(st): State<AppState>, pu: PageUser, Query(q): Query<UsersQuery>) -> Result<Response, WebError> {
    let role = q.role.clone().unwrap_or_default();
    let filter = UserFilter { q: q.q.clone(), role: Role::parse(&role) };
    let p = PageRequest::new(q.page, None);
    let page = st.app.system().list_users(&pu.user, &filter, p).await?;
    let mut rows = Vec::with_capacity(page.items.len());
    for u in &page.items {
        rows.push(user_row(&st, u).await);
    }
    let pager = Pager::new(
        "/system/users",
        &[("q", q.q.clone().unwrap_or_default()), ("role", role.clone())],
        page.total,
        page.page,
        page.per_page,
    );
    Ok(render(&UsersPage {
        layout: pu.layout(&st, "users", "用户").await.crumb("系统管理", None).crumb("用户", None),
        notice: notice_text(q.ok.as_deref()),
        q: q.q.unwrap_or_default(),
        role,
        roles: role_options(),
        rows,
        pager,
    }))
}

#[derive(Deserialize, Default)]
struct UserForm {
    username: String,
    display_name: String,
    role: String,
    scope: String,
    password: Option<String>,
}

#[derive(Template)]
#[template(path = "system/user_new.html")]
struct UserNewPage {
    layout: Layout,
    form: UserForm,
    roles: Vec<(&'static str, &'static str)>,
    errors: Vec<FieldError>,
}

impl UserNewPage {
    fn err(&self, field: &str) -> Option<String> {
        field_error(&self.errors, field)
    }
}

async fn user_new(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    if !pu.user.role.manages_users() {
        return Err(WebError::page(Error::Forbidden("只有系统管理员可以管理用户")));
    }
    let form = UserForm { role: "registrar".into(), scope: pu.user.scope.region.to_string(), ..Default::default() };
    Ok(render(&UserNewPage {
        layout: pu
            .layout(&st, "users", "新增用户")
            .await
            .crumb("系统管理", None)
            .crumb("用户", Some("/system/users"))
            .crumb("新增", None),
        form,
        roles: role_options(),
        errors: vec![],
    }))
}

/// `370502`, `org:12`, `party_org:3`, or a region code followed by its name from the picker.
fn parse_scope_input(s: &str) -> Result<ScopeInput, Error> {
    let s = s.trim();
    let bad = || Error::invalid("scope", "请填写行政区划代码（如 370502），或 org:组织编号");
    if let Some(id) = s.strip_prefix("org:") {
        return id.trim().parse().map(ScopeInput::Org).map_err(|_| bad());
    }
    if let Some(id) = s.strip_prefix("party_org:") {
        return id.trim().parse().map(ScopeInput::PartyOrg).map_err(|_| bad());
    }
    let code: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    RegionCode::parse(&code).map(ScopeInput::Region).map_err(|_| bad())
}

async fn user_create(State(st): State<AppState>, pu: PageUser, Form(f): Form<UserForm>) -> Result<Response, WebError> {
    let result = async {
        let role = Role::parse(&f.role).ok_or_else(|| Error::invalid("role", "请选择角色"))?;
        let scope = parse_scope_input(&f.scope)?;
        let password = f.password.clone().filter(|p| !p.is_empty());
        st.app
            .system()
            .create_user(
                &hongling_service::Principal::User(pu.user.clone()),
                NewUser { username: f.username.clone(), display_name: f.display_name.clone(), role, scope, password },
            )
            .await
    }
    .await;
    match result {
        Ok((u, secret)) => match secret {
            Some(s) => user_detail_page(&st, &pu, u.id, Some("已新增用户。".into()), Some(s)).await,
            None => Ok(Redirect::to(&format!("/system/users/{}?ok=created", u.id)).into_response()),
        },
        Err(Error::Invalid(errors)) => {
            let mut res = render(&UserNewPage {
                layout: pu
                    .layout(&st, "users", "新增用户")
                    .await
                    .crumb("系统管理", None)
                    .crumb("用户", Some("/system/users"))
                    .crumb("新增", None),
                form: UserForm { password: None, ..f },
                roles: role_options(),
                errors,
            });
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "system/user_detail.html")]
struct UserDetailPage {
    layout: Layout,
    notice: Option<String>,
    secret: Option<String>,
    user: UserRow,
    is_self: bool,
}

async fn user_detail_page(
    st: &AppState,
    pu: &PageUser,
    id: i64,
    notice: Option<String>,
    secret: Option<String>,
) -> Result<Response, WebError> {
    let u = st.app.system().get_user(&pu.user, id).await?;
    let row = user_row(st, &u).await;
    Ok(render(&UserDetailPage {
        layout: pu
            .layout(st, "users", "用户详情")
            .await
            .crumb("系统管理", None)
            .crumb("用户", Some("/system/users"))
            .crumb(u.username.clone(), None),
        notice,
        secret,
        is_self: u.id == pu.user.id,
        user: row,
    }))
}

#[derive(Deserialize)]
pub(super) struct OkQuery {
    pub ok: Option<String>,
}

async fn user_detail(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, WebError> {
    user_detail_page(&st, &pu, id, notice_text(q.ok.as_deref()), None).await
}

async fn user_disable(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    st.app.system().set_user_disabled(&pu.user, id, true).await?;
    Ok(Redirect::to(&format!("/system/users/{id}?ok=disabled")).into_response())
}

async fn user_enable(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    st.app.system().set_user_disabled(&pu.user, id, false).await?;
    Ok(Redirect::to(&format!("/system/users/{id}?ok=enabled")).into_response())
}

async fn user_reset(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let (_, pw) = st.app.system().reset_password(&pu.user, id).await?;
    user_detail_page(&st, &pu, id, Some("密码已重置，账号已解除锁定。".into()), Some(pw)).await
}
