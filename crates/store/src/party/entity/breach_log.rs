use sea_orm::entity::prelude::*;

/// One entry of a breach's follow-up log: an assignment, a note, its closing.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "breach_logs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub breach_id: i64,
    pub logged_on: TimeDate,
    /// None: the system (the recompute)
    pub actor_id: Option<i64>,
    pub actor_name: String,
    /// note, assign, close
    pub kind: String,
    pub text: String,
    pub created_at: TimeDateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
