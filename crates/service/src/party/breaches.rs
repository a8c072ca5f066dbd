//! Breach lists and one organization's party coverage.

use hongling_domain::audit::AuditAction;
use std::collections::HashMap;

use hongling_domain::Action;
use hongling_domain::party::breach_life::{BreachLogKind, BreachStatus, NOTE_MAX_CHARS, days_open};
use hongling_domain::party::coverage::{BreachRule, CoverageMode};
use hongling_domain::region::subtree_range;
use hongling_store::entity::user;
use hongling_store::party::entity::{breach_log, coverage_breach, party_channel, party_org};
use hongling_store::party::figures::{self as store_party};
use hongling_store::registry::entity::social_org;
use hongling_store::{begin_write, to_db};
use sea_orm::sea_query::Query;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::Party;
use super::{may_read_party, require_party_reader};
use crate::input::Reader;
use crate::refs::unreachable;
use crate::{CurrentUser, Error, Principal, Ref, Result};

// ---------- breaches ----------

/// A rule broken.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BreachView {
    pub id: i64,
    /// needs_standalone, sync_uncovered, joint_branch_too_large, joint_branch_too_few, secretary_untrained, new_secretary_untrained
    #[schema(value_type = hongling_domain::party::coverage::BreachRule)]
    pub rule: String,
    pub rule_label: String,
    /// The organization that breaks it (rules about organizations).
    pub org: Option<Ref>,
    /// The party organization that breaks it (rules about party organizations).
    pub party_org: Option<Ref>,
    pub region_code: String,
    /// the region's name (township, community…)
    pub region_name: String,
    pub detail: String,
    /// first seen (YYYY-MM-DD): kept while the rule keeps firing
    pub since: String,
    /// open, closed
    #[schema(value_type = hongling_domain::party::breach_life::BreachStatus)]
    pub status: String,
    pub status_label: String,
    /// when the recompute found the rule no longer firing (YYYY-MM-DD)
    pub closed_on: Option<String>,
    /// days open: from first seen to today, or to its closing (the first day counts)
    pub days_open: i64,
    /// the user following it up
    pub assignee: Option<Ref>,
}

/// A line of a breach's follow-up log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BreachLogView {
    /// YYYY-MM-DD
    pub logged_on: String,
    /// who wrote it (系统 for the recompute)
    pub actor: String,
    /// assign, note, close
    #[schema(value_type = hongling_domain::party::breach_life::BreachLogKind)]
    pub kind: String,
    pub kind_label: String,
    pub text: String,
}

/// A breach with its follow-up log, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BreachDetail {
    pub breach: BreachView,
    pub log: Vec<BreachLogView>,
}

/// Assign a breach (null: nobody).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreachAssignInput {
    /// a user of your subtree who reads party figures
    #[serde(default)]
    pub assignee_id: Option<i64>,
}

/// A follow-up note.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreachNoteInput {
    /// what was done or found, at most 500 characters
    #[serde(default)]
    pub text: String,
}

impl Party<'_> {
    pub(crate) async fn breach_views(&self, items: Vec<coverage_breach::Model>) -> Result<Vec<BreachView>> {
        let region_labels =
            self.region_labels(&items.iter().map(|r| r.region_code.clone()).collect::<Vec<_>>()).await?;
        let org_ids: Vec<i64> = items.iter().filter_map(|b| b.org_id).collect();
        let party_ids: Vec<i64> = items.iter().filter_map(|b| b.party_org_id).collect();
        let orgs: HashMap<i64, String> = social_org::Entity::find()
            .filter(social_org::Column::Id.is_in(org_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        let assignee_ids: Vec<i64> = items.iter().filter_map(|b| b.assignee_id).collect();
        let users: HashMap<i64, String> = if assignee_ids.is_empty() {
            HashMap::new()
        } else {
            user::Entity::find()
                .filter(user::Column::Id.is_in(assignee_ids))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect()
        };
        let today = self.today();
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
                region_name: region_labels.get(&b.region_code).cloned().unwrap_or_default(),
                region_code: b.region_code,
                detail: b.detail,
                since: b.since.to_string(),
                status_label: BreachStatus::parse(&b.status).map(BreachStatus::label).unwrap_or("").to_owned(),
                status: b.status,
                closed_on: b.closed_on.map(|d| d.to_string()),
                days_open: days_open(b.since, b.closed_on, today),
                assignee: b.assignee_id.map(|id| Ref { id, name: users.get(&id).cloned().unwrap_or_default() }),
            })
            .collect())
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

    /// Open breaches of one organization or party organization.
    pub(crate) async fn breaches_of(&self, org: Option<i64>, party_org: Option<i64>) -> Result<Vec<BreachView>> {
        let mut q =
            coverage_breach::Entity::find().filter(coverage_breach::Column::Status.eq(BreachStatus::Open.as_str()));
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

// ---------- a breach's life: assignment and follow-up ----------

impl Party<'_> {
    /// A breach of the caller's subtree (region-scoped readers only); else not found.
    async fn breach_in_scope(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        id: i64,
    ) -> Result<coverage_breach::Model> {
        if !may_read_party(me) {
            return Err(Error::NotFound);
        }
        let (lo, hi) = subtree_range(me.scope.region.as_str());
        coverage_breach::Entity::find_by_id(id)
            .filter(coverage_breach::Column::RegionCode.gte(lo))
            .filter(coverage_breach::Column::RegionCode.lt(hi))
            .one(conn)
            .await?
            .ok_or(Error::NotFound)
    }

    /// A breach with its follow-up log.
    pub async fn get_breach(&self, me: &CurrentUser, id: i64) -> Result<BreachDetail> {
        require_party_reader(me)?;
        let b = self.breach_in_scope(&self.db, me, id).await?;
        let log = breach_log::Entity::find()
            .filter(breach_log::Column::BreachId.eq(b.id))
            .order_by_asc(breach_log::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|l| BreachLogView {
                logged_on: l.logged_on.to_string(),
                actor: l.actor_name,
                kind_label: BreachLogKind::parse(&l.kind).map(BreachLogKind::label).unwrap_or("").to_owned(),
                kind: l.kind,
                text: l.text,
            })
            .collect();
        let breach = self.breach_views(vec![b]).await?.into_iter().next().ok_or(Error::NotFound)?;
        Ok(BreachDetail { breach, log })
    }

    /// Assign an open breach to a user of the subtree who reads party figures (or to nobody).
    pub async fn assign_breach(&self, me: &CurrentUser, id: i64, input: &BreachAssignInput) -> Result<()> {
        me.require(Action::PartyCoverageWrite)?;
        self.breach_in_scope(&self.db, me, id).await?;
        let assignee = match input.assignee_id {
            Some(uid) => Some(
                user::Entity::find_by_id(uid)
                    .filter(self.assignee_visibility(me))
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| Error::invalid("assignee_id", unreachable("责任人")))?,
            ),
            None => None,
        };
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let b = self.breach_in_scope(&txn, me, id).await?;
        if b.status != BreachStatus::Open.as_str() {
            return Err(Error::Conflict("该违规提示已关闭，不能再指派".into()));
        }
        if b.assignee_id == assignee.as_ref().map(|u| u.id) {
            return Ok(());
        }
        let q = Query::update()
            .table(coverage_breach::Entity)
            .value(coverage_breach::Column::AssigneeId, assignee.as_ref().map(|u| u.id))
            .and_where(coverage_breach::Column::Id.eq(b.id))
            .take();
        txn.execute(&q).await?;
        let text = match &assignee {
            Some(u) => format!("指派给{}", u.display_name),
            None => "取消指派".to_owned(),
        };
        self.log_breach(&txn, me, b.id, BreachLogKind::Assign, &text).await?;
        let rule = BreachRule::parse(&b.rule).map(BreachRule::label).unwrap_or("");
        self.audit(
            &txn,
            &by,
            AuditAction::BreachAssign,
            "coverage_breach",
            b.id,
            &b.region_code,
            format!("违规提示（{rule}）{text}"),
            Some(json!({"assignee_id": b.assignee_id})),
            Some(json!({"assignee_id": assignee.as_ref().map(|u| u.id)})),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Add a follow-up note (open or closed breaches: the outcome may be written after closing).
    pub async fn add_breach_note(&self, me: &CurrentUser, id: i64, input: &BreachNoteInput) -> Result<()> {
        me.require(Action::PartyCoverageWrite)?;
        self.breach_in_scope(&self.db, me, id).await?;
        let mut r = Reader::new();
        let text = r.text("text", &input.text, "跟进情况", NOTE_MAX_CHARS);
        r.finish(())?;
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let b = self.breach_in_scope(&txn, me, id).await?;
        self.log_breach(&txn, me, b.id, BreachLogKind::Note, &text).await?;
        let rule = BreachRule::parse(&b.rule).map(BreachRule::label).unwrap_or("");
        self.audit(
            &txn,
            &by,
            AuditAction::BreachNote,
            "coverage_breach",
            b.id,
            &b.region_code,
            format!("违规提示（{rule}）跟进记录"),
            None,
            Some(json!({"text": text})),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    async fn log_breach(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        breach: i64,
        kind: BreachLogKind,
        text: &str,
    ) -> Result<()> {
        breach_log::ActiveModel {
            breach_id: Set(breach),
            logged_on: Set(self.today()),
            actor_id: Set(Some(me.id)),
            actor_name: Set(me.display_name.clone()),
            kind: Set(kind.as_str().to_owned()),
            text: Set(text.to_owned()),
            created_at: Set(to_db(self.now())),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        Ok(())
    }
}

// ---------- one organization's party coverage ----------

/// An organization's party coverage, for its 党建 page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgParty {
    pub org: Ref,
    pub region_code: String,
    /// the organization's registration status
    #[schema(value_type = hongling_domain::registry::OrgStatus)]
    pub status: String,
    #[schema(value_type = hongling_domain::party::coverage::CoverageMode)]
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

impl Party<'_> {
    pub async fn org_party(&self, me: &CurrentUser, org_id: i64) -> Result<OrgParty> {
        use hongling_store::party::entity::{host_link, instructor, instructor_assignment, party_org_org};
        let o = self.registry().get_org(me, org_id).await?;
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
            channel_kind_label: super::figures::dimension_label(
                hongling_store::party::figures::Dimension::ChannelKind,
                &o.channel_kind,
            ),
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
}
