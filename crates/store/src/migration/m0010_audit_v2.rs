//! Audit chain version 2 (issue 10, finding 4): the hash covers every column
//! of an entry (the summary and the actor's user id too). `hash_v` says which
//! version an entry was hashed with; entries written before keep version 1.

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
                .table("audit_log")
                .add_column(ColumnDef::new("hash_v").small_integer().not_null().default(1))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("audit_log").drop_column("hash_v").take()).await
    }
}
