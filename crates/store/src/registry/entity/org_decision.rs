use sea_orm::entity::prelude::*;

/// A proposed life-cycle decision (注销, 撤销, 吊销, 恢复) waiting for, or
/// decided by, a leader of the registration authority.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "org_decisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    /// The organization's region when it was proposed (the deciders' scope).
    pub region_code: String,
    /// a `StatusAction`
    pub action: String,
    /// a `DecisionStatus`
    pub status: String,
    /// The organization's status when it was proposed.
    pub from_status: String,
    pub reason: String,
    pub doc_no: String,
    pub effective_on: TimeDate,
    pub proposed_by: Option<i64>,
    pub proposed_by_name: String,
    pub proposed_at: TimeDateTime,
    pub decided_by: Option<i64>,
    pub decided_by_name: String,
    pub decided_at: Option<TimeDateTime>,
    /// The reason given when returning it.
    pub decision_note: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
