//! Shipped policy values as versioned data (SPEC §4): at most one shipped
//! (`builtin`) row per region, parameter and date, so that servers starting
//! at once cannot both insert the same shipped value. A locality's own rows
//! are not constrained (a correction of the same day is a second row).

use sea_orm_migration::prelude::*;

use crate::migration::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "policy_values";
const INDEX: &str = "ux_policy_values_builtin";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // the one-time loader of earlier releases could run twice when two
        // servers started on an empty database: keep the first of each
        // shipped row, so the unique index can be built
        let first = Query::select()
            .expr(Expr::col("id").min())
            .from(TABLE)
            .and_where(Expr::col("builtin").eq(true))
            .group_by_columns(["region_code", "param", "effective_from"])
            .take();
        m.exec_stmt(
            Query::delete()
                .from_table(TABLE)
                .and_where(Expr::col("builtin").eq(true))
                .and_where(Expr::col("id").not_in_subquery(first))
                .take(),
        )
        .await?;
        // backend: a partial unique index, supported alike by PostgreSQL and SQLite
        m.create_index(
            index(INDEX, TABLE, &["region_code", "param", "effective_from"])
                .unique()
                .and_where(Expr::col("builtin").eq(true))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name(INDEX).table(TABLE).to_owned()).await
    }
}
