//! Breaches with a life (issue 11, item 5). A breach is no longer deleted when its rule stops
//! firing: it is closed (`status = 'closed'`, `closed_on`), keeps its first-seen date (`since`),
//! may be assigned to a user (`assignee_id`) and carries a follow-up log (`breach_logs`: date,
//! person, text). Existing rows are open breaches.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::migration::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let t = "coverage_breaches";
        m.alter_table(
            Table::alter()
                .table(t)
                .add_column(ColumnDef::new("status").string_len(16).not_null().default("open"))
                .take(),
        )
        .await?;
        m.alter_table(Table::alter().table(t).add_column(ColumnDef::new("closed_on").date().null()).take()).await?;
        m.alter_table(Table::alter().table(t).add_column(ColumnDef::new("assignee_id").big_integer().null()).take())
            .await?;
        // lists: open/closed within a subtree (by rule), and "assigned to"
        m.create_index(index("ix_coverage_breaches_status", t, &["status", "region_code", "rule"])).await?;
        m.create_index(index("ix_coverage_breaches_assignee", t, &["assignee_id", "status"])).await?;
        m.create_table(
            Table::create()
                .table("breach_logs")
                .col(big_integer("id").auto_increment().primary_key())
                .col(big_integer("breach_id"))
                .col(date("logged_on"))
                .col(big_integer_null("actor_id"))
                .col(string_len("actor_name", 64))
                .col(string_len("kind", 16))
                .col(string("text"))
                .col(date_time("created_at"))
                .take(),
        )
        .await?;
        m.create_index(index("ix_breach_logs_breach", "breach_logs", &["breach_id", "id"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("breach_logs").take()).await?;
        let t = "coverage_breaches";
        m.drop_index(Index::drop().name("ix_coverage_breaches_assignee").table(t).to_owned()).await?;
        m.drop_index(Index::drop().name("ix_coverage_breaches_status").table(t).to_owned()).await?;
        // closed breaches did not exist before
        m.exec_stmt(Query::delete().from_table(Alias::new(t)).and_where(Expr::col("status").eq("closed")).take())
            .await?;
        for c in ["assignee_id", "closed_on", "status"] {
            m.alter_table(Table::alter().table(t).drop_column(c).take()).await?;
        }
        Ok(())
    }
}
