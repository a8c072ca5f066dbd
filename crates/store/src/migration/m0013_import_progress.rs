//! Imports run in the background (issue 10, finding 8): the upload answers at
//! once and the page follows the job. `progress` is the Chinese text the page
//! shows (the phase, or why the job ended); `heartbeat_at` is the last time
//! the server working on it reported, so that a job left behind by a stopped
//! server is recognised (`hongling_domain::registry::IMPORT_STALE_AFTER`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("import_jobs")
                .add_column(ColumnDef::new("progress").text().not_null().default(""))
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter().table("import_jobs").add_column(ColumnDef::new("heartbeat_at").date_time().null()).take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("import_jobs").drop_column("heartbeat_at").take()).await?;
        m.alter_table(Table::alter().table("import_jobs").drop_column("progress").take()).await
    }
}
