//! Who may do what: one permission matrix, role × action × scope kind.
//!
//! Every route of the web layer names the [`Action`] it performs; a guard
//! answers 403 to a role the matrix does not grant it (deny by default: a
//! route without an action is refused). Services check the same matrix
//! before they touch data, menus show only what it grants, and pages show a
//! button only when it grants the action behind it. Which *records* a
//! granted user then sees or changes is decided by their scope (a region
//! subtree, one organization, one party organization) in the data layer.

use crate::enums::labelled_enum;
use crate::role::{Role, ScopeKind};

labelled_enum!(
    /// What a route or a service call does.
    Action {
        Home = "home", "工作台";
        Account = "account", "修改本人密码";
        RegistryRead = "registry.read", "查看社会组织登记信息";
        RegistryWrite = "registry.write", "办理社会组织登记事项";
        RegistryDecide = "registry.decide", "审批注销、撤销、吊销和恢复登记";
        RegistryImport = "registry.import", "导入社会组织";
        RegistryExport = "registry.export", "导出社会组织名录";
        UnitsRead = "registry.units.read", "查看业务主管单位";
        UnitsWrite = "registry.units.write", "新增业务主管单位";
        PartyFigures = "party.figures", "查看党建覆盖分析";
        PartyPlan = "party.plan", "使用覆盖规划";
        PartyCoverageWrite = "party.coverage.write", "调整组织的覆盖方式和管理渠道";
        PartyRecordsRead = "party.records.read", "查看党组织、党员和组织生活";
        PartyOrgsWrite = "party.orgs.write", "新建、撤销党组织及调整其覆盖的组织";
        PartyOrgEdit = "party.orgs.edit", "修改党组织信息";
        PartyMembersWrite = "party.members.write", "登记、修改党员信息";
        PartyLifeWrite = "party.life.write", "记录组织生活和培训";
        PartyFundsWrite = "party.funds.write", "记录党建经费";
        InstructorsRead = "party.instructors.read", "查看党建指导员";
        InstructorsWrite = "party.instructors.write", "维护党建指导员";
        ChannelsRead = "party.channels.read", "查看党建管理渠道";
        ChannelsWrite = "party.channels.write", "维护党建管理渠道";
        PolicyRead = "system.policy.read", "查看政策参数";
        PolicyWrite = "system.policy.write", "设置政策参数";
        RegionsRead = "system.regions.read", "查看行政区划";
        UsersManage = "system.users", "管理用户账号";
        AuditRead = "system.audit", "查看审计日志";
        JobsManage = "system.jobs", "管理后台任务";
    }
);

use Role::*;

/// Every region-scoped role.
const REGION_ALL: &[Role] = &[Admin, Registrar, RegistrarLeader, PartyOffice, Grassroots, Assessor, Inspector];
/// The registration authority (登记管理机关) and administrators.
const REGISTRY_KEEPERS: &[Role] = &[Admin, Registrar, RegistrarLeader];
/// Region-scoped readers of party records and figures.
const PARTY_READERS: &[Role] = &[Admin, PartyOffice, Registrar, RegistrarLeader, Grassroots];
/// Region-scoped keepers of party records: party offices, administrators,
/// township and community workers.
const PARTY_KEEPERS: &[Role] = &[Admin, PartyOffice, Grassroots];

/// Who holds an action: region-scoped roles, organization-scoped roles,
/// party-organization-scoped roles, and unit-scoped roles (supervisors).
struct Grant {
    region: &'static [Role],
    org: &'static [Role],
    party_org: &'static [Role],
    unit: &'static [Role],
}

const fn grant(region: &'static [Role], org: &'static [Role], party_org: &'static [Role]) -> Grant {
    Grant { region, org, party_org, unit: &[] }
}

impl Grant {
    /// Also held by a supervisor (scope `unit:ID`), over its unit's organizations.
    const fn and_supervisor(self) -> Grant {
        Grant { unit: &[Supervisor], ..self }
    }
}

/// The matrix. Changing a row changes the routes, menus, buttons and
/// services at once; the route × role test checks they agree.
fn grant_of(a: Action) -> Grant {
    const NONE: &[Role] = &[];
    const EVERYONE_ORG: &[Role] = &[OrgAccount];
    const EVERYONE_PARTY: &[Role] = &[PartySecretary, PartyMember];
    const SECRETARY: &[Role] = &[PartySecretary];
    match a {
        Action::Home | Action::Account => grant(REGION_ALL, EVERYONE_ORG, EVERYONE_PARTY).and_supervisor(),
        Action::RegistryRead => grant(REGION_ALL, EVERYONE_ORG, NONE).and_supervisor(),
        Action::RegistryWrite | Action::RegistryImport | Action::UnitsWrite => grant(REGISTRY_KEEPERS, NONE, NONE),
        // the second person of a decision: a leader of the registration authority
        Action::RegistryDecide => grant(&[RegistrarLeader], NONE, NONE),
        Action::RegistryExport | Action::UnitsRead => grant(REGION_ALL, NONE, NONE).and_supervisor(),
        Action::PartyFigures | Action::InstructorsRead | Action::ChannelsRead => grant(PARTY_READERS, NONE, NONE),
        Action::PartyPlan
        | Action::PartyCoverageWrite
        | Action::PartyOrgsWrite
        | Action::PartyFundsWrite
        | Action::InstructorsWrite
        | Action::ChannelsWrite => grant(PARTY_KEEPERS, NONE, NONE),
        Action::PartyRecordsRead => grant(PARTY_READERS, NONE, EVERYONE_PARTY).and_supervisor(),
        Action::PartyOrgEdit | Action::PartyMembersWrite | Action::PartyLifeWrite => {
            grant(PARTY_KEEPERS, NONE, SECRETARY)
        }
        Action::PolicyRead | Action::RegionsRead => grant(REGION_ALL, NONE, NONE),
        Action::PolicyWrite => grant(&[Admin, PartyOffice], NONE, NONE),
        Action::UsersManage | Action::JobsManage => grant(&[Admin], NONE, NONE),
        Action::AuditRead => grant(&[Admin, RegistrarLeader], NONE, NONE),
    }
}

/// May a `role` holding a scope of `kind` perform `action`?
pub fn allows(role: Role, kind: ScopeKind, action: Action) -> bool {
    let g = grant_of(action);
    let roles = match kind {
        ScopeKind::Region => g.region,
        ScopeKind::Org => g.org,
        ScopeKind::PartyOrg => g.party_org,
        ScopeKind::Unit => g.unit,
    };
    roles.contains(&role)
}

/// What a route requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not (sign-in page, public checks, static files).
    Public,
    /// A signed-in user whose role and scope the matrix grants the action.
    Action(Action),
}

impl From<Action> for Access {
    fn from(a: Action) -> Self {
        Access::Action(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_reaches_its_home_and_nothing_is_granted_to_a_wrong_scope_kind() {
        for r in Role::ALL {
            assert!(allows(r, r.scope_kind(), Action::Home), "{r:?}");
            assert!(allows(r, r.scope_kind(), Action::Account), "{r:?}");
            for a in Action::ALL {
                for k in [ScopeKind::Region, ScopeKind::Org, ScopeKind::PartyOrg, ScopeKind::Unit] {
                    if k != r.scope_kind() {
                        assert!(!allows(r, k, *a), "{r:?} with a {k:?} scope must not hold {a:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn keepers_are_readers() {
        let pairs = [
            (Action::RegistryWrite, Action::RegistryRead),
            (Action::RegistryImport, Action::RegistryRead),
            (Action::RegistryDecide, Action::RegistryWrite),
            (Action::UnitsWrite, Action::UnitsRead),
            (Action::PartyOrgsWrite, Action::PartyRecordsRead),
            (Action::PartyOrgEdit, Action::PartyRecordsRead),
            (Action::PartyMembersWrite, Action::PartyRecordsRead),
            (Action::PartyLifeWrite, Action::PartyRecordsRead),
            (Action::PartyFundsWrite, Action::PartyRecordsRead),
            (Action::InstructorsWrite, Action::InstructorsRead),
            (Action::ChannelsWrite, Action::ChannelsRead),
            (Action::PartyPlan, Action::PartyFigures),
            (Action::PartyCoverageWrite, Action::PartyFigures),
            (Action::PolicyWrite, Action::PolicyRead),
        ];
        for r in Role::ALL {
            for (w, rd) in pairs {
                if allows(r, r.scope_kind(), w) {
                    assert!(allows(r, r.scope_kind(), rd), "{r:?} may {w:?} but not {rd:?}");
                }
            }
        }
    }

    #[test]
    fn the_seed_rules() {
        use ScopeKind::*;
        // only the registration authority changes the register
        assert!(allows(Registrar, Region, Action::RegistryWrite));
        assert!(!allows(PartyOffice, Region, Action::RegistryWrite));
        assert!(!allows(Supervisor, Unit, Action::RegistryWrite));
        // a leader decides what a clerk proposes; a clerk does not decide
        assert!(allows(RegistrarLeader, Region, Action::RegistryDecide));
        assert!(!allows(Registrar, Region, Action::RegistryDecide));
        assert!(!allows(Admin, Region, Action::RegistryDecide));
        // a supervisor reads its unit's organizations and their party records,
        // no region-wide figure
        assert!(allows(Supervisor, Unit, Action::RegistryRead));
        assert!(allows(Supervisor, Unit, Action::PartyRecordsRead));
        assert!(!allows(Supervisor, Unit, Action::PartyFigures));
        assert!(!allows(Supervisor, Region, Action::RegistryRead));
        // an organization reads its own record, nothing of the party's
        assert!(allows(OrgAccount, Org, Action::RegistryRead));
        assert!(!allows(OrgAccount, Org, Action::RegistryExport));
        // a secretary keeps their own party organization, a member reads it
        assert!(allows(PartySecretary, PartyOrg, Action::PartyMembersWrite));
        assert!(!allows(PartySecretary, PartyOrg, Action::PartyOrgsWrite));
        assert!(allows(PartyMember, PartyOrg, Action::PartyRecordsRead));
        assert!(!allows(PartyMember, PartyOrg, Action::PartyMembersWrite));
        // policy values: party offices and administrators
        assert!(allows(PartyOffice, Region, Action::PolicyWrite));
        assert!(!allows(Grassroots, Region, Action::PolicyWrite));
        // accounts and jobs: administrators only
        assert!(!allows(RegistrarLeader, Region, Action::UsersManage));
        assert!(allows(RegistrarLeader, Region, Action::AuditRead));
    }
}
