use sea_orm::entity::prelude::*;

/// A party member. The ID number is stored encrypted (SM4-GCM), masked and as a keyed hash for uniqueness.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "party_members")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub gender: String,
    pub member_type: String,
    pub joined_on: Option<TimeDate>,
    pub formal_on: Option<TimeDate>,
    pub posts: String,
    pub employer_org_id: Option<i64>,
    pub party_org_id: Option<i64>,
    pub region_code: String,
    pub id_number_enc: Option<String>,
    pub id_number_mask: String,
    pub id_number_hmac: Option<String>,
    pub phone: String,
    pub left_on: Option<TimeDate>,
    pub version: i32,
    pub created_at: TimeDateTime,
    pub updated_at: TimeDateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
