//! The system lists: user accounts and the audit log.

use hongling_domain::audit::AuditAction;
use std::collections::HashMap;
use std::sync::LazyLock;

use hongling_domain::audit::{AuditRecord, FieldChange, field_changes};
use hongling_domain::role::ScopeKind;
use hongling_domain::scope::parse_scope_kind;
use hongling_domain::{Action, Role};
use hongling_store::entity::{audit_log, user};
use hongling_store::to_db;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use crate::audit::local_midnight;
use crate::list::{Bind, Cell, Filter, ListQuery, ListSpec, Listing, Pick, Record, Tone, Value};
use crate::{CurrentUser, Hongling, Result};

fn cst(t: time::PrimitiveDateTime) -> String {
    let t = t.assume_utc().to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC));
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", t.year(), t.month() as u8, t.day(), t.hour(), t.minute(), t.second())
}

/// A row of the user list: the account and what its scope is called.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub user: user::Model,
    pub scope: String,
    /// Failed logins on this username in the current hour (every address).
    pub login_failures: i64,
    /// So many that addresses which failed on it are refused (登录受限).
    pub login_restricted: bool,
}

/// User accounts (用户) whose scope lies in the administrator's subtree.
pub struct UserList;

fn account_search(v: &Value) -> Condition {
    match v {
        Value::Text(t) => Condition::any()
            .add(crate::list::contains(user::Column::Username, t))
            .add(crate::list::contains(user::Column::DisplayName, t)),
        _ => Condition::all(),
    }
}

static USERS: LazyLock<ListSpec<user::Entity, UserRow>> = LazyLock::new(|| {
    use user::Column as C;
    ListSpec::<user::Entity, UserRow>::new("users", "用户")
        .filter(Filter::search("q", "用户名或姓名"), Bind::With(account_search))
        .filter(Filter::choice::<Role>("role", "角色"), Bind::Eq(C::Role))
        .filter(Filter::region("region", "权限范围所在区域"), Bind::Subtree(C::ScopeRegion))
        .filter(Filter::flag("disabled", "状态", "仅看已停用的"), Bind::Eq(C::Disabled))
        .sorted("username", "用户名", C::Username, |r| Cell::link(r.user.username.clone(), Record::User, r.user.id))
        .sorted("display_name", "姓名", C::DisplayName, |r| Cell::text(r.user.display_name.clone()))
        .sorted("role", "角色", C::Role, |r| {
            Cell::text(Role::parse(&r.user.role).map(Role::label).unwrap_or("未知角色"))
        })
        .sorted("scope", "权限范围", C::ScopeRegion, |r| Cell::text(r.scope.clone()))
        .column("status", "状态", |r| {
            if r.user.disabled {
                Cell::Tag("已停用".into(), Tone::Grey)
            } else if r.login_restricted {
                Cell::Tag("登录受限".into(), Tone::Orange)
            } else {
                Cell::Tag("正常".into(), Tone::Green)
            }
        })
        .sorted("created_at", "创建时间", C::CreatedAt, |r| Cell::text(cst(r.user.created_at)))
});

impl Listing for UserList {
    type Entity = user::Entity;
    type Row = UserRow;

    fn spec() -> &'static ListSpec<user::Entity, UserRow> {
        &USERS
    }

    fn scope(app: &Hongling, me: &CurrentUser, _q: &ListQuery) -> Result<Condition> {
        me.require(Action::UsersManage)?;
        Ok(app.user_visibility(me))
    }

    async fn rows(app: &Hongling, me: &CurrentUser, models: Vec<user::Model>) -> Result<Vec<UserRow>> {
        app.user_rows(me, models).await
    }
}

impl Hongling {
    /// Users with the names of their scopes (region, organization or party organization).
    pub async fn user_rows(&self, me: &CurrentUser, models: Vec<user::Model>) -> Result<Vec<UserRow>> {
        let regions = self.region_labels(&models.iter().map(|u| u.scope_region.clone()).collect::<Vec<_>>()).await?;
        let ids = |k: ScopeKind| -> Vec<i64> {
            models
                .iter()
                .filter(|u| parse_scope_kind(&u.scope_kind) == Some(k))
                .filter_map(|u| u.scope_ref_id)
                .collect()
        };
        let orgs: HashMap<i64, String> = self.pick_labels(me, Pick::Orgs, &ids(ScopeKind::Org)).await?;
        let parties: HashMap<i64, String> = self.pick_labels(me, Pick::PartyOrgs, &ids(ScopeKind::PartyOrg)).await?;
        let units: HashMap<i64, String> = self.pick_labels(me, Pick::Units, &ids(ScopeKind::Unit)).await?;
        let failures = self.login_failures_of(&models.iter().map(|u| u.username.as_str()).collect::<Vec<_>>()).await?;
        let limit = self.login_throttle.user_failures;
        Ok(models
            .into_iter()
            .zip(failures)
            .map(|(u, login_failures)| {
                let region = regions.get(&u.scope_region).cloned().unwrap_or_else(|| u.scope_region.clone());
                let scope = match (parse_scope_kind(&u.scope_kind), u.scope_ref_id) {
                    (Some(ScopeKind::Org), Some(id)) => {
                        format!("社会组织：{}", orgs.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
                    }
                    (Some(ScopeKind::PartyOrg), Some(id)) => {
                        format!("党组织：{}", parties.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
                    }
                    (Some(ScopeKind::Unit), Some(id)) => {
                        format!("业务主管单位：{}", units.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
                    }
                    (Some(ScopeKind::Unit), None) => format!("业务主管单位：未指定（{region}）"),
                    _ => region,
                };
                UserRow { user: u, scope, login_failures, login_restricted: limit.exhausted(login_failures) }
            })
            .collect())
    }
}

/// The audit log (审计日志) of the caller's subtree, newest first.
pub struct AuditList;

/// A row of the audit log as a reader sees it.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub entry: audit_log::Model,
    /// The actor's display name (命令行 / 后台任务 for those).
    pub actor_name: String,
    /// The action in Chinese.
    pub action: String,
    /// The record: its kind and name, a link when the reader may open it.
    pub record: Cell,
    /// The changed fields with Chinese names (字段 / 修改前 / 修改后).
    pub changes: Vec<FieldChange>,
}

fn from_day(v: &Value) -> Condition {
    match v {
        Value::Date(d) => Condition::all().add(audit_log::Column::At.gte(to_db(local_midnight(*d)))),
        _ => Condition::all(),
    }
}

fn until_day(v: &Value) -> Condition {
    match v {
        Value::Date(d) => match d.next_day() {
            Some(n) => Condition::all().add(audit_log::Column::At.lt(to_db(local_midnight(n)))),
            None => Condition::all(),
        },
        _ => Condition::all(),
    }
}

fn changes_text(r: &AuditRow) -> Cell {
    Cell::text(
        r.changes.iter().map(|c| format!("{}：{} → {}", c.label, c.before, c.after)).collect::<Vec<_>>().join("；"),
    )
}

static AUDIT: LazyLock<ListSpec<audit_log::Entity, AuditRow>> = LazyLock::new(|| {
    use audit_log::Column as C;
    ListSpec::<audit_log::Entity, AuditRow>::new("audit", "审计日志")
        .filter(
            Filter::pick("actor", "操作人", Pick::Users).placeholder("输入姓名或用户名选择"),
            Bind::Eq(C::ActorUserId),
        )
        .filter(Filter::choice::<AuditAction>("action", "操作类型"), Bind::Eq(C::Action))
        .filter(Filter::choice::<AuditRecord>("entity_type", "对象类型"), Bind::Eq(C::EntityType))
        .filter(Filter::search("entity_id", "对象编号").placeholder("记录编号，如 12"), Bind::Eq(C::EntityId))
        .filter(Filter::date("from", "开始日期"), Bind::With(from_day))
        .filter(Filter::date("until", "结束日期"), Bind::With(until_day))
        .sorted("seq", "序号", C::Seq, |r| Cell::Count(Some(r.entry.seq)))
        .column("at", "时间", |r| Cell::text(cst(r.entry.at)))
        .column("actor", "操作人", |r| {
            Cell::text(r.actor_name.clone()).with_line(if r.actor_name == r.entry.actor {
                String::new()
            } else {
                r.entry.actor.clone()
            })
        })
        .column("action", "操作类型", |r| Cell::text(r.action.clone()))
        .column("entity", "对象", |r| r.record.clone())
        .column("summary", "说明", |r| Cell::text(r.entry.summary.clone()))
        .export_only("changes", "变更内容（修改前 → 修改后）", changes_text)
        .default_order("seq", true)
});

impl Listing for AuditList {
    type Entity = audit_log::Entity;
    type Row = AuditRow;

    const EXPORT_AUDIT: Option<AuditAction> = Some(AuditAction::AuditExport);

    fn spec() -> &'static ListSpec<audit_log::Entity, AuditRow> {
        &AUDIT
    }

    fn scope(_app: &Hongling, me: &CurrentUser, _q: &ListQuery) -> Result<Condition> {
        audit_scope(me)
    }

    async fn rows(app: &Hongling, me: &CurrentUser, models: Vec<audit_log::Model>) -> Result<Vec<AuditRow>> {
        app.audit_rows(me, models).await
    }
}

/// The entries the caller may read: those of records in their region subtree.
fn audit_scope(me: &CurrentUser) -> Result<Condition> {
    me.require(Action::AuditRead)?;
    let (lo, hi) = me.region_prefix()?.subtree_range();
    Ok(Condition::all().add(audit_log::Column::RegionCode.gte(lo)).add(audit_log::Column::RegionCode.lt(hi)))
}

/// The record kinds that have a page, with the picker that names the ones
/// the reader may see.
fn record_page(kind: &str) -> Option<(Pick, Record)> {
    Some(match AuditRecord::parse(kind)? {
        AuditRecord::SocialOrg => (Pick::Orgs, Record::Org),
        AuditRecord::SupervisoryUnit => (Pick::Units, Record::Unit),
        AuditRecord::PartyOrg => (Pick::PartyOrgs, Record::PartyOrg),
        AuditRecord::PartyMember => (Pick::Members, Record::Member),
        AuditRecord::Instructor => (Pick::Instructors, Record::Instructor),
        AuditRecord::User => (Pick::Users, Record::User),
        _ => return None,
    })
}

impl Hongling {
    /// Audit entries as rows: actors by display name, actions in Chinese,
    /// records by name and linked where the reader may open them (names
    /// are looked up through the reader's own scope, so a record they may
    /// not see shows only its kind and number).
    pub async fn audit_rows(&self, me: &CurrentUser, models: Vec<audit_log::Model>) -> Result<Vec<AuditRow>> {
        let actor_ids: Vec<i64> = models.iter().filter_map(|e| e.actor_user_id).collect();
        let actors: HashMap<i64, String> = if actor_ids.is_empty() {
            HashMap::new()
        } else {
            user::Entity::find()
                .filter(user::Column::Id.is_in(actor_ids))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect()
        };
        let mut names: HashMap<(Pick, i64), String> = HashMap::new();
        for pick in [Pick::Orgs, Pick::Units, Pick::PartyOrgs, Pick::Members, Pick::Instructors, Pick::Users] {
            let ids: Vec<i64> = models
                .iter()
                .filter(|e| record_page(&e.entity_type).is_some_and(|(p, _)| p == pick))
                .filter_map(|e| e.entity_id.parse().ok())
                .collect();
            for (id, name) in self.pick_labels(me, pick, &ids).await? {
                names.insert((pick, id), name);
            }
        }
        Ok(models
            .into_iter()
            .map(|e| {
                let kind = AuditRecord::label_of(&e.entity_type);
                let id = e.entity_id.parse::<i64>().ok();
                let record = match (record_page(&e.entity_type), id) {
                    (Some((pick, rec)), Some(id)) => match names.get(&(pick, id)) {
                        // a user's page is for those who manage users; audit readers get the name
                        Some(name) if rec == Record::User && !me.can(Action::UsersManage) => {
                            Cell::text(format!("{kind}：{name}"))
                        }
                        Some(name) => Cell::Link(format!("{kind}：{name}"), rec, id),
                        None => Cell::text(format!("{kind} #{id}")),
                    },
                    _ if e.entity_id.is_empty() => Cell::text(kind),
                    _ => Cell::text(format!("{kind} {}", e.entity_id)),
                };
                let actor_name = match e.actor_user_id.and_then(|id| actors.get(&id)) {
                    Some(n) if !n.is_empty() => n.clone(),
                    _ => e.actor.clone(),
                };
                AuditRow {
                    actor_name,
                    action: AuditAction::label_of(&e.action),
                    record,
                    changes: field_changes(&e.entity_type, &e.before_json, &e.after_json),
                    entry: e,
                }
            })
            .collect())
    }

    /// One audit entry the caller may read, else `NotFound`.
    pub async fn audit_entry(&self, me: &CurrentUser, seq: i64) -> Result<AuditRow> {
        let scope = audit_scope(me)?;
        let e = audit_log::Entity::find_by_id(seq).filter(scope).one(&self.db).await?.ok_or(crate::Error::NotFound)?;
        self.audit_rows(me, vec![e]).await?.pop().ok_or(crate::Error::NotFound)
    }
}
