use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("regions")
                .col(string_len("code", 12).primary_key())
                .col(string("name"))
                .col(small_integer("level"))
                .col(string_len_null("parent_code", 12))
                .col(string_len_null("urban_rural", 8))
                .take(),
        )
        .await?;
        m.create_index(index("ix_regions_parent", "regions", &["parent_code"])).await?;

        m.create_table(
            Table::create()
                .table("users")
                .col(big_integer("id").auto_increment().primary_key())
                .col(string_len_uniq("username", 64))
                .col(string("display_name"))
                .col(string_len("role", 32))
                .col(string_len("scope_kind", 16))
                .col(string_len("scope_region", 12))
                .col(big_integer_null("scope_ref_id"))
                .col(string("password_hash"))
                .col(integer("failed_logins").default(0))
                .col(date_time_null("locked_until"))
                .col(boolean("disabled").default(false))
                .col(date_time("created_at"))
                .col(date_time("updated_at"))
                .take(),
        )
        .await?;
        m.create_index(index("ix_users_scope_region", "users", &["scope_region"])).await?;

        m.create_table(
            Table::create()
                .table("sessions")
                .col(string_len("token_hash", 64).primary_key())
                .col(big_integer("user_id"))
                .col(string_len("csrf_token", 64))
                .col(date_time("created_at"))
                .col(date_time("last_seen_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("sessions", "user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(index("ix_sessions_user", "sessions", &["user_id"])).await?;

        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(big_integer("id").auto_increment().primary_key())
                .col(big_integer("user_id"))
                .col(string("name"))
                .col(string_len_uniq("token_hash", 64))
                .col(string_len("prefix", 16))
                .col(date_time("created_at"))
                .col(date_time_null("last_used_at"))
                .col(date_time_null("revoked_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("api_tokens", "user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("audit_head")
                .col(integer("id").primary_key())
                .col(big_integer("seq"))
                .col(string_len("hash", 64))
                .take(),
        )
        .await?;
        m.exec_stmt(
            Query::insert()
                .into_table("audit_head")
                .columns(["id", "seq", "hash"])
                .values_panic([1.into(), 0i64.into(), hongling_domain::audit::GENESIS.into()])
                .take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("audit_log")
                .col(big_integer("seq").primary_key())
                .col(date_time("at"))
                .col(big_integer_null("actor_user_id"))
                .col(string_len("actor", 64))
                .col(string_len("action", 64))
                .col(string_len("entity_type", 32))
                .col(string_len("entity_id", 64))
                .col(string_len("region_code", 12))
                .col(text("summary"))
                .col(text("before_json"))
                .col(text("after_json"))
                .col(string_len("prev_hash", 64))
                .col(string_len("hash", 64))
                .take(),
        )
        .await?;
        m.create_index(index("ix_audit_region_seq", "audit_log", &["region_code", "seq"])).await?;
        m.create_index(index("ix_audit_entity", "audit_log", &["entity_type", "entity_id"])).await?;
        m.create_index(index("ix_audit_at", "audit_log", &["at"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["audit_log", "audit_head", "api_tokens", "sessions", "users", "regions"] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
