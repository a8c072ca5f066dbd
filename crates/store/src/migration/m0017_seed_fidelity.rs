//! Seed fidelity (issue 11 item 18, `003§1`): an organization's 行业管理部门
//! (industry department) is recorded apart from its 业务主管单位, and a
//! decoupled (脱钩) organization is marked, so that neither moves it into a
//! department's management channel: directly registered and decoupled
//! organizations belong to the comprehensive party committee. The department
//! is a row of `supervisory_units` (the managed list of units and departments).
//! Both columns have defaults, so existing rows and inserts need no change.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("social_orgs")
                .add_column(ColumnDef::new("industry_department_id").big_integer().null())
                .take(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("social_orgs")
                .add_column(ColumnDef::new("decoupled").boolean().not_null().default(false))
                .take(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("social_orgs").drop_column("decoupled").take()).await?;
        m.alter_table(Table::alter().table("social_orgs").drop_column("industry_department_id").take()).await
    }
}
