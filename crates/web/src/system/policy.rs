//! Policy profiles.

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::layout::Layout;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::{Field, Kind, attach};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hongling_domain::Action;
use hongling_service::jobs::RunStatus;
use hongling_service::party::may_edit_policy;
use hongling_service::policy::{PolicyInput, PolicyView};
use hongling_service::{Error, FieldError};
use serde::Deserialize;

use crate::party::{nonempty, opt_s};
use crate::ui::picker;
use hongling_service::auth::Flash;

pub(super) fn routes() -> Routes {
    Routes::new().get("/system/policy", Action::PolicyRead, policy).post(
        "/system/policy",
        Action::PolicyWrite,
        policy_set,
    )
}

#[derive(Template)]
#[template(path = "system/policy.html")]
struct PolicyPage {
    layout: Layout,
    view: PolicyView,
    entries: Vec<hongling_service::policy::PolicyEntryView>,
    shipped: Vec<hongling_service::policy::PolicyEntryView>,
    /// the shipped values of every seed locality are shown (on request)
    others: bool,
    /// the link that shows or hides them
    others_link: String,
    region: String,
    /// the region chosen, as a picker
    region_field: Field,
    date: String,
    can_edit: bool,
    fields: Vec<Field>,
    errors: Vec<String>,
    runs: Vec<(String, String, String)>,
}

#[derive(Deserialize, Default)]
struct PolicyQuery {
    region: Option<String>,
    date: Option<String>,
    /// "1": show the shipped values of other localities too
    others: Option<String>,
}

async fn policy_render(
    st: &AppState,
    pu: &PageUser,
    q: &PolicyQuery,
    input: &PolicyInput,
    errors: &[FieldError],
) -> Result<PolicyPage, WebError> {
    let typed = nonempty(&q.region);
    let mut region_error = None;
    let region = match &typed {
        None => None,
        Some(text) => match st.app.resolve_region(&pu.user, text).await? {
            Ok(code) => Some(code),
            Err(m) => {
                region_error = Some(m);
                None
            }
        },
    };
    let date = q.date.as_deref().and_then(fmt::parse_date);
    let view = st.app.effective_policy(&pu.user, region.as_deref(), date).await?;
    let mut region_field = match &region_error {
        None => picker::region(st, "region", "区域", &view.region).await?,
        Some(_) => Field::picker("region", "区域", "/pick/regions", opt_s(&typed), opt_s(&typed)),
    };
    region_field.error = region_error;
    let entries = st.app.policy_entries_for(&pu.user, Some(&view.region)).await?;
    let mut fields = vec![
        Field::select(
            "param",
            "参数",
            input.param.clone(),
            view.values.iter().map(|v| (v.param.clone(), v.label.clone())).collect(),
        ),
        Field::text("value", "本级取值", opt_s(&input.value)).placeholder("如 5、95%、5 公里；留空为取消本级设定"),
        Field::new("effective_from", "生效日期", Kind::Date, opt_s(&input.effective_from)),
        Field::text("basis", "依据", input.basis.clone()).placeholder("文件名称和文号"),
    ];
    let rest = attach(&mut fields, errors);
    let runs = st
        .app
        .job_runs("coverage.policy", 5)
        .await?
        .into_iter()
        .map(|r| {
            let queued = r.status == RunStatus::Queued.as_str();
            let started = if queued { "排队中".into() } else { fmt::datetime(r.started_at) };
            (started, r.finished_at.map(fmt::datetime).unwrap_or_else(|| "计算中".into()), r.result)
        })
        .collect();
    let others = q.others.as_deref().is_some_and(|s| s == "1");
    let mut link = vec![("region", view.region.clone())];
    if let Some(d) = q.date.as_deref().filter(|d| !d.is_empty()) {
        link.push(("date", d.to_owned()));
    }
    if !others {
        link.push(("others", "1".to_owned()));
    }
    let others_link = format!("/system/policy?{}", serde_urlencoded::to_string(&link).unwrap_or_default());
    let shipped = st.app.shipped_policy(if others { None } else { Some(&view.region) }).await?;
    Ok(PolicyPage {
        others,
        others_link,
        shipped,
        layout: pu.layout(st, "policy", "政策参数").await.crumb("系统管理", None).crumb("政策参数", None),
        region: view.region.clone(),
        region_field,
        date: view.date.clone(),
        can_edit: may_edit_policy(&pu.user),
        view,
        entries,
        fields,
        errors: rest,
        runs,
    })
}

async fn policy(State(st): State<AppState>, pu: PageUser, Query(q): Query<PolicyQuery>) -> Result<Response, WebError> {
    let input = PolicyInput::default();
    let page = policy_render(&st, &pu, &q, &input, &[]).await?;
    let mut res = render(&page);
    // an unknown or out-of-scope region: the same answer as the other filtered pages
    if page.region_field.error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn policy_set(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<PolicyInput>,
) -> Result<Response, WebError> {
    match st.app.set_policy(&pu.user, &i).await {
        Ok(e) => {
            let to = format!(
                "/system/policy?{}",
                serde_urlencoded::to_string([("region", e.region.as_str())]).unwrap_or_default()
            );
            Ok(pu
                .redirect(&st, &to, Flash::ok("已设定政策参数，所辖区域的覆盖情况已排入后台任务，将按新参数重新计算。"))
                .await)
        }
        Err(Error::Invalid(errors)) => {
            let q = PolicyQuery { region: Some(i.region.clone()), ..Default::default() };
            let mut res = render(&policy_render(&st, &pu, &q, &i, &errors).await?);
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}
