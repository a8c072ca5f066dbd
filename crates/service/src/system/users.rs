//! User accounts. An administrator manages accounts inside their own region
//! subtree only; an account outside it answers "not found".

use hongling_domain::audit::AuditAction;
use hongling_domain::auth::{check_password, check_username};
use hongling_domain::party::coverage::PartyOrgStatus;
use hongling_domain::scope::check_role_scope;
use hongling_domain::{RegionCode, Role, Scope};
use hongling_store::audit::{self, NewEntry};
use hongling_store::entity::user;
use hongling_store::{begin_write, is_unique_violation, regions, to_db};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;

use super::System;
use crate::auth::current_user;
use crate::secret::{generate_password, hash_password_async};
use crate::{CurrentUser, Error, FieldError, Principal, Result};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: ScopeInput,
    /// `None`: a password is generated and returned once.
    pub password: Option<String>,
}

/// The scope asked for; organization scopes take their region from the record.
#[derive(Debug, Clone)]
pub enum ScopeInput {
    Region(RegionCode),
    Org(i64),
    PartyOrg(i64),
    /// A supervisory unit (业务主管单位), for supervisor accounts.
    Unit(i64),
}

/// A change of an account by an administrator (or `hongling user set`):
/// `None` keeps the field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub scope: Option<ScopeInput>,
}

/// What an audit entry records of a user (never the password hash).
fn snapshot(u: &user::Model) -> serde_json::Value {
    json!({
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role,
        "scope_kind": u.scope_kind,
        "scope_region": u.scope_region,
        "scope_ref_id": u.scope_ref_id,
        "disabled": u.disabled,
    })
}

fn require_admin(by: &Principal) -> Result<Option<&CurrentUser>> {
    match by {
        Principal::Cli | Principal::Job => Ok(None),
        Principal::User(u) if u.can(hongling_domain::Action::UsersManage) => Ok(Some(u)),
        Principal::User(_) => Err(Error::Forbidden("只有系统管理员可以管理用户")),
    }
}

/// What an administrator may not grant: a role above theirs, a scope outside
/// their subtree (domain rules `Role::may_grant_role`, `Scope::may_grant`).
fn grant_errors(admin: &CurrentUser, role: Role, scope: &Scope) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !admin.role.may_grant_role(role) {
        errors
            .push(FieldError { field: "role".into(), message: format!("您不能授予“{}”角色", role.label()) });
    }
    if !admin.scope.may_grant(scope) {
        errors.push(FieldError { field: "scope".into(), message: "权限范围超出您的管辖区域".into() });
    }
    errors
}

impl System<'_> {
    /// Change an account's display name, role and scope. Out of the
    /// administrator's subtree is `NotFound`; a role or scope they may not
    /// grant, or a scope of the wrong kind for the role, is a field error and
    /// changes nothing. A new role or scope ends the user's sessions and API
    /// tokens (what they were granted no longer holds). Asking for what the
    /// account already has writes nothing. Audited in the same transaction.
    pub async fn update_user(&self, by: &Principal, id: i64, change: UserChange) -> Result<user::Model> {
        let admin = require_admin(by)?;
        let u = match admin {
            Some(me) => self.get_user(me, id).await?,
            None => user::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::NotFound)?,
        };
        let current = current_user(&u)?;
        let role = change.role.unwrap_or(current.role);
        let scope = match &change.scope {
            Some(s) => self.resolve_scope(s).await?,
            None => current.scope.clone(),
        };
        let display_name = change.display_name.as_deref().map(str::trim).unwrap_or(&u.display_name).to_owned();
        let mut errors = Vec::new();
        if display_name.is_empty() {
            errors.push(FieldError { field: "display_name".into(), message: "请填写姓名".into() });
        } else if display_name.chars().count() > 64 {
            errors.push(FieldError { field: "display_name".into(), message: "姓名不能超过 64 个字符".into() });
        }
        if let Err(m) = check_role_scope(role, &scope) {
            errors.push(FieldError { field: "scope".into(), message: m.into() });
        }
        if let Some(a) = admin {
            errors.extend(grant_errors(a, role, &scope));
        }
        let grant_changed = role != current.role || scope != current.scope;
        if let Some(a) = admin
            && a.id == u.id
            && grant_changed
        {
            errors.push(FieldError {
                field: "role".into(), message: "不能修改自己的角色或权限范围".into()
            });
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        if !grant_changed && display_name == u.display_name {
            return Ok(u);
        }
        let before = snapshot(&u);
        let txn = begin_write(&self.db).await?;
        let mut am: user::ActiveModel = u.into();
        am.display_name = Set(display_name);
        am.role = Set(role.as_str().to_owned());
        am.scope_kind = Set(scope.kind_str().to_owned());
        am.scope_region = Set(scope.region.as_str().to_owned());
        am.scope_ref_id = Set(scope.ref_id);
        am.updated_at = Set(to_db(self.now()));
        let u = am.update(&txn).await?;
        if grant_changed {
            self.0.end_sessions_and_tokens(&txn, u.id, None).await?;
        }
        let summary = if grant_changed {
            format!("修改用户 {}：{}，权限范围已变更（其会话和 API 令牌已失效）", u.username, role.label())
        } else {
            format!("修改用户 {} 的姓名", u.username)
        };
        self.0
            .audit(
                &txn,
                by,
                AuditAction::UserUpdate,
                "user",
                u.id,
                &u.scope_region,
                summary,
                Some(before),
                Some(snapshot(&u)),
            )
            .await?;
        txn.commit().await?;
        Ok(u)
    }

    /// `hongling user set`: the same by username, from the command line.
    pub async fn update_username(&self, username: &str, change: UserChange) -> Result<user::Model> {
        let u = user::Entity::find()
            .filter(user::Column::Username.eq(username.trim()))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        self.update_user(&Principal::Cli, u.id, change).await
    }

    /// Create an account. Returns the user and the generated password, if any.
    pub async fn create_user(&self, by: &Principal, new: NewUser) -> Result<(user::Model, Option<String>)> {
        let admin = require_admin(by)?;
        let scope = self.resolve_scope(&new.scope).await?;
        let mut errors = Vec::new();
        let username = new.username.trim().to_owned();
        if let Err(e) = check_username(&username) {
            errors.push(FieldError { field: "username".into(), message: e.to_string() });
        }
        if new.display_name.trim().is_empty() {
            errors.push(FieldError { field: "display_name".into(), message: "请填写姓名".into() });
        }
        if let Err(m) = check_role_scope(new.role, &scope) {
            errors.push(FieldError { field: "scope".into(), message: m.into() });
        }
        if let Some(pw) = &new.password
            && let Err(e) = check_password(&username, &new.display_name, pw)
        {
            errors.push(FieldError { field: "password".into(), message: e.to_string() });
        }
        if let Some(a) = admin {
            errors.extend(grant_errors(a, new.role, &scope));
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let (password, generated) = match new.password {
            Some(p) => (p, None),
            None => {
                let p = generate_password();
                (p.clone(), Some(p))
            }
        };
        let hash = hash_password_async(password).await?;
        let now = to_db(self.now());
        let txn = begin_write(&self.db).await?;
        let inserted = user::ActiveModel {
            username: Set(username.clone()),
            display_name: Set(new.display_name.trim().to_owned()),
            role: Set(new.role.as_str().to_owned()),
            scope_kind: Set(scope.kind_str().to_owned()),
            scope_region: Set(scope.region.as_str().to_owned()),
            scope_ref_id: Set(scope.ref_id),
            password_hash: Set(hash),
            failed_logins: Set(0),
            locked_until: Set(None),
            disabled: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await;
        let u = match inserted {
            Ok(u) => u,
            Err(e) if is_unique_violation(&e) => return Err(Error::invalid("username", "用户名已存在")),
            Err(e) => return Err(e.into()),
        };
        audit::append(
            &txn,
            NewEntry {
                at: self.now(),
                actor_user_id: by.actor_id(),
                actor: by.actor_name(),
                action: AuditAction::UserCreate,
                entity_type: "user".into(),
                entity_id: u.id.to_string(),
                region_code: u.scope_region.clone(),
                summary: format!("新增用户 {}（{}）", u.username, new.role.label()),
                before: None,
                after: Some(snapshot(&u)),
            },
        )
        .await?;
        txn.commit().await?;
        Ok((u, generated))
    }

    /// Turn the requested scope into a real one, checking that its record exists.
    async fn resolve_scope(&self, input: &ScopeInput) -> Result<Scope> {
        match input {
            ScopeInput::Region(code) => {
                if regions::get(&self.db, code.as_str()).await?.is_none() {
                    return Err(Error::invalid("scope", "行政区划代码不存在"));
                }
                Ok(Scope::region(code.clone()))
            }
            ScopeInput::Org(id) => self.registry().org_scope_of(*id).await,
            ScopeInput::PartyOrg(id) => {
                let p = hongling_store::party::entity::party_org::Entity::find_by_id(*id)
                    .one(&self.db)
                    .await?
                    .filter(|p| p.status == PartyOrgStatus::Active.as_str())
                    .ok_or_else(|| Error::invalid("scope", "党组织不存在或已撤销"))?;
                let region = RegionCode::parse(&p.region_code).map_err(Error::internal)?;
                Ok(Scope::party_org(p.id, region))
            }
            ScopeInput::Unit(id) => {
                let u = hongling_store::registry::entity::supervisory_unit::Entity::find_by_id(*id)
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| Error::invalid("scope", "业务主管单位不存在"))?;
                let region = RegionCode::parse(&u.region_code).map_err(Error::internal)?;
                Ok(Scope::unit(Some(u.id), region))
            }
        }
    }

    /// One account inside the administrator's scope, else `NotFound`.
    pub async fn get_user(&self, me: &CurrentUser, id: i64) -> Result<user::Model> {
        require_admin(&Principal::User(me.clone()))?;
        let u = user::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::NotFound)?;
        if me.scope.may_grant(&current_user(&u)?.scope) { Ok(u) } else { Err(Error::NotFound) }
    }

    /// Disable or enable an account; disabling ends its sessions and API
    /// tokens. Disabling a disabled account (or enabling an enabled one)
    /// writes nothing.
    pub async fn set_user_disabled(&self, me: &CurrentUser, id: i64, disabled: bool) -> Result<user::Model> {
        let u = self.get_user(me, id).await?;
        if u.id == me.id {
            return Err(Error::Conflict("不能停用自己的账号".into()));
        }
        if u.disabled == disabled {
            return Ok(u);
        }
        let txn = begin_write(&self.db).await?;
        let before = snapshot(&u);
        let mut am: user::ActiveModel = u.into();
        am.disabled = Set(disabled);
        am.updated_at = Set(to_db(self.now()));
        let u = am.update(&txn).await?;
        if disabled {
            self.0.end_sessions_and_tokens(&txn, u.id, None).await?;
        }
        audit::append(
            &txn,
            NewEntry {
                at: self.now(),
                actor_user_id: Some(me.id),
                actor: me.username.clone(),
                action: if disabled { AuditAction::UserDisable } else { AuditAction::UserEnable },
                entity_type: "user".into(),
                entity_id: u.id.to_string(),
                region_code: u.scope_region.clone(),
                summary: format!("{}用户 {}", if disabled { "停用" } else { "启用" }, u.username),
                before: Some(before),
                after: Some(snapshot(&u)),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(u)
    }

    /// Set a new generated password, clear the failed logins counted against
    /// the username, and end the user's sessions and API tokens. The password
    /// is returned once.
    pub async fn reset_password(&self, me: &CurrentUser, id: i64) -> Result<(user::Model, String)> {
        let u = self.get_user(me, id).await?;
        let pw = generate_password();
        let hash = hash_password_async(pw.clone()).await?;
        let txn = begin_write(&self.db).await?;
        let mut am: user::ActiveModel = u.into();
        am.password_hash = Set(hash);
        am.updated_at = Set(to_db(self.now()));
        let u = am.update(&txn).await?;
        self.0.end_sessions_and_tokens(&txn, u.id, None).await?;
        self.0.clear_login_failures(&txn, &u.username).await?;
        audit::append(
            &txn,
            NewEntry {
                at: self.now(),
                actor_user_id: Some(me.id),
                actor: me.username.clone(),
                action: AuditAction::UserResetPassword,
                entity_type: "user".into(),
                entity_id: u.id.to_string(),
                region_code: u.scope_region.clone(),
                summary: format!("重置用户 {} 的密码，结束其会话和 API 令牌，并解除登录限制", u.username),
                before: None,
                after: None,
            },
        )
        .await?;
        txn.commit().await?;
        Ok((u, pw))
    }

    /// Clear the failed logins counted against a user's name (解除登录限制),
    /// so that addresses refused for it may try again.
    pub async fn unlock_user(&self, me: &CurrentUser, id: i64) -> Result<u64> {
        let u = self.get_user(me, id).await?;
        self.unlock(&crate::Principal::User(me.clone()), &u).await
    }

    /// `hongling user unlock`: the same by username, from the command line.
    pub async fn unlock_username(&self, username: &str) -> Result<u64> {
        let u = user::Entity::find()
            .filter(user::Column::Username.eq(username.trim()))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        self.unlock(&crate::Principal::Cli, &u).await
    }

    async fn unlock(&self, by: &crate::Principal, u: &user::Model) -> Result<u64> {
        let txn = begin_write(&self.db).await?;
        let n = self.0.clear_login_failures(&txn, &u.username).await?;
        let summary = format!("解除用户 {} 的登录限制", u.username);
        self.0.audit(&txn, by, AuditAction::UserUnlock, "user", u.id, &u.scope_region, summary, None, None).await?;
        txn.commit().await?;
        Ok(n)
    }

    /// Change one's own password after checking the current one (a wrong
    /// current password counts as a failed login from `client`). Every other
    /// session of the user and every API token end; `keep_session` (the
    /// session token of the form's request) stays.
    pub async fn change_own_password(
        &self,
        me: &CurrentUser,
        current: &str,
        new: &str,
        client: &str,
        keep_session: Option<&str>,
    ) -> Result<()> {
        let u = user::Entity::find_by_id(me.id).one(&self.db).await?.ok_or(Error::NotFound)?;
        let keys = crate::throttle::LoginKeys::new(&u.username, client);
        let now = self.now();
        let counts = self.0.login_gate(&keys, now).await?;
        if !crate::secret::verify_password_async(current.to_owned(), u.password_hash.clone()).await? {
            let txn = begin_write(&self.db).await?;
            self.0.login_failed(&txn, &keys, now).await?;
            txn.commit().await?;
            self.0.failure_pause(&counts).await;
            return Err(Error::invalid("current", "当前密码不正确"));
        }
        check_password(&u.username, &u.display_name, new).map_err(|e| Error::invalid("new", e.to_string()))?;
        let hash = hash_password_async(new.to_owned()).await?;
        let txn = begin_write(&self.db).await?;
        let mut am: user::ActiveModel = u.into();
        am.password_hash = Set(hash);
        am.updated_at = Set(to_db(self.now()));
        let u = am.update(&txn).await?;
        self.0.end_sessions_and_tokens(&txn, u.id, keep_session).await?;
        audit::append(
            &txn,
            NewEntry {
                at: self.now(),
                actor_user_id: Some(me.id),
                actor: me.username.clone(),
                action: AuditAction::UserChangePassword,
                entity_type: "user".into(),
                entity_id: u.id.to_string(),
                region_code: u.scope_region.clone(),
                summary: format!("用户 {} 修改了自己的密码（其他会话和 API 令牌已失效）", u.username),
                before: None,
                after: None,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn count_users_in(&self, prefix: &str) -> Result<u64> {
        let (lo, hi) = hongling_domain::region::subtree_range(prefix);
        Ok(user::Entity::find()
            .filter(user::Column::ScopeRegion.gte(lo))
            .filter(user::Column::ScopeRegion.lt(hi))
            .count(&self.db)
            .await?)
    }
}
