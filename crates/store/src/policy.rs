//! Policy values (SPEC §4): the shipped profiles and the values localities set.
//!
//! The shipped profiles are versioned data: every start synchronises the
//! release's list (`hongling_domain::policy::shipped()`) into `policy_values`
//! (`sync_builtin_policy`). A shipped row is identified by region, parameter
//! and date; a locality's own rows (`builtin = false`) are never touched.

use hongling_domain::audit::AuditAction;
use std::collections::{BTreeMap, HashSet};

use hongling_domain::policy::{Param, PolicyEntry};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, Unchanged,
};
use serde_json::json;
use time::{Date, OffsetDateTime};

use crate::audit::{NewEntry, append};
use crate::entity::{policy_value, region};
use crate::{begin_write, is_postgres, to_db};

/// Who a synchronisation's audit entry names.
pub const SYNC_ACTOR: &str = "系统升级";
/// Who the shipped rows name as having set them.
pub const BUILTIN_ACTOR: &str = "系统内置";

/// A shipped value as stored: its identity (region, parameter key, date), value and basis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippedValue {
    pub region: String,
    /// The parameter's key (a parameter a release no longer has is kept as stored).
    pub param: String,
    pub effective_from: Date,
    pub value: Option<i64>,
    pub basis: String,
}

impl ShippedValue {
    fn of_entry(e: &PolicyEntry) -> Self {
        Self {
            region: e.region.clone(),
            param: e.param.key().to_owned(),
            effective_from: e.effective_from,
            value: e.value,
            basis: e.basis.clone(),
        }
    }

    fn of_row(r: &policy_value::Model) -> Self {
        Self {
            region: r.region_code.clone(),
            param: r.param.clone(),
            effective_from: r.effective_from,
            value: r.value,
            basis: r.basis.clone(),
        }
    }

    fn json(&self) -> serde_json::Value {
        json!({
            "region": self.region,
            "param": self.param,
            "effective_from": self.effective_from.to_string(),
            "value": self.value,
            "basis": self.basis,
        })
    }
}

/// What a synchronisation changed (all empty: nothing, and no audit entry).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicySync {
    /// Shipped values the database did not have.
    pub added: Vec<ShippedValue>,
    /// Shipped rows whose value or basis changed: (as stored, as shipped now).
    pub changed: Vec<(ShippedValue, ShippedValue)>,
    /// Shipped rows no longer shipped.
    pub removed: Vec<ShippedValue>,
    /// Shipped values not inserted because the locality has its own row of
    /// the same region, parameter and date (its own value stands).
    pub skipped: Vec<ShippedValue>,
    /// The database had no shipped rows yet (a new installation): the values
    /// are loaded like the built-in regions, without an audit entry.
    pub first_load: bool,
}

impl PolicySync {
    /// Did it change the database?
    pub fn changed_anything(&self) -> bool {
        !(self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty())
    }
}

type Key = (String, String, Date);

fn key_of(v: &ShippedValue) -> Key {
    (v.region.clone(), v.param.clone(), v.effective_from)
}

/// What to do to bring the stored rows to the shipped list (pure, so it can
/// be computed first without a write lock).
#[derive(Default)]
struct Plan {
    /// (row id, as stored, as shipped now)
    update: Vec<(i64, ShippedValue, ShippedValue)>,
    delete: Vec<(i64, ShippedValue)>,
    insert: Vec<ShippedValue>,
    skipped: Vec<ShippedValue>,
    first_load: bool,
}

impl Plan {
    fn of(rows: &[policy_value::Model], want: &BTreeMap<Key, ShippedValue>) -> Plan {
        let own: HashSet<Key> = rows
            .iter()
            .filter(|r| !r.builtin)
            .map(|r| (r.region_code.clone(), r.param.clone(), r.effective_from))
            .collect();
        let mut plan = Plan { first_load: !rows.iter().any(|r| r.builtin), ..Default::default() };
        let mut seen: HashSet<Key> = HashSet::new();
        for r in rows.iter().filter(|r| r.builtin) {
            let stored = ShippedValue::of_row(r);
            let k = key_of(&stored);
            match want.get(&k) {
                Some(now) if seen.insert(k) => {
                    if (stored.value, &stored.basis) != (now.value, &now.basis) {
                        plan.update.push((r.id, stored, now.clone()));
                    }
                }
                // no longer shipped (or a duplicate of an identity already kept)
                _ => plan.delete.push((r.id, stored)),
            }
        }
        for (k, v) in want {
            if seen.contains(k) {
                continue;
            }
            if own.contains(k) {
                plan.skipped.push(v.clone());
            } else {
                plan.insert.push(v.clone());
            }
        }
        plan
    }

    fn is_noop(&self) -> bool {
        self.update.is_empty() && self.delete.is_empty() && self.insert.is_empty()
    }

    fn report(self) -> PolicySync {
        PolicySync {
            added: self.insert,
            changed: self.update.into_iter().map(|(_, b, a)| (b, a)).collect(),
            removed: self.delete.into_iter().map(|(_, v)| v).collect(),
            skipped: self.skipped,
            first_load: self.first_load,
        }
    }
}

/// Synchronise the shipped policy values into the database, in one
/// transaction: insert the missing ones, update shipped rows whose value or
/// basis changed, delete shipped rows no longer shipped. Rows a locality set
/// (`builtin = false`) are never inserted over, changed or deleted. When
/// anything changed, one audit entry (actor 系统升级) names what, except on
/// a new installation's first start. Running it again changes nothing and
/// writes nothing (nor takes a write lock: the rows are compared first).
///
/// Servers starting at once take turns: on SQLite the transaction takes the
/// write lock first (`BEGIN IMMEDIATE`); on PostgreSQL it locks the table
/// against other writers before reading, so the second sees the first's rows
/// and finds nothing left to do. The unique index on shipped rows (m0006)
/// backs this.
pub async fn sync_builtin_policy(
    db: &DatabaseConnection,
    shipped: &[PolicyEntry],
    now: OffsetDateTime,
) -> Result<PolicySync, DbErr> {
    // one shipped value per identity (the later in the list wins)
    let mut want: BTreeMap<Key, ShippedValue> = BTreeMap::new();
    for e in shipped {
        let v = ShippedValue::of_entry(e);
        want.insert(key_of(&v), v);
    }
    let all = || policy_value::Entity::find().order_by_asc(policy_value::Column::Id);
    let plan = Plan::of(&all().all(db).await?, &want);
    if plan.is_noop() {
        return Ok(plan.report());
    }
    let txn = begin_write(db).await?;
    if is_postgres(&txn) {
        // backend: SHARE ROW EXCLUSIVE conflicts with itself and with writers,
        // not with readers; held until commit
        txn.execute_unprepared("LOCK TABLE policy_values IN SHARE ROW EXCLUSIVE MODE").await?;
    }
    // again under the lock: another server may have done it meanwhile
    let plan = Plan::of(&all().all(&txn).await?, &want);
    for (id, _, v) in &plan.update {
        policy_value::ActiveModel {
            id: Unchanged(*id),
            value: Set(v.value),
            basis: Set(v.basis.clone()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
    }
    for (id, _) in &plan.delete {
        policy_value::Entity::delete_by_id(*id).exec(&txn).await?;
    }
    for v in &plan.insert {
        policy_value::ActiveModel {
            region_code: Set(v.region.clone()),
            param: Set(v.param.clone()),
            value: Set(v.value),
            effective_from: Set(v.effective_from),
            basis: Set(v.basis.clone()),
            builtin: Set(true),
            actor: Set(BUILTIN_ACTOR.to_owned()),
            created_at: Set(to_db(now)),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let report = plan.report();
    if report.changed_anything() && !report.first_load {
        let summary = summary(&txn, &report).await?;
        let before: Vec<_> =
            report.changed.iter().map(|(b, _)| b.json()).chain(report.removed.iter().map(ShippedValue::json)).collect();
        let after: Vec<_> =
            report.added.iter().map(ShippedValue::json).chain(report.changed.iter().map(|(_, a)| a.json())).collect();
        append(
            &txn,
            NewEntry {
                at: now,
                actor_user_id: None,
                actor: SYNC_ACTOR.to_owned(),
                action: AuditAction::PolicySync,
                entity_type: "policy_value".to_owned(),
                entity_id: "builtin".to_owned(),
                region_code: String::new(),
                summary,
                before: Some(
                    json!({ "changed": report.changed.len(), "removed": report.removed.len(), "values": before }),
                ),
                after: Some(json!({ "added": report.added.len(), "changed": report.changed.len(), "values": after })),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(report)
}

/// "同步系统内置政策参数：新增 1 项（东营市 每个城市社区… 自 2023-12-31 起 12 个）；…"
async fn summary(conn: &impl ConnectionTrait, r: &PolicySync) -> Result<String, DbErr> {
    let codes: Vec<String> = r
        .added
        .iter()
        .chain(r.removed.iter())
        .chain(r.changed.iter().map(|(b, _)| b))
        .map(|v| v.region.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let names: BTreeMap<String, String> = region::Entity::find()
        .filter(region::Column::Code.is_in(codes))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.code, m.name))
        .collect();
    let place = |v: &ShippedValue| names.get(&v.region).cloned().unwrap_or_else(|| v.region.clone());
    let param = Param::parse;
    let label = |v: &ShippedValue| param(&v.param).map(|p| p.label().to_owned()).unwrap_or_else(|| v.param.clone());
    let show = |v: &ShippedValue, x: Option<i64>| match (param(&v.param), x) {
        (Some(p), Some(x)) => p.format(x),
        (None, Some(x)) => x.to_string(),
        (_, None) => "取消本级设定".to_owned(),
    };
    let name = |v: &ShippedValue| format!("{}“{}”自 {} 起", place(v), label(v), v.effective_from);
    let mut parts = Vec::new();
    if !r.added.is_empty() {
        let items: Vec<String> = r.added.iter().map(|v| format!("{}为 {}", name(v), show(v, v.value))).collect();
        parts.push(format!("新增 {} 项（{}）", r.added.len(), items.join("；")));
    }
    if !r.changed.is_empty() {
        let items: Vec<String> = r
            .changed
            .iter()
            .map(|(b, a)| {
                let mut what = Vec::new();
                if b.value != a.value {
                    what.push(format!("取值由 {} 改为 {}", show(b, b.value), show(a, a.value)));
                }
                if b.basis != a.basis {
                    what.push(format!("依据改为 {}", a.basis));
                }
                format!("{}：{}", name(b), what.join("，"))
            })
            .collect();
        parts.push(format!("更新 {} 项（{}）", r.changed.len(), items.join("；")));
    }
    if !r.removed.is_empty() {
        let items: Vec<String> = r.removed.iter().map(|v| format!("{}（{}）", name(v), show(v, v.value))).collect();
        parts.push(format!("删除不再内置的 {} 项（{}）", r.removed.len(), items.join("；")));
    }
    Ok(format!("系统升级同步内置政策参数：{}", parts.join("；")))
}

/// Every policy value, in the order they were set (a small table).
pub async fn policy_entries(conn: &impl ConnectionTrait) -> Result<Vec<PolicyEntry>, DbErr> {
    let rows = policy_value::Entity::find().order_by_asc(policy_value::Column::Id).all(conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(PolicyEntry {
                seq: r.id,
                param: Param::parse(&r.param)?,
                region: r.region_code,
                value: r.value,
                effective_from: r.effective_from,
                basis: r.basis,
                builtin: r.builtin,
            })
        })
        .collect())
}
