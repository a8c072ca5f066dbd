//! Quality and time report of the coverage planner (issue 4) against the documented greedy
//! baseline, on synthetic instances:
//!
//! ```sh
//! cargo run --release -p hongling-domain --example planner_bench
//! cargo run --release -p hongling-domain --example planner_bench -- 1000 10000   # chosen sizes
//! ```
//!
//! Geography: 256 townships (16 counties of 16) with centres on a jittered grid over
//! 150 km × 150 km around 118.5E 37.4N; township sizes vary (log-normal weights), so small
//! townships have too few members of their own. Organizations lie a few km (σ 2 km) around their
//! township's centre, 7 fields, 60 % with 1 formal member and 40 % with 2, 5 % without
//! coordinates. As many instructor candidates (no formal member), and a tenth as many instructors
//! near township centres serving their township (9 digits) or county (6 digits), capacity 3–10.
//! Deterministic: a splitmix64 generator with a fixed seed.

use std::time::Instant;

use hongling_domain::party::planner::{
    Plan, PlanInstructor, PlanMetrics, PlanOrg, PlanParams, baseline, check_instructor, check_joint_branch, metrics,
    plan,
};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

const LON0: f64 = 118.5;
const LAT0: f64 = 37.4;
const SIDE_KM: f64 = 150.0;
const GRID: usize = 16;
/// (key, label, name stem of a joint candidate, of an instructor candidate).
const FIELDS: [(&str, &str, &str, &str); 7] = [
    ("trade", "行业协会商会类", "商会", "同业联谊会"),
    ("science", "科技类", "科学技术协会", "科普服务站"),
    ("charity", "公益慈善类", "慈善协会", "志愿服务队"),
    ("community", "城乡社区服务类", "社区服务中心", "邻里互助会"),
    ("education", "教育类", "职业培训学校", "家长学校"),
    ("culture", "文化类", "文化艺术团", "书画社"),
    ("sports", "体育类", "体育协会", "健身队"),
];
const FIELD_WEIGHTS: [u64; 7] = [25, 8, 15, 22, 12, 10, 8];

struct Town {
    code: String,
    county: String,
    name: String,
    /// Centre in km east and north of (LON0, LAT0).
    x: f64,
    y: f64,
}

fn to_e6(x_km: f64, y_km: f64) -> (i64, i64) {
    let lat = LAT0 + y_km / 111.195;
    let lon = LON0 + x_km / (111.195 * LAT0.to_radians().cos());
    ((lon * 1e6).round() as i64, (lat * 1e6).round() as i64)
}

fn towns(rng: &mut Rng) -> (Vec<Town>, Vec<f64>) {
    let step = SIDE_KM / GRID as f64;
    let mut towns = Vec::new();
    let mut weights = Vec::new();
    for gy in 0..GRID {
        for gx in 0..GRID {
            let county = (gy / 4) * 4 + gx / 4;
            let k = (gy % 4) * 4 + gx % 4;
            let county_code = format!("3705{:02}", county + 1);
            towns.push(Town {
                code: format!("{county_code}{:03}", k + 1),
                county: county_code,
                name: format!("{}县第{}镇", county + 1, k + 1),
                x: (gx as f64 + 0.5) * step - SIDE_KM / 2.0 + rng.normal() * step / 6.0,
                y: (gy as f64 + 0.5) * step - SIDE_KM / 2.0 + rng.normal() * step / 6.0,
            });
            weights.push(rng.normal().exp());
        }
    }
    (towns, weights)
}

fn pick(rng: &mut Rng, cumulative: &[f64]) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let r = rng.unit() * total;
    cumulative.partition_point(|&c| c <= r).min(cumulative.len() - 1)
}

fn field(rng: &mut Rng) -> (&'static str, &'static str, &'static str, &'static str) {
    let total: u64 = FIELD_WEIGHTS.iter().sum();
    let mut r = rng.below(total);
    for (i, w) in FIELD_WEIGHTS.iter().enumerate() {
        if r < *w {
            return FIELDS[i];
        }
        r -= w;
    }
    FIELDS[0]
}

fn orgs(rng: &mut Rng, towns: &[Town], cumulative: &[f64], n: usize, first_id: i64, joint: bool) -> Vec<PlanOrg> {
    (0..n)
        .map(|i| {
            let t = &towns[pick(rng, cumulative)];
            let (dx, dy) = (rng.normal() * 2.0, rng.normal() * 2.0);
            let coords = (rng.unit() >= 0.05).then(|| to_e6(t.x + dx, t.y + dy));
            let (key, label, stem, stem0) = field(rng);
            let id = first_id + i as i64;
            PlanOrg {
                id,
                name: format!("{}{}{}", t.name, if joint { stem } else { stem0 }, id % 1000),
                township: t.code.clone(),
                township_name: t.name.clone(),
                region_code: format!("{}{:03}", t.code, 1 + rng.below(20)),
                lon_e6: coords.map(|c| c.0),
                lat_e6: coords.map(|c| c.1),
                field: key.to_string(),
                field_label: label.to_string(),
                formal_members: if !joint {
                    0
                } else if rng.unit() < 0.6 {
                    1
                } else {
                    2
                },
            }
        })
        .collect()
}

fn instructors(rng: &mut Rng, towns: &[Town], cumulative: &[f64], n: usize) -> Vec<PlanInstructor> {
    (0..n)
        .map(|i| {
            let t = &towns[pick(rng, cumulative)];
            let (lon, lat) = to_e6(t.x + rng.normal(), t.y + rng.normal());
            let county_level = rng.unit() < 0.5;
            PlanInstructor {
                id: i as i64 + 1,
                name: format!("指导员{}", i + 1),
                region_code: if county_level { t.county.clone() } else { t.code.clone() },
                lon_e6: Some(lon),
                lat_e6: Some(lat),
                capacity: 3 + rng.below(8) as u32,
            }
        })
        .collect()
}

fn by_id(list: &[PlanOrg], id: i64) -> Option<&PlanOrg> {
    list.binary_search_by_key(&id, |o| o.id).ok().map(|i| &list[i])
}

/// Every proposal passes the public checks and no organization is placed twice.
fn verify(p: &Plan, joint: &[PlanOrg], needs: &[PlanOrg], insts: &[PlanInstructor], params: &PlanParams) -> bool {
    let mut seen: Vec<i64> = Vec::new();
    for b in &p.joint_branches {
        let orgs: Vec<&PlanOrg> = b.orgs.iter().filter_map(|&id| by_id(joint, id)).collect();
        if orgs.len() != b.orgs.len() || check_joint_branch(&orgs, params).is_err() {
            return false;
        }
        seen.extend(&b.orgs);
    }
    for ip in &p.instructors {
        let Some(i) = insts.iter().find(|i| i.id == ip.instructor) else { return false };
        let orgs: Vec<&PlanOrg> = ip.orgs.iter().filter_map(|&id| by_id(needs, id)).collect();
        if orgs.len() != ip.orgs.len() || check_instructor(i, &orgs).is_err() {
            return false;
        }
        seen.extend(&ip.orgs);
    }
    let n = seen.len();
    seen.sort_unstable();
    seen.dedup();
    seen.len() == n
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 { "–".to_string() } else { format!("{:.1} %", a as f64 * 100.0 / b as f64) }
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

type Planner = fn(&[PlanOrg], &[PlanOrg], &[PlanInstructor], &PlanParams) -> Plan;

/// Best of three runs: (plan, milliseconds).
fn timed(f: Planner, joint: &[PlanOrg], needs: &[PlanOrg], insts: &[PlanInstructor], p: &PlanParams) -> (Plan, f64) {
    let mut best = f64::INFINITY;
    let mut out = Plan::default();
    for _ in 0..3 {
        let t = Instant::now();
        out = f(joint, needs, insts, p);
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    (out, best)
}

fn run(n: usize) {
    let mut rng = Rng(0x484F_4E47_4C49_4E47 ^ n as u64);
    let (towns, weights) = towns(&mut rng);
    let cumulative: Vec<f64> = weights
        .iter()
        .scan(0.0, |acc, w| {
            *acc += w;
            Some(*acc)
        })
        .collect();
    let joint = orgs(&mut rng, &towns, &cumulative, n, 1, true);
    let needs = orgs(&mut rng, &towns, &cumulative, n, 10_000_000, false);
    let insts = instructors(&mut rng, &towns, &cumulative, n / 10);
    let params = PlanParams::default();
    let (p, tp) = timed(plan, &joint, &needs, &insts, &params);
    let (b, tb) = timed(baseline, &joint, &needs, &insts, &params);
    let (mp, mb) = (metrics(&p, &joint, &needs), metrics(&b, &joint, &needs));
    let ok = verify(&p, &joint, &needs, &insts, &params) && verify(&b, &joint, &needs, &insts, &params);
    let capacity: u64 = insts.iter().map(|i| u64::from(i.capacity)).sum();
    println!(
        "### {} joint candidates, {} instructor candidates, {} instructors (capacity {})\n",
        thousands(n),
        thousands(n),
        thousands(insts.len()),
        thousands(capacity as usize)
    );
    println!("| | plan | baseline |\n|---|---:|---:|");
    let row = |label: &str, f: &dyn Fn(&PlanMetrics) -> String| println!("| {label} | {} | {} |", f(&mp), f(&mb));
    row("joint candidates covered", &|m| {
        format!("{} ({})", thousands(m.joint_covered), pct(m.joint_covered, m.joint_candidates))
    });
    row("joint branches", &|m| thousands(m.branches));
    row("mean max distance in a branch", &|m| format!("{:.2} km", m.mean_max_distance_m / 1e3));
    row("branches sharing one field", &|m| format!("{:.1} %", m.shared_field_share * 100.0));
    row("branches within one township", &|m| format!("{:.1} %", m.same_township_share * 100.0));
    row("mean formal members per branch", &|m| format!("{:.2}", m.mean_formal_per_branch));
    row("instructor candidates assigned", &|m| {
        format!("{} ({})", thousands(m.instructor_assigned), pct(m.instructor_assigned, m.instructor_candidates))
    });
    row("mean instructor distance", &|m| format!("{:.2} km", m.mean_instructor_distance_m / 1e3));
    println!("| wall time (best of 3) | {tp:.0} ms | {tb:.0} ms |");
    if std::env::var_os("PLANNER_SAMPLES").is_some() {
        let cross = p.joint_branches.iter().filter(|b| !b.same_township).take(2);
        for b in p.joint_branches.iter().take(2).chain(cross) {
            println!("- {:?}: {}", b.orgs, b.explanation);
        }
        for i in p.instructors.iter().take(2) {
            println!("- 指导员 {}: {}", i.instructor, i.explanation);
        }
        for (id, reason) in p.unplaced.iter().take(2).chain(p.unplaced.iter().rev().take(2)) {
            println!("- 未安排 {id}: {reason}");
        }
    }
    println!("\nAll proposals pass `check_joint_branch` / `check_instructor`, none overlap: {ok}\n");
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000, 10_000, 100_000] } else { sizes };
    for n in sizes {
        run(n);
    }
}
