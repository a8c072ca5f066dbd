//! The audit log read by people (issue 11, item 1): its page filters by
//! person, action and record and is ordered newest first, over millions of
//! entries. Each filter gets an index ending in `seq`, so a filtered page is
//! read backwards along it and stops after the page (no sort of the matches).
//! The region (`ix_audit_region_seq`) and the time (`ix_audit_at`) had theirs.
//! An action is also indexed with the region (`ix_audit_action_region`): a
//! rare action inside a wide subtree is then read by both and sorted (a few
//! thousand rows) instead of walking the subtree; a common one walks
//! `ix_audit_action_seq` backwards. Measured at 1M entries: docs/PERFORMANCE.md.

use sea_orm_migration::prelude::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("ix_audit_action_seq", "audit_log", &["action", "seq"])).await?;
        m.create_index(index("ix_audit_action_region", "audit_log", &["action", "region_code", "seq"])).await?;
        m.create_index(index("ix_audit_actor_seq", "audit_log", &["actor_user_id", "seq"])).await?;
        m.create_index(index("ix_audit_entity_seq", "audit_log", &["entity_type", "entity_id", "seq"])).await?;
        m.drop_index(Index::drop().name("ix_audit_entity").table("audit_log").to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("ix_audit_entity", "audit_log", &["entity_type", "entity_id"])).await?;
        for name in ["ix_audit_entity_seq", "ix_audit_actor_seq", "ix_audit_action_region", "ix_audit_action_seq"] {
            m.drop_index(Index::drop().name(name).table("audit_log").to_owned()).await?;
        }
        Ok(())
    }
}
