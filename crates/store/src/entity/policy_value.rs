use sea_orm::entity::prelude::*;

/// A dated policy value of a region (None clears the region's own value).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "policy_values")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub region_code: String,
    pub param: String,
    pub value: Option<i64>,
    pub effective_from: TimeDate,
    pub basis: String,
    /// shipped with the product (the seed localities' profiles)
    pub builtin: bool,
    pub actor: String,
    pub created_at: TimeDateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
