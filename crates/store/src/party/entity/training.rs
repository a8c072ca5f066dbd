use sea_orm::entity::prelude::*;

/// A training attended by a party member (secretaries) or an instructor.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trainings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: Option<i64>,
    pub instructor_id: Option<i64>,
    pub title: String,
    pub trained_on: TimeDate,
    pub hours: i32,
    pub organizer: String,
    pub region_code: String,
    pub actor: String,
    pub created_at: TimeDateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
