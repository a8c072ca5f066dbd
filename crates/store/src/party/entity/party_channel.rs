use sea_orm::entity::prelude::*;

/// A management channel: who runs the party building of the organizations assigned to it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "party_channels")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub region_code: String,
    pub supervisory_unit_id: Option<i64>,
    pub hub_org_id: Option<i64>,
    pub created_at: TimeDateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
