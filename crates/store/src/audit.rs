//! The append-only, hash-chained audit log. `append` must be called inside the
//! transaction of the change it records: a failed change leaves no entry and a
//! failed entry fails the change.

use hongling_domain::audit::{AuditAction, Digest, EntryFields, GENESIS, HASH_VERSION, chain_hash, entry_hash};
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
    pub action: AuditAction,
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
            actor_user_id: e.actor_user_id,
            actor: &e.actor,
            action: e.action.as_str(),
            entity_type: &e.entity_type,
            entity_id: &e.entity_id,
            region_code: &e.region_code,
            summary: &e.summary,
            before: &before,
            after: &after,
        },
    );
    audit_log::ActiveModel {
        seq: Set(seq),
        at: Set(at),
        actor_user_id: Set(e.actor_user_id),
        actor: Set(e.actor),
        action: Set(e.action.as_str().to_owned()),
        entity_type: Set(e.entity_type),
        entity_id: Set(e.entity_id),
        region_code: Set(e.region_code),
        summary: Set(e.summary),
        before_json: Set(before),
        after_json: Set(after),
        prev_hash: Set(prev),
        hash: Set(hash.clone()),
        hash_v: Set(HASH_VERSION),
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
    /// Entries whose hashes were re-computed and matched.
    pub entries: i64,
    /// The first sequence number where the chain breaks, if it does.
    pub broken_at: Option<i64>,
    /// What is wrong there, in Chinese.
    pub problem: Option<String>,
    /// The chain's head as verified (the last entry's number and hash).
    pub head: Digest,
}

impl ChainReport {
    fn broken(entries: i64, seq: i64, head: Digest, problem: String) -> Self {
        Self { entries, broken_at: Some(seq), problem: Some(problem), head }
    }
}

/// The head as stored in `audit_head` (its last sequence number and hash).
pub async fn head(conn: &impl ConnectionTrait) -> Result<Digest, DbErr> {
    let h =
        audit_head::Entity::find_by_id(1).one(conn).await?.ok_or_else(|| DbErr::RecordNotFound("audit_head".into()))?;
    Ok(Digest { seq: h.seq, hash: h.hash })
}

/// Re-compute every hash, a thousand entries at a time, then compare the
/// last entry with the stored head (deleting the newest entries breaks
/// there), and with `digest`, a head exported earlier, if given.
pub async fn verify_chain(conn: &impl ConnectionTrait, digest: Option<&Digest>) -> Result<ChainReport, DbErr> {
    let mut prev = GENESIS.to_owned();
    let mut after_seq = 0i64;
    let mut entries = 0i64;
    let mut newest_version = 1i16;
    let at_head = |seq: i64, hash: &str| Digest { seq, hash: hash.to_owned() };
    loop {
        let batch = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gt(after_seq))
            .order_by_asc(audit_log::Column::Seq)
            .limit(1000)
            .all(conn)
            .await?;
        if batch.is_empty() {
            break;
        }
        for e in batch {
            let here = at_head(after_seq, &prev);
            if e.seq != after_seq + 1 {
                let msg = format!("缺少第 {}–{} 条记录（已被删除）", after_seq + 1, e.seq - 1);
                return Ok(ChainReport::broken(entries, after_seq + 1, here, msg));
            }
            let at_text = e.at.to_string();
            let fields = EntryFields {
                seq: e.seq,
                at: &at_text,
                actor_user_id: e.actor_user_id,
                actor: &e.actor,
                action: &e.action,
                entity_type: &e.entity_type,
                entity_id: &e.entity_id,
                region_code: &e.region_code,
                summary: &e.summary,
                before: &e.before_json,
                after: &e.after_json,
            };
            let expect = entry_hash(e.hash_v, &prev, &fields);
            if e.hash_v < newest_version || expect.as_deref() != Some(e.hash.as_str()) || e.prev_hash != prev {
                let msg = format!("第 {} 条记录的内容与哈希不符（记录被修改）", e.seq);
                return Ok(ChainReport::broken(entries, e.seq, here, msg));
            }
            newest_version = e.hash_v;
            if let Some(d) = digest
                && d.seq == e.seq
                && d.hash != e.hash
            {
                let msg = format!("第 {} 条记录与外部保存的摘要不符（该条或之前的记录被改写）", e.seq);
                return Ok(ChainReport::broken(entries, e.seq, here, msg));
            }
            prev = e.hash;
            after_seq = e.seq;
            entries += 1;
        }
    }
    let last = at_head(after_seq, &prev);
    let stored = head(conn).await?;
    if stored.seq > last.seq {
        let msg = format!("链头记录到第 {} 条，日志只到第 {} 条：最新的记录被删除", stored.seq, last.seq);
        return Ok(ChainReport::broken(entries, last.seq + 1, last, msg));
    }
    if stored != last {
        let msg = format!("链头（第 {} 条）与日志最后一条（第 {} 条）不符", stored.seq, last.seq);
        return Ok(ChainReport::broken(entries, last.seq, last, msg));
    }
    if let Some(d) = digest
        && d.seq > last.seq
    {
        let msg = format!("外部摘要记录到第 {} 条，日志只到第 {} 条：记录被删除", d.seq, last.seq);
        return Ok(ChainReport::broken(entries, last.seq + 1, last, msg));
    }
    Ok(ChainReport { entries, broken_at: None, problem: None, head: last })
}
