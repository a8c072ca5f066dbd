//! References in writes. Every record or region a create or an update names
//! in its body (an employer, covered organizations, a parent party
//! organization, a secretary, an instructor, a host, a channel, a
//! supervisory unit, a region) is looked up here, one helper per kind of
//! record, through the same scope conditions as the lists and the pickers
//! (`pick.rs`): a write may name exactly what the caller's picker offers.
//!
//! The helpers answer `None` (or `false`) both for a record that does not
//! exist and for one outside the caller's scope, so the service gives one
//! answer for both: a 422 on the field with [`unreachable`]'s message, which
//! never names the record. Path ids are the services' own business (404,
//! `Error::NotFound`, the same for missing and out of scope).
//!
//! Every write calls these before it writes anything. On an update, a
//! reference the record already has may stay as it is without the check
//! (an office higher up may have linked it across scopes, e.g. a county
//! committee's parent in the city); a changed one is checked.

use hongling_domain::RegionCode;
use hongling_store::party::entity::{instructor, party_channel, party_member, party_org};
use hongling_store::regions;
use hongling_store::registry::entity::{social_org, supervisory_unit};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::{CurrentUser, Hongling, Result};

/// The one message for a reference that names nothing the caller may name:
/// "所在党组织不存在或不在您的管辖范围内".
pub(crate) fn unreachable(what: &str) -> String {
    format!("{what}不存在或不在您的管辖范围内")
}

impl Hongling {
    /// A social organization the caller may name: of their subtree, their
    /// own organization, or one their party organization covers.
    pub(crate) async fn visible_org(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        id: i64,
    ) -> Result<Option<social_org::Model>> {
        Ok(social_org::Entity::find_by_id(id).filter(self.org_visibility(me)).one(conn).await?)
    }

    /// The organizations among `ids` the caller may name (missing and out
    /// of scope ones are simply absent).
    pub(crate) async fn visible_orgs(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        ids: &[i64],
    ) -> Result<Vec<social_org::Model>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            out.extend(
                social_org::Entity::find()
                    .filter(social_org::Column::Id.is_in(chunk.iter().copied()))
                    .filter(self.org_visibility(me))
                    .all(conn)
                    .await?,
            );
        }
        Ok(out)
    }

    /// A party organization the caller may name: of their subtree (region
    /// readers of party records), or their own and its direct children.
    pub(crate) async fn visible_party_org(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        id: i64,
    ) -> Result<Option<party_org::Model>> {
        Ok(party_org::Entity::find_by_id(id).filter(self.party_org_visibility(me)).one(conn).await?)
    }

    /// A party member the caller may name: of their subtree, or of their own
    /// party organization.
    pub(crate) async fn visible_member(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        id: i64,
    ) -> Result<Option<party_member::Model>> {
        Ok(party_member::Entity::find_by_id(id).filter(self.member_visibility(me)).one(conn).await?)
    }

    /// An instructor the caller may name: serving their subtree or a region
    /// above it (a city's instructors serve its counties).
    pub(crate) async fn visible_instructor(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        id: i64,
    ) -> Result<Option<instructor::Model>> {
        Ok(instructor::Entity::find_by_id(id).filter(self.instructor_visibility(me)).one(conn).await?)
    }

    /// A supervisory unit the caller may name: of their subtree or a region above it.
    pub(crate) async fn visible_unit(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        id: i64,
    ) -> Result<Option<supervisory_unit::Model>> {
        Ok(supervisory_unit::Entity::find_by_id(id).filter(self.unit_visibility(me)).one(conn).await?)
    }

    /// A management channel the caller may name: of their subtree or a region above it.
    pub(crate) async fn visible_channel(
        &self,
        conn: &impl ConnectionTrait,
        me: &CurrentUser,
        id: i64,
    ) -> Result<Option<party_channel::Model>> {
        Ok(party_channel::Entity::find_by_id(id).filter(self.channel_visibility(me)).one(conn).await?)
    }

    /// Is `code` a region that exists and lies in the caller's subtree? The
    /// CLI (`None`) may name any region that exists.
    pub(crate) async fn region_in_scope(
        &self,
        conn: &impl ConnectionTrait,
        me: Option<&CurrentUser>,
        code: &str,
    ) -> Result<bool> {
        let Ok(code) = RegionCode::parse(code.trim()) else { return Ok(false) };
        if me.is_some_and(|u| !u.scope.sees_region(code.as_str())) {
            return Ok(false);
        }
        Ok(regions::get(conn, code.as_str()).await?.is_some())
    }
}
