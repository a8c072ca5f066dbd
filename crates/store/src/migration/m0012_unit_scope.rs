//! Supervisor accounts are scoped to their supervisory unit (issue 10,
//! finding 9): scope kind `unit`, `scope_ref_id` the unit. Accounts created
//! before the link had a region scope; they become unit scopes without a unit
//! (`scope_ref_id` NULL), which see nothing until an administrator gives the
//! supervisor an account with its unit. No column is added: the unit is the
//! scope's record id, like an organization's or a party organization's.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.exec_stmt(
            Query::update()
                .table("users")
                .value("scope_kind", "unit")
                .value("scope_ref_id", Option::<i64>::None)
                .and_where(Expr::col("role").eq("supervisor"))
                .and_where(Expr::col("scope_kind").eq("region"))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.exec_stmt(
            Query::update()
                .table("users")
                .value("scope_kind", "region")
                .value("scope_ref_id", Option::<i64>::None)
                .and_where(Expr::col("role").eq("supervisor"))
                .and_where(Expr::col("scope_kind").eq("unit"))
                .take(),
        )
        .await
    }
}
