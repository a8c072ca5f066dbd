use sea_orm::entity::prelude::*;

/// One append-only audit entry; `hash` chains it to the entry before (SM3).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub at: TimeDateTime,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// The region the changed record lies in, so the log is scoped like the data.
    pub region_code: String,
    pub summary: String,
    pub before_json: String,
    pub after_json: String,
    pub prev_hash: String,
    pub hash: String,
    /// The hash version (`hongling_domain::audit::entry_hash`): 1 before issue 10, 2 since.
    pub hash_v: i16,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
