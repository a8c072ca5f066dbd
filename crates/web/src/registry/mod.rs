//! Registry pages (M1): list with search form, detail with history, forms,
//! life-cycle actions, import with preview, export, supervisory units.

pub mod api;
mod detail;
mod form;
mod import;
mod list;
mod status;
mod units;

use hongling_domain::registry::{Category, OrgKind, OrgStatus, RegistrationMode};
use hongling_service::models;
use hongling_service::registry::orgs::may_write_registry;
use hongling_service::{CurrentUser, Error};

use crate::AppState;
use crate::error::WebError;
use crate::routes::Routes;
use hongling_domain::Action;

fn opts<T: Copy>(
    all: &[T],
    id: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (id(*v), label(*v))).collect()
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    opts(OrgKind::ALL, OrgKind::as_str, OrgKind::label)
}
fn modes() -> Vec<(&'static str, &'static str)> {
    opts(RegistrationMode::ALL, RegistrationMode::as_str, RegistrationMode::label)
}
fn categories() -> Vec<(&'static str, &'static str)> {
    opts(Category::ALL, Category::as_str, Category::label)
}
fn statuses() -> Vec<(&'static str, &'static str)> {
    opts(OrgStatus::ALL, OrgStatus::as_str, OrgStatus::label)
}

fn label_of<T: Copy>(s: &str, parse: fn(&str) -> Option<T>, label: fn(T) -> &'static str) -> String {
    parse(s).map(label).map(str::to_owned).unwrap_or_else(|| s.to_owned())
}

/// A row of the list.
pub struct OrgRow {
    pub id: i64,
    pub name: String,
    pub uscc: String,
    pub kind: String,
    pub mode: String,
    pub category: String,
    pub region: String,
    pub founded_on: String,
    pub status: String,
    pub status_tag: &'static str,
}

async fn rows(st: &AppState, items: &[models::SocialOrg]) -> Result<Vec<OrgRow>, Error> {
    let codes: Vec<String> = items.iter().map(|m| m.region_code.clone()).collect();
    let labels = st.app.region_labels(&codes).await?;
    Ok(items
        .iter()
        .map(|m| {
            let status = OrgStatus::parse(&m.status);
            OrgRow {
                id: m.id,
                name: m.name.clone(),
                uscc: m.uscc.clone().unwrap_or_default(),
                kind: label_of(&m.kind, OrgKind::parse, OrgKind::label),
                mode: label_of(&m.registration_mode, RegistrationMode::parse, RegistrationMode::label),
                category: label_of(&m.category, Category::parse, Category::label),
                region: labels.get(&m.region_code).cloned().unwrap_or_else(|| m.region_code.clone()),
                founded_on: m.founded_on.map(|d| d.to_string()).unwrap_or_default(),
                status: status.map(OrgStatus::label).unwrap_or(&m.status).to_owned(),
                status_tag: status.map(OrgStatus::tag).unwrap_or("hl-tag-grey"),
            }
        })
        .collect())
}

pub(super) fn region_code_of(s: &str) -> String {
    s.trim().chars().take_while(|c| c.is_ascii_digit()).collect()
}

pub(super) fn require_writer(u: &CurrentUser) -> Result<(), WebError> {
    if may_write_registry(u) {
        Ok(())
    } else {
        Err(WebError::page(Error::Forbidden("只有登记管理机关可以办理社会组织登记事项")))
    }
}

/// The routes of this module.
pub fn routes() -> Routes {
    Routes::new()
        .get("/registry/orgs", Action::RegistryRead, list::list)
        .post("/registry/orgs", Action::RegistryWrite, form::create)
        .get("/registry/orgs/{id}", Action::RegistryRead, detail::detail)
        .post("/registry/orgs/{id}", Action::RegistryWrite, form::update)
        .merge(form::routes())
        .merge(import::routes())
        .merge(list::routes())
        .merge(status::routes())
        .merge(units::routes())
}
