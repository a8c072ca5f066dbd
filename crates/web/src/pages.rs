//! HTML pages. Handlers translate forms and query strings into service calls
//! and render templates; rules live in the domain and service layers.

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hongling_domain::{RegionCode, RegionLevel, Role, UrbanRural};
use hongling_service::audit::AuditQuery;
use hongling_service::models;
use hongling_service::system::users::{NewUser, ScopeInput, UserFilter};
use hongling_service::{CurrentUser, Error, FieldError, PageRequest};
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::layout::{Layout, Pager};
use crate::security::{Auth, CSRF_COOKIE, SESSION_COOKIE, cookie, set_cookie};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/account/password", get(password_form).post(password_change))
        .route("/system/users", get(users).post(user_create))
        .route("/system/users/new", get(user_new))
        .route("/system/users/{id}", get(user_detail))
        .route("/system/users/{id}/disable", post(user_disable))
        .route("/system/users/{id}/enable", post(user_enable))
        .route("/system/users/{id}/reset-password", post(user_reset))
        .route("/system/audit", get(audit))
        .route("/system/regions", get(regions))
        .route("/system/regions/options", get(region_options))
}

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
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Auth>() {
            Some(Auth::Session { info, .. }) => Ok(PageUser { user: info.user.clone(), csrf: info.csrf_token.clone() }),
            _ => {
                let next = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let q = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                Err(Redirect::to(&format!("/login?{q}")).into_response())
            }
        }
    }
}

impl PageUser {
    pub async fn layout(&self, st: &AppState, active: &'static str, title: &str) -> Layout {
        Layout::new(&st.app, &self.user, &self.csrf, active, title).await
    }
}

pub async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return WebError::api(Error::NotFound).into_response();
    }
    crate::error::error_page(StatusCode::NOT_FOUND, "您访问的页面不存在。".into())
}

fn field_error(errors: &[FieldError], field: &str) -> Option<String> {
    errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
}

fn notice_text(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "created" => "已保存。",
            "disabled" => "已停用该用户，其登录会话已失效。",
            "enabled" => "已启用该用户。",
            "password" => "密码已修改。",
            _ => return None,
        }
        .to_owned(),
    )
}

// ---------- login ----------

#[derive(Template)]
#[template(path = "login.html")]
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

/// Only local paths are followed after login (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_owned(),
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
        res.headers_mut().append(header::SET_COOKIE, set_cookie(CSRF_COOKIE, &csrf, st.cfg.secure_cookies, None));
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

async fn login(State(st): State<AppState>, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    let next = safe_next(f.next.as_deref());
    match st.app.login(&f.username, &f.password).await {
        Ok(ok) => {
            let mut res = Redirect::to(&next).into_response();
            res.headers_mut()
                .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &ok.session_token, st.cfg.secure_cookies, None));
            res
        }
        Err(e @ (Error::BadCredentials | Error::Locked(_) | Error::Disabled)) => {
            let status = crate::error::status_of(&e);
            login_page(&st, &headers, status, Some(e.to_string()), f.username, next)
        }
        Err(e) => WebError::page(e).into_response(),
    }
}

async fn logout(State(st): State<AppState>, auth: axum::Extension<Auth>) -> Response {
    if let Auth::Session { token, .. } = &auth.0
        && let Err(e) = st.app.logout(token).await
    {
        return WebError::page(e).into_response();
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", st.cfg.secure_cookies, Some(0)));
    res
}

// ---------- dashboard ----------

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    figures: hongling_service::system::dashboard::DashboardFigures,
    counties: String,
    townships: String,
    villages: String,
    urban: String,
    users: String,
    registered: String,
    filed: String,
    applying: String,
    sync_pending: String,
    supervised: String,
    closed: String,
}

async fn dashboard(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    // a party secretary's or member's workbench is their party organization
    if let Some(own) = hongling_service::party::own_party_org(&pu.user) {
        return Ok(Redirect::to(&format!("/party/orgs/{own}")).into_response());
    }
    let figures = st.app.system().dashboard(&pu.user).await?;
    let page = DashboardPage {
        layout: pu.layout(&st, "dashboard", "工作台").await,
        counties: fmt::thousands(figures.counties),
        townships: fmt::thousands(figures.townships),
        villages: fmt::thousands(figures.villages),
        urban: fmt::thousands(figures.urban_communities),
        users: fmt::thousands(figures.users as i64),
        registered: fmt::thousands(figures.registered_active),
        filed: fmt::thousands(figures.filed_active),
        applying: fmt::thousands(figures.applying),
        sync_pending: fmt::thousands(figures.sync_pending),
        supervised: fmt::thousands(figures.supervised),
        closed: fmt::thousands(figures.closed),
        figures,
    };
    Ok(render(&page))
}

// ---------- users ----------

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
#[template(path = "users.html")]
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
#[template(path = "user_new.html")]
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
#[template(path = "user_detail.html")]
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
struct OkQuery {
    ok: Option<String>,
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

// ---------- own password ----------

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    layout: Layout,
    notice: Option<String>,
    errors: Vec<FieldError>,
}

impl PasswordPage {
    fn err(&self, field: &str) -> Option<String> {
        field_error(&self.errors, field)
    }
}

async fn password_form(State(st): State<AppState>, pu: PageUser, Query(q): Query<OkQuery>) -> Response {
    render(&PasswordPage {
        layout: pu.layout(&st, "", "修改密码").await.crumb("修改密码", None),
        notice: notice_text(q.ok.as_deref()),
        errors: vec![],
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
}

async fn password_change(
    State(st): State<AppState>,
    pu: PageUser,
    Form(f): Form<PasswordForm>,
) -> Result<Response, WebError> {
    match st.app.system().change_own_password(&pu.user, &f.current, &f.new).await {
        Ok(()) => Ok(Redirect::to("/account/password?ok=password").into_response()),
        Err(Error::Invalid(errors)) => {
            let mut res = render(&PasswordPage {
                layout: pu.layout(&st, "", "修改密码").await.crumb("修改密码", None),
                notice: None,
                errors,
            });
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- audit ----------

#[derive(Deserialize, Default)]
struct AuditForm {
    actor: Option<String>,
    action: Option<String>,
    entity_type: Option<String>,
    entity_id: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<u64>,
}

struct AuditFilterText {
    actor: String,
    action: String,
    entity_type: String,
    entity_id: String,
    from: String,
    until: String,
}

struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    entity_type: String,
    entity_id: String,
    summary: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    f: AuditFilterText,
    rows: Vec<AuditRow>,
    pager: Pager,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

async fn audit(State(st): State<AppState>, pu: PageUser, Query(q): Query<AuditForm>) -> Result<Response, WebError> {
    let query = AuditQuery {
        actor: non_empty(&q.actor),
        action: non_empty(&q.action),
        entity_type: non_empty(&q.entity_type),
        entity_id: non_empty(&q.entity_id),
        from: q.from.as_deref().and_then(fmt::parse_date),
        until: q.until.as_deref().and_then(fmt::parse_date),
    };
    let page = st.app.list_audit(&pu.user, &query, PageRequest::new(q.page, None)).await?;
    let f = AuditFilterText {
        actor: q.actor.unwrap_or_default(),
        action: q.action.unwrap_or_default(),
        entity_type: q.entity_type.unwrap_or_default(),
        entity_id: q.entity_id.unwrap_or_default(),
        from: q.from.unwrap_or_default(),
        until: q.until.unwrap_or_default(),
    };
    let pager = Pager::new(
        "/system/audit",
        &[
            ("actor", f.actor.clone()),
            ("action", f.action.clone()),
            ("entity_type", f.entity_type.clone()),
            ("entity_id", f.entity_id.clone()),
            ("from", f.from.clone()),
            ("until", f.until.clone()),
        ],
        page.total,
        page.page,
        page.per_page,
    );
    let rows = page
        .items
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: fmt::datetime(e.at),
            actor: e.actor,
            action: e.action,
            entity_type: e.entity_type,
            entity_id: e.entity_id,
            summary: e.summary,
            before: e.before_json,
            after: e.after_json,
        })
        .collect();
    Ok(render(&AuditPage {
        layout: pu.layout(&st, "audit", "审计日志").await.crumb("系统管理", None).crumb("审计日志", None),
        f,
        rows,
        pager,
    }))
}

// ---------- regions ----------

struct RegionChild {
    code: String,
    name: String,
    level: &'static str,
    class: &'static str,
    has_children: bool,
}

#[derive(Template)]
#[template(path = "regions.html")]
struct RegionsPage {
    layout: Layout,
    region: models::Region,
    full_name: String,
    level: &'static str,
    path: Vec<(String, String)>,
    children: Vec<RegionChild>,
}

#[derive(Deserialize)]
struct CodeQuery {
    code: Option<String>,
}

fn level_label(l: i16) -> &'static str {
    RegionLevel::from_number(l as i32).map(RegionLevel::label).unwrap_or("")
}

async fn regions(State(st): State<AppState>, pu: PageUser, Query(q): Query<CodeQuery>) -> Result<Response, WebError> {
    let root = pu.user.region_prefix()?.clone();
    let code = q.code.filter(|c| !c.is_empty()).unwrap_or_else(|| root.to_string());
    let (region, kids) = st.app.region_with_children(&pu.user, &code).await?;
    let rc = RegionCode::parse(&region.code).map_err(|_| Error::NotFound)?;
    let mut path = Vec::new();
    for a in rc.ancestors().into_iter().chain(std::iter::once(rc.clone())) {
        if root.contains(&a)
            && let Some(r) = st.app.region(a.as_str()).await?
        {
            path.push((r.code, r.name));
        }
    }
    let children = kids
        .into_iter()
        .map(|c| RegionChild {
            has_children: c.level < RegionLevel::Village.number() as i16,
            level: level_label(c.level),
            class: c.urban_rural.as_deref().and_then(UrbanRural::parse).map(UrbanRural::label).unwrap_or(""),
            code: c.code,
            name: c.name,
        })
        .collect();
    Ok(render(&RegionsPage {
        layout: pu.layout(&st, "regions", "行政区划").await.crumb("系统管理", None).crumb("行政区划", None),
        full_name: st.app.region_full_name(&rc).await?,
        level: level_label(region.level),
        region,
        path,
        children,
    }))
}

/// `<option>`s for the region pickers (htmx sends the input under its own
/// name: q, scope, region, region_code, authority_region), limited to the
/// caller's scope.
async fn region_options(
    State(st): State<AppState>,
    pu: PageUser,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    let text = ["q", "scope", "region", "region_code", "authority_region"]
        .iter()
        .find_map(|k| q.get(*k).filter(|v| !v.trim().is_empty()).cloned())
        .unwrap_or_default();
    let text = text.trim();
    if text.is_empty() {
        return Ok(Html(String::new()).into_response());
    }
    let found = if text.chars().all(|c| c.is_ascii_digit()) {
        st.app.region(text).await?.filter(|r| pu.user.scope.sees_region(&r.code)).into_iter().collect()
    } else {
        st.app.search_regions(&pu.user, text, 20).await?
    };
    let mut html = String::new();
    for r in found {
        let full = match RegionCode::parse(&r.code) {
            Ok(c) => st.app.region_full_name(&c).await?,
            Err(_) => r.name.clone(),
        };
        html.push_str(&format!("<option value=\"{}\">{}</option>", fmt::html_escape(&r.code), fmt::html_escape(&full)));
    }
    Ok(Html(html).into_response())
}
