//! The system lists: user accounts and the audit log.

use hongling_domain::audit::AuditAction;
use std::collections::HashMap;
use std::sync::LazyLock;

use hongling_domain::role::ScopeKind;
use hongling_domain::scope::parse_scope_kind;
use hongling_domain::{Action, Role};
use hongling_store::entity::{audit_log, user};
use hongling_store::to_db;
use sea_orm::{ColumnTrait, Condition};

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

fn action_prefix(v: &Value) -> Condition {
    match v {
        Value::Text(t) => crate::list::starts_with(audit_log::Column::Action, t),
        _ => Condition::all(),
    }
}

/// The record an audit entry is about, when it has a page.
fn entity_cell(e: &audit_log::Model) -> Cell {
    let record = match e.entity_type.as_str() {
        "social_org" => Some(Record::Org),
        "party_org" => Some(Record::PartyOrg),
        "party_member" => Some(Record::Member),
        "instructor" => Some(Record::Instructor),
        "user" => Some(Record::User),
        _ => None,
    };
    let text = format!("{} #{}", e.entity_type, e.entity_id);
    match (record, e.entity_id.parse::<i64>()) {
        (Some(r), Ok(id)) => Cell::Link(text, r, id),
        _ => Cell::text(text),
    }
}

static AUDIT: LazyLock<ListSpec<audit_log::Entity, audit_log::Model>> = LazyLock::new(|| {
    use audit_log::Column as C;
    ListSpec::<audit_log::Entity, audit_log::Model>::new("audit", "审计日志")
        .filter(Filter::search("actor", "操作人（用户名）"), Bind::Eq(C::Actor))
        .filter(Filter::search("action", "操作类型").placeholder("如 org.update、user"), Bind::With(action_prefix))
        .filter(Filter::search("entity_type", "对象类型"), Bind::Eq(C::EntityType))
        .filter(Filter::search("entity_id", "对象编号"), Bind::Eq(C::EntityId))
        .filter(Filter::date("from", "开始日期"), Bind::With(from_day))
        .filter(Filter::date("until", "结束日期"), Bind::With(until_day))
        .sorted("seq", "序号", C::Seq, |e| Cell::Count(Some(e.seq)))
        .column("at", "时间", |e| Cell::text(cst(e.at)))
        .column("actor", "操作人", |e| Cell::text(e.actor.clone()))
        .column("action", "操作", |e| Cell::text(e.action.clone()))
        .column("entity", "对象", entity_cell)
        .column("summary", "说明", |e| Cell::text(e.summary.clone()))
        .column("before", "变更前", |e| Cell::text(e.before_json.clone()))
        .column("after", "变更后", |e| Cell::text(e.after_json.clone()))
        .default_order("seq", true)
});

impl Listing for AuditList {
    type Entity = audit_log::Entity;
    type Row = audit_log::Model;

    const EXPORT_AUDIT: Option<AuditAction> = Some(AuditAction::AuditExport);

    fn spec() -> &'static ListSpec<audit_log::Entity, audit_log::Model> {
        &AUDIT
    }

    fn scope(_app: &Hongling, me: &CurrentUser, _q: &ListQuery) -> Result<Condition> {
        me.require(Action::AuditRead)?;
        let (lo, hi) = me.region_prefix()?.subtree_range();
        Ok(Condition::all().add(audit_log::Column::RegionCode.gte(lo)).add(audit_log::Column::RegionCode.lt(hi)))
    }

    async fn rows(_app: &Hongling, _me: &CurrentUser, models: Vec<audit_log::Model>) -> Result<Vec<audit_log::Model>> {
        Ok(models)
    }
}
