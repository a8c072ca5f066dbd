//! Planner.

use crate::AppState;
use crate::error::WebError;
use crate::layout::Layout;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Action;
use hongling_service::Error;
use hongling_service::party::may_write_party;
use hongling_service::party::planner::{AcceptInput, AcceptInstructor, AcceptJointBranch, PlanView};
use serde::Deserialize;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new().get("/party/plan", Action::PartyPlan, plan).post("/party/plan/accept", Action::PartyPlan, plan_accept)
}

#[derive(Template)]
#[template(path = "party/plan.html")]
struct PlanPage {
    layout: Layout,
    notice: Option<String>,
    errors: Vec<String>,
    /// the refused submission, as typed, to correct and submit again
    failed: Option<AcceptForm>,
    region: String,
    plan: Option<PlanView>,
    today: String,
}

impl PlanPage {
    fn ids(&self, v: &[i64]) -> String {
        v.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
    }
}

#[derive(Deserialize, Default)]
struct PlanQuery {
    region: Option<String>,
    ok: Option<String>,
}

async fn plan(State(st): State<AppState>, pu: PageUser, Query(q): Query<PlanQuery>) -> Result<Response, WebError> {
    require(may_write_party(&pu.user), "只有党建工作机构（综合党委、镇街）可以使用覆盖规划")?;
    let region = nonempty(&q.region).map(|r| r.chars().take_while(char::is_ascii_digit).collect::<String>());
    let plan = match &region {
        Some(r) => Some(st.app.party().plan_coverage(&pu.user, r).await?),
        None => None,
    };
    Ok(render(&PlanPage {
        layout: crumbs(pu.layout(&st, "plan", "覆盖规划").await, "覆盖规划", None),
        notice: notice(q.ok.as_deref()),
        errors: vec![],
        failed: None,
        region: region.unwrap_or_default(),
        plan,
        today: hongling_service::registry::orgs::local_today(st.app.now()).to_string(),
    }))
}

#[derive(Deserialize, Default, Clone)]
struct AcceptForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    orgs: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    founded_on: String,
    #[serde(default)]
    instructor: String,
}

async fn plan_accept(
    State(st): State<AppState>,
    pu: PageUser,
    Form(f): Form<AcceptForm>,
) -> Result<Response, WebError> {
    let input = if f.kind == "instructor" {
        AcceptInput::Instructor(AcceptInstructor {
            instructor: ids(&f.instructor).first().copied().unwrap_or(0),
            orgs: ids(&f.orgs),
        })
    } else {
        AcceptInput::JointBranch(AcceptJointBranch {
            orgs: ids(&f.orgs),
            name: f.name.clone(),
            founded_on: nonempty(&Some(f.founded_on.clone())),
        })
    };
    match st.app.party().accept_plan(&pu.user, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/party/plan?{}",
            serde_urlencoded::to_string([("region", f.region.as_str()), ("ok", "accepted")]).unwrap_or_default()
        ))
        .into_response()),
        Err(Error::Invalid(errors)) => {
            let plan = st.app.party().plan_coverage(&pu.user, &f.region).await.ok();
            let mut res = render(&PlanPage {
                layout: crumbs(pu.layout(&st, "plan", "覆盖规划").await, "覆盖规划", None),
                notice: None,
                errors: errors.into_iter().map(|e| e.message).collect(),
                failed: Some(f.clone()),
                region: f.region.clone(),
                plan,
                today: hongling_service::registry::orgs::local_today(st.app.now()).to_string(),
            });
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}
