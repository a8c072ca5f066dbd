//! Coverage figures and breach lists (M2), computed by the database from the
//! maintained coverage state (`social_orgs.coverage_mode` and friends,
//! `coverage_breaches`) or from year-end snapshots.

use hongling_domain::party::breach_life::BreachStatus;
use hongling_domain::party::coverage::ChannelKind;
use hongling_domain::region::subtree_range;
use hongling_domain::registry::{Category, OrgKind, OrgStatus, RegistrationMode};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

use super::entity::{coverage_breach, coverage_snapshot};
use crate::registry::entity::social_org;

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
    pub registration_mode: Option<RegistrationMode>,
    pub kind: Option<OrgKind>,
    pub category: Option<Category>,
    pub channel_kind: Option<ChannelKind>,
}

impl CoverageFilter {
    pub fn has_dimensions(&self) -> bool {
        self.registration_mode.is_some()
            || self.kind.is_some()
            || self.category.is_some()
            || self.channel_kind.is_some()
    }

    /// The dimensions filtered on, with their stored identifiers.
    fn dimensions(&self) -> [(Dimension, Option<&'static str>); 4] {
        [
            (Dimension::RegistrationMode, self.registration_mode.map(RegistrationMode::as_str)),
            (Dimension::Kind, self.kind.map(OrgKind::as_str)),
            (Dimension::Category, self.category.map(Category::as_str)),
            (Dimension::ChannelKind, self.channel_kind.map(ChannelKind::as_str)),
        ]
    }
}

/// A dimension of the figures: a column of organizations and of snapshots alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    RegistrationMode,
    Kind,
    Category,
    ChannelKind,
}

/// How figure rows are grouped besides the coverage mode.
#[derive(Debug, Clone, Copy)]
pub enum Group {
    None,
    /// The first `n` characters of the region code: the child regions.
    Region(usize),
    /// A dimension: registration mode, kind, category or channel kind.
    Column(Dimension),
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

/// The columns a figure query reads: of the organizations (live) or of the
/// year-end snapshots, which carry the same dimensions.
#[derive(Clone, Copy)]
enum Col {
    RegionCode,
    CoverageMode,
    Dim(Dimension),
}

fn col(src: FigureSource, c: Col) -> Expr {
    use Dimension as D;
    match src {
        FigureSource::Live => Expr::col(match c {
            Col::RegionCode => social_org::Column::RegionCode,
            Col::CoverageMode => social_org::Column::CoverageMode,
            Col::Dim(D::RegistrationMode) => social_org::Column::RegistrationMode,
            Col::Dim(D::Kind) => social_org::Column::Kind,
            Col::Dim(D::Category) => social_org::Column::Category,
            Col::Dim(D::ChannelKind) => social_org::Column::ChannelKind,
        }),
        FigureSource::Year(_) => Expr::col(match c {
            Col::RegionCode => coverage_snapshot::Column::RegionCode,
            Col::CoverageMode => coverage_snapshot::Column::CoverageMode,
            Col::Dim(D::RegistrationMode) => coverage_snapshot::Column::RegistrationMode,
            Col::Dim(D::Kind) => coverage_snapshot::Column::Kind,
            Col::Dim(D::Category) => coverage_snapshot::Column::Category,
            Col::Dim(D::ChannelKind) => coverage_snapshot::Column::ChannelKind,
        }),
    }
}

fn figure_query(src: FigureSource, f: &CoverageFilter, group: Group) -> SelectStatement {
    let (lo, hi) = subtree_range(&f.region_prefix);
    let mut q = Query::select();
    match src {
        FigureSource::Live => {
            q.from(social_org::Entity).and_where(Expr::col(social_org::Column::Status).eq(OrgStatus::Active.as_str()))
        }
        FigureSource::Year(y) => {
            q.from(coverage_snapshot::Entity).and_where(Expr::col(coverage_snapshot::Column::Year).eq(y))
        }
    };
    let (orgs, breaches) = match src {
        FigureSource::Live => (Expr::cust("COUNT(*)"), Expr::col(social_org::Column::BreachCount).sum().if_null(0)),
        FigureSource::Year(_) => (
            Expr::col(coverage_snapshot::Column::Orgs).sum().if_null(0),
            Expr::col(coverage_snapshot::Column::Breaches).sum().if_null(0),
        ),
    };
    let key = match group {
        Group::None => Expr::val(""),
        Group::Region(n) => region_prefix_expr(n),
        Group::Column(d) => col(src, Col::Dim(d)),
    };
    q.expr_as(key.clone(), Alias::new("k"))
        .expr_as(col(src, Col::CoverageMode), Alias::new("coverage_mode"))
        .expr_as(orgs, Alias::new("n"))
        .expr_as(breaches, Alias::new("b"));
    q.and_where(col(src, Col::RegionCode).gte(lo)).and_where(col(src, Col::RegionCode).lt(hi));
    for (d, v) in f.dimensions() {
        if let Some(v) = v {
            q.and_where(col(src, Col::Dim(d)).eq(v));
        }
    }
    if !matches!(group, Group::None) {
        q.add_group_by([key]);
    }
    q.add_group_by([col(src, Col::CoverageMode)]);
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
        .filter(coverage_breach::Column::Status.eq(BreachStatus::Open.as_str()))
        .count(conn)
        .await?;
    Ok(n as i64)
}

/// Breaches by rule in a subtree.
pub async fn breach_counts(conn: &impl ConnectionTrait, region_prefix: &str) -> Result<Vec<(String, i64)>, DbErr> {
    let (lo, hi) = subtree_range(region_prefix);
    let q = Query::select()
        .column(coverage_breach::Column::Rule)
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(coverage_breach::Entity)
        .and_where(Expr::col(coverage_breach::Column::RegionCode).gte(lo))
        .and_where(Expr::col(coverage_breach::Column::RegionCode).lt(hi))
        .and_where(Expr::col(coverage_breach::Column::Status).eq(BreachStatus::Open.as_str()))
        .group_by_col(coverage_breach::Column::Rule)
        .order_by(coverage_breach::Column::Rule, Order::Asc)
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
        .from(coverage_breach::Entity)
        .and_where(Expr::col(coverage_breach::Column::RegionCode).gte(lo))
        .and_where(Expr::col(coverage_breach::Column::RegionCode).lt(hi))
        .and_where(Expr::col(coverage_breach::Column::Status).eq(BreachStatus::Open.as_str()))
        .add_group_by([key])
        .take();
    let rows = conn.query_all(&q).await?;
    rows.into_iter()
        .map(|r| Ok((r.try_get::<Option<String>>("", "k")?.unwrap_or_default(), r.try_get("", "n")?)))
        .collect()
}
