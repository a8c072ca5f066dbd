//! The party-coverage JSON API (M2) under `/api/v1`: coverage figures,
//! breaches, the planner, policy profiles and the party records. A region or
//! record outside the caller's scope answers 404.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hongling_service::party::breaches::{BreachView, OrgParty};
use hongling_service::party::figures::{Coverage, CoverageQuery, CoverageRow};
use hongling_service::party::instructors::{InstructorDetail, InstructorInput, InstructorView};
use hongling_service::party::life::{FundInput, FundView, PartyLifeInput, PartyLifeView, TrainingInput, TrainingView};
use hongling_service::party::lists::{
    BreachList, ChannelList, FundList, InstructorList, MemberList, PartyLifeList, PartyOrgList, TrainingList,
};
use hongling_service::party::members::{MemberInput, MemberView};
use hongling_service::party::planner::{AcceptInput, Accepted, PlanRequest, PlanView};
use hongling_service::party::records::{ChannelInput, ChannelView, PartyOrgDetail, PartyOrgInput, PartyOrgView};
use hongling_service::policy::{PolicyEntryView, PolicyInput, PolicyView};
use hongling_service::{Error, Page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::AppState;
use crate::api::ApiUser;
use crate::error::{ApiError, WebError};
use crate::extract::{ApiJson, ApiPath, ApiPut, ApiQuery};
use crate::routes::Routes;
use hongling_domain::Action;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/coverage", Action::PartyFigures, coverage)
        .get("/api/v1/coverage/regions", Action::PartyFigures, coverage_regions)
        .get("/api/v1/coverage/by/{dim}", Action::PartyFigures, coverage_by)
        .get("/api/v1/coverage/breaches", Action::PartyFigures, breaches)
        .get("/api/v1/coverage/orgs/{id}", Action::PartyFigures, org_party)
        .post("/api/v1/coverage/plan", Action::PartyPlan, plan)
        .post("/api/v1/coverage/plan/accept", Action::PartyPlan, plan_accept)
        .get("/api/v1/policy", Action::PolicyRead, policy_get)
        .post("/api/v1/policy", Action::PolicyWrite, policy_set)
        .get("/api/v1/party-orgs", Action::PartyRecordsRead, party_orgs)
        .post("/api/v1/party-orgs", Action::PartyOrgsWrite, party_org_create)
        .get("/api/v1/party-orgs/{id}", Action::PartyRecordsRead, party_org_get)
        .put("/api/v1/party-orgs/{id}", Action::PartyOrgEdit, party_org_update)
        .post("/api/v1/party-orgs/{id}/orgs", Action::PartyOrgsWrite, party_org_cover)
        .post("/api/v1/party-orgs/{id}/dissolve", Action::PartyOrgsWrite, party_org_dissolve)
        .get("/api/v1/party-members", Action::PartyRecordsRead, members)
        .post("/api/v1/party-members", Action::PartyMembersWrite, member_create)
        .get("/api/v1/party-members/{id}", Action::PartyRecordsRead, member_get)
        .put("/api/v1/party-members/{id}", Action::PartyMembersWrite, member_update)
        .post("/api/v1/party-members/{id}/reveal", Action::PartyMembersWrite, member_reveal)
        .get("/api/v1/instructors", Action::InstructorsRead, instructors)
        .post("/api/v1/instructors", Action::InstructorsWrite, instructor_create)
        .get("/api/v1/instructors/{id}", Action::InstructorsRead, instructor_get)
        .put("/api/v1/instructors/{id}", Action::InstructorsWrite, instructor_update)
        .post("/api/v1/instructors/{id}/orgs", Action::InstructorsWrite, instructor_assign)
        .get("/api/v1/party-life", Action::PartyRecordsRead, life)
        .post("/api/v1/party-life", Action::PartyLifeWrite, life_create)
        .get("/api/v1/party-funds", Action::PartyRecordsRead, funds)
        .post("/api/v1/party-funds", Action::PartyFundsWrite, fund_create)
        .get("/api/v1/trainings", Action::PartyRecordsRead, trainings)
        .post("/api/v1/trainings", Action::PartyLifeWrite, training_create)
        .get("/api/v1/party-channels", Action::ChannelsRead, channels)
        .post("/api/v1/party-channels", Action::ChannelsWrite, channel_create)
        .put("/api/v1/orgs/{id}/host", Action::PartyCoverageWrite, org_host)
        .put("/api/v1/orgs/{id}/channel", Action::PartyCoverageWrite, org_channel)
}

type ApiResult<T> = Result<Json<T>, WebError>;

fn e(err: Error) -> WebError {
    WebError::api(err)
}

fn created<T: Serialize>(v: T) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

macro_rules! page_type {
    ($name:ident, $item:ty) => {
        #[derive(Serialize, ToSchema)]
        pub struct $name {
            pub items: Vec<$item>,
            /// counted up to 10,000 where `total_exact` is false
            pub total: u64,
            pub total_exact: bool,
            pub page: u64,
            pub per_page: u64,
        }

        impl From<Page<$item>> for $name {
            fn from(p: Page<$item>) -> Self {
                Self { items: p.items, total: p.total, total_exact: p.total_exact, page: p.page, per_page: p.per_page }
            }
        }
    };
}

page_type!(PartyOrgPage, PartyOrgView);
page_type!(MemberPage, MemberView);
page_type!(InstructorPage, InstructorView);
page_type!(PartyLifePage, PartyLifeView);
page_type!(FundPage, FundView);
page_type!(TrainingPage, TrainingView);
page_type!(BreachListPage, BreachView);
page_type!(ChannelPage, ChannelView);

/// Coverage figures of a region: organizations, covered, by mode, rates (fractions 0..1), breaches.
#[utoipa::path(get, path = "/api/v1/coverage", tag = "党建覆盖", params(CoverageQuery),
    responses((status = 200, body = Coverage), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn coverage(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<CoverageQuery>,
) -> ApiResult<Coverage> {
    Ok(Json(st.app.party().coverage(&u, &q).await.map_err(e)?))
}

/// The figures of each child region (drill-down one level).
#[utoipa::path(get, path = "/api/v1/coverage/regions", tag = "党建覆盖", params(CoverageQuery),
    responses((status = 200, body = [CoverageRow]), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn coverage_regions(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<CoverageQuery>,
) -> ApiResult<Vec<CoverageRow>> {
    Ok(Json(st.app.party().coverage_children(&u, &q).await.map_err(e)?))
}

/// Figures by a dimension: channel, kind, category or mode.
#[utoipa::path(get, path = "/api/v1/coverage/by/{dim}", tag = "党建覆盖",
    params(("dim" = inline(CoverageDim), Path, description = "分组维度"), CoverageQuery),
    responses((status = 200, body = [CoverageRow]), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn coverage_by(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(dim): ApiPath<String>,
    ApiQuery(q): ApiQuery<CoverageQuery>,
) -> ApiResult<Vec<CoverageRow>> {
    Ok(Json(st.app.party().coverage_by(&u, &q, &dim).await.map_err(e)?))
}

/// The dimension figures are grouped by, in the OpenAPI document.
pub struct CoverageDim;

impl utoipa::PartialSchema for CoverageDim {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        hongling_domain::enums::choice_schema(hongling_service::party::figures::DIMENSIONS, false)
    }
}

impl ToSchema for CoverageDim {}

/// Rules broken in a region, each with the rule and the organization or party organization.
#[utoipa::path(get, path = "/api/v1/coverage/breaches", tag = "党建覆盖",
    responses((status = 200, body = BreachListPage), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn breaches(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<BreachListPage> {
    Ok(Json(crate::api::list::<BreachList>(&st, &u, raw.as_deref()).await?.into()))
}

/// One organization's party coverage: mode, members, party organization, instructors, host, channel, breaches.
#[utoipa::path(get, path = "/api/v1/coverage/orgs/{id}", tag = "党建覆盖", params(("id" = i64, Path)),
    responses((status = 200, body = OrgParty), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn org_party(State(st): State<AppState>, ApiUser(u): ApiUser, ApiPath(id): ApiPath<i64>) -> ApiResult<OrgParty> {
    Ok(Json(st.app.party().org_party(&u, id).await.map_err(e)?))
}

/// Propose joint branches and instructor assignments for a region (nothing is written).
#[utoipa::path(post, path = "/api/v1/coverage/plan", tag = "党建覆盖", request_body = PlanRequest,
    responses((status = 200, body = PlanView), (status = 404, body = ApiError), (status = 403, body = ApiError)), security(("bearer" = [])))]
async fn plan(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(r): ApiJson<PlanRequest>,
) -> ApiResult<PlanView> {
    Ok(Json(st.app.party().plan_coverage(&u, &r.region).await.map_err(e)?))
}

/// Accept a proposal, as proposed or edited: `{"joint_branch": {"orgs": [..], "name": "..."}}` or
/// `{"instructor": {"instructor": ID, "orgs": [..]}}`. Checked against the rules again; creates the records in one transaction.
#[utoipa::path(post, path = "/api/v1/coverage/plan/accept", tag = "党建覆盖", request_body = AcceptInput,
    responses((status = 201, body = Accepted), (status = 422, body = ApiError), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn plan_accept(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(i): ApiJson<AcceptInput>,
) -> Result<Response, WebError> {
    Ok(created(st.app.party().accept_plan(&u, &i).await.map_err(e)?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PolicyQuery {
    /// A region inside your scope (default: your whole scope).
    pub region: Option<String>,
    /// YYYY-MM-DD (default today): the values in force on that date.
    pub date: Option<String>,
}

/// The effective policy parameters of a region, each with its value and the region it comes from.
#[utoipa::path(get, path = "/api/v1/policy", tag = "政策参数", params(PolicyQuery),
    responses((status = 200, body = PolicyView), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn policy_get(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<PolicyQuery>,
) -> ApiResult<PolicyView> {
    let date = match q.date.as_deref().filter(|d| !d.trim().is_empty()) {
        None => None,
        Some(d) => Some(crate::fmt::parse_date(d).ok_or_else(|| e(Error::invalid("date", "日期格式应为 YYYY-MM-DD")))?),
    };
    Ok(Json(st.app.effective_policy(&u, q.region.as_deref(), date).await.map_err(e)?))
}

/// Set (or clear) a region's own value of a parameter from a date; the region's coverage is then re-evaluated in the background (job `coverage.policy`).
#[utoipa::path(post, path = "/api/v1/policy", tag = "政策参数", request_body = PolicyInput,
    responses((status = 201, body = PolicyEntryView), (status = 404, body = ApiError), (status = 422, body = ApiError), (status = 403, body = ApiError)), security(("bearer" = [])))]
async fn policy_set(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(i): ApiJson<PolicyInput>,
) -> Result<Response, WebError> {
    Ok(created(st.app.set_policy(&u, &i).await.map_err(e)?))
}

/// Party organizations in your scope.
#[utoipa::path(get, path = "/api/v1/party-orgs", tag = "党组织",
    responses((status = 200, body = PartyOrgPage)), security(("bearer" = [])))]
async fn party_orgs(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<PartyOrgPage> {
    Ok(Json(crate::api::list::<PartyOrgList>(&st, &u, raw.as_deref()).await?.into()))
}

/// Create a party organization (optionally with the organizations it covers: `org_ids`).
#[utoipa::path(post, path = "/api/v1/party-orgs", tag = "党组织", request_body = PartyOrgInput,
    responses((status = 201, body = PartyOrgDetail), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn party_org_create(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(i): ApiJson<PartyOrgInput>,
) -> Result<Response, WebError> {
    let p = st.app.party().create_party_org(&u, &i).await.map_err(e)?;
    Ok(created(st.app.party().get_party_org(&u, p.id).await.map_err(e)?))
}

/// A party organization with the organizations it covers and the rules it breaks.
#[utoipa::path(get, path = "/api/v1/party-orgs/{id}", tag = "党组织", params(("id" = i64, Path)),
    responses((status = 200, body = PartyOrgDetail), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn party_org_get(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<PartyOrgDetail> {
    Ok(Json(st.app.party().get_party_org(&u, id).await.map_err(e)?))
}

/// Change a party organization (send back `version`).
#[utoipa::path(put, path = "/api/v1/party-orgs/{id}", tag = "党组织", params(("id" = i64, Path)), request_body = PartyOrgInput,
    responses((status = 200, body = PartyOrgDetail), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn party_org_update(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiPut(i): ApiPut<PartyOrgInput>,
) -> ApiResult<PartyOrgDetail> {
    st.app.party().update_party_org(&u, id, &i).await.map_err(e)?;
    Ok(Json(st.app.party().get_party_org(&u, id).await.map_err(e)?))
}

#[derive(Deserialize, ToSchema)]
pub struct OrgsChange {
    #[serde(default)]
    pub add: Vec<i64>,
    #[serde(default)]
    pub remove: Vec<i64>,
}

/// Add and remove the organizations a party organization covers.
#[utoipa::path(post, path = "/api/v1/party-orgs/{id}/orgs", tag = "党组织", params(("id" = i64, Path)), request_body = OrgsChange,
    responses((status = 200, body = PartyOrgDetail), (status = 422, body = ApiError), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn party_org_cover(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(c): ApiJson<OrgsChange>,
) -> ApiResult<PartyOrgDetail> {
    st.app.party().change_covered_orgs(&u, id, &c.add, &c.remove).await.map_err(e)?;
    Ok(Json(st.app.party().get_party_org(&u, id).await.map_err(e)?))
}

#[derive(Deserialize, ToSchema)]
pub struct DissolveInput {
    pub reason: String,
    /// YYYY-MM-DD, default today
    pub date: Option<String>,
}

/// Dissolve a party organization; the organizations it covered are released.
#[utoipa::path(post, path = "/api/v1/party-orgs/{id}/dissolve", tag = "党组织", params(("id" = i64, Path)), request_body = DissolveInput,
    responses((status = 200, body = PartyOrgDetail), (status = 409, body = ApiError), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn party_org_dissolve(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<DissolveInput>,
) -> ApiResult<PartyOrgDetail> {
    let on = i.date.as_deref().and_then(crate::fmt::parse_date);
    st.app.party().dissolve_party_org(&u, id, on, &i.reason).await.map_err(e)?;
    Ok(Json(st.app.party().get_party_org(&u, id).await.map_err(e)?))
}

/// Party members in your scope (ID numbers masked).
#[utoipa::path(get, path = "/api/v1/party-members", tag = "党员",
    responses((status = 200, body = MemberPage)), security(("bearer" = [])))]
async fn members(State(st): State<AppState>, ApiUser(u): ApiUser, RawQuery(raw): RawQuery) -> ApiResult<MemberPage> {
    Ok(Json(crate::api::list::<MemberList>(&st, &u, raw.as_deref()).await?.into()))
}

/// Register a party member (the ID number is stored encrypted).
#[utoipa::path(post, path = "/api/v1/party-members", tag = "党员", request_body = MemberInput,
    responses((status = 201, body = MemberView), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn member_create(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(i): ApiJson<MemberInput>,
) -> Result<Response, WebError> {
    let m = st.app.party().create_member(&u, &i).await.map_err(e)?;
    Ok(created(st.app.party().get_member(&u, m.id).await.map_err(e)?))
}

#[utoipa::path(get, path = "/api/v1/party-members/{id}", tag = "党员", params(("id" = i64, Path)),
    responses((status = 200, body = MemberView), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn member_get(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<MemberView> {
    Ok(Json(st.app.party().get_member(&u, id).await.map_err(e)?))
}

#[utoipa::path(put, path = "/api/v1/party-members/{id}", tag = "党员", params(("id" = i64, Path)), request_body = MemberInput,
    responses((status = 200, body = MemberView), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn member_update(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiPut(i): ApiPut<MemberInput>,
) -> ApiResult<MemberView> {
    st.app.party().update_member(&u, id, &i).await.map_err(e)?;
    Ok(Json(st.app.party().get_member(&u, id).await.map_err(e)?))
}

#[derive(Deserialize, ToSchema)]
pub struct RevealInput {
    /// why the full number is needed (recorded in the audit log)
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Revealed {
    pub id_number: String,
}

/// The full ID number of a member, with a reason; the reveal is audited.
#[utoipa::path(post, path = "/api/v1/party-members/{id}/reveal", tag = "党员", params(("id" = i64, Path)), request_body = RevealInput,
    responses((status = 200, body = Revealed), (status = 403, body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn member_reveal(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(i): ApiJson<RevealInput>,
) -> ApiResult<Revealed> {
    Ok(Json(Revealed { id_number: st.app.party().reveal_id_number(&u, id, &i.reason).await.map_err(e)? }))
}

#[utoipa::path(get, path = "/api/v1/instructors", tag = "党建指导员",
    responses((status = 200, body = InstructorPage)), security(("bearer" = [])))]
async fn instructors(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<InstructorPage> {
    Ok(Json(crate::api::list::<InstructorList>(&st, &u, raw.as_deref()).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/instructors", tag = "党建指导员", request_body = InstructorInput,
    responses((status = 201, body = InstructorDetail), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn instructor_create(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(i): ApiJson<InstructorInput>,
) -> Result<Response, WebError> {
    let m = st.app.party().create_instructor(&u, &i).await.map_err(e)?;
    Ok(created(st.app.party().get_instructor(&u, m.id).await.map_err(e)?))
}

#[utoipa::path(get, path = "/api/v1/instructors/{id}", tag = "党建指导员", params(("id" = i64, Path)),
    responses((status = 200, body = InstructorDetail), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn instructor_get(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<InstructorDetail> {
    Ok(Json(st.app.party().get_instructor(&u, id).await.map_err(e)?))
}

#[utoipa::path(put, path = "/api/v1/instructors/{id}", tag = "党建指导员", params(("id" = i64, Path)), request_body = InstructorInput,
    responses((status = 200, body = InstructorDetail), (status = 404, body = ApiError), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn instructor_update(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiPut(i): ApiPut<InstructorInput>,
) -> ApiResult<InstructorDetail> {
    st.app.party().update_instructor(&u, id, &i).await.map_err(e)?;
    Ok(Json(st.app.party().get_instructor(&u, id).await.map_err(e)?))
}

/// Assign organizations to an instructor and end assignments (within the load limit and region).
#[utoipa::path(post, path = "/api/v1/instructors/{id}/orgs", tag = "党建指导员", params(("id" = i64, Path)), request_body = OrgsChange,
    responses((status = 200, body = InstructorDetail), (status = 422, body = ApiError), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn instructor_assign(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(c): ApiJson<OrgsChange>,
) -> ApiResult<InstructorDetail> {
    st.app.party().assign_instructor(&u, id, &c.add, &c.remove).await.map_err(e)?;
    Ok(Json(st.app.party().get_instructor(&u, id).await.map_err(e)?))
}

/// Party-life records (三会一课, themed party days).
#[utoipa::path(get, path = "/api/v1/party-life", tag = "组织生活",
    responses((status = 200, body = PartyLifePage)), security(("bearer" = [])))]
async fn life(State(st): State<AppState>, ApiUser(u): ApiUser, RawQuery(raw): RawQuery) -> ApiResult<PartyLifePage> {
    Ok(Json(crate::api::list::<PartyLifeList>(&st, &u, raw.as_deref()).await?.into()))
}

#[derive(Serialize, ToSchema)]
pub struct CreatedId {
    pub id: i64,
}

#[utoipa::path(post, path = "/api/v1/party-life", tag = "组织生活", request_body = PartyLifeInput,
    responses((status = 201, body = CreatedId), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn life_create(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(i): ApiJson<PartyLifeInput>,
) -> Result<Response, WebError> {
    Ok(created(CreatedId { id: st.app.party().create_party_life(&u, &i).await.map_err(e)?.id }))
}

/// Party funds received (dues refunded, start-up funds, education funds).
#[utoipa::path(get, path = "/api/v1/party-funds", tag = "党建经费",
    responses((status = 200, body = FundPage)), security(("bearer" = [])))]
async fn funds(State(st): State<AppState>, ApiUser(u): ApiUser, RawQuery(raw): RawQuery) -> ApiResult<FundPage> {
    Ok(Json(crate::api::list::<FundList>(&st, &u, raw.as_deref()).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/party-funds", tag = "党建经费", request_body = FundInput,
    responses((status = 201, body = CreatedId), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn fund_create(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(i): ApiJson<FundInput>,
) -> Result<Response, WebError> {
    Ok(created(CreatedId { id: st.app.party().create_fund(&u, &i).await.map_err(e)?.id }))
}

/// Training records of secretaries (members) and instructors.
#[utoipa::path(get, path = "/api/v1/trainings", tag = "培训",
    responses((status = 200, body = TrainingPage)), security(("bearer" = [])))]
async fn trainings(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<TrainingPage> {
    Ok(Json(crate::api::list::<TrainingList>(&st, &u, raw.as_deref()).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/trainings", tag = "培训", request_body = TrainingInput,
    responses((status = 201, body = CreatedId), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn training_create(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(i): ApiJson<TrainingInput>,
) -> Result<Response, WebError> {
    Ok(created(CreatedId { id: st.app.party().create_training(&u, &i).await.map_err(e)?.id }))
}

/// Management channels of your region and its ancestors.
#[utoipa::path(get, path = "/api/v1/party-channels", tag = "党组织", responses((status = 200, body = ChannelPage)), security(("bearer" = [])))]
async fn channels(State(st): State<AppState>, ApiUser(u): ApiUser, RawQuery(raw): RawQuery) -> ApiResult<ChannelPage> {
    Ok(Json(crate::api::list::<ChannelList>(&st, &u, raw.as_deref()).await?.into()))
}

#[utoipa::path(post, path = "/api/v1/party-channels", tag = "党组织", request_body = ChannelInput,
    responses((status = 201, body = CreatedId), (status = 422, body = ApiError)), security(("bearer" = [])))]
async fn channel_create(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiJson(i): ApiJson<ChannelInput>,
) -> Result<Response, WebError> {
    Ok(created(CreatedId { id: st.app.party().create_channel(&u, &i).await.map_err(e)?.id }))
}

#[derive(Deserialize, ToSchema)]
pub struct HostInput {
    /// null ends the "1+N" lead
    pub host_org_id: Option<i64>,
}

/// "1+N": let an organization with a party organization lead this one.
#[utoipa::path(put, path = "/api/v1/orgs/{id}/host", tag = "党建覆盖", params(("id" = i64, Path)), request_body = HostInput,
    responses((status = 200, body = OrgParty), (status = 422, body = ApiError), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn org_host(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiPut(i): ApiPut<HostInput>,
) -> ApiResult<OrgParty> {
    st.app.party().set_host(&u, id, i.host_org_id).await.map_err(e)?;
    Ok(Json(st.app.party().org_party(&u, id).await.map_err(e)?))
}

#[derive(Deserialize, ToSchema)]
pub struct ChannelSet {
    /// null: back to the channel the rules give
    pub channel_id: Option<i64>,
}

/// Assign an organization's party building to a channel by hand.
#[utoipa::path(put, path = "/api/v1/orgs/{id}/channel", tag = "党建覆盖", params(("id" = i64, Path)), request_body = ChannelSet,
    responses((status = 200, body = OrgParty), (status = 422, body = ApiError), (status = 404, body = ApiError)), security(("bearer" = [])))]
async fn org_channel(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiPut(i): ApiPut<ChannelSet>,
) -> ApiResult<OrgParty> {
    st.app.party().set_org_channel(&u, id, i.channel_id).await.map_err(e)?;
    Ok(Json(st.app.party().org_party(&u, id).await.map_err(e)?))
}

#[derive(OpenApi)]
#[openapi(paths(
    coverage,
    coverage_regions,
    coverage_by,
    breaches,
    org_party,
    plan,
    plan_accept,
    policy_get,
    policy_set,
    party_orgs,
    party_org_create,
    party_org_get,
    party_org_update,
    party_org_cover,
    party_org_dissolve,
    members,
    member_create,
    member_get,
    member_update,
    member_reveal,
    instructors,
    instructor_create,
    instructor_get,
    instructor_update,
    instructor_assign,
    life,
    life_create,
    funds,
    fund_create,
    trainings,
    training_create,
    channels,
    channel_create,
    org_host,
    org_channel
))]
pub struct PartyApiDoc;
