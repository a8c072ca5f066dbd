use sea_orm::entity::prelude::*;

/// The two-character grams of organization names, for name search in a subtree
/// (see `registry::orgs::name_condition`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "org_name_grams")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub gram: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub region_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub org_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
