use sea_orm::entity::prelude::*;

/// A party-building instructor (党建指导员).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instructors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub source: String,
    pub region_code: String,
    pub employer: String,
    pub phone: String,
    pub lon_e6: Option<i64>,
    pub lat_e6: Option<i64>,
    /// load limit; None: the policy profile's
    pub max_orgs: Option<i32>,
    pub appointed_on: Option<TimeDate>,
    pub status: String,
    pub assessment: String,
    pub assessment_year: Option<i32>,
    /// organizations assigned (maintained)
    pub load: i32,
    pub version: i32,
    pub created_at: TimeDateTime,
    pub updated_at: TimeDateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
