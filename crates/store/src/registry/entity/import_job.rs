use sea_orm::entity::prelude::*;

/// An uploaded file from its upload through its preview to the user's
/// decision. Kept in the database so that any server instance can show its
/// progress and finish the import.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub file_name: String,
    pub content: Vec<u8>,
    pub status: String,
    pub summary_json: String,
    pub created_at: TimeDateTime,
    /// What the page shows: the phase, or why the job ended.
    pub progress: String,
    /// Last report of the server reading or importing the file.
    pub heartbeat_at: Option<TimeDateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
