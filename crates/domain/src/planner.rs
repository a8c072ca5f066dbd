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

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

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

// ---------------------------------------------------------------------------------------------
// Geometry

const EARTH_RADIUS_M: f64 = 6_371_000.0;
/// Metres per millionth of a degree of latitude (and of longitude at the equator).
const M_PER_E6: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0 / 1e6;

/// A point as a unit vector; [`distance_m`] goes through it, so the planner and the checks agree
/// to the metre. The great-circle distance is 2R·asin(chord/2), the same as the haversine
/// formula, without trigonometry per pair beyond one `asin`.
#[derive(Debug, Clone, Copy)]
struct Geo {
    lon_e6: i64,
    lat_e6: i64,
    x: f64,
    y: f64,
    z: f64,
}

impl Geo {
    fn new(lon_e6: i64, lat_e6: i64) -> Geo {
        let lat = (lat_e6 as f64 / 1e6).to_radians();
        let lon = (lon_e6 as f64 / 1e6).to_radians();
        let c = lat.cos();
        Geo { lon_e6, lat_e6, x: c * lon.cos(), y: c * lon.sin(), z: lat.sin() }
    }

    fn of(lon_e6: Option<i64>, lat_e6: Option<i64>) -> Option<Geo> {
        Some(Geo::new(lon_e6?, lat_e6?))
    }

    /// Squared chord between the two unit vectors: increases with the distance.
    fn chord2(&self, o: &Geo) -> f64 {
        let (dx, dy, dz) = (self.x - o.x, self.y - o.y, self.z - o.z);
        dx * dx + dy * dy + dz * dz
    }

    /// Great-circle distance, rounded to the metre.
    fn dist(&self, o: &Geo) -> u32 {
        metres(self.chord2(o))
    }

    /// Chord length in metres: within a millimetre of the distance below 50 km; for soft costs.
    fn approx(&self, o: &Geo) -> u64 {
        (EARTH_RADIUS_M * self.chord2(o).sqrt()) as u64
    }
}

/// Great-circle distance in metres of a squared chord of the unit sphere.
fn metres(chord2: f64) -> u32 {
    let d = 2.0 * EARTH_RADIUS_M * (chord2.sqrt() / 2.0).min(1.0).asin();
    if d >= f64::from(u32::MAX) { u32::MAX } else { d.round() as u32 }
}

/// Squared chord of the unit sphere for a great-circle distance in metres.
fn chord2_of(m: f64) -> f64 {
    let c = 2.0 * (m.max(0.0) / (2.0 * EARTH_RADIUS_M)).min(std::f64::consts::FRAC_PI_2).sin();
    c * c
}

/// Great-circle (haversine) distance in metres between two (lon, lat) points in millionths of a
/// degree, on a sphere of radius 6,371 km.
pub fn distance_m(a: (i64, i64), b: (i64, i64)) -> u32 {
    Geo::new(a.0, a.1).dist(&Geo::new(b.0, b.1))
}

/// "850 米", "1.2 公里", "5 公里".
fn fmt_dist(m: u32) -> String {
    if m < 1_000 {
        return format!("{m} 米");
    }
    let tenths = (u64::from(m) + 50) / 100;
    if tenths % 10 == 0 { format!("{} 公里", tenths / 10) } else { format!("{}.{} 公里", tenths / 10, tenths % 10) }
}

/// A distance beyond a limit: "7.3 公里，超过 5 公里", in metres when rounding would hide the excess.
fn fmt_excess(d: u32, limit: u32) -> String {
    let (a, b) = (fmt_dist(d), fmt_dist(limit));
    if a == b { format!("{d} 米，超过 {limit} 米") } else { format!("{a}，超过 {b}") }
}

/// Cosine of the largest latitude of all points (with a margin): the grid's longitude cells are
/// widened by it so neighbours never hide beyond the scanned rings.
fn cos_max_lat<'a>(points: impl Iterator<Item = (Option<i64>, Option<i64>)> + 'a) -> f64 {
    let max_abs = points.filter_map(|(lon, lat)| lon.and(lat)).map(i64::unsigned_abs).max().unwrap_or(0);
    let deg = (max_abs as f64 / 1e6 + 0.01).min(89.0);
    deg.to_radians().cos()
}

/// Cell side for a grid of `pts`: about `per_cell` points per cell, clamped.
fn cell_size_m(pts: &[Geo], per_cell: f64, lo_m: f64, hi_m: f64) -> f64 {
    let hi_m = hi_m.max(lo_m);
    if pts.is_empty() {
        return hi_m;
    }
    let (mut lat0, mut lat1, mut lon0, mut lon1) = (i64::MAX, i64::MIN, i64::MAX, i64::MIN);
    for g in pts {
        lat0 = lat0.min(g.lat_e6);
        lat1 = lat1.max(g.lat_e6);
        lon0 = lon0.min(g.lon_e6);
        lon1 = lon1.max(g.lon_e6);
    }
    let mid = ((lat0 as f64 + lat1 as f64) / 2e6).to_radians().cos().abs();
    let h = ((lat1 as f64 - lat0 as f64) * M_PER_E6).max(1.0);
    let w = ((lon1 as f64 - lon0 as f64) * M_PER_E6 * mid).max(1.0);
    (h * w * per_cell / pts.len() as f64).sqrt().clamp(lo_m, hi_m)
}

/// A bucket grid over points given by index, stored densely (cell offsets into one array of
/// indices, ascending within a cell); queries return neighbours in increasing distance order,
/// never looking at all pairs.
#[derive(Debug, Clone)]
struct Grid {
    cell_lat: i64,
    cell_lon: i64,
    /// Cell coordinates (lat row, lon column) of the first cell, and the number of rows/columns.
    lo: (i64, i64),
    rows: i64,
    cols: i64,
    /// `items[start[c]..start[c + 1]]` are the points of cell `c`, `xyz` their unit vectors.
    start: Vec<u32>,
    items: Vec<u32>,
    xyz: Vec<[f64; 3]>,
    /// Points still in the grid, by index.
    alive: Vec<bool>,
    cell_lat_rad: f64,
    cell_lon_rad: f64,
    cos_max: f64,
}

/// At most this many cells per point (plus a constant); coarser cells beyond.
const CELLS_PER_POINT: i64 = 4;

impl Grid {
    fn new(points: impl Iterator<Item = (usize, Geo)>, cell_m: f64, cos_max: f64) -> Grid {
        let cos_max = cos_max.clamp(0.01, 1.0);
        let points: Vec<(usize, Geo)> = points.collect();
        let (mut lat0, mut lat1, mut lon0, mut lon1) = (i64::MAX, i64::MIN, i64::MAX, i64::MIN);
        for (_, p) in &points {
            lat0 = lat0.min(p.lat_e6);
            lat1 = lat1.max(p.lat_e6);
            lon0 = lon0.min(p.lon_e6);
            lon1 = lon1.max(p.lon_e6);
        }
        let mut cell_lat = ((cell_m / M_PER_E6).ceil() as i64).max(1);
        let max_cells = CELLS_PER_POINT * points.len() as i64 + 4_096;
        let (mut lo, mut rows, mut cols, mut cell_lon);
        loop {
            cell_lon = ((cell_lat as f64 / cos_max).ceil() as i64).max(1);
            (lo, rows, cols) = if points.is_empty() {
                ((0, 0), 0, 0)
            } else {
                let lo = (lat0.div_euclid(cell_lat), lon0.div_euclid(cell_lon));
                let rows = lat1.div_euclid(cell_lat).saturating_sub(lo.0).saturating_add(1);
                (lo, rows, lon1.div_euclid(cell_lon).saturating_sub(lo.1).saturating_add(1))
            };
            if rows.saturating_mul(cols) <= max_cells {
                break;
            }
            cell_lat = cell_lat.saturating_mul(2);
        }
        let mut g = Grid {
            cell_lat,
            cell_lon,
            lo,
            rows,
            cols,
            start: Vec::new(),
            items: Vec::new(),
            xyz: Vec::new(),
            alive: Vec::new(),
            cell_lat_rad: (cell_lat as f64 / 1e6).to_radians(),
            cell_lon_rad: (cell_lon as f64 / 1e6).to_radians(),
            cos_max,
        };
        let mut keyed: Vec<(usize, u32, [f64; 3])> =
            points.iter().filter_map(|(i, p)| Some((g.slot(g.key(p))?, *i as u32, [p.x, p.y, p.z]))).collect();
        keyed.sort_unstable_by_key(|k| (k.0, k.1));
        let n_cells = (rows * cols) as usize;
        let mut start = vec![0u32; n_cells + 1];
        for &(c, _, _) in &keyed {
            start[c + 1] += 1;
        }
        for c in 0..n_cells {
            start[c + 1] += start[c];
        }
        g.alive = vec![false; points.iter().map(|(i, _)| i + 1).max().unwrap_or(0)];
        for &(_, i, _) in &keyed {
            g.alive[i as usize] = true;
        }
        g.xyz = keyed.iter().map(|k| k.2).collect();
        g.items = keyed.into_iter().map(|(_, i, _)| i).collect();
        g.start = start;
        g
    }

    fn key(&self, p: &Geo) -> (i64, i64) {
        (p.lat_e6.div_euclid(self.cell_lat), p.lon_e6.div_euclid(self.cell_lon))
    }

    fn slot(&self, k: (i64, i64)) -> Option<usize> {
        let (r, c) = (k.0.saturating_sub(self.lo.0), k.1.saturating_sub(self.lo.1));
        (r >= 0 && r < self.rows && c >= 0 && c < self.cols).then(|| (r * self.cols + c) as usize)
    }

    fn remove(&mut self, i: usize) {
        if let Some(a) = self.alive.get_mut(i) {
            *a = false;
        }
    }

    /// Lower bound (minus a metre of slack) of the distance from a query point to any point
    /// outside the rings `0..=r` around the query's cell.
    fn bound(&self, r: i64) -> f64 {
        if r <= 0 {
            return 0.0;
        }
        let r = r as f64;
        let lat_b = EARTH_RADIUS_M * r * self.cell_lat_rad;
        let half = (r * self.cell_lon_rad / 2.0).min(std::f64::consts::FRAC_PI_2);
        let lon_b = 2.0 * EARTH_RADIUS_M * (self.cos_max * half.sin()).min(1.0).asin();
        lat_b.min(lon_b) * (1.0 - 1e-9) - 1.0
    }

    fn hi(&self) -> (i64, i64) {
        (self.lo.0 + self.rows - 1, self.lo.1 + self.cols - 1)
    }

    /// Largest ring around cell `c` that still meets the grid.
    fn max_ring(&self, c: (i64, i64)) -> i64 {
        if self.rows == 0 {
            return -1;
        }
        let hi = self.hi();
        c.0.saturating_sub(self.lo.0)
            .max(hi.0.saturating_sub(c.0))
            .max(c.1.saturating_sub(self.lo.1))
            .max(hi.1.saturating_sub(c.1))
    }

    /// Smallest ring around cell `c` that meets the grid.
    fn min_ring(&self, c: (i64, i64)) -> i64 {
        let hi = self.hi();
        [
            self.lo.0.saturating_sub(c.0),
            c.0.saturating_sub(hi.0),
            self.lo.1.saturating_sub(c.1),
            c.1.saturating_sub(hi.1),
            0,
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    }

    /// Visits the live points (index, unit vector) of the cells at Chebyshev distance exactly `r`
    /// from cell `c`.
    fn ring(&self, c: (i64, i64), r: i64, mut f: impl FnMut(u32, &[f64; 3])) {
        let (hi0, hi1) = self.hi();
        // A run of cells of one row, columns j0..=j1.
        let mut run = |i: i64, j0: i64, j1: i64| {
            let (j0, j1) = (j0.max(self.lo.1), j1.min(hi1));
            if i < self.lo.0 || i > hi0 || j0 > j1 {
                return;
            }
            let row = ((i - self.lo.0) * self.cols) as usize;
            let (a, b) = (row + (j0 - self.lo.1) as usize, row + (j1 - self.lo.1) as usize + 1);
            let (a, b) = (self.start[a] as usize, self.start[b] as usize);
            for (&x, p) in self.items[a..b].iter().zip(&self.xyz[a..b]) {
                if self.alive[x as usize] {
                    f(x, p);
                }
            }
        };
        if r == 0 {
            run(c.0, c.1, c.1);
            return;
        }
        let (j0, j1) = (c.1.saturating_sub(r), c.1.saturating_add(r));
        run(c.0.saturating_sub(r), j0, j1);
        run(c.0.saturating_add(r), j0, j1);
        for i in c.0.saturating_sub(r - 1).max(self.lo.0)..=c.0.saturating_add(r - 1).min(hi0) {
            run(i, j0, j0);
            run(i, j1, j1);
        }
    }

    fn near(&self, q: Geo, max_m: u32) -> Near {
        let max_c2 = chord2_of(f64::from(max_m) + 1.0);
        let c = self.key(&q);
        // Rings before the first that meets the grid are empty.
        let ring = self.min_ring(c);
        Near { q, c, ring, heap: BinaryHeap::new(), max_m, max_c2, emit_c2: 0.0, done: self.max_ring(c) < 0 }
    }
}

/// Incremental nearest-neighbour search: yields (distance, index) in increasing order of exact
/// distance (ties by index) up to `max_m`. Holds no borrow of the grid, so the caller may change
/// other state between steps.
struct Near {
    q: Geo,
    c: (i64, i64),
    ring: i64,
    /// (squared chord as ordered bits, index).
    heap: BinaryHeap<Reverse<(u64, u32)>>,
    max_m: u32,
    max_c2: f64,
    /// Squared chord below which a point is nearer than anything not scanned yet.
    emit_c2: f64,
    done: bool,
}

impl Near {
    fn next(&mut self, g: &Grid) -> Option<(u32, usize)> {
        loop {
            if let Some(&Reverse((c2, i))) = self.heap.peek() {
                let c2 = f64::from_bits(c2);
                if self.done || c2 < self.emit_c2 {
                    self.heap.pop();
                    let d = metres(c2);
                    if d <= self.max_m {
                        return Some((d, i as usize));
                    }
                    continue;
                }
            } else if self.done {
                return None;
            }
            let (q, max_c2, heap) = (self.q, self.max_c2, &mut self.heap);
            g.ring(self.c, self.ring, |i, p| {
                let (dx, dy, dz) = (q.x - p[0], q.y - p[1], q.z - p[2]);
                let c2 = dx * dx + dy * dy + dz * dz;
                if c2 <= max_c2 {
                    heap.push(Reverse((c2.to_bits(), i)));
                }
            });
            // Everything not scanned yet is farther than the bound of the rings scanned.
            let bound = g.bound(self.ring);
            self.emit_c2 = chord2_of(bound);
            self.ring = self.ring.saturating_add(1);
            self.done = self.ring > g.max_ring(self.c) || bound > f64::from(self.max_m);
        }
    }
}

/// Items sorted by id (stable) with repeated ids split off.
fn sorted_unique<T>(items: &[T], id: impl Fn(&T) -> i64) -> (Vec<&T>, Vec<i64>) {
    let mut v: Vec<&T> = items.iter().collect();
    v.sort_by_key(|x| id(x));
    let mut out: Vec<&T> = Vec::with_capacity(v.len());
    let mut dups = Vec::new();
    for x in v {
        if out.last().is_some_and(|l| id(l) == id(x)) {
            dups.push(id(x));
        } else {
            out.push(x);
        }
    }
    (out, dups)
}

// ---------------------------------------------------------------------------------------------
// Joint branches

const NONE: usize = usize::MAX;
/// Soft-cost weights, in thousandths of the township's typical spacing between neighbouring
/// candidates (so a field or a surplus member is worth the same number of "neighbour steps" in a
/// dense city district as in a sparse rural township): a group that stops sharing one field,
/// each formal member beyond the minimum, a candidate too small to finish the group, a pair
/// without known distance, a leftover of a township with a branch, a member taken from a branch,
/// each township beyond the first.
const FIELD_W: u64 = 500;
const OVER_W: u64 = 1_500;
const UNDER_W: u64 = 600;
const NOCOORD_W: u64 = 3_000;
const SPARE_W: u64 = 300;
const STEAL_W: u64 = 1_200;
const TOWN_W: u64 = 2_000;
/// Bounds of the typical spacing, metres.
const UNIT_MIN: f64 = 100.0;
const UNIT_MAX: f64 = 2_000.0;
/// Townships with more unassigned candidates than this are searched through the grid.
const BRUTE_MAX: usize = 64;
/// Candidates taken from the grid per growth step.
const NEAR_CANDS: usize = 24;
/// Grid points looked at per growth step before giving up on the grid.
const NEAR_SCAN: usize = 4_000;
/// Local search: rounds, and neighbours in other branches looked at per organization.
const POLISH_ROUNDS: usize = 3;
const POLISH_NEIGHBOURS: usize = 8;
/// Nearest branches tried for a swap.
const SWAP_BRANCHES: usize = 8;

struct Joint<'a> {
    p: PlanParams,
    orgs: Vec<&'a PlanOrg>,
    dups: Vec<i64>,
    geo: Vec<Option<Geo>>,
    town: Vec<usize>,
    field: Vec<usize>,
    m: Vec<u64>,
    /// Members of each township, ascending.
    towns: Vec<Vec<usize>>,
    /// Typical spacing between neighbouring candidates of each township, metres.
    unit: Vec<u64>,
    grid: Grid,
}

#[derive(Debug, Clone)]
struct Branch {
    members: Vec<usize>,
    sum: u64,
}

#[derive(Debug, Clone)]
struct JState {
    /// Branch of each organization, or NONE.
    of: Vec<usize>,
    branches: Vec<Branch>,
    /// Townships with a member in some branch (only used to rank candidates).
    has: Vec<bool>,
}

impl JState {
    fn new(n: usize, towns: usize) -> JState {
        JState { of: vec![NONE; n], branches: Vec::new(), has: vec![false; towns] }
    }

    fn commit(&mut self, j: &Joint, members: Vec<usize>) {
        let b = self.branches.len();
        for &x in &members {
            self.of[x] = b;
            self.has[j.town[x]] = true;
        }
        let sum = members.iter().map(|&x| j.m[x]).sum();
        self.branches.push(Branch { members, sum });
    }

    fn add(&mut self, j: &Joint, b: usize, x: usize) {
        self.of[x] = b;
        self.has[j.town[x]] = true;
        self.branches[b].members.push(x);
        self.branches[b].sum += j.m[x];
    }

    fn take(&mut self, j: &Joint, b: usize, x: usize) {
        self.of[x] = NONE;
        self.branches[b].members.retain(|&y| y != x);
        self.branches[b].sum -= j.m[x];
    }

    fn covered(&self) -> usize {
        self.branches.iter().map(|b| b.members.len()).sum()
    }
}

fn intern<'a>(keys: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, usize> {
    let mut map: BTreeMap<&str, usize> = keys.map(|k| (k, 0)).collect();
    for (i, v) in map.values_mut().enumerate() {
        *v = i;
    }
    map
}

/// Typical spacing between neighbouring points: the square root of the area per point, the area
/// taken as 3π·σx·σy (σ the standard deviations east and north).
fn spacing(pts: impl Iterator<Item = Geo>) -> u64 {
    let (mut n, mut sx, mut sy, mut sxx, mut syy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for p in pts {
        let (x, y) =
            (p.lon_e6 as f64 * M_PER_E6 * (p.lat_e6 as f64 / 1e6).to_radians().cos(), p.lat_e6 as f64 * M_PER_E6);
        n += 1.0;
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
    }
    if n < 2.0 {
        return 1_000;
    }
    let vx = (sxx / n - (sx / n).powi(2)).max(0.0);
    let vy = (syy / n - (sy / n).powi(2)).max(0.0);
    let area = 3.0 * std::f64::consts::PI * vx.sqrt() * vy.sqrt();
    (area / n).sqrt().clamp(UNIT_MIN, UNIT_MAX) as u64
}

impl<'a> Joint<'a> {
    fn new(joint: &'a [PlanOrg], p: &PlanParams, cos_max: f64) -> Joint<'a> {
        let (orgs, dups) = sorted_unique(joint, |o| o.id);
        let towns_map = intern(orgs.iter().map(|o| o.township.as_str()));
        let fields_map = intern(orgs.iter().map(|o| o.field.as_str()));
        let town: Vec<usize> = orgs.iter().map(|o| towns_map.get(o.township.as_str()).copied().unwrap_or(0)).collect();
        let field = orgs.iter().map(|o| fields_map.get(o.field.as_str()).copied().unwrap_or(0)).collect();
        let mut towns = vec![Vec::new(); towns_map.len()];
        for (i, &t) in town.iter().enumerate() {
            towns[t].push(i);
        }
        let geo: Vec<Option<Geo>> = orgs.iter().map(|o| Geo::of(o.lon_e6, o.lat_e6)).collect();
        let pts: Vec<Geo> = geo.iter().flatten().copied().collect();
        let cell = cell_size_m(&pts, 0.25, 100.0, f64::from(p.max_distance_m));
        let grid = Grid::new(geo.iter().enumerate().filter_map(|(i, g)| Some((i, (*g)?))), cell, cos_max);
        let m = orgs.iter().map(|o| u64::from(o.formal_members)).collect();
        let unit = towns.iter().map(|mem| spacing(mem.iter().filter_map(|&x| geo[x]))).collect();
        Joint { p: *p, orgs, dups, geo, town, field, m, towns, unit, grid }
    }

    fn min(&self) -> u64 {
        u64::from(self.p.min_formal_members)
    }

    /// A soft-cost weight in metres for township `t`.
    fn pen(&self, w: u64, t: usize) -> u64 {
        w * self.unit[t] / 1_000
    }

    fn max_orgs(&self) -> usize {
        self.p.max_orgs_per_branch as usize
    }

    fn dist(&self, a: usize, b: usize) -> Option<u32> {
        Some(self.geo[a]?.dist(&self.geo[b]?))
    }

    /// Distance for soft costs (chord length; unknown: a fixed cost).
    fn fast(&self, a: usize, b: usize) -> u64 {
        match (self.geo[a], self.geo[b]) {
            (Some(x), Some(y)) => x.approx(&y),
            _ => self.pen(NOCOORD_W, self.town[a]),
        }
    }

    fn compat(&self, a: usize, b: usize) -> bool {
        self.town[a] == self.town[b] || self.dist(a, b).is_some_and(|d| d <= self.p.max_distance_m)
    }

    /// Largest distance from `c` to a member (or `None` if incompatible with one).
    fn spread(&self, group: &[usize], c: usize) -> Option<u64> {
        let mut spread = 0;
        for &g in group {
            let same = self.town[g] == self.town[c];
            let d = match (self.geo[g], self.geo[c]) {
                (Some(a), Some(b)) if same || a.dist(&b) <= self.p.max_distance_m => a.approx(&b),
                (None, _) | (_, None) if same => self.pen(NOCOORD_W, self.town[c]),
                _ => return None,
            };
            spread = spread.max(d);
        }
        Some(spread)
    }

    /// Penalty for `c` breaking a group's shared field.
    fn field_pen(&self, group: &[usize], c: usize) -> u64 {
        match group.first() {
            Some(&f) if group.iter().all(|&g| self.field[g] == self.field[f]) && self.field[c] != self.field[f] => {
                self.pen(FIELD_W, self.town[f])
            }
            _ => 0,
        }
    }

    /// Cost of adding `c` to a group that still needs `need` formal members.
    fn score(&self, group: &[usize], need: u64, c: usize, extra: u64) -> Option<u64> {
        let mc = self.m[c];
        if mc == 0 && need > 0 {
            return None;
        }
        let t = group.first().map_or(self.town[c], |&g| self.town[g]);
        let fit = if mc >= need { (mc - need).saturating_mul(self.pen(OVER_W, t)) } else { self.pen(UNDER_W, t) };
        Some(self.spread(group, c)? + self.field_pen(group, c) + fit + extra)
    }

    /// Grows a group from `seed` with `pick(group, need)` until it is valid.
    fn grow(&self, seed: usize, mut pick: impl FnMut(&[usize], u64) -> Option<usize>) -> Option<Vec<usize>> {
        let mut g = vec![seed];
        let mut sum = self.m[seed];
        while (sum < self.min() || g.len() < 2) && g.len() < self.max_orgs() {
            let c = pick(&g, self.min().saturating_sub(sum))?;
            g.push(c);
            sum += self.m[c];
        }
        (sum >= self.min() && g.len() >= 2).then_some(g)
    }

    fn best(&self, group: &[usize], need: u64, cands: impl Iterator<Item = (usize, u64)>) -> Option<usize> {
        cands
            .filter(|(c, _)| !group.contains(c))
            .filter_map(|(c, extra)| Some((self.score(group, need, c, extra)?, c)))
            .min()
            .map(|(_, c)| c)
    }

    /// Seeds of a township from the outside in: farthest from the centroid first, then the
    /// members without coordinates.
    fn seed_order(&self, mem: &[usize]) -> Vec<usize> {
        let with: Vec<usize> = mem.iter().copied().filter(|&x| self.geo[x].is_some()).collect();
        let mut out = Vec::with_capacity(mem.len());
        if !with.is_empty() {
            let n = with.len() as i128;
            let (mut lon, mut lat) = (0i128, 0i128);
            for g in with.iter().filter_map(|&x| self.geo[x]) {
                lon += i128::from(g.lon_e6);
                lat += i128::from(g.lat_e6);
            }
            let c = Geo::new((lon / n) as i64, (lat / n) as i64);
            let mut keyed: Vec<(bool, Reverse<u32>, usize)> =
                with.iter().filter_map(|&x| Some((self.m[x] == 0, Reverse(self.geo[x]?.dist(&c)), x))).collect();
            keyed.sort_unstable();
            out.extend(keyed.into_iter().map(|(_, _, x)| x));
        }
        let mut rest: Vec<(bool, usize)> =
            mem.iter().copied().filter(|&x| self.geo[x].is_none()).map(|x| (self.m[x] == 0, x)).collect();
        rest.sort_unstable();
        out.extend(rest.into_iter().map(|(_, x)| x));
        out
    }

    /// Phase 1: branches inside each township.
    fn phase_towns(&self, st: &mut JState) {
        let min = self.min();
        // Placed organizations leave this copy of the grid, so searches skip them.
        let mut grid = self.grid.clone();
        for members in &self.towns {
            let mem = members;
            let total: u64 = mem.iter().map(|&x| self.m[x]).sum();
            if mem.len() < 2 || total < min {
                continue;
            }
            let nogeo: Vec<usize> = mem.iter().copied().filter(|&x| self.geo[x].is_none()).collect();
            let (mut rem_sum, mut rem_cnt) = (total, mem.len());
            for seed in self.seed_order(mem) {
                if st.of[seed] != NONE {
                    continue;
                }
                if rem_sum < min || rem_cnt < 2 {
                    break;
                }
                // Large townships: the seed's nearest free members, found once per seed.
                let near_cands: Option<Vec<usize>> = match self.geo[seed] {
                    Some(q) if rem_cnt > BRUTE_MAX => {
                        let mut cands = Vec::new();
                        let mut near = grid.near(q, u32::MAX);
                        let mut scanned = 0;
                        while let Some((_, c)) = near.next(&grid) {
                            scanned += 1;
                            if c != seed && self.town[c] == self.town[seed] && st.of[c] == NONE {
                                cands.push(c);
                            }
                            if cands.len() >= NEAR_CANDS || scanned >= NEAR_SCAN {
                                break;
                            }
                        }
                        cands.extend(nogeo.iter().copied().filter(|&c| st.of[c] == NONE).take(NEAR_CANDS));
                        Some(cands)
                    }
                    _ => None,
                };
                let state: &JState = st;
                let group = self.grow(seed, |g, need| {
                    let free = |c: &usize| state.of[*c] == NONE && !g.contains(c);
                    near_cands
                        .as_ref()
                        .and_then(|cands| self.best(g, need, cands.iter().copied().filter(free).map(|c| (c, 0))))
                        .or_else(|| self.best(g, need, mem.iter().copied().filter(free).map(|c| (c, 0))))
                });
                if let Some(g) = group {
                    rem_sum -= g.iter().map(|&x| self.m[x]).sum::<u64>();
                    rem_cnt -= g.len();
                    g.iter().for_each(|&x| grid.remove(x));
                    st.commit(self, g);
                }
            }
        }
    }

    /// Candidates near `x`: within the distance (nearest first), then members of its township
    /// without coordinates (or all of them if `x` has none).
    fn neighbours(&self, x: usize, limit: usize) -> Vec<usize> {
        let mut out = Vec::new();
        if let Some(q) = self.geo[x] {
            let mut near = self.grid.near(q, self.p.max_distance_m);
            while out.len() < limit
                && let Some((_, c)) = near.next(&self.grid)
            {
                if c != x {
                    out.push(c);
                }
            }
        }
        let have = self.geo[x].is_some();
        out.extend(
            self.towns[self.town[x]]
                .iter()
                .copied()
                .filter(|&c| c != x && !(have && self.geo[c].is_some()))
                .take(limit),
        );
        out
    }

    /// Grows a new branch from the unplaced `seed` with unplaced neighbours and members that a
    /// nearby branch can spare; undoes everything if the group cannot be completed.
    fn try_grow(&self, st: &mut JState, seed: usize) -> bool {
        let min = self.min();
        let cands = self.neighbours(seed, 2 * NEAR_CANDS);
        let mut g = vec![seed];
        let mut sum = self.m[seed];
        let mut stolen: Vec<(usize, usize)> = Vec::new();
        while (sum < min || g.len() < 2) && g.len() < self.max_orgs() {
            let need = min.saturating_sub(sum);
            let options = cands.iter().filter_map(|&c| {
                let b = st.of[c];
                if b == NONE {
                    Some((c, if st.has[self.town[c]] { self.pen(SPARE_W, self.town[seed]) } else { 0 }))
                } else {
                    let br = &st.branches[b];
                    (br.members.len() > 2 && br.sum - self.m[c] >= min)
                        .then_some((c, self.pen(STEAL_W, self.town[seed])))
                }
            });
            let Some(c) = self.best(&g, need, options) else { break };
            let b = st.of[c];
            if b != NONE {
                st.take(self, b, c);
                stolen.push((c, b));
            }
            g.push(c);
            sum += self.m[c];
        }
        if sum >= min && g.len() >= 2 {
            st.commit(self, g);
            return true;
        }
        for (c, b) in stolen.into_iter().rev() {
            st.add(self, b, c);
        }
        false
    }

    /// Branches `x` could join or swap into: those of its township's members and of its
    /// neighbours, nearest first.
    fn branches_near(&self, st: &JState, x: usize, limit: usize) -> Vec<usize> {
        let mut bs: Vec<usize> = Vec::new();
        let mut push = |b: usize| {
            if b != NONE && !bs.contains(&b) {
                bs.push(b);
            }
        };
        if let Some(q) = self.geo[x] {
            let mut near = self.grid.near(q, self.p.max_distance_m);
            while let Some((_, y)) = near.next(&self.grid) {
                push(st.of[y]);
            }
        }
        let mut town: Vec<(u64, usize)> =
            self.towns[self.town[x]].iter().filter(|&&y| st.of[y] != NONE).map(|&y| (self.fast(x, y), y)).collect();
        town.sort_unstable();
        for (_, y) in town {
            push(st.of[y]);
        }
        bs.truncate(limit);
        bs
    }

    /// Joins `x` to the branch with room that keeps the spread smallest.
    fn try_attach(&self, st: &mut JState, x: usize) -> bool {
        let best = self
            .branches_near(st, x, usize::MAX)
            .into_iter()
            .filter(|&b| st.branches[b].members.len() < self.max_orgs())
            .filter_map(|b| {
                let mem = &st.branches[b].members;
                Some((self.spread(mem, x)? + self.field_pen(mem, x), b))
            })
            .min();
        if let Some((_, b)) = best {
            st.add(self, b, x);
        }
        best.is_some()
    }

    /// `x` takes the place of a member `c` of a nearby branch if `c` then finds a place itself.
    fn try_swap(&self, st: &mut JState, x: usize) -> bool {
        let min = self.min();
        for b in self.branches_near(st, x, SWAP_BRANCHES) {
            let mut members = st.branches[b].members.clone();
            members.sort_unstable();
            for c in members {
                let rest: Vec<usize> = st.branches[b].members.iter().copied().filter(|&y| y != c).collect();
                if st.branches[b].sum - self.m[c] + self.m[x] < min || self.spread(&rest, x).is_none() {
                    continue;
                }
                st.take(self, b, c);
                st.add(self, b, x);
                if self.try_attach(st, c) || self.try_grow(st, c) {
                    return true;
                }
                st.take(self, b, x);
                st.add(self, b, c);
            }
        }
        false
    }

    /// Phase 2: organizations of townships without a branch seed groups across townships.
    fn phase_cross(&self, st: &mut JState) {
        for seed in 0..self.orgs.len() {
            if st.of[seed] == NONE && !st.has[self.town[seed]] && self.geo[seed].is_some() {
                self.try_grow(st, seed);
            }
        }
    }

    /// Phase 3: remaining organizations join a branch (those of townships without a branch
    /// first), else start one with spare members of nearby branches, else take the place of a
    /// member that can move elsewhere.
    fn phase_attach(&self, st: &mut JState) {
        let (orphans, others): (Vec<usize>, Vec<usize>) =
            (0..self.orgs.len()).filter(|&x| st.of[x] == NONE).partition(|&x| !st.has[self.town[x]]);
        let mut left = Vec::new();
        for x in orphans.into_iter().chain(others) {
            if !self.try_attach(st, x) {
                left.push(x);
            }
        }
        left.sort_unstable();
        for x in left {
            if st.of[x] == NONE && !self.try_grow(st, x) {
                self.try_swap(st, x);
            }
        }
    }

    /// Soft cost of a branch: its diameter, a field penalty unless all share one field, and a
    /// penalty per township beyond the first.
    fn branch_cost(&self, mem: &[usize]) -> u64 {
        let mut diameter = 0;
        let mut towns: u64 = 0;
        let mut t0 = usize::MAX;
        for (i, &a) in mem.iter().enumerate() {
            for &b in &mem[i + 1..] {
                diameter = diameter.max(self.fast(a, b));
            }
            if mem[..i].iter().all(|&b| self.town[b] != self.town[a]) {
                towns += 1;
            }
            t0 = t0.min(self.town[a]);
        }
        let Some(&f) = mem.first() else { return 0 };
        let mixed = mem.iter().any(|&g| self.field[g] != self.field[f]);
        diameter + if mixed { self.pen(FIELD_W, t0) } else { 0 } + towns.saturating_sub(1) * self.pen(TOWN_W, t0)
    }

    /// Whether `mem` (a branch with `changed` new in it, or one member fewer if `changed` is
    /// NONE) is a valid branch.
    fn valid_with(&self, mem: &[usize], changed: usize) -> bool {
        let sum: u64 = mem.iter().map(|&x| self.m[x]).sum();
        (2..=self.max_orgs()).contains(&mem.len())
            && sum >= self.min()
            && (changed == NONE || mem.iter().all(|&y| y == changed || self.compat(y, changed)))
    }

    /// Local search: moves a member to a neighbouring branch, or swaps two members of
    /// neighbouring branches, while that lowers the summed branch cost. Neighbours are each
    /// organization's nearest organizations within the distance, found once.
    fn phase_polish(&self, st: &mut JState) {
        let n = self.orgs.len();
        let mut nn: Vec<u32> = Vec::with_capacity(n * POLISH_NEIGHBOURS);
        let mut nn_start: Vec<usize> = Vec::with_capacity(n + 1);
        for x in 0..n {
            nn_start.push(nn.len());
            let (true, Some(q)) = (st.of[x] != NONE, self.geo[x]) else { continue };
            let mut near = self.grid.near(q, self.p.max_distance_m);
            let mut k = 0;
            while k < POLISH_NEIGHBOURS
                && let Some((_, y)) = near.next(&self.grid)
            {
                if y != x {
                    nn.push(y as u32);
                    k += 1;
                }
            }
        }
        nn_start.push(nn.len());
        let mut cost: Vec<u64> = st.branches.iter().map(|b| self.branch_cost(&b.members)).collect();
        // Branches changed in the previous round (all at first): only organizations in or next
        // to them are looked at again.
        let mut dirty = vec![true; st.branches.len()];
        let (mut n1, mut n2) = (Vec::new(), Vec::new());
        let (min, max) = (self.min(), self.max_orgs());
        for _ in 0..POLISH_ROUNDS {
            let mut changed = vec![false; st.branches.len()];
            let mut improved = false;
            for x in 0..n {
                let b1 = st.of[x];
                if b1 == NONE {
                    continue;
                }
                let near = &nn[nn_start[x]..nn_start[x + 1]];
                if !dirty[b1]
                    && !changed[b1]
                    && near.iter().all(|&y| st.of[y as usize] == NONE || !dirty[st.of[y as usize]])
                {
                    continue;
                }
                // (gain, b2, y or NONE for a move)
                let mut best: Option<(u64, usize, usize)> = None;
                let (s1, l1) = (st.branches[b1].sum, st.branches[b1].members.len());
                for &y in near {
                    let y = y as usize;
                    let b2 = st.of[y];
                    if b2 == NONE || b2 == b1 {
                        continue;
                    }
                    let (s2, l2) = (st.branches[b2].sum, st.branches[b2].members.len());
                    let can_move = l1 > 2 && s1 - self.m[x] >= min && l2 < max;
                    let can_swap = s1 - self.m[x] + self.m[y] >= min && s2 - self.m[y] + self.m[x] >= min;
                    let before = cost[b1] + cost[b2];
                    let (m1, m2) = (&st.branches[b1].members, &st.branches[b2].members);
                    for (swap, ok) in [(false, can_move), (true, can_swap)] {
                        if !ok {
                            continue;
                        }
                        n1.clear();
                        n1.extend(m1.iter().copied().filter(|&z| z != x));
                        n2.clear();
                        n2.extend(m2.iter().copied().filter(|&z| !swap || z != y));
                        n2.push(x);
                        if swap {
                            n1.push(y);
                        }
                        if !self.valid_with(&n1, if swap { y } else { NONE }) || !self.valid_with(&n2, x) {
                            continue;
                        }
                        let after = self.branch_cost(&n1) + self.branch_cost(&n2);
                        if after < before && best.is_none_or(|b| before - after > b.0) {
                            best = Some((before - after, b2, if swap { y } else { NONE }));
                        }
                    }
                }
                let Some((_, b2, y)) = best else { continue };
                st.take(self, b1, x);
                if y != NONE {
                    st.take(self, b2, y);
                    st.add(self, b1, y);
                }
                st.add(self, b2, x);
                cost[b1] = self.branch_cost(&st.branches[b1].members);
                cost[b2] = self.branch_cost(&st.branches[b2].members);
                changed[b1] = true;
                changed[b2] = true;
                improved = true;
            }
            if !improved {
                break;
            }
            dirty = changed;
        }
    }

    fn plan_state(&self) -> JState {
        let mut st = JState::new(self.orgs.len(), self.towns.len());
        self.phase_towns(&mut st);
        self.phase_cross(&mut st);
        self.phase_attach(&mut st);
        if st.covered() < self.orgs.len() {
            let mut base = self.baseline_state();
            if base.covered() > st.covered() {
                self.phase_attach(&mut base);
                st = base;
            }
        }
        self.phase_polish(&mut st);
        st
    }

    /// The documented greedy: organizations in id order seed a group and take the nearest
    /// compatible organizations (same township or within the distance; unknown distances last,
    /// by id) until the formal members reach the minimum.
    fn baseline_state(&self) -> JState {
        let mut st = JState::new(self.orgs.len(), self.towns.len());
        let mut grid = self.grid.clone();
        let (min, max_d) = (self.min(), self.p.max_distance_m);
        for seed in 0..self.orgs.len() {
            if st.of[seed] != NONE {
                continue;
            }
            let mut g = vec![seed];
            let mut sum = self.m[seed];
            let done = |g: &[usize], sum: u64| (sum >= min && g.len() >= 2) || g.len() >= self.max_orgs();
            let usable = |c: usize, g: &[usize]| {
                st.of[c] == NONE && self.m[c] > 0 && !g.contains(&c) && g.iter().all(|&y| self.compat(y, c))
            };
            if let Some(q) = self.geo[seed] {
                let mut near = grid.near(q, max_d);
                while !done(&g, sum) {
                    let Some((_, c)) = near.next(&grid) else { break };
                    if usable(c, &g) {
                        g.push(c);
                        sum += self.m[c];
                    }
                }
            }
            if !done(&g, sum) {
                let mut rest: Vec<(u32, usize)> = self.towns[self.town[seed]]
                    .iter()
                    .map(|&c| (self.dist(seed, c).unwrap_or(u32::MAX), c))
                    .filter(|&(d, _)| d > max_d)
                    .collect();
                rest.sort_unstable();
                for (_, c) in rest {
                    if done(&g, sum) {
                        break;
                    }
                    if usable(c, &g) {
                        g.push(c);
                        sum += self.m[c];
                    }
                }
            }
            if sum >= min && g.len() >= 2 {
                for &x in &g {
                    grid.remove(x);
                }
                st.commit(self, g);
            }
        }
        st
    }

    /// Why `x` is in no branch.
    fn reason(&self, st: &JState, x: usize) -> String {
        let o = self.orgs[x];
        if self.p.max_orgs_per_branch < 2 {
            return format!("联合党支部最多覆盖组织数设为 {}，无法联合组建", self.p.max_orgs_per_branch);
        }
        let mut near: Vec<usize> = self.towns[self.town[x]].clone();
        if let Some(q) = self.geo[x] {
            let mut it = self.grid.near(q, self.p.max_distance_m);
            while let Some((_, y)) = it.next(&self.grid) {
                near.push(y);
            }
        }
        near.sort_unstable();
        near.dedup();
        let sum: u64 = near.iter().map(|&y| self.m[y]).sum();
        let (min, d) = (self.min(), fmt_dist(self.p.max_distance_m));
        let area = if self.geo[x].is_some() {
            format!("{}及周边 {d}内", o.township_name)
        } else {
            format!("无坐标，只能与同一乡镇（街道）的组织联合，而{}", o.township_name)
        };
        if near.len() < 2 {
            format!("{area}没有其他联合组建候选组织")
        } else if sum < min {
            format!("{area}的候选组织正式党员合计 {sum} 名，不足 {min} 名")
        } else {
            let free = near.iter().filter(|&&y| st.of[y] == NONE).count();
            format!(
                "{area}可联合的组织已编入其他联合党支部（已满员或相距过远），其余 {free} 个组织无法组成正式党员合计 {min} 名以上的联合党支部"
            )
        }
    }

    fn proposals(&self, st: &JState) -> (Vec<JointBranchProposal>, Vec<(i64, String)>) {
        let mut props: Vec<JointBranchProposal> = st
            .branches
            .iter()
            .filter(|b| !b.members.is_empty())
            .map(|b| {
                let mut ms = b.members.clone();
                ms.sort_unstable();
                describe_joint_branch(&ms.iter().map(|&x| self.orgs[x]).collect::<Vec<_>>())
            })
            .collect();
        props.sort_by(|a, b| a.orgs.cmp(&b.orgs));
        let mut unplaced: Vec<(i64, String)> =
            (0..self.orgs.len()).filter(|&x| st.of[x] == NONE).map(|x| (self.orgs[x].id, self.reason(st, x))).collect();
        unplaced.extend(self.dups.iter().map(|&id| (id, "组织编号重复".to_string())));
        (props, unplaced)
    }
}

/// Describes a joint branch of `orgs` (sorted by id): its figures and a Chinese explanation.
pub fn describe_joint_branch(orgs: &[&PlanOrg]) -> JointBranchProposal {
    let mut ids: Vec<i64> = orgs.iter().map(|o| o.id).collect();
    ids.sort_unstable();
    let formal: u64 = orgs.iter().map(|o| u64::from(o.formal_members)).sum();
    let formal = u32::try_from(formal).unwrap_or(u32::MAX);
    let same_township = orgs.windows(2).all(|w| w[0].township == w[1].township);
    let geos: Vec<Option<Geo>> = orgs.iter().map(|o| Geo::of(o.lon_e6, o.lat_e6)).collect();
    let max_distance_m = if geos.iter().all(Option::is_some) {
        let pts: Vec<Geo> = geos.iter().flatten().copied().collect();
        let mut best = 0;
        for (i, a) in pts.iter().enumerate() {
            for b in &pts[i + 1..] {
                best = best.max(a.dist(b));
            }
        }
        Some(best)
    } else {
        None
    };
    let shared_field = match orgs.first() {
        Some(f) if orgs.iter().all(|o| o.field == f.field) => Some(f.field_label.clone()),
        _ => None,
    };
    let mut parts = Vec::new();
    let mut towns: Vec<&str> = Vec::new();
    for o in orgs {
        if !towns.contains(&o.township_name.as_str()) {
            towns.push(&o.township_name);
        }
    }
    if same_township {
        parts.push(format!("同属{}", towns.first().copied().unwrap_or("")));
    } else {
        parts.push(format!("跨 {} 个乡镇（街道）：{}", towns.len(), towns.join("、")));
    }
    match max_distance_m {
        Some(d) => parts.push(format!("最远相距 {}", fmt_dist(d))),
        None => {
            let names: Vec<&str> =
                orgs.iter().zip(&geos).filter(|(_, g)| g.is_none()).map(|(o, _)| o.name.as_str()).collect();
            parts.push(format!("{}无坐标", names.join("、")));
        }
    }
    match &shared_field {
        Some(label) => parts.push(format!("均为{label}")),
        None => {
            let mut labels: Vec<&str> = Vec::new();
            for o in orgs {
                if !labels.contains(&o.field_label.as_str()) {
                    labels.push(&o.field_label);
                }
            }
            parts.push(format!("涉及{}", labels.join("、")));
        }
    }
    let each: Vec<String> = orgs.iter().map(|o| format!("{} {} 名", o.name, o.formal_members)).collect();
    parts.push(format!("正式党员合计 {formal} 名（{}）", each.join("、")));
    JointBranchProposal {
        orgs: ids,
        formal_members: formal,
        same_township,
        max_distance_m,
        shared_field,
        explanation: parts.join("；"),
    }
}

// ---------------------------------------------------------------------------------------------
// Instructors

/// Instructors per node taken as pair candidates in the distance-ordered greedy.
const K_NEAREST: usize = 8;
/// Nodes with more instructors with coordinates than this get a grid.
const NODE_GRID_MIN: usize = 24;

/// A distinct instructor region code: the subtree served.
struct Node<'a> {
    code: &'a str,
    /// Instructors, ascending id.
    insts: Vec<usize>,
    nogeo: Vec<usize>,
    /// Nearest enclosing node, or NONE.
    parent: usize,
}

struct Inst<'a> {
    orgs: Vec<&'a PlanOrg>,
    dups: Vec<(i64, String)>,
    ogeo: Vec<Option<Geo>>,
    ins: Vec<&'a PlanInstructor>,
    igeo: Vec<Option<Geo>>,
    nodes: Vec<Node<'a>>,
    inst_node: Vec<usize>,
    /// Most specific node serving each organization, or NONE.
    org_node: Vec<usize>,
    cos_max: f64,
}

struct IState {
    spare: Vec<u32>,
    grids: Vec<Option<Grid>>,
    cur_all: Vec<usize>,
    cur_nogeo: Vec<usize>,
    /// Instructor of each organization, or NONE, and the distance.
    of: Vec<usize>,
    dist: Vec<Option<u32>>,
}

/// Longest prefix of `code` (possibly itself or empty) that is a key of `map`.
fn deepest(map: &BTreeMap<&str, usize>, code: &str, below: usize) -> usize {
    (0..=below.min(code.len()))
        .rev()
        .filter(|&l| code.is_char_boundary(l))
        .find_map(|l| map.get(&code[..l]).copied())
        .unwrap_or(NONE)
}

impl<'a> Inst<'a> {
    fn new(needs: &'a [PlanOrg], instructors: &'a [PlanInstructor], joint_ids: &[i64], cos_max: f64) -> Inst<'a> {
        let (all, dups) = sorted_unique(needs, |o| o.id);
        let mut dups: Vec<(i64, String)> = dups.into_iter().map(|id| (id, "组织编号重复".to_string())).collect();
        let mut orgs = Vec::with_capacity(all.len());
        for o in all {
            if joint_ids.binary_search(&o.id).is_ok() {
                dups.push((o.id, "组织编号重复：已列为联合组建候选".to_string()));
            } else {
                orgs.push(o);
            }
        }
        let (ins, _) = sorted_unique(instructors, |i| i.id);
        let map = intern(ins.iter().map(|i| i.region_code.as_str()));
        let mut nodes: Vec<Node> =
            map.keys().map(|&code| Node { code, insts: Vec::new(), nogeo: Vec::new(), parent: NONE }).collect();
        for n in &mut nodes {
            n.parent = if n.code.is_empty() { NONE } else { deepest(&map, n.code, n.code.len() - 1) };
        }
        let igeo: Vec<Option<Geo>> = ins.iter().map(|i| Geo::of(i.lon_e6, i.lat_e6)).collect();
        let mut inst_node = Vec::with_capacity(ins.len());
        for (i, inst) in ins.iter().enumerate() {
            let n = map.get(inst.region_code.as_str()).copied().unwrap_or(0);
            inst_node.push(n);
            nodes[n].insts.push(i);
            if igeo[i].is_none() {
                nodes[n].nogeo.push(i);
            }
        }
        let org_node = orgs.iter().map(|o| deepest(&map, &o.region_code, o.region_code.len())).collect();
        let ogeo = orgs.iter().map(|o| Geo::of(o.lon_e6, o.lat_e6)).collect();
        Inst { orgs, dups, ogeo, ins, igeo, nodes, inst_node, org_node, cos_max }
    }

    fn state(&self) -> IState {
        let spare: Vec<u32> = self.ins.iter().map(|i| i.capacity).collect();
        let grids = self
            .nodes
            .iter()
            .map(|n| {
                let pts: Vec<(usize, Geo)> =
                    n.insts.iter().filter(|&&i| spare[i] > 0).filter_map(|&i| Some((i, self.igeo[i]?))).collect();
                (pts.len() > NODE_GRID_MIN).then(|| {
                    let g: Vec<Geo> = pts.iter().map(|p| p.1).collect();
                    Grid::new(pts.into_iter(), cell_size_m(&g, 2.0, 100.0, 50_000.0), self.cos_max)
                })
            })
            .collect();
        IState {
            spare,
            grids,
            cur_all: vec![0; self.nodes.len()],
            cur_nogeo: vec![0; self.nodes.len()],
            of: vec![NONE; self.orgs.len()],
            dist: vec![None; self.orgs.len()],
        }
    }

    fn assign(&self, st: &mut IState, o: usize, i: usize) {
        st.of[o] = i;
        st.dist[o] = match (self.ogeo[o], self.igeo[i]) {
            (Some(a), Some(b)) => Some(a.dist(&b)),
            _ => None,
        };
        st.spare[i] -= 1;
        if st.spare[i] == 0
            && let Some(g) = st.grids[self.inst_node[i]].as_mut()
        {
            g.remove(i);
        }
    }

    /// Lowest-id instructor of node `n` with spare capacity (only those without coordinates if
    /// `nogeo`).
    fn lowest_spare(&self, st: &mut IState, n: usize, nogeo: bool) -> Option<usize> {
        let (list, cur) = if nogeo {
            (&self.nodes[n].nogeo, &mut st.cur_nogeo[n])
        } else {
            (&self.nodes[n].insts, &mut st.cur_all[n])
        };
        while *cur < list.len() && st.spare[list[*cur]] == 0 {
            *cur += 1;
        }
        list.get(*cur).copied()
    }

    /// Up to `k` nearest instructors of node `n` with coordinates and spare capacity.
    fn nearest(&self, st: &IState, n: usize, q: Geo, k: usize) -> Vec<(u32, usize)> {
        if let Some(g) = &st.grids[n] {
            let mut near = g.near(q, u32::MAX);
            let mut out = Vec::with_capacity(k);
            while out.len() < k {
                match near.next(g) {
                    Some((d, i)) if st.spare[i] > 0 => out.push((d, i)),
                    Some(_) => {}
                    None => break,
                }
            }
            return out;
        }
        let mut out: Vec<(u32, usize)> = self.nodes[n]
            .insts
            .iter()
            .filter(|&&i| st.spare[i] > 0)
            .filter_map(|&i| Some((q.dist(&self.igeo[i]?), i)))
            .collect();
        out.sort_unstable();
        out.truncate(k);
        out
    }

    /// Bottom-up over the nested subtrees: each node serves as many of the organizations still
    /// waiting below it as it can, nearest pairs first; the rest wait for the enclosing node.
    fn plan_state(&self) -> IState {
        let mut st = self.state();
        let mut waiting: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (o, &n) in self.org_node.iter().enumerate() {
            if n != NONE {
                waiting[n].push(o);
            }
        }
        let mut order: Vec<usize> = (0..self.nodes.len()).collect();
        order.sort_by_key(|&n| (Reverse(self.nodes[n].code.len()), self.nodes[n].code));
        for n in order {
            let mut list = std::mem::take(&mut waiting[n]);
            list.sort_unstable();
            let mut up = Vec::new();
            for &o in list.iter().filter(|&&o| self.ogeo[o].is_none()) {
                match self.lowest_spare(&mut st, n, false) {
                    Some(i) => self.assign(&mut st, o, i),
                    None => up.push(o),
                }
            }
            let mut pairs: Vec<(u32, usize, usize)> = Vec::new();
            for &o in &list {
                if let Some(q) = self.ogeo[o] {
                    pairs.extend(self.nearest(&st, n, q, K_NEAREST).into_iter().map(|(d, i)| (d, o, i)));
                }
            }
            pairs.sort_unstable();
            for (_, o, i) in pairs {
                if st.of[o] == NONE && st.spare[i] > 0 {
                    self.assign(&mut st, o, i);
                }
            }
            for &o in &list {
                let Some(q) = self.ogeo[o] else { continue };
                if st.of[o] != NONE {
                    continue;
                }
                let pick = match self.nearest(&st, n, q, 1).first() {
                    Some(&(_, i)) => Some(i),
                    None => self.lowest_spare(&mut st, n, true),
                };
                match pick {
                    Some(i) => self.assign(&mut st, o, i),
                    None => up.push(o),
                }
            }
            let parent = self.nodes[n].parent;
            if parent != NONE {
                waiting[parent].extend(up);
            }
        }
        st
    }

    /// The documented greedy: organizations in id order to the nearest instructor with spare
    /// capacity whose subtree contains them (without coordinates: the most specific, lowest id).
    fn baseline_state(&self) -> IState {
        let mut st = self.state();
        for o in 0..self.orgs.len() {
            let mut chain = Vec::new();
            let mut n = self.org_node[o];
            while n != NONE {
                chain.push(n);
                n = self.nodes[n].parent;
            }
            let near = self.ogeo[o]
                .and_then(|q| chain.iter().filter_map(|&n| self.nearest(&st, n, q, 1).first().copied()).min());
            let pick = match near {
                Some((_, i)) => Some(i),
                None => chain.iter().find_map(|&n| self.lowest_spare(&mut st, n, self.ogeo[o].is_some())),
            };
            if let Some(i) = pick {
                self.assign(&mut st, o, i);
            }
        }
        st
    }

    fn reason(&self, o: usize) -> String {
        let org = self.orgs[o];
        let mut k = 0;
        let mut n = self.org_node[o];
        while n != NONE {
            k += self.nodes[n].insts.len();
            n = self.nodes[n].parent;
        }
        if k == 0 {
            format!("没有服务范围包含该组织（{}）的党建指导员", org.township_name)
        } else {
            format!("服务范围包含该组织（{}）的 {k} 名党建指导员负荷已满", org.township_name)
        }
    }

    fn proposals(&self, st: &IState) -> (Vec<InstructorProposal>, Vec<(i64, String)>) {
        let mut per: Vec<Vec<usize>> = vec![Vec::new(); self.ins.len()];
        let mut unplaced = self.dups.clone();
        for (o, &i) in st.of.iter().enumerate() {
            if i == NONE {
                unplaced.push((self.orgs[o].id, self.reason(o)));
            } else {
                per[i].push(o);
            }
        }
        let props = per
            .iter()
            .enumerate()
            .filter(|(_, os)| !os.is_empty())
            .map(|(i, os)| {
                let inst = self.ins[i];
                let parts: Vec<String> = os
                    .iter()
                    .map(|&o| {
                        let org = self.orgs[o];
                        match (st.dist[o], self.ogeo[o]) {
                            (Some(d), _) => format!("{} 相距 {}", org.name, fmt_dist(d)),
                            (None, None) if inst.region_code.len() >= 9 => {
                                format!("{} 无坐标，同属{}", org.name, org.township_name)
                            }
                            (None, None) => format!("{} 无坐标，位于{}，在服务范围内", org.name, org.township_name),
                            (None, Some(_)) => format!("{} 位于{}（指导员无坐标）", org.name, org.township_name),
                        }
                    })
                    .collect();
                InstructorProposal {
                    instructor: inst.id,
                    orgs: os.iter().map(|&o| self.orgs[o].id).collect(),
                    distances_m: os.iter().map(|&o| st.dist[o]).collect(),
                    explanation: parts.join("；"),
                }
            })
            .collect();
        (props, unplaced)
    }
}

// ---------------------------------------------------------------------------------------------
// Entry points

fn setup<'a>(
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

fn assemble(j: &Joint, js: &JState, ins: &Inst, is: &IState) -> Plan {
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

fn mean(sum: f64, n: usize) -> f64 {
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

#[cfg(test)]
mod tests {
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
        assert_eq!(
            errs,
            ["正式党员合计 2 名，不足 3 名", "组织1与组织2不在同一乡镇（街道）且相距 7.3 公里，超过 5 公里"]
        );
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
        let needs =
            joint.iter().map(|o| PlanOrg { id: o.id + 100, formal_members: 0, ..o.clone() }).collect::<Vec<_>>();
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
        let members = if joint {
            prop::sample::select(vec![0u32, 1, 1, 1, 1, 1, 2, 2, 2, 3]).boxed()
        } else {
            Just(0u32).boxed()
        };
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
                insts: i
                    .into_iter()
                    .enumerate()
                    .map(|(k, (r, pos, c))| inst(k as i64 + 1, REGIONS[r], pos, c))
                    .collect(),
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
}
