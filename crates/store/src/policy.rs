//! Policy values (SPEC §4): the shipped profiles and the values localities set.

use crate::entity::policy_value;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

/// Load the policy profiles shipped for the seed localities, once.
pub async fn load_builtin_policy(conn: &impl ConnectionTrait, now: time::OffsetDateTime) -> Result<(), DbErr> {
    let have = policy_value::Entity::find().filter(policy_value::Column::Builtin.eq(true)).count(conn).await?;
    if have > 0 {
        return Ok(());
    }
    for e in hongling_domain::policy::shipped() {
        policy_value::ActiveModel {
            region_code: Set(e.region),
            param: Set(e.param.key().to_owned()),
            value: Set(e.value),
            effective_from: Set(e.effective_from),
            basis: Set(e.basis),
            builtin: Set(true),
            actor: Set("系统内置".to_owned()),
            created_at: Set(crate::to_db(now)),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// Every policy value, in the order they were set (a small table).
pub async fn policy_entries(conn: &impl ConnectionTrait) -> Result<Vec<hongling_domain::policy::PolicyEntry>, DbErr> {
    let rows = policy_value::Entity::find().order_by_asc(policy_value::Column::Id).all(conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(hongling_domain::policy::PolicyEntry {
                seq: r.id,
                param: hongling_domain::policy::Param::parse(&r.param)?,
                region: r.region_code,
                value: r.value,
                effective_from: r.effective_from,
                basis: r.basis,
            })
        })
        .collect())
}
