use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::migration::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("supervisory_units")
                .col(big_integer("id").auto_increment().primary_key())
                .col(string("name"))
                .col(string_len("region_code", 12))
                .col(date_time("created_at"))
                .take(),
        )
        .await?;
        m.create_index(
            index("ux_supervisory_units_name", "supervisory_units", &["region_code", "name"]).unique().take(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("social_orgs")
                .col(big_integer("id").auto_increment().primary_key())
                .col(string_len_null("uscc", 18))
                .col(string("name"))
                .col(string("name_search"))
                .col(string_len("kind", 32))
                .col(string_len("registration_mode", 16))
                .col(string_len("category", 32))
                .col(string("industry").default(""))
                .col(string_len("authority_region", 12))
                .col(big_integer_null("supervisory_unit_id"))
                .col(string_len("region_code", 12))
                .col(string("address").default(""))
                .col(big_integer_null("lon_e6"))
                .col(big_integer_null("lat_e6"))
                .col(string("legal_rep").default(""))
                .col(date_null("founded_on"))
                .col(integer_null("staff_count"))
                .col(integer_null("member_count"))
                .col(boolean("charter_party_clause").default(false))
                .col(boolean("is_hub").default(false))
                .col(boolean("is_brand").default(false))
                .col(string("incubator").default(""))
                .col(string_len("status", 32))
                .col(date_null("status_changed_on"))
                .col(string_len("supervision_class", 16).default("normal"))
                .col(boolean("sync_pending").default(false))
                .col(integer("version").default(1))
                .col(date_time("created_at"))
                .col(date_time("updated_at"))
                .foreign_key(
                    ForeignKey::create().from("social_orgs", "supervisory_unit_id").to("supervisory_units", "id"),
                )
                .take(),
        )
        .await?;
        m.create_index(index("ux_social_orgs_uscc", "social_orgs", &["uscc"]).unique().take()).await?;
        m.create_index(index("ix_social_orgs_region", "social_orgs", &["region_code", "id"])).await?;
        m.create_index(index("ix_social_orgs_status", "social_orgs", &["status", "region_code"])).await?;
        m.create_index(index("ix_social_orgs_kind", "social_orgs", &["kind", "region_code"])).await?;
        m.create_index(index("ix_social_orgs_category", "social_orgs", &["category", "region_code"])).await?;
        m.create_index(index("ix_social_orgs_unit", "social_orgs", &["supervisory_unit_id"])).await?;
        m.create_index(index("ix_social_orgs_name", "social_orgs", &["name"])).await?;

        // The name search index: every two-character gram of every name, with the
        // organization's region so a scoped search reads only its own subtree.
        m.create_table(
            Table::create()
                .table("org_name_grams")
                .col(string_len("gram", 8))
                .col(string_len("region_code", 12))
                .col(big_integer("org_id"))
                .primary_key(Index::create().col("gram").col("region_code").col("org_id"))
                .take(),
        )
        .await?;
        m.create_index(index("ix_org_name_grams_org", "org_name_grams", &["org_id"])).await?;

        m.create_table(
            Table::create()
                .table("org_events")
                .col(big_integer("id").auto_increment().primary_key())
                .col(big_integer("org_id"))
                .col(date("effective_on"))
                .col(date_time("at"))
                .col(string_len("action", 32))
                .col(string_len("actor", 64))
                .col(string("reason").default(""))
                .col(string("doc_no").default(""))
                .col(text("changes_json"))
                .col(text("snapshot_json"))
                .foreign_key(
                    ForeignKey::create()
                        .from("org_events", "org_id")
                        .to("social_orgs", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .take(),
        )
        .await?;
        m.create_index(index("ix_org_events_org", "org_events", &["org_id", "effective_on", "id"])).await?;

        m.create_table(
            Table::create()
                .table("import_jobs")
                .col(big_integer("id").auto_increment().primary_key())
                .col(big_integer("user_id"))
                .col(string("file_name"))
                .col(blob("content"))
                .col(string_len("status", 16))
                .col(text("summary_json"))
                .col(date_time("created_at"))
                .take(),
        )
        .await?;
        m.create_index(index("ix_import_jobs_user", "import_jobs", &["user_id", "id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["import_jobs", "org_events", "org_name_grams", "social_orgs", "supervisory_units"] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
