//! The coverage planner (SPEC M2): loads a region's uncovered organizations
//! and available instructors, runs the domain planner, and accepts a
//! (possibly edited) proposal by creating the records in one transaction.

use hongling_domain::audit::AuditAction;
use std::collections::{HashMap, HashSet};

use hongling_domain::party::coverage::{CoverageMode, InstructorStatus, PartyOrgStatus, PartyOrgType};
use hongling_domain::party::planner::names::{NameBasis, branch_names};
use hongling_domain::party::planner::{self, PlanInstructor, PlanOrg, PlanParams};
use hongling_domain::policy::Param;
use hongling_domain::region::subtree_range;
use hongling_domain::registry::{Category, OrgStatus};
use hongling_store::party::entity::{instructor, party_member, party_org, party_org_org};
use hongling_store::registry::entity::social_org;
use hongling_store::{begin_write, to_db};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::Party;
use super::require_party_writer;
use crate::Ref;
use crate::input::{Reader, de_text};
use crate::refs::unreachable;
use crate::{CurrentUser, Error, Principal, Result};

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PlanRequest {
    /// A region inside your scope (usually a county or a township).
    pub region: String,
}

/// An organization in a proposal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanOrgView {
    pub id: i64,
    pub name: String,
    pub township_name: String,
    pub field: String,
    pub formal_members: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JointBranchProposalView {
    /// organization ids, ascending
    pub orgs: Vec<i64>,
    pub formal_members: u32,
    pub explanation: String,
    pub same_township: bool,
    /// largest distance between two of its organizations, metres (null without coordinates)
    pub max_distance_m: Option<u32>,
    pub shared_field: Option<String>,
    /// a readable name unique among the proposals and the existing party organizations:
    /// "文汇街道公益慈善类社会组织联合党支部", "…第二联合党支部"
    pub suggested_name: String,
    /// the township (乡镇/街道) it is grouped under: that of most of its organizations
    pub township: String,
    pub township_name: String,
    pub members: Vec<PlanOrgView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InstructorProposalView {
    pub instructor: i64,
    pub instructor_name: String,
    pub orgs: Vec<i64>,
    pub explanation: String,
    /// the township it is grouped under: that of most of its organizations
    pub township: String,
    pub township_name: String,
    pub members: Vec<PlanOrgView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Unplaced {
    pub id: i64,
    pub name: String,
    pub reason: String,
    pub township: String,
}

/// The proposals of one township (乡镇/街道).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TownshipPlan {
    /// 9-digit township code
    pub code: String,
    pub name: String,
    pub joint_branches: usize,
    pub instructors: usize,
    /// organizations its proposals would cover
    pub orgs: usize,
    pub unplaced: usize,
}

impl JointBranchProposalView {
    /// What identifies the proposal when a clerk confirms a township's proposals: `j:1,2,3`.
    pub fn key(&self) -> String {
        format!("j:{}", join_ids(&self.orgs))
    }
}

impl InstructorProposalView {
    /// `i:7:4,5`
    pub fn key(&self) -> String {
        format!("i:{}:{}", self.instructor, join_ids(&self.orgs))
    }
}

fn join_ids(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// The planner's proposals for a region (nothing written).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanView {
    pub region: String,
    pub region_name: String,
    /// the policy values used
    pub max_orgs_per_branch: u32,
    pub min_formal_members: u32,
    pub max_distance_m: u32,
    /// uncovered organizations with 1..min-1 formal members, and with none
    pub joint_candidates: usize,
    pub instructor_candidates: usize,
    pub joint_branches: Vec<JointBranchProposalView>,
    pub instructors: Vec<InstructorProposalView>,
    pub unplaced: Vec<Unplaced>,
    /// uncovered organizations with enough formal members for a party organization of their own
    pub standalone: Vec<Ref>,
    /// the proposals grouped by township, in code order (townships with a proposal or an
    /// organization that could not be placed)
    pub townships: Vec<TownshipPlan>,
}

/// Accept every proposal of one township at once, as the clerk saw them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptTownship {
    /// the planned region (county or township) inside your scope
    pub region: String,
    /// the township's 9-digit code
    pub township: String,
    /// the proposals confirmed, as `key()` gives them (`j:1,2,3`, `i:7:4,5`); if the plan has
    /// changed since, nothing is accepted and the changes are reported
    pub proposals: Vec<String>,
}

/// What accepting a township's proposals created.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TownshipAccepted {
    pub township_name: String,
    /// the joint branches founded
    pub branches: Vec<Ref>,
    /// instructors and how many organizations each now serves in addition
    pub instructors: Vec<(Ref, usize)>,
    pub orgs: usize,
    pub members_joined: u64,
}

impl TownshipAccepted {
    /// 已采纳文汇街道的全部方案：成立联合党支部 2 个（…、…），党建指导员 3 名新联系 7 个组织。
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if !self.branches.is_empty() {
            parts.push(format!(
                "成立联合党支部 {} 个（{}），{} 名党员转入",
                self.branches.len(),
                self.branches.iter().map(|b| b.name.as_str()).collect::<Vec<_>>().join("、"),
                self.members_joined
            ));
        }
        if !self.instructors.is_empty() {
            parts.push(format!(
                "党建指导员 {} 名新联系 {} 个组织",
                self.instructors.len(),
                self.instructors.iter().map(|(_, n)| n).sum::<usize>()
            ));
        }
        format!("已采纳{}的全部方案：{}。", self.township_name, parts.join("；"))
    }
}

/// The township most of these organizations lie in (the lowest code on a tie).
fn main_township(members: &[PlanOrgView], towns: &HashMap<i64, (String, String)>) -> (String, String) {
    let mut counts: std::collections::BTreeMap<&(String, String), usize> = std::collections::BTreeMap::new();
    for m in members {
        if let Some(t) = towns.get(&m.id) {
            *counts.entry(t).or_default() += 1;
        }
    }
    let best = counts.iter().map(|(t, n)| (*n, *t)).max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(a.1)));
    best.map(|(_, t)| t.clone()).unwrap_or_default()
}

/// A proposal accepted, as proposed or edited.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AcceptInput {
    JointBranch(AcceptJointBranch),
    Instructor(AcceptInstructor),
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AcceptJointBranch {
    pub orgs: Vec<i64>,
    /// default: the suggested name
    #[serde(default)]
    pub name: String,
    /// YYYY-MM-DD, default today
    #[serde(default, deserialize_with = "de_text")]
    #[schema(value_type = Option<String>)]
    pub founded_on: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AcceptInstructor {
    pub instructor: i64,
    pub orgs: Vec<i64>,
}

/// What acceptance created.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Accepted {
    /// the new joint branch
    pub party_org_id: Option<i64>,
    pub instructor_id: Option<i64>,
    pub orgs: Vec<i64>,
    /// members of these organizations who joined the new joint branch
    pub members_joined: u64,
}

fn township(code: &str) -> String {
    code.chars().take(9).collect()
}

impl Party<'_> {
    async fn plan_params(&self, region: &str) -> Result<PlanParams> {
        let p = self.profile(region, self.today()).await?;
        Ok(PlanParams {
            max_orgs_per_branch: p.count(Param::JointBranchMaxOrgs),
            min_formal_members: Ord::max(p.count(Param::JointBranchMinFormal), 1),
            max_distance_m: p.count(Param::JointBranchMaxDistanceM),
        })
    }

    /// Organizations as the planner sees them, with township names.
    async fn plan_orgs(&self, rows: &[social_org::Model]) -> Result<Vec<PlanOrg>> {
        let towns: Vec<String> = {
            let mut t: Vec<String> = rows.iter().map(|o| township(&o.region_code)).collect();
            t.sort();
            t.dedup();
            t
        };
        let names = self.region_labels(&towns).await?;
        Ok(rows
            .iter()
            .map(|o| {
                let t = township(&o.region_code);
                PlanOrg {
                    id: o.id,
                    name: o.name.clone(),
                    township_name: names.get(&t).and_then(|n| n.split(' ').next_back()).unwrap_or(&t).to_owned(),
                    township: t,
                    region_code: o.region_code.clone(),
                    lon_e6: o.lon_e6,
                    lat_e6: o.lat_e6,
                    field: o.category.clone(),
                    field_label: Category::parse(&o.category).map(Category::label).unwrap_or("").to_owned(),
                    formal_members: Ord::max(o.formal_members, 0) as u32,
                }
            })
            .collect())
    }

    /// Proposals for a region inside the caller's scope (nothing is written).
    pub async fn plan_coverage(&self, me: &CurrentUser, region: &str) -> Result<PlanView> {
        require_party_writer(me)?;
        let region = me.subtree(Some(region))?;
        self.plan_region(&region).await
    }

    /// The proposals for a region (for the command line and benchmarks; pages
    /// and the API go through `plan_coverage`, which checks the caller).
    pub async fn plan_region(&self, region: &str) -> Result<PlanView> {
        let region = region.to_owned();
        let params = self.plan_params(&region).await?;
        let (lo, hi) = subtree_range(&region);
        let rows = social_org::Entity::find()
            .filter(social_org::Column::Status.eq(OrgStatus::Active.as_str()))
            .filter(social_org::Column::RegionCode.gte(lo.as_str()))
            .filter(social_org::Column::RegionCode.lt(hi.as_str()))
            .filter(social_org::Column::CoverageMode.eq(CoverageMode::Uncovered.as_str()))
            .order_by_asc(social_org::Column::Id)
            .all(&self.db)
            .await?;
        let min = params.min_formal_members as i32;
        let standalone_min = self.profile(&region, self.today()).await?.count(Param::StandaloneMinFormal) as i32;
        let joint_rows: Vec<social_org::Model> = rows
            .iter()
            .filter(|o| o.formal_members >= 1 && o.formal_members < Ord::min(min, standalone_min))
            .cloned()
            .collect();
        let inst_rows: Vec<social_org::Model> = rows.iter().filter(|o| o.formal_members == 0).cloned().collect();
        let standalone: Vec<Ref> = rows
            .iter()
            .filter(|o| o.formal_members >= standalone_min)
            .map(|o| Ref { id: o.id, name: o.name.clone() })
            .collect();
        let joint = self.plan_orgs(&joint_rows).await?;
        let needs = self.plan_orgs(&inst_rows).await?;
        let instructors = self.plan_instructors(&region).await?;
        let plan = planner::plan(&joint, &needs, &instructors, &params);
        let by_id: HashMap<i64, &PlanOrg> = joint.iter().chain(needs.iter()).map(|o| (o.id, o)).collect();
        let view = |ids: &[i64]| -> Vec<PlanOrgView> {
            ids.iter()
                .filter_map(|id| by_id.get(id))
                .map(|o| PlanOrgView {
                    id: o.id,
                    name: o.name.clone(),
                    township_name: o.township_name.clone(),
                    field: o.field_label.clone(),
                    formal_members: o.formal_members,
                })
                .collect()
        };
        let inst_names: HashMap<i64, String> = instructors.iter().map(|i| (i.id, i.name.clone())).collect();
        let towns: HashMap<i64, (String, String)> =
            by_id.values().map(|o| (o.id, (o.township.clone(), o.township_name.clone()))).collect();
        let mut joint_views: Vec<JointBranchProposalView> = plan
            .joint_branches
            .iter()
            .map(|j| {
                let members = view(&j.orgs);
                let (township, township_name) = main_township(&members, &towns);
                JointBranchProposalView {
                    orgs: j.orgs.clone(),
                    formal_members: j.formal_members,
                    explanation: j.explanation.clone(),
                    same_township: j.same_township,
                    max_distance_m: j.max_distance_m,
                    shared_field: j.shared_field.clone(),
                    suggested_name: String::new(),
                    township,
                    township_name,
                    members,
                }
            })
            .collect();
        // names: township + field + 联合党支部, unique among themselves and the existing ones
        let bases: Vec<NameBasis> = joint_views
            .iter()
            .map(|j| NameBasis { township_name: j.township_name.clone(), field_label: j.shared_field.clone() })
            .collect();
        let taken = names_taken(&self.db, bases.iter().map(|b| b.township_name.clone())).await?;
        for (j, name) in joint_views.iter_mut().zip(branch_names(&bases, &taken)) {
            j.suggested_name = name;
        }
        let instructor_views: Vec<InstructorProposalView> = plan
            .instructors
            .iter()
            .map(|p| {
                let members = view(&p.orgs);
                let (township, township_name) = main_township(&members, &towns);
                InstructorProposalView {
                    instructor: p.instructor,
                    instructor_name: inst_names.get(&p.instructor).cloned().unwrap_or_default(),
                    orgs: p.orgs.clone(),
                    explanation: p.explanation.clone(),
                    township,
                    township_name,
                    members,
                }
            })
            .collect();
        let unplaced: Vec<Unplaced> = plan
            .unplaced
            .iter()
            .map(|(id, reason)| Unplaced {
                id: *id,
                name: by_id.get(id).map(|o| o.name.clone()).unwrap_or_default(),
                reason: reason.clone(),
                township: towns.get(id).map(|t| t.0.clone()).unwrap_or_default(),
            })
            .collect();
        let mut townships: std::collections::BTreeMap<String, TownshipPlan> = std::collections::BTreeMap::new();
        fn town<'t>(
            all: &'t mut std::collections::BTreeMap<String, TownshipPlan>,
            code: &str,
            name: &str,
        ) -> Option<&'t mut TownshipPlan> {
            if code.is_empty() {
                return None;
            }
            Some(all.entry(code.to_owned()).or_insert_with(|| TownshipPlan {
                code: code.to_owned(),
                name: name.to_owned(),
                joint_branches: 0,
                instructors: 0,
                orgs: 0,
                unplaced: 0,
            }))
        }
        for j in &joint_views {
            if let Some(t) = town(&mut townships, &j.township, &j.township_name) {
                t.joint_branches += 1;
                t.orgs += j.orgs.len();
            }
        }
        for i in &instructor_views {
            if let Some(t) = town(&mut townships, &i.township, &i.township_name) {
                t.instructors += 1;
                t.orgs += i.orgs.len();
            }
        }
        for u in &unplaced {
            let name = by_id.get(&u.id).map(|o| o.township_name.clone()).unwrap_or_default();
            if let Some(t) = town(&mut townships, &u.township, &name) {
                t.unplaced += 1;
            }
        }
        Ok(PlanView {
            region_name: self.region_display_name(&region).await?,
            region,
            max_orgs_per_branch: params.max_orgs_per_branch,
            min_formal_members: params.min_formal_members,
            max_distance_m: params.max_distance_m,
            joint_candidates: joint.len(),
            instructor_candidates: needs.len(),
            joint_branches: joint_views,
            instructors: instructor_views,
            unplaced,
            standalone,
            townships: townships.into_values().collect(),
        })
    }

    /// Active instructors serving the region (its subtree or an ancestor) with room left.
    async fn plan_instructors(&self, region: &str) -> Result<Vec<PlanInstructor>> {
        let (lo, hi) = subtree_range(region);
        let code = hongling_domain::RegionCode::parse(region).map_err(|_| Error::NotFound)?;
        let ancestors: Vec<String> = code.ancestors().into_iter().map(String::from).collect();
        let rows = instructor::Entity::find()
            .filter(instructor::Column::Status.eq(InstructorStatus::Active.as_str()))
            .filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(instructor::Column::RegionCode.gte(lo))
                            .add(instructor::Column::RegionCode.lt(hi)),
                    )
                    .add(instructor::Column::RegionCode.is_in(ancestors)),
            )
            .order_by_asc(instructor::Column::Id)
            .all(&self.db)
            .await?;
        // one read of the policy values for all of them, not one per instructor
        let mut profiles = super::refresh::Profiles::load(&self.db, self.today()).await?;
        let mut out = Vec::new();
        for m in rows {
            let limit = super::instructors::limit_of(&m, &mut profiles);
            let capacity = Ord::max(limit - m.load, 0) as u32;
            if capacity > 0 {
                out.push(PlanInstructor {
                    id: m.id,
                    name: m.name,
                    region_code: m.region_code,
                    lon_e6: m.lon_e6,
                    lat_e6: m.lat_e6,
                    capacity,
                });
            }
        }
        Ok(out)
    }

    /// Accept a proposal: a joint branch (created with its organizations, and
    /// the members of those organizations who have no party organization yet)
    /// or an instructor's assignments. Checked again against the rules inside
    /// the write transaction, with the organizations' rows locked, so two
    /// clerks accepting the same proposal at once cannot both succeed.
    pub async fn accept_plan(&self, me: &CurrentUser, input: &AcceptInput) -> Result<Accepted> {
        require_party_writer(me)?;
        let orgs = match input {
            AcceptInput::JointBranch(j) => &j.orgs,
            AcceptInput::Instructor(i) => &i.orgs,
        };
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = orgs.iter().find(|id| !seen.insert(**id)) {
            return Err(Error::invalid("orgs", format!("组织编号 {dup} 重复填写")));
        }
        if orgs.is_empty() {
            return Err(Error::invalid("orgs", "请填写组织编号"));
        }
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let out = match input {
            AcceptInput::JointBranch(j) => {
                let mut taken = HashSet::new();
                let c = self.joint_in(&txn, me, &j.orgs, &j.name, j.founded_on.as_deref(), &mut taken).await?;
                let summary =
                    format!("采纳覆盖规划：成立{}，覆盖 {} 个组织，{} 名党员转入", c.name, j.orgs.len(), c.joined);
                let after = json!({"party_org_id": c.id, "name": c.name, "orgs": j.orgs, "members_joined": c.joined});
                self.audit(
                    &txn,
                    &by,
                    AuditAction::PlanAcceptJointBranch,
                    "party_org",
                    c.id,
                    &c.region,
                    summary,
                    None,
                    Some(after),
                )
                .await?;
                Accepted {
                    party_org_id: Some(c.id),
                    instructor_id: None,
                    orgs: j.orgs.clone(),
                    members_joined: c.joined,
                }
            }
            AcceptInput::Instructor(i) => {
                let m = self.instructor_in(&txn, me, i.instructor, &i.orgs).await?;
                let summary = format!("采纳覆盖规划：党建指导员 {} 联系 {} 个组织", m.name, i.orgs.len());
                let after = json!({"instructor": m.id, "orgs": i.orgs});
                self.audit(
                    &txn,
                    &by,
                    AuditAction::PlanAcceptInstructor,
                    "instructor",
                    m.id,
                    &m.region_code,
                    summary,
                    None,
                    Some(after),
                )
                .await?;
                Accepted { party_org_id: None, instructor_id: Some(m.id), orgs: i.orgs.clone(), members_joined: 0 }
            }
        };
        txn.commit().await?;
        Ok(out)
    }

    /// Accept every proposal of one township in one transaction (all or nothing) and one audit
    /// entry. The plan is made again; if the township's proposals are no longer those the clerk
    /// confirmed (a proposal changed, vanished or appeared: records changed meanwhile), nothing
    /// is written and the differences are reported (409).
    pub async fn accept_township(&self, me: &CurrentUser, input: &AcceptTownship) -> Result<TownshipAccepted> {
        require_party_writer(me)?;
        let region = me.subtree(Some(&input.region))?;
        let town = me.subtree(Some(&input.township))?;
        if town.len() != 9 || !town.starts_with(&region) {
            return Err(Error::NotFound);
        }
        if input.proposals.is_empty() {
            return Err(Error::invalid("proposals", "请确认要采纳的方案"));
        }
        let plan = self.plan_region(&region).await?;
        let joint: Vec<&JointBranchProposalView> = plan.joint_branches.iter().filter(|j| j.township == town).collect();
        let inst: Vec<&InstructorProposalView> = plan.instructors.iter().filter(|i| i.township == town).collect();
        let township_name = plan.townships.iter().find(|t| t.code == town).map(|t| t.name.clone()).unwrap_or_default();
        let now: Vec<String> = joint.iter().map(|j| j.key()).chain(inst.iter().map(|i| i.key())).collect();
        if now.is_empty() {
            return Err(Error::Conflict(format!("{township_name}目前没有可采纳的方案（可能已被采纳），未作任何更改")));
        }
        let gone: Vec<&String> = input.proposals.iter().filter(|k| !now.contains(k)).collect();
        let new = now.iter().filter(|k| !input.proposals.contains(k)).count();
        if !gone.is_empty() || new > 0 {
            let mut why = Vec::new();
            if !gone.is_empty() {
                why.push(format!("{} 个已确认的方案已失效（相关组织的覆盖情况已变化）", gone.len()));
            }
            if new > 0 {
                why.push(format!("出现 {new} 个调整后的方案"));
            }
            return Err(Error::Conflict(format!(
                "{township_name}的方案已变化：{}。未作任何更改，请核对后重新确认",
                why.join("，")
            )));
        }
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let mut taken = HashSet::new();
        let mut out = TownshipAccepted {
            township_name: township_name.clone(),
            branches: vec![],
            instructors: vec![],
            orgs: 0,
            members_joined: 0,
        };
        let refuse = |n: usize, e: Error| match e {
            Error::Invalid(v) => Error::Conflict(format!(
                "方案 {n} 已不能采纳：{}。{township_name}的全部方案均未采纳，请刷新后重新确认",
                v.into_iter().map(|f| f.message).collect::<Vec<_>>().join("；")
            )),
            Error::Conflict(m) => Error::Conflict(format!("方案 {n} 已不能采纳：{m}。全部方案均未采纳")),
            e => e,
        };
        for (n, j) in joint.iter().enumerate() {
            let c = self.joint_in(&txn, me, &j.orgs, "", None, &mut taken).await.map_err(|e| refuse(n + 1, e))?;
            out.orgs += j.orgs.len();
            out.members_joined += c.joined;
            out.branches.push(Ref { id: c.id, name: c.name });
        }
        for (n, i) in inst.iter().enumerate() {
            let m = self
                .instructor_in(&txn, me, i.instructor, &i.orgs)
                .await
                .map_err(|e| refuse(joint.len() + n + 1, e))?;
            out.orgs += i.orgs.len();
            out.instructors.push((Ref { id: m.id, name: m.name }, i.orgs.len()));
        }
        let after = json!({
            "township": town,
            "party_orgs": out.branches.iter().map(|b| json!({"id": b.id, "name": b.name})).collect::<Vec<_>>(),
            "instructors": out.instructors.iter().map(|(r, n)| json!({"id": r.id, "orgs": n})).collect::<Vec<_>>(),
            "proposals": now,
            "members_joined": out.members_joined,
        });
        self.audit(
            &txn,
            &by,
            AuditAction::PlanAcceptTownship,
            "region",
            &town,
            &town,
            out.summary(),
            None,
            Some(after),
        )
        .await?;
        txn.commit().await?;
        Ok(out)
    }

    /// Lock the organizations' rows for the rest of the transaction (PostgreSQL; SQLite's
    /// write transaction holds the database) and return those in scope, checked as a
    /// proposal's organizations.
    async fn proposal_orgs_in(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        ids: &[i64],
        joint: bool,
    ) -> Result<Vec<social_org::Model>> {
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        social_org::Entity::find()
            .filter(social_org::Column::Id.is_in(sorted.iter().copied()))
            .order_by_asc(social_org::Column::Id)
            .lock_exclusive()
            .all(conn)
            .await?;
        self.uncovered_orgs(conn, me, &sorted, joint).await
    }

    /// An instructor's assignments of a proposal, checked and written in `conn`.
    async fn instructor_in(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        instructor_id: i64,
        ids: &[i64],
    ) -> Result<instructor::Model> {
        if self.visible_instructor(conn, me, instructor_id).await?.is_none() {
            return Err(Error::invalid("instructor", unreachable("党建指导员")));
        }
        let m = instructor::Entity::find_by_id(instructor_id)
            .lock_exclusive()
            .one(conn)
            .await?
            .ok_or_else(|| Error::invalid("instructor", unreachable("党建指导员")))?;
        let rows = self.proposal_orgs_in(conn, me, ids, false).await?;
        let orgs = self.plan_orgs(&rows).await?;
        let limit = self.instructor_limit(&m).await?;
        let pi = PlanInstructor {
            id: m.id,
            name: m.name.clone(),
            region_code: m.region_code.clone(),
            lon_e6: m.lon_e6,
            lat_e6: m.lat_e6,
            capacity: Ord::max(limit - m.load, 0) as u32,
        };
        let refs: Vec<&PlanOrg> = orgs.iter().collect();
        planner::check_instructor(&pi, &refs).map_err(|v| Error::Invalid(field_errors(v)))?;
        self.assign_in(conn, me, &m, ids, &[]).await?;
        Ok(m)
    }

    /// A joint branch of a proposal, checked and created in `conn`. A typed name must be free;
    /// an empty one becomes township + field + 联合党支部 (with a Chinese ordinal when taken).
    /// `taken` collects the names created in the same transaction.
    async fn joint_in(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        ids: &[i64],
        typed_name: &str,
        founded_on: Option<&str>,
        taken: &mut HashSet<String>,
    ) -> Result<CreatedBranch> {
        let rows = self.proposal_orgs_in(conn, me, ids, true).await?;
        let orgs = self.plan_orgs(&rows).await?;
        let region = crate::regions::common_prefix(rows.iter().map(|o| o.region_code.as_str()));
        let region = if region.is_empty() { me.scope.region.to_string() } else { region };
        let params = self.plan_params(&region).await?;
        let refs: Vec<&PlanOrg> = orgs.iter().collect();
        planner::check_joint_branch(&refs, &params).map_err(|v| Error::Invalid(field_errors(v)))?;
        let mut c = Reader::new();
        let today = self.today();
        let founded = c.date("founded_on", founded_on, today).unwrap_or(today);
        // the township of most of its organizations, and the field they share
        let members: Vec<PlanOrgView> = orgs
            .iter()
            .map(|o| PlanOrgView {
                id: o.id,
                name: o.name.clone(),
                township_name: o.township_name.clone(),
                field: o.field_label.clone(),
                formal_members: o.formal_members,
            })
            .collect();
        let towns: HashMap<i64, (String, String)> =
            orgs.iter().map(|o| (o.id, (o.township.clone(), o.township_name.clone()))).collect();
        let (_, town_name) = main_township(&members, &towns);
        let field = orgs
            .first()
            .map(|o| o.field_label.clone())
            .filter(|f| !f.is_empty() && orgs.iter().all(|o| &o.field_label == f));
        let name = if typed_name.trim().is_empty() {
            let basis = NameBasis { township_name: town_name, field_label: field };
            taken.extend(names_taken(conn, [basis.township_name.clone()]).await?);
            branch_names(&[basis], taken).into_iter().next().unwrap_or_default()
        } else {
            let name = c.text("name", typed_name, "党组织名称", 100);
            if !name.is_empty() && (taken.contains(&name) || name_exists(conn, &name).await?) {
                c.bad("name", format!("已有名为“{name}”的党组织，请修改名称"));
            }
            name
        };
        c.finish(())?;
        // the channel most of its organizations belong to
        let mut channels: HashMap<i64, usize> = HashMap::new();
        for o in &rows {
            if let Some(ch) = o.channel_id {
                *channels.entry(ch).or_default() += 1;
            }
        }
        let channel = channels.into_iter().max_by_key(|(id, n)| (*n, -id)).map(|(id, _)| id);
        let now = to_db(self.now());
        let p = party_org::ActiveModel {
            name: Set(name.clone()),
            org_type: Set(PartyOrgType::JointBranch.as_str().to_owned()),
            region_code: Set(region.clone()),
            channel_id: Set(channel),
            founded_on: Set(Some(founded)),
            status: Set(PartyOrgStatus::Active.as_str().into()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        for id in ids {
            party_org_org::ActiveModel { org_id: Set(*id), party_org_id: Set(p.id), since: Set(founded) }
                .insert(conn)
                .await?;
        }
        let joined = self.adopt_members(conn, p.id, &region, ids).await?;
        self.refresh_orgs(conn, ids, today).await?;
        self.refresh_party_orgs(conn, &[p.id], today).await?;
        taken.insert(name.clone());
        Ok(CreatedBranch { id: p.id, name, region, joined })
    }

    /// The organizations of a proposal: in scope, active, not covered by a
    /// party organization (and, for a joint branch, not by anything).
    async fn uncovered_orgs(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        ids: &[i64],
        joint: bool,
    ) -> Result<Vec<social_org::Model>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let rows = self.visible_orgs(conn, me, &ids).await?;
        let mut c = Reader::new();
        for id in &ids {
            match rows.iter().find(|o| o.id == *id) {
                Some(o) if o.status == OrgStatus::Active.as_str() => {
                    let mode = CoverageMode::parse(&o.coverage_mode).unwrap_or(CoverageMode::Uncovered);
                    if mode.has_party_org()
                        || (joint && mode != CoverageMode::Uncovered && mode != CoverageMode::HostLed)
                    {
                        c.bad("orgs", format!("“{}”已有覆盖方式（{}）", o.name, mode.label()));
                    }
                }
                _ => c.bad("orgs", format!("社会组织 {id} 不存在、不在您的管辖范围内或不是正常状态")),
            }
        }
        c.finish(())?;
        Ok(rows)
    }

    /// Members employed by these organizations who belong to no party
    /// organization join this one.
    pub(crate) async fn adopt_members(
        &self,
        conn: &impl ConnectionTrait,
        party_org_id: i64,
        region: &str,
        orgs: &[i64],
    ) -> Result<u64> {
        let q = Query::update()
            .table(party_member::Entity)
            .value(party_member::Column::PartyOrgId, party_org_id)
            .value(party_member::Column::RegionCode, region)
            .and_where(party_member::Column::EmployerOrgId.is_in(orgs.iter().copied()))
            .and_where(party_member::Column::PartyOrgId.is_null())
            .and_where(party_member::Column::LeftOn.is_null())
            .take();
        Ok(conn.execute(&q).await?.rows_affected())
    }
}

/// A joint branch created by an acceptance.
struct CreatedBranch {
    id: i64,
    name: String,
    region: String,
    joined: u64,
}

/// Names of party organizations starting with one of these township names (any status: a
/// dissolved branch's name is not given again).
async fn names_taken(conn: &impl ConnectionTrait, towns: impl IntoIterator<Item = String>) -> Result<HashSet<String>> {
    let mut cond = Condition::any();
    let mut any = false;
    let mut seen = HashSet::new();
    for t in towns {
        if !t.is_empty() && seen.insert(t.clone()) {
            cond = cond.add(party_org::Column::Name.starts_with(t.as_str()));
            any = true;
        }
    }
    if !any {
        return Ok(HashSet::new());
    }
    let names: Vec<String> = party_org::Entity::find()
        .select_only()
        .column(party_org::Column::Name)
        .filter(cond)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(names.into_iter().collect())
}

async fn name_exists(conn: &impl ConnectionTrait, name: &str) -> Result<bool> {
    Ok(party_org::Entity::find().filter(party_org::Column::Name.eq(name)).one(conn).await?.is_some())
}

fn field_errors(v: Vec<String>) -> Vec<crate::FieldError> {
    v.into_iter().map(|m| crate::FieldError { field: "orgs".into(), message: m }).collect()
}
