use sea_orm::entity::prelude::*;

/// Year-end coverage figures, evaluated with that year's policy values.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coverage_snapshots")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub year: i32,
    pub region_code: String,
    pub registration_mode: String,
    pub kind: String,
    pub category: String,
    pub channel_kind: String,
    pub coverage_mode: String,
    pub orgs: i32,
    pub breaches: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
