//! Party organizations, what they cover, management channels and "1+N" hosts.

use hongling_domain::audit::AuditAction;
use std::collections::HashMap;

use hongling_domain::party::coverage::{ChannelKind, CoverageMode, PartyOrgStatus, PartyOrgType, VENUE_ITEMS};
pub use hongling_domain::party::inputs::{ChannelInput, PartyOrgInput};
use hongling_domain::party::records::{
    ChannelDraft, CoveredNow, PartyOrgDraft, check_secretary, check_single_cover, secretary_since,
};
use hongling_domain::region::subtree_range;
use hongling_domain::registry::OrgStatus;
use hongling_store::party::entity::{host_link, party_channel, party_member, party_org, party_org_org};
use hongling_store::registry::entity::social_org;
use hongling_store::{begin_write, to_db};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::Party;
use super::breaches::BreachView;
use super::{may_write_party, own_party_org, require_party_writer};
use crate::Ref;
use crate::input::Reader;
use crate::refs::unreachable;
use crate::{CurrentUser, Error, Principal, Result};

/// A party organization as pages and the API show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartyOrgView {
    pub id: i64,
    pub name: String,
    /// committee, general_branch, branch, joint_branch
    #[schema(value_type = hongling_domain::party::coverage::PartyOrgType)]
    pub org_type: String,
    pub org_type_label: String,
    pub region_code: String,
    /// the region's name (township, community…)
    pub region_name: String,
    pub channel: Option<Ref>,
    pub parent: Option<Ref>,
    pub founded_on: Option<String>,
    pub dissolved_on: Option<String>,
    /// active, dissolved
    #[schema(value_type = hongling_domain::party::coverage::PartyOrgStatus)]
    pub status: String,
    pub secretary: Option<Ref>,
    pub secretary_since: Option<String>,
    /// the "六有" venue standard: which of the six items it has
    pub venue: Vec<VenueItem>,
    pub brand: String,
    pub is_demonstration: bool,
    /// 评星定级: 0 (not rated) to 5
    pub star_rating: i32,
    pub covered_orgs: i32,
    pub formal_members: i32,
    pub probationary_members: i32,
    pub breach_count: i32,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VenueItem {
    pub key: String,
    pub label: String,
    pub ok: bool,
}

/// An organization a party organization covers.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoveredOrg {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    pub formal_members: i32,
    pub since: String,
}

/// A party organization with what it covers and the rules it breaks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartyOrgDetail {
    #[serde(flatten)]
    pub org: PartyOrgView,
    pub orgs: Vec<CoveredOrg>,
    pub breaches: Vec<BreachView>,
}

impl Party<'_> {
    /// May the caller change this party organization's record? Region writers
    /// within their subtree; a secretary their own.
    pub(crate) fn edits_party_org(&self, me: &CurrentUser, p: &party_org::Model) -> bool {
        if may_write_party(me) {
            return me.scope.region.contains_str(&p.region_code);
        }
        me.role == hongling_domain::Role::PartySecretary && own_party_org(me) == Some(p.id)
    }

    pub(crate) async fn party_org_model(&self, me: &CurrentUser, id: i64) -> Result<party_org::Model> {
        // the lists' condition: region readers within their subtree; a secretary
        // or member their own and its direct children; a supervisor those
        // covering an organization of their unit
        party_org::Entity::find_by_id(id)
            .filter(self.party_org_visibility(me))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)
    }

    pub(crate) async fn party_org_views(&self, rows: Vec<party_org::Model>) -> Result<Vec<PartyOrgView>> {
        let region_labels = self.region_labels(&rows.iter().map(|r| r.region_code.clone()).collect::<Vec<_>>()).await?;
        let channel_ids: Vec<i64> = rows.iter().filter_map(|r| r.channel_id).collect();
        let parent_ids: Vec<i64> = rows.iter().filter_map(|r| r.parent_id).collect();
        let sec_ids: Vec<i64> = rows.iter().filter_map(|r| r.secretary_member_id).collect();
        let channels: HashMap<i64, String> = party_channel::Entity::find()
            .filter(party_channel::Column::Id.is_in(channel_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let parents: HashMap<i64, String> = party_org::Entity::find()
            .filter(party_org::Column::Id.is_in(parent_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let secs: HashMap<i64, String> = party_member::Entity::find()
            .filter(party_member::Column::Id.is_in(sec_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let r = |id: Option<i64>, names: &HashMap<i64, String>| {
            id.map(|id| Ref { id, name: names.get(&id).cloned().unwrap_or_default() })
        };
        Ok(rows
            .into_iter()
            .map(|p| {
                let flags =
                    [p.venue_place, p.venue_facilities, p.venue_sign, p.venue_flag, p.venue_books, p.venue_rules];
                PartyOrgView {
                    id: p.id,
                    org_type_label: PartyOrgType::parse(&p.org_type).map(PartyOrgType::label).unwrap_or("").to_owned(),
                    org_type: p.org_type,
                    name: p.name,
                    region_name: region_labels.get(&p.region_code).cloned().unwrap_or_default(),
                    region_code: p.region_code,
                    channel: r(p.channel_id, &channels),
                    parent: r(p.parent_id, &parents),
                    founded_on: crate::input::fmt_date(p.founded_on),
                    dissolved_on: crate::input::fmt_date(p.dissolved_on),
                    status: p.status,
                    secretary: r(p.secretary_member_id, &secs),
                    secretary_since: crate::input::fmt_date(p.secretary_since),
                    venue: VENUE_ITEMS
                        .iter()
                        .zip(flags)
                        .map(|((k, l), ok)| VenueItem { key: (*k).into(), label: (*l).into(), ok })
                        .collect(),
                    brand: p.brand,
                    is_demonstration: p.is_demonstration,
                    star_rating: p.star_rating,
                    covered_orgs: p.covered_orgs,
                    formal_members: p.formal_members,
                    probationary_members: p.probationary_members,
                    breach_count: p.breach_count,
                    version: p.version,
                }
            })
            .collect())
    }

    pub async fn get_party_org(&self, me: &CurrentUser, id: i64) -> Result<PartyOrgDetail> {
        let p = self.party_org_model(me, id).await?;
        let links = party_org_org::Entity::find()
            .filter(party_org_org::Column::PartyOrgId.eq(id))
            .order_by_asc(party_org_org::Column::OrgId)
            .all(&self.db)
            .await?;
        let since: HashMap<i64, time::Date> = links.iter().map(|l| (l.org_id, l.since)).collect();
        let mut covered =
            social_org::Entity::find().filter(social_org::Column::Id.is_in(links.iter().map(|l| l.org_id)));
        if crate::pick::supervised_unit(me).is_some() {
            // a supervisor sees a joint branch's organizations of its own unit only
            covered = covered.filter(self.org_visibility(me));
        }
        let orgs = covered
            .order_by_asc(social_org::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| CoveredOrg {
                id: o.id,
                since: since.get(&o.id).map(|d| d.to_string()).unwrap_or_default(),
                name: o.name,
                region_code: o.region_code,
                formal_members: o.formal_members,
            })
            .collect();
        let breaches = self.breaches_of(None, Some(id)).await?;
        let org = self.party_org_views(vec![p]).await?.pop().ok_or(Error::NotFound)?;
        Ok(PartyOrgDetail { org, orgs, breaches })
    }

    /// Read an input into an active model and the organizations to cover;
    /// `existing` for an update. The draft and its rules come from the
    /// domain; here what needs the database: the region, channel and parent
    /// exist and lie in the caller's scope, and the secretary's party
    /// organization for the rule that the secretary is one of its members.
    async fn check_party_org(
        &self,
        me: &CurrentUser,
        i: &PartyOrgInput,
        existing: Option<&party_org::Model>,
    ) -> Result<(party_org::ActiveModel, Vec<i64>)> {
        let today = self.today();
        let d = PartyOrgDraft::read(i, today, may_write_party(me))?;
        let mut r = Reader::new();
        if let Some(f) = &d.frame {
            let kept_region = existing.is_some_and(|e| e.region_code == f.region_code);
            if !kept_region && !self.region_in_scope(&self.db, Some(me), &f.region_code).await? {
                r.bad("region_code", unreachable("区划"));
            }
            if let Some(ch) = f.channel_id {
                let kept = existing.is_some_and(|e| e.channel_id == Some(ch));
                if !kept && self.visible_channel(&self.db, me, ch).await?.is_none() {
                    r.bad("channel_id", unreachable("管理渠道"));
                }
            }
            if let Some(pid) = f.parent_id {
                let kept = existing.is_some_and(|e| e.parent_id == Some(pid));
                let is_self = existing.is_some_and(|e| e.id == pid);
                if is_self || (!kept && self.visible_party_org(&self.db, me, pid).await?.is_none()) {
                    r.bad("parent_id", unreachable("上级党组织"));
                }
            }
        }
        if let Some(s) = d.secretary_member_id {
            // the secretary must be one of its members: a member the caller
            // may not name belongs to none as far as this rule knows
            let m = self.visible_member(&self.db, me, s).await?;
            let belongs_to = m.filter(|m| m.left_on.is_none()).and_then(|m| m.party_org_id);
            r.add(check_secretary(existing.map(|e| e.id), belongs_to));
        }
        if existing.is_none() {
            self.check_cover_scope(&self.db, me, &d.org_ids, &mut r).await?;
        }
        r.finish(())?;
        let mut am: party_org::ActiveModel = match existing {
            Some(p) => p.clone().into(),
            None => party_org::ActiveModel {
                status: Set(PartyOrgStatus::Active.as_str().into()),
                version: Set(1),
                ..Default::default()
            },
        };
        am.name = Set(d.name);
        if let Some(f) = d.frame {
            am.org_type = Set(f.org_type.as_str().to_owned());
            am.region_code = Set(f.region_code);
            am.channel_id = Set(f.channel_id);
            am.parent_id = Set(f.parent_id);
            am.founded_on = Set(f.founded_on);
            am.is_demonstration = Set(f.is_demonstration);
            am.star_rating = Set(f.star_rating);
        }
        let changed = existing.is_some_and(|e| e.secretary_member_id != d.secretary_member_id);
        am.secretary_since = Set(secretary_since(changed, d.secretary_member_id, d.secretary_since, today));
        am.secretary_member_id = Set(d.secretary_member_id);
        let [place, facilities, sign, flag, books, rules] = d.venue;
        am.venue_place = Set(place);
        am.venue_facilities = Set(facilities);
        am.venue_sign = Set(sign);
        am.venue_flag = Set(flag);
        am.venue_books = Set(books);
        am.venue_rules = Set(rules);
        am.brand = Set(d.brand);
        Ok((am, d.org_ids))
    }

    /// Create a party organization, optionally covering organizations.
    pub async fn create_party_org(&self, me: &CurrentUser, i: &PartyOrgInput) -> Result<party_org::Model> {
        require_party_writer(me)?;
        let (mut am, org_ids) = self.check_party_org(me, i, None).await?;
        let now = to_db(self.now());
        am.created_at = Set(now);
        am.updated_at = Set(now);
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        // checked in the transaction (no one links them meanwhile), before anything is written
        let links = self.check_links(&txn, me, None, &org_ids).await?;
        let p = am.insert(&txn).await?;
        let joined = self.write_links(&txn, &p, &links).await?;
        let today = self.today();
        self.refresh_orgs(&txn, &org_ids, today).await?;
        self.refresh_party_orgs(&txn, &[p.id], today).await?;
        let summary = format!("新建党组织：{}（覆盖组织 {} 个，{} 名党员转入）", p.name, org_ids.len(), joined);
        let after = json!({"party_org": party_org_json(&p), "org_ids": org_ids});
        self.audit(
            &txn,
            &by,
            AuditAction::PartyOrgCreate,
            "party_org",
            p.id,
            &p.region_code,
            summary,
            None,
            Some(after),
        )
        .await?;
        txn.commit().await?;
        Ok(p)
    }

    /// The organizations a party organization is to cover: each one the
    /// caller may name and active, else one message per id (the same for an
    /// id that names nothing).
    async fn check_cover_scope(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        ids: &[i64],
        r: &mut Reader,
    ) -> Result<Vec<social_org::Model>> {
        let unique = dedup(ids);
        let orgs = self.visible_orgs(conn, me, &unique).await?;
        let mut found = Vec::with_capacity(unique.len());
        for id in &unique {
            match orgs.iter().find(|o| o.id == *id) {
                Some(o) if o.status == OrgStatus::Active.as_str() => found.push(o.clone()),
                _ => r.bad("org_ids", format!("社会组织 {id} 不存在、不在您的管辖范围内或不是正常状态")),
            }
        }
        Ok(found)
    }

    /// Check coverage links to add (`this`: the party organization, None
    /// while it is being created): in the caller's scope, active, and not
    /// covered by another party organization. Returns the ids to link, once each.
    async fn check_links(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        this: Option<i64>,
        ids: &[i64],
    ) -> Result<Vec<i64>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut r = Reader::new();
        let orgs = self.check_cover_scope(conn, me, ids, &mut r).await?;
        r.finish(())?;
        let taken: HashMap<i64, i64> = party_org_org::Entity::find()
            .filter(party_org_org::Column::OrgId.is_in(orgs.iter().map(|o| o.id)))
            .all(conn)
            .await?
            .into_iter()
            .map(|l| (l.org_id, l.party_org_id))
            .collect();
        // the covering party organization is named only when the caller may see it
        let mut names: HashMap<i64, String> = HashMap::new();
        for pid in taken.values() {
            if !names.contains_key(pid)
                && let Some(p) = self.visible_party_org(conn, me, *pid).await?
            {
                names.insert(p.id, p.name);
            }
        }
        let found: Vec<CoveredNow> = orgs
            .iter()
            .map(|o| CoveredNow {
                org_name: &o.name,
                covered_by: taken.get(&o.id).map(|x| (*x, names.get(x).map(String::as_str))),
            })
            .collect();
        let mut r = Reader::new();
        r.add(check_single_cover(this, &found));
        r.finish(())?;
        Ok(orgs.into_iter().filter(|o| this.is_none_or(|t| taken.get(&o.id) != Some(&t))).map(|o| o.id).collect())
    }

    /// Write checked coverage links (see [`Self::check_links`]); members of
    /// the organizations who belong to no party organization join this one.
    /// Returns how many did.
    async fn write_links(&self, conn: &impl ConnectionTrait, p: &party_org::Model, ids: &[i64]) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let today = self.today();
        for id in ids {
            party_org_org::ActiveModel { org_id: Set(*id), party_org_id: Set(p.id), since: Set(today) }
                .insert(conn)
                .await?;
        }
        self.adopt_members(conn, p.id, &p.region_code, ids).await
    }

    /// Change a party organization's record.
    pub async fn update_party_org(&self, me: &CurrentUser, id: i64, i: &PartyOrgInput) -> Result<party_org::Model> {
        let old = self.party_org_model(me, id).await?;
        if !self.edits_party_org(me, &old) {
            return Err(Error::Forbidden("无权修改该党组织"));
        }
        if i.version.is_some_and(|v| v != old.version) {
            return Err(Error::Conflict("该记录已被他人修改，请刷新页面后重新编辑".into()));
        }
        let (mut am, _) = self.check_party_org(me, i, Some(&old)).await?;
        am.version = Set(old.version + 1);
        am.updated_at = Set(to_db(self.now()));
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let cur = party_org::Entity::find_by_id(id).lock_exclusive().one(&txn).await?.ok_or(Error::NotFound)?;
        if cur.version != old.version {
            return Err(Error::Conflict("该记录已被他人修改，请刷新页面后重新编辑".into()));
        }
        let p = am.update(&txn).await?;
        let today = self.today();
        let covered: Vec<i64> = self.covered_ids(&txn, id).await?;
        self.refresh_orgs(&txn, &covered, today).await?;
        self.refresh_party_orgs(&txn, &[id], today).await?;
        let summary = format!("修改党组织：{}", p.name);
        let (b, a) = (party_org_json(&old), party_org_json(&p));
        self.audit(&txn, &by, AuditAction::PartyOrgUpdate, "party_org", id, &p.region_code, summary, Some(b), Some(a))
            .await?;
        txn.commit().await?;
        Ok(p)
    }

    pub(crate) async fn covered_ids(&self, conn: &impl ConnectionTrait, party_org_id: i64) -> Result<Vec<i64>> {
        Ok(party_org_org::Entity::find()
            .select_only()
            .column(party_org_org::Column::OrgId)
            .filter(party_org_org::Column::PartyOrgId.eq(party_org_id))
            .into_tuple()
            .all(conn)
            .await?)
    }

    /// Add and remove covered organizations. What is added must be in the
    /// caller's scope; what is removed must be covered by this party
    /// organization now (anything else is refused, the same for every id).
    pub async fn change_covered_orgs(&self, me: &CurrentUser, id: i64, add: &[i64], remove: &[i64]) -> Result<()> {
        require_party_writer(me)?;
        let p = self.party_org_model(me, id).await?;
        if p.status != PartyOrgStatus::Active.as_str() {
            return Err(Error::Conflict("党组织已撤销，不能调整覆盖的组织".into()));
        }
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let covered = self.covered_ids(&txn, id).await?;
        let remove = dedup(remove);
        let mut r = Reader::new();
        for o in remove.iter().filter(|o| !covered.contains(o)) {
            r.bad("org_ids", format!("社会组织 {o} 不是该党组织覆盖的组织"));
        }
        r.finish(())?;
        let links = self.check_links(&txn, me, Some(id), add).await?;
        self.write_links(&txn, &p, &links).await?;
        if !remove.is_empty() {
            party_org_org::Entity::delete_many()
                .filter(party_org_org::Column::PartyOrgId.eq(id))
                .filter(party_org_org::Column::OrgId.is_in(remove.iter().copied()))
                .exec(&txn)
                .await?;
        }
        let today = self.today();
        let touched: Vec<i64> = links.iter().chain(&remove).copied().collect();
        self.refresh_orgs(&txn, &touched, today).await?;
        self.refresh_party_orgs(&txn, &[id], today).await?;
        let summary = format!("调整党组织覆盖范围：{}（新增 {} 个，移出 {} 个）", p.name, links.len(), remove.len());
        let after = json!({"added": links, "removed": remove});
        self.audit(&txn, &by, AuditAction::PartyOrgCover, "party_org", id, &p.region_code, summary, None, Some(after))
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Dissolve a party organization (撤销): it covers nothing from then on.
    pub async fn dissolve_party_org(
        &self,
        me: &CurrentUser,
        id: i64,
        on: Option<time::Date>,
        reason: &str,
    ) -> Result<()> {
        require_party_writer(me)?;
        let p = self.party_org_model(me, id).await?;
        if p.status != PartyOrgStatus::Active.as_str() {
            return Err(Error::Conflict("该党组织已撤销".into()));
        }
        if reason.trim().is_empty() {
            return Err(Error::invalid("reason", "请填写撤销原因"));
        }
        let on = on.unwrap_or_else(|| self.today());
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let covered = self.covered_ids(&txn, id).await?;
        party_org_org::Entity::delete_many().filter(party_org_org::Column::PartyOrgId.eq(id)).exec(&txn).await?;
        // its members' organizational relation is to be transferred: they belong to none until then
        let q = Query::update()
            .table(party_member::Entity)
            .value(party_member::Column::PartyOrgId, Option::<i64>::None)
            .and_where(party_member::Column::PartyOrgId.eq(id))
            .take();
        txn.execute(&q).await?;
        let mut am: party_org::ActiveModel = p.clone().into();
        am.status = Set(PartyOrgStatus::Dissolved.as_str().into());
        am.dissolved_on = Set(Some(on));
        am.version = Set(p.version + 1);
        am.updated_at = Set(to_db(self.now()));
        let after = am.update(&txn).await?;
        let today = self.today();
        self.refresh_orgs(&txn, &covered, today).await?;
        self.refresh_party_orgs(&txn, &[id], today).await?;
        let summary = format!("撤销党组织：{}（{}）", p.name, reason.trim());
        let a = json!({"party_org": party_org_json(&after), "released_orgs": covered, "reason": reason.trim()});
        self.audit(
            &txn,
            &by,
            AuditAction::PartyOrgDissolve,
            "party_org",
            id,
            &p.region_code,
            summary,
            Some(party_org_json(&p)),
            Some(a),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    // ---------- channels ----------

    /// Channels visible to the caller: of their subtree and of its ancestors.
    async fn channels_in_scope(&self, me: &CurrentUser) -> Result<Vec<party_channel::Model>> {
        super::require_party_reader(me)?;
        let prefix = me.scope.region.as_str();
        let mut codes: Vec<String> = me.scope.region.ancestors().into_iter().map(String::from).collect();
        codes.push(prefix.to_owned());
        let (lo, hi) = subtree_range(prefix);
        Ok(party_channel::Entity::find()
            .filter(
                Condition::any().add(party_channel::Column::RegionCode.is_in(codes)).add(
                    Condition::all()
                        .add(party_channel::Column::RegionCode.gte(lo))
                        .add(party_channel::Column::RegionCode.lt(hi)),
                ),
            )
            .order_by_asc(party_channel::Column::Kind)
            .order_by_asc(party_channel::Column::RegionCode)
            .order_by_asc(party_channel::Column::Name)
            .all(&self.db)
            .await?)
    }

    /// Channels for a choice list (no organization counts).
    pub async fn channel_choices(&self, me: &CurrentUser) -> Result<Vec<(i64, String)>> {
        Ok(self
            .channels_in_scope(me)
            .await?
            .into_iter()
            .map(|c| {
                (c.id, format!("{}（{}）", c.name, ChannelKind::parse(&c.kind).map(ChannelKind::label).unwrap_or("")))
            })
            .collect())
    }

    /// Create a channel (industry committees and hubs are created by hand;
    /// the others are also created by the coverage rules on first use).
    pub async fn create_channel(&self, me: &CurrentUser, i: &ChannelInput) -> Result<party_channel::Model> {
        require_party_writer(me)?;
        let d = ChannelDraft::read(i)?;
        let mut r = Reader::new();
        if !self.region_in_scope(&self.db, Some(me), &d.region_code).await? {
            r.bad("region_code", unreachable("区划"));
        }
        if let Some(h) = d.hub_org_id
            && self.visible_org(&self.db, me, h).await?.is_none()
        {
            r.bad("hub_org_id", unreachable("枢纽组织"));
        }
        r.finish(())?;
        let ChannelDraft { kind, name, region_code: region, hub_org_id: hub } = d;
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let m = party_channel::ActiveModel {
            kind: Set(kind.as_str().to_owned()),
            name: Set(name),
            region_code: Set(region),
            supervisory_unit_id: Set(None),
            hub_org_id: Set(hub),
            created_at: Set(to_db(self.now())),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| {
            if hongling_store::is_unique_violation(&e) {
                Error::invalid("name", "该区划已有同名渠道")
            } else {
                e.into()
            }
        })?;
        let summary = format!("新增管理渠道：{}（{}）", m.name, kind.label());
        let after = json!({"kind": m.kind, "name": m.name, "region_code": m.region_code, "hub_org_id": m.hub_org_id});
        self.audit(
            &txn,
            &by,
            AuditAction::PartyChannelCreate,
            "party_channel",
            m.id,
            &m.region_code,
            summary,
            None,
            Some(after),
        )
        .await?;
        txn.commit().await?;
        Ok(m)
    }

    /// Assign an organization to a channel by hand, or (None) back to the rules.
    pub async fn set_org_channel(&self, me: &CurrentUser, org_id: i64, channel_id: Option<i64>) -> Result<()> {
        require_party_writer(me)?;
        let org = self.registry().get_org(me, org_id).await?;
        let channel = match channel_id {
            None => None,
            Some(id) => Some(
                self.visible_channel(&self.db, me, id)
                    .await?
                    .ok_or_else(|| Error::invalid("channel_id", unreachable("管理渠道")))?,
            ),
        };
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let q = Query::update()
            .table(social_org::Entity)
            .value(social_org::Column::ChannelId, channel.as_ref().map(|c| c.id))
            .value(social_org::Column::ChannelKind, channel.as_ref().map(|c| c.kind.clone()).unwrap_or_default())
            .value(social_org::Column::ChannelManual, channel.is_some())
            .and_where(social_org::Column::Id.eq(org_id))
            .take();
        txn.execute(&q).await?;
        self.refresh_orgs(&txn, &[org_id], self.today()).await?;
        let summary = match &channel {
            Some(c) => format!("划转党建管理渠道：{} → {}", org.name, c.name),
            None => format!("党建管理渠道改为按规则确定：{}", org.name),
        };
        let before = json!({"channel_id": org.channel_id, "manual": org.channel_manual});
        let after = json!({"channel_id": channel.as_ref().map(|c| c.id), "manual": channel.is_some()});
        self.audit(
            &txn,
            &by,
            AuditAction::OrgChannel,
            "social_org",
            org_id,
            &org.region_code,
            summary,
            Some(before),
            Some(after),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// "1+N": let a host organization with a party organization lead an
    /// organization without one (None ends it).
    pub async fn set_host(&self, me: &CurrentUser, org_id: i64, host: Option<i64>) -> Result<()> {
        require_party_writer(me)?;
        let org = self.registry().get_org(me, org_id).await?;
        if let Some(h) = host {
            let host_org = self
                .visible_org(&self.db, me, h)
                .await?
                .ok_or_else(|| Error::invalid("host_org_id", unreachable("带动组织")))?;
            let has_party_org = CoverageMode::parse(&host_org.coverage_mode).is_some_and(CoverageMode::has_party_org);
            if h == org_id || !has_party_org || host_org.status != OrgStatus::Active.as_str() {
                return Err(Error::invalid("host_org_id", "带动组织须为已建立党组织、状态正常的其他社会组织"));
            }
            if CoverageMode::parse(&org.coverage_mode).is_some_and(CoverageMode::has_party_org) {
                return Err(Error::invalid("host_org_id", "该组织已建立党组织，无需“1+N”带动"));
            }
        }
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let old = host_link::Entity::find_by_id(org_id).one(&txn).await?;
        host_link::Entity::delete_by_id(org_id).exec(&txn).await?;
        if let Some(h) = host {
            host_link::ActiveModel { org_id: Set(org_id), host_org_id: Set(h), since: Set(self.today()) }
                .insert(&txn)
                .await?;
        }
        self.refresh_orgs(&txn, &[org_id], self.today()).await?;
        let summary = match host {
            Some(h) => format!("设置“1+N”带动：{} 由组织 {h} 带动", org.name),
            None => format!("取消“1+N”带动：{}", org.name),
        };
        let (b, a) = (json!({"host_org_id": old.map(|o| o.host_org_id)}), json!({"host_org_id": host}));
        self.audit(&txn, &by, AuditAction::OrgHost, "social_org", org_id, &org.region_code, summary, Some(b), Some(a))
            .await?;
        txn.commit().await?;
        Ok(())
    }
}

/// A management channel.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChannelView {
    pub id: i64,
    /// supervisory_unit, comprehensive_committee, township, industry_committee, hub_org
    #[schema(value_type = hongling_domain::party::coverage::ChannelKind)]
    pub kind: String,
    pub kind_label: String,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    pub supervisory_unit_id: Option<i64>,
    pub hub_org_id: Option<i64>,
    /// active organizations assigned
    pub orgs: i64,
}

pub(crate) fn party_org_json(p: &party_org::Model) -> serde_json::Value {
    json!({
        "name": p.name, "org_type": p.org_type, "region_code": p.region_code, "channel_id": p.channel_id,
        "parent_id": p.parent_id, "founded_on": p.founded_on, "dissolved_on": p.dissolved_on, "status": p.status,
        "secretary_member_id": p.secretary_member_id, "secretary_since": p.secretary_since,
        "venue": [p.venue_place, p.venue_facilities, p.venue_sign, p.venue_flag, p.venue_books, p.venue_rules],
        "brand": p.brand, "is_demonstration": p.is_demonstration, "star_rating": p.star_rating,
    })
}

/// The ids, once each, in their first order.
fn dedup(ids: &[i64]) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    out
}
