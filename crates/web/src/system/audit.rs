//! Audit.

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::layout::{Layout, Pager};
use crate::routes::Routes;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_service::PageRequest;
use hongling_service::audit::AuditQuery;
use serde::Deserialize;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new().get("/system/audit", Action::AuditRead, audit)
}

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
#[template(path = "system/audit.html")]
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
