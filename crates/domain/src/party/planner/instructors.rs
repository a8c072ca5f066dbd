//! Instructors: bottom-up assignment by region specificity and distance.

use super::*;

use std::cmp::Reverse;
use std::collections::BTreeMap;

/// Instructors per node taken as pair candidates in the distance-ordered greedy.
pub(crate) const K_NEAREST: usize = 8;
/// Nodes with more instructors with coordinates than this get a grid.
pub(crate) const NODE_GRID_MIN: usize = 24;

/// A distinct instructor region code: the subtree served.
pub(crate) struct Node<'a> {
    pub(crate) code: &'a str,
    /// Instructors, ascending id.
    pub(crate) insts: Vec<usize>,
    pub(crate) nogeo: Vec<usize>,
    /// Nearest enclosing node, or NONE.
    pub(crate) parent: usize,
}

pub(crate) struct Inst<'a> {
    pub(crate) orgs: Vec<&'a PlanOrg>,
    pub(crate) dups: Vec<(i64, String)>,
    pub(crate) ogeo: Vec<Option<Geo>>,
    pub(crate) ins: Vec<&'a PlanInstructor>,
    pub(crate) igeo: Vec<Option<Geo>>,
    pub(crate) nodes: Vec<Node<'a>>,
    pub(crate) inst_node: Vec<usize>,
    /// Most specific node serving each organization, or NONE.
    pub(crate) org_node: Vec<usize>,
    pub(crate) cos_max: f64,
}

pub(crate) struct IState {
    pub(crate) spare: Vec<u32>,
    pub(crate) grids: Vec<Option<Grid>>,
    pub(crate) cur_all: Vec<usize>,
    pub(crate) cur_nogeo: Vec<usize>,
    /// Instructor of each organization, or NONE, and the distance.
    pub(crate) of: Vec<usize>,
    pub(crate) dist: Vec<Option<u32>>,
}

/// Longest prefix of `code` (possibly itself or empty) that is a key of `map`.
pub(crate) fn deepest(map: &BTreeMap<&str, usize>, code: &str, below: usize) -> usize {
    (0..=below.min(code.len()))
        .rev()
        .filter(|&l| code.is_char_boundary(l))
        .find_map(|l| map.get(&code[..l]).copied())
        .unwrap_or(NONE)
}

impl<'a> Inst<'a> {
    pub(crate) fn new(
        needs: &'a [PlanOrg],
        instructors: &'a [PlanInstructor],
        joint_ids: &[i64],
        cos_max: f64,
    ) -> Inst<'a> {
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

    pub(crate) fn state(&self) -> IState {
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

    pub(crate) fn assign(&self, st: &mut IState, o: usize, i: usize) {
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
    pub(crate) fn lowest_spare(&self, st: &mut IState, n: usize, nogeo: bool) -> Option<usize> {
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
    pub(crate) fn nearest(&self, st: &IState, n: usize, q: Geo, k: usize) -> Vec<(u32, usize)> {
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
    pub(crate) fn plan_state(&self) -> IState {
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
    pub(crate) fn baseline_state(&self) -> IState {
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

    pub(crate) fn reason(&self, o: usize) -> String {
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

    pub(crate) fn proposals(&self, st: &IState) -> (Vec<InstructorProposal>, Vec<(i64, String)>) {
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
