use sea_orm::entity::prelude::*;

/// A server-side login session. The cookie holds a random token; only its
/// SHA-256 is stored here, so a database leak does not leak live sessions.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub token_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: TimeDateTime,
    pub last_seen_at: TimeDateTime,
    /// A message to show once on the next page (JSON: kind, text).
    pub flash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
