//! The party coverage lists (M2): party organizations, members,
//! instructors, party life, funds, trainings, breaches and channels.

use hongling_domain::audit::AuditAction;
use std::collections::HashMap;
use std::sync::LazyLock;

use hongling_domain::Action;
use hongling_domain::party::breach_life::BreachStatus;
use hongling_domain::party::coverage::{
    Assessment, BreachRule, ChannelKind, FundKind, InstructorSource, InstructorStatus, MemberType, PartyLifeKind,
    PartyOrgStatus, PartyOrgType,
};
use hongling_domain::policy::Param;
use hongling_domain::region::subtree_range;
use hongling_store::party::entity::{
    coverage_breach, instructor, party_channel, party_fund, party_life, party_member, party_org, training,
};
use hongling_store::registry::entity::social_org;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect};

use super::breaches::BreachView;
use super::instructors::InstructorView;
use super::life::{FundView, PartyLifeView, TrainingView, format_fen};
use super::members::MemberView;
use super::records::{ChannelView, PartyOrgView};
use super::{may_read_party, own_party_org};
use crate::list::{Bind, Cell, Filter, ListQuery, ListSpec, Listing, Pick, Record, Show, Tone, Value};
use crate::{CurrentUser, Hongling, Ref, Result};

fn subtree(col: impl ColumnTrait, code: &str) -> Condition {
    let (lo, hi) = subtree_range(code);
    Condition::all().add(col.gte(lo)).add(col.lt(hi))
}

fn nothing() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
}

fn stars(n: i32) -> Cell {
    if n > 0 { Cell::text("★".repeat(n.clamp(0, 5) as usize)) } else { Cell::Empty }
}

fn breaches(n: i32) -> Cell {
    if n > 0 { Cell::Tag(n.to_string(), Tone::Red) } else { Cell::Empty }
}

fn date_text(s: &Option<String>) -> Cell {
    Cell::text(s.clone().unwrap_or_default())
}

fn at_least_stars(v: &Value) -> Condition {
    match v {
        Value::Choice(s) => Condition::all().add(party_org::Column::StarRating.gte(s.parse::<i32>().unwrap_or(0))),
        _ => Condition::all(),
    }
}

fn breach_flag(col: impl ColumnTrait, v: &Value) -> Condition {
    match v {
        Value::Flag(true) => Condition::all().add(col.gt(0)),
        Value::Flag(false) => Condition::all().add(col.eq(0)),
        _ => Condition::all(),
    }
}

// ---------- party organizations ----------

/// Party organizations (党组织), with what they cover and their breaches.
pub struct PartyOrgList;

static PARTY_ORGS: LazyLock<ListSpec<party_org::Entity, PartyOrgView>> = LazyLock::new(|| {
    use party_org::Column as C;
    ListSpec::<party_org::Entity, PartyOrgView>::new("party_orgs", "党组织")
        .filter(Filter::search("q", "党组织名称"), Bind::Contains(C::Name))
        .filter(Filter::region("region", "所在区域"), Bind::Subtree(C::RegionCode))
        .filter(Filter::choice::<PartyOrgType>("org_type", "类型"), Bind::Eq(C::OrgType))
        .filter(Filter::pick("channel_id", "管理渠道", Pick::Channels), Bind::Eq(C::ChannelId))
        .filter(
            Filter::choice::<PartyOrgStatus>("status", "状态").default(PartyOrgStatus::Active.as_str()),
            Bind::Eq(C::Status),
        )
        .filter(
            Filter::options(
                "stars",
                "星级",
                vec![("1", "一星及以上"), ("2", "二星及以上"), ("3", "三星及以上"), ("4", "四星及以上"), ("5", "五星")],
            ),
            Bind::With(at_least_stars),
        )
        .filter(
            Filter::flag("breaches", "违规", "仅看有违规的"),
            Bind::With(|v| breach_flag(party_org::Column::BreachCount, v)),
        )
        .sorted("name", "党组织名称", C::Name, |r| {
            Cell::link(r.name.clone(), Record::PartyOrg, r.id)
                .with_line(r.channel.as_ref().map(|c| c.name.clone()).unwrap_or_default())
        })
        .sorted("org_type", "类型", C::OrgType, |r| Cell::text(r.org_type_label.clone()))
        .sorted("region", "所在区域", C::RegionCode, |r| Cell::text(r.region_name.clone()))
        .column("secretary", "书记", |r| Cell::opt_link(&r.secretary, Record::Member))
        .sorted("covered_orgs", "覆盖组织", C::CoveredOrgs, |r| Cell::count(r.covered_orgs))
        .sorted("formal_members", "正式党员", C::FormalMembers, |r| Cell::count(r.formal_members))
        .column("probationary_members", "预备党员", |r| Cell::count(r.probationary_members))
        .sorted("star_rating", "星级", C::StarRating, |r| stars(r.star_rating))
        .sorted("breaches", "违规", C::BreachCount, |r| breaches(r.breach_count))
        .export_only("founded_on", "成立日期", |r| date_text(&r.founded_on))
        .export_only("secretary_since", "书记任职日期", |r| date_text(&r.secretary_since))
        .export_only("venue", "“六有”达标项", |r| Cell::count(r.venue.iter().filter(|v| v.ok).count() as i64))
        .export_only("brand", "党建品牌", |r| Cell::text(r.brand.clone()))
        .export_only("demonstration", "示范点", |r| Cell::text(if r.is_demonstration { "是" } else { "否" }))
});

impl Listing for PartyOrgList {
    type Entity = party_org::Entity;
    type Row = PartyOrgView;

    fn spec() -> &'static ListSpec<party_org::Entity, PartyOrgView> {
        &PARTY_ORGS
    }

    fn scope(app: &Hongling, me: &CurrentUser, _q: &ListQuery) -> Result<Condition> {
        me.require(Action::PartyRecordsRead)?;
        Ok(app.party_org_visibility(me))
    }

    async fn rows(app: &Hongling, _me: &CurrentUser, models: Vec<party_org::Model>) -> Result<Vec<PartyOrgView>> {
        app.party().party_org_views(models).await
    }
}

// ---------- members ----------

/// Party members (党员); those who left only when asked for.
pub struct MemberList;

static MEMBERS: LazyLock<ListSpec<party_member::Entity, MemberView>> = LazyLock::new(|| {
    use party_member::Column as C;
    ListSpec::<party_member::Entity, MemberView>::new("members", "党员")
        .filter(Filter::search("q", "姓名"), Bind::Contains(C::Name))
        .filter(Filter::region("region", "所在区域"), Bind::Subtree(C::RegionCode))
        .filter(Filter::pick("party_org_id", "所在党组织", Pick::PartyOrgs), Bind::Eq(C::PartyOrgId))
        .filter(Filter::pick("employer_org_id", "所在社会组织", Pick::Orgs), Bind::Eq(C::EmployerOrgId))
        .filter(Filter::choice::<MemberType>("member_type", "党员类别"), Bind::Eq(C::MemberType))
        .filter(Filter::flag("include_left", "已转出", "含已转出的党员"), Bind::Custom)
        .sorted("name", "姓名", C::Name, |r| Cell::link(r.name.clone(), Record::Member, r.id))
        .sorted("member_type", "类别", C::MemberType, |r| {
            Cell::Tag(
                r.member_type_label.clone(),
                if r.member_type == MemberType::Formal.as_str() { Tone::Green } else { Tone::Blue },
            )
        })
        .column("party_org", "所在党组织", |r| Cell::opt_link(&r.party_org, Record::PartyOrg))
        .column("employer_org", "所在社会组织", |r| Cell::opt_link(&r.employer_org, Record::Org))
        .column("posts", "党内职务", |r| Cell::text(r.posts.clone()))
        .sorted("joined_on", "入党日期", C::JoinedOn, |r| date_text(&r.joined_on))
        .col("region", "所在区域", |r| Cell::text(r.region_name.clone()), Show::Export, None)
        .export_only("formal_on", "转正日期", |r| date_text(&r.formal_on))
        .export_only("id_number", "公民身份号码（掩码）", |r| Cell::text(r.id_number_masked.clone()))
        .export_only("left_on", "转出日期", |r| date_text(&r.left_on))
});

impl Listing for MemberList {
    type Entity = party_member::Entity;
    type Row = MemberView;

    // exports carry personal data: who exported what is logged
    const EXPORT_AUDIT: Option<AuditAction> = Some(AuditAction::PartyMemberExport);

    fn spec() -> &'static ListSpec<party_member::Entity, MemberView> {
        &MEMBERS
    }

    fn scope(app: &Hongling, me: &CurrentUser, q: &ListQuery) -> Result<Condition> {
        me.require(Action::PartyRecordsRead)?;
        let c = Condition::all().add(app.member_visibility(me));
        Ok(if q.flag("include_left") { c } else { c.add(party_member::Column::LeftOn.is_null()) })
    }

    async fn rows(app: &Hongling, me: &CurrentUser, models: Vec<party_member::Model>) -> Result<Vec<MemberView>> {
        app.party().member_views(me, models).await
    }
}

// ---------- instructors ----------

/// Party-building instructors (党建指导员) serving the caller's subtree or above.
pub struct InstructorList;

fn available(v: &Value) -> Condition {
    if !matches!(v, Value::Flag(true)) {
        return Condition::all();
    }
    // own limit, or the national default for those without one (the page shows the profile's)
    let default = Param::InstructorMaxOrgs.national_default().unwrap_or(5);
    Condition::any()
        .add(Expr::col(instructor::Column::Load).lt(Expr::col(instructor::Column::MaxOrgs)))
        .add(Condition::all().add(instructor::Column::MaxOrgs.is_null()).add(instructor::Column::Load.lt(default)))
}

static INSTRUCTORS: LazyLock<ListSpec<instructor::Entity, InstructorView>> = LazyLock::new(|| {
    use instructor::Column as C;
    ListSpec::<instructor::Entity, InstructorView>::new("instructors", "党建指导员")
        .filter(Filter::search("q", "姓名"), Bind::Contains(C::Name))
        .filter(Filter::region("region", "服务区域"), Bind::Subtree(C::RegionCode))
        .filter(Filter::choice::<InstructorSource>("source", "来源"), Bind::Eq(C::Source))
        .filter(Filter::choice::<Assessment>("assessment", "考核"), Bind::Eq(C::Assessment))
        .filter(
            Filter::choice::<InstructorStatus>("status", "状态").default(InstructorStatus::Active.as_str()),
            Bind::Eq(C::Status),
        )
        .filter(Filter::flag("available", "可联系", "仅看尚可联系组织的"), Bind::With(available))
        .sorted("name", "姓名", C::Name, |r| Cell::link(r.name.clone(), Record::Instructor, r.id))
        .sorted("source", "来源", C::Source, |r| Cell::text(r.source_label.clone()))
        .sorted("region", "服务区域", C::RegionCode, |r| Cell::text(r.region_name.clone()))
        .column("employer", "工作单位", |r| Cell::text(r.employer.clone()))
        .sorted("load", "联系组织", C::Load, |r| Cell::count(r.load))
        .column("max_orgs", "上限", |r| Cell::count(r.max_orgs))
        .column("assessment", "考核", |r| {
            Cell::text(match r.assessment_year {
                Some(y) if !r.assessment_label.is_empty() => format!("{}（{y}）", r.assessment_label),
                _ => r.assessment_label.clone(),
            })
        })
        .sorted("appointed_on", "聘任日期", C::AppointedOn, |r| date_text(&r.appointed_on))
});

impl Listing for InstructorList {
    type Entity = instructor::Entity;
    type Row = InstructorView;

    fn spec() -> &'static ListSpec<instructor::Entity, InstructorView> {
        &INSTRUCTORS
    }

    fn scope(app: &Hongling, me: &CurrentUser, _q: &ListQuery) -> Result<Condition> {
        me.require(Action::InstructorsRead)?;
        Ok(app.instructor_visibility(me))
    }

    async fn rows(app: &Hongling, _me: &CurrentUser, models: Vec<instructor::Model>) -> Result<Vec<InstructorView>> {
        app.party().instructor_views(models).await
    }
}

// ---------- party life, funds, trainings ----------

/// What a region reader or a party organization's own people see of its
/// activity records: the subtree, or their own party organization.
fn activity_scope(me: &CurrentUser, region: impl ColumnTrait, party_org: impl ColumnTrait) -> Condition {
    if may_read_party(me) {
        return subtree(region, me.scope.region.as_str());
    }
    if let Some(unit) = crate::pick::supervised_unit(me) {
        return Condition::all().add(party_org.in_subquery(crate::pick::unit_party_org_ids(unit)));
    }
    match own_party_org(me) {
        Some(own) => Condition::all().add(party_org.eq(own)),
        None => nothing(),
    }
}

async fn party_org_refs(app: &Hongling, ids: impl Iterator<Item = i64>) -> Result<HashMap<i64, String>> {
    let ids: Vec<i64> = ids.collect();
    let pairs: Vec<(i64, String)> = party_org::Entity::find()
        .select_only()
        .columns([party_org::Column::Id, party_org::Column::Name])
        .filter(party_org::Column::Id.is_in(ids))
        .into_tuple()
        .all(&app.db)
        .await?;
    Ok(pairs.into_iter().collect())
}

/// Party life records (三会一课, themed party days).
pub struct PartyLifeList;

static PARTY_LIFE: LazyLock<ListSpec<party_life::Entity, PartyLifeView>> = LazyLock::new(|| {
    use party_life::Column as C;
    ListSpec::<party_life::Entity, PartyLifeView>::new("party_life", "组织生活记录")
        .filter(Filter::region("region", "所在区域"), Bind::Subtree(C::RegionCode))
        .filter(Filter::pick("party_org_id", "党组织", Pick::PartyOrgs), Bind::Eq(C::PartyOrgId))
        .filter(Filter::choice::<PartyLifeKind>("kind", "类别"), Bind::Eq(C::Kind))
        .filter(Filter::date("from", "开始日期"), Bind::From(C::HeldOn))
        .filter(Filter::date("until", "截止日期"), Bind::Until(C::HeldOn))
        .sorted("held_on", "日期", C::HeldOn, |r| Cell::text(r.held_on.clone()))
        .column("party_org", "党组织", |r| Cell::link(r.party_org.name.clone(), Record::PartyOrg, r.party_org.id))
        .sorted("kind", "类别", C::Kind, |r| Cell::text(r.kind_label.clone()))
        .column("topic", "主题", |r| Cell::text(r.topic.clone()))
        .sorted("attendees", "实到", C::Attendees, |r| Cell::Count(r.attendees.map(i64::from)))
        .column("expected", "应到", |r| Cell::Count(r.expected.map(i64::from)))
        .column("rate", "出席率", |r| Cell::Rate(r.attendance_rate))
        .column("actor", "记录人", |r| Cell::text(r.actor.clone()))
        .default_order("held_on", true)
});

impl Listing for PartyLifeList {
    type Entity = party_life::Entity;
    type Row = PartyLifeView;

    fn spec() -> &'static ListSpec<party_life::Entity, PartyLifeView> {
        &PARTY_LIFE
    }

    fn scope(_app: &Hongling, me: &CurrentUser, _q: &ListQuery) -> Result<Condition> {
        me.require(Action::PartyRecordsRead)?;
        Ok(activity_scope(me, party_life::Column::RegionCode, party_life::Column::PartyOrgId))
    }

    async fn rows(app: &Hongling, _me: &CurrentUser, models: Vec<party_life::Model>) -> Result<Vec<PartyLifeView>> {
        let names = party_org_refs(app, models.iter().map(|r| r.party_org_id)).await?;
        Ok(models.into_iter().map(|r| super::life::party_life_view(r, &names)).collect())
    }
}

/// Party-building funds (党建经费).
pub struct FundList;

static FUNDS: LazyLock<ListSpec<party_fund::Entity, FundView>> = LazyLock::new(|| {
    use party_fund::Column as C;
    ListSpec::<party_fund::Entity, FundView>::new("party_funds", "党建经费")
        .filter(Filter::region("region", "所在区域"), Bind::Subtree(C::RegionCode))
        .filter(Filter::pick("party_org_id", "党组织", Pick::PartyOrgs), Bind::Eq(C::PartyOrgId))
        .filter(Filter::choice::<FundKind>("kind", "类别"), Bind::Eq(C::Kind))
        .filter(Filter::date("from", "开始日期"), Bind::From(C::ReceivedOn))
        .filter(Filter::date("until", "截止日期"), Bind::Until(C::ReceivedOn))
        .sorted("received_on", "到账日期", C::ReceivedOn, |r| Cell::text(r.received_on.clone()))
        .column("party_org", "党组织", |r| Cell::link(r.party_org.name.clone(), Record::PartyOrg, r.party_org.id))
        .sorted("kind", "类别", C::Kind, |r| Cell::text(r.kind_label.clone()))
        .sorted("amount", "金额（元）", C::AmountFen, |r| Cell::Money(Some(r.amount_fen)))
        .column("doc_no", "文号", |r| Cell::text(r.doc_no.clone()))
        .column("note", "说明", |r| Cell::text(r.note.clone()))
        .default_order("received_on", true)
});

impl Listing for FundList {
    type Entity = party_fund::Entity;
    type Row = FundView;

    fn spec() -> &'static ListSpec<party_fund::Entity, FundView> {
        &FUNDS
    }

    fn scope(_app: &Hongling, me: &CurrentUser, _q: &ListQuery) -> Result<Condition> {
        me.require(Action::PartyRecordsRead)?;
        Ok(activity_scope(me, party_fund::Column::RegionCode, party_fund::Column::PartyOrgId))
    }

    async fn rows(app: &Hongling, _me: &CurrentUser, models: Vec<party_fund::Model>) -> Result<Vec<FundView>> {
        let names = party_org_refs(app, models.iter().map(|r| r.party_org_id)).await?;
        Ok(models
            .into_iter()
            .map(|r| FundView {
                id: r.id,
                party_org: Ref { id: r.party_org_id, name: names.get(&r.party_org_id).cloned().unwrap_or_default() },
                kind_label: FundKind::parse(&r.kind).map(FundKind::label).unwrap_or("").to_owned(),
                kind: r.kind,
                amount: format_fen(r.amount_fen),
                amount_fen: r.amount_fen,
                received_on: r.received_on.to_string(),
                doc_no: r.doc_no,
                note: r.note,
            })
            .collect())
    }
}

/// Trainings of secretaries (members) and instructors.
pub struct TrainingList;

static TRAININGS: LazyLock<ListSpec<training::Entity, TrainingView>> = LazyLock::new(|| {
    use training::Column as C;
    ListSpec::<training::Entity, TrainingView>::new("trainings", "培训记录")
        .filter(Filter::region("region", "所在区域"), Bind::Subtree(C::RegionCode))
        .filter(Filter::pick("member_id", "党员", Pick::Members), Bind::Eq(C::MemberId))
        .filter(Filter::pick("instructor_id", "党建指导员", Pick::Instructors), Bind::Eq(C::InstructorId))
        .filter(Filter::date("from", "开始日期"), Bind::From(C::TrainedOn))
        .filter(Filter::date("until", "截止日期"), Bind::Until(C::TrainedOn))
        .sorted("trained_on", "日期", C::TrainedOn, |r| Cell::text(r.trained_on.clone()))
        .column("member", "党员", |r| Cell::opt_link(&r.member, Record::Member))
        .column("instructor", "党建指导员", |r| Cell::opt_link(&r.instructor, Record::Instructor))
        .column("title", "培训名称", |r| Cell::text(r.title.clone()))
        .sorted("hours", "学时", C::Hours, |r| Cell::count(r.hours))
        .column("organizer", "组织单位", |r| Cell::text(r.organizer.clone()))
        .default_order("trained_on", true)
});

impl Listing for TrainingList {
    type Entity = training::Entity;
    type Row = TrainingView;

    fn spec() -> &'static ListSpec<training::Entity, TrainingView> {
        &TRAININGS
    }

    fn scope(_app: &Hongling, me: &CurrentUser, _q: &ListQuery) -> Result<Condition> {
        me.require(Action::PartyRecordsRead)?;
        if may_read_party(me) {
            return Ok(subtree(training::Column::RegionCode, me.scope.region.as_str()));
        }
        if let Some(unit) = crate::pick::supervised_unit(me) {
            return Ok(Condition::all().add(training::Column::MemberId.in_subquery(crate::pick::unit_member_ids(unit))));
        }
        Ok(match own_party_org(me) {
            Some(own) => Condition::all().add(
                training::Column::MemberId.in_subquery(
                    Query::select()
                        .column(party_member::Column::Id)
                        .from(party_member::Entity)
                        .and_where(party_member::Column::PartyOrgId.eq(own))
                        .take(),
                ),
            ),
            None => nothing(),
        })
    }

    async fn rows(app: &Hongling, _me: &CurrentUser, models: Vec<training::Model>) -> Result<Vec<TrainingView>> {
        let member_ids: Vec<i64> = models.iter().filter_map(|r| r.member_id).collect();
        let instructor_ids: Vec<i64> = models.iter().filter_map(|r| r.instructor_id).collect();
        let members: HashMap<i64, String> = party_member::Entity::find()
            .select_only()
            .columns([party_member::Column::Id, party_member::Column::Name])
            .filter(party_member::Column::Id.is_in(member_ids))
            .into_tuple::<(i64, String)>()
            .all(&app.db)
            .await?
            .into_iter()
            .collect();
        let instructors: HashMap<i64, String> = instructor::Entity::find()
            .select_only()
            .columns([instructor::Column::Id, instructor::Column::Name])
            .filter(instructor::Column::Id.is_in(instructor_ids))
            .into_tuple::<(i64, String)>()
            .all(&app.db)
            .await?
            .into_iter()
            .collect();
        Ok(models
            .into_iter()
            .map(|r| TrainingView {
                id: r.id,
                member: r.member_id.map(|id| Ref { id, name: members.get(&id).cloned().unwrap_or_default() }),
                instructor: r
                    .instructor_id
                    .map(|id| Ref { id, name: instructors.get(&id).cloned().unwrap_or_default() }),
                title: r.title,
                trained_on: r.trained_on.to_string(),
                hours: r.hours,
                organizer: r.organizer,
            })
            .collect())
    }
}

// ---------- breaches ----------

/// Coverage rules broken (违规提示), newest first.
pub struct BreachList;

static BREACHES: LazyLock<ListSpec<coverage_breach::Entity, BreachView>> = LazyLock::new(|| {
    use coverage_breach::Column as C;
    ListSpec::<coverage_breach::Entity, BreachView>::new("breaches", "违规提示")
        .filter(
            Filter::choice::<BreachStatus>("status", "状态").default(BreachStatus::Open.as_str()),
            Bind::Eq(C::Status),
        )
        .filter(Filter::region("region", "所在区域"), Bind::Subtree(C::RegionCode))
        .filter(Filter::choice::<BreachRule>("rule", "规则"), Bind::Eq(C::Rule))
        .filter(Filter::pick("assignee_id", "责任人", Pick::Assignees), Bind::Eq(C::AssigneeId))
        .sorted("rule", "规则", C::Rule, |r| Cell::text(r.rule_label.clone()))
        // one column for the organization or party organization that breaks it, so the
        // table stays readable at 1366 px
        .column("subject", "社会组织 / 党组织", |r| match &r.org {
            Some(_) => Cell::opt_link(&r.org, Record::OrgCoverage),
            None => Cell::opt_link(&r.party_org, Record::PartyOrg),
        })
        .sorted("region", "所在区域", C::RegionCode, |r| Cell::text(r.region_name.clone()))
        .column("detail", "情况", |r| Cell::text(r.detail.clone()))
        .sorted("since", "发现日期", C::Since, |r| Cell::text(r.since.clone()))
        .column("days_open", "已持续", |r| Cell::text(format!("{} 天", r.days_open)))
        .column("assignee", "责任人", |r| {
            Cell::text(r.assignee.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| "未指派".into()))
        })
        .column("status", "状态", |r| {
            Cell::Tag(
                match &r.closed_on {
                    Some(d) => format!("{}（{d}）", r.status_label),
                    None => r.status_label.clone(),
                },
                if r.status == BreachStatus::Open.as_str() { Tone::Orange } else { Tone::Grey },
            )
        })
        .default_order("since", true)
});

impl Listing for BreachList {
    type Entity = coverage_breach::Entity;
    type Row = BreachView;

    fn spec() -> &'static ListSpec<coverage_breach::Entity, BreachView> {
        &BREACHES
    }

    fn scope(_app: &Hongling, me: &CurrentUser, _q: &ListQuery) -> Result<Condition> {
        me.require(Action::PartyFigures)?;
        Ok(subtree(coverage_breach::Column::RegionCode, me.scope.region.as_str()))
    }

    async fn rows(app: &Hongling, _me: &CurrentUser, models: Vec<coverage_breach::Model>) -> Result<Vec<BreachView>> {
        app.party().breach_views(models).await
    }
}

// ---------- channels ----------

/// Management channels (党建管理渠道) of the subtree and above, with their
/// active organizations.
pub struct ChannelList;

static CHANNELS: LazyLock<ListSpec<party_channel::Entity, ChannelView>> = LazyLock::new(|| {
    use party_channel::Column as C;
    ListSpec::<party_channel::Entity, ChannelView>::new("channels", "党建管理渠道")
        .filter(Filter::search("q", "名称"), Bind::Contains(C::Name))
        .filter(Filter::choice::<ChannelKind>("kind", "类型"), Bind::Eq(C::Kind))
        .filter(Filter::region("region", "所在区域"), Bind::Subtree(C::RegionCode))
        .sorted("name", "名称", C::Name, |r| Cell::text(r.name.clone()))
        .sorted("kind", "类型", C::Kind, |r| Cell::text(r.kind_label.clone()))
        .sorted("region", "所在区域", C::RegionCode, |r| Cell::text(r.region_name.clone()))
        .column("orgs", "管理的组织（正常）", |r| Cell::count(r.orgs))
        .default_order("kind", false)
});

impl Listing for ChannelList {
    type Entity = party_channel::Entity;
    type Row = ChannelView;

    fn spec() -> &'static ListSpec<party_channel::Entity, ChannelView> {
        &CHANNELS
    }

    fn scope(app: &Hongling, me: &CurrentUser, _q: &ListQuery) -> Result<Condition> {
        me.require(Action::ChannelsRead)?;
        Ok(app.channel_visibility(me))
    }

    async fn rows(app: &Hongling, _me: &CurrentUser, models: Vec<party_channel::Model>) -> Result<Vec<ChannelView>> {
        let ids: Vec<i64> = models.iter().map(|r| r.id).collect();
        // active organizations per channel, in one grouped query
        let counts: Vec<(Option<i64>, i64)> = social_org::Entity::find()
            .select_only()
            .column(social_org::Column::ChannelId)
            .column_as(Expr::col(social_org::Column::Id).count(), "n")
            .filter(social_org::Column::Status.eq(hongling_domain::registry::OrgStatus::Active.as_str()))
            .filter(social_org::Column::ChannelId.is_in(ids))
            .group_by(social_org::Column::ChannelId)
            .into_tuple()
            .all(&app.db)
            .await?;
        let counts: HashMap<i64, i64> = counts.into_iter().filter_map(|(k, n)| k.map(|k| (k, n))).collect();
        let labels = app.region_labels(&models.iter().map(|r| r.region_code.clone()).collect::<Vec<_>>()).await?;
        Ok(models
            .into_iter()
            .map(|c| ChannelView {
                kind_label: ChannelKind::parse(&c.kind).map(ChannelKind::label).unwrap_or("").to_owned(),
                orgs: counts.get(&c.id).copied().unwrap_or(0),
                region_name: labels.get(&c.region_code).cloned().unwrap_or_default(),
                id: c.id,
                kind: c.kind,
                name: c.name,
                region_code: c.region_code,
                supervisory_unit_id: c.supervisory_unit_id,
                hub_org_id: c.hub_org_id,
            })
            .collect())
    }
}
