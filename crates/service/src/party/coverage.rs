//! The maintained coverage state and its figures.
//!
//! Every change to a party record re-evaluates the organizations and party
//! organizations it touched, inside its own transaction (`refresh_orgs`,
//! `refresh_party_orgs`): the coverage mode, member counts, management channel
//! and breaches are written to `social_orgs` and `coverage_breaches`, so a
//! figure is one aggregate query over a covering index. Rules that change with
//! time alone (training deadlines, dated policy values) are re-evaluated by
//! the daily run (`refresh_coverage`), which any server may start and one
//! performs (a `job_runs` row per day). After the turn of a year the daily run
//! also stores that year's year-end figures, evaluated with its values.

use std::collections::{BTreeMap, HashMap, HashSet};

use hongling_domain::party::coverage::{
    Breach, BreachRule, ChannelKind, CoverageMode, Covering, ModeCounts, OrgFacts, PartyOrgFacts, PartyOrgType,
    SecretaryFacts, default_channel, evaluate_org, evaluate_party_org,
};
use hongling_domain::policy::{self, Param, PolicyEntry, Profile};
use hongling_domain::region::subtree_range;
use hongling_domain::registry::RegistrationMode;
use hongling_domain::{RegionCode, RegionLevel};
use hongling_store::entity::job_run;
use hongling_store::party::entity::{coverage_breach, coverage_snapshot, party_channel, party_org};
use hongling_store::party::figures::{self as store_party, CoverageFilter, FigureRow, FigureSource, Group};
use hongling_store::registry::entity::social_org;
use hongling_store::{Page, PageRequest, begin_write, is_unique_violation, regions, to_db};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};
use utoipa::ToSchema;

use super::require_party_reader;
use crate::{CurrentUser, Error, Hongling, Principal, Result};

const CHUNK: usize = 500;

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

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
async fn member_counts(conn: &impl ConnectionTrait, by: &str, ids: &[i64]) -> Result<HashMap<i64, (u32, u32)>> {
    let q = Query::select()
        .expr_as(col(by), Alias::new("k"))
        .expr_as(col("member_type"), Alias::new("s"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(Alias::new("party_members"))
        .and_where(col(by).is_in(ids.iter().copied()))
        .and_where(col("left_on").is_null())
        .group_by_col(Alias::new(by))
        .group_by_col(Alias::new("member_type"))
        .take();
    let mut out: HashMap<i64, (u32, u32)> = HashMap::new();
    for (k, t, n) in counted(conn, q).await? {
        let e = out.entry(k).or_default();
        if t == "formal" {
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
    let members = member_counts(conn, "employer_org_id", ids).await?;
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
        .filter(party_org::Column::Status.eq("active"))
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
        .filter(instructor::Column::Status.eq("active"))
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
    let q = Query::select()
        .expr_as(col("org_id"), Alias::new("k"))
        .expr_as(Expr::val(""), Alias::new("s"))
        .expr_as(col("org_id"), Alias::new("n"))
        .from(Alias::new("host_links"))
        .and_where(col("org_id").is_in(ids.iter().copied()))
        .take();
    let hosted: HashSet<i64> = counted(conn, q).await?.into_iter().map(|(k, _, _)| k).collect();
    // a supervisory unit's number of organizations matters only where the profile
    // asks for more than one (锦江区: 10); counting a province's large units for
    // every batch would make a full refresh quadratic
    let units: Vec<i64> = orgs
        .iter()
        .filter(|o| profiles.get(&o.region_code).count(Param::SupervisorChannelMinOrgs) > 1)
        .filter_map(|o| o.supervisory_unit_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut unit_orgs: HashMap<i64, u32> = HashMap::new();
    if !units.is_empty() {
        let q = Query::select()
            .expr_as(col("supervisory_unit_id"), Alias::new("k"))
            .expr_as(Expr::val(""), Alias::new("s"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from(Alias::new("social_orgs"))
            .and_where(col("supervisory_unit_id").is_in(units.iter().copied()))
            .and_where(col("status").eq("active"))
            .group_by_col(Alias::new("supervisory_unit_id"))
            .take();
        unit_orgs = counted(conn, q).await?.into_iter().map(|(k, _, n)| (k, n as u32)).collect();
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
        if org.status != "active" {
            breaches.clear();
        }
        let manual = org.channel_manual.then(|| ChannelKind::parse(&org.channel_kind)).flatten();
        let channel_kind = manual.unwrap_or_else(|| {
            let reg = RegistrationMode::parse(&org.registration_mode).unwrap_or(RegistrationMode::Registered);
            // not counted: the profile is satisfied by the organization itself
            let unit = org.supervisory_unit_id.map(|u| match unit_orgs.get(&u) {
                Some(n) => *n,
                None if units.contains(&u) => 0,
                None => 1,
            });
            default_channel(reg, unit, profile)
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
            .filter(social_org::Column::Status.eq("active"))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(found);
    }
    Ok(out)
}

/// Existing breaches of some subjects: (subject, rule) → (since, detail).
async fn existing_breaches(
    conn: &impl ConnectionTrait,
    party: bool,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<coverage_breach::Model>>> {
    let column = if party { coverage_breach::Column::PartyOrgId } else { coverage_breach::Column::OrgId };
    let rows = coverage_breach::Entity::find().filter(column.is_in(ids.iter().copied())).all(conn).await?;
    let mut out: HashMap<i64, Vec<coverage_breach::Model>> = HashMap::new();
    for b in rows {
        if let Some(id) = if party { b.party_org_id } else { b.org_id } {
            out.entry(id).or_default().push(b);
        }
    }
    Ok(out)
}

/// Replace a subject's breaches when they changed; a rule broken before keeps its "since".
async fn write_breaches(
    conn: &impl ConnectionTrait,
    party: bool,
    subject: i64,
    region: &str,
    now: &[Breach],
    before: &[coverage_breach::Model],
    on: Date,
) -> Result<()> {
    let same = now.len() == before.len()
        && now.iter().all(|b| {
            before.iter().any(|x| x.rule == b.rule.as_str() && x.detail == b.detail && x.region_code == region)
        });
    if same {
        return Ok(());
    }
    let column = if party { coverage_breach::Column::PartyOrgId } else { coverage_breach::Column::OrgId };
    coverage_breach::Entity::delete_many().filter(column.eq(subject)).exec(conn).await?;
    for b in now {
        let since = before.iter().find(|x| x.rule == b.rule.as_str()).map(|x| x.since).unwrap_or(on);
        coverage_breach::ActiveModel {
            rule: Set(b.rule.as_str().to_owned()),
            org_id: Set((!party).then_some(subject)),
            party_org_id: Set(party.then_some(subject)),
            region_code: Set(region.to_owned()),
            detail: Set(b.detail.clone()),
            since: Set(since),
            ..Default::default()
        }
        .insert(conn)
        .await?;
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
            None => app.create_default_channel(conn, kind, &key, org.supervisory_unit_id).await?,
        };
        self.cache.insert((kind, key), id);
        Ok(id)
    }
}

impl Hongling {
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
                        .table(Alias::new("social_orgs"))
                        .value(Alias::new("coverage_mode"), e.mode.as_str())
                        .value(Alias::new("formal_members"), e.formal as i32)
                        .value(Alias::new("probationary_members"), e.probationary as i32)
                        .value(Alias::new("breach_count"), breach_count)
                        .value(Alias::new("channel_id"), channel_id)
                        .value(Alias::new("channel_kind"), e.channel_kind.as_str())
                        .value(Alias::new("sync_pending"), sync)
                        .and_where(col("id").eq(o.id))
                        .take();
                    conn.execute(&q).await?;
                    changed += 1;
                }
                let had = before.get(&o.id).map(Vec::as_slice).unwrap_or(&[]);
                write_breaches(conn, false, o.id, &o.region_code, &e.breaches, had, on).await?;
            }
        }
        Ok(changed)
    }

    /// Re-evaluate party organizations: counts, and the rules about them.
    pub(crate) async fn refresh_party_orgs(&self, conn: &impl ConnectionTrait, ids: &[i64], on: Date) -> Result<()> {
        let mut profiles = Profiles::load(conn, on).await?;
        let mut ids: Vec<i64> = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(CHUNK) {
            let rows =
                party_org::Entity::find().filter(party_org::Column::Id.is_in(chunk.iter().copied())).all(conn).await?;
            let covered = covered_counts(conn, chunk).await?;
            let members = member_counts(conn, "party_org_id", chunk).await?;
            let trainings = self.secretary_trainings(conn, &rows, on).await?;
            let before = existing_breaches(conn, true, chunk).await?;
            for p in rows {
                let (formal, probationary) = members.get(&p.id).copied().unwrap_or_default();
                let covered_orgs = covered.get(&p.id).copied().unwrap_or(0);
                let breaches = match (p.status.as_str(), PartyOrgType::parse(&p.org_type)) {
                    ("active", Some(kind)) => {
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
                        .table(Alias::new("party_orgs"))
                        .value(Alias::new("covered_orgs"), covered_orgs as i32)
                        .value(Alias::new("formal_members"), formal as i32)
                        .value(Alias::new("probationary_members"), probationary as i32)
                        .value(Alias::new("breach_count"), breaches.len() as i32)
                        .and_where(col("id").eq(p.id))
                        .take();
                    conn.execute(&q).await?;
                }
                let had = before.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
                write_breaches(conn, true, p.id, &p.region_code, &breaches, had, on).await?;
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

    /// Re-evaluate a whole subtree (after a policy change, and daily), in
    /// batches of their own transactions. Returns (organizations evaluated,
    /// changed, party organizations evaluated).
    pub async fn refresh_coverage(&self, by: &Principal, region: &str, on: Date) -> Result<(usize, usize, usize)> {
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
        for chunk in ids.chunks(2000) {
            let txn = begin_write(&self.db).await?;
            changed += self.refresh_orgs(&txn, chunk, on).await?;
            txn.commit().await?;
        }
        let ids: Vec<i64> = party_org::Entity::find()
            .select_only()
            .column(party_org::Column::Id)
            .filter(party_org::Column::RegionCode.gte(lo.as_str()))
            .filter(party_org::Column::RegionCode.lt(hi.as_str()))
            .into_tuple()
            .all(&self.db)
            .await?;
        for chunk in ids.chunks(2000) {
            let txn = begin_write(&self.db).await?;
            self.refresh_party_orgs(&txn, chunk, on).await?;
            txn.commit().await?;
            parties += chunk.len();
        }
        let txn = begin_write(&self.db).await?;
        let summary =
            format!("重新计算党建覆盖情况：组织 {orgs} 个（变化 {changed} 个），党组织 {parties} 个，截至 {on}");
        self.audit(&txn, by, "coverage.refresh", "coverage", region, region, summary, None, None).await?;
        txn.commit().await?;
        Ok((orgs, changed, parties))
    }

    /// Claim a job run: true for the one server that inserted the row first.
    pub async fn claim_job(&self, job: &str, key: &str, region: &str, by: &Principal) -> Result<Option<i64>> {
        let r = job_run::ActiveModel {
            job: Set(job.to_owned()),
            run_key: Set(key.to_owned()),
            region_code: Set(region.to_owned()),
            actor: Set(by.actor_name()),
            started_at: Set(to_db(self.now())),
            finished_at: Set(None),
            result: Set(String::new()),
            ..Default::default()
        }
        .insert(&self.db)
        .await;
        match r {
            Ok(m) => Ok(Some(m.id)),
            Err(e) if is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn finish_job(&self, id: i64, result: &str) -> Result<()> {
        let q = Query::update()
            .table(Alias::new("job_runs"))
            .value(Alias::new("finished_at"), to_db(self.now()))
            .value(Alias::new("result"), result)
            .and_where(col("id").eq(id))
            .take();
        self.db.execute(&q).await?;
        Ok(())
    }

    /// The latest runs of a job, newest first.
    pub async fn job_runs(&self, job: &str, limit: u64) -> Result<Vec<job_run::Model>> {
        Ok(job_run::Entity::find()
            .filter(job_run::Column::Job.eq(job))
            .order_by_desc(job_run::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// The daily run: re-evaluate everything once a day (whichever server comes
    /// first), and store last year's year-end figures once. Returns what it did.
    pub async fn daily_coverage_run(&self) -> Result<Option<String>> {
        let today = self.today();
        let mut done = Vec::new();
        if let Some(id) = self.claim_job("coverage.daily", &today.to_string(), "", &Principal::Cli).await? {
            let (o, c, p) = self.refresh_coverage(&Principal::Cli, "", today).await?;
            let msg = format!("组织 {o} 个（变化 {c} 个），党组织 {p} 个");
            self.finish_job(id, &msg).await?;
            done.push(msg);
        }
        let last_year = today.year() - 1;
        if let Some(id) = self.claim_job("coverage.snapshot", &last_year.to_string(), "", &Principal::Cli).await? {
            let n = self.snapshot_year(last_year).await?;
            let msg = format!("{last_year} 年末统计 {n} 行");
            self.finish_job(id, &msg).await?;
            done.push(msg);
        }
        Ok((!done.is_empty()).then(|| done.join("；")))
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
                .filter(social_org::Column::Status.eq("active"))
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
        self.audit(&txn, &Principal::Cli, "coverage.snapshot", "coverage", year, "", summary, None, None).await?;
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

// ---------- figures ----------

/// Filters of the coverage figures (page and `GET /api/v1/coverage`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct CoverageQuery {
    /// A region code inside your scope (default: your whole scope).
    pub region: Option<String>,
    /// registered or filed
    pub mode: Option<String>,
    /// association, foundation, service_institution
    pub kind: Option<String>,
    pub category: Option<String>,
    /// supervisory_unit, comprehensive_committee, township, industry_committee, hub_org
    pub channel: Option<String>,
    /// A past year: its year-end figures (evaluated with that year's policy values).
    pub year: Option<i32>,
}

/// Organizations by coverage mode.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct ByMode {
    pub standalone: u64,
    pub joint_branch: u64,
    pub instructor: u64,
    pub host_led: u64,
    pub uncovered: u64,
}

impl From<ModeCounts> for ByMode {
    fn from(c: ModeCounts) -> Self {
        Self {
            standalone: c.standalone,
            joint_branch: c.joint_branch,
            instructor: c.instructor,
            host_led: c.host_led,
            uncovered: c.uncovered,
        }
    }
}

/// Coverage figures of a region (active organizations).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Coverage {
    pub region: String,
    pub region_name: String,
    /// null: live figures; else the year-end figures of that year
    pub year: Option<i32>,
    pub organizations: u64,
    pub covered: u64,
    pub by_mode: ByMode,
    /// 覆盖率, a fraction 0..1: covered by a party organization or party work
    pub coverage_rate: f64,
    /// 单建率, a fraction 0..1: with a party organization of their own
    pub standalone_rate: f64,
    /// rules broken (see /api/v1/coverage/breaches)
    pub breaches: u64,
    /// the policy targets in force for the region, fractions 0..1 (null: none set)
    pub coverage_rate_target: Option<f64>,
    pub standalone_rate_target: Option<f64>,
}

/// Figures of one child region (or one value of a dimension).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageRow {
    /// region code, or the dimension's value
    pub key: String,
    pub name: String,
    /// whether it can be opened one level down
    pub drill: bool,
    pub organizations: u64,
    pub covered: u64,
    pub by_mode: ByMode,
    pub coverage_rate: f64,
    pub standalone_rate: f64,
    pub breaches: u64,
}

fn counts_of(rows: &[FigureRow]) -> (ModeCounts, u64) {
    let mut c = ModeCounts::default();
    let mut b = 0;
    for r in rows {
        if let Some(m) = CoverageMode::parse(&r.coverage_mode) {
            c.add(m, r.orgs as u64);
        }
        b += r.breaches as u64;
    }
    (c, b)
}

fn row_of(key: String, name: String, drill: bool, c: ModeCounts, breaches: u64) -> CoverageRow {
    CoverageRow {
        key,
        name,
        drill,
        organizations: c.total(),
        covered: c.covered(),
        coverage_rate: c.coverage_rate(),
        standalone_rate: c.standalone_rate(),
        by_mode: c.into(),
        breaches,
    }
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.trim().is_empty())
}

impl Hongling {
    fn coverage_filter(&self, me: &CurrentUser, q: &CoverageQuery) -> Result<(CoverageFilter, FigureSource)> {
        require_party_reader(me)?;
        use hongling_domain::registry::{Category, OrgKind};
        let mut c = super::Check::default();
        for (field, v, ok) in [
            ("mode", &q.mode, nonempty(&q.mode).is_none_or(|v| RegistrationMode::parse(&v).is_some())),
            ("kind", &q.kind, nonempty(&q.kind).is_none_or(|v| OrgKind::parse(&v).is_some())),
            ("category", &q.category, nonempty(&q.category).is_none_or(|v| Category::parse(&v).is_some())),
            ("channel", &q.channel, nonempty(&q.channel).is_none_or(|v| ChannelKind::parse(&v).is_some())),
        ] {
            if !ok {
                c.bad(field, format!("未知的筛选值：{}", v.as_deref().unwrap_or("")));
            }
        }
        c.finish()?;
        let f = CoverageFilter {
            region_prefix: me.subtree(q.region.as_deref())?,
            registration_mode: nonempty(&q.mode),
            kind: nonempty(&q.kind),
            category: nonempty(&q.category),
            channel_kind: nonempty(&q.channel),
        };
        let src = match q.year {
            Some(y) if y < self.today().year() => FigureSource::Year(y),
            _ => FigureSource::Live,
        };
        Ok((f, src))
    }

    /// Coverage figures of a region inside the caller's scope.
    pub async fn coverage(&self, me: &CurrentUser, q: &CoverageQuery) -> Result<Coverage> {
        let (f, src) = self.coverage_filter(me, q)?;
        let rows = store_party::figures(&self.db, src, &f, Group::None).await?;
        let (c, _) = counts_of(&rows);
        let breaches = store_party::breach_total(&self.db, src, &f).await? as u64;
        let on = match src {
            FigureSource::Year(y) => Date::from_calendar_date(y, time::Month::December, 31).unwrap_or(self.today()),
            FigureSource::Live => self.today(),
        };
        let profile = self.profile(&f.region_prefix, on).await?;
        let rate = |p: Param| profile.get(p).map(|v| v as f64 / 10_000.0);
        Ok(Coverage {
            region_name: self.region_display_name(&f.region_prefix).await?,
            region: f.region_prefix,
            year: match src {
                FigureSource::Year(y) => Some(y),
                FigureSource::Live => None,
            },
            organizations: c.total(),
            covered: c.covered(),
            coverage_rate: c.coverage_rate(),
            standalone_rate: c.standalone_rate(),
            by_mode: c.into(),
            breaches,
            coverage_rate_target: rate(Param::CoverageRateTarget),
            standalone_rate_target: rate(Param::StandaloneRateTarget),
        })
    }

    /// Figures of the child regions one level down (the drill-down), with a
    /// row for organizations registered at the region itself when there are any.
    pub async fn coverage_children(&self, me: &CurrentUser, q: &CoverageQuery) -> Result<Vec<CoverageRow>> {
        let (f, src) = self.coverage_filter(me, q)?;
        let code = RegionCode::parse(&f.region_prefix).map_err(|_| Error::NotFound)?;
        let child_len = match code.level() {
            RegionLevel::Province => 4,
            RegionLevel::City => 6,
            RegionLevel::County => 9,
            RegionLevel::Township | RegionLevel::Village => 12,
        };
        let rows = store_party::figures(&self.db, src, &f, Group::Region(child_len)).await?;
        let mut by_key: BTreeMap<String, Vec<FigureRow>> = BTreeMap::new();
        for r in rows {
            by_key.entry(r.key.clone()).or_default().push(r);
        }
        // breaches of party organizations count where they are, like those of organizations
        let mut breaches: Option<HashMap<String, i64>> = None;
        if src == FigureSource::Live && !f.has_dimensions() {
            breaches = Some(
                store_party::breaches_by_region(&self.db, &f.region_prefix, child_len).await?.into_iter().collect(),
            );
        }
        let mut out = Vec::new();
        let children = if code.level() == RegionLevel::Village {
            vec![]
        } else {
            regions::children(&self.db, code.as_str()).await?
        };
        for ch in &children {
            let (c, b) = counts_of(by_key.remove(&ch.code).as_deref().unwrap_or(&[]));
            let b = match breaches.as_mut() {
                Some(m) => m.remove(&ch.code).unwrap_or(0) as u64,
                None => b,
            };
            out.push(row_of(ch.code.clone(), ch.name.clone(), ch.level < 5, c, b));
        }
        // organizations whose residence is recorded at this level or at a code with no region row
        let rest: Vec<FigureRow> = by_key.into_values().flatten().collect();
        let rest_breaches: u64 = breaches.map(|m| m.values().sum::<i64>() as u64).unwrap_or(0);
        if !rest.is_empty() || rest_breaches > 0 {
            let (c, b) = counts_of(&rest);
            let b = if src == FigureSource::Live && !f.has_dimensions() { rest_breaches } else { b };
            let name =
                format!("{}本级", regions::get(&self.db, code.as_str()).await?.map(|r| r.name).unwrap_or_default());
            out.push(row_of(code.to_string(), name, false, c, b));
        }
        Ok(out)
    }

    /// Figures by a dimension: `channel`, `kind`, `category` or `mode`.
    pub async fn coverage_by(&self, me: &CurrentUser, q: &CoverageQuery, dim: &str) -> Result<Vec<CoverageRow>> {
        let (f, src) = self.coverage_filter(me, q)?;
        let column = match dim {
            "channel" => "channel_kind",
            "kind" => "kind",
            "category" => "category",
            "mode" => "registration_mode",
            _ => return Err(Error::invalid("by", "分组应为 channel、kind、category 或 mode")),
        };
        let rows = store_party::figures(&self.db, src, &f, Group::Column(column)).await?;
        let mut by_key: BTreeMap<String, Vec<FigureRow>> = BTreeMap::new();
        for r in rows {
            by_key.entry(r.key.clone()).or_default().push(r);
        }
        Ok(by_key
            .into_iter()
            .map(|(k, rows)| {
                let (c, b) = counts_of(&rows);
                let name = dimension_label(column, &k);
                row_of(k, name, false, c, b)
            })
            .collect())
    }
}

/// The Chinese label of a dimension value.
pub fn dimension_label(column: &str, v: &str) -> String {
    use hongling_domain::registry::{Category, OrgKind};
    let l = match column {
        "channel_kind" => ChannelKind::parse(v).map(ChannelKind::label),
        "kind" => OrgKind::parse(v).map(OrgKind::label),
        "category" => Category::parse(v).map(Category::label),
        "registration_mode" => RegistrationMode::parse(v).map(RegistrationMode::label),
        _ => None,
    };
    match (l, v.is_empty()) {
        (Some(l), _) => l.to_owned(),
        (None, true) => "未划定".to_owned(),
        (None, false) => v.to_owned(),
    }
}

// ---------- breaches ----------

/// A reference to a record: id and name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ref {
    pub id: i64,
    pub name: String,
}

/// A rule broken.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BreachView {
    pub id: i64,
    /// needs_standalone, sync_uncovered, joint_branch_too_large, joint_branch_too_few, secretary_untrained, new_secretary_untrained
    pub rule: String,
    pub rule_label: String,
    /// The organization that breaks it (rules about organizations).
    pub org: Option<Ref>,
    /// The party organization that breaks it (rules about party organizations).
    pub party_org: Option<Ref>,
    pub region_code: String,
    pub detail: String,
    /// since when (YYYY-MM-DD)
    pub since: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BreachPage {
    pub items: Vec<BreachView>,
    /// counted up to 10,000 (see total_exact)
    pub total: u64,
    pub total_exact: bool,
    pub page: u64,
    pub per_page: u64,
}

impl Hongling {
    pub(crate) async fn breach_views(&self, items: Vec<coverage_breach::Model>) -> Result<Vec<BreachView>> {
        let org_ids: Vec<i64> = items.iter().filter_map(|b| b.org_id).collect();
        let party_ids: Vec<i64> = items.iter().filter_map(|b| b.party_org_id).collect();
        let orgs: HashMap<i64, String> = social_org::Entity::find()
            .filter(social_org::Column::Id.is_in(org_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let parties: HashMap<i64, String> = party_org::Entity::find()
            .filter(party_org::Column::Id.is_in(party_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        Ok(items
            .into_iter()
            .map(|b| BreachView {
                id: b.id,
                rule_label: BreachRule::parse(&b.rule).map(BreachRule::label).unwrap_or(&b.rule).to_owned(),
                rule: b.rule,
                org: b.org_id.map(|id| Ref { id, name: orgs.get(&id).cloned().unwrap_or_default() }),
                party_org: b.party_org_id.map(|id| Ref { id, name: parties.get(&id).cloned().unwrap_or_default() }),
                region_code: b.region_code,
                detail: b.detail,
                since: b.since.to_string(),
            })
            .collect())
    }

    /// Breaches in a region inside the caller's scope, paged, optionally of one rule.
    pub async fn list_breaches(
        &self,
        me: &CurrentUser,
        region: Option<&str>,
        rule: Option<&str>,
        p: PageRequest,
    ) -> Result<BreachPage> {
        require_party_reader(me)?;
        let prefix = me.subtree(region)?;
        if let Some(r) = rule.filter(|r| !r.is_empty())
            && BreachRule::parse(r).is_none()
        {
            return Err(Error::invalid("rule", "未知的规则"));
        }
        let page: Page<coverage_breach::Model> = store_party::list_breaches(&self.db, &prefix, rule, p).await?;
        Ok(BreachPage {
            total: page.total,
            total_exact: page.total_exact,
            page: page.page,
            per_page: page.per_page,
            items: self.breach_views(page.items).await?,
        })
    }

    /// Breaches by rule in a region.
    pub async fn breach_counts(&self, me: &CurrentUser, region: Option<&str>) -> Result<Vec<(String, String, i64)>> {
        require_party_reader(me)?;
        let prefix = me.subtree(region)?;
        let counts: HashMap<String, i64> = store_party::breach_counts(&self.db, &prefix).await?.into_iter().collect();
        Ok(BreachRule::ALL
            .iter()
            .map(|r| (r.as_str().to_owned(), r.label().to_owned(), counts.get(r.as_str()).copied().unwrap_or(0)))
            .collect())
    }

    /// Breaches of one organization or party organization.
    pub(crate) async fn breaches_of(&self, org: Option<i64>, party_org: Option<i64>) -> Result<Vec<BreachView>> {
        let mut q = coverage_breach::Entity::find();
        if let Some(o) = org {
            q = q.filter(coverage_breach::Column::OrgId.eq(o));
        }
        if let Some(p) = party_org {
            q = q.filter(coverage_breach::Column::PartyOrgId.eq(p));
        }
        let items = q.order_by_asc(coverage_breach::Column::Id).all(&self.db).await?;
        self.breach_views(items).await
    }
}

// ---------- one organization's party coverage ----------

/// An organization's party coverage, for its 党建 page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgParty {
    pub org: Ref,
    pub region_code: String,
    pub status: String,
    pub coverage_mode: String,
    pub coverage_mode_label: String,
    pub formal_members: i32,
    pub probationary_members: i32,
    pub channel: Option<Ref>,
    pub channel_kind_label: String,
    /// the channel was set by hand (else by the rules)
    pub channel_manual: bool,
    pub party_org: Option<Ref>,
    pub instructors: Vec<Ref>,
    /// "1+N": the organization leading this one
    pub host: Option<Ref>,
    /// organizations this one leads
    pub hosting: Vec<Ref>,
    pub sync_pending: bool,
    pub breaches: Vec<BreachView>,
}

impl Hongling {
    pub async fn org_party(&self, me: &CurrentUser, org_id: i64) -> Result<OrgParty> {
        use hongling_store::party::entity::{host_link, instructor, instructor_assignment, party_org_org};
        let o = self.get_org(me, org_id).await?;
        let party_org = match party_org_org::Entity::find_by_id(org_id).one(&self.db).await? {
            Some(l) => party_org::Entity::find_by_id(l.party_org_id)
                .one(&self.db)
                .await?
                .map(|p| Ref { id: p.id, name: p.name }),
            None => None,
        };
        let iids: Vec<i64> = instructor_assignment::Entity::find()
            .select_only()
            .column(instructor_assignment::Column::InstructorId)
            .filter(instructor_assignment::Column::OrgId.eq(org_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        let instructors = instructor::Entity::find()
            .filter(instructor::Column::Id.is_in(iids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|i| Ref { id: i.id, name: i.name })
            .collect();
        let host = match host_link::Entity::find_by_id(org_id).one(&self.db).await? {
            Some(h) => social_org::Entity::find_by_id(h.host_org_id)
                .one(&self.db)
                .await?
                .map(|x| Ref { id: x.id, name: x.name }),
            None => None,
        };
        let led: Vec<i64> = host_link::Entity::find()
            .select_only()
            .column(host_link::Column::OrgId)
            .filter(host_link::Column::HostOrgId.eq(org_id))
            .into_tuple()
            .all(&self.db)
            .await?;
        let hosting = social_org::Entity::find()
            .filter(social_org::Column::Id.is_in(led))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|x| Ref { id: x.id, name: x.name })
            .collect();
        let channel = match o.channel_id {
            Some(c) => {
                party_channel::Entity::find_by_id(c).one(&self.db).await?.map(|c| Ref { id: c.id, name: c.name })
            }
            None => None,
        };
        Ok(OrgParty {
            org: Ref { id: o.id, name: o.name.clone() },
            coverage_mode_label: CoverageMode::parse(&o.coverage_mode)
                .map(CoverageMode::label)
                .unwrap_or("")
                .to_owned(),
            channel_kind_label: dimension_label("channel_kind", &o.channel_kind),
            breaches: self.breaches_of(Some(org_id), None).await?,
            region_code: o.region_code,
            status: o.status,
            coverage_mode: o.coverage_mode,
            formal_members: o.formal_members,
            probationary_members: o.probationary_members,
            channel,
            channel_manual: o.channel_manual,
            party_org,
            instructors,
            host,
            hosting,
            sync_pending: o.sync_pending,
        })
    }

    /// The coverage figures of a region as a workbook: the child regions, the
    /// channels, and the list of breaches (audited, like every export).
    pub async fn export_coverage(&self, me: &CurrentUser, q: &CoverageQuery) -> Result<Vec<u8>> {
        use crate::tabular::{Cell, Sheet, write_xlsx_sheets};
        let total = self.coverage(me, q).await?;
        let children = self.coverage_children(me, q).await?;
        let channels = self.coverage_by(me, q, "channel").await?;
        let pct = |x: f64| Cell::Text(format!("{:.1}%", x * 100.0));
        let headers: Vec<String> = [
            "区域/渠道",
            "社会组织",
            "已覆盖",
            "单独组建",
            "联合组建",
            "选派指导员",
            "“1+N”带动",
            "未覆盖",
            "覆盖率",
            "单建率",
            "违规",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let row = |name: &str, r: &CoverageRow| {
            vec![
                Cell::Text(name.to_owned()),
                Cell::Int(r.organizations as i64),
                Cell::Int(r.covered as i64),
                Cell::Int(r.by_mode.standalone as i64),
                Cell::Int(r.by_mode.joint_branch as i64),
                Cell::Int(r.by_mode.instructor as i64),
                Cell::Int(r.by_mode.host_led as i64),
                Cell::Int(r.by_mode.uncovered as i64),
                pct(r.coverage_rate),
                pct(r.standalone_rate),
                Cell::Int(r.breaches as i64),
            ]
        };
        let mut region_rows: Vec<Vec<Cell>> = children.iter().map(|r| row(&r.name, r)).collect();
        region_rows.push(vec![
            Cell::Text(format!("{}（合计）", total.region_name)),
            Cell::Int(total.organizations as i64),
            Cell::Int(total.covered as i64),
            Cell::Int(total.by_mode.standalone as i64),
            Cell::Int(total.by_mode.joint_branch as i64),
            Cell::Int(total.by_mode.instructor as i64),
            Cell::Int(total.by_mode.host_led as i64),
            Cell::Int(total.by_mode.uncovered as i64),
            pct(total.coverage_rate),
            pct(total.standalone_rate),
            Cell::Int(total.breaches as i64),
        ]);
        let channel_rows: Vec<Vec<Cell>> = channels.iter().map(|r| row(&r.name, r)).collect();
        let mut breach_rows = Vec::new();
        let mut page = 1;
        loop {
            let p = self.list_breaches(me, Some(&total.region), None, PageRequest::new(Some(page), Some(200))).await?;
            let n = p.items.len();
            for b in p.items {
                breach_rows.push(vec![
                    Cell::Text(b.rule_label),
                    Cell::Text(b.org.map(|o| o.name).unwrap_or_default()),
                    Cell::Text(b.party_org.map(|o| o.name).unwrap_or_default()),
                    Cell::Text(b.region_code),
                    Cell::Text(b.detail),
                    Cell::Text(b.since),
                ]);
            }
            if n < 200 || breach_rows.len() >= 200_000 {
                break;
            }
            page += 1;
        }
        let count = breach_rows.len();
        let sheets = vec![
            Sheet { name: "按区域".into(), headers: headers.clone(), rows: region_rows },
            Sheet { name: "按管理渠道".into(), headers, rows: channel_rows },
            Sheet {
                name: "违规清单".into(),
                headers: ["规则", "社会组织", "党组织", "区划代码", "情况", "发现日期"]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                rows: breach_rows,
            },
        ];
        let bytes = write_xlsx_sheets(sheets).map_err(Error::internal)?;
        let txn = begin_write(&self.db).await?;
        let summary = format!("导出党建覆盖统计：{}（违规 {count} 条）", total.region_name);
        let by = Principal::User(me.clone());
        self.audit(&txn, &by, "coverage.export", "coverage", &total.region, &total.region, summary, None, None).await?;
        txn.commit().await?;
        Ok(bytes)
    }
}
