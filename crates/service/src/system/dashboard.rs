//! Home pages by kind of account, all from SQL aggregates or the records of
//! the one organization or party organization an account keeps:
//! - region accounts: the figures of their subtree, the levels below theirs;
//! - supervisory units: the figures of the organizations they supervise;
//! - an organization's account: its record, coverage, documents and tasks;
//! - a party secretary or member: the duties of their party organization.

use hongling_domain::party::breach_life::BreachStatus;
use hongling_domain::party::coverage::{BreachRule, CoverageMode, MemberType, PartyOrgType};
use hongling_domain::party::duties::{self, DutyState};
use hongling_domain::region::RegionLevel;
use hongling_domain::registry::{OrgStatus, RegistrationMode, SupervisionClass};
use hongling_domain::role::ScopeKind;
use hongling_store::party::entity::{coverage_breach, party_life, party_member, party_org, party_org_org, training};
use hongling_store::regions;
use hongling_store::registry::entity::{org_event, social_org};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use time::Date;

use super::System;
use crate::{CurrentUser, Error, Result};

#[derive(Debug, Clone, Serialize, Default)]
pub struct DashboardFigures {
    pub region_name: String,
    /// The level of the account's region (1 province … 5 village); 0 for a
    /// supervisory unit. Region cards show the levels below it only.
    pub level: i32,
    pub counties: i64,
    pub townships: i64,
    pub villages: i64,
    pub urban_communities: i64,
    pub users: u64,
    /// registered organizations in normal status
    pub registered_active: i64,
    /// filed community organizations in normal status
    pub filed_active: i64,
    /// applications under review
    pub applying: i64,
    /// registered, waiting for party coverage (三同步)
    pub sync_pending: i64,
    /// deregistered, revoked or licence revoked
    pub closed: i64,
    /// under guidance, interview or key supervision
    pub supervised: i64,
}

/// What an organization's own account sees first.
#[derive(Debug, Clone)]
pub struct OrgHome {
    pub org: social_org::Model,
    /// Party organizations covering it: (id, name).
    pub covering: Vec<(i64, String)>,
    pub breaches: Vec<BreachRule>,
    /// The newest entries of its record (decisions, changes), newest first.
    pub events: Vec<org_event::Model>,
    pub tasks: Vec<Task>,
}

/// Something an account should do or know, with where to do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub text: String,
    pub href: Option<String>,
    /// green, orange or red
    pub tone: &'static str,
}

/// A party organization's duties for its secretary's home page.
#[derive(Debug, Clone)]
pub struct PartyHome {
    pub party_org: party_org::Model,
    pub life: Vec<LifeDuty>,
    pub probation: Vec<ProbationDuty>,
    /// The secretary's newest training, if any.
    pub secretary_trained_on: Option<Date>,
    pub secretary_name: Option<String>,
    pub breaches: Vec<BreachRule>,
}

#[derive(Debug, Clone)]
pub struct LifeDuty {
    pub kind_label: &'static str,
    pub cadence: &'static str,
    pub this_period: &'static str,
    pub held_this_period: u32,
    pub last_held: Option<Date>,
    pub state: DutyState,
}

#[derive(Debug, Clone)]
pub struct ProbationDuty {
    pub member_id: i64,
    pub name: String,
    pub joined_on: Option<Date>,
    pub state: DutyState,
}

/// How many of an organization's newest events its home page lists.
pub const HOME_EVENTS: u64 = 8;

impl System<'_> {
    /// The figures of a region account's subtree, or of a supervisory unit's
    /// organizations; nothing for other accounts (they have their own homes).
    pub async fn dashboard(&self, me: &CurrentUser) -> Result<DashboardFigures> {
        if me.scope.kind == ScopeKind::Unit {
            let name = self.0.scope_record_name(me).await?.unwrap_or_default();
            let mut f = DashboardFigures { region_name: name, ..Default::default() };
            // a unit not yet given (0) supervises nothing
            let c = hongling_store::registry::orgs::registry_counts(&self.db, "", Some(me.scope.ref_id.unwrap_or(0)))
                .await?;
            f.set_counts(c);
            return Ok(f);
        }
        let prefix = match me.region_prefix() {
            Ok(p) => p.clone(),
            Err(_) => return Ok(DashboardFigures::default()),
        };
        let mut f = DashboardFigures {
            region_name: self.region_full_name(&prefix).await?,
            level: prefix.level().number(),
            ..Default::default()
        };
        for (level, n) in regions::count_by_level(&self.db, prefix.as_str()).await? {
            match level {
                3 => f.counties = n,
                4 => f.townships = n,
                5 => f.villages = n,
                _ => {}
            }
        }
        f.urban_communities = regions::count_urban(&self.db, prefix.as_str()).await?;
        f.users = self.count_users_in(prefix.as_str()).await?;
        let c = hongling_store::registry::orgs::registry_counts(&self.db, prefix.as_str(), None).await?;
        f.set_counts(c);
        Ok(f)
    }

    /// An organization account's home: its own record only.
    pub async fn org_home(&self, me: &CurrentUser) -> Result<OrgHome> {
        let id = match (me.scope.kind, me.scope.ref_id) {
            (ScopeKind::Org, Some(id)) => id,
            _ => return Err(Error::NotFound),
        };
        let org = self.0.registry().get_org(me, id).await?;
        let links: Vec<i64> = party_org_org::Entity::find()
            .select_only()
            .column(party_org_org::Column::PartyOrgId)
            .filter(party_org_org::Column::OrgId.eq(id))
            .into_tuple()
            .all(&self.db)
            .await?;
        let covering: Vec<(i64, String)> = party_org::Entity::find()
            .select_only()
            .columns([party_org::Column::Id, party_org::Column::Name])
            .filter(party_org::Column::Id.is_in(links))
            .order_by_asc(party_org::Column::Id)
            .into_tuple()
            .all(&self.db)
            .await?;
        let breaches = self.breach_rules_of(Some(id), None).await?;
        let events = org_event::Entity::find()
            .filter(org_event::Column::OrgId.eq(id))
            .order_by_desc(org_event::Column::EffectiveOn)
            .order_by_desc(org_event::Column::Id)
            .limit(HOME_EVENTS)
            .all(&self.db)
            .await?;
        let tasks = org_tasks(&org, !covering.is_empty(), &breaches);
        Ok(OrgHome { org, covering, breaches, events, tasks })
    }

    /// A party secretary's or member's home: the duties of their party
    /// organization by today's date.
    pub async fn party_home(&self, me: &CurrentUser, today: Date) -> Result<PartyHome> {
        let id = match (me.scope.kind, me.scope.ref_id) {
            (ScopeKind::PartyOrg, Some(id)) => id,
            _ => return Err(Error::NotFound),
        };
        let p = self.0.party().party_org_model(me, id).await?;
        let kind = PartyOrgType::parse(&p.org_type).unwrap_or(PartyOrgType::Branch);
        // the records since the start of the previous quarter: a bounded few
        let since = duties::Cadence::Quarterly.previous_period(today).0;
        let recent: Vec<(String, Date)> = party_life::Entity::find()
            .select_only()
            .columns([party_life::Column::Kind, party_life::Column::HeldOn])
            .filter(party_life::Column::PartyOrgId.eq(id))
            .filter(party_life::Column::HeldOn.gte(since))
            .filter(party_life::Column::HeldOn.lte(today))
            .into_tuple()
            .all(&self.db)
            .await?;
        let last: Vec<(String, Option<Date>)> = party_life::Entity::find()
            .select_only()
            .column(party_life::Column::Kind)
            .column_as(party_life::Column::HeldOn.max(), "last")
            .filter(party_life::Column::PartyOrgId.eq(id))
            .filter(party_life::Column::HeldOn.lte(today))
            .group_by(party_life::Column::Kind)
            .into_tuple()
            .all(&self.db)
            .await?;
        let life = duties::due_kinds(kind)
            .into_iter()
            .map(|(k, cadence)| {
                let (this_start, _) = cadence.period(today);
                let (prev_start, prev_end) = cadence.previous_period(today);
                let of_kind = recent.iter().filter(|(x, _)| x == k.as_str());
                let held_this = of_kind.clone().filter(|(_, d)| *d >= this_start).count() as u32;
                let held_last = of_kind.filter(|(_, d)| *d >= prev_start && *d <= prev_end).count() as u32;
                LifeDuty {
                    kind_label: k.label(),
                    cadence: cadence.label(),
                    this_period: cadence.this_period(),
                    held_this_period: held_this,
                    last_held: last.iter().find(|(x, _)| x == k.as_str()).and_then(|(_, d)| *d),
                    state: duties::life_duty(cadence, held_this, held_last, p.founded_on, today),
                }
            })
            .collect();
        let members = party_member::Entity::find()
            .filter(party_member::Column::PartyOrgId.eq(id))
            .filter(party_member::Column::MemberType.eq(MemberType::Probationary.as_str()))
            .filter(party_member::Column::LeftOn.is_null())
            .order_by_asc(party_member::Column::JoinedOn)
            .all(&self.db)
            .await?;
        let probation = members
            .into_iter()
            .filter_map(|m| {
                duties::probation_duty(MemberType::Probationary, m.joined_on, today).map(|state| ProbationDuty {
                    member_id: m.id,
                    name: m.name,
                    joined_on: m.joined_on,
                    state,
                })
            })
            .collect();
        let (secretary_name, secretary_trained_on) = match p.secretary_member_id {
            None => (None, None),
            Some(sid) => {
                let name: Option<String> = party_member::Entity::find_by_id(sid)
                    .select_only()
                    .column(party_member::Column::Name)
                    .into_tuple()
                    .one(&self.db)
                    .await?;
                let trained: Option<Date> = training::Entity::find()
                    .select_only()
                    .column(training::Column::TrainedOn)
                    .filter(training::Column::MemberId.eq(sid))
                    .filter(training::Column::TrainedOn.lte(today))
                    .order_by_desc(training::Column::TrainedOn)
                    .limit(1)
                    .into_tuple()
                    .one(&self.db)
                    .await?;
                (name, trained)
            }
        };
        let breaches = self.breach_rules_of(None, Some(id)).await?;
        Ok(PartyHome { party_org: p, life, probation, secretary_trained_on, secretary_name, breaches })
    }
}

impl System<'_> {
    /// The rules an organization or a party organization breaks now.
    async fn breach_rules_of(&self, org: Option<i64>, party_org: Option<i64>) -> Result<Vec<BreachRule>> {
        let mut q = coverage_breach::Entity::find()
            .select_only()
            .column(coverage_breach::Column::Rule)
            .filter(coverage_breach::Column::Status.eq(BreachStatus::Open.as_str()));
        if let Some(o) = org {
            q = q.filter(coverage_breach::Column::OrgId.eq(o));
        }
        if let Some(p) = party_org {
            q = q.filter(coverage_breach::Column::PartyOrgId.eq(p));
        }
        let rules: Vec<String> = q.order_by_asc(coverage_breach::Column::Id).into_tuple().all(&self.db).await?;
        Ok(rules.iter().filter_map(|r| BreachRule::parse(r)).collect())
    }
}

impl DashboardFigures {
    fn set_counts(&mut self, c: hongling_store::registry::orgs::RegistryCounts) {
        self.registered_active = c.registered_active;
        self.filed_active = c.filed_active;
        self.applying = c.applying;
        self.sync_pending = c.sync_pending;
        self.closed = c.closed;
        self.supervised = c.supervised;
    }

    /// Whether the home shows the count of regions of this level: only the
    /// levels below the account's own.
    pub fn shows_level(&self, level: RegionLevel) -> bool {
        self.level > 0 && level.number() > self.level
    }
}

/// An organization's tasks, from its record: what to do about its status,
/// supervision class, charter and party coverage.
pub fn org_tasks(org: &social_org::Model, covered: bool, breaches: &[BreachRule]) -> Vec<Task> {
    let status = OrgStatus::parse(&org.status).unwrap_or(OrgStatus::Active);
    let mut out = Vec::new();
    let own = format!("/registry/orgs/{}", org.id);
    match status {
        OrgStatus::Applying => {
            out.push(Task {
                text: "成立申请正在审查中，请留意登记管理机关的通知".into(), href: None, tone: "orange"
            });
            return out;
        }
        OrgStatus::Deregistered | OrgStatus::Revoked | OrgStatus::LicenceRevoked => {
            out.push(Task {
                text: format!("本组织{}，无待办事项", status.label()),
                href: Some(format!("{own}?tab=history")),
                tone: "green",
            });
            return out;
        }
        OrgStatus::Active => {}
    }
    let class = SupervisionClass::parse(&org.supervision_class).unwrap_or(SupervisionClass::Normal);
    if class != SupervisionClass::Normal {
        out.push(Task {
            text: format!("当前监管分类为“{}”，请按登记管理机关的要求整改并报告", class.label()),
            href: Some(own.clone()),
            tone: "red",
        });
    }
    for b in breaches {
        out.push(Task {
            text: match b {
                BreachRule::SyncUncovered => {
                    "尚未同步建立党组织或选派党建指导员（三同步），请联系所在乡镇（街道）党（工）委或社会组织综合党委"
                        .into()
                }
                BreachRule::NeedsStandalone => "正式党员已达 3 人以上，应单独建立党组织，请联系上级党组织办理".into(),
                other => other.label().to_owned(),
            },
            href: None,
            tone: "red",
        });
    }
    let mode = RegistrationMode::parse(&org.registration_mode).unwrap_or(RegistrationMode::Registered);
    if mode == RegistrationMode::Registered && !org.charter_party_clause {
        out.push(Task {
            text: "章程尚未写入党的建设有关内容，修改章程时请一并写入并报登记管理机关核准".into(),
            href: None,
            tone: "orange",
        });
    }
    let mode_covered = CoverageMode::parse(&org.coverage_mode).is_some_and(|m| m != CoverageMode::Uncovered);
    if !covered && !mode_covered && !breaches.contains(&BreachRule::SyncUncovered) {
        out.push(Task {
            text: "尚未实现党的组织覆盖或工作覆盖，请联系所在乡镇（街道）党（工）委".into(),
            href: None,
            tone: "orange",
        });
    }
    if out.is_empty() {
        out.push(Task { text: "暂无待办事项".into(), href: None, tone: "green" });
    }
    out
}
