//! Reading the audit log, scoped like the data it describes.

use hongling_domain::audit::{AuditAction, Digest};
use hongling_store::audit::{self as store_audit, ChainReport};

use hongling_store::audit::{self as store_append, NewEntry};
use sea_orm::ConnectionTrait;

use crate::{Error, Hongling, Principal, Result};

/// Midnight in Asia/Shanghai of a calendar date, as a UTC instant.
pub fn local_midnight(d: time::Date) -> time::OffsetDateTime {
    let cst = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    d.midnight().assume_offset(cst)
}

impl Hongling {
    /// Re-compute the chain and compare it with its head and, if given, with
    /// a digest exported earlier.
    pub async fn verify_audit_chain(&self, digest: Option<&Digest>) -> Result<ChainReport> {
        Ok(store_audit::verify_chain(&self.db, digest).await?)
    }

    /// The dated digest of a verified chain (`hongling audit digest`), one
    /// line to keep outside the system; a broken chain gives no digest.
    pub async fn audit_digest(&self) -> Result<String> {
        let r = self.verify_audit_chain(None).await?;
        if let Some(p) = r.problem {
            return Err(Error::Conflict(format!("审计日志校验未通过，不能生成摘要：{p}")));
        }
        Ok(format!("{} {}", crate::auth::local_time(self.now()), r.head.line()))
    }
}

impl Hongling {
    /// Append the audit entry of a change, in its transaction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn audit(
        &self,
        conn: &impl ConnectionTrait,
        by: &Principal,
        action: AuditAction,
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
                action,
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
