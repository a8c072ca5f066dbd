//! The registry's JSON API (M1): organizations, their status actions and history.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use hongling_domain::registry::decision::{DecisionStatus, Verdict};
use hongling_service::Error;
use hongling_service::registry::decisions::DecisionView;
use hongling_service::registry::orgs::StatusOutcome;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use axum::extract::RawQuery;
use hongling_service::registry::input::{OrgInput, StatusInput};
use hongling_service::registry::lists::OrgList;

use crate::AppState;
use crate::api::{ApiResult, ApiUser, api_err};
use crate::error::{ApiError, WebError};
use crate::extract::{ApiJson, ApiPath, ApiPut, ApiQuery};
use crate::routes::Routes;
use hongling_domain::Action;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/orgs", Action::RegistryRead, orgs_list)
        .post("/api/v1/orgs", Action::RegistryWrite, orgs_create)
        .get("/api/v1/orgs/{id}", Action::RegistryRead, orgs_get)
        .put("/api/v1/orgs/{id}", Action::RegistryWrite, orgs_update)
        .post("/api/v1/orgs/{id}/status", Action::RegistryWrite, orgs_status)
        .get("/api/v1/orgs/{id}/history", Action::RegistryRead, orgs_history)
        .get("/api/v1/org-decisions", Action::RegistryWrite, decisions_list)
        .post("/api/v1/org-decisions/{id}/approve", Action::RegistryDecide, decision_approve)
        .post("/api/v1/org-decisions/{id}/return", Action::RegistryDecide, decision_return)
}

/// A social organization as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct Org {
    pub id: i64,
    pub uscc: Option<String>,
    pub name: String,
    /// association, foundation, service_institution
    #[schema(value_type = hongling_domain::registry::OrgKind)]
    pub kind: String,
    /// registered, filed
    #[schema(value_type = hongling_domain::registry::RegistrationMode)]
    pub registration_mode: String,
    #[schema(value_type = hongling_domain::registry::Category)]
    pub category: String,
    pub industry: String,
    pub authority_region: String,
    pub supervisory_unit_id: Option<i64>,
    /// 行业管理部门: a unit of the managed list, not the 业务主管单位; it does
    /// not decide the management channel
    pub industry_department_id: Option<i64>,
    /// 已脱钩: decoupled from its former 业务主管单位 (party building by the
    /// comprehensive party committee)
    pub decoupled: bool,
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
    #[schema(value_type = hongling_domain::registry::OrgStatus)]
    pub status: String,
    pub status_changed_on: Option<String>,
    /// normal, guidance, interview, key
    #[schema(value_type = hongling_domain::registry::SupervisionClass)]
    pub supervision_class: String,
    /// 三同步 pending: registered, not yet covered by party work
    pub sync_pending: bool,
    /// Send it back with an update to detect concurrent changes.
    pub version: i32,
    /// party coverage (M2): standalone, joint_branch, instructor, host_led, uncovered
    #[schema(value_type = hongling_domain::party::coverage::CoverageMode)]
    pub coverage_mode: String,
    pub formal_members: i32,
    pub probationary_members: i32,
    /// the management channel's kind (empty until assigned)
    #[schema(schema_with = hongling_domain::party::coverage::ChannelKind::schema_or_empty)]
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
            industry_department_id: m.industry_department_id,
            decoupled: m.decoupled,
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

/// Social organizations in your scope, filtered and paged.
#[utoipa::path(get, path = "/api/v1/orgs", tag = "社会组织",
    responses((status = 200, body = OrgPage), (status = 401, body = ApiError)), security(("bearer" = [])))]
async fn orgs_list(State(st): State<AppState>, ApiUser(u): ApiUser, RawQuery(raw): RawQuery) -> ApiResult<OrgPage> {
    let page = crate::api::list::<OrgList>(&st, &u, raw.as_deref()).await?;
    Ok(Json(OrgPage {
        total_exact: page.total_exact,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
        items: page.items.into_iter().map(|r| Org::from(r.org)).collect(),
    }))
}

/// One social organization (404 outside your scope).
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "社会组织", params(("id" = i64, Path)),
    responses((status = 200, body = Org), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn orgs_get(State(st): State<AppState>, ApiUser(u): ApiUser, ApiPath(id): ApiPath<i64>) -> ApiResult<Org> {
    Ok(Json(st.app.registry().get_org(&u, id).await.map_err(api_err)?.into()))
}

/// A record to create or the new content of one to update.
/// Register (or file) an organization.
#[utoipa::path(post, path = "/api/v1/orgs", tag = "社会组织", request_body = OrgInput,
    responses((status = 201, body = Org), (status = 422, body = ApiError), (status = 403, body = ApiError)), security(("bearer" = [])))]
async fn orgs_create(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(input): ApiJson<OrgInput>,
) -> Result<Response, WebError> {
    let d = input.draft().map_err(|e| api_err(Error::Invalid(e)))?;
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
    ApiPath(id): ApiPath<i64>,
    ApiPut(input): ApiPut<OrgInput>,
) -> ApiResult<Org> {
    let d = input.draft().map_err(|e| api_err(Error::Invalid(e)))?;
    let eff = input.effective_on().map_err(|e| api_err(Error::Invalid(e)))?;
    Ok(Json(st.app.registry().update_org(&u, id, d, input.version, eff, &input.reason).await.map_err(api_err)?.into()))
}

/// A life-cycle action: approve an application, deregister, revoke, revoke the licence, reinstate.
///
/// Where the locality asks for a second person (policy parameter
/// `registry_decision_approval`, on by default), deregister, revoke,
/// revoke_licence and reinstate are proposals: the answer is 202 with the
/// pending decision, and the change is made when a registrar leader approves
/// it (`POST /api/v1/org-decisions/{id}/approve`). A second proposal for the
/// same organization while one is pending is 409.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/status", tag = "社会组织", params(("id" = i64, Path)), request_body = StatusInput,
    responses((status = 200, body = Org, description = "the change was made"),
        (status = 202, body = DecisionView, description = "proposed: waits for a registrar leader's approval"),
        (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn orgs_status(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<StatusInput>,
) -> Result<Response, WebError> {
    let (action, on) = i.parse().map_err(|e| api_err(Error::Invalid(e)))?;
    let out = st
        .app
        .registry()
        .org_status_action(&u, id, action, &i.reason, &i.doc_no, on, i.uscc.as_deref())
        .await
        .map_err(api_err)?;
    match out {
        StatusOutcome::Done(m) => Ok(Json(Org::from(*m)).into_response()),
        StatusOutcome::Proposed(d) => {
            let v = st.app.registry().decision_views(vec![*d]).await.map_err(api_err)?;
            let v = v.into_iter().next().ok_or_else(|| api_err(Error::NotFound))?;
            Ok((axum::http::StatusCode::ACCEPTED, Json(v)).into_response())
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecisionQuery {
    /// pending (default), approved or returned
    #[param(value_type = Option<DecisionStatus>)]
    pub status: Option<String>,
}

/// Proposed decisions of your subtree (pending ones oldest first, at most 200).
#[utoipa::path(get, path = "/api/v1/org-decisions", tag = "社会组织", params(DecisionQuery),
    responses((status = 200, body = [DecisionView]), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn decisions_list(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<DecisionQuery>,
) -> ApiResult<Vec<DecisionView>> {
    let status = match q.status.as_deref().filter(|s| !s.trim().is_empty()) {
        None => DecisionStatus::Pending,
        Some(s) => DecisionStatus::parse(s)
            .ok_or_else(|| api_err(Error::invalid("status", "status 应为 pending、approved 或 returned")))?,
    };
    Ok(Json(st.app.registry().decisions(&u, status, 200).await.map_err(api_err)?))
}

async fn decided(
    st: &AppState,
    u: &hongling_service::CurrentUser,
    id: i64,
    v: Verdict,
    note: &str,
) -> ApiResult<DecisionView> {
    let d = st.app.registry().decide(u, id, v, note).await.map_err(api_err)?;
    let v = st.app.registry().decision_views(vec![d]).await.map_err(api_err)?;
    Ok(Json(v.into_iter().next().ok_or_else(|| api_err(Error::NotFound))?))
}

/// Approve a proposal (registrar leaders): the change is made now. Refused
/// with 409 for one's own proposal, one decided already, or an organization
/// whose status changed since it was proposed; another subtree's is 404.
#[utoipa::path(post, path = "/api/v1/org-decisions/{id}/approve", tag = "社会组织", params(("id" = i64, Path)),
    responses((status = 200, body = DecisionView), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)), security(("bearer" = [])))]
async fn decision_approve(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<DecisionView> {
    decided(&st, &u, id, Verdict::Approve, "").await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    /// why it is returned (required)
    pub note: String,
}

/// Return a proposal to its clerk with a reason (registrar leaders).
#[utoipa::path(post, path = "/api/v1/org-decisions/{id}/return", tag = "社会组织", params(("id" = i64, Path)), request_body = ReturnInput,
    responses((status = 200, body = DecisionView), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn decision_return(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<ReturnInput>,
) -> ApiResult<DecisionView> {
    decided(&st, &u, id, Verdict::Return, &i.note).await
}

#[derive(Serialize, ToSchema)]
pub struct OrgEvent {
    pub effective_on: String,
    /// what the event records
    #[schema(value_type = hongling_domain::registry::EventAction)]
    pub action: String,
    /// who made the change (for a decision: the clerk who proposed it)
    pub actor: String,
    /// who approved it, where a second person decided it (注销, 撤销, 吊销, 恢复); empty otherwise
    pub approver: String,
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
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Vec<OrgEvent>> {
    let events = st.app.registry().org_history(&u, id).await.map_err(api_err)?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| OrgEvent {
                effective_on: e.effective_on.to_string(),
                action: e.action,
                actor: e.actor,
                approver: e.approver,
                reason: e.reason,
                doc_no: e.doc_no,
                changes: serde_json::from_str(&e.changes_json).unwrap_or(serde_json::Value::Null),
                snapshot: serde_json::from_str(&e.snapshot_json).unwrap_or(serde_json::Value::Null),
            })
            .collect(),
    ))
}

#[derive(OpenApi)]
#[openapi(paths(
    orgs_list,
    orgs_get,
    orgs_create,
    orgs_update,
    orgs_status,
    orgs_history,
    decisions_list,
    decision_approve,
    decision_return
))]
pub struct RegistryApiDoc;
