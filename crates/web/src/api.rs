//! The JSON API under `/api/v1`, described by an OpenAPI document.
//! Authentication: `Authorization: Bearer <token>` or the session cookie
//! (state-changing calls with the cookie also need `X-CSRF-Token`).

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use hongling_service::{CurrentUser, Error};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::AppState;
use crate::error::{ApiError, WebError};
use crate::security::Auth;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/regions/{code}", get(region))
        .route("/openapi.json", get(openapi))
        .route("/uscc/{code}", get(uscc_check))
        .route("/orgs", get(orgs_list).post(orgs_create))
        .route("/orgs/{id}", get(orgs_get).put(orgs_update))
        .route("/orgs/{id}/status", axum::routing::post(orgs_status))
        .route("/orgs/{id}/history", get(orgs_history))
}

/// The caller of an API route.
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Auth>().and_then(Auth::user) {
            Some(u) => Ok(ApiUser(u.clone())),
            None => Err(WebError::api(Error::Unauthenticated)),
        }
    }
}

type ApiResult<T> = Result<Json<T>, WebError>;

fn api_err(e: Error) -> WebError {
    WebError::api(e)
}

#[derive(Serialize, ToSchema)]
pub struct Scope {
    /// `region`, `org` or `party_org`
    pub kind: String,
    /// The region code of the subtree, or of the organization's residence.
    pub region: String,
    pub region_name: String,
    /// The organization or party organization id.
    pub ref_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// Role identifier, e.g. `registrar`.
    pub role: String,
    pub role_name: String,
    pub scope: Scope,
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "账号",
    responses((status = 200, body = Me), (status = 401, body = ApiError)),
    security(("bearer" = [])))]
async fn me(State(st): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Me> {
    let region_name = st.app.region_full_name(&u.scope.region).await.map_err(api_err)?;
    Ok(Json(Me {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        role: u.role.as_str().to_owned(),
        role_name: u.role.label().to_owned(),
        scope: Scope {
            kind: u.scope.kind_str().to_owned(),
            region: u.scope.region.to_string(),
            region_name,
            ref_id: u.scope.ref_id,
        },
    }))
}

#[derive(Serialize, ToSchema)]
pub struct RegionChild {
    pub code: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub full_name: String,
    /// 1 province … 5 village/community
    pub level: i16,
    pub parent_code: Option<String>,
    /// `urban`, `rural` or null (villages only)
    pub urban_rural: Option<String>,
    pub children: Vec<RegionChild>,
}

/// A region inside the caller's scope, with its children.
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "行政区划",
    params(("code" = String, Path, description = "行政区划代码")),
    responses((status = 200, body = Region), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
async fn region(State(st): State<AppState>, ApiUser(u): ApiUser, Path(code): Path<String>) -> ApiResult<Region> {
    let (r, kids) = st.app.region_with_children(&u, &code).await.map_err(api_err)?;
    let full_name = match hongling_domain::RegionCode::parse(&r.code) {
        Ok(c) => st.app.region_full_name(&c).await.map_err(api_err)?,
        Err(_) => r.name.clone(),
    };
    Ok(Json(Region {
        full_name,
        code: r.code,
        name: r.name,
        level: r.level,
        parent_code: r.parent_code,
        urban_rural: r.urban_rural,
        children: kids.into_iter().map(|c| RegionChild { code: c.code, name: c.name }).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct UsccCheck {
    pub valid: bool,
    /// The code after normalization (full-width and lower case folded).
    pub normalized: String,
    /// 中文说明：有效，或哪一部分有误。
    pub message: String,
    /// Which part is wrong: length, char, dept, org_type, region, org_code_check, final_check.
    pub part: Option<String>,
}

/// Check a unified social credit code (public, no authentication).
#[utoipa::path(get, path = "/api/v1/uscc/{code}", tag = "统一社会信用代码",
    params(("code" = String, Path, description = "18 位统一社会信用代码")),
    responses((status = 200, body = UsccCheck)))]
async fn uscc_check(Path(code): Path<String>) -> Json<UsccCheck> {
    let normalized = hongling_domain::registry::uscc::Uscc::normalize(&code);
    Json(match hongling_domain::registry::uscc::Uscc::parse(&code) {
        Ok(c) => UsccCheck {
            valid: true,
            message: format!(
                "有效的统一社会信用代码（{}，{}）",
                c.dept_label().unwrap_or("未知部门"),
                c.type_label().unwrap_or("未知类别")
            ),
            normalized: c.to_string(),
            part: None,
        },
        Err(e) => UsccCheck { valid: false, normalized, message: e.to_string(), part: Some(e.part().to_owned()) },
    })
}

/// A social organization as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct Org {
    pub id: i64,
    pub uscc: Option<String>,
    pub name: String,
    /// association, foundation, service_institution
    pub kind: String,
    /// registered, filed
    pub registration_mode: String,
    pub category: String,
    pub industry: String,
    pub authority_region: String,
    pub supervisory_unit_id: Option<i64>,
    pub region_code: String,
    pub address: String,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub legal_rep: String,
    /// YYYY-MM-DD
    pub founded_on: Option<String>,
    pub staff_count: Option<i32>,
    pub member_count: Option<i32>,
    pub charter_party_clause: bool,
    pub is_hub: bool,
    pub is_brand: bool,
    pub incubator: String,
    /// applying, active, deregistered, revoked, licence_revoked
    pub status: String,
    pub status_changed_on: Option<String>,
    /// normal, guidance, interview, key
    pub supervision_class: String,
    /// 三同步 pending: registered, not yet covered by party work
    pub sync_pending: bool,
    /// Send it back with an update to detect concurrent changes.
    pub version: i32,
    /// party coverage (M2): standalone, joint_branch, instructor, host_led, uncovered
    pub coverage_mode: String,
    pub formal_members: i32,
    pub probationary_members: i32,
    /// the management channel's kind (empty until assigned)
    pub channel_kind: String,
    /// coverage rules broken
    pub breach_count: i32,
}

impl From<hongling_service::models::SocialOrg> for Org {
    fn from(m: hongling_service::models::SocialOrg) -> Self {
        Org {
            id: m.id,
            uscc: m.uscc,
            name: m.name,
            kind: m.kind,
            registration_mode: m.registration_mode,
            category: m.category,
            industry: m.industry,
            authority_region: m.authority_region,
            supervisory_unit_id: m.supervisory_unit_id,
            region_code: m.region_code,
            address: m.address,
            longitude: m.lon_e6.map(|v| v as f64 / 1e6),
            latitude: m.lat_e6.map(|v| v as f64 / 1e6),
            legal_rep: m.legal_rep,
            founded_on: m.founded_on.map(|d| d.to_string()),
            staff_count: m.staff_count,
            member_count: m.member_count,
            charter_party_clause: m.charter_party_clause,
            is_hub: m.is_hub,
            is_brand: m.is_brand,
            incubator: m.incubator,
            status: m.status,
            status_changed_on: m.status_changed_on.map(|d| d.to_string()),
            supervision_class: m.supervision_class,
            sync_pending: m.sync_pending,
            version: m.version,
            coverage_mode: m.coverage_mode,
            formal_members: m.formal_members,
            probationary_members: m.probationary_members,
            channel_kind: m.channel_kind,
            breach_count: m.breach_count,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrgPage {
    pub items: Vec<Org>,
    /// Matching records, counted up to 10,000 (see `total_exact`).
    pub total: u64,
    /// false when more than 10,000 records match and `total` is 10,000.
    pub total_exact: bool,
    pub page: u64,
    pub per_page: u64,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
pub struct OrgListQuery {
    /// A region code: its whole subtree (limited to your scope).
    pub region: Option<String>,
    /// Name (two Chinese characters are enough) or credit code or its prefix.
    pub q: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    /// registered or filed
    pub mode: Option<String>,
    pub status: Option<String>,
    pub supervisory_unit_id: Option<i64>,
    /// party coverage mode: standalone, joint_branch, instructor, host_led, uncovered
    pub coverage: Option<String>,
    /// party management channel kind
    pub channel: Option<String>,
    /// true: only organizations breaking a coverage rule
    pub breaches: Option<bool>,
    /// id (default), name, founded_on, uscc
    pub sort: Option<String>,
    pub desc: Option<bool>,
    pub page: Option<u64>,
    /// 1–200, default 20
    pub per_page: Option<u64>,
}

/// Social organizations in your scope, filtered and paged.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "社会组织", params(OrgListQuery),
    responses((status = 200, body = OrgPage), (status = 401, body = ApiError)), security(("bearer" = [])))]
async fn orgs_list(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Query(q): Query<OrgListQuery>,
) -> ApiResult<OrgPage> {
    let f = hongling_service::registry::orgs::OrgFilter {
        region: q.region,
        q: q.q,
        kind: q.kind,
        category: q.category,
        mode: q.mode,
        status: q.status,
        supervisory_unit_id: q.supervisory_unit_id,
        coverage: q.coverage,
        channel: q.channel,
        breaches: q.breaches,
        sort: q.sort,
        desc: q.desc,
    };
    let page = st
        .app
        .registry()
        .list_orgs(&u, &f, hongling_service::PageRequest::new(q.page, q.per_page))
        .await
        .map_err(api_err)?;
    Ok(Json(OrgPage {
        total_exact: page.total_exact,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(Org::from).collect(),
    }))
}

/// One social organization (404 outside your scope).
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "社会组织", params(("id" = i64, Path)),
    responses((status = 200, body = Org), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn orgs_get(State(st): State<AppState>, ApiUser(u): ApiUser, Path(id): Path<i64>) -> ApiResult<Org> {
    Ok(Json(st.app.registry().get_org(&u, id).await.map_err(api_err)?.into()))
}

/// A record to create or the new content of one to update.
#[derive(serde::Deserialize, ToSchema)]
pub struct OrgInput {
    #[serde(default)]
    pub uscc: String,
    pub name: String,
    /// association, foundation, service_institution
    pub kind: String,
    /// registered, filed
    pub registration_mode: String,
    pub category: String,
    #[serde(default)]
    pub industry: String,
    pub authority_region: String,
    pub supervisory_unit_id: Option<i64>,
    pub region_code: String,
    #[serde(default)]
    pub address: String,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    #[serde(default)]
    pub legal_rep: String,
    /// YYYY-MM-DD
    pub founded_on: Option<String>,
    pub staff_count: Option<i32>,
    pub member_count: Option<i32>,
    #[serde(default)]
    pub charter_party_clause: bool,
    #[serde(default)]
    pub is_hub: bool,
    #[serde(default)]
    pub is_brand: bool,
    #[serde(default)]
    pub incubator: String,
    /// create only: an application (成立申请) without a code yet
    #[serde(default)]
    pub applying: bool,
    /// update only: the version read, to refuse overwriting a newer change
    pub version: Option<i32>,
    /// update only: the date the change took effect (default today)
    pub effective_on: Option<String>,
    /// update only: why
    #[serde(default)]
    pub reason: String,
}

fn api_date(field: &str, s: &Option<String>) -> Result<Option<time::Date>, WebError> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => {
            crate::fmt::parse_date(v).map(Some).ok_or_else(|| api_err(Error::invalid(field, "日期格式应为 YYYY-MM-DD")))
        }
    }
}

impl OrgInput {
    fn draft(&self) -> Result<hongling_domain::registry::OrgDraft, WebError> {
        use hongling_domain::registry::*;
        let bad = |f: &str, m: &str| api_err(Error::invalid(f, m));
        Ok(OrgDraft {
            uscc: self.uscc.clone(),
            name: self.name.clone(),
            kind: Some(
                OrgKind::parse(&self.kind)
                    .ok_or_else(|| bad("kind", "组织类型应为 association、foundation 或 service_institution"))?,
            ),
            mode: Some(
                RegistrationMode::parse(&self.registration_mode)
                    .ok_or_else(|| bad("registration_mode", "登记方式应为 registered 或 filed"))?,
            ),
            category: Some(Category::parse(&self.category).ok_or_else(|| bad("category", "类别无效"))?),
            industry: self.industry.clone(),
            authority_region: self.authority_region.clone(),
            supervisory_unit_id: self.supervisory_unit_id,
            region_code: self.region_code.clone(),
            address: self.address.clone(),
            longitude: self.longitude,
            latitude: self.latitude,
            legal_rep: self.legal_rep.clone(),
            founded_on: api_date("founded_on", &self.founded_on)?,
            staff_count: self.staff_count,
            member_count: self.member_count,
            charter_party_clause: self.charter_party_clause,
            is_hub: self.is_hub,
            is_brand: self.is_brand,
            incubator: self.incubator.clone(),
        })
    }
}

/// Register (or file) an organization.
#[utoipa::path(post, path = "/api/v1/orgs", tag = "社会组织", request_body = OrgInput,
    responses((status = 201, body = Org), (status = 422, body = ApiError), (status = 403, body = ApiError)), security(("bearer" = [])))]
async fn orgs_create(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Json(input): Json<OrgInput>,
) -> Result<Response, WebError> {
    let d = input.draft()?;
    let m = st
        .app
        .registry()
        .create_org(&hongling_service::Principal::User(u), d, input.applying)
        .await
        .map_err(api_err)?;
    Ok((axum::http::StatusCode::CREATED, Json(Org::from(m))).into_response())
}

/// Change an organization's record (a dated change event is kept).
#[utoipa::path(put, path = "/api/v1/orgs/{id}", tag = "社会组织", params(("id" = i64, Path)), request_body = OrgInput,
    responses((status = 200, body = Org), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn orgs_update(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
    Json(input): Json<OrgInput>,
) -> ApiResult<Org> {
    let d = input.draft()?;
    let eff = api_date("effective_on", &input.effective_on)?;
    Ok(Json(st.app.registry().update_org(&u, id, d, input.version, eff, &input.reason).await.map_err(api_err)?.into()))
}

#[derive(serde::Deserialize, ToSchema)]
pub struct StatusInput {
    /// approve, deregister, revoke, revoke_licence, reinstate
    pub action: String,
    pub reason: String,
    /// 决定文书号 (all but approve)
    #[serde(default)]
    pub doc_no: String,
    /// YYYY-MM-DD, default today
    pub date: Option<String>,
    /// approve: the credit code assigned
    pub uscc: Option<String>,
}

/// A life-cycle action: approve an application, deregister, revoke, revoke the licence, reinstate.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/status", tag = "社会组织", params(("id" = i64, Path)), request_body = StatusInput,
    responses((status = 200, body = Org), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn orgs_status(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
    Json(i): Json<StatusInput>,
) -> ApiResult<Org> {
    let action = hongling_domain::registry::StatusAction::parse(&i.action).ok_or_else(|| {
        api_err(Error::invalid("action", "action 应为 approve、deregister、revoke、revoke_licence 或 reinstate"))
    })?;
    let on = api_date("date", &i.date)?;
    let m = st
        .app
        .registry()
        .org_status_action(&u, id, action, &i.reason, &i.doc_no, on, i.uscc.as_deref())
        .await
        .map_err(api_err)?;
    Ok(Json(m.into()))
}

#[derive(Serialize, ToSchema)]
pub struct OrgEvent {
    pub effective_on: String,
    /// create, apply, update, import, supervision, approve, deregister, revoke, revoke_licence, reinstate
    pub action: String,
    pub actor: String,
    pub reason: String,
    pub doc_no: String,
    /// [{field, before, after}]
    pub changes: serde_json::Value,
    /// The whole record after the change.
    pub snapshot: serde_json::Value,
}

/// The dated change history of an organization, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/history", tag = "社会组织", params(("id" = i64, Path)),
    responses((status = 200, body = [OrgEvent]), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn orgs_history(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
) -> ApiResult<Vec<OrgEvent>> {
    let events = st.app.registry().org_history(&u, id).await.map_err(api_err)?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| OrgEvent {
                effective_on: e.effective_on.to_string(),
                action: e.action,
                actor: e.actor,
                reason: e.reason,
                doc_no: e.doc_no,
                changes: serde_json::from_str(&e.changes_json).unwrap_or(serde_json::Value::Null),
                snapshot: serde_json::from_str(&e.snapshot_json).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
}

/// Liveness and database reachability (no authentication).
#[utoipa::path(get, path = "/healthz", tag = "运维", responses((status = 200, body = Health), (status = 503, body = ApiError)))]
pub async fn healthz(State(st): State<AppState>) -> Response {
    match st.app.db.ping().await {
        Ok(()) => Json(Health { status: "ok", database: st.app.backend_name() }).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                Json(ApiError { code: "unavailable", message: "数据库不可用".into(), fields: vec![] }),
            )
                .into_response()
        }
    }
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("hongling token create 生成的 API 令牌"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "红领 Hongling API", description = "社会组织党建引领与综合监管服务平台的数据交换接口。错误统一返回 {\"code\", \"message\"}，message 为中文。"),
    paths(me, region, healthz, uscc_check, orgs_list, orgs_get, orgs_create, orgs_update, orgs_status, orgs_history),
    components(schemas(ApiError)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// The OpenAPI document (no authentication).
async fn openapi() -> Response {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::party_api::PartyApiDoc::openapi());
    match doc.to_pretty_json() {
        Ok(s) => ([(header::CONTENT_TYPE, "application/json")], s).into_response(),
        Err(e) => WebError::api(Error::internal(e)).into_response(),
    }
}
