use sea_orm::entity::prelude::*;

/// A coverage rule broken by an organization or a party organization, since a date.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coverage_breaches")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub rule: String,
    pub org_id: Option<i64>,
    pub party_org_id: Option<i64>,
    pub region_code: String,
    pub detail: String,
    pub since: TimeDate,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
