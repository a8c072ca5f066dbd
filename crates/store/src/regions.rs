//! Regions: built-in data, file import and subtree queries.
//!
//! Subtree queries use the code prefix as a half-open range on the primary
//! key (`code >= '3705' AND code < '3705~'`), which both databases answer
//! from the B-tree index, also with 620k villages loaded.

use std::collections::HashSet;
use std::io::Read;

use hongling_domain::region::{RegionCode, RegionLevel, UrbanRural, subtree_range};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::region;

const PROVINCES: &str = include_str!("../data/provinces.csv");
const CITIES: &str = include_str!("../data/cities.csv");
const COUNTIES: &str = include_str!("../data/areas.csv");
const TOWNSHIPS: &str = include_str!("../data/streets.csv");
const SEED_VILLAGES: &str = include_str!("../data/villages-seed.csv");

/// One parsed row: code, name.
#[derive(Debug, Clone)]
pub struct RegionRow {
    pub code: RegionCode,
    pub name: String,
}

impl RegionRow {
    fn into_model(self) -> region::ActiveModel {
        let level = self.code.level();
        let urban_rural = (level == RegionLevel::Village)
            .then(|| UrbanRural::classify(&self.name))
            .flatten()
            .map(|c| c.as_str().to_owned());
        region::ActiveModel {
            code: sea_orm::Set(self.code.as_str().to_owned()),
            name: sea_orm::Set(self.name),
            level: sea_orm::Set(level.number() as i16),
            parent_code: sea_orm::Set(self.code.parent().map(String::from)),
            urban_rural: sea_orm::Set(urban_rural),
        }
    }
}

/// A rejected line of a region file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub line: u64,
    pub code: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub accepted: u64,
    pub rejected: Vec<Rejected>,
}

/// Parse a divisions CSV (header `code,name,...`). Bad lines are reported, not fatal.
pub fn parse_csv(reader: impl Read) -> Result<(Vec<RegionRow>, Vec<Rejected>), csv::Error> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = rdr.headers()?.clone();
    let code_ix = headers.iter().position(|h| h.trim_start_matches('\u{feff}') == "code").unwrap_or(0);
    let name_ix = headers.iter().position(|h| h == "name").unwrap_or(1);
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                rejected.push(Rejected { line, code: String::new(), reason: format!("无法读取该行：{e}") });
                continue;
            }
        };
        let code = rec.get(code_ix).unwrap_or("").trim().to_owned();
        let name = rec.get(name_ix).unwrap_or("").trim().to_owned();
        match RegionCode::parse(&code) {
            Ok(c) if !name.is_empty() => rows.push(RegionRow { code: c, name }),
            Ok(_) => rejected.push(Rejected { line, code, reason: "名称为空".into() }),
            Err(e) => rejected.push(Rejected { line, code, reason: e.to_string() }),
        }
    }
    Ok((rows, rejected))
}

/// Read a region file, plain or gzip-compressed.
pub fn read_file(path: &std::path::Path) -> std::io::Result<(Vec<RegionRow>, Vec<Rejected>)> {
    let file = std::fs::File::open(path)?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    parse_csv(reader).map_err(std::io::Error::other)
}

/// Insert or update rows, in batches. A row whose parent is neither in the
/// database nor earlier in the input is rejected. Call inside a transaction.
pub async fn upsert(conn: &impl ConnectionTrait, rows: Vec<RegionRow>) -> Result<ImportReport, DbErr> {
    let mut report = ImportReport::default();
    let mut rows = rows;
    rows.sort_by_key(|r| (r.code.level(), r.code.as_str().to_owned()));
    let mut seen: HashSet<String> = HashSet::new();
    for chunk in rows.chunks(500) {
        let parents: Vec<String> = chunk
            .iter()
            .filter_map(|r| r.code.parent().map(String::from))
            .filter(|p| !seen.contains(p))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut known: HashSet<String> = HashSet::new();
        for part in parents.chunks(500) {
            let found: Vec<String> = region::Entity::find()
                .select_only()
                .column(region::Column::Code)
                .filter(region::Column::Code.is_in(part.iter().cloned()))
                .into_tuple()
                .all(conn)
                .await?;
            known.extend(found);
        }
        let mut batch = Vec::with_capacity(chunk.len());
        for (i, r) in chunk.iter().enumerate() {
            let ok = match r.code.parent() {
                None => true,
                Some(p) => seen.contains(p.as_str()) || known.contains(p.as_str()),
            };
            if ok {
                seen.insert(r.code.as_str().to_owned());
                batch.push(r.clone().into_model());
            } else {
                report.rejected.push(Rejected {
                    line: i as u64,
                    code: r.code.as_str().to_owned(),
                    reason: "上级行政区划不存在".into(),
                });
            }
        }
        report.accepted += batch.len() as u64;
        if !batch.is_empty() {
            region::Entity::insert_many(batch)
                .on_conflict(OnConflict::column(region::Column::Code).update_columns([region::Column::Name]).to_owned())
                .exec_without_returning(conn)
                .await?;
        }
    }
    Ok(report)
}

fn parse_builtin(text: &str) -> Vec<RegionRow> {
    // The built-in files are checked by a test; a bad line here is a build defect.
    parse_csv(text.as_bytes()).map(|(rows, _)| rows).unwrap_or_default()
}

/// Load the built-in regions into an empty table (idempotent).
pub async fn load_builtin(db: &sea_orm::DatabaseConnection) -> Result<bool, DbErr> {
    if region::Entity::find().count(db).await? > 0 {
        return Ok(false);
    }
    let txn = crate::begin_write(db).await?;
    let mut rows = Vec::new();
    for text in [PROVINCES, CITIES, COUNTIES, TOWNSHIPS, SEED_VILLAGES] {
        rows.extend(parse_builtin(text));
    }
    upsert(&txn, rows).await?;
    txn.commit().await?;
    Ok(true)
}

/// Number of built-in rows, for tests and the demo banner.
pub fn builtin_counts() -> Vec<(RegionLevel, usize)> {
    [PROVINCES, CITIES, COUNTIES, TOWNSHIPS, SEED_VILLAGES]
        .iter()
        .zip([
            RegionLevel::Province,
            RegionLevel::City,
            RegionLevel::County,
            RegionLevel::Township,
            RegionLevel::Village,
        ])
        .map(|(t, l)| (l, parse_builtin(t).len()))
        .collect()
}

pub async fn get(conn: &impl ConnectionTrait, code: &str) -> Result<Option<region::Model>, DbErr> {
    region::Entity::find_by_id(code.to_owned()).one(conn).await
}

pub async fn children(conn: &impl ConnectionTrait, code: &str) -> Result<Vec<region::Model>, DbErr> {
    region::Entity::find()
        .filter(region::Column::ParentCode.eq(code))
        .order_by_asc(region::Column::Code)
        .all(conn)
        .await
}

/// The region and its ancestors, from the province down.
pub async fn path(conn: &impl ConnectionTrait, code: &RegionCode) -> Result<Vec<region::Model>, DbErr> {
    let mut codes: Vec<String> = code.ancestors().into_iter().map(String::from).collect();
    codes.push(code.as_str().to_owned());
    region::Entity::find().filter(region::Column::Code.is_in(codes)).order_by_asc(region::Column::Level).all(conn).await
}

/// The full name, e.g. 山东省东营市东营区 (市辖区 is skipped as NBS does).
pub async fn full_name(conn: &impl ConnectionTrait, code: &RegionCode) -> Result<String, DbErr> {
    Ok(path(conn, code)
        .await?
        .into_iter()
        .filter(|r| r.name != "市辖区" && r.name != "县")
        .map(|r| r.name)
        .collect::<Vec<_>>()
        .join(""))
}

/// How many regions of each level lie in the subtree (the root included).
pub async fn count_by_level(conn: &impl ConnectionTrait, prefix: &str) -> Result<Vec<(i16, i64)>, DbErr> {
    let (lo, hi) = subtree_range(prefix);
    region::Entity::find()
        .select_only()
        .column(region::Column::Level)
        .column_as(Expr::col(region::Column::Code).count(), "n")
        .filter(region::Column::Code.gte(lo))
        .filter(region::Column::Code.lt(hi))
        .group_by(region::Column::Level)
        .order_by_asc(region::Column::Level)
        .into_tuple()
        .all(conn)
        .await
}

/// Regions whose name contains `q`, inside the subtree, for pickers.
pub async fn search(
    conn: &impl ConnectionTrait,
    prefix: &str,
    q: &str,
    limit: u64,
) -> Result<Vec<region::Model>, DbErr> {
    let (lo, hi) = subtree_range(prefix);
    region::Entity::find()
        .filter(region::Column::Code.gte(lo))
        .filter(region::Column::Code.lt(hi))
        .filter(region::Column::Name.contains(q))
        .order_by_asc(region::Column::Level)
        .order_by_asc(region::Column::Code)
        .limit(limit)
        .all(conn)
        .await
}

/// Urban communities in the subtree.
pub async fn count_urban(conn: &impl ConnectionTrait, prefix: &str) -> Result<i64, DbErr> {
    let (lo, hi) = subtree_range(prefix);
    let n = region::Entity::find()
        .filter(region::Column::Code.gte(lo))
        .filter(region::Column::Code.lt(hi))
        .filter(region::Column::UrbanRural.eq(UrbanRural::Urban.as_str()))
        .count(conn)
        .await?;
    Ok(n as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_files_parse_completely() {
        for text in [PROVINCES, CITIES, COUNTIES, TOWNSHIPS, SEED_VILLAGES] {
            let (rows, rejected) = parse_csv(text.as_bytes()).expect("csv");
            assert!(rejected.is_empty(), "{rejected:?}");
            assert!(!rows.is_empty());
        }
        let counts = builtin_counts();
        assert_eq!(counts[0].1, 31);
        assert_eq!(counts[3].1, 41_352);
        assert_eq!(counts[4].1, 2_950);
    }

    #[test]
    fn parse_reports_bad_lines() {
        let text = "code,name\n37,山东省\n3x05,坏\n370502,\n";
        let (rows, rejected) = parse_csv(text.as_bytes()).expect("csv");
        assert_eq!(rows.len(), 1);
        assert_eq!(rejected.len(), 2);
        assert_eq!(rejected[0].line, 3);
    }
}
