//! Throttle counters (issue 10): one row per bucket and fixed window, shared
//! by every server on the database. Login attempts and API calls are counted
//! here; old windows are deleted by the daily maintenance.

use sea_orm_migration::prelude::*;

use crate::migration::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("throttle_hits")
                .col(ColumnDef::new("bucket").string_len(96).not_null())
                .col(ColumnDef::new("window_start").big_integer().not_null())
                .col(ColumnDef::new("hits").big_integer().not_null().default(0))
                .primary_key(Index::create().col("bucket").col("window_start"))
                .take(),
        )
        .await?;
        // the purge of past windows
        m.create_index(index("ix_throttle_hits_window", "throttle_hits", &["window_start"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("throttle_hits").take()).await
    }
}
