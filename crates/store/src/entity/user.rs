use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub scope_kind: String,
    pub scope_region: String,
    pub scope_ref_id: Option<i64>,
    pub password_hash: String,
    pub failed_logins: i32,
    pub locked_until: Option<TimeDateTime>,
    pub disabled: bool,
    pub created_at: TimeDateTime,
    pub updated_at: TimeDateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
