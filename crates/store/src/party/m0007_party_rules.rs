//! Record rules of party coverage (issue 8): a blank attendance is not zero.
//! `party_life.attendees` and `expected` become nullable (None: not
//! recorded). Earlier releases stored a blank as 0, so an expected count of 0
//! (which already gave no attendance rate) becomes NULL, and so does an
//! attendance of 0 recorded with it; every other value is kept as it is.
//!
//! SQLite cannot change a column's nullability in place, so each column is
//! added anew, filled, and swapped for the old one (ADD, UPDATE, DROP,
//! RENAME: the same statements on both databases; no index names them).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "party_life";

/// Replace the integer column `col` by one of the same name, nullable or
/// `NOT NULL DEFAULT 0`, filled from `fill` (which reads the old columns).
async fn swap(m: &SchemaManager<'_>, col: &'static str, nullable: bool, fill: Expr) -> Result<(), DbErr> {
    let tmp = format!("{col}_m0007");
    let mut def = ColumnDef::new(Alias::new(tmp.as_str()));
    def.integer();
    if nullable {
        def.null();
    } else {
        def.not_null().default(0);
    }
    m.alter_table(Table::alter().table(TABLE).add_column(&mut def).take()).await?;
    m.exec_stmt(Query::update().table(TABLE).value(Alias::new(tmp.as_str()), fill).take()).await?;
    m.alter_table(Table::alter().table(TABLE).drop_column(col).take()).await?;
    m.alter_table(Table::alter().table(TABLE).rename_column(Alias::new(tmp.as_str()), col).take()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on both databases: the steps run on one connection
    /// (on SQLite a pooled connection with an older schema would not see the
    /// added column) and the swap is all or nothing.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // attendees first: it reads the old expected count
        let blank = Expr::col("expected").eq(0);
        let attendees =
            Expr::case(blank.clone().and(Expr::col("attendees").eq(0)), Expr::null()).finally(Expr::col("attendees"));
        swap(m, "attendees", true, attendees.into()).await?;
        let expected = Expr::case(blank, Expr::null()).finally(Expr::col("expected"));
        swap(m, "expected", true, expected.into()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["attendees", "expected"] {
            swap(m, col, false, Expr::col(col).if_null(0)).await?;
        }
        Ok(())
    }
}
