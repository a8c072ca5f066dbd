//! The audit log (审计日志): the shared list page (actions in Chinese, people
//! by name, records as links), one entry's page with its changed fields, and
//! the export of the same list.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_service::list::Cell as Value_;
use hongling_service::system::lists::AuditList;

use super::*;
use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::routes::Routes;
use crate::ui::list::{ListView, cell, export_button, pairs};
use crate::ui::{Button, Cell, DetailPage, Table};

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/system/audit", Action::AuditRead, audit)
        .get("/system/audit/export", Action::AuditRead, audit_export)
        .get("/system/audit/{seq}", Action::AuditRead, audit_entry)
}

async fn audit(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let raw = pairs(raw.as_deref());
    let form = &["actor", "action", "entity_type", "entity_id", "from", "until"];
    let view = ListView::load::<AuditList>(&st, &pu.user, "/system/audit", "audit-table", &raw, form, &[])
        .await?
        .actions(|r| vec![("查看", format!("/system/audit/{}", r.entry.seq))]);
    let export = export_button(&pu.user, Action::AuditRead, view.export_href("/system/audit/export"));
    let layout = pu.layout(&st, "audit", "审计日志").await.crumb("系统管理", None).crumb("审计日志", None);
    Ok(view.page(layout, "", export.into_iter().collect()).render())
}

async fn audit_export(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    crate::ui::list::export::<AuditList>(&st, &pu.user, raw.as_deref()).await
}

/// One entry: who, what, which record, and its changed fields (字段 / 修改前 /
/// 修改后, personal data masked as stored).
async fn audit_entry(State(st): State<AppState>, pu: PageUser, Path(seq): Path<i64>) -> Result<Response, WebError> {
    let r = st.app.audit_entry(&pu.user, seq).await?;
    let e = &r.entry;
    let layout = pu
        .layout(&st, "audit", "审计记录")
        .await
        .crumb("系统管理", None)
        .crumb("审计日志", Some("/system/audit"))
        .crumb(format!("第 {} 条", e.seq), None);
    let mut page = DetailPage::new(layout, format!("{}（第 {} 条）", r.action, e.seq));
    page.subtitle = e.summary.clone();
    let region = match st.app.region_label(&e.region_code).await? {
        _ if e.region_code.is_empty() => "—".to_owned(),
        n if n.is_empty() => e.region_code.clone(),
        n => format!("{n}（{}）", e.region_code),
    };
    let actor = if r.actor_name == e.actor { e.actor.clone() } else { format!("{}（{}）", r.actor_name, e.actor) };
    page.facts = vec![
        ("时间".to_owned(), fmt::datetime(e.at)),
        ("操作人".to_owned(), actor),
        ("操作".to_owned(), r.action.clone()),
        ("对象".to_owned(), r.record.plain()),
        ("所在区域".to_owned(), region),
        ("说明".to_owned(), e.summary.clone()),
    ];
    if let Value_::Link(_, rec, id) = &r.record {
        page.buttons.push(Button::primary("查看对象", crate::ui::list::href(*rec, *id)));
        page.buttons.push(Button::new(
            "该对象的全部记录",
            format!("/system/audit?entity_type={}&entity_id={}", e.entity_type, e.entity_id),
        ));
    }
    page.buttons.push(Button::new("返回列表", "/system/audit"));
    let title = match (e.before_json.is_empty(), e.after_json.is_empty()) {
        (false, false) => "变更内容（仅列出有变化的字段）",
        (true, false) => "记录内容",
        (false, true) => "删除前的内容",
        (true, true) => "变更内容",
    };
    let mut table = Table::new("audit-changes", vec!["字段", "修改前", "修改后"]).titled(title);
    table.rows = r
        .changes
        .iter()
        .map(|c| {
            vec![Cell::text(c.label.clone()), cell(Value_::text(c.before.clone())), cell(Value_::text(c.after.clone()))]
        })
        .collect();
    page.tables.push(table);
    Ok(render(&page))
}
