//! Two shared tables every later module uses (issue 12).
//!
//! `notices`: the in-app notice inbox (站内通知). A notice goes to one account
//! (`user_id`) or to every account of an organization (`org_id`); `dedup_key`
//! (unique, NULLs allowed) lets a job send "the same" reminder once however
//! often it runs. `read_at` is set when any recipient opens it.
//!
//! `attachments`: uploaded files (PDF, PNG, JPEG) kept in the database, so
//! that any server of several can serve them and a backup holds them. Each
//! belongs to one record of a module (`owner_kind`, `owner_id`) and, where the
//! record is an organization's, to that organization (`org_id`) and its
//! region (`region_code`), which decide who may download it.

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
        m.create_table(
            Table::create()
                .table("notices")
                .col(big_integer("id").auto_increment().primary_key())
                .col(big_integer_null("org_id"))
                .col(big_integer_null("user_id"))
                .col(string_len("kind", 48))
                .col(string_len("title", 200))
                .col(text("body"))
                .col(string_len("link", 300))
                .col(string_len_null("dedup_key", 160))
                .col(date_time("created_at"))
                .col(date_time_null("read_at"))
                .take(),
        )
        .await?;
        m.create_index(index("ix_notices_org", "notices", &["org_id", "read_at", "id"])).await?;
        m.create_index(index("ix_notices_user", "notices", &["user_id", "read_at", "id"])).await?;
        m.create_index(index("ux_notices_dedup", "notices", &["dedup_key"]).unique().take()).await?;

        m.create_table(
            Table::create()
                .table("attachments")
                .col(big_integer("id").auto_increment().primary_key())
                .col(string_len("owner_kind", 32))
                .col(big_integer("owner_id"))
                .col(big_integer_null("org_id"))
                .col(string_len("region_code", 12))
                .col(string_len("filename", 200))
                .col(string_len("content_type", 64))
                .col(big_integer("size_bytes"))
                .col(string_len("sha256", 64))
                .col(blob("content"))
                .col(big_integer_null("uploaded_by"))
                .col(string_len("uploaded_by_name", 64))
                .col(date_time("uploaded_at"))
                .take(),
        )
        .await?;
        m.create_index(index("ix_attachments_owner", "attachments", &["owner_kind", "owner_id", "id"])).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("attachments").take()).await?;
        m.drop_table(Table::drop().table("notices").take()).await
    }
}
