//! The demo jurisdiction (东营市, 3705): accounts with generated passwords.

use hongling_domain::party::coverage::PartyOrgType;
use hongling_domain::registry::{OrgStatus, RegistrationMode};
use hongling_domain::{RegionCode, Role};
use hongling_store::entity::user;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::System;
use crate::system::users::{NewUser, ScopeInput};
use crate::{Principal, Result};

pub const DEMO_REGION: &str = "3705";

/// A demo account and, when it was just created, its password.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub scope: &'static str,
    pub password: Option<String>,
}

const ACCOUNTS: &[(&str, &str, Role, &str)] = &[
    ("admin", "系统管理员", Role::Admin, "3705"),
    ("registrar", "市民政局登记科", Role::Registrar, "3705"),
    ("leader", "市民政局分管领导", Role::RegistrarLeader, "3705"),
    ("party", "市社会组织综合党委", Role::PartyOffice, "3705"),
    ("dyq", "东营区民政局", Role::Registrar, "370502"),
    ("kenli", "垦利区民政局", Role::Registrar, "370505"),
    ("wenhui", "文汇街道社会事务办", Role::Grassroots, "370502001"),
];

impl System<'_> {
    /// One pending proposal in the demo, so the leader's to-do list (登记审批)
    /// is not empty: the 东营区 clerk proposes to deregister the district's
    /// most recently registered association. Only when there is no proposal
    /// yet; returns the organization's name when it made one.
    pub async fn ensure_demo_proposal(&self) -> Result<Option<String>> {
        use hongling_domain::registry::StatusAction;
        use hongling_store::registry::entity::{org_decision, social_org};
        use sea_orm::PaginatorTrait;
        if org_decision::Entity::find().count(&self.db).await? > 0 {
            return Ok(None);
        }
        let Some(clerk) = user::Entity::find().filter(user::Column::Username.eq("dyq")).one(&self.db).await? else {
            return Ok(None);
        };
        let me = crate::auth::current_user(&clerk)?;
        let (lo, hi) = hongling_domain::region::subtree_range("370502");
        let org = social_org::Entity::find()
            .filter(social_org::Column::RegionCode.gte(lo))
            .filter(social_org::Column::RegionCode.lt(hi))
            .filter(social_org::Column::RegistrationMode.eq(RegistrationMode::Registered.as_str()))
            .filter(social_org::Column::Status.eq(OrgStatus::Active.as_str()))
            .filter(social_org::Column::Kind.eq(hongling_domain::registry::OrgKind::Association.as_str()))
            .order_by_desc(social_org::Column::Id)
            .one(&self.db)
            .await?;
        let Some(org) = org else { return Ok(None) };
        let out = self
            .registry()
            .org_status_action(
                &me,
                org.id,
                StatusAction::Deregister,
                "经会员大会表决同意解散，已完成清算并报业务主管单位备案",
                "东区民社注〔2026〕15号",
                None,
                None,
            )
            .await?;
        Ok(matches!(out, crate::registry::orgs::StatusOutcome::Proposed(_)).then_some(org.name))
    }

    /// Create the demo accounts that do not exist yet.
    pub async fn ensure_demo_accounts(&self) -> Result<Vec<DemoAccount>> {
        let mut out = Vec::new();
        for &(username, display_name, role, scope) in ACCOUNTS {
            let exists =
                user::Entity::find().filter(user::Column::Username.eq(username)).one(&self.db).await?.is_some();
            let password = if exists {
                None
            } else {
                let code = RegionCode::parse(scope).map_err(crate::Error::internal)?;
                let new = NewUser {
                    username: username.into(),
                    display_name: display_name.into(),
                    role,
                    scope: ScopeInput::Region(code),
                    password: None,
                };
                self.create_user(&Principal::Cli, new).await?.1
            };
            out.push(DemoAccount { username, display_name, role, scope, password });
        }
        // an organization's own account, for the first registered organization of the demo
        let exists = user::Entity::find().filter(user::Column::Username.eq("zuzhi")).one(&self.db).await?.is_some();
        let org = hongling_store::registry::entity::social_org::Entity::find()
            .filter(
                hongling_store::registry::entity::social_org::Column::RegistrationMode
                    .eq(RegistrationMode::Registered.as_str()),
            )
            .filter(hongling_store::registry::entity::social_org::Column::Status.eq(OrgStatus::Active.as_str()))
            .order_by_asc(hongling_store::registry::entity::social_org::Column::Id)
            .one(&self.db)
            .await?;
        if let Some(org) = org {
            let password = if exists {
                None
            } else {
                let new = NewUser {
                    username: "zuzhi".into(),
                    display_name: org.name.clone(),
                    role: Role::OrgAccount,
                    scope: ScopeInput::Org(org.id),
                    password: None,
                };
                self.create_user(&Principal::Cli, new).await?.1
            };
            out.push(DemoAccount {
                username: "zuzhi",
                display_name: "社会组织账号",
                role: Role::OrgAccount,
                scope: "org",
                password,
            });
        }
        // a party secretary, for the first party organization with a secretary
        let secretary =
            user::Entity::find().filter(user::Column::Username.eq("secretary")).one(&self.db).await?.is_some();
        let party = hongling_store::party::entity::party_org::Entity::find()
            .filter(hongling_store::party::entity::party_org::Column::SecretaryMemberId.is_not_null())
            .filter(hongling_store::party::entity::party_org::Column::OrgType.eq(PartyOrgType::Branch.as_str()))
            .order_by_asc(hongling_store::party::entity::party_org::Column::Id)
            .one(&self.db)
            .await?;
        if let Some(p) = party {
            let password = if secretary {
                None
            } else {
                let new = NewUser {
                    username: "secretary".into(),
                    display_name: format!("{}书记", p.name),
                    role: Role::PartySecretary,
                    scope: ScopeInput::PartyOrg(p.id),
                    password: None,
                };
                self.create_user(&Principal::Cli, new).await?.1
            };
            out.push(DemoAccount {
                username: "secretary",
                display_name: "党组织书记",
                role: Role::PartySecretary,
                scope: "party_org",
                password,
            });
        }
        // a supervisory unit's account, for the unit supervising the most organizations
        let exists = user::Entity::find().filter(user::Column::Username.eq("zhuguan")).one(&self.db).await?.is_some();
        if let Some((unit, name)) = self.busiest_unit().await? {
            let password = if exists {
                None
            } else {
                let new = NewUser {
                    username: "zhuguan".into(),
                    display_name: name,
                    role: Role::Supervisor,
                    scope: ScopeInput::Unit(unit),
                    password: None,
                };
                self.create_user(&Principal::Cli, new).await?.1
            };
            out.push(DemoAccount {
                username: "zhuguan",
                display_name: "业务主管单位",
                role: Role::Supervisor,
                scope: "unit",
                password,
            });
        }
        Ok(out)
    }

    /// The supervisory unit with the most organizations (the first such), and its name.
    async fn busiest_unit(&self) -> Result<Option<(i64, String)>> {
        use hongling_store::registry::entity::{social_org, supervisory_unit};
        use sea_orm::QuerySelect;
        use sea_orm::sea_query::{Expr, ExprTrait, Order};
        let top: Option<(i64, i64)> = social_org::Entity::find()
            .select_only()
            .column(social_org::Column::SupervisoryUnitId)
            .column_as(Expr::col(social_org::Column::Id).count(), "n")
            .filter(social_org::Column::SupervisoryUnitId.is_not_null())
            .group_by(social_org::Column::SupervisoryUnitId)
            .order_by(Expr::col(social_org::Column::Id).count(), Order::Desc)
            .order_by_asc(social_org::Column::SupervisoryUnitId)
            .into_tuple()
            .one(&self.db)
            .await?;
        let Some((id, _)) = top else { return Ok(None) };
        Ok(supervisory_unit::Entity::find_by_id(id).one(&self.db).await?.map(|u| (u.id, u.name)))
    }
}
