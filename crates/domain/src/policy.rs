//! Policy profiles (政策参数, SPEC §4): every threshold and target of the rules
//! is a parameter of a jurisdiction, inherited down the region tree and
//! overridable at any level, dated so that a figure for a past date uses the
//! values in force on that date.
//!
//! A value is an integer in the parameter's unit (rates in basis points,
//! money in yuan). An entry may also clear a region's own value from a date
//! on, so that the region inherits again.

use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::date;

use crate::region::RegionCode;

/// The unit a parameter's integer is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// organizations, members, times, …
    Count,
    /// basis points: 9500 = 95%
    Rate,
    Yuan,
    Days,
    Metres,
    Years,
}

impl Unit {
    /// How a value reads on a page.
    pub fn format(self, v: i64, suffix: &str) -> String {
        match self {
            Unit::Rate => {
                if v % 100 == 0 {
                    format!("{}%", v / 100)
                } else {
                    format!("{:.2}%", v as f64 / 100.0)
                }
            }
            Unit::Metres if v % 1000 == 0 => format!("{} 公里", v / 1000),
            Unit::Metres => format!("{v} 米"),
            _ => format!("{v} {suffix}"),
        }
    }

    /// Parse what a clerk typed ("95%", "95", "3000", "5 公里") into the stored integer.
    pub fn parse(self, s: &str) -> Option<i64> {
        let s = s.trim().trim_end_matches(['%', '％']).trim();
        match self {
            Unit::Rate => {
                let v: f64 = s.parse().ok()?;
                (0.0..=100.0).contains(&v).then(|| (v * 100.0).round() as i64)
            }
            Unit::Metres => {
                let (num, km) = match s.strip_suffix("公里").or_else(|| s.strip_suffix("km")) {
                    Some(n) => (n.trim(), true),
                    None => (s.strip_suffix('米').or_else(|| s.strip_suffix('m')).unwrap_or(s).trim(), false),
                };
                let v: f64 = num.parse().ok()?;
                let m = if km { v * 1000.0 } else { v };
                (m >= 0.0).then(|| m.round() as i64)
            }
            _ => {
                let head: String = s.chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
                head.parse().ok()
            }
        }
    }
}

macro_rules! params {
    ($($variant:ident = $key:literal, $label:literal, $unit:ident, $suffix:literal, $min:literal..=$max:literal, $default:expr, $basis:literal;)+) => {
        /// The policy parameters.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Param { $($variant),+ }

        impl Param {
            pub const ALL: &'static [Param] = &[$(Param::$variant),+];

            pub fn key(self) -> &'static str {
                match self { $(Param::$variant => $key),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $(Param::$variant => $label),+ }
            }

            pub fn unit(self) -> Unit {
                match self { $(Param::$variant => Unit::$unit),+ }
            }

            /// The word after a count ("个", "名", "次").
            pub fn suffix(self) -> &'static str {
                match self { $(Param::$variant => $suffix),+ }
            }

            /// The allowed range of a value.
            pub fn range(self) -> (i64, i64) {
                match self { $(Param::$variant => ($min, $max)),+ }
            }

            /// The national default (None: no national figure; only localities set one).
            pub fn national_default(self) -> Option<i64> {
                match self { $(Param::$variant => $default),+ }
            }

            /// Where the national default comes from, or what the parameter governs.
            pub fn basis(self) -> &'static str {
                match self { $(Param::$variant => $basis),+ }
            }

            pub fn parse(s: &str) -> Option<Param> {
                Self::ALL.iter().copied().find(|p| p.key() == s)
            }
        }
    };
}

params! {
    StandaloneMinFormal = "standalone_min_formal", "单独组建党组织的正式党员数（不少于）", Count, "名", 3..=50, Some(3),
        "《中国共产党章程》：有正式党员三人以上的，都应当成立党的基层组织（003§2“应建尽建”）";
    JointBranchMaxOrgs = "joint_branch_max_orgs", "联合党支部覆盖组织数（不超过）", Count, "个", 2..=50, Some(5),
        "联合组建覆盖单位一般不超过5个（003§2）";
    JointBranchMinFormal = "joint_branch_min_formal", "联合党支部正式党员合计（不少于）", Count, "名", 3..=50, Some(3),
        "党支部须有3名以上正式党员";
    JointBranchMaxDistanceM = "joint_branch_max_distance_m", "跨乡镇（街道）联合组建的最大距离", Metres, "", 100..=200_000, Some(5000),
        "“地域相邻”：不在同一乡镇（街道）的组织相距不超过此距离方可联合组建（本系统默认值）";
    InstructorMaxOrgs = "instructor_max_orgs", "每名党建指导员联系组织数（不超过）", Count, "个", 1..=100, Some(5),
        "党建指导员工作量上限（本系统默认值，可按指导员单独设定）";
    SupervisorChannelMinOrgs = "supervisor_channel_min_orgs", "业务主管单位直管党建的组织数（不少于）", Count, "个", 1..=1000, Some(1),
        "有业务主管单位的社会组织党建工作由业务主管单位党组织负责（003§1）；锦江区为同一主管单位10家以上（004）";
    SecretaryTrainingsPerYear = "secretary_trainings_per_year", "党组织书记每年轮训（不少于）", Count, "次", 0..=12, Some(1),
        "每年对社会组织党组织书记至少轮训1次（000§1）";
    NewSecretaryTrainingDays = "new_secretary_training_days", "新任书记须在任职后多少天内完成培训", Days, "天", 0..=365, Some(90),
        "新上岗书记培训率达到100%（000§1）；期限为本系统默认值";
    NewPartyOrgFundYuan = "new_party_org_fund_yuan", "新建党组织党建工作经费（不少于）", Yuan, "元", 0..=1_000_000, None,
        "新成立社会组织党组织不少于3000元的党建工作经费（000§1）";
    EducationFundPerMemberYuan = "education_fund_per_member_yuan", "党员教育培训经费（每名党员）", Yuan, "元", 0..=100_000, None,
        "按照每名党员100元的标准划拨党员教育培训经费（004）";
    StartupSupportMinYuan = "startup_support_min_yuan", "新建社会组织扶持资金（下限）", Yuan, "元", 0..=10_000_000, None,
        "新建社会组织运行满一年考核合格给予5000—20000元扶持（004）";
    StartupSupportMaxYuan = "startup_support_max_yuan", "新建社会组织扶持资金（上限）", Yuan, "元", 0..=10_000_000, None,
        "新建社会组织运行满一年考核合格给予5000—20000元扶持（004）";
    CoverageRateTarget = "coverage_rate_target", "党的组织和工作覆盖率目标", Rate, "", 0..=10_000, None,
        "锦江区登记类社会组织党组织覆盖率动态保持95%左右（004）";
    StandaloneRateTarget = "standalone_rate_target", "单建率目标", Rate, "", 0..=10_000, None,
        "锦江区单建率达到35%以上（004）";
    UrbanCommunityOrgs = "urban_community_orgs", "每个城市社区社区社会组织数（不少于）", Count, "个", 0..=1000, None,
        "东营市：2020年每个城市社区平均不少于10个（002），2023年底前不少于12个（000§12）；雅安市不少于12个（001）";
    RuralCommunityOrgs = "rural_community_orgs", "每个农村社区社区社会组织数（不少于）", Count, "个", 0..=1000, None,
        "东营市每个农村社区平均不少于5个（002）；雅安市不少于7个（001）";
    VillageOrgs = "village_orgs", "每个行政村社区社会组织数（不少于）", Count, "个", 0..=1000, None,
        "每个行政村实现“一村一组织”（002）";
    Grade3aShareTarget = "grade_3a_share_target", "3A以上等级社会组织占比目标", Rate, "", 0..=10_000, None,
        "到2025年3A以上等级社会组织占比不低于10%（001）";
    DormantYearsWithoutReport = "dormant_years_without_report", "连续未参加年检年报认定“僵尸型”组织的年数", Years, "年", 1..=10, None,
        "定期清理连续2年以上不参加年检年报的“僵尸型”社会组织（001）";
}

impl Param {
    /// Format a value of this parameter for display.
    pub fn format(self, v: i64) -> String {
        self.unit().format(v, self.suffix())
    }

    /// Check a value typed for this parameter.
    pub fn check(self, v: i64) -> Result<(), String> {
        let (lo, hi) = self.range();
        if (lo..=hi).contains(&v) {
            Ok(())
        } else {
            Err(format!("{}应在 {} 至 {} 之间", self.label(), self.format(lo), self.format(hi)))
        }
    }
}

/// One dated setting of a parameter for a region. `value: None` clears the
/// region's own value from `effective_from` on (the region inherits again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyEntry {
    /// Ordering among entries of the same region, parameter and date (the later wins).
    pub seq: i64,
    pub region: String,
    pub param: Param,
    pub value: Option<i64>,
    pub effective_from: Date,
    /// The document the value comes from.
    pub basis: String,
}

/// Where an effective value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    National,
    Region { code: String, effective_from: Date, basis: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolved {
    pub param: Param,
    pub value: Option<i64>,
    pub source: Source,
}

/// The values in force for a region on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub region: String,
    pub on: Date,
    pub values: Vec<Resolved>,
}

impl Profile {
    pub fn get(&self, p: Param) -> Option<i64> {
        self.values.iter().find(|r| r.param == p).and_then(|r| r.value)
    }

    /// The value, or the national default when none is in force (only for
    /// parameters that have one; others fall back to `fallback`).
    pub fn get_or(&self, p: Param, fallback: i64) -> i64 {
        self.get(p).or(p.national_default()).unwrap_or(fallback)
    }

    /// A count parameter as u32 (never below zero).
    pub fn count(&self, p: Param) -> u32 {
        u32::try_from(self.get_or(p, 0).max(0)).unwrap_or(u32::MAX)
    }
}

/// The chain a region inherits along: itself, then its ancestors up to the province.
fn chain(region: &str) -> Vec<String> {
    match RegionCode::parse(region) {
        Ok(c) => {
            let mut v: Vec<String> = c.ancestors().into_iter().map(String::from).collect();
            v.push(c.to_string());
            v.reverse();
            v
        }
        Err(_) => vec![],
    }
}

/// Resolve one parameter for `region` on `on`: the nearest region (itself
/// first, then upwards) whose latest entry effective on or before `on` sets a
/// value; a clearing entry passes the question to the parent; at the top, the
/// national default.
pub fn resolve_param(entries: &[PolicyEntry], region: &str, on: Date, p: Param) -> Resolved {
    for code in chain(region) {
        let latest = entries
            .iter()
            .filter(|e| e.param == p && e.region == code && e.effective_from <= on)
            .max_by_key(|e| (e.effective_from, e.seq));
        if let Some(e) = latest
            && let Some(v) = e.value
        {
            return Resolved {
                param: p,
                value: Some(v),
                source: Source::Region { code, effective_from: e.effective_from, basis: e.basis.clone() },
            };
        }
    }
    Resolved { param: p, value: p.national_default(), source: Source::National }
}

/// Every parameter for `region` on `on`.
pub fn resolve(entries: &[PolicyEntry], region: &str, on: Date) -> Profile {
    Profile {
        region: region.to_owned(),
        on,
        values: Param::ALL.iter().map(|p| resolve_param(entries, region, on, *p)).collect(),
    }
}

/// The profiles shipped for the four seed localities, dated by their documents.
pub fn shipped() -> Vec<PolicyEntry> {
    use Param::*;
    let dongying_2022 = "东营市《关于党建引领社会组织助力黄河流域生态保护和高质量发展的指导意见》（2022）";
    let dongying_2020 = "东营市民政局《关于党建引领培育发展社区社会组织的实施意见》（2020）";
    let yaan = "雅安市《全市社会组织赋能聚力行动计划（2023—2025年）》";
    let xuecheng = "薛城区《关于加强党建引领促进社会组织高质量发展的指导意见》（薛民字〔2020〕31号）";
    let jinjiang = "成都市锦江区“红色领航”工程（2016）";
    let rows: &[(&str, Param, i64, Date, &str)] = &[
        ("3705", StandaloneMinFormal, 3, date!(2020 - 04 - 15), dongying_2020),
        ("3705", JointBranchMaxOrgs, 5, date!(2020 - 04 - 15), dongying_2020),
        ("3705", UrbanCommunityOrgs, 10, date!(2020 - 04 - 15), dongying_2020),
        ("3705", RuralCommunityOrgs, 5, date!(2020 - 04 - 15), dongying_2020),
        ("3705", VillageOrgs, 1, date!(2020 - 04 - 15), dongying_2020),
        ("3705", UrbanCommunityOrgs, 12, date!(2023 - 12 - 31), dongying_2022),
        ("3705", NewPartyOrgFundYuan, 3000, date!(2022 - 08 - 18), dongying_2022),
        ("3705", SecretaryTrainingsPerYear, 1, date!(2022 - 08 - 18), dongying_2022),
        ("5118", StandaloneMinFormal, 3, date!(2023 - 04 - 21), yaan),
        ("5118", JointBranchMaxOrgs, 5, date!(2023 - 04 - 21), yaan),
        ("5118", UrbanCommunityOrgs, 12, date!(2023 - 04 - 21), yaan),
        ("5118", RuralCommunityOrgs, 7, date!(2023 - 04 - 21), yaan),
        ("5118", Grade3aShareTarget, 1000, date!(2023 - 04 - 21), yaan),
        ("5118", DormantYearsWithoutReport, 2, date!(2023 - 04 - 21), yaan),
        ("370403", StandaloneMinFormal, 3, date!(2020 - 12 - 07), xuecheng),
        ("370403", JointBranchMaxOrgs, 5, date!(2020 - 12 - 07), xuecheng),
        ("510104", StandaloneMinFormal, 3, date!(2016 - 06 - 12), jinjiang),
        ("510104", JointBranchMaxOrgs, 5, date!(2016 - 06 - 12), jinjiang),
        ("510104", SupervisorChannelMinOrgs, 10, date!(2016 - 06 - 12), jinjiang),
        ("510104", StartupSupportMinYuan, 5000, date!(2016 - 06 - 12), jinjiang),
        ("510104", StartupSupportMaxYuan, 20000, date!(2016 - 06 - 12), jinjiang),
        ("510104", EducationFundPerMemberYuan, 100, date!(2016 - 06 - 12), jinjiang),
        ("510104", CoverageRateTarget, 9500, date!(2016 - 06 - 12), jinjiang),
        ("510104", StandaloneRateTarget, 3500, date!(2016 - 06 - 12), jinjiang),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, (region, param, value, from, basis))| PolicyEntry {
            seq: i as i64,
            region: (*region).to_owned(),
            param: *param,
            value: Some(*value),
            effective_from: *from,
            basis: (*basis).to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(seq: i64, region: &str, param: Param, value: Option<i64>, from: Date) -> PolicyEntry {
        PolicyEntry { seq, region: region.into(), param, value, effective_from: from, basis: String::new() }
    }

    #[test]
    fn keys_round_trip_and_defaults_are_in_range() {
        for p in Param::ALL {
            assert_eq!(Param::parse(p.key()), Some(*p));
            if let Some(d) = p.national_default() {
                assert!(p.check(d).is_ok(), "{p:?}");
            }
        }
    }

    #[test]
    fn shipped_values_are_valid_and_visible() {
        let s = shipped();
        for e in &s {
            assert!(e.param.check(e.value.expect("set")).is_ok(), "{e:?}");
        }
        let on = date!(2026 - 01 - 01);
        let jj = resolve(&s, "510104021", on);
        assert_eq!(jj.get(Param::SupervisorChannelMinOrgs), Some(10));
        assert_eq!(jj.get(Param::CoverageRateTarget), Some(9500));
        let ya = resolve(&s, "511802", on);
        assert_eq!(ya.get(Param::RuralCommunityOrgs), Some(7));
        assert_eq!(ya.get(Param::DormantYearsWithoutReport), Some(2));
        // a region with no profile of its own gets the national defaults
        let other = resolve(&s, "110101", on);
        assert_eq!(other.get(Param::JointBranchMaxOrgs), Some(5));
        assert_eq!(other.get(Param::NewPartyOrgFundYuan), None);
        assert!(other.values.iter().all(|r| r.source == Source::National));
    }

    #[test]
    fn dongying_urban_target_is_dated() {
        let s = shipped();
        let before = resolve_param(&s, "370502001", date!(2023 - 12 - 30), Param::UrbanCommunityOrgs);
        let after = resolve_param(&s, "370502001", date!(2023 - 12 - 31), Param::UrbanCommunityOrgs);
        assert_eq!(before.value, Some(10));
        assert_eq!(after.value, Some(12));
        assert!(matches!(after.source, Source::Region { ref code, .. } if code == "3705"));
        assert_eq!(resolve_param(&s, "3705", date!(2019 - 01 - 01), Param::UrbanCommunityOrgs).value, None);
    }

    #[test]
    fn nearest_region_wins_and_clearing_inherits() {
        let d0 = date!(2025 - 01 - 01);
        let d1 = date!(2026 - 01 - 01);
        let es = vec![
            entry(1, "37", Param::JointBranchMaxOrgs, Some(6), d0),
            entry(2, "3705", Param::JointBranchMaxOrgs, Some(4), d0),
            entry(3, "3705", Param::JointBranchMaxOrgs, None, d1),
        ];
        let r = resolve_param(&es, "370502", date!(2025 - 06 - 01), Param::JointBranchMaxOrgs);
        assert_eq!(r.value, Some(4));
        // from 2026 the city inherits the province's value again
        let r = resolve_param(&es, "370502", date!(2026 - 06 - 01), Param::JointBranchMaxOrgs);
        assert_eq!(r.value, Some(6));
        assert!(matches!(r.source, Source::Region { ref code, .. } if code == "37"));
        // another city only sees the province
        assert_eq!(resolve_param(&es, "3706", date!(2025 - 06 - 01), Param::JointBranchMaxOrgs).value, Some(6));
        // before anything was set: national
        let r = resolve_param(&es, "370502", date!(2024 - 06 - 01), Param::JointBranchMaxOrgs);
        assert_eq!((r.value, r.source), (Some(5), Source::National));
    }

    #[test]
    fn later_entry_of_the_same_day_wins() {
        let d = date!(2025 - 01 - 01);
        let es = vec![
            entry(7, "3705", Param::InstructorMaxOrgs, Some(8), d),
            entry(3, "3705", Param::InstructorMaxOrgs, Some(2), d),
        ];
        assert_eq!(resolve_param(&es, "3705", d, Param::InstructorMaxOrgs).value, Some(8));
    }

    #[test]
    fn units_parse_and_format() {
        assert_eq!(Unit::Rate.parse("95%"), Some(9500));
        assert_eq!(Unit::Rate.parse("35.5"), Some(3550));
        assert_eq!(Unit::Rate.parse("120%"), None);
        assert_eq!(Unit::Metres.parse("5 公里"), Some(5000));
        assert_eq!(Unit::Metres.parse("800米"), Some(800));
        assert_eq!(Unit::Count.parse("5 个"), Some(5));
        assert_eq!(Unit::Count.parse("abc"), None);
        assert_eq!(Param::CoverageRateTarget.format(9500), "95%");
        assert_eq!(Param::JointBranchMaxDistanceM.format(5000), "5 公里");
        assert_eq!(Param::NewPartyOrgFundYuan.format(3000), "3000 元");
        assert!(Param::JointBranchMaxOrgs.check(1).is_err());
    }

    fn region() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["37", "3705", "370502", "370502001", "370502001001", "3706", "370602"])
            .prop_map(str::to_owned)
    }

    proptest! {
        /// The resolved value always comes from an entry of the region or an
        /// ancestor effective on the date, or is the national default; and no
        /// nearer region has a value-setting entry in force.
        #[test]
        fn resolution_is_sound(
            raw in prop::collection::vec((region(), prop::option::of(2i64..9), 0i64..400), 0..12),
            target in region(),
            day in 0i64..400,
        ) {
            let base = date!(2025 - 01 - 01);
            let es: Vec<PolicyEntry> = raw.iter().enumerate()
                .map(|(i, (r, v, d))| entry(i as i64, r, Param::JointBranchMaxOrgs, *v, base + time::Duration::days(*d)))
                .collect();
            let on = base + time::Duration::days(day);
            let r = resolve_param(&es, &target, on, Param::JointBranchMaxOrgs);
            match &r.source {
                Source::National => prop_assert_eq!(r.value, Some(5)),
                Source::Region { code, effective_from, .. } => {
                    prop_assert!(target.starts_with(code.as_str()));
                    prop_assert!(*effective_from <= on);
                    prop_assert!(es.iter().any(|e| &e.region == code && e.value == r.value && e.effective_from == *effective_from));
                    // no nearer region sets a value in force
                    for e in &es {
                        if target.starts_with(e.region.as_str()) && e.region.len() > code.len() && e.effective_from <= on {
                            let latest = es.iter()
                                .filter(|x| x.region == e.region && x.effective_from <= on)
                                .max_by_key(|x| (x.effective_from, x.seq))
                                .expect("exists");
                            prop_assert!(latest.value.is_none());
                        }
                    }
                }
            }
        }
    }
}
