//! Party-organization coverage (M2, `003§1–2`, `004`): the kinds of party
//! organization and management channel, each organization's coverage mode,
//! and every breach of the coverage rules. Thresholds come from the policy
//! profile in force; time is passed in.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::enums::labelled_enum;
use crate::policy::{Param, Profile};
use crate::registry::RegistrationMode;

labelled_enum!(
    /// How an organization is covered by party organization or party work.
    CoverageMode {
        Standalone = "standalone", "单独组建";
        JointBranch = "joint_branch", "联合组建";
        Instructor = "instructor", "选派党建指导员";
        HostLed = "host_led", "“1+N”带动";
        Uncovered = "uncovered", "未覆盖";
    }
);

impl CoverageMode {
    /// Covered by a party organization (组织覆盖) or by party work (工作覆盖).
    pub fn is_covered(self) -> bool {
        self != CoverageMode::Uncovered
    }

    /// Covered by a party organization of its own or a joint one.
    pub fn has_party_org(self) -> bool {
        matches!(self, CoverageMode::Standalone | CoverageMode::JointBranch)
    }

    pub fn tag(self) -> &'static str {
        match self {
            CoverageMode::Standalone | CoverageMode::JointBranch => "hl-tag-green",
            CoverageMode::Instructor | CoverageMode::HostLed => "hl-tag-blue",
            CoverageMode::Uncovered => "hl-tag-red",
        }
    }
}

labelled_enum!(
    /// 党委 / 党总支 / 党支部 / 联合党支部 / 党小组 (`002` 三: 指导成立党支部、党小组)
    PartyOrgType {
        Committee = "committee", "党委";
        GeneralBranch = "general_branch", "党总支";
        Branch = "branch", "党支部";
        JointBranch = "joint_branch", "联合党支部";
        PartyGroup = "party_group", "党小组";
    }
);

impl PartyOrgType {
    /// A party organization of its own right (党的基层组织) when it covers one
    /// organization: not a joint branch, and not a 党小组 (a group inside a
    /// branch is organizational coverage, but not 单独组建, `003§2`).
    pub fn stands_alone(self) -> bool {
        !matches!(self, PartyOrgType::JointBranch | PartyOrgType::PartyGroup)
    }
}

labelled_enum!(
    /// Management channels (`003§1`, `004`): who runs an organization's party building.
    ChannelKind {
        SupervisoryUnit = "supervisory_unit", "业务主管单位党组织";
        ComprehensiveCommittee = "comprehensive_committee", "社会组织综合党委";
        Township = "township", "乡镇（街道）、村（社区）党组织";
        IndustryCommittee = "industry_committee", "行业党委";
        HubOrg = "hub_org", "枢纽型社会组织党组织";
    }
);

labelled_enum!(
    /// Whether a party organization is in being.
    PartyOrgStatus {
        Active = "active", "正常";
        Dissolved = "dissolved", "已撤销";
    }
);

labelled_enum!(
    /// Whether an instructor serves.
    InstructorStatus {
        Active = "active", "在任";
        Inactive = "inactive", "已离任";
    }
);

labelled_enum!(
    /// 正式党员 / 预备党员
    MemberType {
        Formal = "formal", "正式党员";
        Probationary = "probationary", "预备党员";
    }
);

labelled_enum!(
    /// The coverage rules an organization or a party organization can break.
    BreachRule {
        NeedsStandalone = "needs_standalone", "正式党员达到单建人数但未单独组建党组织";
        SyncUncovered = "sync_uncovered", "新成立组织未同步建立党组织或选派党建指导员（三同步）";
        JointBranchTooLarge = "joint_branch_too_large", "联合党支部覆盖组织数超过上限";
        JointBranchTooFew = "joint_branch_too_few", "联合党支部正式党员合计不足";
        SecretaryUntrained = "secretary_untrained", "党组织书记上一年度（或统计期内）未按要求参加轮训";
        NewSecretaryUntrained = "new_secretary_untrained", "新任党组织书记未按期培训";
    }
);

impl BreachRule {
    /// Whether the rule concerns a party organization (else an organization).
    pub fn on_party_org(self) -> bool {
        !matches!(self, BreachRule::NeedsStandalone | BreachRule::SyncUncovered)
    }
}

labelled_enum!(
    /// 三会一课 and themed party days.
    PartyLifeKind {
        BranchAssembly = "branch_assembly", "支部党员大会";
        CommitteeMeeting = "committee_meeting", "支部委员会";
        GroupMeeting = "group_meeting", "党小组会";
        PartyLecture = "party_lecture", "党课";
        ThemedDay = "themed_day", "主题党日";
    }
);

labelled_enum!(
    /// Money for party work (`000§1`, `004`).
    FundKind {
        DuesRefund = "dues_refund", "党费返还";
        Startup = "startup", "新建党组织工作经费";
        Education = "education", "党员教育培训经费";
        Other = "other", "其他经费";
    }
);

labelled_enum!(
    /// Where an instructor comes from (`001`: 党员业务骨干、退休或不担任现职的党员干部).
    InstructorSource {
        RetiredCadre = "retired_cadre", "退休（不担任现职）党员干部";
        AgencyCadre = "agency_cadre", "机关党员干部";
        PartyWorker = "party_worker", "专职党务工作者";
        CommunityWorker = "community_worker", "村（社区）党组织书记或工作者";
        OrgBackbone = "org_backbone", "社会组织党员业务骨干";
        Other = "other", "其他";
    }
);

labelled_enum!(
    /// The yearly assessment of an instructor (`001` 考核评价).
    Assessment {
        Excellent = "excellent", "优秀";
        Competent = "competent", "称职";
        Basic = "basic", "基本称职";
        Incompetent = "incompetent", "不称职";
    }
);

/// The "六有" standard of a party organization's venue (`004`): place,
/// facilities, sign, flag, books and rules.
pub const VENUE_ITEMS: [(&str, &str); 6] = [
    ("venue_place", "有场所"),
    ("venue_facilities", "有设施"),
    ("venue_sign", "有标识"),
    ("venue_flag", "有党旗"),
    ("venue_books", "有书报"),
    ("venue_rules", "有制度"),
];

/// What a party organization should have received, and what is missing
/// (`000§1`: at least the profile's start-up funds for a new party
/// organization; `004`: education funds per member).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundCheck {
    /// Start-up funds due (yuan) and received (fen), when the profile sets a minimum.
    pub startup_due_yuan: Option<i64>,
    pub startup_received_fen: i64,
    /// Why the start-up funds are not checked for this party organization, if they are not.
    #[serde(default)]
    pub startup_note: Option<String>,
    /// Education funds due this year (yuan) and received this year (fen).
    pub education_due_yuan: Option<i64>,
    pub education_received_fen: i64,
    pub shortfalls: Vec<String>,
}

/// Check the funds of a party organization for the year of `on` (education
/// funds under `profile`, the profile in force now). The start-up funds
/// (`000§1`: 新成立社会组织党组织不少于3000元) are a standard for *newly founded*
/// party organizations (issue 11 item 14): they are due under the profile in
/// force on the founding date (`founding`: the date and that profile), so a
/// party organization founded before the locality's value took effect is not
/// checked; without a recorded founding date neither (`startup_note` says why).
pub fn check_funds(
    profile: &Profile,
    founding: Option<(Date, &Profile)>,
    members: u32,
    startup_received_fen: i64,
    education_received_this_year_fen: i64,
) -> FundCheck {
    let mut c = FundCheck {
        startup_received_fen,
        education_received_fen: education_received_this_year_fen,
        ..Default::default()
    };
    let now_min = profile.get(Param::NewPartyOrgFundYuan).filter(|m| *m > 0);
    let startup_min = match founding {
        Some((_, at)) => at.get(Param::NewPartyOrgFundYuan).filter(|m| *m > 0),
        None => None,
    };
    match (now_min, founding, startup_min) {
        (Some(_), None, _) => {
            c.startup_note = Some("未记录成立日期，无法判断是否为新建党组织，不检查新建党组织工作经费".to_owned());
        }
        (Some(_), Some((f, _)), None) => {
            c.startup_note = Some(format!("{f} 成立，当时本地尚无新建党组织工作经费标准，不检查"));
        }
        _ => {}
    }
    if let Some(min) = startup_min {
        c.startup_due_yuan = Some(min);
        if startup_received_fen < min * 100 {
            c.shortfalls.push(format!(
                "新建党组织工作经费已到位 {:.2} 元，应不少于 {} 元",
                startup_received_fen as f64 / 100.0,
                min
            ));
        }
    }
    if let Some(per) = profile.get(Param::EducationFundPerMemberYuan).filter(|m| *m > 0) {
        let due = per * i64::from(members);
        c.education_due_yuan = Some(due);
        if education_received_this_year_fen < due * 100 {
            c.shortfalls.push(format!(
                "本年度党员教育培训经费已到位 {:.2} 元，按每名党员 {} 元应为 {} 元",
                education_received_this_year_fen as f64 / 100.0,
                per,
                due
            ));
        }
    }
    c
}

/// A rule broken, with a sentence for the clerk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breach {
    pub rule: BreachRule,
    pub detail: String,
}

/// The party organization that covers an organization directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Covering {
    pub kind: PartyOrgType,
    /// How many organizations it covers.
    pub covered_orgs: u32,
}

/// What the coverage of one organization depends on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgFacts {
    /// Formal party members employed by the organization.
    pub formal_members: u32,
    pub covering: Option<Covering>,
    /// Instructors assigned to it.
    pub instructors: u32,
    /// Led by a host organization with a party organization ("1+N").
    pub host_led: bool,
    /// Registered through the system and waiting for "三同步" coverage.
    pub sync_pending: bool,
}

/// The coverage mode: own party organization, joint branch, instructor, host, none.
pub fn classify(f: &OrgFacts) -> CoverageMode {
    match f.covering {
        Some(c) if c.kind.stands_alone() && c.covered_orgs <= 1 => CoverageMode::Standalone,
        Some(_) => CoverageMode::JointBranch,
        None if f.instructors > 0 => CoverageMode::Instructor,
        None if f.host_led => CoverageMode::HostLed,
        None => CoverageMode::Uncovered,
    }
}

/// The organization's mode and the rules it breaks under `profile` (`003§2`).
pub fn evaluate_org(f: &OrgFacts, profile: &Profile) -> (CoverageMode, Vec<Breach>) {
    let mode = classify(f);
    let mut out = Vec::new();
    let min = profile.count(Param::StandaloneMinFormal);
    if f.formal_members >= min && mode != CoverageMode::Standalone {
        out.push(Breach {
            rule: BreachRule::NeedsStandalone,
            detail: format!("有正式党员 {} 名（达到 {} 名应单独组建），现为{}", f.formal_members, min, mode.label()),
        });
    }
    // "三同步": a party organization or an instructor; a host organization does not suffice
    if f.sync_pending && !(mode.has_party_org() || mode == CoverageMode::Instructor) {
        out.push(Breach {
            rule: BreachRule::SyncUncovered,
            detail: "新成立社会组织应同步建立党组织，暂不具备条件的应同步选派党建指导员".to_owned(),
        });
    }
    (mode, out)
}

/// The secretary of a party organization, as far as training is concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretaryFacts {
    /// When they took the post.
    pub since: Option<Date>,
    /// Training dates (any order), up to the evaluation date.
    pub trainings: Vec<Date>,
}

/// What the rules about one party organization depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyOrgFacts {
    pub kind: PartyOrgType,
    pub covered_orgs: u32,
    /// Formal members who belong to it.
    pub formal_members: u32,
    pub secretary: Option<SecretaryFacts>,
}

/// The rules a party organization breaks on `on` under `profile`.
pub fn evaluate_party_org(f: &PartyOrgFacts, profile: &Profile, on: Date) -> Vec<Breach> {
    let mut out = Vec::new();
    if f.kind == PartyOrgType::JointBranch {
        let max = profile.count(Param::JointBranchMaxOrgs);
        if f.covered_orgs > max {
            out.push(Breach {
                rule: BreachRule::JointBranchTooLarge,
                detail: format!("覆盖 {} 个组织，超过 {} 个的上限", f.covered_orgs, max),
            });
        }
        let min = profile.count(Param::JointBranchMinFormal);
        if f.formal_members < min {
            out.push(Breach {
                rule: BreachRule::JointBranchTooFew,
                detail: format!("正式党员合计 {} 名，不足 {} 名", f.formal_members, min),
            });
        }
    }
    if let Some(s) = &f.secretary {
        out.extend(secretary_breach(s, profile, on));
    }
    out
}

/// The period a secretary's rotation trainings are counted in on `on`
/// (`000§1` 每年至少轮训1次, issue 11 item 16): by default the last complete
/// calendar year (a year is judged when it has ended, so 1 January is no
/// cliff); with `secretary_training_window_days` > 0, the rolling days up to `on`.
/// Returns the first and last day counted and how the period reads.
pub fn training_window(profile: &Profile, on: Date) -> (Date, Date, String) {
    let days = profile.get_or(Param::SecretaryTrainingWindowDays, 0);
    if days > 0 {
        (on - Duration::days(days - 1), on, format!("近 {days} 天"))
    } else {
        let y = on.year() - 1;
        let first = Date::from_calendar_date(y, time::Month::January, 1).unwrap_or(on);
        let last = Date::from_calendar_date(y, time::Month::December, 31).unwrap_or(on);
        (first, last, format!("{y} 年"))
    }
}

/// Rotation training (`000§1`): a secretary in post through the whole period
/// (`training_window`) needs the profile's number of trainings in it; a new
/// secretary needs a training after taking the post, within the profile's days.
fn secretary_breach(s: &SecretaryFacts, profile: &Profile, on: Date) -> Option<Breach> {
    let (first, last, period) = training_window(profile, on);
    let past: Vec<Date> = s.trainings.iter().copied().filter(|d| *d <= on).collect();
    match s.since {
        Some(since) if since > first => {
            let grace = profile.get_or(Param::NewSecretaryTrainingDays, 90);
            let trained = past.iter().any(|d| *d >= since);
            let due = since + Duration::days(grace);
            (!trained && on > due).then(|| Breach {
                rule: BreachRule::NewSecretaryUntrained,
                detail: format!("{} 任职，应于 {} 前完成培训，尚无培训记录", since, due),
            })
        }
        _ => {
            let need = profile.count(Param::SecretaryTrainingsPerYear);
            let had = past.iter().filter(|d| **d >= first && **d <= last).count() as u32;
            (had < need).then(|| Breach {
                rule: BreachRule::SecretaryUntrained,
                detail: format!("{period}参加轮训 {had} 次，应不少于 {need} 次"),
            })
        }
    }
}

/// Who should run an organization's party building by default (`003§1`, `004`):
/// community organizations go to their township; directly registered and
/// decoupled organizations (`decoupled`, 脱钩) to the comprehensive party
/// committee; an organization with a supervisory unit (业务主管单位) to that
/// unit's party organization when the unit has at least the profile's number
/// of organizations *of the same kind* (`same_kind_orgs`; 锦江区: 同类…超过10家,
/// so 11), else to its township. A recorded 行业管理部门 plays no part: it is
/// not a 业务主管单位 (issue 11 item 18). Industry committees and hubs are assigned by hand.
pub fn default_channel(
    mode: RegistrationMode,
    decoupled: bool,
    same_kind_orgs: Option<u32>,
    profile: &Profile,
) -> ChannelKind {
    match (mode, same_kind_orgs) {
        (RegistrationMode::Filed, _) => ChannelKind::Township,
        _ if decoupled => ChannelKind::ComprehensiveCommittee,
        (_, Some(n)) if n >= profile.count(Param::SupervisorChannelMinOrgs) => ChannelKind::SupervisoryUnit,
        (_, Some(_)) => ChannelKind::Township,
        (_, None) => ChannelKind::ComprehensiveCommittee,
    }
}

/// What makes two organizations of one supervisory unit "同类" (`004`): the
/// industry recorded (行业), else the category. Decision: the industry is the
/// finer grouping a clerk records (民办学校 under an education bureau); where
/// it is blank, the registry category stands in.
pub fn same_kind_key(category: &str, industry: &str) -> String {
    let i = industry.trim();
    if i.is_empty() { format!("category:{category}") } else { format!("industry:{i}") }
}

/// Coverage figures of a set of organizations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeCounts {
    pub standalone: u64,
    pub joint_branch: u64,
    pub instructor: u64,
    pub host_led: u64,
    pub uncovered: u64,
}

impl ModeCounts {
    pub fn add(&mut self, mode: CoverageMode, n: u64) {
        match mode {
            CoverageMode::Standalone => self.standalone += n,
            CoverageMode::JointBranch => self.joint_branch += n,
            CoverageMode::Instructor => self.instructor += n,
            CoverageMode::HostLed => self.host_led += n,
            CoverageMode::Uncovered => self.uncovered += n,
        }
    }

    pub fn total(&self) -> u64 {
        self.standalone + self.joint_branch + self.instructor + self.host_led + self.uncovered
    }

    pub fn covered(&self) -> u64 {
        self.total() - self.uncovered
    }

    /// 覆盖率: organizations covered by party organization or party work, of all.
    pub fn coverage_rate(&self) -> f64 {
        ratio(self.covered(), self.total())
    }

    /// 党组织覆盖率: organizations covered by a party organization (own or
    /// joint, 党小组 included), of all — the rate `004` reports for its
    /// registered organizations (95%), computed on counts of registered ones.
    pub fn party_org_rate(&self) -> f64 {
        ratio(self.standalone + self.joint_branch, self.total())
    }

    /// 单建率: organizations with a party organization of their own, of all.
    pub fn standalone_rate(&self) -> f64 {
        ratio(self.standalone, self.total())
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{PolicyEntry, resolve, shipped};
    use proptest::prelude::*;
    use time::macros::date;

    fn profile(region: &str) -> Profile {
        resolve(&shipped(), region, date!(2026 - 06 - 01))
    }

    fn own() -> Option<Covering> {
        Some(Covering { kind: PartyOrgType::Branch, covered_orgs: 1 })
    }

    fn joint(n: u32) -> Option<Covering> {
        Some(Covering { kind: PartyOrgType::JointBranch, covered_orgs: n })
    }

    #[test]
    fn modes_in_order_of_strength() {
        let f = |covering, instructors, host_led| OrgFacts { covering, instructors, host_led, ..Default::default() };
        assert_eq!(classify(&f(own(), 1, true)), CoverageMode::Standalone);
        assert_eq!(classify(&f(joint(3), 1, false)), CoverageMode::JointBranch);
        // a branch covering several organizations is a joint one, whatever it is called
        let shared = Some(Covering { kind: PartyOrgType::Branch, covered_orgs: 2 });
        assert_eq!(classify(&f(shared, 0, false)), CoverageMode::JointBranch);
        assert_eq!(classify(&f(None, 1, true)), CoverageMode::Instructor);
        assert_eq!(classify(&f(None, 0, true)), CoverageMode::HostLed);
        assert_eq!(classify(&f(None, 0, false)), CoverageMode::Uncovered);
    }

    #[test]
    fn three_formal_members_need_their_own_party_org() {
        let p = profile("370502");
        let rules = |f: OrgFacts| evaluate_org(&f, &p).1.into_iter().map(|b| b.rule).collect::<Vec<_>>();
        assert_eq!(
            rules(OrgFacts { formal_members: 3, covering: joint(3), ..Default::default() }),
            [BreachRule::NeedsStandalone]
        );
        assert_eq!(rules(OrgFacts { formal_members: 3, ..Default::default() }), [BreachRule::NeedsStandalone]);
        assert!(rules(OrgFacts { formal_members: 3, covering: own(), ..Default::default() }).is_empty());
        assert!(rules(OrgFacts { formal_members: 2, covering: joint(3), ..Default::default() }).is_empty());
        assert!(
            rules(OrgFacts { formal_members: 2, ..Default::default() }).is_empty(),
            "uncovered is a figure, not a breach"
        );
    }

    #[test]
    fn the_threshold_comes_from_the_profile() {
        let on = date!(2026 - 06 - 01);
        let mut es = shipped();
        es.push(PolicyEntry {
            seq: 999,
            region: "370502".into(),
            param: Param::StandaloneMinFormal,
            value: Some(5),
            effective_from: date!(2026 - 01 - 01),
            basis: "测试".into(),
            builtin: false,
        });
        let strict = resolve(&es, "370502001", on);
        let f = OrgFacts { formal_members: 4, ..Default::default() };
        assert!(evaluate_org(&f, &strict).1.is_empty());
        assert_eq!(evaluate_org(&f, &resolve(&es, "370503", on)).1.len(), 1);
    }

    #[test]
    fn sync_needs_party_org_or_instructor() {
        let p = profile("3705");
        let sync = |covering, instructors, host_led| {
            let f = OrgFacts { sync_pending: true, covering, instructors, host_led, formal_members: 0 };
            evaluate_org(&f, &p).1.iter().any(|b| b.rule == BreachRule::SyncUncovered)
        };
        assert!(sync(None, 0, false));
        assert!(sync(None, 0, true), "a host organization does not satisfy 三同步");
        assert!(!sync(None, 1, false));
        assert!(!sync(joint(2), 0, false));
        assert!(!sync(own(), 0, false));
    }

    fn branch(kind: PartyOrgType, covered_orgs: u32, formal_members: u32) -> PartyOrgFacts {
        PartyOrgFacts { kind, covered_orgs, formal_members, secretary: None }
    }

    #[test]
    fn joint_branch_limits() {
        let p = profile("3705");
        let on = date!(2026 - 06 - 01);
        let rules = |f: PartyOrgFacts| evaluate_party_org(&f, &p, on).into_iter().map(|b| b.rule).collect::<Vec<_>>();
        assert!(rules(branch(PartyOrgType::JointBranch, 5, 3)).is_empty());
        assert_eq!(rules(branch(PartyOrgType::JointBranch, 6, 3)), [BreachRule::JointBranchTooLarge]);
        assert_eq!(rules(branch(PartyOrgType::JointBranch, 2, 2)), [BreachRule::JointBranchTooFew]);
        assert!(rules(branch(PartyOrgType::Branch, 1, 2)).is_empty(), "limits apply to joint branches");
        let d = evaluate_party_org(&branch(PartyOrgType::JointBranch, 7, 1), &p, on);
        assert_eq!(d.len(), 2);
        assert!(d[0].detail.contains("7") && d[0].detail.contains("5"), "{}", d[0].detail);
    }

    #[test]
    fn secretary_training() {
        let p = profile("3705");
        let on = date!(2026 - 06 - 01);
        let rule = |since: Option<Date>, trainings: Vec<Date>| {
            let mut f = branch(PartyOrgType::Branch, 1, 3);
            f.secretary = Some(SecretaryFacts { since, trainings });
            evaluate_party_org(&f, &p, on).into_iter().map(|b| b.rule).collect::<Vec<_>>()
        };
        // in post for years: a training in the last calendar year (000§1 每年至少轮训1次)
        assert!(rule(Some(date!(2020 - 01 - 01)), vec![date!(2025 - 09 - 01)]).is_empty());
        assert!(rule(Some(date!(2020 - 01 - 01)), vec![date!(2025 - 01 - 02)]).is_empty(), "any day of 2025");
        assert_eq!(rule(Some(date!(2020 - 01 - 01)), vec![date!(2024 - 12 - 31)]), [BreachRule::SecretaryUntrained]);
        assert_eq!(rule(None, vec![]), [BreachRule::SecretaryUntrained]);
        // this year's trainings count for this year, judged when it ends
        assert_eq!(rule(Some(date!(2020 - 01 - 01)), vec![date!(2026 - 03 - 01)]), [BreachRule::SecretaryUntrained]);
        // new: 90 days to be trained, and only a training after taking the post counts
        assert!(rule(Some(date!(2026 - 04 - 01)), vec![]).is_empty(), "within the 90 days");
        assert_eq!(rule(Some(date!(2026 - 02 - 01)), vec![]), [BreachRule::NewSecretaryUntrained]);
        assert_eq!(rule(Some(date!(2026 - 02 - 01)), vec![date!(2026 - 01 - 15)]), [BreachRule::NewSecretaryUntrained]);
        assert!(rule(Some(date!(2026 - 02 - 01)), vec![date!(2026 - 03 - 01)]).is_empty());
    }

    /// `000§1` "每年对社会组织党组织书记至少轮训1次", issue 11 item 16: per
    /// calendar year by default; a profile may choose a rolling window instead.
    #[test]
    fn seed_000s1_training_is_counted_per_calendar_year_or_a_chosen_window() {
        let p = profile("3705");
        let (a, b, label) = training_window(&p, date!(2026 - 01 - 05));
        assert_eq!((a, b, label.as_str()), (date!(2025 - 01 - 01), date!(2025 - 12 - 31), "2025 年"));
        let f = |on: Date, t: Vec<Date>, p: &Profile| {
            let mut f = branch(PartyOrgType::Branch, 1, 3);
            f.secretary = Some(SecretaryFacts { since: Some(date!(2020 - 01 - 01)), trainings: t });
            evaluate_party_org(&f, p, on)
        };
        // trained in December 2025: 2025 is met, all of 2026 (no cliff on 1 January)
        assert!(f(date!(2026 - 01 - 02), vec![date!(2025 - 12 - 20)], &p).is_empty());
        assert!(f(date!(2026 - 12 - 31), vec![date!(2025 - 12 - 20)], &p).is_empty());
        // not trained in 2026: the breach appears when 2026 has ended
        let b = f(date!(2027 - 01 - 01), vec![date!(2025 - 12 - 20)], &p);
        assert_eq!(b.len(), 1);
        assert!(b[0].detail.contains("2026 年") && b[0].detail.contains("0 次"), "{}", b[0].detail);
        // a locality choosing a rolling 365 days
        let mut es = shipped();
        es.push(PolicyEntry {
            seq: 999,
            region: "3705".into(),
            param: Param::SecretaryTrainingWindowDays,
            value: Some(365),
            effective_from: date!(2020 - 01 - 01),
            basis: "测试".into(),
            builtin: false,
        });
        let rolling = resolve(&es, "370502", date!(2026 - 06 - 01));
        assert!(f(date!(2026 - 06 - 01), vec![date!(2025 - 09 - 01)], &rolling).is_empty());
        let b = f(date!(2026 - 06 - 01), vec![date!(2025 - 05 - 01)], &rolling);
        assert!(b.len() == 1 && b[0].detail.contains("近 365 天"), "{b:?}");
    }

    #[test]
    fn channels_follow_the_registration_and_the_profile() {
        let xc = profile("370403");
        let jj = profile("510104");
        let reg = RegistrationMode::Registered;
        assert_eq!(default_channel(RegistrationMode::Filed, false, None, &xc), ChannelKind::Township);
        assert_eq!(default_channel(reg, false, None, &xc), ChannelKind::ComprehensiveCommittee);
        assert_eq!(default_channel(reg, false, Some(3), &xc), ChannelKind::SupervisoryUnit);
        // 004 锦江区: "同类社会组织超过10家以上" — more than 10 of the same kind
        assert_eq!(default_channel(reg, false, Some(9), &jj), ChannelKind::Township);
        assert_eq!(default_channel(reg, false, Some(10), &jj), ChannelKind::Township, "10 is not more than 10");
        assert_eq!(default_channel(reg, false, Some(11), &jj), ChannelKind::SupervisoryUnit);
    }

    /// `003§1`: directly registered and decoupled organizations belong to the
    /// comprehensive party committee; a unit recorded for a decoupled one does
    /// not move it (issue 11 item 18).
    #[test]
    fn seed_003s1_decoupled_organizations_go_to_the_comprehensive_committee() {
        let xc = profile("370403");
        let reg = RegistrationMode::Registered;
        assert_eq!(default_channel(reg, true, Some(30), &xc), ChannelKind::ComprehensiveCommittee);
        assert_eq!(default_channel(reg, true, None, &xc), ChannelKind::ComprehensiveCommittee);
        assert_eq!(default_channel(RegistrationMode::Filed, true, None, &xc), ChannelKind::Township);
    }

    /// `004`: "同类" groups by the industry recorded, else the category.
    #[test]
    fn same_kind_is_the_industry_else_the_category() {
        assert_eq!(same_kind_key("other", " 教育 "), same_kind_key("charity", "教育"));
        assert_ne!(same_kind_key("other", ""), same_kind_key("charity", ""));
        assert_ne!(same_kind_key("other", "教育"), same_kind_key("other", "卫生"));
    }

    /// `002` 三 (指导成立党支部、党小组): a 党小组 covers its organization (组织覆盖,
    /// 三同步 met) but is not 单独组建; 3 formal members still need a party
    /// organization of their own (`003§2`).
    #[test]
    fn seed_002_party_group_covers_but_does_not_stand_alone() {
        let p = profile("370502");
        let group = Some(Covering { kind: PartyOrgType::PartyGroup, covered_orgs: 1 });
        let f = OrgFacts { covering: group, formal_members: 2, sync_pending: true, ..Default::default() };
        let (mode, b) = evaluate_org(&f, &p);
        assert!(mode.has_party_org() && mode != CoverageMode::Standalone);
        assert!(b.is_empty(), "{b:?}");
        let (_, b) = evaluate_org(&OrgFacts { formal_members: 3, ..f }, &p);
        assert_eq!(b.iter().map(|b| b.rule).collect::<Vec<_>>(), [BreachRule::NeedsStandalone]);
        // joint-branch limits do not apply to a 党小组
        let g = PartyOrgFacts { kind: PartyOrgType::PartyGroup, covered_orgs: 9, formal_members: 1, secretary: None };
        assert!(evaluate_party_org(&g, &p, date!(2026 - 06 - 01)).is_empty());
    }

    #[test]
    fn funds_follow_the_profile() {
        // 东营市: at least 3,000 yuan for a new party organization; no per-member standard
        let dy = profile("370502");
        let at = resolve(&shipped(), "370502", date!(2024 - 03 - 01));
        let new = Some((date!(2024 - 03 - 01), &at));
        let c = check_funds(&dy, new, 10, 200_000, 0);
        assert_eq!(c.startup_due_yuan, Some(3000));
        assert_eq!(c.shortfalls.len(), 1, "{:?}", c.shortfalls);
        assert!(c.shortfalls[0].contains("2000.00") && c.shortfalls[0].contains("3000"));
        assert!(check_funds(&dy, new, 10, 300_000, 0).shortfalls.is_empty());
        // 锦江区: 100 yuan per member for education
        let jj = profile("510104");
        let c = check_funds(&jj, None, 12, 0, 100_000);
        assert_eq!(c.education_due_yuan, Some(1200));
        assert_eq!(c.shortfalls.len(), 1);
        assert!(check_funds(&jj, None, 12, 0, 120_000).shortfalls.is_empty());
    }

    /// `000§1` "新成立社会组织党组织不少于3000元": only party organizations
    /// founded since the value took effect (东营市: 2022-08-18) are checked
    /// (issue 11 item 14).
    #[test]
    fn seed_000s1_startup_fund_only_for_party_orgs_founded_since_the_value() {
        let dy = profile("370502");
        let at = |d: Date| resolve(&shipped(), "370502", d);
        let (d, p) = (date!(2022 - 08 - 18), at(date!(2022 - 08 - 18)));
        let c = check_funds(&dy, Some((d, &p)), 3, 0, 0);
        assert_eq!((c.startup_due_yuan, c.shortfalls.len()), (Some(3000), 1));
        let (d, p) = (date!(2022 - 08 - 17), at(date!(2022 - 08 - 17)));
        let c = check_funds(&dy, Some((d, &p)), 3, 0, 0);
        assert_eq!(c.startup_due_yuan, None);
        assert!(c.shortfalls.is_empty());
        assert!(c.startup_note.as_deref().is_some_and(|n| n.contains("2022-08-17")), "{c:?}");
        let c = check_funds(&dy, None, 3, 0, 0);
        assert!(c.startup_due_yuan.is_none() && c.startup_note.is_some());
    }

    #[test]
    fn rates() {
        let mut c = ModeCounts::default();
        assert_eq!(c.coverage_rate(), 0.0);
        c.add(CoverageMode::Standalone, 35);
        c.add(CoverageMode::JointBranch, 40);
        c.add(CoverageMode::Instructor, 15);
        c.add(CoverageMode::HostLed, 5);
        c.add(CoverageMode::Uncovered, 5);
        assert_eq!(c.total(), 100);
        assert!((c.coverage_rate() - 0.95).abs() < 1e-9);
        assert!((c.standalone_rate() - 0.35).abs() < 1e-9);
        assert!((c.party_org_rate() - 0.75).abs() < 1e-9);
    }

    fn facts() -> impl Strategy<Value = OrgFacts> {
        (0u32..8, prop::option::of((0usize..5, 1u32..9)), 0u32..3, any::<bool>(), any::<bool>()).prop_map(
            |(formal_members, cov, instructors, host_led, sync_pending)| OrgFacts {
                formal_members,
                covering: cov.map(|(k, n)| Covering { kind: PartyOrgType::ALL[k], covered_orgs: n }),
                instructors,
                host_led,
                sync_pending,
            },
        )
    }

    proptest! {
        /// Every breach of an organization follows from its facts, and an
        /// organization with its own party organization and no pending 三同步
        /// breaks nothing.
        #[test]
        fn org_breaches_follow_from_facts(f in facts()) {
            let p = profile("3705");
            let (mode, breaches) = evaluate_org(&f, &p);
            for b in &breaches {
                match b.rule {
                    BreachRule::NeedsStandalone => prop_assert!(f.formal_members >= 3 && mode != CoverageMode::Standalone),
                    BreachRule::SyncUncovered => prop_assert!(f.sync_pending && f.covering.is_none() && f.instructors == 0),
                    other => prop_assert!(false, "unexpected {:?}", other),
                }
            }
            if mode == CoverageMode::Standalone {
                prop_assert!(breaches.is_empty());
            }
            prop_assert_eq!(mode.is_covered(), f.covering.is_some() || f.instructors > 0 || f.host_led);
        }
    }
}
