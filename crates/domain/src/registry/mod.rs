//! The social organization record (M1): kinds, modes, categories, statuses,
//! the life-cycle transitions, supervision classes and the field rules.

use serde::{Deserialize, Serialize};
use time::Date;

pub mod decision;
pub mod uscc;

use crate::enums::labelled_enum;
pub use crate::input::Violation;
use uscc::Uscc;

labelled_enum!(
    /// 社会组织类型
    OrgKind {
        Association = "association", "社会团体";
        Foundation = "foundation", "基金会";
        ServiceInstitution = "service_institution", "社会服务机构";
    }
);

impl OrgKind {
    /// The organization-type character (position 2) of a civil-affairs credit code.
    pub fn uscc_type(self) -> char {
        match self {
            OrgKind::Association => '1',
            OrgKind::ServiceInstitution => '2',
            OrgKind::Foundation => '3',
        }
    }

    /// Also accepts the older name 民办非企业单位.
    pub fn parse_loose(s: &str) -> Option<Self> {
        match s.trim() {
            "民办非企业单位" | "民非" => Some(OrgKind::ServiceInstitution),
            "社团" => Some(OrgKind::Association),
            other => Self::parse(other),
        }
    }
}

labelled_enum!(
    /// 登记 / 备案
    RegistrationMode {
        Registered = "registered", "登记";
        Filed = "filed", "备案";
    }
);

labelled_enum!(
    /// Categories: the four directly registered ones and the rest for registered
    /// organizations (`003§4`); service types for filed community organizations (`002`).
    Category {
        IndustryAssociation = "industry_association", "行业协会商会";
        ScienceTech = "science_tech", "科技类";
        Charity = "charity", "公益慈善类";
        CommunityService = "community_service", "城乡社区服务类";
        Other = "other", "其他（双重管理）";
        ResidentService = "resident_service", "为民服务";
        PublicWelfare = "public_welfare", "公益慈善";
        MutualAid = "mutual_aid", "邻里互助";
        CultureSports = "culture_sports", "文体娱乐";
        Mediation = "mediation", "专业调处";
        RuralTech = "rural_tech", "农村生产技术服务";
        ElderlyCare = "elderly_care", "养老服务";
    }
);

impl Category {
    pub const REGISTERED: &'static [Category] = &[
        Category::IndustryAssociation,
        Category::ScienceTech,
        Category::Charity,
        Category::CommunityService,
        Category::Other,
    ];
    pub const FILED: &'static [Category] = &[
        Category::ResidentService,
        Category::PublicWelfare,
        Category::MutualAid,
        Category::CultureSports,
        Category::Mediation,
        Category::RuralTech,
        Category::ElderlyCare,
    ];

    pub fn fits(self, mode: RegistrationMode) -> bool {
        match mode {
            RegistrationMode::Registered => Self::REGISTERED.contains(&self),
            RegistrationMode::Filed => Self::FILED.contains(&self),
        }
    }

    /// Direct registration (直接登记) needs no supervisory unit; the others do (双重管理).
    pub fn needs_supervisory_unit(self) -> bool {
        self == Category::Other
    }
}

labelled_enum!(
    /// 登记状态
    OrgStatus {
        Applying = "applying", "成立申请中";
        Active = "active", "正常";
        Deregistered = "deregistered", "已注销";
        Revoked = "revoked", "已撤销";
        LicenceRevoked = "licence_revoked", "已吊销";
    }
);

impl OrgStatus {
    /// Tag colour class (UI.md): 正常 green, 注销/撤销 grey, 吊销 red, 申请 orange.
    pub fn tag(self) -> &'static str {
        match self {
            OrgStatus::Active => "hl-tag-green",
            OrgStatus::Applying => "hl-tag-orange",
            OrgStatus::LicenceRevoked => "hl-tag-red",
            OrgStatus::Deregistered | OrgStatus::Revoked => "hl-tag-grey",
        }
    }
}

labelled_enum!(
    /// Where an uploaded import file stands: being read and checked, checked
    /// and waiting, being imported, imported, discarded, or unreadable.
    ImportStatus {
        Reading = "reading", "正在检查";
        Previewed = "previewed", "待确认导入";
        Importing = "importing", "正在导入";
        Imported = "imported", "已导入";
        Discarded = "discarded", "已放弃";
        Failed = "failed", "未能读取";
    }
);

/// How often a server working on an import reports that it still is.
pub const IMPORT_HEARTBEAT: time::Duration = time::Duration::seconds(10);
/// A read or an import whose server has not reported for this long has
/// stopped (the server was stopped or restarted): twelve missed reports, so
/// that a database busy with a large write does not end a living job.
pub const IMPORT_STALE_AFTER: time::Duration = time::Duration::minutes(2);

impl ImportStatus {
    /// A server is working on it: the page follows its progress.
    pub fn is_running(self) -> bool {
        matches!(self, ImportStatus::Reading | ImportStatus::Importing)
    }

    /// Whether a job in this state, last reported at `heartbeat`, has been
    /// abandoned by its server by `now`.
    pub fn is_stalled(self, heartbeat: Option<time::OffsetDateTime>, now: time::OffsetDateTime) -> bool {
        self.is_running() && heartbeat.is_none_or(|h| now - h > IMPORT_STALE_AFTER)
    }
}

labelled_enum!(
    /// Life-cycle actions, each recorded with reason, decision document and date.
    StatusAction {
        ApproveRegistration = "approve", "准予登记";
        Deregister = "deregister", "注销登记";
        Revoke = "revoke", "撤销登记";
        RevokeLicence = "revoke_licence", "吊销登记证书";
        Reinstate = "reinstate", "恢复正常";
    }
);

labelled_enum!(
    /// What a dated change event of an organization records (`org_events.action`):
    /// the life-cycle actions of `StatusAction` and the other changes.
    EventAction {
        Create = "create", "登记";
        Apply = "apply", "受理成立申请";
        Update = "update", "变更";
        Import = "import", "导入";
        Supervision = "supervision", "调整监管分类";
        Approve = "approve", "准予登记";
        Deregister = "deregister", "注销登记";
        Revoke = "revoke", "撤销登记";
        RevokeLicence = "revoke_licence", "吊销登记证书";
        Reinstate = "reinstate", "恢复正常";
    }
);

impl StatusAction {
    /// The status an action leads to from `from`, or why it cannot be taken.
    pub fn apply(self, from: OrgStatus) -> Result<OrgStatus, &'static str> {
        use OrgStatus::*;
        match (self, from) {
            (StatusAction::ApproveRegistration, Applying) => Ok(Active),
            (StatusAction::ApproveRegistration, _) => Err("只有成立申请中的组织可以准予登记"),
            (StatusAction::Deregister, Active) => Ok(Deregistered),
            (StatusAction::Revoke, Active) => Ok(Revoked),
            (StatusAction::RevokeLicence, Active) => Ok(LicenceRevoked),
            (StatusAction::Deregister | StatusAction::Revoke | StatusAction::RevokeLicence, _) => {
                Err("只有状态正常的组织可以办理注销、撤销或吊销")
            }
            (StatusAction::Reinstate, Revoked | LicenceRevoked) => Ok(Active),
            (StatusAction::Reinstate, Deregistered) => Err("已注销的组织不能恢复，须重新申请登记"),
            (StatusAction::Reinstate, _) => Err("只有被撤销或吊销的组织可以恢复"),
        }
    }

    /// Actions that end or restore registration need a decision document number.
    pub fn needs_document(self) -> bool {
        !matches!(self, StatusAction::ApproveRegistration)
    }

    /// The actions available from a status, for the detail page. A filed
    /// community organization has no registration certificate to revoke.
    pub fn available(from: OrgStatus, mode: RegistrationMode) -> Vec<StatusAction> {
        Self::ALL.iter().copied().filter(|a| a.apply(from).is_ok() && a.applies_to(mode)).collect()
    }

    pub fn applies_to(self, mode: RegistrationMode) -> bool {
        !(mode == RegistrationMode::Filed && self == StatusAction::RevokeLicence)
    }

    /// The name of the action for a registered or a filed organization.
    pub fn label_for(self, mode: RegistrationMode) -> &'static str {
        match (self, mode) {
            (StatusAction::Deregister, RegistrationMode::Filed) => "注销备案",
            (StatusAction::Revoke, RegistrationMode::Filed) => "撤销备案",
            (a, _) => a.label(),
        }
    }
}

labelled_enum!(
    /// Supervision class by daily conduct (`003§6`).
    SupervisionClass {
        Normal = "normal", "正常";
        Guidance = "guidance", "指导提醒（运作不规范）";
        Interview = "interview", "约谈（轻微违法违规）";
        KeySupervision = "key", "重点监管（严重违法违规）";
    }
);

impl SupervisionClass {
    pub fn tag(self) -> &'static str {
        match self {
            SupervisionClass::Normal => "hl-tag-green",
            SupervisionClass::Guidance | SupervisionClass::Interview => "hl-tag-orange",
            SupervisionClass::KeySupervision => "hl-tag-red",
        }
    }
}

/// An organization as entered in a form, an import row or an API call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrgDraft {
    pub uscc: String,
    pub name: String,
    pub kind: Option<OrgKind>,
    pub mode: Option<RegistrationMode>,
    pub category: Option<Category>,
    pub industry: String,
    /// Region code of the registration (or filing) authority, e.g. 3705 → 东营市民政局.
    pub authority_region: String,
    pub supervisory_unit_id: Option<i64>,
    /// 行业管理部门 (`003§1`, `003§4`): a department consulted about the
    /// organization, not its 业务主管单位; it does not decide the party-building channel.
    #[serde(default)]
    pub industry_department_id: Option<i64>,
    /// 已脱钩: a former dual-management organization that completed decoupling
    /// (`003§1`); its party building is the comprehensive party committee's.
    #[serde(default)]
    pub decoupled: bool,
    /// Residence, down to the community.
    pub region_code: String,
    pub address: String,
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub legal_rep: String,
    pub founded_on: Option<Date>,
    pub staff_count: Option<i32>,
    pub member_count: Option<i32>,
    pub charter_party_clause: bool,
    pub is_hub: bool,
    pub is_brand: bool,
    pub incubator: String,
}

fn v(field: &'static str, message: impl Into<String>) -> Violation {
    Violation::new(field, message)
}

/// The rules a record must satisfy by itself (the database checks the rest:
/// region exists, code unique, supervisory unit exists). Returns the
/// normalized credit code when one is given and valid.
///
/// `applying`: an application (成立申请) gets its credit code at approval.
pub fn check_draft(d: &OrgDraft, today: Date, applying: bool) -> (Option<Uscc>, Vec<Violation>) {
    let mut out = Vec::new();
    let name = d.name.trim();
    if name.is_empty() {
        out.push(v("name", "请填写组织名称"));
    } else if name.chars().count() > 100 {
        out.push(v("name", "组织名称不能超过 100 个字"));
    }
    if d.kind.is_none() {
        out.push(v("kind", "请选择组织类型（社会团体、基金会或社会服务机构）"));
    }
    if d.mode.is_none() {
        out.push(v("registration_mode", "请选择登记方式（登记或备案）"));
    }
    let mut code = None;
    let raw = d.uscc.trim();
    match (d.mode, raw.is_empty()) {
        (Some(RegistrationMode::Registered), true) if !applying => {
            out.push(v("uscc", "登记的社会组织须填写统一社会信用代码"))
        }
        (_, true) => {}
        (mode, false) => match Uscc::parse(raw) {
            Err(e) => out.push(v("uscc", e.to_string())),
            Ok(c) => {
                if mode == Some(RegistrationMode::Registered)
                    && let Some(kind) = d.kind
                    && let Err(e) = c.check_civil_affairs_kind(kind.uscc_type())
                {
                    out.push(v("uscc", e.to_string()));
                }
                code = Some(c);
            }
        },
    }
    match (d.category, d.mode) {
        (None, _) => out.push(v("category", "请选择类别")),
        (Some(c), Some(m)) if !c.fits(m) => out.push(v(
            "category",
            match m {
                RegistrationMode::Registered => "登记的社会组织类别应为行业协会商会、科技类、公益慈善类、城乡社区服务类或其他",
                RegistrationMode::Filed => "备案的社区社会组织类别应为为民服务、公益慈善、邻里互助、文体娱乐、专业调处、农村生产技术服务或养老服务",
            },
        )),
        (Some(c), Some(RegistrationMode::Registered)) if c.needs_supervisory_unit() && d.supervisory_unit_id.is_none() => {
            out.push(v("supervisory_unit_id", "非直接登记类别的社会组织须有业务主管单位（双重管理）"))
        }
        _ => {}
    }
    // `003§1`: a decoupled organization has no 业务主管单位 any more; the former
    // one may be recorded as its 行业管理部门
    if d.decoupled {
        if d.mode == Some(RegistrationMode::Filed) {
            out.push(v("decoupled", "备案的社区社会组织不涉及脱钩"));
        } else if d.supervisory_unit_id.is_some() {
            out.push(v("supervisory_unit_id", "已脱钩的社会组织不再有业务主管单位，原主管部门可填为行业管理部门"));
        }
    }
    if d.region_code.trim().is_empty() {
        out.push(v("region_code", "请选择住所所在行政区划"));
    }
    let authority = d.authority_region.trim();
    if authority.is_empty() {
        out.push(v("authority_region", "请选择登记管理机关"));
    } else if !d.region_code.trim().starts_with(authority) {
        out.push(v("authority_region", "登记管理机关应为住所所在地或其上级的登记管理机关"));
    }
    if d.legal_rep.chars().count() > 50 {
        out.push(v("legal_rep", "姓名过长"));
    }
    if d.mode == Some(RegistrationMode::Registered) && d.legal_rep.trim().is_empty() {
        out.push(v("legal_rep", "登记的社会组织须填写法定代表人"));
    }
    if let Some(f) = d.founded_on
        && f > today
    {
        out.push(v("founded_on", "成立日期不能晚于今天"));
    }
    for (field, n) in [("staff_count", d.staff_count), ("member_count", d.member_count)] {
        if n.is_some_and(|n| n < 0) {
            out.push(v(field, "人数不能为负数"));
        }
    }
    match (d.longitude, d.latitude) {
        (None, None) => {}
        (Some(lon), Some(lat)) => {
            if !(73.0..=136.0).contains(&lon) || !(3.0..=54.0).contains(&lat) {
                out.push(v("longitude", "坐标不在我国境内：经度应在 73–136 之间，纬度应在 3–54 之间"));
            }
        }
        _ => out.push(v("longitude", "经度和纬度须同时填写")),
    }
    (code, out)
}

/// The name as searched: full-width folded to half-width, ASCII lower-cased,
/// whitespace removed.
pub fn search_form(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let c = match c as u32 {
                0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                0x3000 => ' ',
                _ => c,
            };
            (!c.is_whitespace()).then(|| c.to_ascii_lowercase())
        })
        .collect()
}

/// Distinct two-character grams of a name, for the name search index.
/// A two-character query is one gram; a longer one is all of its grams,
/// and a final substring check removes grams found apart.
pub fn name_grams(name: &str) -> Vec<String> {
    let chars: Vec<char> = search_form(name).chars().collect();
    let mut out: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_import_is_stalled_only_while_running_and_silent() {
        use super::ImportStatus as S;
        use time::macros::datetime;
        let beat = datetime!(2026-12-01 08:00 UTC);
        let soon = beat + super::IMPORT_STALE_AFTER;
        let late = soon + time::Duration::seconds(1);
        for s in [S::Reading, S::Importing] {
            assert!(!s.is_stalled(Some(beat), beat));
            assert!(!s.is_stalled(Some(beat), soon), "{s:?} exactly at the limit still lives");
            assert!(s.is_stalled(Some(beat), late));
            assert!(s.is_stalled(None, beat), "never reported");
        }
        for s in [S::Previewed, S::Imported, S::Discarded, S::Failed] {
            assert!(!s.is_stalled(Some(beat), late + time::Duration::days(9)));
            assert!(!s.is_stalled(None, late));
        }
        assert!(super::IMPORT_STALE_AFTER >= super::IMPORT_HEARTBEAT * 6);
    }

    use super::*;
    use time::macros::date;

    #[test]
    fn transitions() {
        use OrgStatus::*;
        assert_eq!(StatusAction::ApproveRegistration.apply(Applying), Ok(Active));
        assert_eq!(StatusAction::Deregister.apply(Active), Ok(Deregistered));
        assert_eq!(StatusAction::RevokeLicence.apply(Active), Ok(LicenceRevoked));
        assert_eq!(StatusAction::Reinstate.apply(LicenceRevoked), Ok(Active));
        assert!(StatusAction::Reinstate.apply(Deregistered).is_err());
        assert!(StatusAction::Deregister.apply(Revoked).is_err());
        assert_eq!(StatusAction::available(Active, RegistrationMode::Registered).len(), 3);
        assert_eq!(StatusAction::available(Active, RegistrationMode::Filed).len(), 2);
        assert_eq!(StatusAction::available(Deregistered, RegistrationMode::Registered), vec![]);
        assert_eq!(StatusAction::Deregister.label_for(RegistrationMode::Filed), "注销备案");
    }

    #[test]
    fn labels_parse_back() {
        assert_eq!(OrgKind::parse("基金会"), Some(OrgKind::Foundation));
        assert_eq!(OrgKind::parse_loose("民办非企业单位"), Some(OrgKind::ServiceInstitution));
        assert_eq!(Category::parse("文体娱乐"), Some(Category::CultureSports));
        assert_eq!(RegistrationMode::parse("备案"), Some(RegistrationMode::Filed));
        assert!(Category::CultureSports.fits(RegistrationMode::Filed));
        assert!(!Category::CultureSports.fits(RegistrationMode::Registered));
    }

    fn base() -> OrgDraft {
        OrgDraft {
            uscc: String::new(),
            name: "东营市爱心志愿者协会".into(),
            kind: Some(OrgKind::Association),
            mode: Some(RegistrationMode::Registered),
            category: Some(Category::Charity),
            authority_region: "3705".into(),
            region_code: "370502001011".into(),
            legal_rep: "王某".into(),
            ..Default::default()
        }
    }

    #[test]
    fn registered_needs_valid_matching_code() {
        let today = date!(2026 - 03 - 01);
        let (_, v) = check_draft(&base(), today, false);
        assert_eq!(v[0].field, "uscc");
        let mut d = base();
        d.uscc = uscc::build('5', '1', "370500", "MJD12345").expect("build").to_string();
        let (code, v) = check_draft(&d, today, false);
        assert!(v.is_empty(), "{v:?}");
        assert!(code.is_some());
        d.kind = Some(OrgKind::Foundation);
        let (_, v) = check_draft(&d, today, false);
        assert!(v.iter().any(|x| x.field == "uscc" && x.message.contains("第2位")), "{v:?}");
    }

    #[test]
    fn filed_may_have_no_code_and_uses_service_types() {
        let mut d = base();
        d.mode = Some(RegistrationMode::Filed);
        d.category = Some(Category::CultureSports);
        d.legal_rep.clear();
        let (code, v) = check_draft(&d, date!(2026 - 03 - 01), false);
        assert!(code.is_none() && v.is_empty(), "{v:?}");
        d.category = Some(Category::Charity);
        assert_eq!(check_draft(&d, date!(2026 - 03 - 01), false).1[0].field, "category");
    }

    #[test]
    fn dual_management_needs_a_supervisory_unit() {
        let mut d = base();
        d.category = Some(Category::Other);
        d.uscc = uscc::build('5', '1', "370500", "MJD12345").expect("build").to_string();
        let (_, v) = check_draft(&d, date!(2026 - 03 - 01), false);
        assert_eq!(v[0].field, "supervisory_unit_id");
        d.supervisory_unit_id = Some(3);
        assert!(check_draft(&d, date!(2026 - 03 - 01), false).1.is_empty());
    }

    /// `003§1`: a decoupled organization has no 业务主管单位; its former unit
    /// may stand as its 行业管理部门, which a directly registered one may have too.
    #[test]
    fn seed_003s1_decoupled_has_a_department_not_a_unit() {
        let mut d = base();
        d.category = Some(Category::IndustryAssociation);
        d.uscc = uscc::build('5', '1', "370500", "MJD12345").expect("build").to_string();
        d.decoupled = true;
        d.industry_department_id = Some(4);
        assert!(check_draft(&d, date!(2026 - 03 - 01), false).1.is_empty());
        d.supervisory_unit_id = Some(3);
        let (_, v) = check_draft(&d, date!(2026 - 03 - 01), false);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].field, "supervisory_unit_id");
        assert!(v[0].message.contains("行业管理部门"));
    }

    #[test]
    fn future_dates_and_coordinates() {
        let mut d = base();
        d.mode = Some(RegistrationMode::Filed);
        d.category = Some(Category::MutualAid);
        d.founded_on = Some(date!(2026 - 03 - 02));
        d.longitude = Some(118.5);
        let (_, v) = check_draft(&d, date!(2026 - 03 - 01), false);
        let fields: Vec<_> = v.iter().map(|x| x.field).collect();
        assert_eq!(fields, ["founded_on", "longitude"]);
    }

    #[test]
    fn grams() {
        assert_eq!(name_grams("爱心协会"), ["协会", "心协", "爱心"]);
        assert_eq!(name_grams("ＡＢ 协会"), ["ab", "b协", "协会"]);
        assert!(name_grams("会").is_empty());
    }
}
