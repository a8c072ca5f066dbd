//! The coverage planner (SPEC M2): loads a region's uncovered organizations
//! and available instructors, runs the domain planner, and accepts a
//! (possibly edited) proposal by creating the records in one transaction.

use hongling_domain::audit::AuditAction;
use std::collections::HashMap;

use hongling_domain::party::coverage::{CoverageMode, InstructorStatus, PartyOrgStatus, PartyOrgType};
use hongling_domain::party::planner::{self, PlanInstructor, PlanOrg, PlanParams};
use hongling_domain::policy::Param;
use hongling_domain::region::subtree_range;
use hongling_domain::registry::{Category, OrgStatus};
use hongling_store::party::entity::{instructor, party_member, party_org, party_org_org};
use hongling_store::registry::entity::social_org;
use hongling_store::{begin_write, to_db};
use sea_orm::sea_query::Query;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
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
    /// a name to start from: "文汇街道社会组织联合党支部"
    pub suggested_name: String,
    pub members: Vec<PlanOrgView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InstructorProposalView {
    pub instructor: i64,
    pub instructor_name: String,
    pub orgs: Vec<i64>,
    pub explanation: String,
    pub members: Vec<PlanOrgView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Unplaced {
    pub id: i64,
    pub name: String,
    pub reason: String,
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
        Ok(PlanView {
            region_name: self.region_display_name(&region).await?,
            region,
            max_orgs_per_branch: params.max_orgs_per_branch,
            min_formal_members: params.min_formal_members,
            max_distance_m: params.max_distance_m,
            joint_candidates: joint.len(),
            instructor_candidates: needs.len(),
            joint_branches: plan
                .joint_branches
                .iter()
                .map(|j| {
                    let members = view(&j.orgs);
                    let town = members.first().map(|m| m.township_name.clone()).unwrap_or_default();
                    JointBranchProposalView {
                        orgs: j.orgs.clone(),
                        formal_members: j.formal_members,
                        explanation: j.explanation.clone(),
                        same_township: j.same_township,
                        max_distance_m: j.max_distance_m,
                        shared_field: j.shared_field.clone(),
                        suggested_name: format!("{town}社会组织联合党支部"),
                        members,
                    }
                })
                .collect(),
            instructors: plan
                .instructors
                .iter()
                .map(|p| InstructorProposalView {
                    instructor: p.instructor,
                    instructor_name: inst_names.get(&p.instructor).cloned().unwrap_or_default(),
                    orgs: p.orgs.clone(),
                    explanation: p.explanation.clone(),
                    members: view(&p.orgs),
                })
                .collect(),
            unplaced: plan
                .unplaced
                .iter()
                .map(|(id, reason)| Unplaced {
                    id: *id,
                    name: by_id.get(id).map(|o| o.name.clone()).unwrap_or_default(),
                    reason: reason.clone(),
                })
                .collect(),
            standalone,
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
    /// or an instructor's assignments. Checked again against the rules.
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
        match input {
            AcceptInput::JointBranch(j) => self.accept_joint_branch(me, j).await,
            AcceptInput::Instructor(i) => {
                let m = self
                    .visible_instructor(&self.db, me, i.instructor)
                    .await?
                    .ok_or_else(|| Error::invalid("instructor", unreachable("党建指导员")))?;
                let rows = self.uncovered_orgs(me, &i.orgs, false).await?;
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
                let by = Principal::User(me.clone());
                let txn = begin_write(&self.db).await?;
                self.assign_in(&txn, me, &m, &i.orgs, &[]).await?;
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
                txn.commit().await?;
                Ok(Accepted { party_org_id: None, instructor_id: Some(m.id), orgs: i.orgs.clone(), members_joined: 0 })
            }
        }
    }

    /// The organizations of a proposal: in scope, active, not covered by a
    /// party organization (and, for a joint branch, not by anything).
    async fn uncovered_orgs(&self, me: &CurrentUser, ids: &[i64], joint: bool) -> Result<Vec<social_org::Model>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let rows = self.visible_orgs(&self.db, me, &ids).await?;
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

    async fn accept_joint_branch(&self, me: &CurrentUser, j: &AcceptJointBranch) -> Result<Accepted> {
        let rows = self.uncovered_orgs(me, &j.orgs, true).await?;
        let orgs = self.plan_orgs(&rows).await?;
        let region = crate::regions::common_prefix(rows.iter().map(|o| o.region_code.as_str()));
        let region = if region.is_empty() { me.scope.region.to_string() } else { region };
        let params = self.plan_params(&region).await?;
        let refs: Vec<&PlanOrg> = orgs.iter().collect();
        planner::check_joint_branch(&refs, &params).map_err(|v| Error::Invalid(field_errors(v)))?;
        let mut c = Reader::new();
        let today = self.today();
        let founded = c.date("founded_on", j.founded_on.as_deref(), today).unwrap_or(today);
        let town = orgs.first().map(|o| o.township_name.clone()).unwrap_or_default();
        let wanted = if j.name.trim().is_empty() {
            format!("{town}社会组织联合党支部")
        } else {
            c.text("name", &j.name, "党组织名称", 100)
        };
        let name = self.unique_party_org_name(&region, &wanted).await?;
        c.finish(())?;
        // the channel most of its organizations belong to
        let mut channels: HashMap<i64, usize> = HashMap::new();
        for o in &rows {
            if let Some(ch) = o.channel_id {
                *channels.entry(ch).or_default() += 1;
            }
        }
        let channel = channels.into_iter().max_by_key(|(id, n)| (*n, -id)).map(|(id, _)| id);
        let by = Principal::User(me.clone());
        let now = to_db(self.now());
        let txn = begin_write(&self.db).await?;
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
        .insert(&txn)
        .await?;
        for id in &j.orgs {
            party_org_org::ActiveModel { org_id: Set(*id), party_org_id: Set(p.id), since: Set(founded) }
                .insert(&txn)
                .await?;
        }
        let joined = self.adopt_members(&txn, p.id, &region, &j.orgs).await?;
        self.refresh_orgs(&txn, &j.orgs, today).await?;
        self.refresh_party_orgs(&txn, &[p.id], today).await?;
        let summary = format!("采纳覆盖规划：成立{}，覆盖 {} 个组织，{} 名党员转入", name, j.orgs.len(), joined);
        let after = json!({"party_org_id": p.id, "name": name, "orgs": j.orgs, "members_joined": joined});
        self.audit(
            &txn,
            &by,
            AuditAction::PlanAcceptJointBranch,
            "party_org",
            p.id,
            &region,
            summary,
            None,
            Some(after),
        )
        .await?;
        txn.commit().await?;
        Ok(Accepted { party_org_id: Some(p.id), instructor_id: None, orgs: j.orgs.clone(), members_joined: joined })
    }

    /// The name, or with "（2）", "（3）"… when an active party organization of
    /// the region has it already.
    async fn unique_party_org_name(&self, region: &str, name: &str) -> Result<String> {
        let taken: std::collections::HashSet<String> = party_org::Entity::find()
            .filter(party_org::Column::RegionCode.eq(region))
            .filter(party_org::Column::Status.eq(PartyOrgStatus::Active.as_str()))
            .filter(party_org::Column::Name.starts_with(name))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| p.name)
            .collect();
        let mut candidate = name.to_owned();
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{name}（{n}）");
            n += 1;
        }
        Ok(candidate)
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

fn field_errors(v: Vec<String>) -> Vec<crate::FieldError> {
    v.into_iter().map(|m| crate::FieldError { field: "orgs".into(), message: m }).collect()
}
