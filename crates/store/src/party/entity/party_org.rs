use sea_orm::entity::prelude::*;

/// A party organization, with its maintained counts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "party_orgs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub org_type: String,
    pub region_code: String,
    pub channel_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub founded_on: Option<TimeDate>,
    pub dissolved_on: Option<TimeDate>,
    pub status: String,
    pub secretary_member_id: Option<i64>,
    pub secretary_since: Option<TimeDate>,
    pub venue_place: bool,
    pub venue_facilities: bool,
    pub venue_sign: bool,
    pub venue_flag: bool,
    pub venue_books: bool,
    pub venue_rules: bool,
    pub brand: String,
    pub is_demonstration: bool,
    pub star_rating: i32,
    pub covered_orgs: i32,
    pub formal_members: i32,
    pub probationary_members: i32,
    pub breach_count: i32,
    pub version: i32,
    pub created_at: TimeDateTime,
    pub updated_at: TimeDateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
