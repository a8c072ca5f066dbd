use sea_orm::entity::prelude::*;

/// Money a party organization received (party dues refunded, start-up funds, education funds).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "party_funds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub party_org_id: i64,
    pub kind: String,
    pub amount_fen: i64,
    pub received_on: TimeDate,
    pub doc_no: String,
    pub note: String,
    pub region_code: String,
    pub actor: String,
    pub created_at: TimeDateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
