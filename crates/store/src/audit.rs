//! The append-only, hash-chained audit log. `append` must be called inside the
//! transaction of the change it records: a failed change leaves no entry and a
//! failed entry fails the change.

use hongling_domain::audit::{EntryFields, GENESIS, chain_hash};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    Statement,
};
use time::OffsetDateTime;

use crate::entity::{audit_head, audit_log};
use crate::to_db;

/// What happened, by whom, to what.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub at: OffsetDateTime,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub region_code: String,
    pub summary: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

fn json_text(v: &Option<serde_json::Value>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

/// Append one entry and advance the chain head. The first statement is an
/// UPDATE of the head row, which holds the writer lock until commit on both
/// databases, so the chain stays linear under concurrent writers.
pub async fn append(conn: &impl ConnectionTrait, e: NewEntry) -> Result<i64, DbErr> {
    let backend = conn.get_database_backend();
    let row = conn
        .query_one_raw(Statement::from_string(
            backend,
            "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash".to_owned(),
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("audit_head".into()))?;
    let seq: i64 = row.try_get("", "seq")?;
    let prev: String = row.try_get("", "hash")?;
    let at = to_db(e.at);
    let at_text = at.to_string();
    let before = json_text(&e.before);
    let after = json_text(&e.after);
    let hash = chain_hash(
        &prev,
        &EntryFields {
            seq,
            at: &at_text,
            actor: &e.actor,
            action: &e.action,
            entity_type: &e.entity_type,
            entity_id: &e.entity_id,
            region_code: &e.region_code,
            before: &before,
            after: &after,
        },
    );
    audit_log::ActiveModel {
        seq: Set(seq),
        at: Set(at),
        actor_user_id: Set(e.actor_user_id),
        actor: Set(e.actor),
        action: Set(e.action),
        entity_type: Set(e.entity_type),
        entity_id: Set(e.entity_id),
        region_code: Set(e.region_code),
        summary: Set(e.summary),
        before_json: Set(before),
        after_json: Set(after),
        prev_hash: Set(prev),
        hash: Set(hash.clone()),
    }
    .insert(conn)
    .await?;
    conn.execute(
        &Query::update()
            .table(audit_head::Entity)
            .value(audit_head::Column::Hash, hash)
            .and_where(Expr::col(audit_head::Column::Id).eq(1))
            .take(),
    )
    .await?;
    Ok(seq)
}

/// The result of re-computing the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub entries: i64,
    /// The first sequence number whose hash does not match, if any.
    pub broken_at: Option<i64>,
}

/// Re-compute every hash, a thousand entries at a time.
pub async fn verify_chain(conn: &impl ConnectionTrait) -> Result<ChainReport, DbErr> {
    let mut prev = GENESIS.to_owned();
    let mut after_seq = 0i64;
    let mut entries = 0i64;
    loop {
        let batch = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gt(after_seq))
            .order_by_asc(audit_log::Column::Seq)
            .limit(1000)
            .all(conn)
            .await?;
        if batch.is_empty() {
            return Ok(ChainReport { entries, broken_at: None });
        }
        for e in batch {
            let at_text = e.at.to_string();
            let expect = chain_hash(
                &prev,
                &EntryFields {
                    seq: e.seq,
                    at: &at_text,
                    actor: &e.actor,
                    action: &e.action,
                    entity_type: &e.entity_type,
                    entity_id: &e.entity_id,
                    region_code: &e.region_code,
                    before: &e.before_json,
                    after: &e.after_json,
                },
            );
            if e.prev_hash != prev || e.hash != expect || e.seq != after_seq + 1 {
                return Ok(ChainReport { entries, broken_at: Some(e.seq) });
            }
            prev = e.hash;
            after_seq = e.seq;
            entries += 1;
        }
    }
}
