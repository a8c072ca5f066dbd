//! Coverage figures and breach lists (M2), computed by the database from the
//! maintained coverage state (`social_orgs.coverage_mode` and friends,
//! `coverage_breaches`) or from year-end snapshots.

use hongling_domain::region::subtree_range;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

use super::entity::coverage_breach;

/// Where figures come from: the live state, or the snapshot of a year's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureSource {
    Live,
    Year(i32),
}

/// Filters of the coverage figures. `region_prefix` is the caller's scope
/// (already narrowed by a region filter) and is always applied.
#[derive(Debug, Clone, Default)]
pub struct CoverageFilter {
    pub region_prefix: String,
    pub registration_mode: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub channel_kind: Option<String>,
}

impl CoverageFilter {
    pub fn has_dimensions(&self) -> bool {
        [&self.registration_mode, &self.kind, &self.category, &self.channel_kind].iter().any(|v| v.is_some())
    }
}

/// How figure rows are grouped besides the coverage mode.
#[derive(Debug, Clone, Copy)]
pub enum Group {
    None,
    /// The first `n` characters of the region code: the child regions.
    Region(usize),
    /// A column: `registration_mode`, `kind`, `category` or `channel_kind`.
    Column(&'static str),
}

/// Organizations of one group and coverage mode, and their breaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigureRow {
    pub key: String,
    pub coverage_mode: String,
    pub orgs: i64,
    pub breaches: i64,
}

/// `SUBSTR(region_code, 1, n)` with the length written into the SQL (not a
/// bound parameter), so that PostgreSQL sees the selected and the grouped
/// expression as the same one.
fn region_prefix_expr(n: usize) -> Expr {
    Expr::cust(format!("SUBSTR(region_code, 1, {})", n.min(12)))
}

fn figure_query(src: FigureSource, f: &CoverageFilter, group: Group) -> SelectStatement {
    let (lo, hi) = subtree_range(&f.region_prefix);
    let mut q = Query::select();
    let (table, orgs, breaches) = match src {
        FigureSource::Live => ("social_orgs", Expr::cust("COUNT(*)"), Expr::cust("COALESCE(SUM(breach_count), 0)")),
        FigureSource::Year(_) => {
            ("coverage_snapshots", Expr::cust("COALESCE(SUM(orgs), 0)"), Expr::cust("COALESCE(SUM(breaches), 0)"))
        }
    };
    q.from(Alias::new(table));
    let key = match group {
        Group::None => Expr::val(""),
        Group::Region(n) => region_prefix_expr(n),
        Group::Column(c) => Expr::col(Alias::new(c)),
    };
    q.expr_as(key.clone(), Alias::new("k"))
        .column(Alias::new("coverage_mode"))
        .expr_as(orgs, Alias::new("n"))
        .expr_as(breaches, Alias::new("b"));
    match src {
        FigureSource::Live => {
            q.and_where(Expr::col(Alias::new("status")).eq("active"));
        }
        FigureSource::Year(y) => {
            q.and_where(Expr::col(Alias::new("year")).eq(y));
        }
    }
    q.and_where(Expr::col(Alias::new("region_code")).gte(lo)).and_where(Expr::col(Alias::new("region_code")).lt(hi));
    for (col, v) in [
        ("registration_mode", &f.registration_mode),
        ("kind", &f.kind),
        ("category", &f.category),
        ("channel_kind", &f.channel_kind),
    ] {
        if let Some(v) = v {
            q.and_where(Expr::col(Alias::new(col)).eq(v.as_str()));
        }
    }
    if !matches!(group, Group::None) {
        q.add_group_by([key]);
    }
    q.add_group_by([Expr::col(Alias::new("coverage_mode"))]);
    q
}

/// Figure rows of a subtree: one aggregate query over the covering index.
pub async fn figures(
    conn: &impl ConnectionTrait,
    src: FigureSource,
    f: &CoverageFilter,
    group: Group,
) -> Result<Vec<FigureRow>, DbErr> {
    let rows = conn.query_all(&figure_query(src, f, group)).await?;
    rows.into_iter()
        .map(|r| {
            Ok(FigureRow {
                key: r.try_get::<Option<String>>("", "k")?.unwrap_or_default(),
                coverage_mode: r.try_get("", "coverage_mode")?,
                orgs: r.try_get("", "n")?,
                breaches: r.try_get("", "b")?,
            })
        })
        .collect()
}

/// Breach records in a subtree. Without organization filters these count
/// every rule broken (organizations and party organizations); the figure for
/// a filtered set of organizations is the sum of their own breaches instead.
pub async fn breach_total(conn: &impl ConnectionTrait, src: FigureSource, f: &CoverageFilter) -> Result<i64, DbErr> {
    if f.has_dimensions() || src != FigureSource::Live {
        let rows = figures(conn, src, f, Group::None).await?;
        return Ok(rows.iter().map(|r| r.breaches).sum());
    }
    let (lo, hi) = subtree_range(&f.region_prefix);
    let n = coverage_breach::Entity::find()
        .filter(coverage_breach::Column::RegionCode.gte(lo))
        .filter(coverage_breach::Column::RegionCode.lt(hi))
        .count(conn)
        .await?;
    Ok(n as i64)
}

/// Breaches by rule in a subtree.
pub async fn breach_counts(conn: &impl ConnectionTrait, region_prefix: &str) -> Result<Vec<(String, i64)>, DbErr> {
    let (lo, hi) = subtree_range(region_prefix);
    let q = Query::select()
        .column(Alias::new("rule"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(Alias::new("coverage_breaches"))
        .and_where(Expr::col(Alias::new("region_code")).gte(lo))
        .and_where(Expr::col(Alias::new("region_code")).lt(hi))
        .group_by_col(Alias::new("rule"))
        .order_by(Alias::new("rule"), Order::Asc)
        .take();
    let rows = conn.query_all(&q).await?;
    rows.into_iter().map(|r| Ok((r.try_get("", "rule")?, r.try_get("", "n")?))).collect()
}

/// Breach records in a subtree by the first `n` characters of their region code.
pub async fn breaches_by_region(
    conn: &impl ConnectionTrait,
    region_prefix: &str,
    n: usize,
) -> Result<Vec<(String, i64)>, DbErr> {
    let (lo, hi) = subtree_range(region_prefix);
    let key = region_prefix_expr(n);
    let q = Query::select()
        .expr_as(key.clone(), Alias::new("k"))
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(Alias::new("coverage_breaches"))
        .and_where(Expr::col(Alias::new("region_code")).gte(lo))
        .and_where(Expr::col(Alias::new("region_code")).lt(hi))
        .add_group_by([key])
        .take();
    let rows = conn.query_all(&q).await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get::<Option<String>>("", "k")?.unwrap_or_default(), r.try_get("", "n")?)))
        .collect()
}
