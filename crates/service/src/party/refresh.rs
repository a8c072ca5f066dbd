//! The maintained coverage state and its figures.
//!
//! Every change to a party record re-evaluates the organizations and party
//! organizations it touched, inside its own transaction (`refresh_orgs`,
//! `refresh_party_orgs`): the coverage mode, member counts, management channel
//! and breaches are written to `social_orgs` and `coverage_breaches`, so a
//! figure is one aggregate query over a covering index. Rules that change with
//! time alone (training deadlines, dated policy values) are re-evaluated by
//! the daily job (`refresh_coverage_paced`, job `coverage.daily` of
//! `crate::jobs`). After the turn of a year the job `coverage.snapshot` stores
//! that year's year-end figures, evaluated with its values.

use hongling_domain::audit::AuditAction;
use std::collections::{BTreeMap, HashMap, HashSet};

use hongling_domain::party::breach_life::{BreachLogKind, BreachStatus, Firing, OpenBreach, SYSTEM, reconcile};
use hongling_domain::party::coverage::{
    Breach, ChannelKind, CoverageMode, Covering, InstructorStatus, MemberType, OrgFacts, PartyOrgFacts, PartyOrgStatus,
    PartyOrgType, SecretaryFacts, default_channel, evaluate_org, evaluate_party_org, same_kind_key,
};
use hongling_domain::policy::{self, Param, PolicyEntry, Profile};
use hongling_domain::region::subtree_range;
use hongling_domain::registry::{OrgStatus, RegistrationMode};
use hongling_store::party::entity::{
    breach_log, coverage_breach, coverage_snapshot, host_link, party_channel, party_member, party_org,
};
use hongling_store::registry::entity::social_org;
use hongling_store::{begin_write, regions, to_db};
use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use time::{Date, Duration};

use super::Party;
use crate::{Error, Hongling, Principal, Result};

const CHUNK: usize = 500;

/// Rows of (id key `k`, text `s`, count `n`).
async fn counted(conn: &impl ConnectionTrait, stmt: SelectStatement) -> Result<Vec<(i64, String, i64)>> {
    let rows = conn.query_all(&stmt).await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.try_get::<i64>("", "k")?,
                r.try_get::<Option<String>>("", "s")?.unwrap_or_default(),
                r.try_get::<i64>("", "n")?,
            ))
        })
        .collect()
}

/// Current formal and probationary members by employer or party organization.
async fn member_counts(
    conn: &impl ConnectionTrait,
    by: party_member::Column,
    ids: &[i64],
) -> Result<HashMap<i64, (u32, u32)>> {
    let q = Query::select()
        .expr_as(Expr::col(by), Alias::new("k"))
        .expr_as(Expr::col(party_member::Column::MemberType), Alias::new("s"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(party_member::Entity)
        .and_where(by.is_in(ids.iter().copied()))
        .and_where(party_member::Column::LeftOn.is_null())
        .group_by_col(by)
        .group_by_col(party_member::Column::MemberType)
        .take();
    let mut out: HashMap<i64, (u32, u32)> = HashMap::new();
    for (k, t, n) in counted(conn, q).await? {
        let e = out.entry(k).or_default();
        if t == MemberType::Formal.as_str() {
            e.0 += n as u32;
        } else {
            e.1 += n as u32;
        }
    }
    Ok(out)
}

/// Policy profiles by region code, resolved once per code.
pub(crate) struct Profiles {
    entries: Vec<PolicyEntry>,
    on: Date,
    cache: HashMap<String, Profile>,
}

impl Profiles {
    pub(crate) async fn load(conn: &impl ConnectionTrait, on: Date) -> Result<Self> {
        Ok(Self { entries: hongling_store::policy::policy_entries(conn).await?, on, cache: HashMap::new() })
    }

    pub(crate) fn get(&mut self, region: &str) -> &Profile {
        let (entries, on) = (&self.entries, self.on);
        self.cache.entry(region.to_owned()).or_insert_with(|| policy::resolve(entries, region, on))
    }
}

/// One organization evaluated (nothing written yet).
struct OrgEval {
    org: social_org::Model,
    mode: CoverageMode,
    formal: u32,
    probationary: u32,
    breaches: Vec<Breach>,
    channel_kind: ChannelKind,
}

async fn evaluate_orgs(conn: &impl ConnectionTrait, ids: &[i64], profiles: &mut Profiles) -> Result<Vec<OrgEval>> {
    let orgs = social_org::Entity::find().filter(social_org::Column::Id.is_in(ids.iter().copied())).all(conn).await?;
    let members = member_counts(conn, party_member::Column::EmployerOrgId, ids).await?;
    // the party organization covering each organization, and how many it covers
    // (index lookups, not joins: see `covered_counts`)
    use hongling_store::party::entity::{instructor, instructor_assignment, party_org_org};
    let links: Vec<(i64, i64)> = party_org_org::Entity::find()
        .select_only()
        .column(party_org_org::Column::OrgId)
        .column(party_org_org::Column::PartyOrgId)
        .filter(party_org_org::Column::OrgId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    let party_ids: Vec<i64> = links.iter().map(|l| l.1).collect::<HashSet<_>>().into_iter().collect();
    let kinds: HashMap<i64, String> = party_org::Entity::find()
        .select_only()
        .column(party_org::Column::Id)
        .column(party_org::Column::OrgType)
        .filter(party_org::Column::Id.is_in(party_ids.iter().copied()))
        .filter(party_org::Column::Status.eq(PartyOrgStatus::Active.as_str()))
        .into_tuple::<(i64, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let covered = covered_counts(conn, &party_ids).await?;
    let covering: HashMap<i64, Covering> = links
        .into_iter()
        .filter_map(|(org, pid)| {
            let kind = PartyOrgType::parse(kinds.get(&pid)?).unwrap_or(PartyOrgType::Branch);
            Some((org, Covering { kind, covered_orgs: covered.get(&pid).copied().unwrap_or(1) }))
        })
        .collect();
    let assigned: Vec<(i64, i64)> = instructor_assignment::Entity::find()
        .select_only()
        .column(instructor_assignment::Column::OrgId)
        .column(instructor_assignment::Column::InstructorId)
        .filter(instructor_assignment::Column::OrgId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    let on_duty: HashSet<i64> = instructor::Entity::find()
        .select_only()
        .column(instructor::Column::Id)
        .filter(instructor::Column::Id.is_in(assigned.iter().map(|a| a.1).collect::<HashSet<_>>()))
        .filter(instructor::Column::Status.eq(InstructorStatus::Active.as_str()))
        .into_tuple()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut instructors: HashMap<i64, u32> = HashMap::new();
    for (org, inst) in assigned {
        if on_duty.contains(&inst) {
            *instructors.entry(org).or_default() += 1;
        }
    }
    let hosted: HashSet<i64> = host_link::Entity::find()
        .select_only()
        .column(host_link::Column::OrgId)
        .filter(host_link::Column::OrgId.is_in(ids.iter().copied()))
        .into_tuple::<i64>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    // a supervisory unit's number of organizations of the same kind (`004` 同类,
    // `same_kind_key`) matters only where the profile asks for more than one
    // (锦江区: more than 10); counting a province's large units for every batch
    // would make a full refresh quadratic
    let units: Vec<i64> = orgs
        .iter()
        .filter(|o| profiles.get(&o.region_code).count(Param::SupervisorChannelMinOrgs) > 1)
        .filter_map(|o| o.supervisory_unit_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut unit_orgs: HashMap<(i64, String), u32> = HashMap::new();
    if !units.is_empty() {
        let q = Query::select()
            .expr_as(Expr::col(social_org::Column::SupervisoryUnitId), Alias::new("k"))
            .expr_as(Expr::cust("category || '|' || industry"), Alias::new("s"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from(social_org::Entity)
            .and_where(social_org::Column::SupervisoryUnitId.is_in(units.iter().copied()))
            .and_where(social_org::Column::Status.eq(OrgStatus::Active.as_str()))
            .and_where(social_org::Column::Decoupled.eq(false))
            .group_by_col(social_org::Column::SupervisoryUnitId)
            .group_by_col(social_org::Column::Category)
            .group_by_col(social_org::Column::Industry)
            .take();
        for (unit, s, n) in counted(conn, q).await? {
            let (category, industry) = s.split_once('|').unwrap_or((s.as_str(), ""));
            *unit_orgs.entry((unit, same_kind_key(category, industry))).or_default() += n as u32;
        }
    }
    let mut out = Vec::with_capacity(orgs.len());
    for org in orgs {
        let (formal, probationary) = members.get(&org.id).copied().unwrap_or_default();
        let facts = OrgFacts {
            formal_members: formal,
            covering: covering.get(&org.id).copied(),
            instructors: instructors.get(&org.id).copied().unwrap_or(0),
            host_led: hosted.contains(&org.id),
            sync_pending: org.sync_pending,
        };
        let profile = profiles.get(&org.region_code);
        let (mode, mut breaches) = evaluate_org(&facts, profile);
        if org.status != OrgStatus::Active.as_str() {
            breaches.clear();
        }
        let manual = org.channel_manual.then(|| ChannelKind::parse(&org.channel_kind)).flatten();
        let channel_kind = manual.unwrap_or_else(|| {
            let reg = RegistrationMode::parse(&org.registration_mode).unwrap_or(RegistrationMode::Registered);
            // not counted: the profile is satisfied by the organization itself
            let unit = org.supervisory_unit_id.map(|u| {
                match unit_orgs.get(&(u, same_kind_key(&org.category, &org.industry))) {
                    Some(n) => *n,
                    None if units.contains(&u) => 0,
                    None => 1,
                }
            });
            default_channel(reg, org.decoupled, unit, profile)
        });
        out.push(OrgEval { org, mode, formal, probationary, breaches, channel_kind });
    }
    Ok(out)
}

/// How many active organizations each party organization covers.
async fn covered_counts(conn: &impl ConnectionTrait, party_ids: &[i64]) -> Result<HashMap<i64, u32>> {
    use hongling_store::party::entity::party_org_org;
    let mut out = HashMap::new();
    for chunk in party_ids.chunks(CHUNK) {
        // two index lookups instead of a join, whose plan depends on statistics
        // that bulk loads leave stale (PostgreSQL then scans every organization)
        let links: Vec<(i64, i64)> = party_org_org::Entity::find()
            .select_only()
            .column(party_org_org::Column::OrgId)
            .column(party_org_org::Column::PartyOrgId)
            .filter(party_org_org::Column::PartyOrgId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        let active = active_orgs(conn, links.iter().map(|l| l.0)).await?;
        for (org, party) in links {
            if active.contains(&org) {
                *out.entry(party).or_default() += 1;
            }
        }
    }
    Ok(out)
}

/// Which of these organizations are active.
async fn active_orgs(conn: &impl ConnectionTrait, ids: impl Iterator<Item = i64>) -> Result<HashSet<i64>> {
    let ids: Vec<i64> = ids.collect();
    let mut out = HashSet::new();
    for chunk in ids.chunks(CHUNK) {
        let found: Vec<i64> = social_org::Entity::find()
            .select_only()
            .column(social_org::Column::Id)
            .filter(social_org::Column::Id.is_in(chunk.iter().copied()))
            .filter(social_org::Column::Status.eq(OrgStatus::Active.as_str()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(found);
    }
    Ok(out)
}

/// Open breaches of some subjects, by subject.
async fn existing_breaches(
    conn: &impl ConnectionTrait,
    party: bool,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<coverage_breach::Model>>> {
    let column = if party { coverage_breach::Column::PartyOrgId } else { coverage_breach::Column::OrgId };
    let rows = coverage_breach::Entity::find()
        .filter(column.is_in(ids.iter().copied()))
        .filter(coverage_breach::Column::Status.eq(BreachStatus::Open.as_str()))
        .all(conn)
        .await?;
    let mut out: HashMap<i64, Vec<coverage_breach::Model>> = HashMap::new();
    for b in rows {
        if let Some(id) = if party { b.party_org_id } else { b.org_id } {
            out.entry(id).or_default().push(b);
        }
    }
    Ok(out)
}

/// Bring a subject's open breaches in line with the rules firing now (`breach_life::reconcile`):
/// still firing → kept in place (first-seen date, assignee, log), detail updated; newly firing →
/// a new breach first seen `on`; no longer firing → closed `on`, with a line in its log. Writes
/// nothing when nothing changed, so the daily recompute touches only what changed.
#[allow(clippy::too_many_arguments)]
async fn write_breaches(
    conn: &impl ConnectionTrait,
    party: bool,
    subject: i64,
    region: &str,
    now: &[Breach],
    before: &[coverage_breach::Model],
    on: Date,
    at: time::PrimitiveDateTime,
) -> Result<()> {
    let open: Vec<OpenBreach> = before
        .iter()
        .map(|b| OpenBreach {
            id: b.id,
            rule: b.rule.clone(),
            detail: b.detail.clone(),
            region_code: b.region_code.clone(),
        })
        .collect();
    let firing: Vec<Firing> =
        now.iter().map(|b| Firing { rule: b.rule.as_str().to_owned(), detail: b.detail.clone() }).collect();
    let r = reconcile(&open, &firing, region);
    if r.is_empty() {
        return Ok(());
    }
    for (id, detail) in &r.update {
        let q = Query::update()
            .table(coverage_breach::Entity)
            .value(coverage_breach::Column::Detail, detail.as_str())
            .value(coverage_breach::Column::RegionCode, region)
            .and_where(coverage_breach::Column::Id.eq(*id))
            .take();
        conn.execute(&q).await?;
    }
    if !r.close.is_empty() {
        let q = Query::update()
            .table(coverage_breach::Entity)
            .value(coverage_breach::Column::Status, BreachStatus::Closed.as_str())
            .value(coverage_breach::Column::ClosedOn, on)
            .and_where(coverage_breach::Column::Id.is_in(r.close.iter().copied()))
            .take();
        conn.execute(&q).await?;
        let logs = r.close.iter().map(|id| breach_log::ActiveModel {
            breach_id: Set(*id),
            logged_on: Set(on),
            actor_id: Set(None),
            actor_name: Set(SYSTEM.to_owned()),
            kind: Set(BreachLogKind::Close.as_str().to_owned()),
            text: Set("重新计算时该规则不再触发，自动关闭".to_owned()),
            created_at: Set(at),
            ..Default::default()
        });
        breach_log::Entity::insert_many(logs).exec(conn).await?;
    }
    if !r.open.is_empty() {
        let rows = r.open.iter().map(|f| coverage_breach::ActiveModel {
            rule: Set(f.rule.clone()),
            org_id: Set((!party).then_some(subject)),
            party_org_id: Set(party.then_some(subject)),
            region_code: Set(region.to_owned()),
            detail: Set(f.detail.clone()),
            since: Set(on),
            status: Set(BreachStatus::Open.as_str().to_owned()),
            closed_on: Set(None),
            assignee_id: Set(None),
            ..Default::default()
        });
        coverage_breach::Entity::insert_many(rows).exec(conn).await?;
    }
    Ok(())
}

/// Finds, or creates, the channel record for an organization's channel kind.
#[derive(Default)]
struct Channels {
    cache: HashMap<(ChannelKind, String), Option<i64>>,
}

impl Channels {
    /// Load the channels a batch will ask for in three queries instead of one each.
    async fn prefetch(&mut self, conn: &impl ConnectionTrait, evals: &[OrgEval]) -> Result<()> {
        let mut units = HashSet::new();
        let mut committees = HashSet::new();
        let mut towns = HashSet::new();
        for e in evals.iter().filter(|e| !e.org.channel_manual) {
            match e.channel_kind {
                ChannelKind::SupervisoryUnit => units.extend(e.org.supervisory_unit_id),
                ChannelKind::ComprehensiveCommittee => {
                    committees.insert(e.org.authority_region.clone());
                }
                ChannelKind::Township => {
                    towns.insert(e.org.region_code.chars().take(9).collect::<String>());
                }
                _ => {}
            }
        }
        let rows = party_channel::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(
                        sea_orm::Condition::all()
                            .add(party_channel::Column::Kind.eq(ChannelKind::SupervisoryUnit.as_str()))
                            .add(party_channel::Column::SupervisoryUnitId.is_in(units)),
                    )
                    .add(
                        sea_orm::Condition::all()
                            .add(party_channel::Column::Kind.eq(ChannelKind::ComprehensiveCommittee.as_str()))
                            .add(party_channel::Column::RegionCode.is_in(committees)),
                    )
                    .add(
                        sea_orm::Condition::all()
                            .add(party_channel::Column::Kind.eq(ChannelKind::Township.as_str()))
                            .add(party_channel::Column::RegionCode.is_in(towns)),
                    ),
            )
            .order_by_asc(party_channel::Column::Id)
            .all(conn)
            .await?;
        for c in rows {
            let Some(kind) = ChannelKind::parse(&c.kind) else { continue };
            let key = match kind {
                ChannelKind::SupervisoryUnit => c.supervisory_unit_id.map(|u| u.to_string()).unwrap_or_default(),
                _ => c.region_code.clone(),
            };
            self.cache.entry((kind, key)).or_insert(Some(c.id));
        }
        Ok(())
    }

    async fn id_for(
        &mut self,
        app: &Hongling,
        conn: &impl ConnectionTrait,
        kind: ChannelKind,
        org: &social_org::Model,
    ) -> Result<Option<i64>> {
        let key = match kind {
            ChannelKind::SupervisoryUnit => match org.supervisory_unit_id {
                Some(u) => u.to_string(),
                None => return Ok(None),
            },
            ChannelKind::ComprehensiveCommittee => org.authority_region.clone(),
            ChannelKind::Township => org.region_code.chars().take(9).collect(),
            // industry committees and hubs are assigned by hand, with their record
            ChannelKind::IndustryCommittee | ChannelKind::HubOrg => return Ok(org.channel_id),
        };
        if let Some(id) = self.cache.get(&(kind, key.clone())) {
            return Ok(*id);
        }
        let found = match kind {
            ChannelKind::SupervisoryUnit => party_channel::Entity::find()
                .filter(party_channel::Column::Kind.eq(kind.as_str()))
                .filter(party_channel::Column::SupervisoryUnitId.eq(org.supervisory_unit_id)),
            _ => party_channel::Entity::find()
                .filter(party_channel::Column::Kind.eq(kind.as_str()))
                .filter(party_channel::Column::RegionCode.eq(key.clone())),
        }
        .order_by_asc(party_channel::Column::Id)
        .one(conn)
        .await?;
        let id = match found {
            Some(c) => Some(c.id),
            None => app.party().create_default_channel(conn, kind, &key, org.supervisory_unit_id).await?,
        };
        self.cache.insert((kind, key), id);
        Ok(id)
    }
}

impl Party<'_> {
    /// The channel record the coverage rules assign to by default, created on
    /// first use: "东营市社会组织综合党委", "文汇街道党工委", "市体育局党组织".
    async fn create_default_channel(
        &self,
        conn: &impl ConnectionTrait,
        kind: ChannelKind,
        key: &str,
        unit: Option<i64>,
    ) -> Result<Option<i64>> {
        let (region, name) = match kind {
            ChannelKind::SupervisoryUnit => {
                let Some(u) = hongling_store::registry::entity::supervisory_unit::Entity::find_by_id(unit.unwrap_or(0))
                    .one(conn)
                    .await?
                else {
                    return Ok(None);
                };
                (u.region_code, format!("{}党组织", u.name))
            }
            ChannelKind::ComprehensiveCommittee => {
                let n = regions::get(conn, key).await?.map(|r| r.name).unwrap_or_default();
                (key.to_owned(), format!("{n}社会组织综合党委"))
            }
            _ => {
                let n = regions::get(conn, key).await?.map(|r| r.name).unwrap_or_default();
                let suffix = if n.ends_with("街道") { "党工委" } else { "党委" };
                (key.to_owned(), format!("{n}{suffix}"))
            }
        };
        let existing = party_channel::Entity::find()
            .filter(party_channel::Column::RegionCode.eq(region.clone()))
            .filter(party_channel::Column::Name.eq(name.clone()))
            .one(conn)
            .await?;
        if let Some(c) = existing {
            return Ok(Some(c.id));
        }
        let m = party_channel::ActiveModel {
            kind: Set(kind.as_str().to_owned()),
            name: Set(name),
            region_code: Set(region),
            supervisory_unit_id: Set(if kind == ChannelKind::SupervisoryUnit { unit } else { None }),
            hub_org_id: Set(None),
            created_at: Set(to_db(self.now())),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        Ok(Some(m.id))
    }

    /// Re-evaluate organizations and write their coverage state and breaches.
    /// Call inside the transaction of the change that affects them.
    pub(crate) async fn refresh_orgs(&self, conn: &impl ConnectionTrait, ids: &[i64], on: Date) -> Result<usize> {
        let at = to_db(self.now());
        let mut profiles = Profiles::load(conn, on).await?;
        let mut channels = Channels::default();
        let mut changed = 0;
        let mut ids: Vec<i64> = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(CHUNK) {
            let evals = evaluate_orgs(conn, chunk, &mut profiles).await?;
            channels.prefetch(conn, &evals).await?;
            let before = existing_breaches(conn, false, chunk).await?;
            for e in evals {
                let o = &e.org;
                let channel_id = if o.channel_manual {
                    o.channel_id
                } else {
                    channels.id_for(self, conn, e.channel_kind, o).await?
                };
                // "三同步" is met once a party organization or an instructor covers it
                let sync = o.sync_pending && !(e.mode.has_party_org() || e.mode == CoverageMode::Instructor);
                let breach_count = e.breaches.len() as i32;
                if o.coverage_mode != e.mode.as_str()
                    || o.formal_members != e.formal as i32
                    || o.probationary_members != e.probationary as i32
                    || o.breach_count != breach_count
                    || o.channel_id != channel_id
                    || o.channel_kind != e.channel_kind.as_str()
                    || o.sync_pending != sync
                {
                    let q = Query::update()
                        .table(social_org::Entity)
                        .value(social_org::Column::CoverageMode, e.mode.as_str())
                        .value(social_org::Column::FormalMembers, e.formal as i32)
                        .value(social_org::Column::ProbationaryMembers, e.probationary as i32)
                        .value(social_org::Column::BreachCount, breach_count)
                        .value(social_org::Column::ChannelId, channel_id)
                        .value(social_org::Column::ChannelKind, e.channel_kind.as_str())
                        .value(social_org::Column::SyncPending, sync)
                        .and_where(social_org::Column::Id.eq(o.id))
                        .take();
                    conn.execute(&q).await?;
                    changed += 1;
                }
                let had = before.get(&o.id).map(Vec::as_slice).unwrap_or(&[]);
                write_breaches(conn, false, o.id, &o.region_code, &e.breaches, had, on, at).await?;
            }
        }
        Ok(changed)
    }

    /// Re-evaluate party organizations: counts, and the rules about them.
    pub(crate) async fn refresh_party_orgs(&self, conn: &impl ConnectionTrait, ids: &[i64], on: Date) -> Result<()> {
        let at = to_db(self.now());
        let mut profiles = Profiles::load(conn, on).await?;
        let mut ids: Vec<i64> = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(CHUNK) {
            let rows =
                party_org::Entity::find().filter(party_org::Column::Id.is_in(chunk.iter().copied())).all(conn).await?;
            let covered = covered_counts(conn, chunk).await?;
            let members = member_counts(conn, party_member::Column::PartyOrgId, chunk).await?;
            let trainings = self.secretary_trainings(conn, &rows, on).await?;
            let before = existing_breaches(conn, true, chunk).await?;
            for p in rows {
                let (formal, probationary) = members.get(&p.id).copied().unwrap_or_default();
                let covered_orgs = covered.get(&p.id).copied().unwrap_or(0);
                let breaches = match (p.status == PartyOrgStatus::Active.as_str(), PartyOrgType::parse(&p.org_type)) {
                    (true, Some(kind)) => {
                        let facts = PartyOrgFacts {
                            kind,
                            covered_orgs,
                            formal_members: formal,
                            secretary: p.secretary_member_id.map(|s| SecretaryFacts {
                                since: p.secretary_since,
                                trainings: trainings.get(&s).cloned().unwrap_or_default(),
                            }),
                        };
                        evaluate_party_org(&facts, profiles.get(&p.region_code), on)
                    }
                    _ => vec![],
                };
                if p.covered_orgs != covered_orgs as i32
                    || p.formal_members != formal as i32
                    || p.probationary_members != probationary as i32
                    || p.breach_count != breaches.len() as i32
                {
                    let q = Query::update()
                        .table(party_org::Entity)
                        .value(party_org::Column::CoveredOrgs, covered_orgs as i32)
                        .value(party_org::Column::FormalMembers, formal as i32)
                        .value(party_org::Column::ProbationaryMembers, probationary as i32)
                        .value(party_org::Column::BreachCount, breaches.len() as i32)
                        .and_where(party_org::Column::Id.eq(p.id))
                        .take();
                    conn.execute(&q).await?;
                }
                let had = before.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
                write_breaches(conn, true, p.id, &p.region_code, &breaches, had, on, at).await?;
            }
        }
        Ok(())
    }

    /// Training dates of the secretaries of these party organizations, up to `on`.
    async fn secretary_trainings(
        &self,
        conn: &impl ConnectionTrait,
        rows: &[party_org::Model],
        on: Date,
    ) -> Result<HashMap<i64, Vec<Date>>> {
        use hongling_store::party::entity::training;
        let secretaries: Vec<i64> = rows.iter().filter_map(|p| p.secretary_member_id).collect();
        let mut out: HashMap<i64, Vec<Date>> = HashMap::new();
        if secretaries.is_empty() {
            return Ok(out);
        }
        let t = training::Entity::find()
            .filter(training::Column::MemberId.is_in(secretaries))
            .filter(training::Column::TrainedOn.lte(on))
            .filter(training::Column::TrainedOn.gt(on - Duration::days(800)))
            .all(conn)
            .await?;
        for x in t {
            if let Some(m) = x.member_id {
                out.entry(m).or_default().push(x.trained_on);
            }
        }
        Ok(out)
    }

    /// The party organizations covering these organizations, and those whose
    /// secretary is one of these members (for refreshing after a change).
    pub(crate) async fn party_orgs_of_orgs(&self, conn: &impl ConnectionTrait, org_ids: &[i64]) -> Result<Vec<i64>> {
        use hongling_store::party::entity::party_org_org;
        let rows = party_org_org::Entity::find()
            .filter(party_org_org::Column::OrgId.is_in(org_ids.iter().copied()))
            .all(conn)
            .await?;
        Ok(rows.into_iter().map(|r| r.party_org_id).collect())
    }

    /// Re-evaluate a whole subtree at once (commands, the demo's loader).
    pub async fn refresh_coverage(&self, by: &Principal, region: &str, on: Date) -> Result<(usize, usize, usize)> {
        self.refresh_coverage_paced(by, region, on, &crate::jobs::Pace::none()).await
    }

    /// Re-evaluate a whole subtree (after a policy change, and daily), in
    /// batches of their own transactions, paced by `pace` (batch size, and
    /// the pause after each). Returns (organizations evaluated, changed,
    /// party organizations evaluated).
    pub async fn refresh_coverage_paced(
        &self,
        by: &Principal,
        region: &str,
        on: Date,
        pace: &crate::jobs::Pace,
    ) -> Result<(usize, usize, usize)> {
        let (lo, hi) = subtree_range(region);
        let (mut changed, mut parties) = (0, 0);
        // the ids of the subtree in one read of the (region_code, id) index; paging
        // by id instead lets PostgreSQL walk the primary key through every region
        let ids: Vec<i64> = social_org::Entity::find()
            .select_only()
            .column(social_org::Column::Id)
            .filter(social_org::Column::RegionCode.gte(lo.as_str()))
            .filter(social_org::Column::RegionCode.lt(hi.as_str()))
            .into_tuple()
            .all(&self.db)
            .await?;
        let orgs = ids.len();
        for chunk in ids.chunks(pace.batch()) {
            let started = std::time::Instant::now();
            let txn = begin_write(&self.db).await?;
            changed += self.refresh_orgs(&txn, chunk, on).await?;
            txn.commit().await?;
            pace.after(started).await;
        }
        let ids: Vec<i64> = party_org::Entity::find()
            .select_only()
            .column(party_org::Column::Id)
            .filter(party_org::Column::RegionCode.gte(lo.as_str()))
            .filter(party_org::Column::RegionCode.lt(hi.as_str()))
            .into_tuple()
            .all(&self.db)
            .await?;
        for chunk in ids.chunks(pace.batch()) {
            let started = std::time::Instant::now();
            let txn = begin_write(&self.db).await?;
            self.refresh_party_orgs(&txn, chunk, on).await?;
            txn.commit().await?;
            parties += chunk.len();
            pace.after(started).await;
        }
        let txn = begin_write(&self.db).await?;
        let summary =
            format!("重新计算党建覆盖情况：组织 {orgs} 个（变化 {changed} 个），党组织 {parties} 个，截至 {on}");
        self.audit(&txn, by, AuditAction::CoverageRefresh, "coverage", region, region, summary, None, None).await?;
        txn.commit().await?;
        Ok((orgs, changed, parties))
    }

    /// Store year-end figures of `year`: every organization evaluated as of
    /// 31 December with the values in force then, aggregated by region and
    /// dimension. Replaces an earlier snapshot of the same year.
    pub async fn snapshot_year(&self, year: i32) -> Result<usize> {
        let on = Date::from_calendar_date(year, time::Month::December, 31).map_err(Error::internal)?;
        let mut profiles = Profiles::load(&self.db, on).await?;
        type Key = (String, String, String, String, String, String);
        let mut agg: BTreeMap<Key, (i32, i32)> = BTreeMap::new();
        let mut after = 0i64;
        loop {
            let ids: Vec<i64> = social_org::Entity::find()
                .select_only()
                .column(social_org::Column::Id)
                .filter(social_org::Column::Status.eq(OrgStatus::Active.as_str()))
                .filter(social_org::Column::Id.gt(after))
                .order_by_asc(social_org::Column::Id)
                .limit(2000)
                .into_tuple()
                .all(&self.db)
                .await?;
            let Some(last) = ids.last() else { break };
            after = *last;
            for chunk in ids.chunks(CHUNK) {
                for e in evaluate_orgs(&self.db, chunk, &mut profiles).await? {
                    // organizations founded after the year's end did not exist then
                    if e.org.founded_on.is_some_and(|d| d > on) {
                        continue;
                    }
                    let k = (
                        e.org.region_code.clone(),
                        e.org.registration_mode.clone(),
                        e.org.kind.clone(),
                        e.org.category.clone(),
                        e.channel_kind.as_str().to_owned(),
                        e.mode.as_str().to_owned(),
                    );
                    let v = agg.entry(k).or_default();
                    v.0 += 1;
                    v.1 += e.breaches.len() as i32;
                }
            }
        }
        let txn = begin_write(&self.db).await?;
        coverage_snapshot::Entity::delete_many().filter(coverage_snapshot::Column::Year.eq(year)).exec(&txn).await?;
        let n = agg.len();
        for ((region, reg, kind, category, channel, mode), (orgs, breaches)) in agg {
            coverage_snapshot::ActiveModel {
                year: Set(year),
                region_code: Set(region),
                registration_mode: Set(reg),
                kind: Set(kind),
                category: Set(category),
                channel_kind: Set(channel),
                coverage_mode: Set(mode),
                orgs: Set(orgs),
                breaches: Set(breaches),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        let summary = format!("生成 {year} 年末党建覆盖统计（{n} 行）");
        self.audit(&txn, &Principal::Cli, AuditAction::CoverageSnapshot, "coverage", year, "", summary, None, None)
            .await?;
        txn.commit().await?;
        Ok(n)
    }

    /// Years with stored year-end figures, newest first.
    pub async fn snapshot_years(&self) -> Result<Vec<i32>> {
        let rows: Vec<i32> = coverage_snapshot::Entity::find()
            .select_only()
            .column(coverage_snapshot::Column::Year)
            .distinct()
            .order_by_desc(coverage_snapshot::Column::Year)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows)
    }
}
