//! Login, sessions, API tokens.

use hongling_domain::audit::AuditAction;
use hongling_domain::auth::TokenStatus;
use hongling_domain::role::ScopeKind;
use hongling_domain::scope::parse_scope_kind;
use hongling_domain::{RegionCode, Role, Scope};
use hongling_store::audit::{self, NewEntry};
use hongling_store::entity::{api_token, session, user};
use hongling_store::{begin_write, from_db, to_db};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use time::OffsetDateTime;

use crate::secret::{random_token, token_hash, verify_password_async};
use crate::throttle::LoginKeys;
use crate::{CurrentUser, Error, Hongling, Principal, Result};

/// A successful login: the session token goes into the cookie, once.
#[derive(Debug)]
pub struct LoginOk {
    pub session_token: String,
    pub user: CurrentUser,
}

/// A live session.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub user: CurrentUser,
    pub csrf_token: String,
    /// The message left for this session's next page, if any.
    pub flash: Option<Flash>,
}

/// A message shown once on the next page after a redirect (saved, refused…).
/// It lives in the session, never in the URL, so nobody can make a
/// government page show a text of their choosing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Flash {
    /// true: a notice of success; false: an error
    pub ok: bool,
    pub text: String,
}

impl Flash {
    pub fn ok(text: impl Into<String>) -> Self {
        Self { ok: true, text: text.into() }
    }

    pub fn error(text: impl Into<String>) -> Self {
        Self { ok: false, text: text.into() }
    }
}

/// A real hash, verified when the username is unknown so that the answer takes
/// as long as for a known one (no username probing by timing).
fn dummy_hash() -> String {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| crate::secret::hash_password(&random_token()).unwrap_or_default()).clone()
}

pub fn current_user(u: &user::Model) -> Result<CurrentUser> {
    let role = Role::parse(&u.role).ok_or_else(|| Error::internal(format!("unknown role {}", u.role)))?;
    let region = RegionCode::parse(&u.scope_region).map_err(Error::internal)?;
    let kind = parse_scope_kind(&u.scope_kind).ok_or_else(|| Error::internal("unknown scope kind"))?;
    let scope = match (kind, u.scope_ref_id) {
        (ScopeKind::Region, _) => Scope::region(region),
        (ScopeKind::Org, Some(id)) => Scope::org(id, region),
        (ScopeKind::PartyOrg, Some(id)) => Scope::party_org(id, region),
        // a supervisor without its unit (an account older than the link) sees nothing
        (ScopeKind::Unit, id) => Scope::unit(id, region),
        _ => return Err(Error::internal("scope without its id")),
    };
    Ok(CurrentUser { id: u.id, username: u.username.clone(), display_name: u.display_name.clone(), role, scope })
}

/// Asia/Shanghai wall-clock time for messages.
pub fn local_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC));
    format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), t.month() as u8, t.day(), t.hour(), t.minute())
}

impl Hongling {
    /// Check a username and password from a client address (the throttle's
    /// key: the peer address, or the configured proxy header). Unknown and
    /// known usernames get the same answers and take the same time.
    pub async fn login(&self, username: &str, password: &str, client: &str) -> Result<LoginOk> {
        let now = self.now();
        let keys = LoginKeys::new(username, client);
        let counts = self.login_gate(&keys, now).await?;
        let found = user::Entity::find().filter(user::Column::Username.eq(username.trim())).one(&self.db).await?;
        let ok = match &found {
            Some(u) => verify_password_async(password.to_owned(), u.password_hash.clone()).await?,
            None => {
                verify_password_async(password.to_owned(), dummy_hash()).await?;
                false
            }
        };
        let txn = begin_write(&self.db).await?;
        let u = match found {
            Some(u) if ok => u,
            _ => {
                self.login_failed(&txn, &keys, now).await?;
                if let Some(u) = &found {
                    audit::append(
                        &txn,
                        NewEntry {
                            at: now,
                            actor_user_id: None,
                            actor: u.username.clone(),
                            action: AuditAction::AuthLoginFailed,
                            entity_type: "user".into(),
                            entity_id: u.id.to_string(),
                            region_code: u.scope_region.clone(),
                            summary: format!("用户 {} 登录失败（密码错误）", u.username),
                            before: None,
                            after: None,
                        },
                    )
                    .await?;
                } else {
                    tracing::info!("login failed: unknown username");
                }
                txn.commit().await?;
                self.failure_pause(&counts).await;
                return Err(Error::BadCredentials);
            }
        };
        if u.disabled {
            return Err(Error::Disabled);
        }
        let cu = current_user(&u)?;
        self.login_succeeded(&txn, &keys).await?;
        let token = random_token();
        session::ActiveModel {
            token_hash: Set(token_hash(&token)),
            user_id: Set(u.id),
            csrf_token: Set(random_token()),
            created_at: Set(to_db(now)),
            last_seen_at: Set(to_db(now)),
            flash: Set(None),
        }
        .insert(&txn)
        .await?;
        audit::append(
            &txn,
            NewEntry {
                at: now,
                actor_user_id: Some(u.id),
                actor: u.username.clone(),
                action: AuditAction::AuthLogin,
                entity_type: "user".into(),
                entity_id: u.id.to_string(),
                region_code: u.scope_region.clone(),
                summary: format!("用户 {} 登录", u.username),
                before: None,
                after: None,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(LoginOk { session_token: token, user: cu })
    }

    /// The live session for a cookie token, or `None` (expired sessions are deleted).
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>> {
        let now = self.now();
        let h = token_hash(token);
        let Some(s) = session::Entity::find_by_id(h.clone()).one(&self.db).await? else {
            return Ok(None);
        };
        let (created, last_seen) = (from_db(s.created_at), from_db(s.last_seen_at));
        if !self.sessions.is_live(created, last_seen, now) {
            session::Entity::delete_by_id(h).exec(&self.db).await?;
            return Ok(None);
        }
        let Some(u) = user::Entity::find_by_id(s.user_id).one(&self.db).await? else {
            return Ok(None);
        };
        if u.disabled {
            return Ok(None);
        }
        if self.sessions.needs_touch(last_seen, now) {
            let mut am: session::ActiveModel = s.clone().into();
            am.last_seen_at = Set(to_db(now));
            am.update(&self.db).await?;
        }
        let flash = s.flash.as_deref().and_then(|f| serde_json::from_str(f).ok());
        Ok(Some(SessionInfo { user: current_user(&u)?, csrf_token: s.csrf_token, flash }))
    }

    /// Leave a message for the session's next page.
    pub async fn set_flash(&self, token: &str, flash: &Flash) -> Result<()> {
        let text = serde_json::to_string(flash).map_err(Error::internal)?;
        session::Entity::update_many()
            .col_expr(session::Column::Flash, sea_orm::sea_query::Expr::value(Some(text)))
            .filter(session::Column::TokenHash.eq(token_hash(token)))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The message has been shown: forget it.
    pub async fn clear_flash(&self, token: &str) -> Result<()> {
        session::Entity::update_many()
            .col_expr(session::Column::Flash, sea_orm::sea_query::Expr::value(Option::<String>::None))
            .filter(session::Column::TokenHash.eq(token_hash(token)))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    pub async fn logout(&self, token: &str) -> Result<()> {
        let h = token_hash(token);
        let Some(s) = session::Entity::find_by_id(h.clone()).one(&self.db).await? else {
            return Ok(());
        };
        let u = user::Entity::find_by_id(s.user_id).one(&self.db).await?;
        let txn = begin_write(&self.db).await?;
        session::Entity::delete_by_id(h).exec(&txn).await?;
        if let Some(u) = u {
            audit::append(
                &txn,
                NewEntry {
                    at: self.now(),
                    actor_user_id: Some(u.id),
                    actor: u.username.clone(),
                    action: AuditAction::AuthLogout,
                    entity_type: "user".into(),
                    entity_id: u.id.to_string(),
                    region_code: u.scope_region.clone(),
                    summary: format!("用户 {} 退出登录", u.username),
                    before: None,
                    after: None,
                },
            )
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// End a user's sessions (but `keep_session`, a session token) and revoke
    /// their API tokens, in the caller's transaction (a password change or reset).
    pub(crate) async fn end_sessions_and_tokens(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        user_id: i64,
        keep_session: Option<&str>,
    ) -> Result<()> {
        let mut q = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
        if let Some(k) = keep_session {
            q = q.filter(session::Column::TokenHash.ne(token_hash(k)));
        }
        q.exec(conn).await?;
        api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(Some(to_db(self.now()))))
            .filter(api_token::Column::UserId.eq(user_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(conn)
            .await?;
        Ok(())
    }

    /// Delete the sessions past their idle period or lifetime.
    pub async fn purge_sessions(&self) -> Result<u64> {
        let now = self.now();
        let res = session::Entity::delete_many()
            .filter(
                sea_orm::Condition::any()
                    .add(session::Column::LastSeenAt.lt(to_db(now - self.sessions.idle)))
                    .add(session::Column::CreatedAt.lt(to_db(now - self.sessions.absolute))),
            )
            .exec(&self.db)
            .await?;
        Ok(res.rows_affected)
    }

    /// Create an API token for a user, valid `days` (default a year); the
    /// token is returned once and stored as a hash.
    pub async fn create_token(&self, by: &Principal, username: &str, name: &str, days: Option<i64>) -> Result<String> {
        let days = self.tokens.days(days).map_err(|m| Error::invalid("days", m))?;
        if name.chars().count() > 64 {
            return Err(Error::invalid("name", "令牌名称最多 64 个字"));
        }
        let u = user::Entity::find()
            .filter(user::Column::Username.eq(username.trim()))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        if let Principal::User(me) = by
            && me.id != u.id
            && !(me.can(hongling_domain::Action::UsersManage) && me.scope.may_grant(&current_user(&u)?.scope))
        {
            return Err(Error::NotFound);
        }
        let token = format!("hl_{}", random_token());
        let now = self.now();
        let txn = begin_write(&self.db).await?;
        let t = api_token::ActiveModel {
            user_id: Set(u.id),
            name: Set(if name.trim().is_empty() { "API".to_owned() } else { name.trim().to_owned() }),
            token_hash: Set(token_hash(&token)),
            prefix: Set(token.chars().take(10).collect()),
            created_at: Set(to_db(now)),
            last_used_at: Set(None),
            revoked_at: Set(None),
            expires_at: Set(Some(to_db(now + time::Duration::days(days)))),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::append(
            &txn,
            NewEntry {
                at: now,
                actor_user_id: by.actor_id(),
                actor: by.actor_name(),
                action: AuditAction::TokenCreate,
                entity_type: "api_token".into(),
                entity_id: t.id.to_string(),
                region_code: u.scope_region.clone(),
                summary: format!("为用户 {} 创建 API 令牌 {}", u.username, t.prefix),
                before: None,
                after: Some(serde_json::json!({"user": u.username, "name": t.name, "prefix": t.prefix, "days": days})),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(token)
    }

    /// The user behind a bearer token, if it is valid and not revoked.
    pub async fn token_user(&self, token: &str) -> Result<Option<CurrentUser>> {
        let now = self.now();
        let Some(t) = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(token_hash(token.trim())))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        if self.tokens.status(from_db(t.created_at), t.expires_at.map(from_db), t.revoked_at.is_some(), now)
            != TokenStatus::Active
        {
            return Ok(None);
        }
        let Some(u) = user::Entity::find_by_id(t.user_id).one(&self.db).await? else {
            return Ok(None);
        };
        if u.disabled {
            return Ok(None);
        }
        if t.last_used_at.is_none_or(|l| self.sessions.needs_touch(from_db(l), now)) {
            let mut am: api_token::ActiveModel = t.into();
            am.last_used_at = Set(Some(to_db(now)));
            am.update(&self.db).await?;
        }
        Ok(Some(current_user(&u)?))
    }
}

/// An API token as its owner sees it (never the token itself).
#[derive(Debug, Clone)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub expires_at: OffsetDateTime,
    pub status: TokenStatus,
}

impl Hongling {
    /// A user's tokens, newest first: the caller's own, or (the command line) anyone's.
    pub async fn tokens_of(&self, by: &Principal, username: &str) -> Result<Vec<TokenView>> {
        let u = self.token_owner(by, username).await?;
        let now = self.now();
        let rows = api_token::Entity::find()
            .filter(api_token::Column::UserId.eq(u.id))
            .order_by_desc(api_token::Column::Id)
            .limit(200)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|t| {
                let created = from_db(t.created_at);
                let expires = t.expires_at.map(from_db);
                TokenView {
                    id: t.id,
                    status: self.tokens.status(created, expires, t.revoked_at.is_some(), now),
                    expires_at: self.tokens.expires(created, expires),
                    name: t.name,
                    prefix: t.prefix,
                    created_at: created,
                    last_used_at: t.last_used_at.map(from_db),
                }
            })
            .collect())
    }

    /// Revoke one of a user's tokens (by its id, or its prefix from the command line).
    /// Another user's token answers not found; revoking twice is harmless.
    pub async fn revoke_token(&self, by: &Principal, username: &str, token: &str) -> Result<TokenView> {
        let u = self.token_owner(by, username).await?;
        let token = token.trim();
        let mut q = api_token::Entity::find().filter(api_token::Column::UserId.eq(u.id));
        q = match token.parse::<i64>() {
            Ok(id) => q.filter(api_token::Column::Id.eq(id)),
            Err(_) if token.len() >= 6 => {
                q.filter(api_token::Column::Prefix.eq(token.chars().take(10).collect::<String>()))
            }
            Err(_) => return Err(Error::NotFound),
        };
        let t = q.one(&self.db).await?.ok_or(Error::NotFound)?;
        let now = self.now();
        if t.revoked_at.is_none() {
            let txn = begin_write(&self.db).await?;
            let mut am: api_token::ActiveModel = t.clone().into();
            am.revoked_at = Set(Some(to_db(now)));
            am.update(&txn).await?;
            let summary = format!("撤销用户 {} 的 API 令牌 {}（{}）", u.username, t.prefix, t.name);
            self.audit(&txn, by, AuditAction::TokenRevoke, "api_token", t.id, &u.scope_region, summary, None, None)
                .await?;
            txn.commit().await?;
        }
        self.tokens_of(by, username).await?.into_iter().find(|v| v.id == t.id).ok_or(Error::NotFound)
    }

    /// The user whose tokens `by` may list or revoke: oneself, or anyone from the command line.
    async fn token_owner(&self, by: &Principal, username: &str) -> Result<user::Model> {
        let u = user::Entity::find()
            .filter(user::Column::Username.eq(username.trim()))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        match by {
            Principal::User(me) if me.id != u.id => Err(Error::NotFound),
            _ => Ok(u),
        }
    }
}

impl Hongling {
    /// The name of the record a scoped account belongs to (its organization,
    /// party organization or supervisory unit), for the page header.
    pub async fn scope_record_name(&self, me: &CurrentUser) -> Result<Option<String>> {
        use hongling_store::party::entity::party_org;
        use hongling_store::registry::entity::{social_org, supervisory_unit};
        let Some(id) = me.scope.ref_id else { return Ok(None) };
        Ok(match me.scope.kind {
            ScopeKind::Region => None,
            ScopeKind::Org => social_org::Entity::find_by_id(id).one(&self.db).await?.map(|m| m.name),
            ScopeKind::PartyOrg => party_org::Entity::find_by_id(id).one(&self.db).await?.map(|m| m.name),
            ScopeKind::Unit => supervisory_unit::Entity::find_by_id(id).one(&self.db).await?.map(|m| m.name),
        })
    }
}
