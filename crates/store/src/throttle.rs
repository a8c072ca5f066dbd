//! Throttle counters: `throttle_hits` holds one row per bucket and fixed
//! window. A hit is one upsert statement (no transaction of its own), so the
//! count is exact under concurrent servers on both databases.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, LikeExpr, OnConflict, Query};
use sea_orm::{ConnectionTrait, DbErr};

const TABLE: &str = "throttle_hits";

/// Count one more hit (or `n`) in `bucket`'s window and return the new total.
pub async fn hit(conn: &impl ConnectionTrait, bucket: &str, window: i64, n: i64) -> Result<i64, DbErr> {
    let stmt = Query::insert()
        .into_table(Alias::new(TABLE))
        .columns([Alias::new("bucket"), Alias::new("window_start"), Alias::new("hits")])
        .values([bucket.into(), window.into(), n.into()])
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(
            OnConflict::columns([Alias::new("bucket"), Alias::new("window_start")])
                .value(Alias::new("hits"), Expr::col((Alias::new(TABLE), Alias::new("hits"))).add(n))
                .to_owned(),
        )
        .returning_col(Alias::new("hits"))
        .to_owned();
    let row = conn.query_one(&stmt).await?.ok_or_else(|| DbErr::RecordNotFound(TABLE.into()))?;
    row.try_get("", "hits")
}

/// The hits of several buckets in their windows (absent ones count 0), in order.
pub async fn counts(conn: &impl ConnectionTrait, keys: &[(&str, i64)]) -> Result<Vec<i64>, DbErr> {
    let mut out = Vec::with_capacity(keys.len());
    for (bucket, window) in keys {
        let stmt = Query::select()
            .column(Alias::new("hits"))
            .from(Alias::new(TABLE))
            .and_where(Expr::col(Alias::new("bucket")).eq(*bucket))
            .and_where(Expr::col(Alias::new("window_start")).eq(*window))
            .to_owned();
        let row = conn.query_one(&stmt).await?;
        out.push(match row {
            Some(r) => r.try_get("", "hits")?,
            None => 0,
        });
    }
    Ok(out)
}

/// Forget every window of the buckets that start with `prefix` (an unlock).
pub async fn clear_prefix(conn: &impl ConnectionTrait, prefix: &str) -> Result<u64, DbErr> {
    let escaped: String =
        prefix.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
    let stmt = Query::delete()
        .from_table(Alias::new(TABLE))
        .and_where(Expr::col(Alias::new("bucket")).like(LikeExpr::new(format!("{escaped}%")).escape('\\')))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected())
}

/// Delete the windows that started before `before` (Unix seconds).
pub async fn purge(conn: &impl ConnectionTrait, before: i64) -> Result<u64, DbErr> {
    let stmt = Query::delete()
        .from_table(Alias::new(TABLE))
        .and_where(Expr::col(Alias::new("window_start")).lt(before))
        .to_owned();
    Ok(conn.execute(&stmt).await?.rows_affected())
}
