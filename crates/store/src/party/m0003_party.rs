//! Party-organization coverage (M2): policy profiles, management channels,
//! party organizations and what they cover, members, instructors, "1+N"
//! hosts, party life, funds, training, the maintained coverage state and its
//! breaches, and background job runs.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::migration::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(from: (&'static str, &'static str), to: (&'static str, &'static str)) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).take()
}

fn cascade(from: (&'static str, &'static str), to: (&'static str, &'static str)) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Cascade).take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // dated policy values per region (SPEC §4)
        m.create_table(
            Table::create()
                .table("policy_values")
                .col(big_integer("id").auto_increment().primary_key())
                .col(string_len("region_code", 12))
                .col(string_len("param", 48))
                .col(big_integer_null("value"))
                .col(date("effective_from"))
                .col(string("basis").default(""))
                .col(boolean("builtin").default(false))
                .col(string_len("actor", 64))
                .col(date_time("created_at"))
                .take(),
        )
        .await?;
        m.create_index(index("ix_policy_values_region", "policy_values", &["region_code", "param", "effective_from"]))
            .await?;

        m.create_table(
            Table::create()
                .table("party_channels")
                .col(big_integer("id").auto_increment().primary_key())
                .col(string_len("kind", 32))
                .col(string("name"))
                .col(string_len("region_code", 12))
                .col(big_integer_null("supervisory_unit_id"))
                .col(big_integer_null("hub_org_id"))
                .col(date_time("created_at"))
                .foreign_key(&mut fk(("party_channels", "supervisory_unit_id"), ("supervisory_units", "id")))
                .foreign_key(&mut fk(("party_channels", "hub_org_id"), ("social_orgs", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("ux_party_channels_name", "party_channels", &["region_code", "name"]).unique().take())
            .await?;
        m.create_index(index("ix_party_channels_unit", "party_channels", &["supervisory_unit_id"])).await?;

        // the maintained coverage state of each organization
        for col in [
            big_integer_null("channel_id"),
            string_len("channel_kind", 32).default("").take(),
            boolean("channel_manual").default(false).take(),
            string_len("coverage_mode", 16).default("uncovered").take(),
            integer("formal_members").default(0).take(),
            integer("probationary_members").default(0).take(),
            integer("breach_count").default(0).take(),
        ] {
            m.alter_table(Table::alter().table("social_orgs").add_column(col).take()).await?;
        }
        // one covering index answers every coverage figure of a subtree
        m.create_index(index(
            "ix_social_orgs_coverage",
            "social_orgs",
            &[
                "status",
                "region_code",
                "coverage_mode",
                "registration_mode",
                "kind",
                "category",
                "channel_kind",
                "breach_count",
            ],
        ))
        .await?;
        m.create_index(index("ix_social_orgs_channel", "social_orgs", &["channel_id"])).await?;

        m.create_table(
            Table::create()
                .table("party_members")
                .col(big_integer("id").auto_increment().primary_key())
                .col(string("name"))
                .col(string_len("gender", 8).default(""))
                .col(string_len("member_type", 16))
                .col(date_null("joined_on"))
                .col(date_null("formal_on"))
                .col(string("posts").default(""))
                .col(big_integer_null("employer_org_id"))
                .col(big_integer_null("party_org_id"))
                .col(string_len("region_code", 12))
                .col(text_null("id_number_enc"))
                .col(string_len("id_number_mask", 24).default(""))
                .col(string_len_null("id_number_hmac", 64))
                .col(string_len("phone", 32).default(""))
                .col(date_null("left_on"))
                .col(integer("version").default(1))
                .col(date_time("created_at"))
                .col(date_time("updated_at"))
                .foreign_key(&mut fk(("party_members", "employer_org_id"), ("social_orgs", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("ix_party_members_employer", "party_members", &["employer_org_id"])).await?;
        m.create_index(index("ix_party_members_party_org", "party_members", &["party_org_id"])).await?;
        m.create_index(index("ix_party_members_region", "party_members", &["region_code", "id"])).await?;
        m.create_index(index("ux_party_members_idno", "party_members", &["id_number_hmac"]).unique().take()).await?;

        m.create_table(
            Table::create()
                .table("party_orgs")
                .col(big_integer("id").auto_increment().primary_key())
                .col(string("name"))
                .col(string_len("org_type", 32))
                .col(string_len("region_code", 12))
                .col(big_integer_null("channel_id"))
                .col(big_integer_null("parent_id"))
                .col(date_null("founded_on"))
                .col(date_null("dissolved_on"))
                .col(string_len("status", 16).default("active"))
                .col(big_integer_null("secretary_member_id"))
                .col(date_null("secretary_since"))
                .col(boolean("venue_place").default(false))
                .col(boolean("venue_facilities").default(false))
                .col(boolean("venue_sign").default(false))
                .col(boolean("venue_flag").default(false))
                .col(boolean("venue_books").default(false))
                .col(boolean("venue_rules").default(false))
                .col(string("brand").default(""))
                .col(boolean("is_demonstration").default(false))
                .col(integer("star_rating").default(0))
                .col(integer("covered_orgs").default(0))
                .col(integer("formal_members").default(0))
                .col(integer("probationary_members").default(0))
                .col(integer("breach_count").default(0))
                .col(integer("version").default(1))
                .col(date_time("created_at"))
                .col(date_time("updated_at"))
                .foreign_key(&mut fk(("party_orgs", "channel_id"), ("party_channels", "id")))
                .foreign_key(&mut fk(("party_orgs", "parent_id"), ("party_orgs", "id")))
                .foreign_key(&mut fk(("party_orgs", "secretary_member_id"), ("party_members", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("ix_party_orgs_region", "party_orgs", &["region_code", "id"])).await?;
        m.create_index(index("ix_party_orgs_parent", "party_orgs", &["parent_id"])).await?;
        m.create_index(index("ix_party_orgs_secretary", "party_orgs", &["secretary_member_id"])).await?;
        m.create_index(index("ix_party_orgs_channel", "party_orgs", &["channel_id"])).await?;

        // which organizations a party organization covers (one covering party organization each)
        m.create_table(
            Table::create()
                .table("party_org_orgs")
                .col(big_integer("org_id").primary_key())
                .col(big_integer("party_org_id"))
                .col(date("since"))
                .foreign_key(&mut cascade(("party_org_orgs", "org_id"), ("social_orgs", "id")))
                .foreign_key(&mut cascade(("party_org_orgs", "party_org_id"), ("party_orgs", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("ix_party_org_orgs_party_org", "party_org_orgs", &["party_org_id"])).await?;

        m.create_table(
            Table::create()
                .table("instructors")
                .col(big_integer("id").auto_increment().primary_key())
                .col(string("name"))
                .col(string_len("source", 32))
                .col(string_len("region_code", 12))
                .col(string("employer").default(""))
                .col(string_len("phone", 32).default(""))
                .col(big_integer_null("lon_e6"))
                .col(big_integer_null("lat_e6"))
                .col(integer_null("max_orgs"))
                .col(date_null("appointed_on"))
                .col(string_len("status", 16).default("active"))
                .col(string_len("assessment", 16).default(""))
                .col(integer_null("assessment_year"))
                .col(integer("load").default(0))
                .col(integer("version").default(1))
                .col(date_time("created_at"))
                .col(date_time("updated_at"))
                .take(),
        )
        .await?;
        m.create_index(index("ix_instructors_region", "instructors", &["region_code", "id"])).await?;

        m.create_table(
            Table::create()
                .table("instructor_assignments")
                .col(big_integer("org_id"))
                .col(big_integer("instructor_id"))
                .col(date("since"))
                .primary_key(Index::create().col("org_id").col("instructor_id"))
                .foreign_key(&mut cascade(("instructor_assignments", "org_id"), ("social_orgs", "id")))
                .foreign_key(&mut cascade(("instructor_assignments", "instructor_id"), ("instructors", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("ix_instructor_assignments_instructor", "instructor_assignments", &["instructor_id"]))
            .await?;

        // "1+N": a host organization with a strong party organization leads another
        m.create_table(
            Table::create()
                .table("host_links")
                .col(big_integer("org_id").primary_key())
                .col(big_integer("host_org_id"))
                .col(date("since"))
                .foreign_key(&mut cascade(("host_links", "org_id"), ("social_orgs", "id")))
                .foreign_key(&mut cascade(("host_links", "host_org_id"), ("social_orgs", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("ix_host_links_host", "host_links", &["host_org_id"])).await?;

        m.create_table(
            Table::create()
                .table("party_life")
                .col(big_integer("id").auto_increment().primary_key())
                .col(big_integer("party_org_id"))
                .col(string_len("kind", 32))
                .col(date("held_on"))
                .col(string("topic"))
                .col(integer("attendees").default(0))
                .col(integer("expected").default(0))
                .col(string_len("region_code", 12))
                .col(string_len("actor", 64))
                .col(date_time("created_at"))
                .foreign_key(&mut cascade(("party_life", "party_org_id"), ("party_orgs", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("ix_party_life_party_org", "party_life", &["party_org_id", "held_on"])).await?;
        m.create_index(index("ix_party_life_region", "party_life", &["region_code", "held_on"])).await?;

        m.create_table(
            Table::create()
                .table("party_funds")
                .col(big_integer("id").auto_increment().primary_key())
                .col(big_integer("party_org_id"))
                .col(string_len("kind", 32))
                .col(big_integer("amount_fen"))
                .col(date("received_on"))
                .col(string("doc_no").default(""))
                .col(string("note").default(""))
                .col(string_len("region_code", 12))
                .col(string_len("actor", 64))
                .col(date_time("created_at"))
                .foreign_key(&mut cascade(("party_funds", "party_org_id"), ("party_orgs", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("ix_party_funds_party_org", "party_funds", &["party_org_id", "received_on"])).await?;
        m.create_index(index("ix_party_funds_region", "party_funds", &["region_code", "received_on"])).await?;

        m.create_table(
            Table::create()
                .table("trainings")
                .col(big_integer("id").auto_increment().primary_key())
                .col(big_integer_null("member_id"))
                .col(big_integer_null("instructor_id"))
                .col(string("title"))
                .col(date("trained_on"))
                .col(integer("hours").default(0))
                .col(string("organizer").default(""))
                .col(string_len("region_code", 12))
                .col(string_len("actor", 64))
                .col(date_time("created_at"))
                .foreign_key(&mut cascade(("trainings", "member_id"), ("party_members", "id")))
                .foreign_key(&mut cascade(("trainings", "instructor_id"), ("instructors", "id")))
                .take(),
        )
        .await?;
        m.create_index(index("ix_trainings_member", "trainings", &["member_id", "trained_on"])).await?;
        m.create_index(index("ix_trainings_instructor", "trainings", &["instructor_id", "trained_on"])).await?;
        m.create_index(index("ix_trainings_region", "trainings", &["region_code", "trained_on"])).await?;

        // every rule broken now, maintained with the records it concerns
        m.create_table(
            Table::create()
                .table("coverage_breaches")
                .col(big_integer("id").auto_increment().primary_key())
                .col(string_len("rule", 32))
                .col(big_integer_null("org_id"))
                .col(big_integer_null("party_org_id"))
                .col(string_len("region_code", 12))
                .col(string("detail"))
                .col(date("since"))
                .take(),
        )
        .await?;
        m.create_index(index("ix_coverage_breaches_region", "coverage_breaches", &["region_code", "rule"])).await?;
        m.create_index(index("ix_coverage_breaches_org", "coverage_breaches", &["org_id"])).await?;
        m.create_index(index("ix_coverage_breaches_party_org", "coverage_breaches", &["party_org_id"])).await?;

        // year-end figures, evaluated with that year's policy values
        m.create_table(
            Table::create()
                .table("coverage_snapshots")
                .col(big_integer("id").auto_increment().primary_key())
                .col(integer("year"))
                .col(string_len("region_code", 12))
                .col(string_len("registration_mode", 16))
                .col(string_len("kind", 32))
                .col(string_len("category", 32))
                .col(string_len("channel_kind", 32))
                .col(string_len("coverage_mode", 16))
                .col(integer("orgs"))
                .col(integer("breaches"))
                .take(),
        )
        .await?;
        m.create_index(index("ix_coverage_snapshots", "coverage_snapshots", &["year", "region_code"])).await?;

        // background jobs shared by all server processes: one row per job and day
        m.create_table(
            Table::create()
                .table("job_runs")
                .col(big_integer("id").auto_increment().primary_key())
                .col(string_len("job", 64))
                .col(string_len("run_key", 64))
                .col(string_len("region_code", 12).default(""))
                .col(string_len("actor", 64))
                .col(date_time("started_at"))
                .col(date_time_null("finished_at"))
                .col(string("result").default(""))
                .take(),
        )
        .await?;
        m.create_index(index("ux_job_runs_key", "job_runs", &["job", "run_key"]).unique().take()).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "job_runs",
            "coverage_snapshots",
            "coverage_breaches",
            "trainings",
            "party_funds",
            "party_life",
            "host_links",
            "instructor_assignments",
            "instructors",
            "party_org_orgs",
            "party_orgs",
            "party_members",
            "party_channels",
            "policy_values",
        ] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
