use sea_orm::entity::prelude::*;

/// A party-life record: 三会一课 or a themed party day.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "party_life")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub party_org_id: i64,
    pub kind: String,
    pub held_on: TimeDate,
    pub topic: String,
    /// 实到 / 应到; None when not recorded (a blank is not zero, m0007)
    pub attendees: Option<i32>,
    pub expected: Option<i32>,
    pub region_code: String,
    pub actor: String,
    pub created_at: TimeDateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
