//! Geometry: distances, the grid index and neighbour search.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub(crate) const EARTH_RADIUS_M: f64 = 6_371_000.0;
/// Metres per millionth of a degree of latitude (and of longitude at the equator).
pub(crate) const M_PER_E6: f64 = EARTH_RADIUS_M * std::f64::consts::PI / 180.0 / 1e6;

/// A point as a unit vector; [`distance_m`] goes through it, so the planner and the checks agree
/// to the metre. The great-circle distance is 2R·asin(chord/2), the same as the haversine
/// formula, without trigonometry per pair beyond one `asin`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Geo {
    pub(crate) lon_e6: i64,
    pub(crate) lat_e6: i64,
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) z: f64,
}

impl Geo {
    pub(crate) fn new(lon_e6: i64, lat_e6: i64) -> Geo {
        let lat = (lat_e6 as f64 / 1e6).to_radians();
        let lon = (lon_e6 as f64 / 1e6).to_radians();
        let c = lat.cos();
        Geo { lon_e6, lat_e6, x: c * lon.cos(), y: c * lon.sin(), z: lat.sin() }
    }

    pub(crate) fn of(lon_e6: Option<i64>, lat_e6: Option<i64>) -> Option<Geo> {
        Some(Geo::new(lon_e6?, lat_e6?))
    }

    /// Squared chord between the two unit vectors: increases with the distance.
    pub(crate) fn chord2(&self, o: &Geo) -> f64 {
        let (dx, dy, dz) = (self.x - o.x, self.y - o.y, self.z - o.z);
        dx * dx + dy * dy + dz * dz
    }

    /// Great-circle distance, rounded to the metre.
    pub(crate) fn dist(&self, o: &Geo) -> u32 {
        metres(self.chord2(o))
    }

    /// Chord length in metres: within a millimetre of the distance below 50 km; for soft costs.
    pub(crate) fn approx(&self, o: &Geo) -> u64 {
        (EARTH_RADIUS_M * self.chord2(o).sqrt()) as u64
    }
}

/// Great-circle distance in metres of a squared chord of the unit sphere.
pub(crate) fn metres(chord2: f64) -> u32 {
    let d = 2.0 * EARTH_RADIUS_M * (chord2.sqrt() / 2.0).min(1.0).asin();
    if d >= f64::from(u32::MAX) { u32::MAX } else { d.round() as u32 }
}

/// Squared chord of the unit sphere for a great-circle distance in metres.
pub(crate) fn chord2_of(m: f64) -> f64 {
    let c = 2.0 * (m.max(0.0) / (2.0 * EARTH_RADIUS_M)).min(std::f64::consts::FRAC_PI_2).sin();
    c * c
}

/// Great-circle (haversine) distance in metres between two (lon, lat) points in millionths of a
/// degree, on a sphere of radius 6,371 km.
pub fn distance_m(a: (i64, i64), b: (i64, i64)) -> u32 {
    Geo::new(a.0, a.1).dist(&Geo::new(b.0, b.1))
}

/// "850 米", "1.2 公里", "5 公里".
pub(crate) fn fmt_dist(m: u32) -> String {
    if m < 1_000 {
        return format!("{m} 米");
    }
    let tenths = (u64::from(m) + 50) / 100;
    if tenths % 10 == 0 { format!("{} 公里", tenths / 10) } else { format!("{}.{} 公里", tenths / 10, tenths % 10) }
}

/// A distance beyond a limit: "7.3 公里，超过 5 公里", in metres when rounding would hide the excess.
pub(crate) fn fmt_excess(d: u32, limit: u32) -> String {
    let (a, b) = (fmt_dist(d), fmt_dist(limit));
    if a == b { format!("{d} 米，超过 {limit} 米") } else { format!("{a}，超过 {b}") }
}

/// Cosine of the largest latitude of all points (with a margin): the grid's longitude cells are
/// widened by it so neighbours never hide beyond the scanned rings.
pub(crate) fn cos_max_lat<'a>(points: impl Iterator<Item = (Option<i64>, Option<i64>)> + 'a) -> f64 {
    let max_abs = points.filter_map(|(lon, lat)| lon.and(lat)).map(i64::unsigned_abs).max().unwrap_or(0);
    let deg = (max_abs as f64 / 1e6 + 0.01).min(89.0);
    deg.to_radians().cos()
}

/// Cell side for a grid of `pts`: about `per_cell` points per cell, clamped.
pub(crate) fn cell_size_m(pts: &[Geo], per_cell: f64, lo_m: f64, hi_m: f64) -> f64 {
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
pub(crate) struct Grid {
    pub(crate) cell_lat: i64,
    pub(crate) cell_lon: i64,
    /// Cell coordinates (lat row, lon column) of the first cell, and the number of rows/columns.
    pub(crate) lo: (i64, i64),
    pub(crate) rows: i64,
    pub(crate) cols: i64,
    /// `items[start[c]..start[c + 1]]` are the points of cell `c`, `xyz` their unit vectors.
    pub(crate) start: Vec<u32>,
    pub(crate) items: Vec<u32>,
    pub(crate) xyz: Vec<[f64; 3]>,
    /// Points still in the grid, by index.
    pub(crate) alive: Vec<bool>,
    pub(crate) cell_lat_rad: f64,
    pub(crate) cell_lon_rad: f64,
    pub(crate) cos_max: f64,
}

/// At most this many cells per point (plus a constant); coarser cells beyond.
pub(crate) const CELLS_PER_POINT: i64 = 4;

impl Grid {
    pub(crate) fn new(points: impl Iterator<Item = (usize, Geo)>, cell_m: f64, cos_max: f64) -> Grid {
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

    pub(crate) fn key(&self, p: &Geo) -> (i64, i64) {
        (p.lat_e6.div_euclid(self.cell_lat), p.lon_e6.div_euclid(self.cell_lon))
    }

    pub(crate) fn slot(&self, k: (i64, i64)) -> Option<usize> {
        let (r, c) = (k.0.saturating_sub(self.lo.0), k.1.saturating_sub(self.lo.1));
        (r >= 0 && r < self.rows && c >= 0 && c < self.cols).then(|| (r * self.cols + c) as usize)
    }

    pub(crate) fn remove(&mut self, i: usize) {
        if let Some(a) = self.alive.get_mut(i) {
            *a = false;
        }
    }

    /// Lower bound (minus a metre of slack) of the distance from a query point to any point
    /// outside the rings `0..=r` around the query's cell.
    pub(crate) fn bound(&self, r: i64) -> f64 {
        if r <= 0 {
            return 0.0;
        }
        let r = r as f64;
        let lat_b = EARTH_RADIUS_M * r * self.cell_lat_rad;
        let half = (r * self.cell_lon_rad / 2.0).min(std::f64::consts::FRAC_PI_2);
        let lon_b = 2.0 * EARTH_RADIUS_M * (self.cos_max * half.sin()).min(1.0).asin();
        lat_b.min(lon_b) * (1.0 - 1e-9) - 1.0
    }

    pub(crate) fn hi(&self) -> (i64, i64) {
        (self.lo.0 + self.rows - 1, self.lo.1 + self.cols - 1)
    }

    /// Largest ring around cell `c` that still meets the grid.
    pub(crate) fn max_ring(&self, c: (i64, i64)) -> i64 {
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
    pub(crate) fn min_ring(&self, c: (i64, i64)) -> i64 {
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
    pub(crate) fn ring(&self, c: (i64, i64), r: i64, mut f: impl FnMut(u32, &[f64; 3])) {
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

    pub(crate) fn near(&self, q: Geo, max_m: u32) -> Near {
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
pub(crate) struct Near {
    pub(crate) q: Geo,
    pub(crate) c: (i64, i64),
    pub(crate) ring: i64,
    /// (squared chord as ordered bits, index).
    pub(crate) heap: BinaryHeap<Reverse<(u64, u32)>>,
    pub(crate) max_m: u32,
    pub(crate) max_c2: f64,
    /// Squared chord below which a point is nearer than anything not scanned yet.
    pub(crate) emit_c2: f64,
    pub(crate) done: bool,
}

impl Near {
    pub(crate) fn next(&mut self, g: &Grid) -> Option<(u32, usize)> {
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
pub(crate) fn sorted_unique<T>(items: &[T], id: impl Fn(&T) -> i64) -> (Vec<&T>, Vec<i64>) {
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
