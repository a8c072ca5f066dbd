//! Registry decisions need a second person (issue 11, item 2): a clerk's
//! proposal of 注销, 撤销, 吊销 or 恢复 waits in `org_decisions` until a leader
//! of the registration authority approves or returns it. At most one proposal
//! of an organization is pending (a partial unique index, so two clerks
//! proposing at once cannot both succeed). The change event written when a
//! proposal is approved names the approver beside the proposer
//! (`org_events.approver`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::migration::index;

const TABLE: &str = "org_decisions";
const PENDING: &str = "ux_org_decisions_pending";

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
                .table(TABLE)
                .col(big_integer("id").auto_increment().primary_key())
                .col(big_integer("org_id"))
                .col(string_len("region_code", 12))
                .col(string_len("action", 32))
                .col(string_len("status", 16))
                .col(string_len("from_status", 32))
                .col(text("reason"))
                .col(string("doc_no"))
                .col(date("effective_on"))
                .col(big_integer_null("proposed_by"))
                .col(string("proposed_by_name"))
                .col(date_time("proposed_at"))
                .col(big_integer_null("decided_by"))
                .col(string("decided_by_name").default(""))
                .col(date_time_null("decided_at"))
                .col(text("decision_note").default(""))
                .foreign_key(ForeignKey::create().from(TABLE, "org_id").to("social_orgs", "id"))
                .take(),
        )
        .await?;
        // backend: a partial unique index, supported alike by PostgreSQL and SQLite
        m.create_index(index(PENDING, TABLE, &["org_id"]).unique().and_where(Expr::col("status").eq("pending")).take())
            .await?;
        m.create_index(index("ix_org_decisions_queue", TABLE, &["status", "region_code", "id"])).await?;
        m.create_index(index("ix_org_decisions_org", TABLE, &["org_id", "id"])).await?;
        m.alter_table(
            Table::alter()
                .table("org_events")
                .add_column(ColumnDef::new("approver").string().not_null().default(""))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("org_events").drop_column("approver").take()).await?;
        m.drop_table(Table::drop().table(TABLE).take()).await
    }
}
