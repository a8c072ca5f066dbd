//! Breach lists and one organization's party coverage.

use std::collections::HashMap;

use hongling_domain::party::coverage::{BreachRule, CoverageMode};
use hongling_store::party::entity::{coverage_breach, party_channel, party_org};
use hongling_store::party::figures::{self as store_party};
use hongling_store::registry::entity::social_org;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;

use super::Party;
use super::require_party_reader;
use crate::{CurrentUser, Ref, Result};

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
    /// since when (YYYY-MM-DD)
    pub since: String,
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
