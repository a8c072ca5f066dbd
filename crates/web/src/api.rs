//! The JSON API under `/api/v1`, described by an OpenAPI document.
//! Authentication: `Authorization: Bearer <token>` or the session cookie
//! (state-changing calls with the cookie also need `X-CSRF-Token`).

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use hongling_service::{CurrentUser, Error};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::AppState;
use crate::error::{ApiError, WebError};
use crate::extract::ApiPath;
use crate::routes::Routes;
use crate::security::Auth;
use hongling_domain::Access;
use hongling_domain::Action;

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/me", Action::Home, me)
        .get("/api/v1/regions/{code}", Action::RegionsRead, region)
        .get("/api/v1/openapi.json", Access::Public, openapi)
        .get("/api/v1/uscc/{code}", Access::Public, uscc_check)
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

pub(crate) type ApiResult<T> = Result<Json<T>, WebError>;

pub(crate) fn api_err(e: Error) -> WebError {
    WebError::api(e)
}

#[derive(Serialize, ToSchema)]
pub struct Scope {
    /// `region`, `org` or `party_org`
    #[schema(value_type = hongling_domain::role::ScopeKind)]
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
    #[schema(value_type = hongling_domain::Role)]
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
    #[schema(value_type = Option<hongling_domain::region::UrbanRural>)]
    pub urban_rural: Option<String>,
    pub children: Vec<RegionChild>,
}

/// A region inside the caller's scope, with its children.
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "行政区划",
    params(("code" = String, Path, description = "行政区划代码")),
    responses((status = 200, body = Region), (status = 404, body = ApiError)),
    security(("bearer" = [])))]
async fn region(State(st): State<AppState>, ApiUser(u): ApiUser, ApiPath(code): ApiPath<String>) -> ApiResult<Region> {
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
async fn uscc_check(ApiPath(code): ApiPath<String>) -> Json<UsccCheck> {
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
    paths(me, region, healthz, uscc_check, openapi),
    components(schemas(ApiError)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// The OpenAPI document (no authentication).
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "系统",
    responses((status = 200, description = "本接口的 OpenAPI 3.1 文档", content_type = "application/json")))]
async fn openapi() -> Response {
    // the document is a constant of the build: made once per process
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let text = DOC.get_or_init(|| serde_json::to_string_pretty(&openapi_document()).unwrap_or_default());
    if text.is_empty() {
        return WebError::api(Error::internal("openapi document")).into_response();
    }
    ([(header::CONTENT_TYPE, "application/json")], text.clone()).into_response()
}

/// The whole OpenAPI document: each module's operations, the lists'
/// parameters from their descriptions, then [`complete`]. The snapshot in
/// `docs/openapi.json` is this, and CI validates it.
pub fn openapi_document() -> serde_json::Value {
    let mut doc = ApiDoc::openapi();
    // each module's API document
    doc.merge(crate::registry::api::RegistryApiDoc::openapi());
    doc.merge(crate::party::api::PartyApiDoc::openapi());
    add_list_parameters(&mut doc);
    let mut v = serde_json::to_value(&doc).unwrap_or_default();
    crate::openapi::complete(&mut v);
    v
}

/// A page of a list for the API: the query string parsed strictly (an
/// unknown parameter, a value outside its set or an unknown sort key is a
/// 422 naming it and the allowed values), then the list as on its page.
pub(crate) async fn list<L: hongling_service::list::Listing>(
    st: &AppState,
    me: &CurrentUser,
    raw: Option<&str>,
) -> Result<hongling_service::Page<L::Row>, WebError> {
    let pairs = crate::ui::list::pairs(raw);
    let q = st.app.list_query(me, L::spec(), &pairs, true).await.map_err(api_err)?;
    st.app.list::<L>(me, &q).await.map_err(api_err)
}

/// The query parameters of a list, from its description (filters with their
/// kinds and allowed values, sort keys, paging), for the OpenAPI document.
pub(crate) fn list_parameters(def: &hongling_service::list::ListDef<'_>) -> Vec<utoipa::openapi::path::Parameter> {
    use hongling_service::list::FilterKind;
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, Type};
    use utoipa::openapi::{KnownFormat, Required};
    let param = |name: &str, desc: String, schema: ObjectBuilder| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .description(Some(desc))
            .schema(Some(schema.build()))
            .build()
    };
    let mut out = Vec::new();
    for f in def.filters {
        let (desc, schema) = match &f.kind {
            FilterKind::Search => (
                format!("{}（包含即可）", f.label),
                ObjectBuilder::new().schema_type(Type::String).max_length(Some(100)),
            ),
            FilterKind::Region => (
                format!("{}：行政区划代码或名称（如 370502、东营区），其下级区域一并包含；须在本账号的范围内", f.label),
                ObjectBuilder::new().schema_type(Type::String),
            ),
            FilterKind::Choice(options) => (
                format!(
                    "{}：{}",
                    f.label,
                    options.iter().map(|(id, l)| format!("{id}（{l}）")).collect::<Vec<_>>().join("、")
                ),
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(options.iter().map(|(id, _)| *id)))
                    .default(f.default.map(|d| serde_json::Value::String(d.to_owned()))),
            ),
            FilterKind::Pick(kind) => (
                format!("{}：{}的编号（也可填完整名称）", f.label, kind.noun()),
                ObjectBuilder::new().schema_type(Type::String),
            ),
            FilterKind::Flag(on) => (
                format!("{}：1 或 true 为“{on}”", f.label),
                ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["1", "0", "true", "false"])),
            ),
            FilterKind::Int { min, max } => (
                f.label.to_owned(),
                ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(*min)).maximum(Some(*max)),
            ),
            FilterKind::Date => (
                format!("{}（YYYY-MM-DD）", f.label),
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
            ),
        };
        out.push(param(f.name, desc, schema));
    }
    if !def.sorts.is_empty() {
        out.push(param(
            "sort",
            format!("排序：{}", def.sorts.iter().map(|(k, l)| format!("{k}（{l}）")).collect::<Vec<_>>().join("、")),
            ObjectBuilder::new().schema_type(Type::String).enum_values(Some(def.sorts.iter().map(|(k, _)| *k))),
        ));
        out.push(param(
            "dir",
            "排序方向：asc（升序）或 desc（降序）".into(),
            ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["asc", "desc"])),
        ));
    }
    out.push(param("page", "页码，从 1 开始".into(), ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1))));
    out.push(param(
        "per_page",
        format!("每页条数，1–{}，默认 20", hongling_service::list::MAX_PER_PAGE),
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(hongling_service::list::MAX_PER_PAGE)),
    ));
    out
}

/// The lists of the API by path: their parameters come from their descriptions.
fn api_lists() -> Vec<(&'static str, hongling_service::list::ListDef<'static>)> {
    use hongling_service::list::Listing;
    use hongling_service::party::lists as p;
    vec![
        ("/api/v1/orgs", hongling_service::registry::lists::OrgList::spec().def()),
        ("/api/v1/party-orgs", p::PartyOrgList::spec().def()),
        ("/api/v1/party-members", p::MemberList::spec().def()),
        ("/api/v1/instructors", p::InstructorList::spec().def()),
        ("/api/v1/party-life", p::PartyLifeList::spec().def()),
        ("/api/v1/party-funds", p::FundList::spec().def()),
        ("/api/v1/trainings", p::TrainingList::spec().def()),
        ("/api/v1/coverage/breaches", p::BreachList::spec().def()),
        ("/api/v1/party-channels", p::ChannelList::spec().def()),
    ]
}

/// Put each list's query parameters into its operation.
fn add_list_parameters(doc: &mut utoipa::openapi::OpenApi) {
    for (path, def) in api_lists() {
        if let Some(op) = doc.paths.paths.get_mut(path).and_then(|item| item.get.as_mut()) {
            op.parameters = Some(list_parameters(&def).into_iter().map(utoipa::openapi::RefOr::T).collect());
        }
    }
}
