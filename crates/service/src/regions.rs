//! Regions for pages and the CLI.

use hongling_domain::RegionCode;
use hongling_domain::audit::AuditAction;
use hongling_store::audit::{self, NewEntry};
use hongling_store::begin_write;
use hongling_store::entity::region;
use hongling_store::regions::{self as store_regions, ImportReport, RegionRow};

use crate::{CurrentUser, Error, Hongling, Principal, Result};

impl Hongling {
    pub async fn region(&self, code: &str) -> Result<Option<region::Model>> {
        Ok(store_regions::get(&self.db, code).await?)
    }

    pub async fn region_full_name(&self, code: &RegionCode) -> Result<String> {
        Ok(store_regions::full_name(&self.db, code).await?)
    }

    /// A region inside the user's scope with its children, or `NotFound`.
    pub async fn region_with_children(
        &self,
        me: &CurrentUser,
        code: &str,
    ) -> Result<(region::Model, Vec<region::Model>)> {
        let prefix = me.region_prefix()?;
        if !prefix.contains_str(code) {
            return Err(Error::NotFound);
        }
        let r = store_regions::get(&self.db, code).await?.ok_or(Error::NotFound)?;
        let kids = store_regions::children(&self.db, code).await?;
        Ok((r, kids))
    }

    pub async fn search_regions(&self, me: &CurrentUser, q: &str, limit: u64) -> Result<Vec<region::Model>> {
        let prefix = me.region_prefix()?;
        Ok(store_regions::search(&self.db, prefix.as_str(), q.trim(), limit).await?)
    }

    /// Import region rows (CLI): all-or-nothing, one audit entry for the file.
    pub async fn import_regions(&self, by: &Principal, rows: Vec<RegionRow>, source: &str) -> Result<ImportReport> {
        let prefix = common_prefix(rows.iter().map(|r| r.code.as_str()));
        let txn = begin_write(&self.db).await?;
        let report = store_regions::upsert(&txn, rows).await?;
        audit::append(
            &txn,
            NewEntry {
                at: self.now(),
                actor_user_id: by.actor_id(),
                actor: by.actor_name(),
                action: AuditAction::RegionImport,
                entity_type: "region".into(),
                entity_id: source.chars().take(64).collect(),
                region_code: prefix,
                summary: format!("导入行政区划 {} 条（拒绝 {} 条）", report.accepted, report.rejected.len()),
                before: None,
                after: Some(serde_json::json!({"accepted": report.accepted, "rejected": report.rejected.len()})),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(report)
    }
}

/// The longest valid region prefix shared by all codes ("" when none).
pub(crate) fn common_prefix<'a>(mut codes: impl Iterator<Item = &'a str>) -> String {
    let Some(first) = codes.next() else { return String::new() };
    let mut len = first.len();
    for c in codes {
        len = first.bytes().zip(c.bytes()).take(len).take_while(|(a, b)| a == b).count();
    }
    [12, 9, 6, 4, 2].into_iter().find(|&l| l <= len).map(|l| first[..l].to_owned()).unwrap_or_default()
}

/// Read a region file (CSV or .csv.gz) for `import_regions`.
pub fn read_region_file(
    path: &std::path::Path,
) -> std::io::Result<(Vec<RegionRow>, Vec<hongling_store::regions::Rejected>)> {
    store_regions::read_file(path)
}

impl Hongling {
    /// Short labels for many region codes at once (county, township and
    /// village names; the full name for a province or city), in one query.
    pub async fn region_labels(&self, codes: &[String]) -> Result<std::collections::HashMap<String, String>> {
        use hongling_store::entity::region as r;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let mut wanted: std::collections::HashSet<String> = std::collections::HashSet::new();
        for c in codes {
            if let Ok(code) = RegionCode::parse(c) {
                wanted.extend(code.ancestors().into_iter().map(String::from));
                wanted.insert(code.to_string());
            }
        }
        let mut names = std::collections::HashMap::new();
        let list: Vec<String> = wanted.into_iter().collect();
        for chunk in list.chunks(500) {
            for m in r::Entity::find().filter(r::Column::Code.is_in(chunk.iter().cloned())).all(&self.db).await? {
                names.insert(m.code, m.name);
            }
        }
        let mut out = std::collections::HashMap::new();
        for c in codes {
            let Ok(code) = RegionCode::parse(c) else { continue };
            let mut path: Vec<RegionCode> = code.ancestors();
            path.push(code.clone());
            let parts: Vec<&str> = if path.len() <= 2 {
                path.iter().filter_map(|p| names.get(p.as_str()).map(String::as_str)).collect()
            } else {
                path.iter().skip(2).filter_map(|p| names.get(p.as_str()).map(String::as_str)).collect()
            };
            out.insert(c.clone(), parts.join(" "));
        }
        Ok(out)
    }

    /// The name of a registration authority: 东营市民政局, 文汇街道办事处…
    pub async fn authority_name(&self, code: &str) -> Result<String> {
        let Ok(rc) = RegionCode::parse(code) else { return Ok(code.to_owned()) };
        let name = self.region_full_name(&rc).await?;
        let last = self.region(code).await?.map(|r| r.name).unwrap_or_default();
        Ok(match rc.level() {
            hongling_domain::RegionLevel::Province => format!("{name}民政厅"),
            hongling_domain::RegionLevel::City | hongling_domain::RegionLevel::County => format!("{name}民政局"),
            _ if last.ends_with("街道") => format!("{name}办事处"),
            _ => format!("{name}人民政府"),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn common_prefix_snaps_to_levels() {
        assert_eq!(super::common_prefix(["370502001001", "370502002003"].into_iter()), "370502");
        assert_eq!(super::common_prefix(["370502001001", "510104001001"].into_iter()), "");
        assert_eq!(super::common_prefix(["3705"].into_iter()), "3705");
    }
}
