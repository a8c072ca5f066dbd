//! Party-organization coverage (M2): policy profiles, records, the maintained
//! coverage state with its breaches, figures, and the planner.
//!
//! Who may do what:
//! - region-scoped party offices (`party_office`), administrators and
//!   township/community workers (`grassroots`) keep the records of their subtree;
//! - registrars and registrar leaders read them; a supervisor (scope `unit:ID`)
//!   those linked to the organizations of its unit (`pick::supervised_unit`);
//! - a party secretary (`party_secretary`, scope `party_org:ID`) reads and keeps
//!   their own party organization (its record, members, party life, training);
//!   a party member reads it;
//! - policy values are set by party offices and administrators.
//!
//! Every change refreshes the coverage state of what it touched and writes
//! the audit log, in its transaction. Reached through [`Hongling::party`].

pub mod breaches;
pub mod demo;
pub mod figures;
pub mod instructors;
pub mod life;
pub mod lists;
pub mod members;
pub mod planner;
pub mod records;
pub mod refresh;

use hongling_domain::Role;
use hongling_domain::access::{Action, allows};
use hongling_domain::role::ScopeKind;

use crate::{CurrentUser, Error, Hongling, Result};

/// Region-scoped roles that read party records.
pub fn reads_party(role: Role) -> bool {
    allows(role, ScopeKind::Region, Action::PartyFigures)
}

/// Region-scoped roles that keep party records.
pub fn writes_party(role: Role) -> bool {
    allows(role, ScopeKind::Region, Action::PartyOrgsWrite)
}

/// May this user keep the party records of a region subtree?
pub fn may_write_party(u: &CurrentUser) -> bool {
    u.scope.kind == ScopeKind::Region && u.can(Action::PartyOrgsWrite)
}

/// May this user read region-wide party records and figures?
pub fn may_read_party(u: &CurrentUser) -> bool {
    u.scope.kind == ScopeKind::Region && u.can(Action::PartyFigures)
}

/// May this user set policy values (within their subtree)?
pub fn may_edit_policy(u: &CurrentUser) -> bool {
    u.can(Action::PolicyWrite)
}

/// The party organization a secretary keeps (or a member belongs to).
pub fn own_party_org(u: &CurrentUser) -> Option<i64> {
    (u.scope.kind == ScopeKind::PartyOrg).then_some(u.scope.ref_id).flatten()
}

pub(crate) fn require_party_writer(u: &CurrentUser) -> Result<()> {
    u.require(Action::PartyOrgsWrite)
}

pub(crate) fn require_party_reader(u: &CurrentUser) -> Result<()> {
    u.require(Action::PartyFigures)
}

impl CurrentUser {
    /// The subtree a region-scoped reader asked for: their scope, or a region
    /// inside it. A region outside the scope is "not found", like a record.
    pub fn subtree(&self, region: Option<&str>) -> Result<String> {
        let own = self.region_prefix()?;
        match region.map(str::trim).filter(|r| !r.is_empty()) {
            None => Ok(own.to_string()),
            Some(r) if hongling_domain::RegionCode::parse(r).is_ok() && own.contains_str(r) => Ok(r.to_owned()),
            Some(_) => Err(Error::NotFound),
        }
    }
}

/// Party coverage operations: `app.party().coverage(…)`.
#[derive(Clone, Copy)]
pub struct Party<'a>(pub(crate) &'a Hongling);

impl std::ops::Deref for Party<'_> {
    type Target = Hongling;

    fn deref(&self) -> &Hongling {
        self.0
    }
}
