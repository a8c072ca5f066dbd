//! Registry decisions (登记审批): the leader's to-do list of proposed 注销,
//! 撤销, 吊销 and 恢复, a proposal's page, and approving or returning it.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::registry::decision::{DecisionStatus, Verdict};
use hongling_service::auth::Flash;
use hongling_service::registry::decisions::DecisionView;
use hongling_service::{Error, FieldError};
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::{Cell, DetailPage, Field, InlineForm, Tab, Table};

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/registry/decisions", Action::RegistryWrite, list)
        .get("/registry/decisions/{id}", Action::RegistryWrite, detail)
        .post("/registry/decisions/{id}/approve", Action::RegistryDecide, approve)
        .post("/registry/decisions/{id}/return", Action::RegistryDecide, give_back)
}

/// An RFC 3339 time as pages show it (Asia/Shanghai).
pub(super) fn at(s: &str) -> String {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map(|t| t.to_offset(time::UtcOffset::UTC))
        .map(|t| fmt::datetime(time::PrimitiveDateTime::new(t.date(), t.time())))
        .unwrap_or_else(|_| s.to_owned())
}

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
}

async fn list(State(st): State<AppState>, pu: PageUser, Query(q): Query<ListQuery>) -> Result<Response, WebError> {
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => DecisionStatus::Pending,
        Some(s) => DecisionStatus::parse(s)
            .ok_or_else(|| WebError::page(Error::invalid("status", "status 应为 pending、approved 或 returned")))?,
    };
    let rows = st.app.registry().decisions(&pu.user, status, 200).await?;
    let pending = st.app.registry().pending_decision_count(&pu.user).await?;
    let title = "登记审批";
    let layout = pu.layout(&st, "decisions", title).await.crumb("社会组织", None).crumb(title, None);
    let mut page = DetailPage::new(layout, title);
    page.subtitle = if pu.user.can(Action::RegistryDecide) {
        format!(
            "经办人提出的注销、撤销、吊销和恢复，经负责人批准后生效。待您审批 {} 件。",
            fmt::thousands(pending as i64)
        )
    } else {
        format!("您提出的注销、撤销、吊销和恢复，经负责人批准后生效。待审批 {} 件。", fmt::thousands(pending as i64))
    };
    let base = "/registry/decisions";
    page.tabs = vec![
        Tab {
            id: "tab-pending".into(),
            label: format!("待审批（{pending}）"),
            href: base.into(),
            active: status == DecisionStatus::Pending,
        },
        Tab {
            id: "tab-approved".into(),
            label: "已批准".into(),
            href: format!("{base}?status=approved"),
            active: status == DecisionStatus::Approved,
        },
        Tab {
            id: "tab-returned".into(),
            label: "已退回".into(),
            href: format!("{base}?status=returned"),
            active: status == DecisionStatus::Returned,
        },
    ];
    let decided = status != DecisionStatus::Pending;
    let mut heads = vec!["社会组织", "事项", "事由 / 决定文书号", "决定日期", "经办人", "提出时间"];
    match status {
        DecisionStatus::Approved => heads.extend(["审批人", "审批时间"]),
        DecisionStatus::Returned => heads.extend(["审批人 / 退回理由", "审批时间"]),
        DecisionStatus::Pending => {}
    }
    heads.push("操作");
    let mut t = Table::new("decision-table", heads);
    for d in rows {
        let mut row = vec![
            Cell::link(d.org_name.clone(), format!("/registry/orgs/{}", d.org_id))
                .sub(d.org_uscc.clone().unwrap_or_default()),
            Cell { nowrap: true, ..Cell::text(d.action_label.clone()) },
            Cell::text(d.reason.clone()).sub(d.doc_no.clone()),
            Cell { nowrap: true, ..Cell::text(d.effective_on.clone()) },
            Cell::text(d.proposed_by.clone()),
            Cell { nowrap: true, ..Cell::text(at(&d.proposed_at)) },
        ];
        if decided {
            row.push(Cell::text(d.decided_by.clone()).sub(d.decision_note.clone()));
            row.push(Cell { nowrap: true, ..Cell::text(d.decided_at.as_deref().map(at).unwrap_or_default()) });
        }
        let open = if !decided && pu.user.can(Action::RegistryDecide) { "审批" } else { "查看" };
        row.push(Cell { links: vec![(open.into(), format!("{base}/{}", d.id))], ..Default::default() });
        t.rows.push(row);
    }
    page.tables.push(t);
    Ok(render(&page))
}

/// A proposal's page; a leader who may decide it gets the two forms.
async fn decision_page(
    st: &AppState,
    pu: &PageUser,
    id: i64,
    error: Option<String>,
    note: &str,
    note_error: Option<String>,
) -> Result<Response, WebError> {
    let m = st.app.registry().get_decision(&pu.user, id).await?;
    let d: DecisionView = st
        .app
        .registry()
        .decision_views(vec![m.clone()])
        .await?
        .pop()
        .ok_or_else(|| WebError::page(Error::NotFound))?;
    let title = format!("{}申请：{}", d.action_label, d.org_name);
    let layout = pu
        .layout(st, "decisions", &title)
        .await
        .crumb("社会组织", None)
        .crumb("登记审批", Some("/registry/decisions"))
        .crumb(d.action_label.clone(), None);
    let mut page = DetailPage::new(layout, title);
    let status = DecisionStatus::parse(&d.status);
    if let Some(s) = status {
        page.tags.push((s.label().to_owned(), s.tag()));
    }
    page.error = error;
    page.subtitle = format!("统一社会信用代码：{}", d.org_uscc.as_deref().unwrap_or("—"));
    page.buttons.push(crate::ui::Button::new("查看组织档案", format!("/registry/orgs/{}", d.org_id)));
    let dash = |s: &str| if s.is_empty() { "—".to_owned() } else { s.to_owned() };
    page.facts = vec![
        ("社会组织".into(), d.org_name.clone()),
        ("事项".into(), d.action_label.clone()),
        ("事由".into(), d.reason.clone()),
        ("决定文书号".into(), dash(&d.doc_no)),
        ("决定日期".into(), d.effective_on.clone()),
        ("经办人（提出）".into(), d.proposed_by.clone()),
        ("提出时间".into(), at(&d.proposed_at)),
        ("审批状态".into(), d.status_label.clone()),
        ("审批人".into(), dash(&d.decided_by)),
        ("审批时间".into(), d.decided_at.as_deref().map(at).unwrap_or_else(|| "—".into())),
    ];
    if status == Some(DecisionStatus::Returned) {
        page.facts.push(("退回理由".into(), d.decision_note.clone()));
    }
    let pending = status == Some(DecisionStatus::Pending);
    if pending && pu.user.can(Action::RegistryDecide) {
        if m.proposed_by == Some(pu.user.id) {
            page.note = "这是您本人提出的申请，须由另一名负责人审批。".into();
        } else {
            page.forms.push(InlineForm {
                id: "approve-form",
                action: format!("/registry/decisions/{id}/approve"),
                title: "批准".into(),
                fields: vec![],
                submit: format!("批准{}", d.action_label),
                confirm: format!(
                    "确定批准{}“{}”？批准后立即生效，记入变更记录和审计日志。",
                    d.action_label, d.org_name
                ),
                get: false,
            });
            let mut reason = Field::text("note", "退回理由", note).placeholder("如：文书号有误");
            reason.required = true;
            reason.error = note_error;
            page.forms.push(InlineForm {
                id: "return-form",
                action: format!("/registry/decisions/{id}/return"),
                title: "退回".into(),
                fields: vec![reason],
                submit: "退回经办人".into(),
                confirm: "确定退回该申请？".into(),
                get: false,
            });
        }
    } else if pending {
        page.note = "该申请待登记管理机关负责人审批，批准后生效。".into();
    }
    let mut res = render(&page);
    if page_failed(&page) {
        *res.status_mut() = StatusCode::CONFLICT;
    }
    Ok(res)
}

fn page_failed(p: &DetailPage) -> bool {
    p.error.is_some()
}

async fn detail(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    decision_page(&st, &pu, id, None, "", None).await
}

#[derive(Deserialize, Default)]
struct NoteForm {
    #[serde(default)]
    note: String,
}

async fn decided(st: AppState, pu: PageUser, id: i64, verdict: Verdict, note: String) -> Result<Response, WebError> {
    match st.app.registry().decide(&pu.user, id, verdict, &note).await {
        Ok(d) => {
            let msg = match verdict {
                Verdict::Approve => "已批准，登记状态已变更，变更记录已留存。",
                Verdict::Return => "已退回该申请，经办人可在登记审批中查看退回理由。",
            };
            let to = if verdict == Verdict::Approve {
                format!("/registry/orgs/{}", d.org_id)
            } else {
                "/registry/decisions".into()
            };
            Ok(pu.redirect(&st, &to, Flash::ok(msg)).await)
        }
        Err(Error::Invalid(e)) => {
            let m = e.into_iter().map(|f: FieldError| f.message).collect::<Vec<_>>().join("；");
            let mut res = decision_page(&st, &pu, id, None, &note, Some(m)).await?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(Error::Conflict(m)) => decision_page(&st, &pu, id, Some(m), &note, None).await,
        Err(e) => Err(e.into()),
    }
}

async fn approve(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    decided(st, pu, id, Verdict::Approve, String::new()).await
}

async fn give_back(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<NoteForm>,
) -> Result<Response, WebError> {
    decided(st, pu, id, Verdict::Return, f.note).await
}
