//! The register (社会组织名录): search form, sortable table, export.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::registry::OrgStatus;
use hongling_service::list::Value;
use hongling_service::registry::lists::OrgList;

use crate::AppState;
use crate::error::WebError;
use crate::page::PageUser;
use crate::routes::Routes;
use crate::ui::Button;
use crate::ui::list::{ListView, export_button, pairs};

pub(super) fn routes() -> Routes {
    Routes::new().get("/registry/orgs/export", Action::RegistryExport, export)
}

/// The fields of the search form (others, such as coverage or channel, show
/// when a link sets them).
const FORM: &[&str] = &["q", "region", "kind", "mode", "category", "status", "supervisory_unit_id"];

pub(super) async fn list(
    State(st): State<AppState>,
    pu: PageUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    // an organization's account keeps one record: no search form for it
    if pu.user.scope.kind == hongling_domain::role::ScopeKind::Org
        && let Some(id) = pu.user.scope.ref_id
    {
        return Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to(&format!(
            "/registry/orgs/{id}"
        ))));
    }
    let raw = pairs(raw.as_deref());
    let view = ListView::load::<OrgList>(&st, &pu.user, "/registry/orgs", "org-table", &raw, FORM, &[]).await?;
    let applying =
        view.query.as_ref().and_then(|q| q.get("status")) == Some(&Value::Choice(OrgStatus::Applying.as_str()));
    let can_write = pu.user.can(Action::RegistryWrite);
    let view = view.actions(|r| {
        let mut a = vec![("查看", format!("/registry/orgs/{}", r.org.id))];
        if can_write {
            a.push(("编辑", format!("/registry/orgs/{}/edit", r.org.id)));
        }
        a
    });
    let mut buttons = Vec::new();
    if can_write {
        buttons.push(Button::primary("新增登记", "/registry/orgs/new"));
        buttons.push(Button::new("受理成立申请", "/registry/orgs/new?applying=1"));
    }
    if pu.user.can(Action::RegistryImport) {
        buttons.push(Button::new("导入", "/registry/import"));
    }
    buttons.extend(export_button(&pu.user, Action::RegistryExport, view.export_href("/registry/orgs/export")));
    let title = if applying { "成立审查" } else { "登记管理" };
    let layout = pu
        .layout(&st, if applying { "org_review" } else { "orgs" }, title)
        .await
        .crumb("社会组织", None)
        .crumb(title, None);
    Ok(view.page(layout, "", buttons).render())
}

/// The filtered, sorted register as .xlsx in the import template's columns.
async fn export(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    crate::ui::list::export::<OrgList>(&st, &pu.user, raw.as_deref()).await
}
