//! Status.

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::{Field, FormPage, Kind, attach};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::registry::{RegistrationMode, StatusAction, SupervisionClass};
use hongling_service::auth::Flash;
use hongling_service::registry::orgs::StatusOutcome;
use hongling_service::{Error, FieldError};
use serde::Deserialize;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/registry/orgs/{id}/status", Action::RegistryWrite, status_form)
        .post("/registry/orgs/{id}/status", Action::RegistryWrite, status_apply)
        .post("/registry/orgs/{id}/supervision", Action::RegistryWrite, supervision)
}

#[derive(Deserialize, Default)]
struct StatusForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    doc_no: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    uscc: String,
}

async fn status_page(
    st: &AppState,
    pu: &PageUser,
    id: i64,
    f: StatusForm,
    errors: Vec<FieldError>,
) -> Result<Response, WebError> {
    let org = st.app.registry().get_org(&pu.user, id).await?;
    let action = StatusAction::parse(&f.action).ok_or_else(|| WebError::page(Error::NotFound))?;
    let mode = RegistrationMode::parse(&org.registration_mode).unwrap_or(RegistrationMode::Registered);
    if !action.applies_to(mode) {
        return Err(WebError::page(Error::Conflict("备案的社区社会组织没有登记证书，不能吊销".into())));
    }
    let label = action.label_for(mode);
    let layout = pu
        .layout(st, "orgs", label)
        .await
        .crumb("社会组织", None)
        .crumb("登记管理", Some("/registry/orgs"))
        .crumb(org.name.clone(), Some(&format!("/registry/orgs/{id}")))
        .crumb(label, None);
    let needs_code = action == StatusAction::ApproveRegistration;
    let mut page = FormPage::new(
        layout,
        format!("{label}：{}", org.name),
        format!("/registry/orgs/{id}/status"),
        format!("/registry/orgs/{id}"),
    );
    if needs_code {
        page.fields.push(Field::text("uscc", "统一社会信用代码", f.uscc).required());
    }
    page.fields.push(Field::new("reason", "事由", Kind::Textarea, f.reason).required());
    let doc_no = Field::text("doc_no", "决定文书号", f.doc_no).placeholder("如 东民社决字〔2026〕12号");
    page.fields.push(if needs_code { doc_no } else { doc_no.required() });
    page.fields.push(Field::date("on", "决定日期", f.on).required());
    page.hidden.push(("action", action.as_str().to_owned()));
    page.errors = attach(&mut page.fields, &errors);
    let today = hongling_service::registry::orgs::local_today(st.app.now());
    if action.is_proposal(st.app.registry().decision_approval(&org, today).await?) {
        page.note = "本事项须经登记管理机关负责人批准：提交后进入“登记审批”，批准后生效。".into();
        page.submit = format!("提交{label}申请");
        page.confirm = format!("确定提出{label}申请？提交后须经负责人批准方生效。");
    } else {
        page.submit = format!("确认{label}");
        page.confirm = format!("确定{label}？办理后将记入变更记录和审计日志。");
    }
    let mut res = render(&page);
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Deserialize)]
struct ActionQuery {
    action: String,
}

async fn status_form(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<ActionQuery>,
) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let today = hongling_service::registry::orgs::local_today(st.app.now()).to_string();
    status_page(&st, &pu, id, StatusForm { action: q.action, on: today, ..Default::default() }, vec![]).await
}

async fn status_apply(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let action = StatusAction::parse(&f.action).ok_or_else(|| WebError::page(Error::NotFound))?;
    let on = fmt::parse_date(&f.on);
    if on.is_none() && !f.on.trim().is_empty() {
        let e = vec![FieldError { field: "on".into(), message: "日期格式应为 YYYY-MM-DD".into() }];
        return status_page(&st, &pu, id, f, e).await;
    }
    let code = Some(f.uscc.as_str()).filter(|c| !c.trim().is_empty());
    match st.app.registry().org_status_action(&pu.user, id, action, &f.reason, &f.doc_no, on, code).await {
        Ok(StatusOutcome::Done(m)) => {
            let mode = RegistrationMode::parse(&m.registration_mode).unwrap_or(RegistrationMode::Registered);
            let label = action.label_for(mode);
            Ok(pu
                .redirect(&st, &format!("/registry/orgs/{id}"), Flash::ok(format!("已办理{label}，变更记录已留存。")))
                .await)
        }
        Ok(StatusOutcome::Proposed(_)) => {
            let msg = format!("已提出{}申请，待登记管理机关负责人审批，批准后生效。", action.label());
            Ok(pu.redirect(&st, &format!("/registry/orgs/{id}"), Flash::ok(msg)).await)
        }
        Err(Error::Invalid(e)) => status_page(&st, &pu, id, f, e).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ClassForm {
    class: String,
    #[serde(default)]
    reason: String,
}

async fn supervision(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ClassForm>,
) -> Result<Response, WebError> {
    let to = format!("/registry/orgs/{id}");
    let Some(class) = SupervisionClass::parse(&f.class) else {
        return Ok(pu.redirect(&st, &to, Flash::error("请选择监管分类")).await);
    };
    match st.app.registry().set_supervision_class(&pu.user, id, class, &f.reason).await {
        Ok(_) => Ok(pu.redirect(&st, &to, Flash::ok(format!("已调整监管分类为“{}”。", class.label()))).await),
        Err(e @ Error::Invalid(_)) => Ok(pu.redirect(&st, &to, Flash::error(e.to_string())).await),
        Err(e) => Err(e.into()),
    }
}
