use sea_orm::entity::prelude::*;

/// An in-app notice (站内通知) to one account (`user_id`) or to every account
/// of an organization (`org_id`). `dedup_key` is unique where set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_id: Option<i64>,
    pub user_id: Option<i64>,
    /// what sent it (`annual_report.reminder`, `rectification.issued`…)
    pub kind: String,
    pub title: String,
    pub body: String,
    /// the page it is about ("" for none)
    pub link: String,
    pub dedup_key: Option<String>,
    pub created_at: TimeDateTime,
    pub read_at: Option<TimeDateTime>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
