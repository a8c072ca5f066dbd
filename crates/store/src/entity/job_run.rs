use sea_orm::entity::prelude::*;

/// A run of a background job; (job, run_key) is unique so that one server runs it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_runs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub job: String,
    pub run_key: String,
    pub region_code: String,
    pub actor: String,
    pub started_at: TimeDateTime,
    pub finished_at: Option<TimeDateTime>,
    pub result: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
