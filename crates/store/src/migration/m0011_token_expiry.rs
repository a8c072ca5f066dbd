//! API tokens expire (issue 10, finding 5). Tokens made before have no
//! `expires_at`; they expire a year after they were made
//! (`hongling_domain::auth::TokenPolicy`).

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
            Table::alter().table("api_tokens").add_column(ColumnDef::new("expires_at").date_time().null()).take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("api_tokens").drop_column("expires_at").take()).await
    }
}
