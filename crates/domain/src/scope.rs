//! A user's scope (权限范围): a region subtree, one social organization, one
//! party organization, or one supervisory unit. Every scope is anchored in a
//! region (for an organization, its residence; for a party organization or a
//! unit, its region) so administrators can be limited to the accounts inside
//! their own subtree.

use crate::region::RegionCode;
use crate::role::{Role, ScopeKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub kind: ScopeKind,
    /// The region subtree (kind Region) or the region the record lies in.
    pub region: RegionCode,
    /// The organization, party organization or unit id for those kinds. A unit
    /// scope may lack it (a supervisor account not yet given its unit): it
    /// then sees nothing.
    pub ref_id: Option<i64>,
}

impl Scope {
    pub fn region(code: RegionCode) -> Self {
        Self { kind: ScopeKind::Region, region: code, ref_id: None }
    }

    pub fn org(id: i64, region: RegionCode) -> Self {
        Self { kind: ScopeKind::Org, region, ref_id: Some(id) }
    }

    pub fn party_org(id: i64, region: RegionCode) -> Self {
        Self { kind: ScopeKind::PartyOrg, region, ref_id: Some(id) }
    }

    /// A supervisor's scope: one supervisory unit (业务主管单位), in its region.
    pub fn unit(id: Option<i64>, region: RegionCode) -> Self {
        Self { kind: ScopeKind::Unit, region, ref_id: id }
    }

    /// The region subtree this scope may list, if it is a region scope.
    pub fn region_subtree(&self) -> Option<&RegionCode> {
        match self.kind {
            ScopeKind::Region => Some(&self.region),
            _ => None,
        }
    }

    /// May a holder of this scope see a record located at `code`?
    /// Organization, party-organization and unit scopes see no region-wide data.
    pub fn sees_region(&self, code: &str) -> bool {
        self.region_subtree().is_some_and(|r| r.contains_str(code))
    }

    /// May an administrator with this scope create or manage an account with `other`?
    /// Only inside the administrator's own subtree.
    pub fn may_grant(&self, other: &Scope) -> bool {
        self.region_subtree().is_some_and(|r| r.contains(&other.region))
    }

    pub fn kind_label(&self) -> &'static str {
        crate::enums::Labelled::label(self.kind)
    }

    pub fn kind_str(&self) -> &'static str {
        scope_kind_str(self.kind)
    }
}

impl crate::enums::Labelled for ScopeKind {
    const ALL: &'static [ScopeKind] = &[ScopeKind::Region, ScopeKind::Org, ScopeKind::PartyOrg, ScopeKind::Unit];

    fn as_str(self) -> &'static str {
        scope_kind_str(self)
    }

    fn label(self) -> &'static str {
        match self {
            ScopeKind::Region => "行政区域",
            ScopeKind::Org => "社会组织",
            ScopeKind::PartyOrg => "党组织",
            ScopeKind::Unit => "业务主管单位",
        }
    }
}

impl utoipa::PartialSchema for ScopeKind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::enums::labelled_schema::<ScopeKind>(false)
    }
}

impl utoipa::ToSchema for ScopeKind {}

pub fn scope_kind_str(kind: ScopeKind) -> &'static str {
    match kind {
        ScopeKind::Region => "region",
        ScopeKind::Org => "org",
        ScopeKind::PartyOrg => "party_org",
        ScopeKind::Unit => "unit",
    }
}

pub fn parse_scope_kind(s: &str) -> Option<ScopeKind> {
    match s {
        "region" => Some(ScopeKind::Region),
        "org" => Some(ScopeKind::Org),
        "party_org" => Some(ScopeKind::PartyOrg),
        "unit" => Some(ScopeKind::Unit),
        _ => None,
    }
}

/// Check that a role is given the kind of scope it needs.
pub fn check_role_scope(role: Role, scope: &Scope) -> Result<(), &'static str> {
    if role.scope_kind() == scope.kind {
        Ok(())
    } else {
        Err(match role.scope_kind() {
            ScopeKind::Region => "该角色的权限范围应为行政区域",
            ScopeKind::Org => "该角色的权限范围应为一个社会组织",
            ScopeKind::PartyOrg => "该角色的权限范围应为一个党组织",
            ScopeKind::Unit => "该角色的权限范围应为一个业务主管单位",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rc(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("valid")
    }

    #[test]
    fn region_scope_sees_its_subtree_only() {
        let county = Scope::region(rc("370502"));
        assert!(county.sees_region("370502001001"));
        assert!(county.sees_region("370502"));
        assert!(!county.sees_region("370503001"));
        assert!(!county.sees_region("3705"));
    }

    #[test]
    fn org_scope_sees_no_region() {
        let org = Scope::org(7, rc("370502001001"));
        assert!(!org.sees_region("370502001001"));
        assert!(!org.may_grant(&Scope::region(rc("370502001001"))));
    }

    #[test]
    fn grants_inside_subtree_only() {
        let city = Scope::region(rc("3705"));
        assert!(city.may_grant(&Scope::region(rc("370502"))));
        assert!(city.may_grant(&Scope::org(1, rc("370502001001"))));
        assert!(!city.may_grant(&Scope::region(rc("37"))));
        assert!(!city.may_grant(&Scope::region(rc("3706"))));
    }

    #[test]
    fn role_needs_matching_scope_kind() {
        assert!(check_role_scope(Role::Registrar, &Scope::region(rc("3705"))).is_ok());
        assert!(check_role_scope(Role::OrgAccount, &Scope::region(rc("3705"))).is_err());
        assert!(check_role_scope(Role::OrgAccount, &Scope::org(1, rc("3705"))).is_ok());
        assert!(check_role_scope(Role::Supervisor, &Scope::region(rc("3705"))).is_err());
        assert!(check_role_scope(Role::Supervisor, &Scope::unit(Some(1), rc("3705"))).is_ok());
    }

    #[test]
    fn unit_scope_sees_no_region_and_grants_nothing() {
        let unit = Scope::unit(Some(3), rc("370502"));
        assert!(!unit.sees_region("370502001001"));
        assert!(unit.region_subtree().is_none());
        assert!(!unit.may_grant(&Scope::region(rc("370502"))));
        assert!(Scope::region(rc("3705")).may_grant(&unit));
    }
}
