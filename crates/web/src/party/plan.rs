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
use hongling_service::party::planner::{
    AcceptInput, AcceptInstructor, AcceptJointBranch, AcceptTownship, InstructorProposalView, JointBranchProposalView,
    PlanOrgView, PlanView, TownshipPlan, Unplaced,
};
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::layout::{Layout, Pager};
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::{Field, picker};

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/party/plan", Action::PartyPlan, plan)
        .post("/party/plan/accept", Action::PartyPlan, plan_accept)
        .post("/party/plan/accept-township", Action::PartyPlan, plan_accept_township)
}

#[derive(Template)]
#[template(path = "party/plan.html")]
struct PlanPage {
    layout: Layout,
    /// the flash message, shown at the township rather than at the top of the page
    notice: Option<hongling_service::auth::Flash>,
    errors: Vec<String>,
    /// the refused submission, as typed, to correct and submit again
    failed: Option<Failed>,
    /// the region to plan: a picker
    region: Field,
    plan: Option<PlanView>,
    /// the township shown, with its proposals of this page
    town: Option<TownView>,
    /// the organizations of each proposal of the page, as editable pickers
    joint_orgs: Vec<Field>,
    instructor_orgs: Vec<Field>,
    today: String,
}

/// One township's proposals, a page of them.
struct TownView {
    t: TownshipPlan,
    /// every proposal of the township, as the clerk confirms them all at once
    keys: Vec<String>,
    /// (number within the township, proposal) of this page
    joint: Vec<(usize, JointBranchProposalView)>,
    instructors: Vec<(usize, InstructorProposalView)>,
    unplaced: Vec<Unplaced>,
    page: u64,
    pager: Pager,
}

/// Proposals a page: a township's proposals are read and accepted in screens of this size.
const PER_PAGE: usize = 8;

/// A refused proposal, as submitted.
struct Failed {
    kind: String,
    region: String,
    town: String,
    page: u64,
    name: String,
    founded_on: String,
    instructor: Field,
    orgs: Field,
}

impl PlanPage {
    fn town_href(&self, town: &str) -> String {
        town_href(self.plan.as_ref().map(|p| p.region.as_str()).unwrap_or(""), town, 1)
    }

    fn joint_field(&self, i: &usize) -> &Field {
        &self.joint_orgs[*i]
    }

    fn instructor_field(&self, i: &usize) -> &Field {
        &self.instructor_orgs[*i]
    }
}

/// The organizations of the page's proposals as chips the clerk can remove or add to.
fn proposal_fields(town: &Option<TownView>) -> (Vec<Field>, Vec<Field>) {
    let Some(t) = town else { return (vec![], vec![]) };
    let chips =
        |members: &[PlanOrgView]| members.iter().map(|m| (m.id.to_string(), m.name.clone())).collect::<Vec<_>>();
    let joint = t
        .joint
        .iter()
        .enumerate()
        .map(|(i, (_, j))| {
            Field::multi_picker("orgs", "组织", "/pick/orgs", chips(&j.members)).with_id(format!("joint-{i}"))
        })
        .collect();
    let inst = t
        .instructors
        .iter()
        .enumerate()
        .map(|(i, (_, j))| {
            Field::multi_picker("orgs", "组织", "/pick/orgs", chips(&j.members)).with_id(format!("inst-{i}"))
        })
        .collect();
    (joint, inst)
}

#[derive(Deserialize, Default)]
struct PlanQuery {
    region: Option<String>,
    town: Option<String>,
    page: Option<u64>,
}

/// The address of a township's page of proposals, with its anchor.
fn town_href(region: &str, town: &str, page: u64) -> String {
    let q = serde_urlencoded::to_string([("region", region), ("town", town), ("page", &page.to_string())])
        .unwrap_or_default();
    format!("/party/plan?{q}#town-{town}")
}

/// The township asked for (else the first with joint-branch proposals, else with any) and its
/// page (clamped to the last).
fn town_view(p: &PlanView, town: &str, page: u64, emptied: Option<TownshipPlan>) -> Option<TownView> {
    let t = p
        .townships
        .iter()
        .find(|t| t.code == town)
        .or(emptied.as_ref())
        .or_else(|| p.townships.iter().find(|t| t.joint_branches > 0))
        .or_else(|| p.townships.iter().find(|t| t.joint_branches + t.instructors > 0))
        .or(p.townships.first())?
        .clone();
    let joint: Vec<&JointBranchProposalView> = p.joint_branches.iter().filter(|j| j.township == t.code).collect();
    let inst: Vec<&InstructorProposalView> = p.instructors.iter().filter(|i| i.township == t.code).collect();
    let keys = joint.iter().map(|j| j.key()).chain(inst.iter().map(|i| i.key())).collect();
    let total = joint.len() + inst.len();
    let pages = total.div_ceil(PER_PAGE).max(1) as u64;
    let page = page.clamp(1, pages);
    let from = (page as usize - 1) * PER_PAGE;
    let to = from + PER_PAGE;
    let pick = |n: usize| n >= from && n < to;
    let joint_page = joint.iter().enumerate().filter(|(n, _)| pick(*n)).map(|(n, j)| (n + 1, (*j).clone())).collect();
    let inst_page = inst
        .iter()
        .enumerate()
        .filter(|(n, _)| pick(joint.len() + n))
        .map(|(n, i)| (joint.len() + n + 1, (*i).clone()))
        .collect();
    let mut pager = Pager::new(
        "/party/plan",
        &[("region", p.region.clone()), ("town", t.code.clone())],
        total as u64,
        page,
        PER_PAGE as u64,
    );
    let anchor = |u: String| format!("{u}#town-{}", t.code);
    pager.prev = pager.prev.map(anchor);
    pager.next = pager.next.map(anchor);
    pager.links = pager.links.into_iter().map(|(n, u, cur)| (n, anchor(u), cur)).collect();
    Some(TownView {
        unplaced: p.unplaced.iter().filter(|u| u.township == t.code).cloned().collect(),
        t,
        keys,
        joint: joint_page,
        instructors: inst_page,
        page,
        pager,
    })
}

async fn plan_page(
    st: &AppState,
    pu: &PageUser,
    q: &PlanQuery,
    errors: Vec<String>,
    failed: Option<Failed>,
) -> Result<Response, WebError> {
    let region_text = q.region.as_deref().unwrap_or("");
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
    let asked = q.town.as_deref().unwrap_or("");
    // a township whose proposals were all accepted stays on screen (the clerk stays in place)
    let emptied = match &plan {
        Some(p)
            if asked.len() == 9
                && asked.starts_with(p.region.as_str())
                && asked.bytes().all(|b| b.is_ascii_digit())
                && !p.townships.iter().any(|t| t.code == asked) =>
        {
            let labels = st.app.region_labels(&[asked.to_owned()]).await?;
            labels.get(asked).and_then(|n| n.split(' ').next_back()).map(|name| TownshipPlan {
                code: asked.to_owned(),
                name: name.to_owned(),
                joint_branches: 0,
                instructors: 0,
                orgs: 0,
                unplaced: 0,
            })
        }
        _ => None,
    };
    let town = plan.as_ref().and_then(|p| town_view(p, asked, q.page.unwrap_or(1), emptied));
    // the notice of an acceptance is shown where the clerk is: at the township's proposals
    let mut layout = crumbs(pu.layout(st, "plan", "覆盖规划").await, "覆盖规划", None);
    let notice = if town.is_some() { layout.flash.take() } else { None };
    let (joint_orgs, instructor_orgs) = proposal_fields(&town);
    let mut res = render(&PlanPage {
        layout,
        notice,
        errors,
        failed,
        region: region.placeholder("县（区）或乡镇（街道）名称"),
        plan,
        town,
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
    plan_page(&st, &pu, &q, vec![], None).await
}

async fn plan_accept(
    State(st): State<AppState>,
    pu: PageUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let kind = picker::value(&f, "kind").to_owned();
    let region = picker::value(&f, "region").to_owned();
    let town = picker::value(&f, "town").to_owned();
    let page = picker::value(&f, "page").parse::<u64>().unwrap_or(1).clamp(1, 1_000_000);
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
        Ok(a) => {
            let what = match (a.party_org_id, a.instructor_id) {
                (Some(_), _) => {
                    format!(
                        "已采纳该方案：成立联合党支部，覆盖 {} 个组织，{} 名党员转入。",
                        a.orgs.len(),
                        a.members_joined
                    )
                }
                _ => format!("已采纳该方案：由党建指导员联系 {} 个组织。", a.orgs.len()),
            };
            Ok(pu.redirect(&st, &town_href(&region, &town, page), Flash::ok(what)).await)
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
                town: town.clone(),
                page,
                name,
                founded_on,
            };
            let q = PlanQuery { region: Some(region), town: Some(town), page: Some(page) };
            plan_page(&st, &pu, &q, errors.into_iter().map(|e| e.message).collect(), Some(failed)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Accept every proposal of a township in one confirmed step; back to the same township and
/// page with what was created, or with what changed meanwhile (nothing created).
async fn plan_accept_township(
    State(st): State<AppState>,
    pu: PageUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let region = picker::value(&f, "region").to_owned();
    let town = picker::value(&f, "town").to_owned();
    let page = picker::value(&f, "page").parse::<u64>().unwrap_or(1).clamp(1, 1_000_000);
    let proposals: Vec<String> =
        f.iter().filter(|(k, _)| k == "proposals").map(|(_, v)| v.clone()).filter(|v| !v.is_empty()).collect();
    let input = AcceptTownship { region: region.clone(), township: town.clone(), proposals };
    let to = town_href(&region, &town, page);
    match st.app.party().accept_township(&pu.user, &input).await {
        Ok(done) => Ok(pu.redirect(&st, &to, Flash::ok(done.summary())).await),
        Err(e @ (Error::Conflict(_) | Error::Invalid(_))) => {
            Ok(pu.redirect(&st, &to, Flash::error(e.to_string())).await)
        }
        Err(e) => Err(e.into()),
    }
}
