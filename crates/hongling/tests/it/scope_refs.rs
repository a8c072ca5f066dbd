//! Writes name only what the caller may name (issue 10, finding 2). Every
//! reference field of every create and update — employer, party
//! organization, covered organizations, parent, secretary, instructor and
//! its organizations, host, channel, hub, supervisory unit, residence,
//! registration authority, the regions of new records, imported rows — drawn
//! from outside the caller's scope is refused with exactly the answer an id
//! (or code) that names nothing gets, and nothing is written: no row, no
//! figure, no breach, no audit entry.

use axum::http::StatusCode;
use hongling_domain::Role;
use hongling_domain::registry::OrgDraft;
use hongling_service::party::instructors::InstructorInput;
use hongling_service::party::life::{FundInput, PartyLifeInput, TrainingInput};
use hongling_service::party::members::MemberInput;
use hongling_service::party::planner::{AcceptInput, AcceptInstructor, AcceptJointBranch};
use hongling_service::party::records::{ChannelInput, PartyOrgInput};
use hongling_service::system::users::{NewUser, ScopeInput};
use hongling_service::{CurrentUser, Error, Principal};
use hongling_store::entity::audit_log;
use hongling_store::party::entity::{
    coverage_breach, host_link, instructor, instructor_assignment, party_channel, party_fund, party_life, party_member,
    party_org, party_org_org, training,
};
use hongling_store::registry::entity::{org_event, social_org, supervisory_unit};
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::json;

use crate::support::*;

const WENHUI: &str = "370502001011"; // 文汇街道东营社区
const HUANGHE: &str = "370502002002"; // 黄河路街道南王屋社区
const KENLI: &str = "370505001001"; // 垦利区
/// An id no record has.
const NO_ID: i64 = 987_654_321;

/// Records in and out of the scopes of the callers below.
struct World {
    t: TestApp,
    /// 东营市 party office and registrar: they set the scene
    city: CurrentUser,
    city_reg: CurrentUser,
    /// 东营区 party office
    county: CurrentUser,
    /// 文汇街道 worker (grassroots)
    town: CurrentUser,
    /// secretary of `p`
    sec: CurrentUser,
    /// 东营区 registrar
    clerk: CurrentUser,
    /// 文汇: `a` covered by `p`, `b` uncovered, `a2` uncovered (planner), `ma` a member of `p`
    a: i64,
    b: i64,
    a2: i64,
    p: i64,
    ma: i64,
    /// 文汇街道's instructor, an organization of the clerk's (authority 东营区)
    iw: i64,
    ro: i64,
    /// 黄河路街道 (same county, another township)
    h: i64,
    ph: i64,
    mh: i64,
    ih: i64,
    ch: i64,
    /// 垦利区 (another county): `k` covered by `pk`, `k2` uncovered with two formal members
    k: i64,
    k2: i64,
    pk: i64,
    mk: i64,
    ik: i64,
    ck: i64,
    uk: i64,
    uk_name: String,
    /// 东营市's own party committee (above the county)
    pc: i64,
    n: std::cell::Cell<u32>,
}

impl World {
    async fn new() -> World {
        let t = TestApp::new().await;
        let city = t.user("city", Role::PartyOffice, "3705", PW).await;
        let city_reg = t.user("cityreg", Role::Registrar, "3705", PW).await;
        let county = t.user("county", Role::PartyOffice, "370502", PW).await;
        let town = t.user("wenhui", Role::Grassroots, "370502001", PW).await;
        let clerk = t.user("clerk", Role::Registrar, "370502", PW).await;
        let (city, city_reg, county, town, clerk) = (
            t.current(city).await,
            t.current(city_reg).await,
            t.current(county).await,
            t.current(town).await,
            t.current(clerk).await,
        );
        let mut w = World {
            t,
            city,
            city_reg,
            county,
            town,
            sec: clerk.clone(),
            clerk,
            a: 0,
            b: 0,
            a2: 0,
            p: 0,
            ma: 0,
            iw: 0,
            ro: 0,
            h: 0,
            ph: 0,
            mh: 0,
            ih: 0,
            ch: 0,
            k: 0,
            k2: 0,
            pk: 0,
            mk: 0,
            ik: 0,
            ck: 0,
            uk: 0,
            uk_name: "垦利区教育局".into(),
            pc: 0,
            n: std::cell::Cell::new(0),
        };
        w.a = w.org("文汇甲协会", WENHUI).await;
        w.b = w.org("文汇乙协会", WENHUI).await;
        w.a2 = w.org("文汇丙协会", WENHUI).await;
        w.h = w.org("黄河路协会", HUANGHE).await;
        w.k = w.org("垦利甲协会", KENLI).await;
        w.k2 = w.org("垦利乙协会", KENLI).await;
        w.p = w.party_org("文汇甲协会党支部", WENHUI, vec![w.a]).await;
        w.ph = w.party_org("黄河路协会党支部", HUANGHE, vec![w.h]).await;
        w.pk = w.party_org("垦利甲协会党支部", KENLI, vec![w.k]).await;
        w.pc = w.party_org("东营市社会组织综合党委", "3705", vec![]).await;
        w.ma = w.member("文汇党员", Some(w.p), w.a).await;
        w.mh = w.member("黄河路党员", Some(w.ph), w.h).await;
        w.mk = w.member("垦利党员", Some(w.pk), w.k).await;
        for name in ["垦利乙党员一", "垦利乙党员二"] {
            w.member(name, None, w.k2).await;
        }
        w.iw = w.instructor("文汇指导员", "370502001").await;
        w.ih = w.instructor("黄河路指导员", "370502002").await;
        w.ik = w.instructor("垦利指导员", "370505").await;
        w.ch = w.channel("黄河路行业党委", "370502002").await;
        w.ck = w.channel("垦利区行业党委", "370505").await;
        w.uk =
            w.t.app.registry().create_supervisory_unit(&Principal::Cli, &w.uk_name, "370505").await.expect("unit").id;
        let by = Principal::User(w.clerk.clone());
        w.ro = w.t.app.registry().create_org(&by, w.draft("东营区登记协会", WENHUI), false).await.expect("ro").id;
        let (sec, _) =
            w.t.app
                .system()
                .create_user(
                    &Principal::Cli,
                    NewUser {
                        username: "sec".into(),
                        display_name: "书记".into(),
                        role: Role::PartySecretary,
                        scope: ScopeInput::PartyOrg(w.p),
                        password: Some(PW.into()),
                    },
                )
                .await
                .expect("secretary");
        w.sec = w.t.current(sec.id).await;
        w
    }

    fn draft(&self, name: &str, region: &str) -> OrgDraft {
        let n = self.n.get() + 1;
        self.n.set(n);
        draft(name, &code('1', &region[..6], &format!("MJT{n:05}")), region)
    }

    async fn org(&self, name: &str, region: &str) -> i64 {
        let by = Principal::User(self.city_reg.clone());
        self.t.app.registry().create_org(&by, self.draft(name, region), false).await.expect("org").id
    }

    async fn party_org(&self, name: &str, region: &str, orgs: Vec<i64>) -> i64 {
        let kind = if region.len() < 12 { "committee" } else { "branch" };
        let i = PartyOrgInput {
            name: name.into(),
            org_type: kind.into(),
            region_code: region.into(),
            org_ids: orgs,
            ..Default::default()
        };
        self.t.app.party().create_party_org(&self.city, &i).await.expect("party org").id
    }

    async fn member(&self, name: &str, party_org: Option<i64>, employer: i64) -> i64 {
        let i = MemberInput {
            name: name.into(),
            member_type: "formal".into(),
            party_org_id: party_org.map(|p| p.to_string()),
            employer_org_id: Some(employer.to_string()),
            ..Default::default()
        };
        self.t.app.party().create_member(&self.city, &i).await.expect("member").id
    }

    async fn instructor(&self, name: &str, region: &str) -> i64 {
        let i = InstructorInput {
            name: name.into(),
            source: "retired_cadre".into(),
            region_code: region.into(),
            ..Default::default()
        };
        self.t.app.party().create_instructor(&self.city, &i).await.expect("instructor").id
    }

    async fn channel(&self, name: &str, region: &str) -> i64 {
        let i = ChannelInput {
            kind: "industry_committee".into(),
            name: name.into(),
            region_code: region.into(),
            hub_org_id: None,
        };
        self.t.app.party().create_channel(&self.city, &i).await.expect("channel").id
    }

    /// Everything a write could change: the records with their maintained
    /// figures, the link tables, the breaches and the audit log.
    async fn state(&self) -> String {
        let db = &self.t.app.db;
        let orgs: Vec<_> = social_org::Entity::find()
            .order_by_asc(social_org::Column::Id)
            .all(db)
            .await
            .expect("orgs")
            .into_iter()
            .map(|o| {
                (
                    o.id,
                    o.version,
                    o.formal_members,
                    o.probationary_members,
                    o.breach_count,
                    o.coverage_mode,
                    o.channel_id,
                    o.authority_region,
                    o.supervisory_unit_id,
                    o.region_code,
                )
            })
            .collect();
        let parties: Vec<_> = party_org::Entity::find()
            .order_by_asc(party_org::Column::Id)
            .all(db)
            .await
            .expect("party orgs")
            .into_iter()
            .map(|p| {
                (
                    p.id,
                    p.version,
                    p.parent_id,
                    p.secretary_member_id,
                    p.channel_id,
                    p.region_code,
                    p.covered_orgs,
                    p.formal_members,
                    p.breach_count,
                )
            })
            .collect();
        let members: Vec<_> = party_member::Entity::find()
            .order_by_asc(party_member::Column::Id)
            .all(db)
            .await
            .expect("members")
            .into_iter()
            .map(|m| (m.id, m.version, m.employer_org_id, m.party_org_id, m.region_code))
            .collect();
        let instructors: Vec<_> = instructor::Entity::find()
            .order_by_asc(instructor::Column::Id)
            .all(db)
            .await
            .expect("instructors")
            .into_iter()
            .map(|m| (m.id, m.version, m.load, m.region_code))
            .collect();
        let counts = [
            party_org_org::Entity::find().count(db).await.expect("n"),
            instructor_assignment::Entity::find().count(db).await.expect("n"),
            host_link::Entity::find().count(db).await.expect("n"),
            party_life::Entity::find().count(db).await.expect("n"),
            party_fund::Entity::find().count(db).await.expect("n"),
            training::Entity::find().count(db).await.expect("n"),
            party_channel::Entity::find().count(db).await.expect("n"),
            supervisory_unit::Entity::find().count(db).await.expect("n"),
            org_event::Entity::find().count(db).await.expect("n"),
            coverage_breach::Entity::find().count(db).await.expect("n"),
            audit_log::Entity::find().count(db).await.expect("n"),
        ];
        format!("{orgs:?}\n{parties:?}\n{members:?}\n{instructors:?}\n{counts:?}")
    }
}

/// What a caller is told, with the reference's own text replaced so that
/// answers about different ids can be compared (an imported row's messages
/// also quote the authority taken from a residence's code: its first six digits).
fn answer(r: Result<(), Error>, value: &str) -> String {
    let own = |m: &str| {
        let m = m.replace(value, "〈引用〉");
        match value.get(..6) {
            Some(prefix) if value.len() > 6 && value.bytes().all(|b| b.is_ascii_digit()) => {
                m.replace(prefix, "〈引用〉")
            }
            _ => m,
        }
    };
    match r {
        Ok(()) => "accepted".into(),
        Err(e) => {
            let fields: Vec<String> =
                e.field_errors().iter().map(|f| format!("{}: {}", f.field, own(&f.message))).collect();
            format!("{} {} | {}", e.code(), own(&e.to_string()), fields.join(" | "))
        }
    }
}

/// The kinds of reference a write names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Org,
    PartyOrg,
    Member,
    Instructor,
    Channel,
    Unit,
    UnitName,
    /// where a new record lies
    Region,
    /// the registration authority
    Authority,
}

/// Every write operation with a reference field.
#[derive(Debug, Clone, Copy)]
enum Op {
    MemberCreateEmployer,
    MemberCreateParty,
    MemberUpdateEmployer,
    MemberUpdateParty,
    PartyOrgCreateRegion,
    PartyOrgCreateChannel,
    PartyOrgCreateParent,
    PartyOrgCreateCovers,
    PartyOrgUpdateRegion,
    PartyOrgUpdateChannel,
    PartyOrgUpdateParent,
    PartyOrgUpdateSecretary,
    CoverAdd,
    CoverRemove,
    LifeParty,
    FundParty,
    TrainingMember,
    TrainingInstructor,
    InstructorCreateRegion,
    InstructorUpdateRegion,
    AssignAdd,
    AssignRemove,
    ChannelRegion,
    ChannelHub,
    OrgChannel,
    OrgHost,
    PlanInstructor,
    PlanInstructorOrgs,
    PlanJointOrgs,
    RegistryCreateRegion,
    RegistryCreateAuthority,
    RegistryCreateUnit,
    RegistryUpdateAuthority,
    RegistryUpdateUnit,
    UnitRegion,
    ImportRegion,
    ImportAuthority,
    ImportUnit,
}

const OPS: &[Op] = &[
    Op::MemberCreateEmployer,
    Op::MemberCreateParty,
    Op::MemberUpdateEmployer,
    Op::MemberUpdateParty,
    Op::PartyOrgCreateRegion,
    Op::PartyOrgCreateChannel,
    Op::PartyOrgCreateParent,
    Op::PartyOrgCreateCovers,
    Op::PartyOrgUpdateRegion,
    Op::PartyOrgUpdateChannel,
    Op::PartyOrgUpdateParent,
    Op::PartyOrgUpdateSecretary,
    Op::CoverAdd,
    Op::CoverRemove,
    Op::LifeParty,
    Op::FundParty,
    Op::TrainingMember,
    Op::TrainingInstructor,
    Op::InstructorCreateRegion,
    Op::InstructorUpdateRegion,
    Op::AssignAdd,
    Op::AssignRemove,
    Op::ChannelRegion,
    Op::ChannelHub,
    Op::OrgChannel,
    Op::OrgHost,
    Op::PlanInstructor,
    Op::PlanInstructorOrgs,
    Op::PlanJointOrgs,
    Op::RegistryCreateRegion,
    Op::RegistryCreateAuthority,
    Op::RegistryCreateUnit,
    Op::RegistryUpdateAuthority,
    Op::RegistryUpdateUnit,
    Op::UnitRegion,
    Op::ImportRegion,
    Op::ImportAuthority,
    Op::ImportUnit,
];

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    County,
    Town,
    Secretary,
    Clerk,
}

impl Op {
    /// The field the answer must name, and the kind of record it names.
    fn field(self) -> (&'static str, Kind) {
        use Op::*;
        match self {
            MemberCreateEmployer | MemberUpdateEmployer => ("employer_org_id", Kind::Org),
            MemberCreateParty | MemberUpdateParty | LifeParty | FundParty => ("party_org_id", Kind::PartyOrg),
            PartyOrgCreateRegion
            | PartyOrgUpdateRegion
            | InstructorCreateRegion
            | InstructorUpdateRegion
            | ChannelRegion
            | RegistryCreateRegion
            | UnitRegion => ("region_code", Kind::Region),
            PartyOrgCreateChannel | PartyOrgUpdateChannel | OrgChannel => ("channel_id", Kind::Channel),
            PartyOrgCreateParent | PartyOrgUpdateParent => ("parent_id", Kind::PartyOrg),
            PartyOrgCreateCovers | CoverAdd | CoverRemove | AssignAdd | AssignRemove => ("org_ids", Kind::Org),
            PartyOrgUpdateSecretary => ("secretary_member_id", Kind::Member),
            TrainingMember => ("member_id", Kind::Member),
            TrainingInstructor => ("instructor_id", Kind::Instructor),
            ChannelHub => ("hub_org_id", Kind::Org),
            OrgHost => ("host_org_id", Kind::Org),
            PlanInstructor => ("instructor", Kind::Instructor),
            PlanInstructorOrgs | PlanJointOrgs => ("orgs", Kind::Org),
            RegistryCreateAuthority | RegistryUpdateAuthority => ("authority_region", Kind::Authority),
            RegistryCreateUnit | RegistryUpdateUnit => ("supervisory_unit_id", Kind::Unit),
            ImportRegion => ("row", Kind::Region),
            ImportAuthority => ("row", Kind::Authority),
            ImportUnit => ("row", Kind::UnitName),
        }
    }

    fn callers(self) -> &'static [Caller] {
        use Caller::*;
        use Op::*;
        match self {
            MemberCreateEmployer | MemberUpdateEmployer | LifeParty | TrainingMember => &[County, Town, Secretary],
            PartyOrgUpdateSecretary => &[County, Town, Secretary],
            RegistryCreateRegion
            | RegistryCreateAuthority
            | RegistryCreateUnit
            | RegistryUpdateAuthority
            | RegistryUpdateUnit
            | UnitRegion
            | ImportRegion
            | ImportAuthority
            | ImportUnit => &[Clerk],
            _ => &[County, Town],
        }
    }
}

/// A value of a reference: an id, a region code or a unit's name.
#[derive(Debug, Clone)]
enum Value {
    Id(i64),
    Text(String),
}

impl Value {
    fn id(&self) -> i64 {
        match self {
            Value::Id(i) => *i,
            Value::Text(t) => t.parse().unwrap_or(NO_ID),
        }
    }

    fn text(&self) -> String {
        match self {
            Value::Id(i) => i.to_string(),
            Value::Text(t) => t.clone(),
        }
    }
}

impl World {
    fn user(&self, c: Caller) -> &CurrentUser {
        match c {
            Caller::County => &self.county,
            Caller::Town => &self.town,
            Caller::Secretary => &self.sec,
            Caller::Clerk => &self.clerk,
        }
    }

    /// References from outside the caller's scope, of each kind, and one that names nothing.
    fn outside(&self, c: Caller, kind: Kind) -> (Vec<Value>, Value) {
        use Caller::*;
        let ids = |v: &[i64]| v.iter().map(|i| Value::Id(*i)).collect::<Vec<_>>();
        let codes = |v: &[&str]| v.iter().map(|c| Value::Text((*c).to_owned())).collect::<Vec<_>>();
        let missing = Value::Id(NO_ID);
        match (kind, c) {
            (Kind::Org, County) => (ids(&[self.k, self.k2]), missing),
            (Kind::Org, Town) => (ids(&[self.h, self.k, self.k2]), missing),
            // a secretary names the organizations their party organization covers
            (Kind::Org, _) => (ids(&[self.b, self.h, self.k2]), missing),
            (Kind::PartyOrg, County) => (ids(&[self.pk, self.pc]), missing),
            (Kind::PartyOrg, _) => (ids(&[self.ph, self.pk, self.pc]), missing),
            (Kind::Member, County) => (ids(&[self.mk]), missing),
            (Kind::Member, _) => (ids(&[self.mh, self.mk]), missing),
            (Kind::Instructor, County) => (ids(&[self.ik]), missing),
            (Kind::Instructor, _) => (ids(&[self.ih, self.ik]), missing),
            (Kind::Channel, County) => (ids(&[self.ck]), missing),
            (Kind::Channel, _) => (ids(&[self.ch, self.ck]), missing),
            (Kind::Unit, _) => (ids(&[self.uk]), missing),
            (Kind::UnitName, _) => (codes(&[&self.uk_name]), Value::Text("不存在的单位".into())),
            (Kind::Region, County) => {
                (codes(&["370505", "370505001", "3705", "510104"]), Value::Text("379999001".into()))
            }
            (Kind::Region, Town) => (codes(&["370502002", "370505001", "370502"]), Value::Text("379999001".into())),
            (Kind::Region, _) => {
                (codes(&["370505001001", "370505001", "370505", "3705"]), Value::Text("379999001001".into()))
            }
            // prefixes of the residence (文汇), so that only the scope is wrong; "3705020" names nothing
            (Kind::Authority, _) => (codes(&["3705", "37"]), Value::Text("3705020".into())),
        }
    }

    /// Run one write with one reference; an import answers with its row's reasons.
    async fn run(&self, op: Op, c: Caller, v: &Value) -> Result<(), Error> {
        use Op::*;
        let me = self.user(c);
        let party = self.t.app.party();
        let registry = self.t.app.registry();
        let id = v.id();
        let text = v.text();
        let member = |employer: i64, party_org: Option<i64>| MemberInput {
            name: "越界测试党员".into(),
            member_type: "formal".into(),
            employer_org_id: Some(employer.to_string()),
            party_org_id: party_org.map(|p| p.to_string()),
            ..Default::default()
        };
        let party_org = |region: &str| PartyOrgInput {
            name: "越界测试党支部".into(),
            org_type: "branch".into(),
            region_code: region.into(),
            ..Default::default()
        };
        let clerk = Principal::User(self.clerk.clone());
        let reg_update =
            |d: OrgDraft| async move { registry.update_org(me, self.ro, d, None, None, "测试").await.map(drop) };
        match op {
            MemberCreateEmployer => party.create_member(me, &member(id, Some(self.p))).await.map(drop),
            MemberCreateParty => party.create_member(me, &member(self.a, Some(id))).await.map(drop),
            MemberUpdateEmployer => party.update_member(me, self.ma, &member(id, Some(self.p))).await.map(drop),
            MemberUpdateParty => party.update_member(me, self.ma, &member(self.a, Some(id))).await.map(drop),
            PartyOrgCreateRegion => party.create_party_org(me, &party_org(&text)).await.map(drop),
            PartyOrgCreateChannel => {
                let i = PartyOrgInput { channel_id: Some(text), ..party_org(WENHUI) };
                party.create_party_org(me, &i).await.map(drop)
            }
            PartyOrgCreateParent => {
                let i = PartyOrgInput { parent_id: Some(text), ..party_org(WENHUI) };
                party.create_party_org(me, &i).await.map(drop)
            }
            PartyOrgCreateCovers => {
                let i = PartyOrgInput { org_ids: vec![self.b, id], ..party_org(WENHUI) };
                party.create_party_org(me, &i).await.map(drop)
            }
            PartyOrgUpdateRegion => party.update_party_org(me, self.p, &party_org(&text)).await.map(drop),
            PartyOrgUpdateChannel => {
                let i = PartyOrgInput { channel_id: Some(text), ..party_org(WENHUI) };
                party.update_party_org(me, self.p, &i).await.map(drop)
            }
            PartyOrgUpdateParent => {
                let i = PartyOrgInput { parent_id: Some(text), ..party_org(WENHUI) };
                party.update_party_org(me, self.p, &i).await.map(drop)
            }
            PartyOrgUpdateSecretary => {
                let i = PartyOrgInput { secretary_member_id: Some(text), ..party_org(WENHUI) };
                party.update_party_org(me, self.p, &i).await.map(drop)
            }
            CoverAdd => party.change_covered_orgs(me, self.p, &[self.b, id], &[]).await,
            CoverRemove => party.change_covered_orgs(me, self.p, &[], &[id]).await,
            LifeParty => {
                let i = PartyLifeInput {
                    party_org_id: Some(text),
                    kind: "branch_assembly".into(),
                    held_on: Some("2026-02-01".into()),
                    topic: "学习".into(),
                    ..Default::default()
                };
                party.create_party_life(me, &i).await.map(drop)
            }
            FundParty => {
                let i = FundInput {
                    party_org_id: Some(text),
                    kind: "startup".into(),
                    amount: Some("3000".into()),
                    received_on: Some("2026-02-01".into()),
                    ..Default::default()
                };
                party.create_fund(me, &i).await.map(drop)
            }
            TrainingMember | TrainingInstructor => {
                let mut i = TrainingInput {
                    title: "轮训".into(),
                    trained_on: Some("2026-02-01".into()),
                    hours: Some("8".into()),
                    ..Default::default()
                };
                if matches!(op, TrainingMember) {
                    i.member_id = Some(text);
                } else {
                    i.instructor_id = Some(text);
                }
                party.create_training(me, &i).await.map(drop)
            }
            InstructorCreateRegion | InstructorUpdateRegion => {
                let i = InstructorInput {
                    name: "越界测试指导员".into(),
                    source: "retired_cadre".into(),
                    region_code: text,
                    ..Default::default()
                };
                if matches!(op, InstructorCreateRegion) {
                    party.create_instructor(me, &i).await.map(drop)
                } else {
                    party.update_instructor(me, self.iw, &i).await.map(drop)
                }
            }
            AssignAdd => party.assign_instructor(me, self.iw, &[self.b, id], &[]).await,
            AssignRemove => party.assign_instructor(me, self.iw, &[], &[id]).await,
            ChannelRegion => {
                let i = ChannelInput {
                    kind: "industry_committee".into(),
                    name: "越界测试渠道".into(),
                    region_code: text,
                    hub_org_id: None,
                };
                party.create_channel(me, &i).await.map(drop)
            }
            ChannelHub => {
                let i = ChannelInput {
                    kind: "hub_org".into(),
                    name: "越界测试枢纽".into(),
                    region_code: "370502001".into(),
                    hub_org_id: Some(text),
                };
                party.create_channel(me, &i).await.map(drop)
            }
            OrgChannel => party.set_org_channel(me, self.b, Some(id)).await,
            OrgHost => party.set_host(me, self.b, Some(id)).await,
            PlanInstructor => {
                let i = AcceptInput::Instructor(AcceptInstructor { instructor: id, orgs: vec![self.b] });
                party.accept_plan(me, &i).await.map(drop)
            }
            PlanInstructorOrgs => {
                let i = AcceptInput::Instructor(AcceptInstructor { instructor: self.iw, orgs: vec![id] });
                party.accept_plan(me, &i).await.map(drop)
            }
            PlanJointOrgs => {
                let i = AcceptInput::JointBranch(AcceptJointBranch { orgs: vec![self.a2, id], ..Default::default() });
                party.accept_plan(me, &i).await.map(drop)
            }
            RegistryCreateRegion => {
                let mut d = self.draft("越界测试协会", WENHUI);
                d.region_code = text.clone();
                d.authority_region = text.get(..6).unwrap_or(&text).to_owned();
                registry.create_org(&clerk, d, false).await.map(drop)
            }
            RegistryCreateAuthority => {
                let mut d = self.draft("越界测试协会", WENHUI);
                d.authority_region = text;
                registry.create_org(&clerk, d, false).await.map(drop)
            }
            RegistryCreateUnit => {
                let mut d = self.draft("越界测试协会", WENHUI);
                d.supervisory_unit_id = Some(id);
                registry.create_org(&clerk, d, false).await.map(drop)
            }
            RegistryUpdateAuthority | RegistryUpdateUnit => {
                let o = registry.get_org(me, self.ro).await.expect("ro");
                let mut d = hongling_service::registry::orgs::draft_of(&o);
                if matches!(op, RegistryUpdateAuthority) {
                    d.authority_region = text;
                } else {
                    d.supervisory_unit_id = Some(id);
                }
                reg_update(d).await
            }
            UnitRegion => registry.create_supervisory_unit(&clerk, "越界测试单位", &text).await.map(drop),
            ImportRegion | ImportAuthority | ImportUnit => {
                let (mut authority, mut region, mut unit) = ("370502".to_owned(), WENHUI.to_owned(), String::new());
                match op {
                    ImportRegion => {
                        authority = text.get(..6).unwrap_or(&text).to_owned();
                        region = text.clone();
                    }
                    ImportAuthority => authority = text.clone(),
                    _ => unit = text.clone(),
                }
                let n = self.n.get() + 1;
                self.n.set(n);
                let code = code('1', "370502", &format!("MJT{n:05}"));
                let csv = format!(
                    "统一社会信用代码,组织名称,组织类型,登记方式,类别,所属行业,登记管理机关区划代码,业务主管单位,住所区划代码,住所地址,经度,纬度,法定代表人,成立日期,从业人员数,会员数,章程含党建内容,枢纽型组织,品牌组织,孵化基地,登记状态,监管分类\n\
                     {code},越界导入协会,社会团体,登记,公益慈善类,,{authority},{unit},{region},,,,王伟,2018-03-01,3,50,是,否,否,,正常,\n"
                );
                let (_, s) = registry.preview_import(me, "越界.csv", csv.into_bytes()).await.expect("preview");
                assert_eq!((s.creates, s.updates, s.rejected.len()), (0, 0, 1), "{op:?} {text}: {s:?}");
                // the preview keeps the file for the decision; committing it writes no record
                Err(Error::Invalid(vec![hongling_service::FieldError {
                    field: "row".into(),
                    message: s.rejected[0].reasons.join("；"),
                }]))
            }
        }
    }
}

/// Every write operation × every reference field × references from outside
/// each caller's scope: refused exactly like a reference to nothing, naming
/// the field, and nothing written.
#[tokio::test]
async fn every_reference_outside_the_scope_is_refused_like_a_missing_one() {
    let w = World::new().await;
    let mut tried = 0;
    for op in OPS {
        let (field, kind) = op.field();
        for caller in op.callers() {
            let (outside, missing) = w.outside(*caller, kind);
            let before = w.state().await;
            let r = w.run(*op, *caller, &missing).await;
            let expected = answer(r, &missing.text());
            if let Op::ImportRegion = op {
                assert!(expected.contains("住所区划代码“〈引用〉”不存在或不在您的管辖范围内"), "{expected}");
            }
            assert!(expected.starts_with("invalid "), "{op:?} {caller:?} missing: {expected}");
            assert!(expected.contains(&format!("| {field}: ")), "{op:?} {caller:?}: names {field}: {expected}");
            assert_eq!(w.state().await, before, "{op:?} {caller:?} with a missing reference wrote something");
            for v in &outside {
                let r = w.run(*op, *caller, v).await;
                let got = answer(r, &v.text());
                assert_eq!(got, expected, "{op:?} by {caller:?} naming {v:?} (outside the scope)");
                assert_eq!(w.state().await, before, "{op:?} by {caller:?} naming {v:?} wrote something");
                tried += 1;
            }
        }
    }
    assert!(tried > 100, "{tried}");
    // imports: committing a preview whose only row was refused creates nothing there either
    let orgs = social_org::Entity::find().count(&w.t.app.db).await.expect("n");
    let r = w.run(Op::ImportRegion, Caller::Clerk, &Value::Text(KENLI.into())).await;
    assert!(r.is_err());
    let jobs = hongling_store::registry::entity::import_job::Entity::find()
        .order_by_desc(hongling_store::registry::entity::import_job::Column::Id)
        .one(&w.t.app.db)
        .await
        .expect("q")
        .expect("job");
    let s = w.t.app.registry().commit_import(&w.clerk, jobs.id).await.expect("commit");
    assert_eq!((s.creates, s.updates), (0, 0));
    assert_eq!(social_org::Entity::find().count(&w.t.app.db).await.expect("n"), orgs);
}

/// Positive controls: the same writes with references inside the scope go
/// through, so the refusals above are about scope and nothing else.
#[tokio::test]
async fn references_inside_the_scope_are_accepted() {
    let w = World::new().await;
    let party = w.t.app.party();
    // a secretary's member works at an organization their party organization covers
    let i = MemberInput {
        name: "书记登记的党员".into(),
        member_type: "formal".into(),
        employer_org_id: Some(w.a.to_string()),
        ..Default::default()
    };
    assert_eq!(party.create_member(&w.sec, &i).await.expect("own").party_org_id, Some(w.p));
    // a township worker: a party organization and an employer of the township
    let i = MemberInput { party_org_id: Some(w.p.to_string()), employer_org_id: Some(w.b.to_string()), ..i };
    party.create_member(&w.town, &i).await.expect("township");
    // the county: a channel of the city above, a parent of the county, covering its organizations
    let cc = w.channel("东营市行业党委", "3705").await;
    let i = PartyOrgInput {
        name: "东营区社会组织综合党委".into(),
        org_type: "committee".into(),
        region_code: "370502".into(),
        channel_id: Some(cc.to_string()),
        ..Default::default()
    };
    let committee = party.create_party_org(&w.county, &i).await.expect("committee").id;
    let i = PartyOrgInput {
        name: "文汇乙协会党支部".into(),
        org_type: "branch".into(),
        region_code: WENHUI.into(),
        parent_id: Some(committee.to_string()),
        org_ids: vec![w.b],
        ..Default::default()
    };
    party.create_party_org(&w.county, &i).await.expect("branch");
    // a city instructor serves the county's organizations through the planner
    let city_instructor = w.instructor("东营市指导员", "3705").await;
    let i = AcceptInput::Instructor(AcceptInstructor { instructor: city_instructor, orgs: vec![w.a2] });
    party.accept_plan(&w.county, &i).await.expect("a city instructor");
    // the clerk: a unit of the city above, the county's own authority
    let cu = w.t.app.registry().create_supervisory_unit(&Principal::Cli, "东营市教育局", "3705").await.expect("unit");
    let mut d = w.draft("东营区教育协会", WENHUI);
    d.supervisory_unit_id = Some(cu.id);
    w.t.app.registry().create_org(&Principal::User(w.clerk.clone()), d, false).await.expect("unit above");
}

/// The reported case, over the API: a party secretary, and a township
/// worker, post a member employed by an organization of another county.
/// Refused with the answer of a missing id; that organization's figures and
/// breaches do not move; a PUT does not reveal the organization's name.
#[tokio::test]
async fn a_member_cannot_be_placed_in_another_countys_organization() {
    let w = World::new().await;
    let k2 = w.t.app.registry().get_org(&w.city_reg, w.k2).await.expect("k2");
    assert_eq!((k2.formal_members, k2.breach_count), (2, 1), "two formal members, 三同步 pending");
    let mut tokens = std::collections::HashMap::new();
    for user in ["sec", "wenhui", "county"] {
        tokens.insert(user, w.t.app.create_token(&Principal::Cli, user, "t", None).await.expect("token"));
    }
    let before = w.state().await;
    let mut b = w.t.browser();
    for (user, body) in [
        ("sec", json!({"name": "越界党员", "member_type": "formal", "employer_org_id": w.k2})),
        ("wenhui", json!({"name": "越界党员", "member_type": "formal", "party_org_id": w.p, "employer_org_id": w.k2})),
        ("county", json!({"name": "越界党员", "member_type": "formal", "party_org_id": w.p, "employer_org_id": w.k2})),
    ] {
        let token = &tokens[user];
        let r = b.api_send("POST", "/api/v1/party-members", token, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{user}: {}", r.body);
        let j = r.json();
        assert_eq!(j["fields"][0]["field"], "employer_org_id", "{j}");
        let mut missing = body.clone();
        missing["employer_org_id"] = json!(NO_ID);
        let m = b.api_send("POST", "/api/v1/party-members", token, missing).await;
        assert_eq!((m.status, m.body.as_str()), (r.status, r.body.as_str()), "{user}: the same answer as a missing id");
        assert!(!r.body.contains("垦利乙协会"), "{}", r.body);
        // a PUT answers the same and does not reveal the name
        let put = json!({
            "name": "文汇党员", "gender": "", "member_type": "formal", "joined_on": "", "formal_on": "", "posts": "",
            "employer_org_id": w.k2, "party_org_id": w.p, "id_number": "", "phone": "", "left_on": "", "version": null,
        });
        let r = b.api_send("PUT", &format!("/api/v1/party-members/{}", w.ma), token, put.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{user}: {}", r.body);
        assert!(!r.body.contains("垦利乙协会"), "{}", r.body);
        let mut missing = put;
        missing["employer_org_id"] = json!(NO_ID);
        let m = b.api_send("PUT", &format!("/api/v1/party-members/{}", w.ma), token, missing).await;
        assert_eq!((m.status, m.body.as_str()), (r.status, r.body.as_str()), "{user}: the same answer as a missing id");
    }
    assert_eq!(w.state().await, before, "no member, no figure, no breach, no audit entry");
    let k2 = w.t.app.registry().get_org(&w.city_reg, w.k2).await.expect("k2");
    assert_eq!((k2.formal_members, k2.breach_count), (2, 1));
    let breaches = w.t.app.party().org_party(&w.city, w.k2).await.expect("k2 party");
    assert_eq!(breaches.breaches.iter().map(|x| x.rule.as_str()).collect::<Vec<_>>(), ["sync_uncovered"]);
}

/// The registration authority lies in the clerk's scope too: a 东营区 clerk
/// cannot name 东营市 or 垦利区, on a new record, a change or an import. A
/// record the city registered keeps its authority when the county changes it.
#[tokio::test]
async fn the_registration_authority_lies_in_the_clerks_scope() {
    let w = World::new().await;
    let by = Principal::User(w.clerk.clone());
    let before = w.state().await;
    let refused = "登记管理机关不存在或不在您的管辖范围内";
    for authority in ["3705", "370505", "37"] {
        let mut d = w.draft("东营区越界协会", WENHUI);
        d.authority_region = authority.into();
        let e = w.t.app.registry().create_org(&by, d, false).await.expect_err(authority);
        assert!(
            e.field_errors().iter().any(|f| f.field == "authority_region" && f.message == refused),
            "{authority}: {:?}",
            e.field_errors()
        );
    }
    // a change to the clerk's own record
    let o = w.t.app.registry().get_org(&w.clerk, w.ro).await.expect("ro");
    let mut d = hongling_service::registry::orgs::draft_of(&o);
    d.authority_region = "3705".into();
    let e = w.t.app.registry().update_org(&w.clerk, w.ro, d, None, None, "改登记机关").await.expect_err("city");
    assert_eq!(e.field_errors()[0].message, refused);
    assert_eq!(w.state().await, before);
    // the clerk's own authority and a township of it are fine
    let mut d = w.draft("东营区本级协会", WENHUI);
    d.authority_region = "370502".into();
    w.t.app.registry().create_org(&by, d, false).await.expect("own authority");
    // a record the city registered: the county clerk changes its address, the authority stays
    let city = Principal::User(w.city_reg.clone());
    let mut d = w.draft("东营市本级协会", WENHUI);
    d.authority_region = "3705".into();
    let c = w.t.app.registry().create_org(&city, d, false).await.expect("city record");
    let mut d = hongling_service::registry::orgs::draft_of(&c);
    d.address = "文汇街道某路 1 号".into();
    let m = w.t.app.registry().update_org(&w.clerk, c.id, d, None, None, "地址变更").await.expect("kept authority");
    assert_eq!(m.authority_region, "3705");
}

/// A reference a record already has may stay when someone in a narrower
/// scope changes the record; changing it to one outside the scope may not.
#[tokio::test]
async fn kept_references_may_stay_on_an_update() {
    let w = World::new().await;
    let party = w.t.app.party();
    // the city puts the branch under its own committee
    let d = party.get_party_org(&w.city, w.p).await.expect("p");
    let i = PartyOrgInput {
        name: d.org.name.clone(),
        org_type: "branch".into(),
        region_code: WENHUI.into(),
        parent_id: Some(w.pc.to_string()),
        ..Default::default()
    };
    party.update_party_org(&w.city, w.p, &i).await.expect("city parent");
    // the county edits the branch: the parent it cannot name stays
    let i = PartyOrgInput { brand: "红心向党".into(), ..i };
    let p = party.update_party_org(&w.county, w.p, &i).await.expect("kept parent");
    assert_eq!((p.parent_id, p.brand.as_str()), (Some(w.pc), "红心向党"));
    // a member the city placed at an organization outside the township keeps it
    let i = MemberInput {
        name: "跨区党员".into(),
        member_type: "formal".into(),
        party_org_id: Some(w.p.to_string()),
        employer_org_id: Some(w.k2.to_string()),
        ..Default::default()
    };
    let m = party.create_member(&w.city, &i).await.expect("city member");
    let i = MemberInput { posts: "组织委员".into(), ..i };
    party.update_member(&w.town, m.id, &i).await.expect("kept employer");
    party.update_member(&w.sec, m.id, &i).await.expect("kept employer (secretary)");
    // but the town cannot move it to another organization outside
    let i = MemberInput { employer_org_id: Some(w.k.to_string()), ..i };
    let e = party.update_member(&w.town, m.id, &i).await.expect_err("new employer outside");
    assert_eq!(e.field_errors()[0].field, "employer_org_id");
}
