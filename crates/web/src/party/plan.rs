//! Planner.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hongling_domain::Action;
use hongling_service::Error;
use hongling_service::auth::Flash;
use hongling_service::list::Pick;
use hongling_service::party::planner::{AcceptInput, AcceptInstructor, AcceptJointBranch, PlanView};
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::layout::Layout;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::{Field, picker};

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new().get("/party/plan", Action::PartyPlan, plan).post("/party/plan/accept", Action::PartyPlan, plan_accept)
}

#[derive(Template)]
#[template(path = "party/plan.html")]
struct PlanPage {
    layout: Layout,
    errors: Vec<String>,
    /// the refused submission, as typed, to correct and submit again
    failed: Option<Failed>,
    /// the region to plan: a picker
    region: Field,
    plan: Option<PlanView>,
    /// the organizations of each proposal, as editable pickers
    joint_orgs: Vec<Field>,
    instructor_orgs: Vec<Field>,
    today: String,
}

/// A refused proposal, as submitted.
struct Failed {
    kind: String,
    region: String,
    name: String,
    founded_on: String,
    instructor: Field,
    orgs: Field,
}

impl PlanPage {
    fn joint_field(&self, i: &usize) -> &Field {
        &self.joint_orgs[*i]
    }

    fn instructor_field(&self, i: &usize) -> &Field {
        &self.instructor_orgs[*i]
    }
}

/// The organizations of the proposals as chips the clerk can remove or add to.
fn proposal_fields(plan: &Option<PlanView>) -> (Vec<Field>, Vec<Field>) {
    let Some(p) = plan else { return (vec![], vec![]) };
    let chips = |members: &[hongling_service::party::planner::PlanOrgView]| {
        members.iter().map(|m| (m.id.to_string(), m.name.clone())).collect::<Vec<_>>()
    };
    let joint = p
        .joint_branches
        .iter()
        .enumerate()
        .map(|(i, j)| {
            Field::multi_picker("orgs", "组织", "/pick/orgs", chips(&j.members)).with_id(format!("joint-{i}"))
        })
        .collect();
    let inst = p
        .instructors
        .iter()
        .enumerate()
        .map(|(i, j)| Field::multi_picker("orgs", "组织", "/pick/orgs", chips(&j.members)).with_id(format!("inst-{i}")))
        .collect();
    (joint, inst)
}

#[derive(Deserialize, Default)]
struct PlanQuery {
    region: Option<String>,
}

async fn plan_page(
    st: &AppState,
    pu: &PageUser,
    region_text: &str,
    errors: Vec<String>,
    failed: Option<Failed>,
) -> Result<Response, WebError> {
    let mut region = picker::region(st, "region", "规划区域", "").await?;
    let mut plan = None;
    let mut invalid = !errors.is_empty();
    if !region_text.trim().is_empty() {
        match st.app.resolve_region(&pu.user, region_text).await? {
            Ok(code) => {
                plan = Some(st.app.party().plan_coverage(&pu.user, &code).await?);
                region = picker::region(st, "region", "规划区域", &code).await?;
            }
            Err(m) => {
                region = Field::picker("region", "规划区域", "/pick/regions", region_text, region_text);
                region.error = Some(m);
                invalid = true;
            }
        }
    }
    let (joint_orgs, instructor_orgs) = proposal_fields(&plan);
    let mut res = render(&PlanPage {
        layout: crumbs(pu.layout(st, "plan", "覆盖规划").await, "覆盖规划", None),
        errors,
        failed,
        region: region.placeholder("县（区）或乡镇（街道）名称"),
        plan,
        joint_orgs,
        instructor_orgs,
        today: st.app.today().to_string(),
    });
    if invalid {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn plan(State(st): State<AppState>, pu: PageUser, Query(q): Query<PlanQuery>) -> Result<Response, WebError> {
    plan_page(&st, &pu, q.region.as_deref().unwrap_or(""), vec![], None).await
}

async fn plan_accept(
    State(st): State<AppState>,
    pu: PageUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let kind = picker::value(&f, "kind").to_owned();
    let region = picker::value(&f, "region").to_owned();
    let orgs = picker::ids(&f, "orgs");
    let instructor = picker::ids(&f, "instructor").first().copied().unwrap_or(0);
    let name = picker::value(&f, "name").to_owned();
    let founded_on = picker::value(&f, "founded_on").to_owned();
    let input = match kind.as_str() {
        "instructor" => AcceptInput::Instructor(AcceptInstructor { instructor, orgs: orgs.clone() }),
        "joint_branch" => AcceptInput::JointBranch(AcceptJointBranch {
            orgs: orgs.clone(),
            name: name.clone(),
            founded_on: Some(founded_on.clone()).filter(|s| !s.trim().is_empty()),
        }),
        // a crafted form: nothing is created
        _ => return Err(Error::invalid("kind", "方案类型不正确，应为联合党支部或党建指导员").into()),
    };
    match st.app.party().accept_plan(&pu.user, &input).await {
        Ok(_) => {
            let to = format!(
                "/party/plan?{}",
                serde_urlencoded::to_string([("region", region.as_str())]).unwrap_or_default()
            );
            Ok(pu.redirect(&st, &to, Flash::ok("已采纳该方案并生成记录，覆盖情况已更新。")).await)
        }
        Err(Error::Invalid(errors)) => {
            let failed = Failed {
                instructor: picker::field(
                    &st,
                    &pu.user,
                    "instructor",
                    "党建指导员",
                    Pick::Instructors,
                    &instructor.to_string(),
                )
                .await?
                .with_id("failed-instructor"),
                orgs: picker::multi(&st, &pu.user, "orgs", "组织", Pick::Orgs, &orgs).await?.with_id("failed-orgs"),
                kind,
                region: region.clone(),
                name,
                founded_on,
            };
            plan_page(&st, &pu, &region, errors.into_iter().map(|e| e.message).collect(), Some(failed)).await
        }
        Err(e) => Err(e.into()),
    }
}
