//! Joint-branch and instructor planner (issue 4, `003§2`).
//!
//! Organizations with one or two formal party members (正式党员) are grouped into joint
//! party branches (联合党支部) "地域相邻、行业相近、规模适当、便于管理"; organizations without a
//! formal member get a party-building instructor (党建指导员). Plain domain code: no
//! database, no HTTP, no clock, no randomness.
//!
//! Hard constraints of every proposal (of [`plan`] and of [`baseline`]):
//! - each organization is in at most one proposal;
//! - a joint branch covers `2..=max_orgs_per_branch` organizations whose formal members add up to
//!   at least `min_formal_members`, and every pair of them is in the same township (乡镇/街道)
//!   or both have coordinates and lie within `max_distance_m` of each other (so an organization
//!   without coordinates only joins branches of its own township);
//! - an instructor serves at most `capacity` organizations, all inside the region subtree he
//!   serves (`org.region_code` starts with `instructor.region_code`).
//!
//! [`plan`] works in phases on the organizations sorted by id (so shuffled input gives the same
//! output). Soft costs are in metres: the spread of a group plus penalties expressed in units of
//! the township's typical spacing between candidates (a shared field or a wasted member is worth
//! as many "neighbour steps" in a dense district as in a sparse rural township).
//! 1. **Townships.** Inside a township every pair is compatible. Seeds are taken from the
//!    outside in (farthest from the township's centroid first); a seed grows by the candidate
//!    with the lowest cost = spread (largest distance to a member) + a field penalty (if the
//!    group would stop sharing one field) + a fit penalty (members beyond the minimum, or too
//!    few to finish the group), so {2,1} and {1,1,1} come before {2,2}.
//! 2. **Across townships.** Organizations of townships that could not form a branch seed groups
//!    with nearby leftovers (grid index, within `max_distance_m`) and may take a member from a
//!    nearby branch that stays valid without it.
//! 3. **Attach and rescue.** Remaining organizations join the branch with room (own township or
//!    within the distance) with the smallest resulting spread; failing that they start a group
//!    as in phase 2, or take the place of a member of a nearby branch that can itself move to
//!    another branch or group.
//! 4. **Local search.** An organization moves to a neighbouring branch, or swaps with a member
//!    of one, while that lowers the summed branch cost (diameter, field penalty, penalty per
//!    extra township); at most three rounds, each over organizations next to changed branches.
//!
//! Should [`baseline`] cover more organizations than phases 1–3 (rare on small random
//! instances, never in the benchmark), its branches plus phase 3 are used instead, so the plan
//! never covers fewer organizations than the baseline.
//!
//! Instructors: the subtrees served form a laminar family (region codes nest by prefix), so
//! serving as many organizations as possible at the most specific level first, bottom-up, gives
//! the largest possible number of assigned organizations. At each level the pairs (organization,
//! one of its k nearest instructors of that level) are accepted in order of distance; the rest
//! go to the nearest instructor of the level with spare capacity, or up one level. Organizations
//! without coordinates take the most specific level first, lowest instructor id.

use serde::{Deserialize, Serialize};

/// A candidate organization: for a joint branch (1–2 formal members) or for an instructor (none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOrg {
    pub id: i64,
    pub name: String,
    /// 9-digit township code (乡镇/街道).
    pub township: String,
    pub township_name: String,
    /// Full residence code (6, 9 or 12 digits).
    pub region_code: String,
    /// Longitude in millionths of a degree.
    pub lon_e6: Option<i64>,
    /// Latitude in millionths of a degree.
    pub lat_e6: Option<i64>,
    /// Category key, e.g. "charity".
    pub field: String,
    /// Its Chinese label, e.g. "公益慈善类", for explanations.
    pub field_label: String,
    pub formal_members: u32,
}

/// A party-building instructor (党建指导员) with remaining load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInstructor {
    pub id: i64,
    pub name: String,
    /// Subtree served: an organization may be assigned only if its region code starts with it.
    pub region_code: String,
    pub lon_e6: Option<i64>,
    pub lat_e6: Option<i64>,
    /// Remaining load.
    pub capacity: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanParams {
    /// 覆盖单位一般不超过 5 个.
    pub max_orgs_per_branch: u32,
    /// Formal members a joint branch needs together (3).
    pub min_formal_members: u32,
    /// Organizations of different townships join only within this distance.
    pub max_distance_m: u32,
}

impl Default for PlanParams {
    fn default() -> Self {
        PlanParams { max_orgs_per_branch: 5, min_formal_members: 3, max_distance_m: 5_000 }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JointBranchProposal {
    /// Sorted ascending.
    pub orgs: Vec<i64>,
    pub formal_members: u32,
    pub same_township: bool,
    /// Largest pairwise distance when all have coordinates.
    pub max_distance_m: Option<u32>,
    /// The field label if all share one field.
    pub shared_field: Option<String>,
    /// Chinese, e.g. "同属文汇街道；最远相距 1.2 公里；均为公益慈善类；正式党员合计 3 名（…）".
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructorProposal {
    pub instructor: i64,
    /// Sorted ascending.
    pub orgs: Vec<i64>,
    /// Distance of each organization of `orgs` (same order) when both have coordinates.
    pub distances_m: Vec<Option<u32>>,
    /// Chinese: each organization's distance, or "无坐标，同属某街道".
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Plan {
    /// Sorted by first organization id.
    pub joint_branches: Vec<JointBranchProposal>,
    /// Sorted by instructor id; only instructors with at least one organization.
    pub instructors: Vec<InstructorProposal>,
    /// Candidate id and Chinese reason, sorted by id.
    pub unplaced: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PlanMetrics {
    pub joint_candidates: usize,
    pub joint_covered: usize,
    pub branches: usize,
    /// Mean over branches whose members all have coordinates.
    pub mean_max_distance_m: f64,
    pub shared_field_share: f64,
    pub mean_formal_per_branch: f64,
    /// Share of branches inside one township.
    pub same_township_share: f64,
    pub instructor_candidates: usize,
    pub instructor_assigned: usize,
    /// Mean over assigned organizations with a known distance.
    pub mean_instructor_distance_m: f64,
}

mod geo;
mod instructors;
mod joint;
pub mod names;
#[cfg(test)]
mod tests;

pub use geo::distance_m;
use geo::*;
use instructors::*;
use joint::*;

// ---------------------------------------------------------------------------------------------
// Entry points

pub(crate) fn setup<'a>(
    joint: &'a [PlanOrg],
    needs_instructor: &'a [PlanOrg],
    instructors: &'a [PlanInstructor],
    p: &PlanParams,
) -> (Joint<'a>, Inst<'a>) {
    let cos_max = cos_max_lat(
        joint
            .iter()
            .chain(needs_instructor)
            .map(|o| (o.lon_e6, o.lat_e6))
            .chain(instructors.iter().map(|i| (i.lon_e6, i.lat_e6))),
    );
    let j = Joint::new(joint, p, cos_max);
    let ids: Vec<i64> = j.orgs.iter().map(|o| o.id).collect();
    let ins = Inst::new(needs_instructor, instructors, &ids, cos_max);
    (j, ins)
}

pub(crate) fn assemble(j: &Joint, js: &JState, ins: &Inst, is: &IState) -> Plan {
    let (joint_branches, mut unplaced) = j.proposals(js);
    let (instructors, more) = ins.proposals(is);
    unplaced.extend(more);
    unplaced.sort();
    Plan { joint_branches, instructors, unplaced }
}

/// Proposes joint branches for `joint` (organizations with 1–2 formal members) and
/// instructors for `needs_instructor` (none). See the module documentation for the method.
pub fn plan(joint: &[PlanOrg], needs_instructor: &[PlanOrg], instructors: &[PlanInstructor], p: &PlanParams) -> Plan {
    let (j, ins) = setup(joint, needs_instructor, instructors, p);
    assemble(&j, &j.plan_state(), &ins, &ins.plan_state())
}

/// Documented simple greedy baseline: organizations in id order seed a group and take the nearest
/// compatible organizations until the member sum reaches the minimum (a seed that cannot reach it
/// stays unplaced); instructors: organizations in id order to the nearest instructor with
/// capacity.
pub fn baseline(
    joint: &[PlanOrg],
    needs_instructor: &[PlanOrg],
    instructors: &[PlanInstructor],
    p: &PlanParams,
) -> Plan {
    let (j, ins) = setup(joint, needs_instructor, instructors, p);
    assemble(&j, &j.baseline_state(), &ins, &ins.baseline_state())
}

/// Checks one (possibly user-edited) joint branch; `Err` lists every broken constraint in Chinese.
pub fn check_joint_branch(orgs: &[&PlanOrg], p: &PlanParams) -> Result<(), Vec<String>> {
    let mut errs = Vec::new();
    if orgs.len() < 2 {
        errs.push("联合党支部至少覆盖 2 个组织".to_string());
    }
    if orgs.len() > p.max_orgs_per_branch as usize {
        errs.push(format!("联合党支部最多覆盖 {} 个组织", p.max_orgs_per_branch));
    }
    let mut seen: Vec<i64> = Vec::new();
    for o in orgs {
        if seen.contains(&o.id) {
            errs.push(format!("{}重复出现", o.name));
        }
        seen.push(o.id);
    }
    let sum: u64 = orgs.iter().map(|o| u64::from(o.formal_members)).sum();
    if sum < u64::from(p.min_formal_members) {
        errs.push(format!("正式党员合计 {sum} 名，不足 {} 名", p.min_formal_members));
    }
    for (i, a) in orgs.iter().enumerate() {
        for b in &orgs[i + 1..] {
            if a.township == b.township || a.id == b.id {
                continue;
            }
            match (Geo::of(a.lon_e6, a.lat_e6), Geo::of(b.lon_e6, b.lat_e6)) {
                (Some(x), Some(y)) => {
                    let d = x.dist(&y);
                    if d > p.max_distance_m {
                        errs.push(format!(
                            "{}与{}不在同一乡镇（街道）且相距 {}",
                            a.name,
                            b.name,
                            fmt_excess(d, p.max_distance_m)
                        ));
                    }
                }
                (x, y) => {
                    let who = match (x, y) {
                        (None, None) => "两者均".to_string(),
                        (None, _) => a.name.clone(),
                        _ => b.name.clone(),
                    };
                    errs.push(format!(
                        "{}与{}不在同一乡镇（街道），且{who}没有坐标，无法确认相距不超过 {}",
                        a.name,
                        b.name,
                        fmt_dist(p.max_distance_m)
                    ));
                }
            }
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

/// Checks one instructor's organizations: capacity not exceeded, every organization inside the
/// subtree served, none twice.
pub fn check_instructor(instructor: &PlanInstructor, orgs: &[&PlanOrg]) -> Result<(), Vec<String>> {
    let mut errs = Vec::new();
    if orgs.len() > instructor.capacity as usize {
        errs.push(format!(
            "党建指导员{}最多还能指导 {} 个组织，此处 {} 个",
            instructor.name,
            instructor.capacity,
            orgs.len()
        ));
    }
    let mut seen: Vec<i64> = Vec::new();
    for o in orgs {
        if seen.contains(&o.id) {
            errs.push(format!("{}重复出现", o.name));
        }
        seen.push(o.id);
        if !o.region_code.starts_with(&instructor.region_code) {
            errs.push(format!(
                "{}（{}）不在党建指导员{}的服务范围（{}）内",
                o.name, o.region_code, instructor.name, instructor.region_code
            ));
        }
    }
    if errs.is_empty() { Ok(()) } else { Err(errs) }
}

pub(crate) fn mean(sum: f64, n: usize) -> f64 {
    if n == 0 { 0.0 } else { sum / n as f64 }
}

/// Quality figures of a plan.
pub fn metrics(plan: &Plan, joint: &[PlanOrg], needs_instructor: &[PlanOrg]) -> PlanMetrics {
    let jb = &plan.joint_branches;
    let dists: Vec<f64> = jb.iter().filter_map(|b| b.max_distance_m).map(f64::from).collect();
    let inst_d: Vec<f64> =
        plan.instructors.iter().flat_map(|i| i.distances_m.iter().flatten()).map(|&d| f64::from(d)).collect();
    PlanMetrics {
        joint_candidates: joint.len(),
        joint_covered: jb.iter().map(|b| b.orgs.len()).sum(),
        branches: jb.len(),
        mean_max_distance_m: mean(dists.iter().sum(), dists.len()),
        shared_field_share: mean(jb.iter().filter(|b| b.shared_field.is_some()).count() as f64, jb.len()),
        mean_formal_per_branch: mean(jb.iter().map(|b| f64::from(b.formal_members)).sum(), jb.len()),
        same_township_share: mean(jb.iter().filter(|b| b.same_township).count() as f64, jb.len()),
        instructor_candidates: needs_instructor.len(),
        instructor_assigned: plan.instructors.iter().map(|i| i.orgs.len()).sum(),
        mean_instructor_distance_m: mean(inst_d.iter().sum(), inst_d.len()),
    }
}
