//! Export of any filtered list of organizations to .xlsx, in the import
//! template's columns (an export can be edited and imported again).

use hongling_domain::registry::{Category, OrgKind, OrgStatus, RegistrationMode, SupervisionClass};
use hongling_store::registry::entity::social_org;
use hongling_store::registry::orgs as store_orgs;

use super::Registry;
use crate::registry::orgs::OrgFilter;
use crate::tabular::{self, Cell};
use crate::{CurrentUser, Error, Result};

/// Largest export in one file.
pub const MAX_EXPORT_ROWS: u64 = 200_000;

fn yes(b: bool) -> Cell {
    Cell::Text(if b { "是" } else { "否" }.into())
}

fn text(s: &str) -> Cell {
    if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_owned()) }
}

impl Registry<'_> {
    pub async fn export_orgs(&self, me: &CurrentUser, f: &OrgFilter) -> Result<Vec<u8>> {
        let q = self.org_query(me, f)?;
        let n = store_orgs::count(&self.db, &q).await?;
        if n > MAX_EXPORT_ROWS {
            return Err(Error::invalid(
                "export",
                format!("符合条件的记录有 {n} 条，超过单次导出上限 {MAX_EXPORT_ROWS} 条，请缩小查询范围后分批导出"),
            ));
        }
        let units: std::collections::HashMap<i64, String> =
            self.list_supervisory_units(me).await.unwrap_or_default().into_iter().map(|u| (u.id, u.name)).collect();
        let mut rows = Vec::with_capacity(n as usize);
        let mut after = 0;
        loop {
            let batch = store_orgs::batch_after(&self.db, &q, after, 5000).await?;
            let Some(last) = batch.last() else { break };
            after = last.id;
            rows.extend(batch.iter().map(|m| export_row(m, &units)));
        }
        let headers: Vec<&str> = crate::registry::import::COLUMNS.iter().map(|c| c.0).collect();
        let count = rows.len();
        let bytes = tabular::write_xlsx("社会组织", &headers, rows).map_err(Error::internal)?;
        // exports carry personal data (legal representatives): who exported what is logged
        let txn = hongling_store::begin_write(&self.db).await?;
        hongling_store::audit::append(
            &txn,
            hongling_store::audit::NewEntry {
                at: self.now(),
                actor_user_id: Some(me.id),
                actor: me.username.clone(),
                action: "org.export".into(),
                entity_type: "social_org".into(),
                entity_id: "export".into(),
                region_code: q.region_prefix.clone(),
                summary: format!("导出社会组织名录 {count} 条"),
                before: None,
                after: Some(serde_json::json!({"filter": {
                    "region": f.region, "q": f.q, "kind": f.kind, "category": f.category,
                    "mode": f.mode, "status": f.status, "supervisory_unit_id": f.supervisory_unit_id
                }, "rows": count})),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(bytes)
    }
}

fn export_row(m: &social_org::Model, units: &std::collections::HashMap<i64, String>) -> Vec<Cell> {
    vec![
        text(m.uscc.as_deref().unwrap_or("")),
        text(&m.name),
        text(OrgKind::parse(&m.kind).map(|k| k.label()).unwrap_or(&m.kind)),
        text(RegistrationMode::parse(&m.registration_mode).map(|k| k.label()).unwrap_or(&m.registration_mode)),
        text(Category::parse(&m.category).map(|k| k.label()).unwrap_or(&m.category)),
        text(&m.industry),
        text(&m.authority_region),
        text(m.supervisory_unit_id.and_then(|id| units.get(&id)).map(String::as_str).unwrap_or("")),
        text(&m.region_code),
        text(&m.address),
        m.lon_e6.map(|v| Cell::Text(format!("{:.6}", v as f64 / 1e6))).unwrap_or(Cell::Empty),
        m.lat_e6.map(|v| Cell::Text(format!("{:.6}", v as f64 / 1e6))).unwrap_or(Cell::Empty),
        text(&m.legal_rep),
        m.founded_on.map(Cell::Date).unwrap_or(Cell::Empty),
        m.staff_count.map(|v| Cell::Int(v.into())).unwrap_or(Cell::Empty),
        m.member_count.map(|v| Cell::Int(v.into())).unwrap_or(Cell::Empty),
        yes(m.charter_party_clause),
        yes(m.is_hub),
        yes(m.is_brand),
        text(&m.incubator),
        text(OrgStatus::parse(&m.status).map(|s| s.label()).unwrap_or(&m.status)),
        text(SupervisionClass::parse(&m.supervision_class).map(|s| s.label()).unwrap_or(&m.supervision_class)),
    ]
}
