//! The audit log (审计日志): the shared list page, exportable.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_service::system::lists::AuditList;

use super::PageUser;
use crate::AppState;
use crate::error::WebError;
use crate::routes::Routes;
use crate::ui::list::{ListView, export_button, pairs};

pub(super) fn routes() -> Routes {
    Routes::new().get("/system/audit", Action::AuditRead, audit).get(
        "/system/audit/export",
        Action::AuditRead,
        audit_export,
    )
}

async fn audit(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let raw = pairs(raw.as_deref());
    let form = &["actor", "action", "entity_type", "entity_id", "from", "until"];
    let view = ListView::load::<AuditList>(&st, &pu.user, "/system/audit", "audit-table", &raw, form, &[]).await?;
    let export = export_button(&pu.user, Action::AuditRead, view.export_href("/system/audit/export"));
    let layout = pu.layout(&st, "audit", "审计日志").await.crumb("系统管理", None).crumb("审计日志", None);
    Ok(view.page(layout, "", export.into_iter().collect()).render())
}

async fn audit_export(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    crate::ui::list::export::<AuditList>(&st, &pu.user, raw.as_deref()).await
}
