//! Names of proposed joint branches: township + field + 联合党支部, readable and unique.
//!
//! `文汇街道公益慈善类社会组织联合党支部`; without a shared field `文汇街道社会组织联合党支部`.
//! When two names would be the same (with each other or with an existing party organization),
//! the later ones take a Chinese ordinal before 联合党支部: `…社会组织第二联合党支部`. A name never
//! carries an id or any digit.

use std::collections::HashSet;

/// What a proposed branch is named after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameBasis {
    /// 文汇街道
    pub township_name: String,
    /// 公益慈善类, when all its organizations share one field
    pub field_label: Option<String>,
}

const SUFFIX: &str = "联合党支部";

/// The stem before the ordinal and 联合党支部.
fn stem(b: &NameBasis) -> String {
    format!("{}{}社会组织", b.township_name.trim(), b.field_label.as_deref().unwrap_or("").trim())
}

/// 1 → 一, 2 → 二, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五, 10000 and above in 万.
pub fn chinese_number(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 {
        return D[0].into();
    }
    if n >= 10_000 {
        let (hi, lo) = (n / 10_000, n % 10_000);
        let mut s = chinese_number(hi) + "万";
        if lo > 0 {
            if lo < 1000 {
                s.push('零');
            }
            s += &chinese_number(lo);
        }
        return s;
    }
    let units = ["千", "百", "十", ""];
    let digits = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10];
    let mut s = String::new();
    let mut zero = false;
    for (i, d) in digits.iter().enumerate() {
        if *d == 0 {
            if !s.is_empty() {
                zero = true;
            }
            continue;
        }
        if zero {
            s.push('零');
            zero = false;
        }
        // 十二, not 一十二
        if !(i == 2 && *d == 1 && s.is_empty()) {
            s += D[*d as usize];
        }
        s += units[i];
    }
    s
}

/// The name with an ordinal (1: none; 2: 第二…).
pub fn numbered(b: &NameBasis, n: u32) -> String {
    if n <= 1 { format!("{}{SUFFIX}", stem(b)) } else { format!("{}第{}{SUFFIX}", stem(b), chinese_number(n)) }
}

/// A name for each basis, in order, unique among themselves and not in `taken` (names of
/// existing party organizations). The first of a stem that is free keeps the plain name.
pub fn branch_names(bases: &[NameBasis], taken: &HashSet<String>) -> Vec<String> {
    let mut used: HashSet<String> = HashSet::new();
    bases
        .iter()
        .map(|b| {
            let mut n = 1;
            loop {
                let name = numbered(b, n);
                if !taken.contains(&name) && !used.contains(&name) {
                    used.insert(name.clone());
                    return name;
                }
                n += 1;
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn basis(t: &str, f: Option<&str>) -> NameBasis {
        NameBasis { township_name: t.into(), field_label: f.map(String::from) }
    }

    #[test]
    fn numbers_read_as_chinese() {
        let cases = [
            (1, "一"),
            (2, "二"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (21, "二十一"),
            (100, "一百"),
            (105, "一百零五"),
            (110, "一百一十"),
            (368, "三百六十八"),
            (1001, "一千零一"),
            (10_000, "一万"),
            (10_086, "一万零八十六"),
        ];
        for (n, s) in cases {
            assert_eq!(chinese_number(n), s, "{n}");
        }
    }

    #[test]
    fn names_read_as_township_field_branch() {
        let taken = HashSet::from(["文汇街道社会组织联合党支部".to_owned()]);
        let names = branch_names(
            &[
                basis("文汇街道", Some("公益慈善类")),
                basis("文汇街道", Some("公益慈善类")),
                basis("文汇街道", None),
                basis("辛店街道", None),
            ],
            &taken,
        );
        assert_eq!(
            names,
            vec![
                "文汇街道公益慈善类社会组织联合党支部",
                "文汇街道公益慈善类社会组织第二联合党支部",
                "文汇街道社会组织第二联合党支部",
                "辛店街道社会组织联合党支部",
            ]
        );
    }

    proptest! {
        #[test]
        fn names_are_unique_free_and_carry_no_digit(
            picks in prop::collection::vec((0usize..3, prop::option::of(0usize..3)), 0..60),
            taken_picks in prop::collection::vec((0usize..3, prop::option::of(0usize..3), 1u32..5), 0..10),
        ) {
            let towns = ["文汇街道", "辛店街道", "牛庄镇"];
            let fields = ["公益慈善类", "科技类", "社区服务类"];
            let bases: Vec<NameBasis> =
                picks.iter().map(|(t, f)| basis(towns[*t], f.map(|f| fields[f]))).collect();
            let taken: HashSet<String> = taken_picks
                .iter()
                .map(|(t, f, n)| numbered(&basis(towns[*t], f.map(|f| fields[f])), *n))
                .collect();
            let names = branch_names(&bases, &taken);
            prop_assert_eq!(names.len(), bases.len());
            let set: HashSet<&String> = names.iter().collect();
            prop_assert_eq!(set.len(), names.len());
            for (n, b) in names.iter().zip(&bases) {
                prop_assert!(!taken.contains(n));
                prop_assert!(!n.chars().any(char::is_numeric), "{}", n);
                prop_assert!(!n.contains('（'));
                prop_assert!(n.starts_with(b.township_name.as_str()));
                prop_assert!(n.ends_with(SUFFIX));
            }
        }

        #[test]
        fn chinese_numbers_carry_no_digit(n in 1u32..1_000_000) {
            let s = chinese_number(n);
            prop_assert!(!s.chars().any(|c| c.is_ascii_digit()));
            prop_assert!(!s.is_empty());
        }
    }
}
