//! The registry of social organizations (M1): scoped reads, changes with
//! dated history, life-cycle actions, supervision class.

use hongling_domain::Action;
use hongling_domain::audit::AuditAction;
use hongling_domain::registry::{
    Category, OrgDraft, OrgKind, OrgStatus, RegistrationMode, StatusAction, SupervisionClass, check_draft, search_form,
};
use hongling_domain::role::ScopeKind;
use hongling_domain::{RegionCode, Role, Scope};
use hongling_store::audit::{self, NewEntry};
use hongling_store::registry::entity::{org_decision, org_event, social_org, supervisory_unit};
use hongling_store::registry::orgs as store_orgs;
use hongling_store::{begin_write, is_unique_violation, to_db};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::Date;

use super::Registry;
use crate::refs::unreachable;
use crate::{CurrentUser, Error, FieldError, Principal, Result};

/// The whole record as kept in history (`org_events.snapshot_json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OrgSnapshot {
    pub uscc: Option<String>,
    pub name: String,
    pub kind: String,
    pub registration_mode: String,
    pub category: String,
    pub industry: String,
    pub authority_region: String,
    pub supervisory_unit_id: Option<i64>,
    #[serde(default)]
    pub industry_department_id: Option<i64>,
    #[serde(default)]
    pub decoupled: bool,
    pub region_code: String,
    pub address: String,
    pub lon_e6: Option<i64>,
    pub lat_e6: Option<i64>,
    pub legal_rep: String,
    pub founded_on: Option<Date>,
    pub staff_count: Option<i32>,
    pub member_count: Option<i32>,
    pub charter_party_clause: bool,
    pub is_hub: bool,
    pub is_brand: bool,
    pub incubator: String,
    pub status: String,
    pub status_changed_on: Option<Date>,
    pub supervision_class: String,
}

impl From<&social_org::Model> for OrgSnapshot {
    fn from(m: &social_org::Model) -> Self {
        Self {
            uscc: m.uscc.clone(),
            name: m.name.clone(),
            kind: m.kind.clone(),
            registration_mode: m.registration_mode.clone(),
            category: m.category.clone(),
            industry: m.industry.clone(),
            authority_region: m.authority_region.clone(),
            supervisory_unit_id: m.supervisory_unit_id,
            industry_department_id: m.industry_department_id,
            decoupled: m.decoupled,
            region_code: m.region_code.clone(),
            address: m.address.clone(),
            lon_e6: m.lon_e6,
            lat_e6: m.lat_e6,
            legal_rep: m.legal_rep.clone(),
            founded_on: m.founded_on,
            staff_count: m.staff_count,
            member_count: m.member_count,
            charter_party_clause: m.charter_party_clause,
            is_hub: m.is_hub,
            is_brand: m.is_brand,
            incubator: m.incubator.clone(),
            status: m.status.clone(),
            status_changed_on: m.status_changed_on,
            supervision_class: m.supervision_class.clone(),
        }
    }
}

/// Chinese names of the record's fields, for history and messages.
pub const FIELD_LABELS: &[(&str, &str)] = &[
    ("uscc", "统一社会信用代码"),
    ("name", "组织名称"),
    ("kind", "组织类型"),
    ("registration_mode", "登记方式"),
    ("category", "类别"),
    ("industry", "所属行业"),
    ("authority_region", "登记管理机关"),
    ("supervisory_unit_id", "业务主管单位"),
    ("industry_department_id", "行业管理部门"),
    ("decoupled", "已脱钩"),
    ("region_code", "住所所在区划"),
    ("address", "住所地址"),
    ("lon_e6", "经度"),
    ("lat_e6", "纬度"),
    ("legal_rep", "法定代表人"),
    ("founded_on", "成立日期"),
    ("staff_count", "从业人员数"),
    ("member_count", "会员数"),
    ("charter_party_clause", "章程含党建内容"),
    ("is_hub", "枢纽型组织"),
    ("is_brand", "品牌组织"),
    ("incubator", "孵化基地"),
    ("status", "登记状态"),
    ("status_changed_on", "状态变更日期"),
    ("supervision_class", "监管分类"),
];

pub fn field_label(f: &str) -> &str {
    FIELD_LABELS.iter().find(|(k, _)| *k == f).map(|(_, l)| *l).unwrap_or(f)
}

/// One changed field: name, before, after (JSON values).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FieldChange {
    pub field: String,
    pub before: Value,
    pub after: Value,
}

pub fn diff(before: &OrgSnapshot, after: &OrgSnapshot) -> Vec<FieldChange> {
    let (Value::Object(b), Value::Object(a)) = (json!(before), json!(after)) else { return vec![] };
    let mut out = Vec::new();
    for (k, av) in &a {
        let bv = b.get(k).cloned().unwrap_or(Value::Null);
        if &bv != av {
            out.push(FieldChange { field: k.clone(), before: bv, after: av.clone() });
        }
    }
    out
}

/// Today's date in Asia/Shanghai.
pub fn local_today(now: time::OffsetDateTime) -> Date {
    now.to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC)).date()
}

pub(crate) fn fields(v: Vec<hongling_domain::registry::Violation>) -> Vec<FieldError> {
    v.into_iter().map(|x| FieldError { field: x.field.to_owned(), message: x.message }).collect()
}

fn e6(x: Option<f64>) -> Option<i64> {
    x.map(|v| (v * 1_000_000.0).round() as i64)
}

/// Roles that keep the register (登记管理机关 and administrators).
pub fn writes_registry(role: Role) -> bool {
    hongling_domain::access::allows(role, ScopeKind::Region, Action::RegistryWrite)
}

/// May this user change the register: a registry role over a region subtree.
pub fn may_write_registry(u: &CurrentUser) -> bool {
    u.can(Action::RegistryWrite)
}

pub(crate) fn require_writer(by: &Principal) -> Result<Option<&CurrentUser>> {
    match by {
        Principal::Cli | Principal::Job => Ok(None),
        Principal::User(u) => u.require(Action::RegistryWrite).map(|()| Some(u)),
    }
}

/// A closed record (注销, 撤销, 吊销) is not changed any more.
fn require_open(m: &social_org::Model) -> Result<()> {
    match OrgStatus::parse(&m.status) {
        Some(s) if !s.is_open() => Err(Error::Conflict(format!("该组织{}，登记事项和监管分类不能再变更", s.label()))),
        _ => Ok(()),
    }
}

/// A change event to write with a change.
pub(crate) struct EventDraft<'a> {
    pub action: &'a str,
    pub effective_on: Date,
    pub reason: &'a str,
    pub doc_no: &'a str,
    pub changes: Vec<FieldChange>,
    /// The event's actor when it is not the one writing it (the clerk who
    /// proposed a decision a leader approves).
    pub actor: Option<String>,
    /// Who approved it, where a second person decided it.
    pub approver: String,
}

/// A life-cycle change to write (`apply_status`).
pub(crate) struct StatusChange<'a> {
    pub action: StatusAction,
    pub to: OrgStatus,
    pub on: Date,
    pub reason: &'a str,
    pub doc_no: &'a str,
    /// The credit code assigned by 准予登记.
    pub uscc: Option<String>,
}

/// What a life-cycle action did: the changed record, or a proposal waiting
/// for a leader's approval.
#[derive(Debug, Clone)]
pub enum StatusOutcome {
    Done(Box<social_org::Model>),
    Proposed(Box<org_decision::Model>),
}

impl Registry<'_> {
    /// One organization inside the caller's scope, else `NotFound`.
    pub async fn get_org(&self, me: &CurrentUser, id: i64) -> Result<social_org::Model> {
        let m = social_org::Entity::find_by_id(id).one(&self.db).await?.ok_or(Error::NotFound)?;
        let visible = match me.scope.kind {
            ScopeKind::Region => me.scope.region.contains_str(&m.region_code),
            ScopeKind::Org => me.scope.ref_id == Some(m.id),
            ScopeKind::PartyOrg => false,
            ScopeKind::Unit => me.scope.ref_id.is_some() && m.supervisory_unit_id == me.scope.ref_id,
        };
        if visible { Ok(m) } else { Err(Error::NotFound) }
    }

    /// Check the parts of a draft that need the database; returns violations.
    /// The residence, the registration authority and the supervisory unit
    /// are references: each must exist and lie in the clerk's scope, with one
    /// answer for both (`refs.rs`). On an update (`old`), an authority or a
    /// unit the record already has may stay (a county clerk keeps a record
    /// the city registered).
    async fn check_in_db(
        &self,
        conn: &impl ConnectionTrait,
        by: Option<&CurrentUser>,
        d: &OrgDraft,
        uscc: Option<&str>,
        old: Option<&social_org::Model>,
    ) -> Result<Vec<FieldError>> {
        let self_id = old.map(|o| o.id);
        let mut out = Vec::new();
        let mut bad = |field: &str, m: &str| out.push(FieldError { field: field.into(), message: m.into() });
        let region = d.region_code.trim();
        if !region.is_empty() && !self.region_in_scope(conn, by, region).await? {
            bad("region_code", &unreachable("住所所在区划"));
        }
        let authority = d.authority_region.trim();
        let kept = old.is_some_and(|o| o.authority_region == authority);
        if !authority.is_empty() && !self.region_in_scope(conn, if kept { None } else { by }, authority).await? {
            bad("authority_region", &unreachable("登记管理机关"));
        }
        if let Some(uid) = d.supervisory_unit_id {
            let kept = old.is_some_and(|o| o.supervisory_unit_id == Some(uid));
            let unit = match by {
                Some(me) if !kept => self.visible_unit(conn, me, uid).await?,
                _ => supervisory_unit::Entity::find_by_id(uid).one(conn).await?,
            };
            match unit {
                None => bad("supervisory_unit_id", &unreachable("业务主管单位")),
                Some(u) if !region.starts_with(&u.region_code) => {
                    bad("supervisory_unit_id", "业务主管单位须为住所所在地或其上级的单位")
                }
                Some(_) => {}
            }
        }
        if let Some(did) = d.industry_department_id {
            let kept = old.is_some_and(|o| o.industry_department_id == Some(did));
            let dept = match by {
                Some(me) if !kept => self.visible_unit(conn, me, did).await?,
                _ => supervisory_unit::Entity::find_by_id(did).one(conn).await?,
            };
            match dept {
                None => bad("industry_department_id", &unreachable("行业管理部门")),
                Some(u) if !region.starts_with(&u.region_code) => {
                    bad("industry_department_id", "行业管理部门须为住所所在地或其上级的部门")
                }
                Some(_) => {}
            }
        }
        if let Some(code) = uscc {
            let other = social_org::Entity::find().filter(social_org::Column::Uscc.eq(code)).one(conn).await?;
            if let Some(o) = other.filter(|o| Some(o.id) != self_id) {
                let name_visible = by.is_none_or(|u| u.scope.sees_region(&o.region_code));
                let msg = if name_visible {
                    format!("该统一社会信用代码已被“{}”使用", o.name)
                } else {
                    "该统一社会信用代码已被其他组织使用".to_owned()
                };
                out.push(FieldError { field: "uscc".into(), message: msg });
            }
        }
        Ok(out)
    }

    /// Region fields typed as names (a picker's text not chosen from the
    /// suggestions) resolved to codes within the clerk's scope.
    async fn resolve_draft_regions(&self, me: Option<&CurrentUser>, d: &mut OrgDraft) -> Result<Vec<FieldError>> {
        let mut errors = Vec::new();
        let Some(me) = me else { return Ok(errors) };
        for (field, value) in [("region_code", &mut d.region_code), ("authority_region", &mut d.authority_region)] {
            let text = value.trim().to_owned();
            if text.is_empty() || text.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            match self.resolve_region(me, &text).await? {
                Ok(code) => *value = code,
                Err(m) => errors.push(FieldError { field: field.into(), message: m }),
            }
        }
        Ok(errors)
    }

    /// Register (or file) an organization. `applying` records an application
    /// (成立申请) that gets its code at approval.
    pub async fn create_org(&self, by: &Principal, mut d: OrgDraft, applying: bool) -> Result<social_org::Model> {
        let me = require_writer(by)?;
        let unresolved = self.resolve_draft_regions(me, &mut d).await?;
        if !unresolved.is_empty() {
            return Err(Error::Invalid(unresolved));
        }
        let now = self.now();
        let today = local_today(now);
        let (code, v) = check_draft(&d, today, applying);
        let mut errors = fields(v);
        errors.extend(self.check_in_db(&self.db, me, &d, code.as_ref().map(|c| c.as_str()), None).await?);
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let status = if applying { OrgStatus::Applying } else { OrgStatus::Active };
        // "三同步": a newly registered organization waits for party coverage
        let sync_pending = !applying && d.mode == Some(RegistrationMode::Registered);
        let txn = begin_write(&self.db).await?;
        let am = draft_model(&d, code.map(|c| c.to_string()), status, today, now, sync_pending);
        let m = match am.insert(&txn).await {
            Ok(m) => m,
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::invalid("uscc", "该统一社会信用代码已被其他组织使用"));
            }
            Err(e) => return Err(e.into()),
        };
        store_orgs::replace_grams(&txn, m.id, &m.region_code, &m.name).await?;
        let action = if applying { "apply" } else { "create" };
        let effective = d.founded_on.filter(|_| !applying).unwrap_or(today);
        let summary = format!("{}：{}", if applying { "受理成立申请" } else { "登记" }, m.name);
        let ev = EventDraft {
            action,
            effective_on: effective,
            reason: "",
            doc_no: "",
            changes: vec![],
            actor: None,
            approver: String::new(),
        };
        self.record_change(&txn, by, None, &m, ev, summary).await?;
        // its management channel, and the "三同步" breach until it is covered
        self.party().refresh_orgs(&txn, &[m.id], today).await?;
        txn.commit().await?;
        Ok(m)
    }

    pub(crate) async fn write_event(
        &self,
        conn: &impl ConnectionTrait,
        by: &Principal,
        m: &social_org::Model,
        e: EventDraft<'_>,
    ) -> Result<()> {
        org_event::ActiveModel {
            org_id: Set(m.id),
            effective_on: Set(e.effective_on),
            at: Set(to_db(self.now())),
            action: Set(e.action.to_owned()),
            actor: Set(e.actor.unwrap_or_else(|| by.actor_name())),
            approver: Set(e.approver),
            reason: Set(e.reason.to_owned()),
            doc_no: Set(e.doc_no.to_owned()),
            changes_json: Set(json!(e.changes).to_string()),
            snapshot_json: Set(json!(OrgSnapshot::from(m)).to_string()),
            ..Default::default()
        }
        .insert(conn)
        .await?;
        Ok(())
    }

    /// The history event and the audit entry of a change, in the change's
    /// transaction (audit action `org.<event action>`, before and after).
    pub(crate) async fn record_change(
        &self,
        conn: &impl ConnectionTrait,
        by: &Principal,
        before: Option<&OrgSnapshot>,
        m: &social_org::Model,
        ev: EventDraft<'_>,
        summary: String,
    ) -> Result<()> {
        let action =
            AuditAction::of_org_event(ev.action).ok_or_else(|| Error::internal("unknown organization event"))?;
        self.write_event(conn, by, m, ev).await?;
        audit::append(
            conn,
            NewEntry {
                at: self.now(),
                actor_user_id: by.actor_id(),
                actor: by.actor_name(),
                action,
                entity_type: "social_org".into(),
                entity_id: m.id.to_string(),
                region_code: m.region_code.clone(),
                summary,
                before: before.map(|b| json!(b)),
                after: Some(json!(OrgSnapshot::from(m))),
            },
        )
        .await?;
        Ok(())
    }

    /// Change an organization's record. `version` guards against overwriting a
    /// change made since the form was opened; `effective_on` dates the change
    /// (default today).
    pub async fn update_org(
        &self,
        me: &CurrentUser,
        id: i64,
        mut d: OrgDraft,
        version: Option<i32>,
        effective_on: Option<Date>,
        reason: &str,
    ) -> Result<social_org::Model> {
        let by = Principal::User(me.clone());
        require_writer(&by)?;
        let old = self.get_org(me, id).await?;
        require_open(&old)?;
        let unresolved = self.resolve_draft_regions(Some(me), &mut d).await?;
        if !unresolved.is_empty() {
            return Err(Error::Invalid(unresolved));
        }
        if version.is_some_and(|v| v != old.version) {
            return Err(Error::Conflict("该记录已被他人修改，请刷新页面后重新编辑".into()));
        }
        let now = self.now();
        let today = local_today(now);
        let applying = old.status == OrgStatus::Applying.as_str();
        let (code, v) = check_draft(&d, today, applying);
        let mut errors = fields(v);
        errors.extend(self.check_in_db(&self.db, Some(me), &d, code.as_ref().map(|c| c.as_str()), Some(&old)).await?);
        if effective_on.is_some_and(|e| e > today) {
            errors.push(FieldError { field: "effective_on".into(), message: "变更日期不能晚于今天".into() });
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        let before = OrgSnapshot::from(&old);
        let txn = begin_write(&self.db).await?;
        let cur = social_org::Entity::find_by_id(id).lock_exclusive().one(&txn).await?.ok_or(Error::NotFound)?;
        if cur.version != old.version {
            return Err(Error::Conflict("该记录已被他人修改，请刷新页面后重新编辑".into()));
        }
        let mut am: social_org::ActiveModel = cur.into();
        apply_draft(&mut am, &d, code.map(|c| c.to_string()));
        am.version = Set(old.version + 1);
        am.updated_at = Set(to_db(now));
        let m = match am.update(&txn).await {
            Ok(m) => m,
            Err(e) if is_unique_violation(&e) => {
                return Err(Error::invalid("uscc", "该统一社会信用代码已被其他组织使用"));
            }
            Err(e) => return Err(e.into()),
        };
        let after = OrgSnapshot::from(&m);
        let changes = diff(&before, &after);
        if changes.is_empty() {
            return Ok(old);
        }
        if m.name != old.name || m.region_code != old.region_code {
            store_orgs::replace_grams(&txn, m.id, &m.region_code, &m.name).await?;
        }
        let summary =
            format!("变更{}：{}", m.name, changes.iter().map(|c| field_label(&c.field)).collect::<Vec<_>>().join("、"));
        let ev = EventDraft {
            action: "update",
            effective_on: effective_on.unwrap_or(today),
            reason,
            doc_no: "",
            changes,
            actor: None,
            approver: String::new(),
        };
        self.record_change(&txn, &by, Some(&before), &m, ev, summary).await?;
        self.party().refresh_orgs(&txn, &[m.id], today).await?;
        txn.commit().await?;
        Ok(m)
    }

    /// A life-cycle action (准予登记, 注销, 撤销, 吊销, 恢复) with its reason,
    /// decision document number and date. Approval assigns the credit code.
    ///
    /// 注销, 撤销, 吊销 and 恢复 need a second person where the locality's
    /// policy asks for it (`registry_decision_approval`, on by default): then
    /// the action is a proposal (`StatusOutcome::Proposed`) that takes effect
    /// when a leader approves it (`decide`); elsewhere it takes effect at once.
    #[allow(clippy::too_many_arguments)]
    pub async fn org_status_action(
        &self,
        me: &CurrentUser,
        id: i64,
        action: StatusAction,
        reason: &str,
        doc_no: &str,
        on: Option<Date>,
        uscc: Option<&str>,
    ) -> Result<StatusOutcome> {
        let by = Principal::User(me.clone());
        require_writer(&by)?;
        let old = self.get_org(me, id).await?;
        let from = OrgStatus::parse(&old.status).ok_or_else(|| Error::internal("unknown status"))?;
        let to = action.apply(from).map_err(|m| Error::Conflict(m.to_owned()))?;
        let mode = RegistrationMode::parse(&old.registration_mode).unwrap_or(RegistrationMode::Registered);
        if !action.applies_to(mode) {
            return Err(Error::Conflict("备案的社区社会组织没有登记证书，不能吊销；请办理撤销备案".into()));
        }
        let now = self.now();
        let today = local_today(now);
        let on = on.unwrap_or(today);
        let mut errors = Vec::new();
        if reason.trim().is_empty() {
            errors.push(FieldError { field: "reason".into(), message: "请填写事由".into() });
        }
        if action.needs_document() && doc_no.trim().is_empty() {
            errors.push(FieldError { field: "doc_no".into(), message: "请填写决定文书号".into() });
        }
        if on > today {
            errors.push(FieldError { field: "on".into(), message: "日期不能晚于今天".into() });
        }
        let mut code = None;
        if action == StatusAction::ApproveRegistration {
            let kind = OrgKind::parse(&old.kind);
            match uscc.map(str::trim).filter(|s| !s.is_empty()).or(old.uscc.as_deref()) {
                None => errors
                    .push(FieldError {
                        field: "uscc".into(), message: "准予登记须填写统一社会信用代码".into()
                    }),
                Some(raw) => match hongling_domain::registry::uscc::Uscc::parse(raw) {
                    Err(e) => errors.push(FieldError { field: "uscc".into(), message: e.to_string() }),
                    Ok(c) => {
                        if let Some(k) = kind
                            && let Err(e) = c.check_civil_affairs_kind(k.uscc_type())
                        {
                            errors.push(FieldError { field: "uscc".into(), message: e.to_string() });
                        }
                        let d = OrgDraft { region_code: old.region_code.clone(), ..Default::default() };
                        errors.extend(self.check_in_db(&self.db, Some(me), &d, Some(c.as_str()), Some(&old)).await?);
                        code = Some(c.to_string());
                    }
                },
            }
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(errors));
        }
        if action.is_proposal(self.decision_approval(&old, today).await?) {
            let d = self.propose(&by, &old, action, reason.trim(), doc_no.trim(), on).await?;
            return Ok(StatusOutcome::Proposed(Box::new(d)));
        }
        let txn = begin_write(&self.db).await?;
        let cur = social_org::Entity::find_by_id(id).lock_exclusive().one(&txn).await?.ok_or(Error::NotFound)?;
        if cur.status != old.status {
            return Err(Error::Conflict("该组织的状态已被他人变更，请刷新页面".into()));
        }
        let change = StatusChange { action, to, on, reason: reason.trim(), doc_no: doc_no.trim(), uscc: code };
        let m = self.apply_status(&txn, &by, None, cur, change).await?;
        txn.commit().await?;
        Ok(StatusOutcome::Done(Box::new(m)))
    }

    /// Write a life-cycle change to a record locked in `txn`: the status, its
    /// event (with the approver where a second person decided it), the audit
    /// entry and the coverage state. `by` is who makes it take effect; the
    /// event names `proposer` as its actor when the change was proposed.
    pub(crate) async fn apply_status(
        &self,
        txn: &impl ConnectionTrait,
        by: &Principal,
        proposer: Option<&str>,
        cur: social_org::Model,
        c: StatusChange<'_>,
    ) -> Result<social_org::Model> {
        let now = self.now();
        let today = local_today(now);
        let mode = RegistrationMode::parse(&cur.registration_mode).unwrap_or(RegistrationMode::Registered);
        let before = OrgSnapshot::from(&cur);
        let old = cur.clone();
        let mut am: social_org::ActiveModel = cur.into();
        am.status = Set(c.to.as_str().to_owned());
        am.status_changed_on = Set(Some(c.on));
        if let Some(code) = c.uscc {
            am.uscc = Set(Some(code));
            am.sync_pending = Set(old.registration_mode == RegistrationMode::Registered.as_str());
            am.founded_on = Set(old.founded_on.or(Some(c.on)));
        }
        am.version = Set(old.version + 1);
        am.updated_at = Set(to_db(now));
        let m = am.update(txn).await.map_err(|e| {
            if is_unique_violation(&e) {
                Error::invalid("uscc", "该统一社会信用代码已被其他组织使用")
            } else {
                e.into()
            }
        })?;
        let changes = diff(&before, &OrgSnapshot::from(&m));
        let mut summary = format!("{}：{}（{}）", c.action.label_for(mode), m.name, c.doc_no);
        if let Some(p) = proposer {
            summary.push_str(&format!("，经办人 {p} 提出，负责人 {} 批准", by.actor_name()));
        }
        let ev = EventDraft {
            action: c.action.as_str(),
            effective_on: c.on,
            reason: c.reason,
            doc_no: c.doc_no,
            changes,
            actor: proposer.map(str::to_owned),
            approver: if proposer.is_some() { by.actor_name() } else { String::new() },
        };
        self.record_change(txn, by, Some(&before), &m, ev, summary).await?;
        // an organization that closes no longer counts, nor does it for its party organization
        self.party().refresh_orgs(txn, &[m.id], today).await?;
        let parties = self.party().party_orgs_of_orgs(txn, &[m.id]).await?;
        self.party().refresh_party_orgs(txn, &parties, today).await?;
        Ok(m)
    }

    /// Set the supervision class by daily conduct (`003§6`).
    pub async fn set_supervision_class(
        &self,
        me: &CurrentUser,
        id: i64,
        class: SupervisionClass,
        reason: &str,
    ) -> Result<social_org::Model> {
        let by = Principal::User(me.clone());
        require_writer(&by)?;
        if reason.trim().is_empty() {
            return Err(Error::invalid("reason", "请填写调整监管分类的事由"));
        }
        let old = self.get_org(me, id).await?;
        require_open(&old)?;
        let before = OrgSnapshot::from(&old);
        let now = self.now();
        let txn = begin_write(&self.db).await?;
        let mut am: social_org::ActiveModel = old.clone().into();
        am.supervision_class = Set(class.as_str().to_owned());
        am.version = Set(old.version + 1);
        am.updated_at = Set(to_db(now));
        let m = am.update(&txn).await?;
        let changes = diff(&before, &OrgSnapshot::from(&m));
        let summary = format!("调整监管分类：{} → {}", m.name, class.label());
        let ev = EventDraft {
            action: "supervision",
            effective_on: local_today(now),
            reason: reason.trim(),
            doc_no: "",
            changes,
            actor: None,
            approver: String::new(),
        };
        self.record_change(&txn, &by, Some(&before), &m, ev, summary).await?;
        txn.commit().await?;
        Ok(m)
    }

    pub async fn org_history(&self, me: &CurrentUser, id: i64) -> Result<Vec<org_event::Model>> {
        self.get_org(me, id).await?;
        Ok(store_orgs::history(&self.db, id).await?)
    }

    /// What the record said on `date` (None: it did not exist yet).
    pub async fn org_as_of(&self, me: &CurrentUser, id: i64, date: Date) -> Result<Option<OrgSnapshot>> {
        self.get_org(me, id).await?;
        match store_orgs::event_as_of(&self.db, id, date).await? {
            None => Ok(None),
            Some(e) => Ok(Some(serde_json::from_str(&e.snapshot_json).map_err(Error::internal)?)),
        }
    }

    /// The organization of an `org_account` user, checked against the
    /// administrator's subtree by `create_user`.
    pub(crate) async fn org_scope_of(&self, id: i64) -> Result<Scope> {
        let m = social_org::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::invalid("scope", "社会组织不存在"))?;
        let region = RegionCode::parse(&m.region_code).map_err(Error::internal)?;
        Ok(Scope::org(m.id, region))
    }

    // ---- supervisory units ----

    /// Every supervisory unit the caller may name: of their subtree and the
    /// regions above it (the same rule as the unit list and picker).
    pub async fn list_supervisory_units(&self, me: &CurrentUser) -> Result<Vec<supervisory_unit::Model>> {
        use sea_orm::QueryOrder;
        Ok(supervisory_unit::Entity::find()
            .filter(self.unit_visibility(me))
            .order_by_asc(supervisory_unit::Column::RegionCode)
            .order_by_asc(supervisory_unit::Column::Name)
            .all(&self.db)
            .await?)
    }

    pub async fn create_supervisory_unit(
        &self,
        by: &Principal,
        name: &str,
        region: &str,
    ) -> Result<supervisory_unit::Model> {
        let me = require_writer(by)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("name", "请填写单位名称"));
        }
        let code = RegionCode::parse(region).map_err(|e| Error::invalid("region_code", e.to_string()))?;
        if !self.region_in_scope(&self.db, me, code.as_str()).await? {
            return Err(Error::invalid("region_code", unreachable("区划")));
        }
        let now = self.now();
        let txn = begin_write(&self.db).await?;
        let u = supervisory_unit::ActiveModel {
            name: Set(name.to_owned()),
            region_code: Set(code.to_string()),
            created_at: Set(to_db(now)),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| if is_unique_violation(&e) { Error::invalid("name", "该单位已存在") } else { e.into() })?;
        audit::append(
            &txn,
            NewEntry {
                at: now,
                actor_user_id: by.actor_id(),
                actor: by.actor_name(),
                action: AuditAction::UnitCreate,
                entity_type: "supervisory_unit".into(),
                entity_id: u.id.to_string(),
                region_code: u.region_code.clone(),
                summary: format!("新增业务主管单位：{}", u.name),
                before: None,
                after: Some(json!({"name": u.name, "region_code": u.region_code})),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(u)
    }
}

pub(crate) fn draft_model(
    d: &OrgDraft,
    uscc: Option<String>,
    status: OrgStatus,
    today: Date,
    now: time::OffsetDateTime,
    sync_pending: bool,
) -> social_org::ActiveModel {
    let mut am = social_org::ActiveModel {
        status: Set(status.as_str().to_owned()),
        status_changed_on: Set(Some(today)),
        supervision_class: Set(SupervisionClass::Normal.as_str().to_owned()),
        sync_pending: Set(sync_pending),
        version: Set(1),
        created_at: Set(to_db(now)),
        updated_at: Set(to_db(now)),
        ..Default::default()
    };
    apply_draft(&mut am, d, uscc);
    am
}

pub(crate) fn apply_draft(am: &mut social_org::ActiveModel, d: &OrgDraft, uscc: Option<String>) {
    am.uscc = Set(uscc);
    am.name = Set(d.name.trim().to_owned());
    am.name_search = Set(search_form(&d.name));
    am.kind = Set(d.kind.map(|k| k.as_str()).unwrap_or_default().to_owned());
    am.registration_mode = Set(d.mode.map(|k| k.as_str()).unwrap_or_default().to_owned());
    am.category = Set(d.category.map(|k| k.as_str()).unwrap_or_default().to_owned());
    am.industry = Set(d.industry.trim().to_owned());
    am.authority_region = Set(d.authority_region.trim().to_owned());
    am.supervisory_unit_id = Set(d.supervisory_unit_id);
    am.industry_department_id = Set(d.industry_department_id);
    am.decoupled = Set(d.decoupled);
    am.region_code = Set(d.region_code.trim().to_owned());
    am.address = Set(d.address.trim().to_owned());
    am.lon_e6 = Set(e6(d.longitude));
    am.lat_e6 = Set(e6(d.latitude));
    am.legal_rep = Set(d.legal_rep.trim().to_owned());
    am.founded_on = Set(d.founded_on);
    am.staff_count = Set(d.staff_count);
    am.member_count = Set(d.member_count);
    am.charter_party_clause = Set(d.charter_party_clause);
    am.is_hub = Set(d.is_hub);
    am.is_brand = Set(d.is_brand);
    am.incubator = Set(d.incubator.trim().to_owned());
}

/// The draft a record would be edited from.
pub fn draft_of(m: &social_org::Model) -> OrgDraft {
    OrgDraft {
        uscc: m.uscc.clone().unwrap_or_default(),
        name: m.name.clone(),
        kind: OrgKind::parse(&m.kind),
        mode: RegistrationMode::parse(&m.registration_mode),
        category: Category::parse(&m.category),
        industry: m.industry.clone(),
        authority_region: m.authority_region.clone(),
        supervisory_unit_id: m.supervisory_unit_id,
        industry_department_id: m.industry_department_id,
        decoupled: m.decoupled,
        region_code: m.region_code.clone(),
        address: m.address.clone(),
        longitude: m.lon_e6.map(|v| v as f64 / 1e6),
        latitude: m.lat_e6.map(|v| v as f64 / 1e6),
        legal_rep: m.legal_rep.clone(),
        founded_on: m.founded_on,
        staff_count: m.staff_count,
        member_count: m.member_count,
        charter_party_clause: m.charter_party_clause,
        is_hub: m.is_hub,
        is_brand: m.is_brand,
        incubator: m.incubator.clone(),
    }
}

impl Registry<'_> {
    /// Add a registration document (登记材料: charter, certificate scans,
    /// approval letters) to an organization's record: a registry writer of
    /// its scope; the file is audited with the record's region.
    pub async fn add_org_file(
        &self,
        me: &CurrentUser,
        id: i64,
        filename: &str,
        bytes: Vec<u8>,
    ) -> Result<crate::attachments::AttachmentRef> {
        let by = Principal::User(me.clone());
        require_writer(&by)?;
        let org = self.get_org(me, id).await?;
        let txn = begin_write(&self.db).await?;
        let file = self
            .store_attachment(
                &txn,
                &by,
                crate::attachments::NewAttachment {
                    owner_kind: "social_org",
                    owner_id: org.id,
                    org_id: Some(org.id),
                    region_code: org.region_code.clone(),
                    filename: filename.to_owned(),
                    bytes,
                },
            )
            .await?;
        txn.commit().await?;
        Ok(file)
    }
}
