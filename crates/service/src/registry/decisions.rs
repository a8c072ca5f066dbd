//! Registry decisions need a second person (issue 11, item 2): a clerk's
//! 注销, 撤销, 吊销 or 恢复 is kept as a proposal until a leader of the
//! registration authority (`registrar_leader`, `Action::RegistryDecide`)
//! approves it — the change is made then, in the approval's transaction — or
//! returns it with a reason. The rules (who may decide, what an approval
//! does, when it must be refused) are `hongling_domain::registry::decision`.

use hongling_domain::Action;
use hongling_domain::policy::Param;
use hongling_domain::region::subtree_range;
use hongling_domain::registry::decision::{DecisionStatus, Proposal, Refusal, Verdict, decide};
use hongling_domain::registry::{OrgStatus, RegistrationMode, StatusAction};
use hongling_domain::role::ScopeKind;
use hongling_store::registry::entity::{org_decision, social_org};
use hongling_store::{begin_write, is_unique_violation, to_db};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use serde_json::json;
use time::Date;
use utoipa::ToSchema;

use super::Registry;
use super::orgs::{StatusChange, local_today};
use crate::{CurrentUser, Error, FieldError, Principal, Result};

/// A proposed decision as pages and the API show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_uscc: Option<String>,
    /// deregister, revoke, revoke_licence, reinstate
    #[schema(value_type = StatusAction)]
    pub action: String,
    /// e.g. 注销登记, 注销备案
    pub action_label: String,
    /// pending, approved, returned
    #[schema(value_type = DecisionStatus)]
    pub status: String,
    pub status_label: String,
    pub reason: String,
    /// 决定文书号
    pub doc_no: String,
    /// The date the decision takes effect (YYYY-MM-DD).
    pub effective_on: String,
    pub proposed_by: String,
    /// UTC, RFC 3339
    pub proposed_at: String,
    /// Who approved or returned it (empty while pending).
    pub decided_by: String,
    pub decided_at: Option<String>,
    /// Why it was returned.
    pub decision_note: String,
}

fn rfc3339(t: time::PrimitiveDateTime) -> String {
    t.assume_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

const PENDING_CONFLICT: &str = "该组织已有一项待审批的申请，须等负责人批准或退回后才能再提出";

impl Registry<'_> {
    /// Whether the locality of an organization asks for a second person
    /// (the policy value in force at its registration authority on `on`).
    pub async fn decision_approval(&self, org: &social_org::Model, on: Date) -> Result<i64> {
        let region = if org.authority_region.is_empty() { &org.region_code } else { &org.authority_region };
        Ok(self.profile(region, on).await?.get_or(Param::RegistryDecisionApproval, 1))
    }

    /// Keep a clerk's action as a proposal (audited in its transaction). One
    /// proposal of an organization may be pending; a second is a conflict.
    pub(crate) async fn propose(
        &self,
        by: &Principal,
        org: &social_org::Model,
        action: StatusAction,
        reason: &str,
        doc_no: &str,
        on: Date,
    ) -> Result<org_decision::Model> {
        let now = self.now();
        let txn = begin_write(&self.db).await?;
        let pending = org_decision::Entity::find()
            .filter(org_decision::Column::OrgId.eq(org.id))
            .filter(org_decision::Column::Status.eq(DecisionStatus::Pending.as_str()))
            .count(&txn)
            .await?;
        if pending > 0 {
            return Err(Error::Conflict(PENDING_CONFLICT.into()));
        }
        let d = org_decision::ActiveModel {
            org_id: Set(org.id),
            region_code: Set(org.region_code.clone()),
            action: Set(action.as_str().to_owned()),
            status: Set(DecisionStatus::Pending.as_str().to_owned()),
            from_status: Set(org.status.clone()),
            reason: Set(reason.to_owned()),
            doc_no: Set(doc_no.to_owned()),
            effective_on: Set(on),
            proposed_by: Set(by.actor_id()),
            proposed_by_name: Set(by.actor_name()),
            proposed_at: Set(to_db(now)),
            decided_by: Set(None),
            decided_by_name: Set(String::new()),
            decided_at: Set(None),
            decision_note: Set(String::new()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| if is_unique_violation(&e) { Error::Conflict(PENDING_CONFLICT.into()) } else { e.into() })?;
        let mode = RegistrationMode::parse(&org.registration_mode).unwrap_or(RegistrationMode::Registered);
        let summary = format!("提出{}：{}（{}），待负责人审批", action.label_for(mode), org.name, doc_no);
        let after = json!({"org_id": org.id, "action": action.as_str(), "reason": reason, "doc_no": doc_no,
            "effective_on": on.to_string(), "from_status": org.status});
        self.audit(
            &txn,
            by,
            hongling_domain::audit::AuditAction::OrgDecisionPropose,
            "org_decision",
            d.id,
            &org.region_code,
            summary,
            None,
            Some(after),
        )
        .await?;
        txn.commit().await?;
        Ok(d)
    }

    /// The deciders' scope: a leader decides the proposals of their subtree.
    fn decision_scope(me: &CurrentUser) -> Condition {
        match me.scope.kind {
            ScopeKind::Region => {
                let (lo, hi) = subtree_range(me.scope.region.as_str());
                Condition::all()
                    .add(org_decision::Column::RegionCode.gte(lo))
                    .add(org_decision::Column::RegionCode.lt(hi))
            }
            // nothing: only region-scoped keepers of the register see proposals
            _ => Condition::all().add(org_decision::Column::Id.eq(0)),
        }
    }

    /// One proposal inside the caller's subtree, else `NotFound`.
    pub async fn get_decision(&self, me: &CurrentUser, id: i64) -> Result<org_decision::Model> {
        me.require(Action::RegistryWrite)?;
        org_decision::Entity::find_by_id(id)
            .filter(Self::decision_scope(me))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)
    }

    /// The proposals of the caller's subtree with `status` (pending: the
    /// leader's to-do list, oldest first; decided: newest first), at most `limit`.
    pub async fn decisions(&self, me: &CurrentUser, status: DecisionStatus, limit: u64) -> Result<Vec<DecisionView>> {
        me.require(Action::RegistryWrite)?;
        let mut q = org_decision::Entity::find()
            .filter(Self::decision_scope(me))
            .filter(org_decision::Column::Status.eq(status.as_str()));
        q = if status == DecisionStatus::Pending {
            q.order_by_asc(org_decision::Column::Id)
        } else {
            q.order_by_desc(org_decision::Column::DecidedAt).order_by_desc(org_decision::Column::Id)
        };
        let rows = q.limit(limit).all(&self.db).await?;
        self.decision_views(rows).await
    }

    /// How many proposals of the caller's subtree wait for a decision.
    pub async fn pending_decision_count(&self, me: &CurrentUser) -> Result<u64> {
        me.require(Action::RegistryWrite)?;
        Ok(org_decision::Entity::find()
            .filter(Self::decision_scope(me))
            .filter(org_decision::Column::Status.eq(DecisionStatus::Pending.as_str()))
            .count(&self.db)
            .await?)
    }

    /// The proposals of one organization (visible to the caller), newest first.
    pub async fn org_decisions(&self, me: &CurrentUser, org_id: i64) -> Result<Vec<DecisionView>> {
        self.get_org(me, org_id).await?;
        let rows = org_decision::Entity::find()
            .filter(org_decision::Column::OrgId.eq(org_id))
            .order_by_desc(org_decision::Column::Id)
            .limit(20)
            .all(&self.db)
            .await?;
        self.decision_views(rows).await
    }

    pub async fn decision_views(&self, rows: Vec<org_decision::Model>) -> Result<Vec<DecisionView>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
        let orgs: std::collections::HashMap<i64, social_org::Model> = social_org::Entity::find()
            .filter(social_org::Column::Id.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        Ok(rows
            .into_iter()
            .map(|d| {
                let org = orgs.get(&d.org_id);
                let mode = org
                    .and_then(|o| RegistrationMode::parse(&o.registration_mode))
                    .unwrap_or(RegistrationMode::Registered);
                let action_label =
                    StatusAction::parse(&d.action).map(|a| a.label_for(mode).to_owned()).unwrap_or(d.action.clone());
                let status_label =
                    DecisionStatus::parse(&d.status).map(|s| s.label().to_owned()).unwrap_or(d.status.clone());
                DecisionView {
                    id: d.id,
                    org_id: d.org_id,
                    org_name: org.map(|o| o.name.clone()).unwrap_or_default(),
                    org_uscc: org.and_then(|o| o.uscc.clone()),
                    action: d.action,
                    action_label,
                    status: d.status,
                    status_label,
                    reason: d.reason,
                    doc_no: d.doc_no,
                    effective_on: d.effective_on.to_string(),
                    proposed_by: d.proposed_by_name,
                    proposed_at: rfc3339(d.proposed_at),
                    decided_by: d.decided_by_name,
                    decided_at: d.decided_at.map(rfc3339),
                    decision_note: d.decision_note,
                }
            })
            .collect())
    }

    /// A leader approves (the change is made now, in this transaction, with
    /// the proposer and the approver in its event) or returns a proposal with
    /// a reason. Refused: one's own proposal, a decided one (409; of two
    /// leaders deciding at once, one wins), an organization whose status
    /// changed since (409), a return without a reason (422). Another
    /// subtree's proposal is not found.
    pub async fn decide(&self, me: &CurrentUser, id: i64, verdict: Verdict, note: &str) -> Result<org_decision::Model> {
        me.require(Action::RegistryDecide)?;
        let seen = self.get_decision(me, id).await?;
        let by = Principal::User(me.clone());
        let txn = begin_write(&self.db).await?;
        let d = org_decision::Entity::find_by_id(seen.id).lock_exclusive().one(&txn).await?.ok_or(Error::NotFound)?;
        let org = social_org::Entity::find_by_id(d.org_id).lock_exclusive().one(&txn).await?.ok_or(Error::NotFound)?;
        let action = StatusAction::parse(&d.action).ok_or_else(|| Error::internal("unknown decision action"))?;
        let p = Proposal {
            action,
            status: DecisionStatus::parse(&d.status).ok_or_else(|| Error::internal("unknown decision status"))?,
            proposed_by: d.proposed_by,
            from: OrgStatus::parse(&d.from_status).ok_or_else(|| Error::internal("unknown status"))?,
        };
        let current = OrgStatus::parse(&org.status).ok_or_else(|| Error::internal("unknown status"))?;
        let to = decide(&p, me.id, verdict, note, current).map_err(refused)?;
        let now = self.now();
        let status = if to.is_some() { DecisionStatus::Approved } else { DecisionStatus::Returned };
        // compare and set: of two leaders deciding at once, the second finds it decided
        let done = org_decision::Entity::update_many()
            .col_expr(org_decision::Column::Status, Expr::value(status.as_str()))
            .col_expr(org_decision::Column::DecidedBy, Expr::value(me.id))
            .col_expr(org_decision::Column::DecidedByName, Expr::value(by.actor_name()))
            .col_expr(org_decision::Column::DecidedAt, Expr::value(to_db(now)))
            .col_expr(org_decision::Column::DecisionNote, Expr::value(note.trim().to_owned()))
            .filter(org_decision::Column::Id.eq(d.id))
            .filter(org_decision::Column::Status.eq(DecisionStatus::Pending.as_str()))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            return Err(Error::Conflict("该申请已被他人处理，请刷新页面".into()));
        }
        let mode = RegistrationMode::parse(&org.registration_mode).unwrap_or(RegistrationMode::Registered);
        let label = action.label_for(mode);
        match to {
            Some(to) => {
                let change = StatusChange {
                    action,
                    to,
                    on: d.effective_on.min(local_today(now)),
                    reason: &d.reason,
                    doc_no: &d.doc_no,
                    uscc: None,
                };
                // the change's audit entry (org.<action>) names both people
                self.apply_status(&txn, &by, Some(&d.proposed_by_name), org, change).await?;
            }
            None => {
                let summary =
                    format!("退回{label}申请：{}（经办人 {}），理由：{}", org.name, d.proposed_by_name, note.trim());
                let after = json!({"status": status.as_str(), "note": note.trim()});
                self.audit(
                    &txn,
                    &by,
                    hongling_domain::audit::AuditAction::OrgDecisionReturn,
                    "org_decision",
                    d.id,
                    &d.region_code,
                    summary,
                    None,
                    Some(after),
                )
                .await?;
            }
        }
        let m = org_decision::Entity::find_by_id(d.id).one(&txn).await?.ok_or(Error::NotFound)?;
        txn.commit().await?;
        Ok(m)
    }
}

fn refused(r: Refusal) -> Error {
    if r.is_input() {
        Error::Invalid(vec![FieldError { field: "note".into(), message: r.message() }])
    } else {
        Error::Conflict(r.message())
    }
}
