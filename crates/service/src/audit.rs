//! Reading the audit log, scoped like the data it describes.

use hongling_store::audit::{self as store_audit, ChainReport};

use hongling_store::audit::{self as store_append, NewEntry};
use sea_orm::ConnectionTrait;

use crate::{Hongling, Principal, Result};

/// Midnight in Asia/Shanghai of a calendar date, as a UTC instant.
pub fn local_midnight(d: time::Date) -> time::OffsetDateTime {
    let cst = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    d.midnight().assume_offset(cst)
}

impl Hongling {
    pub async fn verify_audit_chain(&self) -> Result<ChainReport> {
        Ok(store_audit::verify_chain(&self.db).await?)
    }
}

impl Hongling {
    /// Append the audit entry of a change, in its transaction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn audit(
        &self,
        conn: &impl ConnectionTrait,
        by: &Principal,
        action: &str,
        entity_type: &str,
        entity_id: impl ToString,
        region_code: &str,
        summary: String,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Result<()> {
        store_append::append(
            conn,
            NewEntry {
                at: self.now(),
                actor_user_id: by.actor_id(),
                actor: by.actor_name(),
                action: action.to_owned(),
                entity_type: entity_type.to_owned(),
                entity_id: entity_id.to_string(),
                region_code: region_code.to_owned(),
                summary,
                before,
                after,
            },
        )
        .await?;
        Ok(())
    }
}
