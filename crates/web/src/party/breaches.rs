//! Breaches (违规提示): the list (open or closed, by rule and assignee), one breach with its
//! follow-up log, assignment and notes.

use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::party::breach_life::BreachStatus;
use hongling_service::Error;
use hongling_service::auth::Flash;
use hongling_service::list::Pick;
use hongling_service::party::breaches::{BreachAssignInput, BreachNoteInput};
use hongling_service::party::lists::BreachList;
use hongling_service::party::may_write_party;
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::list::{ListView, export_button, pairs};
use crate::ui::{Button, Cell, DetailPage, Field, InlineForm, Table, picker};

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/party/coverage/breaches", Action::PartyFigures, breaches)
        .get("/party/coverage/breaches/export", Action::PartyFigures, breaches_export)
        .get("/party/coverage/breaches/{id}", Action::PartyFigures, breach)
        .post("/party/coverage/breaches/{id}/assign", Action::PartyCoverageWrite, breach_assign)
        .post("/party/coverage/breaches/{id}/note", Action::PartyCoverageWrite, breach_note)
}

async fn breaches(State(st): State<AppState>, pu: PageUser, RawQuery(raw): RawQuery) -> Result<Response, WebError> {
    let raw = pairs(raw.as_deref());
    let view = ListView::load::<BreachList>(
        &st,
        &pu.user,
        "/party/coverage/breaches",
        "breach-table",
        &raw,
        &["status", "rule", "assignee_id", "region"],
        &[],
    )
    .await?
    .actions(|b| vec![("跟进", format!("/party/coverage/breaches/{}", b.id))]);
    let export = export_button(&pu.user, Action::PartyFigures, view.export_href("/party/coverage/breaches/export"));
    let layout = crumbs(pu.layout(&st, "breaches", "违规提示").await, "违规提示", None);
    Ok(view
        .page(layout, "违规提示", export.into_iter().collect())
        .intro("每日按政策参数重新检查：仍存在的保留发现日期，新出现的新增，已消除的自动关闭（可在“已关闭”中查看跟进记录）")
        .render())
}

async fn breaches_export(
    State(st): State<AppState>,
    pu: PageUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    crate::ui::list::export::<BreachList>(&st, &pu.user, raw.as_deref()).await
}

async fn breach(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let d = st.app.party().get_breach(&pu.user, id).await?;
    let b = &d.breach;
    let open = b.status == BreachStatus::Open.as_str();
    let subject = b.org.as_ref().or(b.party_org.as_ref()).map(|r| r.name.clone()).unwrap_or_default();
    let mut facts = vec![
        ("规则".to_owned(), b.rule_label.clone()),
        (if b.org.is_some() { "社会组织" } else { "党组织" }.to_owned(), subject.clone()),
        ("所在区域".to_owned(), b.region_name.clone()),
        ("情况".to_owned(), b.detail.clone()),
        ("发现日期".to_owned(), b.since.clone()),
        (if open { "已持续" } else { "持续" }.to_owned(), format!("{} 天", b.days_open)),
        ("责任人".to_owned(), b.assignee.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| "未指派".into())),
    ];
    if let Some(c) = &b.closed_on {
        facts.push(("关闭日期".to_owned(), c.clone()));
    }
    let mut log = Table::new("breach-log", vec!["日期", "人员", "类型", "内容"]).titled("跟进记录");
    for l in &d.log {
        log.rows.push(vec![
            Cell::text(l.logged_on.clone()),
            Cell::text(l.actor.clone()),
            Cell::text(l.kind_label.clone()),
            Cell::text(l.text.clone()),
        ]);
    }
    let mut forms = Vec::new();
    if may_write_party(&pu.user) {
        if open {
            forms.push(InlineForm {
                id: "assign-form",
                action: format!("/party/coverage/breaches/{id}/assign"),
                title: "指派责任人".into(),
                fields: vec![
                    picker::field(
                        &st,
                        &pu.user,
                        "assignee_id",
                        "责任人",
                        Pick::Assignees,
                        &b.assignee.as_ref().map(|a| a.id.to_string()).unwrap_or_default(),
                    )
                    .await?
                    .placeholder("输入姓名选择；清空为取消指派"),
                ],
                submit: "保存".into(),
                confirm: String::new(),
                get: false,
            });
        }
        forms.push(InlineForm {
            id: "note-form",
            action: format!("/party/coverage/breaches/{id}/note"),
            title: "添加跟进记录".into(),
            fields: vec![Field::text("text", "跟进情况", "").placeholder("已做的工作、约谈、整改进展等，500 字以内")],
            submit: "添加".into(),
            confirm: String::new(),
            get: false,
        });
    }
    let mut buttons = vec![Button::new("返回列表", "/party/coverage/breaches".to_owned())];
    if let Some(o) = &b.org {
        buttons.push(Button::new("组织覆盖情况", format!("/party/coverage/orgs/{}", o.id)));
    }
    if let Some(p) = &b.party_org {
        buttons.push(Button::new("党组织", format!("/party/orgs/{}", p.id)));
    }
    let title = format!("{}：{}", b.rule_label, subject);
    Ok(render(&DetailPage {
        layout: crumbs(pu.layout(&st, "breaches", &title).await, "违规提示", Some("/party/coverage/breaches"))
            .crumb("跟进", None),
        error: None,
        tags: vec![(b.status_label.clone(), if open { "hl-tag-orange" } else { "hl-tag-grey" })],
        title,
        subtitle: "违规提示的跟进：指派、记录；规则不再触发时由每日重新计算自动关闭".into(),
        buttons,
        tabs: vec![],
        facts,
        tables: vec![log],
        forms,
        secret: None,
        query: None,
        note: String::new(),
    }))
}

#[derive(Deserialize)]
struct AssignForm {
    #[serde(default)]
    assignee_id: String,
}

async fn breach_assign(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<AssignForm>,
) -> Result<Response, WebError> {
    let to = format!("/party/coverage/breaches/{id}");
    let text = f.assignee_id.trim();
    let assignee_id = if text.is_empty() {
        None
    } else {
        match st.app.resolve_pick(&pu.user, Pick::Assignees, text).await? {
            Ok(u) => Some(u),
            Err(m) => return Ok(pu.redirect(&st, &to, Flash::error(m)).await),
        }
    };
    match st.app.party().assign_breach(&pu.user, id, &BreachAssignInput { assignee_id }).await {
        Ok(()) => Ok(pu
            .redirect(&st, &to, Flash::ok(if assignee_id.is_some() { "已指派责任人。" } else { "已取消指派。" }))
            .await),
        Err(e @ (Error::Invalid(_) | Error::Conflict(_))) => {
            Ok(pu.redirect(&st, &to, Flash::error(e.to_string())).await)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    text: String,
}

async fn breach_note(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<NoteForm>,
) -> Result<Response, WebError> {
    let to = format!("/party/coverage/breaches/{id}");
    match st.app.party().add_breach_note(&pu.user, id, &BreachNoteInput { text: f.text }).await {
        Ok(()) => Ok(pu.redirect(&st, &to, Flash::ok("已添加跟进记录。")).await),
        Err(e @ Error::Invalid(_)) => Ok(pu.redirect(&st, &to, Flash::error(e.to_string())).await),
        Err(e) => Err(e.into()),
    }
}
