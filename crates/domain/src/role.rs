//! Roles of SPEC.md §2 with their identifiers and Chinese names.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Registrar,
    RegistrarLeader,
    PartyOffice,
    Supervisor,
    Grassroots,
    OrgAccount,
    PartySecretary,
    PartyMember,
    Assessor,
    Inspector,
}

/// Which kind of scope a role is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Region,
    Org,
    PartyOrg,
    /// One supervisory unit (业务主管单位): the organizations it supervises.
    Unit,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Admin,
        Role::Registrar,
        Role::RegistrarLeader,
        Role::PartyOffice,
        Role::Supervisor,
        Role::Grassroots,
        Role::OrgAccount,
        Role::PartySecretary,
        Role::PartyMember,
        Role::Assessor,
        Role::Inspector,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Registrar => "registrar",
            Role::RegistrarLeader => "registrar_leader",
            Role::PartyOffice => "party_office",
            Role::Supervisor => "supervisor",
            Role::Grassroots => "grassroots",
            Role::OrgAccount => "org_account",
            Role::PartySecretary => "party_secretary",
            Role::PartyMember => "party_member",
            Role::Assessor => "assessor",
            Role::Inspector => "inspector",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Registrar => "登记管理机关工作人员",
            Role::RegistrarLeader => "登记管理机关负责人",
            Role::PartyOffice => "社会组织综合党委",
            Role::Supervisor => "业务主管单位",
            Role::Grassroots => "镇街/社区工作人员",
            Role::OrgAccount => "社会组织账号",
            Role::PartySecretary => "党组织书记",
            Role::PartyMember => "党员",
            Role::Assessor => "第三方评估人员",
            Role::Inspector => "抽查检查人员",
        }
    }

    /// The scope kind this role is given (SPEC.md §2 "usual scope").
    ///
    /// A supervisor is scoped to its supervisory unit (the organizations whose
    /// unit it is). Assessors and inspectors are scoped to a region subtree;
    /// within it, their modules narrow what they see to their own assignments
    /// or checks. A party member is scoped to their party organization.
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::OrgAccount => ScopeKind::Org,
            Role::PartySecretary | Role::PartyMember => ScopeKind::PartyOrg,
            Role::Supervisor => ScopeKind::Unit,
            _ => ScopeKind::Region,
        }
    }

    /// May this role manage user accounts (within its own scope)?
    pub fn manages_users(self) -> bool {
        matches!(self, Role::Admin)
    }

    /// May this role give an account `other`? Administrators grant every role
    /// (there is none above theirs) to accounts of their own subtree
    /// (`Scope::may_grant`); no other role grants any.
    pub fn may_grant_role(self, other: Role) -> bool {
        let _ = other;
        self.manages_users()
    }

    /// May this role read the audit log of its scope?
    pub fn reads_audit(self) -> bool {
        matches!(self, Role::Admin | Role::RegistrarLeader)
    }
}

impl crate::enums::Labelled for Role {
    const ALL: &'static [Role] = &Role::ALL;

    fn as_str(self) -> &'static str {
        Role::as_str(self)
    }

    fn label(self) -> &'static str {
        Role::label(self)
    }
}

// in the OpenAPI document: the identifiers, the Chinese names in the description
impl utoipa::PartialSchema for Role {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::enums::labelled_schema::<Role>(false)
    }
}

impl utoipa::ToSchema for Role {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert!(!r.label().is_empty());
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn only_administrators_grant_roles() {
        for r in Role::ALL {
            assert!(Role::Admin.may_grant_role(r));
            assert!(!Role::RegistrarLeader.may_grant_role(r));
            assert!(!Role::Registrar.may_grant_role(r));
        }
    }
}
