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
    /// a switch: 1 on (是), 0 off (否)
    Flag,
}

impl Unit {
    pub const ALL: &'static [Unit] =
        &[Unit::Count, Unit::Rate, Unit::Yuan, Unit::Days, Unit::Metres, Unit::Years, Unit::Flag];

    /// The identifier, as the API answers it (serde's name).
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "count",
            Unit::Rate => "rate",
            Unit::Yuan => "yuan",
            Unit::Days => "days",
            Unit::Metres => "metres",
            Unit::Years => "years",
            Unit::Flag => "flag",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Unit::Count => "个数",
            Unit::Rate => "比率，以万分之一计（9500 即 95%）",
            Unit::Yuan => "元",
            Unit::Days => "天",
            Unit::Metres => "米",
            Unit::Years => "年",
            Unit::Flag => "是否（1 是，0 否）",
        }
    }

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
            Unit::Flag => if v != 0 { "是" } else { "否" }.to_owned(),
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
            Unit::Flag => match s {
                "1" | "是" | "开启" | "需要" | "on" | "yes" | "true" => Some(1),
                "0" | "否" | "关闭" | "不需要" | "off" | "no" | "false" => Some(0),
                _ => None,
            },
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

            /// Where the national default comes from: a national document, or
            /// 本系统默认值 where the figure is our own decision; for a parameter
            /// without a national figure, that each locality sets its own.
            pub fn basis(self) -> &'static str {
                match self { $(Param::$variant => $basis),+ }
            }

            pub fn parse(s: &str) -> Option<Param> {
                Self::ALL.iter().copied().find(|p| p.key() == s)
            }
        }
    };
}

// in the OpenAPI document: the keys, with the Chinese labels in the description
impl utoipa::PartialSchema for Param {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let pairs: Vec<(&str, &str)> = Param::ALL.iter().map(|p| (p.key(), p.label())).collect();
        crate::enums::choice_schema(&pairs, false)
    }
}

impl utoipa::ToSchema for Param {}

impl utoipa::PartialSchema for Unit {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let pairs: Vec<(&str, &str)> = Unit::ALL.iter().map(|u| (u.as_str(), u.label())).collect();
        crate::enums::choice_schema(&pairs, false)
    }
}

impl utoipa::ToSchema for Unit {}

params! {
    StandaloneMinFormal = "standalone_min_formal", "单独组建党组织的正式党员数（不少于）", Count, "名", 3..=50, Some(3),
        "《中国共产党章程》第三十条：凡是有正式党员三人以上的，都应当成立党的基层组织";
    JointBranchMaxOrgs = "joint_branch_max_orgs", "联合党支部覆盖组织数（不超过）", Count, "个", 2..=50, Some(5),
        "《中国共产党支部工作条例（试行）》第二章：正式党员不足3人的单位成立联合党支部，覆盖单位一般不超过5个";
    JointBranchMinFormal = "joint_branch_min_formal", "联合党支部正式党员合计（不少于）", Count, "名", 3..=50, Some(3),
        "《中国共产党章程》第三十条：有正式党员三人以上方可成立党的基层组织（联合党支部的正式党员合计同此）";
    JointBranchMaxDistanceM = "joint_branch_max_distance_m", "跨乡镇（街道）联合组建的最大距离", Metres, "", 100..=200_000, Some(5000),
        "本系统默认值：“地域相邻”指不在同一乡镇（街道）的组织相距不超过此距离方可联合组建";
    InstructorMaxOrgs = "instructor_max_orgs", "每名党建指导员联系组织数（不超过）", Count, "个", 1..=100, Some(5),
        "本系统默认值：党建指导员工作量上限，可按指导员单独设定";
    SupervisorChannelMinOrgs = "supervisor_channel_min_orgs", "业务主管单位直管党建的同类组织数（不少于）", Count, "个", 1..=1000, Some(1),
        "本系统默认值：有业务主管单位的社会组织，党建工作即由业务主管单位党组织负责，不设数量门槛";
    SecretaryTrainingsPerYear = "secretary_trainings_per_year", "党组织书记每年轮训（不少于）", Count, "次", 0..=12, Some(1),
        "本系统默认值：社会组织党组织书记每年至少轮训1次";
    NewSecretaryTrainingDays = "new_secretary_training_days", "新任书记须在任职后多少天内完成培训", Days, "天", 0..=365, Some(90),
        "本系统默认值：新任书记任职后90天内完成培训";
    SecretaryTrainingWindowDays = "secretary_training_window_days", "书记轮训的统计期（0 为按自然年，否则为截至当日的天数）", Days, "天", 0..=730, Some(0),
        "本系统默认值：“每年至少轮训1次”按自然年（1月1日至12月31日）统计";
    NewPartyOrgFundYuan = "new_party_org_fund_yuan", "新建党组织党建工作经费（不少于）", Yuan, "元", 0..=1_000_000, None,
        "全国无统一标准，由各地设定";
    EducationFundPerMemberYuan = "education_fund_per_member_yuan", "党员教育培训经费（每名党员）", Yuan, "元", 0..=100_000, None,
        "全国无统一标准，由各地设定";
    StartupSupportMinYuan = "startup_support_min_yuan", "新建社会组织扶持资金（下限）", Yuan, "元", 0..=10_000_000, None,
        "全国无统一标准，由各地设定";
    StartupSupportMaxYuan = "startup_support_max_yuan", "新建社会组织扶持资金（上限）", Yuan, "元", 0..=10_000_000, None,
        "全国无统一标准，由各地设定";
    CoverageRateTarget = "coverage_rate_target", "党的组织和工作覆盖率目标（登记和备案的社会组织）", Rate, "", 0..=10_000, None,
        "全国无统一标准，由各地设定";
    StandaloneRateTarget = "standalone_rate_target", "单建率目标（登记和备案的社会组织）", Rate, "", 0..=10_000, None,
        "全国无统一标准，由各地设定";
    RegisteredPartyOrgRateReference = "registered_party_org_rate_reference", "登记类社会组织党组织覆盖率（参考值，以登记类社会组织为基数）", Rate, "", 0..=10_000, None,
        "全国无统一标准：地方报告的水平，作为参考而非考核目标";
    RegisteredStandaloneRateReference = "registered_standalone_rate_reference", "登记类社会组织单建率（参考值，以登记类社会组织为基数）", Rate, "", 0..=10_000, None,
        "全国无统一标准：地方报告的水平，作为参考而非考核目标";
    UrbanCommunityOrgs = "urban_community_orgs", "城市社区平均拥有社区社会组织数（平均不少于）", Count, "个", 0..=1000, None,
        "全国无统一标准，由各地设定";
    RuralCommunityOrgs = "rural_community_orgs", "农村社区平均拥有社区社会组织数（平均不少于，不含行政村）", Count, "个", 0..=1000, None,
        "全国无统一标准，由各地设定";
    VillageOrgs = "village_orgs", "每个行政村社区社会组织数（每村不少于，不含农村社区）", Count, "个", 0..=1000, None,
        "全国无统一标准，由各地设定";
    Grade3aShareTarget = "grade_3a_share_target", "3A以上等级社会组织占比目标", Rate, "", 0..=10_000, None,
        "全国无统一标准，由各地设定";
    RegistryDecisionApproval = "registry_decision_approval", "注销、撤销、吊销和恢复须经登记管理机关负责人批准", Flag, "", 0..=1, Some(1),
        "本系统默认值：注销、撤销、吊销和恢复由经办人提出、登记管理机关负责人批准后生效（两人办理），各地可设为否";
    DormantYearsWithoutReport = "dormant_years_without_report", "连续未参加年检年报认定“僵尸型”组织的年数", Years, "年", 1..=10, None,
        "全国无统一标准，由各地设定";
}

/// What stands behind a parameter's value when no locality sets one (item 7
/// of issue 11: no value is called 全国默认 unless a national rule sets it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultKind {
    /// A national document sets the figure (《中国共产党章程》, 《支部工作条例》).
    NationalRule,
    /// The figure is this system's own decision (本系统默认值).
    SystemDefault,
    /// No national figure: only localities set one.
    None,
}

impl DefaultKind {
    /// How the source column of the policy page names it.
    pub fn label(self) -> &'static str {
        match self {
            DefaultKind::NationalRule => "全国默认（国家规定）",
            DefaultKind::SystemDefault => "本系统默认值",
            DefaultKind::None => "未设定（全国无统一标准）",
        }
    }
}

impl Param {
    /// Whether the default comes from a national rule, is our own, or is absent.
    pub fn default_kind(self) -> DefaultKind {
        match self.national_default() {
            None => DefaultKind::None,
            Some(_) if self.basis().starts_with("本系统默认值") => DefaultKind::SystemDefault,
            Some(_) => DefaultKind::NationalRule,
        }
    }

    /// A target the seeds state as an average over communities (平均不少于,
    /// `000§12`, `001`, `002` 二（二）), not a minimum for each community.
    pub fn is_average(self) -> bool {
        matches!(self, Param::UrbanCommunityOrgs | Param::RuralCommunityOrgs)
    }

    /// A level a locality reported, for reference only (not a target).
    pub fn is_reference(self) -> bool {
        matches!(self, Param::RegisteredPartyOrgRateReference | Param::RegisteredStandaloneRateReference)
    }

    /// Format a value of this parameter for display.
    pub fn format(self, v: i64) -> String {
        match self {
            // 0: the calendar year (the default), not "0 days"
            Param::SecretaryTrainingWindowDays if v == 0 => "按自然年".to_owned(),
            _ => self.unit().format(v, self.suffix()),
        }
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

/// A basis split into the document's title and the clause, for the policy
/// page (issue 11 item 7): the title runs to the last 》 (with a closing
/// parenthesis right after it); 本系统默认值 and free text without a title
/// stand whole, with the explanation after 本系统默认值 as the clause.
pub fn split_basis(basis: &str) -> (String, String) {
    let b = basis.trim();
    if let Some(rest) = b.strip_prefix("本系统默认值") {
        return ("本系统默认值".to_owned(), rest.trim_start_matches(['：', ':']).trim().to_owned());
    }
    match b.rfind('》') {
        None => (b.to_owned(), String::new()),
        Some(i) => {
            let mut end = i + '》'.len_utf8();
            if b[end..].starts_with('）') {
                end += '）'.len_utf8();
            } else if b[end..].starts_with('（')
                && let Some(j) = b[end..].find('）')
                && b[end..end + j].contains('年')
            {
                // a date after the title, e.g. 《…》（2022年8月）
                end += j + '）'.len_utf8();
            }
            let clause = b[end..].trim_start_matches(['，', '：', ':', ' ']).trim();
            (b[..end].to_owned(), clause.to_owned())
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
    /// Shipped with the product (`shipped()`), as opposed to set by the
    /// locality itself. A locality's own entries take precedence over the
    /// shipped ones of the same region (see `resolve_param`).
    #[serde(default)]
    pub builtin: bool,
}

impl PolicyEntry {
    /// The identity of a shipped entry across releases: region, parameter and date.
    pub fn key(&self) -> (&str, Param, Date) {
        (&self.region, self.param, self.effective_from)
    }
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

/// The entry that decides a region's own value of `p` on `on`, if any: the
/// latest of the region's own (locality-set) entries in force; only when the
/// region has none in force, the latest of its shipped entries in force.
///
/// So a locality's own decision (a value, or clearing to inherit) stands from
/// its date until the locality changes it: a shipped entry of the same region
/// and parameter never overrides it, whether dated earlier, on the same day or
/// later (a later shipped entry arriving with an upgrade included). Before the
/// locality's first own entry, the shipped entries apply as dated, so figures
/// of past years keep the values then in force.
fn deciding<'a>(entries: &'a [PolicyEntry], code: &str, on: Date, p: Param) -> Option<&'a PolicyEntry> {
    let in_force = || entries.iter().filter(|e| e.param == p && e.region == code && e.effective_from <= on);
    let latest = |builtin: bool| in_force().filter(|e| e.builtin == builtin).max_by_key(|e| (e.effective_from, e.seq));
    latest(false).or_else(|| latest(true))
}

/// Resolve one parameter for `region` on `on`: the nearest region (itself
/// first, then upwards) whose deciding entry (`deciding`: its own entries
/// before the shipped ones) sets a value; a clearing entry passes the
/// question to the parent; at the top, the national default.
pub fn resolve_param(entries: &[PolicyEntry], region: &str, on: Date, p: Param) -> Resolved {
    for code in chain(region) {
        if let Some(e) = deciding(entries, &code, on, p)
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

/// The profiles shipped for the four seed localities, dated by their
/// documents. Each entry's identity across releases is its `key()` (region,
/// parameter, date): the store synchronises these into every database on
/// start (`hongling_store::policy::sync_builtin_policy`), so a value added or
/// changed here reaches an existing database with the next upgrade, and one
/// dropped here is removed there. Each basis names the source document by
/// its issuing number (where the published text shows one) and title, and
/// the item the value comes from.
pub fn shipped() -> Vec<PolicyEntry> {
    use Param::*;
    // 东营市民政局等《关于党建引领培育发展社区社会组织的实施意见》, 2020-04-15
    let dongying_2020 = |item: &str| format!("东民〔2020〕14号《关于党建引领培育发展社区社会组织的实施意见》{item}");
    // the guidance of 2022 (published 2022-08-18 with its interpretation; no
    // issuing number appears in the published text)
    let dongying_2022 = |item: &str| {
        format!("东营市《关于党建引领社会组织助力黄河流域生态保护和高质量发展的指导意见》（2022年8月）{item}")
    };
    // 雅安市民政局关于印发《全市社会组织赋能聚力行动计划（2023—2025年）》的通知, 2023-04-21
    let yaan = |item: &str| format!("雅安市民政局《全市社会组织赋能聚力行动计划（2023—2025年）》{item}");
    let xuecheng = |item: &str| format!("薛民字〔2020〕31号《关于加强党建引领促进社会组织高质量发展的指导意见》{item}");
    // a report of the district's programme, not a normative document
    let jinjiang = |item: &str| {
        format!(
            "成都市锦江区社会组织党建“红色领航”工程（人民网2016年6月12日报道《实施“红色领航”工程 破解社会组织党建“五大难题”》）{item}"
        )
    };
    let rows: Vec<(&str, Param, i64, Date, String)> = vec![
        // 3 formal members and 5 organizations per joint branch: only 薛城区's document
        // (`003§2`) states them among the seeds; 东营市, 雅安市 and 锦江区 inherit the
        // national rule (issue 11 item 15), so no row of theirs cites 001, 002 or 004 for them
        (
            "3705",
            UrbanCommunityOrgs,
            10,
            date!(2020 - 04 - 15),
            dongying_2020("第二部分（二）发展目标：每个城市社区平均不少于10个"),
        ),
        (
            "3705",
            RuralCommunityOrgs,
            5,
            date!(2020 - 04 - 15),
            dongying_2020("第二部分（二）发展目标：每个农村社区平均不少于5个"),
        ),
        ("3705", VillageOrgs, 1, date!(2020 - 04 - 15), dongying_2020("第二部分（二）发展目标：一村一组织")),
        (
            "3705",
            UrbanCommunityOrgs,
            12,
            date!(2023 - 12 - 31),
            dongying_2022("第12条（实施社区社会组织赋能行动）：2023年底前城市社区平均拥有不少于12个"),
        ),
        (
            "3705",
            NewPartyOrgFundYuan,
            3000,
            date!(2022 - 08 - 18),
            dongying_2022("第1条（推进党的组织和工作有效覆盖）"),
        ),
        (
            "3705",
            SecretaryTrainingsPerYear,
            1,
            date!(2022 - 08 - 18),
            dongying_2022("第1条（推进党的组织和工作有效覆盖）"),
        ),
        (
            "5118",
            UrbanCommunityOrgs,
            12,
            date!(2023 - 04 - 21),
            yaan("第二部分（二）实施社区社会组织培育工程：城市社区平均拥有不少于12个"),
        ),
        (
            "5118",
            RuralCommunityOrgs,
            7,
            date!(2023 - 04 - 21),
            yaan("第二部分（二）实施社区社会组织培育工程：农村社区平均拥有不少于7个"),
        ),
        ("5118", Grade3aShareTarget, 1000, date!(2023 - 04 - 21), yaan("第二部分（四）规范社会组织等级评估：到2025年")),
        ("5118", DormantYearsWithoutReport, 2, date!(2023 - 04 - 21), yaan("第二部分（四）整治“僵尸型”社会组织")),
        (
            "370403",
            StandaloneMinFormal,
            3,
            date!(2020 - 12 - 07),
            xuecheng("第2条（应建尽建）：社会组织有3名以上正式党员的，全部单独成立党组织"),
        ),
        (
            "370403",
            JointBranchMaxOrgs,
            5,
            date!(2020 - 12 - 07),
            xuecheng("第2条（联合组建）：成立联合党支部，覆盖单位一般不超过5个"),
        ),
        // "同类社会组织超过10家以上属于同一业务主管单位": more than 10 of the same kind, i.e. at least 11
        (
            "510104",
            SupervisorChannelMinOrgs,
            11,
            date!(2016 - 06 - 12),
            jinjiang("“三类模式导航”部分：同类社会组织超过10家以上属于同一业务主管单位的（即同类不少于11家）"),
        ),
        ("510104", StartupSupportMinYuan, 5000, date!(2016 - 06 - 12), jinjiang("“三级挂钩护航”部分")),
        ("510104", StartupSupportMaxYuan, 20000, date!(2016 - 06 - 12), jinjiang("“三级挂钩护航”部分")),
        ("510104", EducationFundPerMemberYuan, 100, date!(2016 - 06 - 12), jinjiang("“三类保障助航”部分")),
        // reported levels of the district's registered organizations, not targets for
        // registered and filed ones (issue 11 item 12)
        (
            "510104",
            RegisteredPartyOrgRateReference,
            9500,
            date!(2016 - 06 - 12),
            jinjiang("“三大行动引航”部分：登记类社会组织党组织覆盖率动态保持95%左右"),
        ),
        (
            "510104",
            RegisteredStandaloneRateReference,
            3500,
            date!(2016 - 06 - 12),
            jinjiang("“三大行动引航”部分：单建率达到35%以上"),
        ),
    ];
    rows.into_iter()
        .enumerate()
        .map(|(i, (region, param, value, from, basis))| PolicyEntry {
            seq: i as i64,
            region: region.to_owned(),
            param,
            value: Some(value),
            effective_from: from,
            basis,
            builtin: true,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn entry(seq: i64, region: &str, param: Param, value: Option<i64>, from: Date) -> PolicyEntry {
        PolicyEntry {
            seq,
            region: region.into(),
            param,
            value,
            effective_from: from,
            basis: String::new(),
            builtin: false,
        }
    }

    fn shipped_entry(seq: i64, region: &str, param: Param, value: Option<i64>, from: Date) -> PolicyEntry {
        PolicyEntry { builtin: true, ..entry(seq, region, param, value, from) }
    }

    #[test]
    fn shipped_entries_have_unique_identities_and_name_their_documents() {
        let s = shipped();
        let mut keys: Vec<_> = s.iter().map(PolicyEntry::key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), s.len(), "one shipped entry per region, parameter and date");
        for e in &s {
            assert!(e.builtin, "{e:?}");
            assert!(e.basis.contains('《') && e.basis.contains('》'), "a document title: {}", e.basis);
            assert!(!e.basis.contains('§') && !e.basis.contains("（00"), "no seed codes: {}", e.basis);
            assert!(e.basis.chars().count() <= 200, "as long as a basis a clerk may type: {}", e.basis);
        }
        let xc = s.iter().find(|e| e.region == "370403" && e.param == Param::JointBranchMaxOrgs).expect("薛城区");
        assert!(xc.basis.starts_with("薛民字〔2020〕31号《关于加强党建引领促进社会组织高质量发展的指导意见》"));
        let dy = s.iter().find(|e| e.region == "3705" && e.param == Param::VillageOrgs).expect("东营市");
        assert!(dy.basis.starts_with("东民〔2020〕14号《关于党建引领培育发展社区社会组织的实施意见》"));
        for p in Param::ALL {
            let b = p.basis();
            assert!(!b.contains('§') && !b.contains("（00"), "{p:?}: {b}");
            if p.national_default().is_some() {
                assert!(b.contains('《') || b.starts_with("本系统默认值"), "{p:?}: {b}");
            }
        }
    }

    /// A locality's own value of a region and parameter wins over a shipped
    /// value of the same region and parameter dated the same day or earlier,
    /// whatever order the rows were stored in (a sync inserts shipped rows
    /// after the locality's).
    #[test]
    fn own_value_wins_over_shipped_of_the_same_or_an_earlier_date() {
        let d = date!(2023 - 04 - 21);
        let own = entry(1, "5118", Param::RuralCommunityOrgs, Some(9), d);
        let same_day = shipped_entry(50, "5118", Param::RuralCommunityOrgs, Some(7), d);
        let earlier = shipped_entry(51, "5118", Param::RuralCommunityOrgs, Some(6), date!(2020 - 01 - 01));
        let es = vec![own, same_day, earlier];
        let r = resolve_param(&es, "511802", date!(2025 - 01 - 01), Param::RuralCommunityOrgs);
        assert_eq!(r.value, Some(9));
        assert!(
            matches!(r.source, Source::Region { ref code, effective_from, .. } if code == "5118" && effective_from == d)
        );
        // before the locality's own date, the earlier shipped value applied
        assert_eq!(resolve_param(&es, "5118", date!(2021 - 01 - 01), Param::RuralCommunityOrgs).value, Some(6));
    }

    /// Decision (docs/ARCHITECTURE.md, Policy profiles): a locality's own value
    /// stands until the locality changes it. A shipped value of a later date
    /// for that region and parameter, as a new release may bring, applies only
    /// to dates before the locality's first own entry; from then on the
    /// locality decides, shipped rows dated later included.
    #[test]
    fn later_shipped_value_does_not_override_an_earlier_own_value() {
        let own_from = date!(2021 - 01 - 01);
        let mut es = shipped();
        es.push(entry(1000, "3705", Param::UrbanCommunityOrgs, Some(15), own_from));
        let on = |d| resolve_param(&es, "370502001", d, Param::UrbanCommunityOrgs);
        // shipped 10 from 2020-04-15 applies until the locality's own value
        assert_eq!(on(date!(2020 - 12 - 31)).value, Some(10));
        assert_eq!(on(own_from).value, Some(15));
        // the shipped 12 from 2023-12-31 does not replace the locality's 15
        let r = on(date!(2026 - 01 - 01));
        assert_eq!(r.value, Some(15));
        assert!(matches!(r.source, Source::Region { effective_from, .. } if effective_from == own_from));
        // a region without an own value still gets the later shipped value
        assert_eq!(resolve_param(&es, "3705", date!(2024 - 01 - 01), Param::RuralCommunityOrgs).value, Some(5));
        // the locality changing its value again is the latest own entry, as before
        es.push(entry(1001, "3705", Param::UrbanCommunityOrgs, Some(13), date!(2025 - 01 - 01)));
        assert_eq!(resolve_param(&es, "3705", date!(2026 - 01 - 01), Param::UrbanCommunityOrgs).value, Some(13));
    }

    /// Clearing is a locality's own decision too: the region inherits from
    /// its parent, and its shipped values (earlier or later) do not come back.
    #[test]
    fn own_clearing_passes_to_the_parent_over_shipped_values() {
        let es = vec![
            entry(1, "37", Param::JointBranchMaxOrgs, Some(6), date!(2019 - 01 - 01)),
            shipped_entry(2, "3705", Param::JointBranchMaxOrgs, Some(5), date!(2020 - 04 - 15)),
            entry(3, "3705", Param::JointBranchMaxOrgs, None, date!(2022 - 01 - 01)),
            shipped_entry(4, "3705", Param::JointBranchMaxOrgs, Some(4), date!(2024 - 01 - 01)),
        ];
        let on = |d| resolve_param(&es, "370502", d, Param::JointBranchMaxOrgs);
        assert_eq!(on(date!(2021 - 01 - 01)).value, Some(5));
        let r = on(date!(2025 - 01 - 01));
        assert_eq!(r.value, Some(6));
        assert!(matches!(r.source, Source::Region { ref code, .. } if code == "37"));
    }

    /// Shipped values of a region without own entries behave as before: the
    /// latest in force wins, and a later shipped value replaces an earlier one.
    #[test]
    fn shipped_values_alone_resolve_by_date() {
        let es = vec![
            shipped_entry(0, "3705", Param::UrbanCommunityOrgs, Some(10), date!(2020 - 04 - 15)),
            shipped_entry(1, "3705", Param::UrbanCommunityOrgs, Some(12), date!(2023 - 12 - 31)),
            // a locality's value of another region or parameter changes nothing here
            entry(2, "3706", Param::UrbanCommunityOrgs, Some(20), date!(2021 - 01 - 01)),
            entry(3, "3705", Param::RuralCommunityOrgs, Some(8), date!(2021 - 01 - 01)),
        ];
        assert_eq!(resolve_param(&es, "3705", date!(2023 - 12 - 30), Param::UrbanCommunityOrgs).value, Some(10));
        assert_eq!(resolve_param(&es, "3705", date!(2023 - 12 - 31), Param::UrbanCommunityOrgs).value, Some(12));
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
        assert_eq!(jj.get(Param::SupervisorChannelMinOrgs), Some(11));
        assert_eq!(jj.get(Param::RegisteredPartyOrgRateReference), Some(9500));
        assert_eq!(jj.get(Param::CoverageRateTarget), None);
        let ya = resolve(&s, "511802", on);
        assert_eq!(ya.get(Param::RuralCommunityOrgs), Some(7));
        assert_eq!(ya.get(Param::DormantYearsWithoutReport), Some(2));
        // a region with no profile of its own gets the national defaults
        let other = resolve(&s, "110101", on);
        assert_eq!(other.get(Param::JointBranchMaxOrgs), Some(5));
        assert_eq!(other.get(Param::NewPartyOrgFundYuan), None);
        assert!(other.values.iter().all(|r| r.source == Source::National));
    }

    /// `003§2`: the 3 formal members and the 5 organizations of a joint branch
    /// are stated by 薛城区's document only; no locality ships them citing
    /// `001`, `002` or `004` (issue 11 item 15). The others inherit the national rule.
    #[test]
    fn seed_003s2_member_and_branch_size_cite_xuecheng_only() {
        let s = shipped();
        for p in [Param::StandaloneMinFormal, Param::JointBranchMaxOrgs] {
            let rows: Vec<_> = s.iter().filter(|e| e.param == p).collect();
            assert_eq!(rows.len(), 1, "{p:?}: only 薛城区 ships it");
            assert_eq!(rows[0].region, "370403");
            assert!(
                rows[0].basis.starts_with("薛民字〔2020〕31号") && rows[0].basis.contains("第2条"),
                "{}",
                rows[0].basis
            );
            for region in ["370502", "511802", "510104"] {
                let r = resolve_param(&s, region, date!(2026 - 01 - 01), p);
                assert_eq!(r.source, Source::National, "{region} {p:?}");
                assert_eq!(p.default_kind(), DefaultKind::NationalRule);
            }
        }
        assert_eq!(resolve_param(&s, "510104", date!(2026 - 01 - 01), Param::StandaloneMinFormal).value, Some(3));
        assert_eq!(resolve_param(&s, "5118", date!(2026 - 01 - 01), Param::JointBranchMaxOrgs).value, Some(5));
    }

    /// `004` (“三大行动引航”): 95% and 35% are levels the district reported for its
    /// *registered* organizations; they ship as reference figures on that base,
    /// not as targets for registered and filed organizations (issue 11 item 12).
    #[test]
    fn seed_004_rates_are_references_on_registered_organizations() {
        let s = shipped();
        assert!(!s.iter().any(|e| matches!(e.param, Param::CoverageRateTarget | Param::StandaloneRateTarget)));
        let jj = resolve(&s, "510104", date!(2026 - 01 - 01));
        assert_eq!(jj.get(Param::RegisteredPartyOrgRateReference), Some(9500));
        assert_eq!(jj.get(Param::RegisteredStandaloneRateReference), Some(3500));
        assert!(Param::RegisteredPartyOrgRateReference.is_reference());
        assert!(Param::RegisteredPartyOrgRateReference.label().contains("登记类"));
        assert!(!Param::CoverageRateTarget.is_reference());
    }

    /// `004` (“三类模式导航”): "同类社会组织超过10家以上" — more than 10 of the
    /// same kind, shipped as at least 11 (issue 11 item 17).
    #[test]
    fn seed_004_channel_threshold_is_more_than_ten_of_a_kind() {
        let s = shipped();
        let e = s.iter().find(|e| e.param == Param::SupervisorChannelMinOrgs).expect("锦江区");
        assert_eq!((e.region.as_str(), e.value), ("510104", Some(11)));
        assert!(e.basis.contains("同类") && e.basis.contains("超过10家"), "{}", e.basis);
        assert!(Param::SupervisorChannelMinOrgs.label().contains("同类"));
    }

    /// `000§12`, `001`, `002` 二（二）: community targets are averages (平均不少于);
    /// a village's value is per village (一村一组织) and names no rural community.
    #[test]
    fn seed_000s12_001_002_community_targets_are_averages() {
        for p in [Param::UrbanCommunityOrgs, Param::RuralCommunityOrgs] {
            assert!(p.is_average() && p.label().contains("平均"), "{p:?}");
        }
        assert!(!Param::VillageOrgs.is_average());
        assert!(Param::VillageOrgs.label().contains("不含农村社区"));
        assert!(Param::RuralCommunityOrgs.label().contains("不含行政村"));
        for e in shipped().iter().filter(|e| e.param.is_average()) {
            assert!(e.basis.contains("平均"), "{}", e.basis);
        }
    }

    #[test]
    fn bases_split_into_document_and_clause() {
        let (d, c) =
            split_basis("薛民字〔2020〕31号《关于加强党建引领促进社会组织高质量发展的指导意见》第2条（联合组建）");
        assert_eq!(d, "薛民字〔2020〕31号《关于加强党建引领促进社会组织高质量发展的指导意见》");
        assert_eq!(c, "第2条（联合组建）");
        let (d, c) = split_basis("《中国共产党章程》第三十条：凡是有正式党员三人以上的，都应当成立党的基层组织");
        assert_eq!(d, "《中国共产党章程》");
        assert!(c.starts_with("第三十条"));
        let (d, c) = split_basis("本系统默认值：新任书记任职后90天内完成培训");
        assert_eq!((d.as_str(), c.as_str()), ("本系统默认值", "新任书记任职后90天内完成培训"));
        let (d, c) =
            split_basis("东营市《关于党建引领社会组织助力黄河流域生态保护和高质量发展的指导意见》（2022年8月）第1条");
        assert!(d.ends_with("（2022年8月）") && c == "第1条", "{d} / {c}");
        let (d, c) = split_basis("东营市民政局通知");
        assert_eq!((d.as_str(), c.as_str()), ("东营市民政局通知", ""));
        for e in shipped() {
            let (d, c) = split_basis(&e.basis);
            assert!(d.ends_with('》') || d.ends_with('）'), "{}", e.basis);
            assert!(!c.is_empty(), "every shipped value names its clause: {}", e.basis);
        }
    }

    /// Issue 11 item 7: only a national rule is called 全国默认; our own
    /// figures say 本系统默认值; parameters without a national figure say so.
    #[test]
    fn defaults_say_where_they_come_from() {
        assert_eq!(Param::StandaloneMinFormal.default_kind(), DefaultKind::NationalRule);
        assert_eq!(Param::InstructorMaxOrgs.default_kind(), DefaultKind::SystemDefault);
        assert_eq!(Param::SecretaryTrainingWindowDays.default_kind(), DefaultKind::SystemDefault);
        assert_eq!(Param::NewPartyOrgFundYuan.default_kind(), DefaultKind::None);
        for p in Param::ALL {
            if p.default_kind() == DefaultKind::NationalRule {
                assert!(p.basis().contains('《'), "{p:?}");
            }
        }
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
        assert_eq!(Param::SecretaryTrainingWindowDays.format(0), "按自然年");
        assert_eq!(Param::SecretaryTrainingWindowDays.format(365), "365 天");
        assert!(Param::JointBranchMaxOrgs.check(1).is_err());
    }

    fn region() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["37", "3705", "370502", "370502001", "370502001001", "3706", "370602"])
            .prop_map(str::to_owned)
    }

    proptest! {
        /// Shipped entries added for a region and parameter that has an own
        /// entry in force never change what resolves (a sync cannot override
        /// a locality's decision), whatever their dates and values.
        #[test]
        fn shipped_entries_never_override_an_own_decision(
            own in prop::collection::vec((region(), prop::option::of(2i64..9), 0i64..400), 0..8),
            extra in prop::collection::vec((region(), prop::option::of(2i64..9), 0i64..400), 0..8),
            target in region(),
            day in 0i64..400,
        ) {
            let base = date!(2025 - 01 - 01);
            let p = Param::JointBranchMaxOrgs;
            let on = base + time::Duration::days(day);
            let es: Vec<PolicyEntry> = own.iter().enumerate()
                .map(|(i, (r, v, d))| entry(i as i64, r, p, *v, base + time::Duration::days(*d)))
                .collect();
            let before = resolve_param(&es, &target, on, p);
            let mut more = es.clone();
            for (i, (r, v, d)) in extra.iter().enumerate() {
                if es.iter().any(|e| &e.region == r && e.effective_from <= on) {
                    more.push(shipped_entry(1000 + i as i64, r, p, *v, base + time::Duration::days(*d)));
                }
            }
            prop_assert_eq!(resolve_param(&more, &target, on, p), before);
        }

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
