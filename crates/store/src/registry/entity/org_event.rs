use sea_orm::entity::prelude::*;

/// A dated change of an organization, with the whole record after it, so the
/// record as of any past date is the last snapshot effective on or before it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "org_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: i64,
    pub effective_on: TimeDate,
    pub at: TimeDateTime,
    pub action: String,
    pub actor: String,
    /// Who approved the change where a second person decided it (注销, 撤销,
    /// 吊销, 恢复); empty otherwise.
    pub approver: String,
    pub reason: String,
    pub doc_no: String,
    pub changes_json: String,
    pub snapshot_json: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
