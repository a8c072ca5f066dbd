//! Flash messages kept in the session (a notice or error shown once after a
//! redirect, never carried in the URL), and an index on region names for the
//! region picker's name lookups.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("sessions").add_column(text_null("flash")).take()).await?;
        m.create_index(index("ix_regions_name", "regions", &["name"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_regions_name").table("regions").to_owned()).await?;
        m.alter_table(Table::alter().table("sessions").drop_column("flash").take()).await?;
        Ok(())
    }
}
