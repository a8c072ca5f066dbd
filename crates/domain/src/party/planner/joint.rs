//! Joint branches: growing, attaching, rescuing and polishing groups.

use super::*;

use std::cmp::Reverse;
use std::collections::BTreeMap;

pub(crate) const NONE: usize = usize::MAX;
/// Soft-cost weights, in thousandths of the township's typical spacing between neighbouring
/// candidates (so a field or a surplus member is worth the same number of "neighbour steps" in a
/// dense city district as in a sparse rural township): a group that stops sharing one field,
/// each formal member beyond the minimum, a candidate too small to finish the group, a pair
/// without known distance, a leftover of a township with a branch, a member taken from a branch,
/// each township beyond the first.
pub(crate) const FIELD_W: u64 = 500;
pub(crate) const OVER_W: u64 = 1_500;
pub(crate) const UNDER_W: u64 = 600;
pub(crate) const NOCOORD_W: u64 = 3_000;
pub(crate) const SPARE_W: u64 = 300;
pub(crate) const STEAL_W: u64 = 1_200;
pub(crate) const TOWN_W: u64 = 2_000;
/// Bounds of the typical spacing, metres.
pub(crate) const UNIT_MIN: f64 = 100.0;
pub(crate) const UNIT_MAX: f64 = 2_000.0;
/// Townships with more unassigned candidates than this are searched through the grid.
pub(crate) const BRUTE_MAX: usize = 64;
/// Candidates taken from the grid per growth step.
pub(crate) const NEAR_CANDS: usize = 24;
/// Grid points looked at per growth step before giving up on the grid.
pub(crate) const NEAR_SCAN: usize = 4_000;
/// Local search: rounds, and neighbours in other branches looked at per organization.
pub(crate) const POLISH_ROUNDS: usize = 3;
pub(crate) const POLISH_NEIGHBOURS: usize = 8;
/// Nearest branches tried for a swap.
pub(crate) const SWAP_BRANCHES: usize = 8;

pub(crate) struct Joint<'a> {
    pub(crate) p: PlanParams,
    pub(crate) orgs: Vec<&'a PlanOrg>,
    pub(crate) dups: Vec<i64>,
    pub(crate) geo: Vec<Option<Geo>>,
    pub(crate) town: Vec<usize>,
    pub(crate) field: Vec<usize>,
    pub(crate) m: Vec<u64>,
    /// Members of each township, ascending.
    pub(crate) towns: Vec<Vec<usize>>,
    /// Typical spacing between neighbouring candidates of each township, metres.
    pub(crate) unit: Vec<u64>,
    pub(crate) grid: Grid,
}

#[derive(Debug, Clone)]
pub(crate) struct Branch {
    pub(crate) members: Vec<usize>,
    pub(crate) sum: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct JState {
    /// Branch of each organization, or NONE.
    pub(crate) of: Vec<usize>,
    pub(crate) branches: Vec<Branch>,
    /// Townships with a member in some branch (only used to rank candidates).
    pub(crate) has: Vec<bool>,
}

impl JState {
    pub(crate) fn new(n: usize, towns: usize) -> JState {
        JState { of: vec![NONE; n], branches: Vec::new(), has: vec![false; towns] }
    }

    pub(crate) fn commit(&mut self, j: &Joint, members: Vec<usize>) {
        let b = self.branches.len();
        for &x in &members {
            self.of[x] = b;
            self.has[j.town[x]] = true;
        }
        let sum = members.iter().map(|&x| j.m[x]).sum();
        self.branches.push(Branch { members, sum });
    }

    pub(crate) fn add(&mut self, j: &Joint, b: usize, x: usize) {
        self.of[x] = b;
        self.has[j.town[x]] = true;
        self.branches[b].members.push(x);
        self.branches[b].sum += j.m[x];
    }

    pub(crate) fn take(&mut self, j: &Joint, b: usize, x: usize) {
        self.of[x] = NONE;
        self.branches[b].members.retain(|&y| y != x);
        self.branches[b].sum -= j.m[x];
    }

    pub(crate) fn covered(&self) -> usize {
        self.branches.iter().map(|b| b.members.len()).sum()
    }
}

pub(crate) fn intern<'a>(keys: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, usize> {
    let mut map: BTreeMap<&str, usize> = keys.map(|k| (k, 0)).collect();
    for (i, v) in map.values_mut().enumerate() {
        *v = i;
    }
    map
}

/// Typical spacing between neighbouring points: the square root of the area per point, the area
/// taken as 3π·σx·σy (σ the standard deviations east and north).
pub(crate) fn spacing(pts: impl Iterator<Item = Geo>) -> u64 {
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
    pub(crate) fn new(joint: &'a [PlanOrg], p: &PlanParams, cos_max: f64) -> Joint<'a> {
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

    pub(crate) fn min(&self) -> u64 {
        u64::from(self.p.min_formal_members)
    }

    /// A soft-cost weight in metres for township `t`.
    pub(crate) fn pen(&self, w: u64, t: usize) -> u64 {
        w * self.unit[t] / 1_000
    }

    pub(crate) fn max_orgs(&self) -> usize {
        self.p.max_orgs_per_branch as usize
    }

    pub(crate) fn dist(&self, a: usize, b: usize) -> Option<u32> {
        Some(self.geo[a]?.dist(&self.geo[b]?))
    }

    /// Distance for soft costs (chord length; unknown: a fixed cost).
    pub(crate) fn fast(&self, a: usize, b: usize) -> u64 {
        match (self.geo[a], self.geo[b]) {
            (Some(x), Some(y)) => x.approx(&y),
            _ => self.pen(NOCOORD_W, self.town[a]),
        }
    }

    pub(crate) fn compat(&self, a: usize, b: usize) -> bool {
        self.town[a] == self.town[b] || self.dist(a, b).is_some_and(|d| d <= self.p.max_distance_m)
    }

    /// Largest distance from `c` to a member (or `None` if incompatible with one).
    pub(crate) fn spread(&self, group: &[usize], c: usize) -> Option<u64> {
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
    pub(crate) fn field_pen(&self, group: &[usize], c: usize) -> u64 {
        match group.first() {
            Some(&f) if group.iter().all(|&g| self.field[g] == self.field[f]) && self.field[c] != self.field[f] => {
                self.pen(FIELD_W, self.town[f])
            }
            _ => 0,
        }
    }

    /// Cost of adding `c` to a group that still needs `need` formal members.
    pub(crate) fn score(&self, group: &[usize], need: u64, c: usize, extra: u64) -> Option<u64> {
        let mc = self.m[c];
        if mc == 0 && need > 0 {
            return None;
        }
        let t = group.first().map_or(self.town[c], |&g| self.town[g]);
        let fit = if mc >= need { (mc - need).saturating_mul(self.pen(OVER_W, t)) } else { self.pen(UNDER_W, t) };
        Some(self.spread(group, c)? + self.field_pen(group, c) + fit + extra)
    }

    /// Grows a group from `seed` with `pick(group, need)` until it is valid.
    pub(crate) fn grow(&self, seed: usize, mut pick: impl FnMut(&[usize], u64) -> Option<usize>) -> Option<Vec<usize>> {
        let mut g = vec![seed];
        let mut sum = self.m[seed];
        while (sum < self.min() || g.len() < 2) && g.len() < self.max_orgs() {
            let c = pick(&g, self.min().saturating_sub(sum))?;
            g.push(c);
            sum += self.m[c];
        }
        (sum >= self.min() && g.len() >= 2).then_some(g)
    }

    pub(crate) fn best(&self, group: &[usize], need: u64, cands: impl Iterator<Item = (usize, u64)>) -> Option<usize> {
        cands
            .filter(|(c, _)| !group.contains(c))
            .filter_map(|(c, extra)| Some((self.score(group, need, c, extra)?, c)))
            .min()
            .map(|(_, c)| c)
    }

    /// Seeds of a township from the outside in: farthest from the centroid first, then the
    /// members without coordinates.
    pub(crate) fn seed_order(&self, mem: &[usize]) -> Vec<usize> {
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
    pub(crate) fn phase_towns(&self, st: &mut JState) {
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
    pub(crate) fn neighbours(&self, x: usize, limit: usize) -> Vec<usize> {
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
    pub(crate) fn try_grow(&self, st: &mut JState, seed: usize) -> bool {
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
    pub(crate) fn branches_near(&self, st: &JState, x: usize, limit: usize) -> Vec<usize> {
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
    pub(crate) fn try_attach(&self, st: &mut JState, x: usize) -> bool {
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
    pub(crate) fn try_swap(&self, st: &mut JState, x: usize) -> bool {
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
    pub(crate) fn phase_cross(&self, st: &mut JState) {
        for seed in 0..self.orgs.len() {
            if st.of[seed] == NONE && !st.has[self.town[seed]] && self.geo[seed].is_some() {
                self.try_grow(st, seed);
            }
        }
    }

    /// Phase 3: remaining organizations join a branch (those of townships without a branch
    /// first), else start one with spare members of nearby branches, else take the place of a
    /// member that can move elsewhere.
    pub(crate) fn phase_attach(&self, st: &mut JState) {
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
    pub(crate) fn branch_cost(&self, mem: &[usize]) -> u64 {
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
    pub(crate) fn valid_with(&self, mem: &[usize], changed: usize) -> bool {
        let sum: u64 = mem.iter().map(|&x| self.m[x]).sum();
        (2..=self.max_orgs()).contains(&mem.len())
            && sum >= self.min()
            && (changed == NONE || mem.iter().all(|&y| y == changed || self.compat(y, changed)))
    }

    /// Local search: moves a member to a neighbouring branch, or swaps two members of
    /// neighbouring branches, while that lowers the summed branch cost. Neighbours are each
    /// organization's nearest organizations within the distance, found once.
    pub(crate) fn phase_polish(&self, st: &mut JState) {
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

    pub(crate) fn plan_state(&self) -> JState {
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
    pub(crate) fn baseline_state(&self) -> JState {
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
    pub(crate) fn reason(&self, st: &JState, x: usize) -> String {
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

    pub(crate) fn proposals(&self, st: &JState) -> (Vec<JointBranchProposal>, Vec<(i64, String)>) {
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
