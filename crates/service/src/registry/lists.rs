//! The registry's lists: organizations (also the party coverage list of
//! organizations) and supervisory units.

use hongling_domain::audit::AuditAction;
use std::collections::HashMap;

use hongling_domain::Action;
use hongling_domain::party::coverage::{ChannelKind, CoverageMode};
use hongling_domain::registry::{Category, OrgKind, OrgStatus, RegistrationMode, SupervisionClass};
use hongling_store::page::COUNT_CAP;
use hongling_store::registry::entity::{social_org, supervisory_unit};
use hongling_store::registry::orgs as store_orgs;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use std::sync::LazyLock;

use crate::list::{Bind, Cell, Filter, ListQuery, ListSpec, Listing, Pick, Record, Show, Tone, Value};
use crate::{CurrentUser, Hongling, Result};

/// A row of the organization list: the record with the names it refers to.
#[derive(Debug, Clone)]
pub struct OrgRow {
    pub org: social_org::Model,
    pub region_name: String,
    pub unit_name: String,
    /// 行业管理部门 (m0017)
    pub department_name: String,
}

fn label<T: hongling_domain::Labelled>(s: &str) -> String {
    T::parse(s).map(|v| v.label().to_owned()).unwrap_or_else(|| s.to_owned())
}

pub fn status_tone(s: OrgStatus) -> Tone {
    match s {
        OrgStatus::Active => Tone::Green,
        OrgStatus::Applying => Tone::Blue,
        _ => Tone::Grey,
    }
}

pub fn coverage_tone(m: CoverageMode) -> Tone {
    match m {
        CoverageMode::Uncovered => Tone::Orange,
        CoverageMode::Standalone | CoverageMode::JointBranch => Tone::Green,
        _ => Tone::Blue,
    }
}

fn yes(b: bool) -> Cell {
    Cell::text(if b { "是" } else { "否" })
}

fn coord(v: Option<i64>) -> Cell {
    v.map(|v| Cell::Text(format!("{:.6}", v as f64 / 1e6))).unwrap_or(Cell::Empty)
}

/// Filters shared by the registry list and the coverage list of organizations.
fn org_filters(s: ListSpec<social_org::Entity, OrgRow>) -> ListSpec<social_org::Entity, OrgRow> {
    use social_org::Column as C;
    s.filter(Filter::search("q", "名称/信用代码").placeholder("名称中的两个字或信用代码"), Bind::Custom)
        .filter(Filter::region("region", "所在区域"), Bind::Subtree(C::RegionCode))
        .filter(Filter::choice::<OrgKind>("kind", "组织类型"), Bind::Eq(C::Kind))
        .filter(Filter::choice::<RegistrationMode>("mode", "登记方式"), Bind::Eq(C::RegistrationMode))
        .filter(Filter::choice::<Category>("category", "类别"), Bind::Eq(C::Category))
        .filter(Filter::choice::<OrgStatus>("status", "登记状态"), Bind::Eq(C::Status))
        .filter(Filter::pick("supervisory_unit_id", "业务主管单位", Pick::Units), Bind::Eq(C::SupervisoryUnitId))
        .filter(Filter::choice::<CoverageMode>("coverage", "覆盖方式"), Bind::Eq(C::CoverageMode))
        .filter(Filter::choice::<ChannelKind>("channel", "管理渠道类型"), Bind::Eq(C::ChannelKind))
        .filter(Filter::pick("channel_id", "管理渠道", Pick::Channels), Bind::Eq(C::ChannelId))
        .filter(Filter::flag("breaches", "违规", "仅看有违规的"), Bind::With(breach_condition))
        .filter(Filter::choice::<SupervisionClass>("supervision", "监管分类"), Bind::Eq(C::SupervisionClass))
        .filter(Filter::flag("supervised", "分类监管", "仅看分类监管中的"), Bind::With(supervised_condition))
        .filter(Filter::flag("closed", "已终止", "仅看已注销、撤销、吊销的"), Bind::With(closed_condition))
}

fn breach_condition(v: &Value) -> Condition {
    match v {
        Value::Flag(true) => Condition::all().add(social_org::Column::BreachCount.gt(0)),
        Value::Flag(false) => Condition::all().add(social_org::Column::BreachCount.eq(0)),
        _ => Condition::all(),
    }
}

/// Under guidance, interview or key supervision, and active (the dashboard's card).
fn supervised_condition(v: &Value) -> Condition {
    match v {
        Value::Flag(true) => Condition::all()
            .add(social_org::Column::SupervisionClass.ne(SupervisionClass::Normal.as_str()))
            .add(social_org::Column::Status.eq(OrgStatus::Active.as_str())),
        _ => Condition::all(),
    }
}

/// Deregistered, revoked or licence revoked (the dashboard's card).
fn closed_condition(v: &Value) -> Condition {
    match v {
        Value::Flag(true) => Condition::all()
            .add(social_org::Column::Status.is_in(
                [OrgStatus::Deregistered, OrgStatus::Revoked, OrgStatus::LicenceRevoked].map(OrgStatus::as_str),
            )),
        _ => Condition::all(),
    }
}

/// The register (社会组织名录): shown with its status; exported in the import
/// template's columns, so an export can be corrected and imported again.
pub struct OrgList;

static ORGS: LazyLock<ListSpec<social_org::Entity, OrgRow>> = LazyLock::new(|| {
    use social_org::Column as C;
    org_filters(ListSpec::new("orgs", "社会组织名录"))
        .col(
            "name",
            "组织名称",
            |r| Cell::link(r.org.name.clone(), Record::Org, r.org.id).with_line(r.org.address.clone()),
            Show::Page,
            Some(C::Name),
        )
        .col(
            "uscc",
            "统一社会信用代码",
            |r| Cell::text(r.org.uscc.clone().unwrap_or_default()),
            Show::Page,
            Some(C::Uscc),
        )
        .page_only("kind", "组织类型", |r| Cell::text(label::<OrgKind>(&r.org.kind)))
        .page_only("mode", "登记方式", |r| Cell::text(label::<RegistrationMode>(&r.org.registration_mode)))
        .page_only("category", "类别", |r| Cell::text(label::<Category>(&r.org.category)))
        .col("region", "所在区域", |r| Cell::text(r.region_name.clone()), Show::Page, Some(C::RegionCode))
        .col("founded_on", "成立日期", |r| Cell::Date(r.org.founded_on), Show::Page, Some(C::FoundedOn))
        .page_only("status", "登记状态", |r| match OrgStatus::parse(&r.org.status) {
            Some(s) => Cell::Tag(s.label().into(), status_tone(s)),
            None => Cell::text(r.org.status.clone()),
        })
        // the import template's columns, in its order
        .export_only("x_uscc", "统一社会信用代码", |r| Cell::text(r.org.uscc.clone().unwrap_or_default()))
        .export_only("x_name", "组织名称", |r| Cell::text(r.org.name.clone()))
        .export_only("x_kind", "组织类型", |r| Cell::text(label::<OrgKind>(&r.org.kind)))
        .export_only("x_mode", "登记方式", |r| Cell::text(label::<RegistrationMode>(&r.org.registration_mode)))
        .export_only("x_category", "类别", |r| Cell::text(label::<Category>(&r.org.category)))
        .export_only("x_industry", "所属行业", |r| Cell::text(r.org.industry.clone()))
        .export_only("x_authority", "登记管理机关区划代码", |r| Cell::text(r.org.authority_region.clone()))
        .export_only("x_unit", "业务主管单位", |r| Cell::text(r.unit_name.clone()))
        .export_only("x_region", "住所区划代码", |r| Cell::text(r.org.region_code.clone()))
        .export_only("x_address", "住所地址", |r| Cell::text(r.org.address.clone()))
        .export_only("x_lon", "经度", |r| coord(r.org.lon_e6))
        .export_only("x_lat", "纬度", |r| coord(r.org.lat_e6))
        .export_only("x_legal_rep", "法定代表人", |r| Cell::text(r.org.legal_rep.clone()))
        .export_only("x_founded", "成立日期", |r| Cell::Date(r.org.founded_on))
        .export_only("x_staff", "从业人员数", |r| Cell::Count(r.org.staff_count.map(i64::from)))
        .export_only("x_members", "会员数", |r| Cell::Count(r.org.member_count.map(i64::from)))
        .export_only("x_charter", "章程含党建内容", |r| yes(r.org.charter_party_clause))
        .export_only("x_hub", "枢纽型组织", |r| yes(r.org.is_hub))
        .export_only("x_brand", "品牌组织", |r| yes(r.org.is_brand))
        .export_only("x_incubator", "孵化基地", |r| Cell::text(r.org.incubator.clone()))
        .export_only("x_status", "登记状态", |r| Cell::text(label::<OrgStatus>(&r.org.status)))
        .export_only("x_supervision", "监管分类", |r| {
            Cell::text(label::<SupervisionClass>(&r.org.supervision_class))
        })
        .export_only("x_department", "行业管理部门", |r| Cell::text(r.department_name.clone()))
        .export_only("x_decoupled", "已脱钩", |r| yes(r.org.decoupled))
});

/// The base condition of both organization lists: the caller's scope, the
/// region chosen and the name or code search (over the gram index of that
/// region).
fn org_base(app: &Hongling, me: &CurrentUser, q: &ListQuery) -> Result<Condition> {
    me.require(Action::RegistryRead)?;
    let mut c = Condition::all().add(app.org_visibility(me));
    if let Some(text) = q.text("q") {
        let region = q.text("region").unwrap_or(me.scope.region.as_str());
        if let Some(s) = store_orgs::search_condition(text, region) {
            c = c.add(s);
        }
    }
    Ok(c)
}

/// A two-character name search with no other filter is counted from the
/// gram index alone.
async fn org_count(app: &Hongling, me: &CurrentUser, q: &ListQuery) -> Result<Option<u64>> {
    let only_search = q.values.iter().all(|(n, _)| *n == "q" || *n == "region");
    match (q.text("q"), me.scope.region_subtree()) {
        (Some(text), Some(own)) if only_search => {
            let region = q.text("region").unwrap_or(own.as_str());
            Ok(store_orgs::count_single_gram(&app.db, text, region, COUNT_CAP).await?)
        }
        _ => Ok(None),
    }
}

async fn org_rows(app: &Hongling, me: &CurrentUser, models: Vec<social_org::Model>) -> Result<Vec<OrgRow>> {
    let labels = app.region_labels(&models.iter().map(|m| m.region_code.clone()).collect::<Vec<_>>()).await?;
    let unit_ids: Vec<i64> =
        models.iter().flat_map(|m| [m.supervisory_unit_id, m.industry_department_id]).flatten().collect();
    let units = app.pick_labels(me, Pick::Units, &unit_ids).await?;
    let units: HashMap<i64, String> = if units.len() < unit_ids.len() {
        // units of other places (an organization moved): names without scope
        supervisory_unit::Entity::find()
            .filter(supervisory_unit::Column::Id.is_in(unit_ids))
            .all(&app.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect()
    } else {
        units
    };
    Ok(models
        .into_iter()
        .map(|m| OrgRow {
            region_name: labels.get(&m.region_code).cloned().unwrap_or_else(|| m.region_code.clone()),
            unit_name: m.supervisory_unit_id.and_then(|u| units.get(&u).cloned()).unwrap_or_default(),
            department_name: m.industry_department_id.and_then(|u| units.get(&u).cloned()).unwrap_or_default(),
            org: m,
        })
        .collect())
}

impl Listing for OrgList {
    type Entity = social_org::Entity;
    type Row = OrgRow;

    const EXPORT_AUDIT: Option<AuditAction> = Some(AuditAction::OrgExport);

    fn spec() -> &'static ListSpec<social_org::Entity, OrgRow> {
        &ORGS
    }

    fn scope(app: &Hongling, me: &CurrentUser, q: &ListQuery) -> Result<Condition> {
        org_base(app, me, q)
    }

    async fn rows(app: &Hongling, me: &CurrentUser, models: Vec<social_org::Model>) -> Result<Vec<OrgRow>> {
        org_rows(app, me, models).await
    }

    async fn count(app: &Hongling, me: &CurrentUser, q: &ListQuery) -> Result<Option<u64>> {
        org_count(app, me, q).await
    }
}

/// The party coverage of active organizations (组织覆盖明细).
pub struct CoverageOrgList;

static COVERAGE_ORGS: LazyLock<ListSpec<social_org::Entity, OrgRow>> = LazyLock::new(|| {
    use social_org::Column as C;
    org_filters(ListSpec::new("coverage_orgs", "组织覆盖明细"))
        .sorted("name", "组织名称", C::Name, |r| Cell::link(r.org.name.clone(), Record::OrgCoverage, r.org.id))
        .column("uscc", "统一社会信用代码", |r| Cell::text(r.org.uscc.clone().unwrap_or_default()))
        .column("mode", "登记方式", |r| Cell::text(label::<RegistrationMode>(&r.org.registration_mode)))
        .col("region", "所在区域", |r| Cell::text(r.region_name.clone()), Show::Both, Some(C::RegionCode))
        .sorted("formal_members", "正式党员", C::FormalMembers, |r| Cell::count(r.org.formal_members))
        .column("probationary_members", "预备党员", |r| Cell::count(r.org.probationary_members))
        .sorted("coverage", "覆盖方式", C::CoverageMode, |r| match CoverageMode::parse(&r.org.coverage_mode) {
            Some(m) => Cell::Tag(m.label().into(), coverage_tone(m)),
            None => Cell::text(r.org.coverage_mode.clone()),
        })
        .column("channel", "管理渠道", |r| Cell::text(label::<ChannelKind>(&r.org.channel_kind)))
        .sorted("breaches", "违规", C::BreachCount, |r| {
            if r.org.breach_count > 0 { Cell::Tag(r.org.breach_count.to_string(), Tone::Red) } else { Cell::Empty }
        })
});

impl Listing for CoverageOrgList {
    type Entity = social_org::Entity;
    type Row = OrgRow;

    fn spec() -> &'static ListSpec<social_org::Entity, OrgRow> {
        &COVERAGE_ORGS
    }

    fn scope(app: &Hongling, me: &CurrentUser, q: &ListQuery) -> Result<Condition> {
        me.require(Action::PartyFigures)?;
        let c = org_base(app, me, q)?;
        // figures count the active organizations; so does their list
        Ok(if q.get("status").is_none() { c.add(social_org::Column::Status.eq(OrgStatus::Active.as_str())) } else { c })
    }

    async fn rows(app: &Hongling, me: &CurrentUser, models: Vec<social_org::Model>) -> Result<Vec<OrgRow>> {
        org_rows(app, me, models).await
    }
}

/// A row of the supervisory unit list.
#[derive(Debug, Clone)]
pub struct UnitRow {
    pub unit: supervisory_unit::Model,
    pub region_name: String,
}

/// Supervisory units (业务主管单位) of the caller's subtree and above.
pub struct UnitList;

static UNITS: LazyLock<ListSpec<supervisory_unit::Entity, UnitRow>> = LazyLock::new(|| {
    use supervisory_unit::Column as C;
    ListSpec::<supervisory_unit::Entity, UnitRow>::new("units", "业务主管单位")
        .filter(Filter::search("q", "单位名称"), Bind::Contains(C::Name))
        .filter(Filter::region("region", "所在区域"), Bind::Subtree(C::RegionCode))
        .sorted("name", "单位名称", C::Name, |r| Cell::link(r.unit.name.clone(), Record::Unit, r.unit.id))
        .sorted("region", "所在区域", C::RegionCode, |r| Cell::text(r.region_name.clone()))
        .default_order("region", false)
});

impl Listing for UnitList {
    type Entity = supervisory_unit::Entity;
    type Row = UnitRow;

    fn spec() -> &'static ListSpec<supervisory_unit::Entity, UnitRow> {
        &UNITS
    }

    fn scope(app: &Hongling, me: &CurrentUser, _q: &ListQuery) -> Result<Condition> {
        me.require(Action::UnitsRead)?;
        Ok(app.unit_visibility(me))
    }

    async fn rows(app: &Hongling, _me: &CurrentUser, models: Vec<supervisory_unit::Model>) -> Result<Vec<UnitRow>> {
        let labels = app.region_labels(&models.iter().map(|m| m.region_code.clone()).collect::<Vec<_>>()).await?;
        Ok(models
            .into_iter()
            .map(|u| UnitRow { region_name: labels.get(&u.region_code).cloned().unwrap_or_default(), unit: u })
            .collect())
    }
}
