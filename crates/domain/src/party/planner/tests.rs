use std::collections::BTreeMap;

use super::*;
use proptest::prelude::*;

const LON0: i64 = 118_500_000;
const LAT0: i64 = 37_400_000;

/// A point `dx` metres east and `dy` metres north of 118.5E 37.4N.
fn at(dx: f64, dy: f64) -> (i64, i64) {
    let lat = LAT0 + (dy / M_PER_E6).round() as i64;
    let lon = LON0 + (dx / (M_PER_E6 * (37.4f64).to_radians().cos())).round() as i64;
    (lon, lat)
}

fn town_name(town: &str) -> String {
    format!("{town}街道")
}

fn org(id: i64, town: &str, pos: Option<(f64, f64)>, field: &str, m: u32) -> PlanOrg {
    let p = pos.map(|(x, y)| at(x, y));
    PlanOrg {
        id,
        name: format!("组织{id}"),
        township: town.to_string(),
        township_name: town_name(town),
        region_code: format!("{town}001"),
        lon_e6: p.map(|p| p.0),
        lat_e6: p.map(|p| p.1),
        field: field.to_string(),
        field_label: format!("{field}类"),
        formal_members: m,
    }
}

fn inst(id: i64, region: &str, pos: Option<(f64, f64)>, capacity: u32) -> PlanInstructor {
    let p = pos.map(|(x, y)| at(x, y));
    PlanInstructor {
        id,
        name: format!("指导员{id}"),
        region_code: region.to_string(),
        lon_e6: p.map(|p| p.0),
        lat_e6: p.map(|p| p.1),
        capacity,
    }
}

const A: &str = "370502001";
const B: &str = "370502002";

fn params() -> PlanParams {
    PlanParams::default()
}

fn sums(p: &Plan) -> Vec<u32> {
    let mut v: Vec<u32> = p.joint_branches.iter().map(|b| b.formal_members).collect();
    v.sort_unstable();
    v
}

#[test]
fn haversine_distances() {
    let a = (LON0, LAT0);
    assert_eq!(distance_m(a, a), 0);
    let north = distance_m(a, (LON0, LAT0 + 1_000_000));
    assert!((111_194..=111_196).contains(&north), "{north}");
    let b = at(3_000.0, 4_000.0);
    let d = distance_m(a, b);
    assert!((4_995..=5_005).contains(&d), "{d}");
    assert_eq!(d, distance_m(b, a));
}

#[test]
fn formats_distances() {
    assert_eq!(fmt_dist(850), "850 米");
    assert_eq!(fmt_dist(1_234), "1.2 公里");
    assert_eq!(fmt_dist(5_000), "5 公里");
    assert_eq!(fmt_excess(7_300, 5_000), "7.3 公里，超过 5 公里");
    assert_eq!(fmt_excess(5_020, 5_000), "5020 米，超过 5000 米");
}

#[test]
fn check_joint_branch_reports_every_broken_constraint() {
    let p = params();
    let a = org(1, A, Some((0.0, 0.0)), "charity", 1);
    let b = org(2, B, Some((7_300.0, 0.0)), "charity", 1);
    let c = org(3, B, None, "charity", 0);
    let errs = check_joint_branch(&[&a, &b], &p).expect_err("invalid");
    assert_eq!(errs, ["正式党员合计 2 名，不足 3 名", "组织1与组织2不在同一乡镇（街道）且相距 7.3 公里，超过 5 公里"]);
    let errs = check_joint_branch(&[&a], &p).expect_err("invalid");
    assert_eq!(errs, ["联合党支部至少覆盖 2 个组织", "正式党员合计 1 名，不足 3 名"]);
    let errs = check_joint_branch(&[&a, &c], &p).expect_err("invalid");
    assert_eq!(errs[1], "组织1与组织3不在同一乡镇（街道），且组织3没有坐标，无法确认相距不超过 5 公里");
    let many: Vec<PlanOrg> = (10..16).map(|i| org(i, A, None, "charity", 1)).collect();
    let refs: Vec<&PlanOrg> = many.iter().collect();
    assert_eq!(check_joint_branch(&refs, &p), Err(vec!["联合党支部最多覆盖 5 个组织".to_string()]));
    assert_eq!(check_joint_branch(&refs[..5], &p), Ok(()));
    let near = org(4, B, Some((4_000.0, 0.0)), "tech", 2);
    assert_eq!(check_joint_branch(&[&a, &near], &p), Ok(()));
    let errs = check_joint_branch(&[&a, &near, &a], &p).expect_err("invalid");
    assert_eq!(errs, ["组织1重复出现"]);
}

#[test]
fn check_instructor_reports_capacity_and_subtree() {
    let i = inst(1, "370502001", None, 1);
    let a = org(1, A, None, "x", 0);
    let b = org(2, B, None, "x", 0);
    assert_eq!(check_instructor(&i, &[&a]), Ok(()));
    let errs = check_instructor(&i, &[&a, &b]).expect_err("invalid");
    assert_eq!(
        errs,
        [
            "党建指导员指导员1最多还能指导 1 个组织，此处 2 个",
            "组织2（370502002001）不在党建指导员指导员1的服务范围（370502001）内"
        ]
    );
}

#[test]
fn township_groups_do_not_waste_two_member_orgs() {
    let joint: Vec<PlanOrg> = [2, 1, 1, 1, 1]
        .iter()
        .enumerate()
        .map(|(i, &m)| org(i as i64 + 1, A, Some((i as f64 * 300.0, 0.0)), "charity", m))
        .collect();
    let p = plan(&joint, &[], &[], &params());
    assert_eq!(sums(&p), [3, 3]);
    assert!(p.unplaced.is_empty());
    let b = &p.joint_branches[0];
    assert!(b.same_township);
    assert!(b.explanation.starts_with("同属370502001街道；最远相距 "), "{}", b.explanation);
    assert!(b.explanation.contains("均为charity类；正式党员合计 3 名（"), "{}", b.explanation);
}

#[test]
fn township_groups_prefer_a_shared_field() {
    let fields = ["a", "b", "a", "b", "a", "b"];
    let joint: Vec<PlanOrg> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| org(i as i64 + 1, A, Some((i as f64 * 10.0, (i % 3) as f64 * 10.0)), f, 1))
        .collect();
    let p = plan(&joint, &[], &[], &params());
    assert_eq!(p.joint_branches.len(), 2);
    assert!(p.joint_branches.iter().all(|b| b.shared_field.is_some()), "{p:?}");
}

#[test]
fn lonely_org_joins_a_nearby_branch_of_another_township() {
    let joint = vec![
        org(1, A, Some((0.0, 0.0)), "a", 2),
        org(2, A, Some((500.0, 0.0)), "a", 1),
        org(3, B, Some((1_500.0, 0.0)), "a", 1),
    ];
    let p = plan(&joint, &[], &[], &params());
    assert_eq!(p.joint_branches.len(), 1);
    let b = &p.joint_branches[0];
    assert_eq!(b.orgs, [1, 2, 3]);
    assert!(!b.same_township);
    assert!(b.explanation.starts_with("跨 2 个乡镇（街道）：370502001街道、370502002街道；"), "{}", b.explanation);
    assert_eq!(baseline(&joint, &[], &[], &params()).joint_branches.len(), 1);
}

#[test]
fn leftovers_form_branches_across_townships() {
    let joint = vec![
        org(1, A, Some((0.0, 0.0)), "a", 2),
        org(2, A, Some((300.0, 0.0)), "a", 1),
        org(3, A, Some((600.0, 0.0)), "a", 1),
        org(4, B, Some((2_600.0, 0.0)), "a", 2),
    ];
    let p = plan(&joint, &[], &[], &params());
    assert_eq!(p.joint_branches.len(), 2, "{p:?}");
    assert_eq!(sums(&p), [3, 3]);
    assert!(p.unplaced.is_empty());
}

#[test]
fn distance_limit_and_missing_coordinates() {
    let p = params();
    let far = vec![org(1, A, Some((0.0, 0.0)), "a", 2), org(2, B, Some((7_000.0, 0.0)), "a", 1)];
    let out = plan(&far, &[], &[], &p);
    assert!(out.joint_branches.is_empty());
    assert_eq!(out.unplaced[0], (1, "370502001街道及周边 5 公里内没有其他联合组建候选组织".to_string()));
    let nocoord = vec![org(1, A, None, "a", 2), org(2, B, Some((0.0, 0.0)), "a", 1)];
    let out = plan(&nocoord, &[], &[], &p);
    assert!(out.joint_branches.is_empty());
    assert!(out.unplaced[0].1.starts_with("无坐标，只能与同一乡镇（街道）的组织联合"), "{:?}", out.unplaced);
    let same = vec![org(1, A, None, "a", 2), org(2, A, Some((0.0, 0.0)), "b", 1)];
    let out = plan(&same, &[], &[], &p);
    assert_eq!(out.joint_branches.len(), 1);
    let b = &out.joint_branches[0];
    assert_eq!(b.max_distance_m, None);
    assert_eq!(
        b.explanation,
        "同属370502001街道；组织1无坐标；涉及a类、b类；正式党员合计 3 名（组织1 2 名、组织2 1 名）"
    );
}

#[test]
fn instructors_serve_as_many_as_possible() {
    let needs = vec![org(1, A, Some((0.0, 0.0)), "x", 0), org(2, B, Some((2_000.0, 0.0)), "x", 0)];
    let insts = vec![inst(10, "370502", Some((0.0, 0.0)), 1), inst(11, A, Some((3_000.0, 0.0)), 1)];
    let base = baseline(&[], &needs, &insts, &params());
    assert_eq!(base.instructors.iter().map(|i| i.orgs.len()).sum::<usize>(), 1);
    assert_eq!(base.unplaced, [(2, "服务范围包含该组织（370502002街道）的 1 名党建指导员负荷已满".to_string())]);
    let p = plan(&[], &needs, &insts, &params());
    assert!(p.unplaced.is_empty());
    assert_eq!(p.instructors.len(), 2);
    assert_eq!(p.instructors[0].orgs, [2]);
    assert_eq!(p.instructors[0].explanation, "组织2 相距 2 公里");
    assert_eq!(p.instructors[1].orgs, [1]);
}

#[test]
fn instructors_for_orgs_without_coordinates_most_specific_then_lowest_id() {
    let needs = vec![org(1, A, None, "x", 0), org(2, B, None, "x", 0)];
    let insts = vec![
        inst(1, "370502", Some((0.0, 0.0)), 5),
        inst(5, A, Some((0.0, 0.0)), 5),
        inst(3, A, None, 5),
        inst(7, "370503", None, 5),
    ];
    for p in [plan(&[], &needs, &insts, &params()), baseline(&[], &needs, &insts, &params())] {
        assert_eq!(p.instructors.len(), 2);
        assert_eq!((p.instructors[0].instructor, &p.instructors[0].orgs[..]), (1, &[2][..]));
        assert_eq!((p.instructors[1].instructor, &p.instructors[1].orgs[..]), (3, &[1][..]));
        assert_eq!(p.instructors[1].explanation, "组织1 无坐标，同属370502001街道");
        assert_eq!(p.instructors[0].explanation, "组织2 无坐标，位于370502002街道，在服务范围内");
    }
}

#[test]
fn unplaced_when_no_instructor_serves_the_region() {
    let needs = vec![org(1, A, Some((0.0, 0.0)), "x", 0)];
    let insts = vec![inst(1, "370503", Some((0.0, 0.0)), 5)];
    let p = plan(&[], &needs, &insts, &params());
    assert!(p.instructors.is_empty());
    assert_eq!(p.unplaced, [(1, "没有服务范围包含该组织（370502001街道）的党建指导员".to_string())]);
}

#[test]
fn metrics_summarize_a_plan() {
    let joint: Vec<PlanOrg> =
        (0..4).map(|i| org(i + 1, A, Some((i as f64 * 1_000.0, 0.0)), "a", if i == 0 { 2 } else { 1 })).collect();
    let needs = vec![org(9, A, Some((0.0, 0.0)), "x", 0)];
    let insts = vec![inst(1, A, Some((0.0, 1_000.0)), 3)];
    let p = plan(&joint, &needs, &insts, &params());
    let m = metrics(&p, &joint, &needs);
    assert_eq!((m.joint_candidates, m.joint_covered, m.branches), (4, 4, 1));
    assert_eq!((m.shared_field_share, m.same_township_share, m.mean_formal_per_branch), (1.0, 1.0, 5.0));
    assert!((2_990.0..=3_010.0).contains(&m.mean_max_distance_m), "{m:?}");
    assert_eq!((m.instructor_candidates, m.instructor_assigned), (1, 1));
    assert!((990.0..=1_010.0).contains(&m.mean_instructor_distance_m), "{m:?}");
}

#[test]
fn extreme_coordinates_do_not_panic() {
    let mut joint = vec![
        org(1, A, None, "a", 1),
        org(2, A, None, "a", 2),
        org(3, B, None, "a", 1),
        org(4, B, None, "a", 2),
        org(5, B, None, "a", 1),
    ];
    let coords = [(i64::MAX, i64::MIN), (i64::MIN, i64::MAX), (179_999_999, 89_999_999), (-179_999_999, 0), (0, 0)];
    for (o, (lon, lat)) in joint.iter_mut().zip(coords) {
        (o.lon_e6, o.lat_e6) = (Some(lon), Some(lat));
    }
    let needs = joint.iter().map(|o| PlanOrg { id: o.id + 100, formal_members: 0, ..o.clone() }).collect::<Vec<_>>();
    let insts = vec![inst(1, "", Some((0.0, 0.0)), 3), inst(2, "370502", None, 1)];
    let p = PlanParams { max_distance_m: u32::MAX, ..params() };
    for out in [plan(&joint, &needs, &insts, &p), baseline(&joint, &needs, &insts, &p)] {
        assert_eq!(out.joint_branches.iter().map(|b| b.orgs.len()).sum::<usize>() + out.unplaced.len(), 5 + 5 - 4);
    }
}

// ---- properties over random small instances

const TOWNS: [&str; 4] = ["370502001", "370502002", "370502003", "370503001"];
const REGIONS: [&str; 6] = ["370502", "370502001", "370502002", "370503", "370503001", "37"];

#[derive(Debug, Clone)]
struct Instance {
    joint: Vec<PlanOrg>,
    needs: Vec<PlanOrg>,
    insts: Vec<PlanInstructor>,
    p: PlanParams,
}

fn arb_org(joint: bool) -> impl Strategy<Value = (usize, Option<(f64, f64)>, usize, u32, bool)> {
    let members =
        if joint { prop::sample::select(vec![0u32, 1, 1, 1, 1, 1, 2, 2, 2, 3]).boxed() } else { Just(0u32).boxed() };
    (
        0..TOWNS.len(),
        prop::option::weighted(0.85, (-4_000.0..4_000.0f64, -4_000.0..4_000.0f64)),
        0..3usize,
        members,
        any::<bool>(),
    )
}

fn build_org(id: i64, (t, pos, f, m, village): (usize, Option<(f64, f64)>, usize, u32, bool)) -> PlanOrg {
    let centre = t as f64 * 2_500.0;
    let mut o = org(id, TOWNS[t], pos.map(|(x, y)| (x + centre, y)), ["a", "b", "c"][f], m);
    if !village {
        o.region_code = TOWNS[t].to_string();
    }
    o
}

fn arb_instance() -> impl Strategy<Value = Instance> {
    (
        prop::collection::vec(arb_org(true), 0..24),
        prop::collection::vec(arb_org(false), 0..16),
        prop::collection::vec(
            (0..REGIONS.len(), prop::option::weighted(0.8, (-2_000.0..9_000.0f64, -3_000.0..3_000.0f64)), 0..4u32),
            0..6,
        ),
        (2..=5u32, 0..=4u32, prop::sample::select(vec![500u32, 2_000, 5_000, 10_000])),
    )
        .prop_map(|(j, n, i, (max, min, d))| Instance {
            joint: j.into_iter().enumerate().map(|(k, o)| build_org(k as i64 * 3 + 1, o)).collect(),
            needs: n.into_iter().enumerate().map(|(k, o)| build_org(k as i64 * 3 + 2, o)).collect(),
            insts: i.into_iter().enumerate().map(|(k, (r, pos, c))| inst(k as i64 + 1, REGIONS[r], pos, c)).collect(),
            p: PlanParams { max_orgs_per_branch: max, min_formal_members: min, max_distance_m: d },
        })
}

fn shuffled() -> impl Strategy<Value = (Instance, Instance)> {
    arb_instance().prop_flat_map(|a| {
        let b = a.clone();
        (
            Just(a.joint.clone()).prop_shuffle(),
            Just(a.needs.clone()).prop_shuffle(),
            Just(a.insts.clone()).prop_shuffle(),
        )
            .prop_map(move |(joint, needs, insts)| (b.clone(), Instance { joint, needs, insts, p: b.p }))
    })
}

/// Every hard constraint, and every candidate either placed once or unplaced.
fn assert_valid(out: &Plan, x: &Instance) -> Result<(), TestCaseError> {
    let by_id: BTreeMap<i64, &PlanOrg> = x.joint.iter().chain(&x.needs).map(|o| (o.id, o)).collect();
    let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
    for b in &out.joint_branches {
        let orgs: Vec<&PlanOrg> = b.orgs.iter().filter_map(|id| x.joint.iter().find(|o| o.id == *id)).collect();
        prop_assert_eq!(orgs.len(), b.orgs.len());
        prop_assert!(check_joint_branch(&orgs, &x.p).is_ok(), "{:?}", check_joint_branch(&orgs, &x.p));
        prop_assert!(b.orgs.windows(2).all(|w| w[0] < w[1]));
        b.orgs.iter().for_each(|id| *seen.entry(*id).or_default() += 1);
    }
    for ip in &out.instructors {
        let i = x.insts.iter().find(|i| i.id == ip.instructor);
        prop_assert!(i.is_some());
        let orgs: Vec<&PlanOrg> = ip.orgs.iter().filter_map(|id| x.needs.iter().find(|o| o.id == *id)).collect();
        prop_assert_eq!(orgs.len(), ip.orgs.len());
        prop_assert_eq!(ip.distances_m.len(), ip.orgs.len());
        if let Some(i) = i {
            prop_assert!(check_instructor(i, &orgs).is_ok(), "{:?}", check_instructor(i, &orgs));
            for o in &orgs {
                if o.lon_e6.is_none() {
                    // Most specific region with an instructor, then the lowest id.
                    let spec = |r: &str| o.region_code.starts_with(r);
                    let deeper =
                        x.insts.iter().any(|j| spec(&j.region_code) && j.region_code.len() > i.region_code.len());
                    let lower = x.insts.iter().any(|j| j.region_code == i.region_code && j.id < i.id);
                    // A deeper or lower-id instructor may only have been skipped if it is full.
                    if deeper || lower {
                        let full = |j: &PlanInstructor| {
                            let used =
                                out.instructors.iter().find(|p| p.instructor == j.id).map_or(0, |p| p.orgs.len());
                            used >= j.capacity as usize
                        };
                        let skipped = x.insts.iter().filter(|j| {
                            spec(&j.region_code)
                                && (j.region_code.len() > i.region_code.len()
                                    || (j.region_code == i.region_code && j.id < i.id))
                        });
                        for j in skipped {
                            prop_assert!(full(j), "org {} skipped instructor {}", o.id, j.id);
                        }
                    }
                }
            }
        }
        ip.orgs.iter().for_each(|id| *seen.entry(*id).or_default() += 1);
    }
    prop_assert!(seen.values().all(|&n| n == 1), "an organization in two proposals");
    for (id, _) in &out.unplaced {
        prop_assert!(!seen.contains_key(id), "{} placed and unplaced", id);
        prop_assert!(by_id.contains_key(id));
    }
    prop_assert_eq!(seen.len() + out.unplaced.len(), by_id.len());
    Ok(())
}

fn joint_covered(p: &Plan) -> usize {
    p.joint_branches.iter().map(|b| b.orgs.len()).sum()
}

fn assigned(p: &Plan) -> usize {
    p.instructors.iter().map(|i| i.orgs.len()).sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn plan_and_baseline_satisfy_hard_constraints(x in arb_instance()) {
        assert_valid(&plan(&x.joint, &x.needs, &x.insts, &x.p), &x)?;
        assert_valid(&baseline(&x.joint, &x.needs, &x.insts, &x.p), &x)?;
    }

    #[test]
    fn plan_is_deterministic_and_order_independent((x, y) in shuffled()) {
        let a = plan(&x.joint, &x.needs, &x.insts, &x.p);
        prop_assert_eq!(&a, &plan(&x.joint, &x.needs, &x.insts, &x.p));
        prop_assert_eq!(&a, &plan(&y.joint, &y.needs, &y.insts, &y.p));
        prop_assert_eq!(baseline(&x.joint, &x.needs, &x.insts, &x.p), baseline(&y.joint, &y.needs, &y.insts, &y.p));
    }

    #[test]
    fn plan_covers_at_least_the_baseline(x in arb_instance()) {
        let a = plan(&x.joint, &x.needs, &x.insts, &x.p);
        let b = baseline(&x.joint, &x.needs, &x.insts, &x.p);
        prop_assert!(joint_covered(&a) >= joint_covered(&b));
        prop_assert!(assigned(&a) >= assigned(&b));
    }
}
