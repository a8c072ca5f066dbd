use sea_orm::entity::prelude::*;

/// An API token; only its SHA-256 is stored, the token itself is shown once.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The first characters of the token, to recognise it in a list.
    pub prefix: String,
    pub created_at: TimeDateTime,
    pub last_used_at: Option<TimeDateTime>,
    pub revoked_at: Option<TimeDateTime>,
    /// When it stops working (`None`: made before expiry existed; a year after `created_at`).
    pub expires_at: Option<TimeDateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
