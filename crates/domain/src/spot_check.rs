//! The random spot check's draw (M6, 双随机、一公开; 民政部《社会组织抽查暂行办法》
//! 民发〔2017〕45号): a rule simple enough that anyone can re-run it from the
//! published inputs. docs/SPOT_CHECK_DRAW.md states it for outsiders; this
//! module is the one implementation the product uses.
//!
//! 1. The candidate list is frozen as CSV: the header `credit_code,stratum`,
//!    then one line per candidate, in ascending credit-code order, `\n` line
//!    ends; its SHA-256 (lowercase hex) is published with it.
//! 2. Within each stratum, candidates are ranked by the lowercase hex
//!    SHA-256 of the UTF-8 string `seed + "|" + credit_code`, ascending, and
//!    the first ⌈n × ratio⌉ are drawn (ratio in basis points; at least one
//!    of every non-empty stratum). The drawn list is ordered by stratum
//!    (ascending), then by rank.
//! 3. For each drawn organization in that order, the inspectors are ranked
//!    by SHA-256 of `seed + "|" + credit_code + "|" + inspector_code`; those
//!    with a recorded tie to the organization and those at their load limit
//!    are skipped, and the first two are taken (第八条: at least two people).

use std::collections::{BTreeMap, HashMap, HashSet};

use sha2::{Digest, Sha256};

/// People on an on-site check (第八条).
pub const INSPECTORS_PER_CHECK: usize = 2;
/// Basis points in one (ratios are given in basis points: 300 = 3%).
pub const BASIS: u64 = 10_000;

/// The national minimum ratio of a yearly (定期) check for an authority of
/// this region level (第五条): county 3%, city 4%, province 5%; the ministry
/// (level 0) 10%. A locality may set a higher one.
pub fn minimum_ratio_bp(level: i32) -> u64 {
    match level {
        0 => 1000,
        1 => 500,
        2 => 400,
        _ => 300,
    }
}

/// One organization on a frozen candidate list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    pub credit_code: String,
    /// A stratum identifier (e.g. `association`, `association/charity`), or
    /// "" when the plan has no strata. No commas, quotes or line breaks.
    pub stratum: String,
}

/// Why a list cannot be frozen or drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("候选名单中统一社会信用代码“{0}”重复")]
    Duplicate(String),
    #[error("候选名单中的代码或分层“{0}”含有逗号、引号或换行，无法公开为 CSV")]
    Unprintable(String),
    #[error("抽查比例应在 0.01% 至 100% 之间")]
    Ratio,
    #[error("随机种子不能为空")]
    NoSeed,
    #[error("统一社会信用代码为 {0} 的组织可派检查人员不足 {1} 名（其余人员回避或已达工作量上限）")]
    TooFewInspectors(String, usize),
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn printable(s: &str) -> bool {
    !s.contains([',', '"', '\n', '\r'])
}

/// The frozen candidate list as published: sorted by credit code, checked.
pub fn candidates_csv(candidates: &[Candidate]) -> Result<String, DrawError> {
    let mut sorted: Vec<&Candidate> = candidates.iter().collect();
    sorted.sort();
    let mut out = String::from("credit_code,stratum\n");
    let mut last: Option<&str> = None;
    for c in sorted {
        if last == Some(c.credit_code.as_str()) {
            return Err(DrawError::Duplicate(c.credit_code.clone()));
        }
        for part in [&c.credit_code, &c.stratum] {
            if !printable(part) {
                return Err(DrawError::Unprintable(part.clone()));
            }
        }
        last = Some(&c.credit_code);
        out.push_str(&c.credit_code);
        out.push(',');
        out.push_str(&c.stratum);
        out.push('\n');
    }
    Ok(out)
}

/// The published digest of a frozen list: SHA-256 of the CSV, lowercase hex.
pub fn candidates_sha256(csv: &str) -> String {
    sha256_hex(csv)
}

/// Read a published candidate list back (for verification by anyone).
pub fn parse_candidates(csv: &str) -> Result<Vec<Candidate>, DrawError> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (code, stratum) = l.split_once(',').unwrap_or((l, ""));
            Ok(Candidate { credit_code: code.to_owned(), stratum: stratum.to_owned() })
        })
        .collect()
}

/// How many of `n` candidates a ratio draws: ⌈n × ratio⌉.
pub fn sample_size(n: usize, ratio_bp: u64) -> usize {
    ((n as u64 * ratio_bp).div_ceil(BASIS)) as usize
}

/// One drawn organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drawn {
    pub credit_code: String,
    pub stratum: String,
    /// The SHA-256 it was ranked by (published, so the order can be checked).
    pub key: String,
}

/// Draw organizations from a frozen list.
pub fn draw(candidates: &[Candidate], seed: &str, ratio_bp: u64) -> Result<Vec<Drawn>, DrawError> {
    if seed.trim().is_empty() {
        return Err(DrawError::NoSeed);
    }
    if ratio_bp == 0 || ratio_bp > BASIS {
        return Err(DrawError::Ratio);
    }
    let mut strata: BTreeMap<&str, Vec<Drawn>> = BTreeMap::new();
    for c in candidates {
        strata.entry(c.stratum.as_str()).or_default().push(Drawn {
            credit_code: c.credit_code.clone(),
            stratum: c.stratum.clone(),
            key: sha256_hex(&format!("{seed}|{}", c.credit_code)),
        });
    }
    let mut out = Vec::new();
    for (_, mut group) in strata {
        group.sort_by(|a, b| a.key.cmp(&b.key).then_with(|| a.credit_code.cmp(&b.credit_code)));
        let n = sample_size(group.len(), ratio_bp);
        out.extend(group.into_iter().take(n));
    }
    Ok(out)
}

/// An inspector in the pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspector {
    pub code: String,
    /// Checks they may still take in this plan.
    pub capacity: usize,
}

/// Assign inspectors to drawn organizations, in drawn order. `ties`: the
/// recorded (credit code, inspector code) conflicts.
pub fn assign_inspectors(
    drawn: &[Drawn],
    pool: &[Inspector],
    ties: &HashSet<(String, String)>,
    seed: &str,
) -> Result<Vec<Vec<String>>, DrawError> {
    let mut left: HashMap<&str, usize> = pool.iter().map(|i| (i.code.as_str(), i.capacity)).collect();
    let mut out = Vec::with_capacity(drawn.len());
    for d in drawn {
        let mut ranked: Vec<(String, &str)> = pool
            .iter()
            .map(|i| (sha256_hex(&format!("{seed}|{}|{}", d.credit_code, i.code)), i.code.as_str()))
            .collect();
        ranked.sort();
        let mut chosen = Vec::with_capacity(INSPECTORS_PER_CHECK);
        for (_, code) in ranked {
            if chosen.len() == INSPECTORS_PER_CHECK {
                break;
            }
            let tied = ties.contains(&(d.credit_code.clone(), code.to_owned()));
            let free = left.get(code).copied().unwrap_or(0) > 0;
            if !tied && free {
                chosen.push(code.to_owned());
            }
        }
        if chosen.len() < INSPECTORS_PER_CHECK {
            return Err(DrawError::TooFewInspectors(d.credit_code.clone(), INSPECTORS_PER_CHECK));
        }
        for c in &chosen {
            if let Some(n) = left.get_mut(c.as_str()) {
                *n -= 1;
            }
        }
        out.push(chosen);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cands(n: usize, strata: &[&str]) -> Vec<Candidate> {
        (0..n)
            .map(|i| Candidate {
                credit_code: format!("51370500MJD{i:07}"),
                stratum: strata[i % strata.len()].to_owned(),
            })
            .collect()
    }

    #[test]
    fn the_published_list_is_sorted_checked_and_hashed() {
        let list = vec![
            Candidate { credit_code: "B".into(), stratum: "association".into() },
            Candidate { credit_code: "A".into(), stratum: "foundation".into() },
        ];
        let csv = candidates_csv(&list).expect("csv");
        assert_eq!(csv, "credit_code,stratum\nA,foundation\nB,association\n");
        // the digest of that exact text, as `sha256sum` prints it for the file
        assert_eq!(candidates_sha256(&csv), "562058108039d68c5bdfb455107afa52b80989c6b1ca094f05d8cf08089e5548");
        let mut back = parse_candidates(&csv).expect("parse");
        back.sort();
        let mut want = list.clone();
        want.sort();
        assert_eq!(back, want);
        let dup = vec![list[0].clone(), list[0].clone()];
        assert_eq!(candidates_csv(&dup), Err(DrawError::Duplicate("B".into())));
        let bad = vec![Candidate { credit_code: "A".into(), stratum: "a,b".into() }];
        assert!(matches!(candidates_csv(&bad), Err(DrawError::Unprintable(_))));
    }

    #[test]
    fn the_rule_as_documented() {
        // a hand check of step 2: ranks are the hex digests of "seed|code"
        let list = cands(10, &[""]);
        let drawn = draw(&list, "2026001", 2000).expect("draw");
        let mut keys: Vec<(String, String)> =
            list.iter().map(|c| (sha256_hex(&format!("2026001|{}", c.credit_code)), c.credit_code.clone())).collect();
        keys.sort();
        let want: Vec<String> = keys.into_iter().take(2).map(|k| k.1).collect();
        assert_eq!(drawn.iter().map(|d| d.credit_code.clone()).collect::<Vec<_>>(), want);
        // the same answer from the reference script in docs/SPOT_CHECK_DRAW.md (Python hashlib)
        assert_eq!(want, ["51370500MJD0000006", "51370500MJD0000008"]);
        let pool: Vec<Inspector> = ["I0", "I1", "I2"].map(|c| Inspector { code: c.into(), capacity: 3 }).to_vec();
        let ties = HashSet::from([("51370500MJD0000006".to_owned(), "I0".to_owned())]);
        let people = assign_inspectors(&drawn, &pool, &ties, "2026001").expect("assign");
        assert_eq!(people, [["I2", "I1"], ["I2", "I1"]], "as the reference script assigns them");
        assert_eq!(draw(&list, " ", 300), Err(DrawError::NoSeed));
        assert_eq!(draw(&list, "x", 0), Err(DrawError::Ratio));
        assert_eq!(draw(&list, "x", 10_001), Err(DrawError::Ratio));
    }

    #[test]
    fn national_minimums_by_level() {
        assert_eq!([0, 1, 2, 3].map(minimum_ratio_bp), [1000, 500, 400, 300]);
        assert_eq!(sample_size(100_000, 300), 3000);
        assert_eq!(sample_size(101, 300), 4, "⌈3.03⌉");
        assert_eq!(sample_size(1, 300), 1);
        assert_eq!(sample_size(0, 300), 0);
    }

    #[test]
    fn inspectors_recuse_and_respect_their_load() {
        let list = cands(6, &[""]);
        let drawn = draw(&list, "s", 10_000).expect("all");
        let pool: Vec<Inspector> = (0..5).map(|i| Inspector { code: format!("I{i}"), capacity: 3 }).collect();
        let ties: HashSet<(String, String)> = drawn.iter().map(|d| (d.credit_code.clone(), "I0".to_owned())).collect();
        let a = assign_inspectors(&drawn, &pool, &ties, "s").expect("assign");
        assert!(a.iter().all(|x| x.len() == 2 && !x.contains(&"I0".to_owned())), "{a:?}");
        // 6 checks × 2 people over 4 inspectors of capacity 3: everyone is full
        let mut load: HashMap<&String, usize> = HashMap::new();
        for p in a.iter().flatten() {
            *load.entry(p).or_default() += 1;
        }
        assert!(load.values().all(|n| *n <= 3));
        let small = vec![Inspector { code: "I1".into(), capacity: 1 }, Inspector { code: "I2".into(), capacity: 9 }];
        assert!(matches!(
            assign_inspectors(&drawn, &small, &HashSet::new(), "s"),
            Err(DrawError::TooFewInspectors(..))
        ));
    }

    #[test]
    fn every_candidate_is_about_equally_likely() {
        // 20 candidates, 5 drawn per seed, 2,000 seeds: each expected 500 times
        let list = cands(20, &[""]);
        let mut hits: HashMap<String, f64> = HashMap::new();
        let seeds = 2000;
        for s in 0..seeds {
            for d in draw(&list, &format!("seed-{s}"), 2500).expect("draw") {
                *hits.entry(d.credit_code).or_default() += 1.0;
            }
        }
        let expected = seeds as f64 * 5.0 / 20.0;
        let chi2: f64 =
            list.iter().map(|c| (hits.get(&c.credit_code).copied().unwrap_or(0.0) - expected).powi(2) / expected).sum();
        // 19 degrees of freedom: P(χ² > 43.8) = 0.001
        assert!(chi2 < 43.8, "χ² = {chi2}");
    }

    proptest! {
        #[test]
        fn the_draw_is_reproducible_and_keeps_its_ratios(
            n in 1usize..300, strata in 1usize..5, ratio in 1u64..=10_000, seed in "[a-z0-9]{1,12}"
        ) {
            let names = ["association", "foundation", "service", "other", "filed"];
            let list = cands(n, &names[..strata]);
            let a = draw(&list, &seed, ratio).expect("draw");
            let mut shuffled = list.clone();
            shuffled.reverse();
            prop_assert_eq!(&a, &draw(&shuffled, &seed, ratio).expect("draw"), "the input order does not matter");
            for s in &names[..strata] {
                let size = list.iter().filter(|c| c.stratum == *s).count();
                let got = a.iter().filter(|d| d.stratum == *s).count();
                prop_assert_eq!(got, sample_size(size, ratio));
                prop_assert!(size == 0 || got >= 1, "every non-empty stratum");
            }
            let codes: HashSet<&String> = a.iter().map(|d| &d.credit_code).collect();
            prop_assert_eq!(codes.len(), a.len(), "no one twice");
        }

        #[test]
        fn drawn_inspectors_are_never_tied_or_overloaded(
            n in 1usize..30, pool_size in 2usize..12, cap in 1usize..6, seed in "[a-z0-9]{1,8}", tie_every in 2usize..5
        ) {
            let list = cands(n, &[""]);
            let drawn = draw(&list, &seed, 10_000).expect("draw");
            let pool: Vec<Inspector> = (0..pool_size).map(|i| Inspector { code: format!("P{i}"), capacity: cap }).collect();
            let ties: HashSet<(String, String)> = drawn.iter().enumerate()
                .filter(|(i, _)| i % tie_every == 0)
                .map(|(i, d)| (d.credit_code.clone(), format!("P{}", i % pool_size)))
                .collect();
            if let Ok(a) = assign_inspectors(&drawn, &pool, &ties, &seed) {
                let mut load: HashMap<&String, usize> = HashMap::new();
                for (d, people) in drawn.iter().zip(&a) {
                    prop_assert_eq!(people.len(), 2);
                    prop_assert!(people[0] != people[1]);
                    for p in people {
                        prop_assert!(!ties.contains(&(d.credit_code.clone(), p.clone())));
                        *load.entry(p).or_default() += 1;
                    }
                }
                prop_assert!(load.values().all(|v| *v <= cap));
                prop_assert_eq!(a, assign_inspectors(&drawn, &pool, &ties, &seed).expect("again"));
            } else {
                // nobody can be full when each may take every check, and at
                // most one of three is tied to an organization: then it must staff
                prop_assert!(cap < n || pool_size < 3, "refused although it could be staffed");
            }
        }
    }
}
