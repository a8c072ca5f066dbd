use sea_orm::entity::prelude::*;

/// A coverage rule broken by an organization or a party organization, first seen on `since`;
/// open while the rule fires, then closed (kept, with its log).
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
    /// first seen
    pub since: TimeDate,
    /// open, closed (`hongling_domain::party::breach_life::BreachStatus`)
    pub status: String,
    pub closed_on: Option<TimeDate>,
    pub assignee_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
