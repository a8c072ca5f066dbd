//! Create / edit.

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::layout::Layout;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Action;
use hongling_domain::registry::{Category, OrgDraft, OrgKind, OrgStatus, RegistrationMode};
use hongling_service::registry::orgs::draft_of;
use hongling_service::{Error, FieldError, Principal};
use serde::Deserialize;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new().get("/registry/orgs/new", Action::RegistryWrite, new_form).get(
        "/registry/orgs/{id}/edit",
        Action::RegistryWrite,
        edit_form,
    )
}

/// The form as typed (strings, so a failed submit keeps what was typed).
#[derive(Deserialize, Default, Clone)]
pub struct OrgForm {
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    industry: String,
    #[serde(default)]
    authority_region: String,
    #[serde(default)]
    supervisory_unit_id: String,
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    longitude: String,
    #[serde(default)]
    latitude: String,
    #[serde(default)]
    legal_rep: String,
    #[serde(default)]
    founded_on: String,
    #[serde(default)]
    staff_count: String,
    #[serde(default)]
    member_count: String,
    #[serde(default)]
    charter_party_clause: Option<String>,
    #[serde(default)]
    is_hub: Option<String>,
    #[serde(default)]
    is_brand: Option<String>,
    #[serde(default)]
    incubator: String,
    #[serde(default)]
    applying: Option<String>,
    #[serde(default)]
    version: Option<i32>,
    #[serde(default)]
    effective_on: String,
    #[serde(default)]
    reason: String,
}

impl OrgForm {
    fn from_draft(d: &OrgDraft) -> Self {
        let num = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
        let coord = |v: Option<f64>| v.map(|n| format!("{n:.6}")).unwrap_or_default();
        let flag = |b: bool| b.then(|| "on".to_owned());
        OrgForm {
            uscc: d.uscc.clone(),
            name: d.name.clone(),
            kind: d.kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
            mode: d.mode.map(|k| k.as_str().to_owned()).unwrap_or_default(),
            category: d.category.map(|k| k.as_str().to_owned()).unwrap_or_default(),
            industry: d.industry.clone(),
            authority_region: d.authority_region.clone(),
            supervisory_unit_id: d.supervisory_unit_id.map(|n| n.to_string()).unwrap_or_default(),
            region_code: d.region_code.clone(),
            address: d.address.clone(),
            longitude: coord(d.longitude),
            latitude: coord(d.latitude),
            legal_rep: d.legal_rep.clone(),
            founded_on: d.founded_on.map(|x| x.to_string()).unwrap_or_default(),
            staff_count: num(d.staff_count),
            member_count: num(d.member_count),
            charter_party_clause: flag(d.charter_party_clause),
            is_hub: flag(d.is_hub),
            is_brand: flag(d.is_brand),
            incubator: d.incubator.clone(),
            ..Default::default()
        }
    }

    /// The draft, or the fields that could not even be read.
    fn draft(&self) -> (OrgDraft, Vec<FieldError>) {
        let mut errs = Vec::new();
        let mut bad = |f: &str, m: &str| errs.push(FieldError { field: f.into(), message: m.into() });
        let int = |s: &str, f: &str, bad: &mut dyn FnMut(&str, &str)| -> Option<i32> {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            s.parse().map_err(|_| bad(f, "请填写整数")).ok()
        };
        let float = |s: &str, f: &str, bad: &mut dyn FnMut(&str, &str)| -> Option<f64> {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            s.parse().map_err(|_| bad(f, "请填写数字，如 118.582184")).ok()
        };
        let founded_on = if self.founded_on.trim().is_empty() {
            None
        } else {
            let d = fmt::parse_date(&self.founded_on);
            if d.is_none() {
                bad("founded_on", "日期格式应为 YYYY-MM-DD");
            }
            d
        };
        let d = OrgDraft {
            uscc: self.uscc.clone(),
            name: self.name.clone(),
            kind: OrgKind::parse(&self.kind),
            mode: RegistrationMode::parse(&self.mode),
            category: Category::parse(&self.category),
            industry: self.industry.clone(),
            authority_region: region_code_of(&self.authority_region),
            supervisory_unit_id: self.supervisory_unit_id.trim().parse().ok(),
            region_code: region_code_of(&self.region_code),
            address: self.address.clone(),
            longitude: float(&self.longitude, "longitude", &mut bad),
            latitude: float(&self.latitude, "longitude", &mut bad),
            legal_rep: self.legal_rep.clone(),
            founded_on,
            staff_count: int(&self.staff_count, "staff_count", &mut bad),
            member_count: int(&self.member_count, "member_count", &mut bad),
            charter_party_clause: self.charter_party_clause.is_some(),
            is_hub: self.is_hub.is_some(),
            is_brand: self.is_brand.is_some(),
            incubator: self.incubator.clone(),
        };
        (d, errs)
    }
}

#[derive(Template)]
#[template(path = "registry/org_form.html")]
struct FormPage {
    layout: Layout,
    title: String,
    action: String,
    f: OrgForm,
    errors: Vec<FieldError>,
    kinds: Vec<(&'static str, &'static str)>,
    modes: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    units: Vec<(String, String)>,
    editing: bool,
    applying: bool,
}

impl FormPage {
    fn err(&self, field: &str) -> Option<String> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
    }
}

async fn form_page(
    st: &AppState,
    pu: &PageUser,
    title: &str,
    action: String,
    f: OrgForm,
    errors: Vec<FieldError>,
    editing: bool,
) -> Result<Response, WebError> {
    let units = st.app.registry().list_supervisory_units(&pu.user).await?;
    let applying = f.applying.is_some();
    let mut res = render(&FormPage {
        layout: pu
            .layout(st, "orgs", title)
            .await
            .crumb("社会组织", None)
            .crumb("登记管理", Some("/registry/orgs"))
            .crumb(title.to_owned(), None),
        title: title.to_owned(),
        action,
        kinds: kinds(),
        modes: modes(),
        categories: categories(),
        units: units.into_iter().map(|u| (u.id.to_string(), u.name)).collect(),
        editing,
        applying,
        f,
        errors: errors.clone(),
    });
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Deserialize)]
struct NewQuery {
    applying: Option<String>,
}

async fn new_form(State(st): State<AppState>, pu: PageUser, Query(q): Query<NewQuery>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let f = OrgForm {
        mode: "registered".into(),
        kind: "association".into(),
        authority_region: pu.user.scope.region.to_string(),
        charter_party_clause: Some("on".into()),
        applying: q.applying.filter(|a| !a.is_empty()),
        ..Default::default()
    };
    let title = if f.applying.is_some() { "受理成立申请" } else { "新增登记" };
    form_page(&st, &pu, title, "/registry/orgs".into(), f, vec![], false).await
}

pub(super) async fn create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(f): Form<OrgForm>,
) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let applying = f.applying.is_some();
    let (d, mut errs) = f.draft();
    let title = if applying { "受理成立申请" } else { "新增登记" };
    if !errs.is_empty() {
        return form_page(&st, &pu, title, "/registry/orgs".into(), f, errs, false).await;
    }
    match st.app.registry().create_org(&Principal::User(pu.user.clone()), d, applying).await {
        Ok(m) => {
            Ok(Redirect::to(&format!("/registry/orgs/{}?ok={}", m.id, if applying { "applied" } else { "created" }))
                .into_response())
        }
        Err(Error::Invalid(e)) => {
            errs.extend(e);
            form_page(&st, &pu, title, "/registry/orgs".into(), f, errs, false).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let org = st.app.registry().get_org(&pu.user, id).await?;
    let mut f = OrgForm::from_draft(&draft_of(&org));
    f.version = Some(org.version);
    f.applying = (org.status == OrgStatus::Applying.as_str()).then(|| "1".to_owned());
    form_page(&st, &pu, "变更登记事项", format!("/registry/orgs/{id}"), f, vec![], true).await
}

pub(super) async fn update(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<OrgForm>,
) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let (d, mut errs) = f.draft();
    let effective = if f.effective_on.trim().is_empty() {
        None
    } else {
        let e = fmt::parse_date(&f.effective_on);
        if e.is_none() {
            errs.push(FieldError { field: "effective_on".into(), message: "日期格式应为 YYYY-MM-DD".into() });
        }
        e
    };
    let action = format!("/registry/orgs/{id}");
    if !errs.is_empty() {
        return form_page(&st, &pu, "变更登记事项", action, f, errs, true).await;
    }
    match st.app.registry().update_org(&pu.user, id, d, f.version, effective, f.reason.trim()).await {
        Ok(m) => {
            // an edit that changed nothing returns the record as it was
            let ok = if Some(m.version) == f.version { "unchanged" } else { "updated" };
            Ok(Redirect::to(&format!("/registry/orgs/{id}?ok={ok}")).into_response())
        }
        Err(Error::Invalid(e)) => {
            errs.extend(e);
            form_page(&st, &pu, "变更登记事项", action, f, errs, true).await
        }
        Err(e) => Err(e.into()),
    }
}
