//! Coverage figures (M2): by region with drill-down, by dimension, year-end
//! figures, and their export.

use hongling_domain::audit::AuditAction;
use std::collections::{BTreeMap, HashMap};

use hongling_domain::party::coverage::{ChannelKind, CoverageMode, ModeCounts};
use hongling_domain::policy::Param;
use hongling_domain::registry::RegistrationMode;
use hongling_domain::{RegionCode, RegionLevel};
use hongling_store::party::figures::{self as store_party, CoverageFilter, Dimension, FigureRow, FigureSource, Group};
use hongling_store::{PageRequest, begin_write, regions};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

use super::Party;
use super::require_party_reader;
use crate::{CurrentUser, Error, Principal, Result};

// ---------- figures ----------

/// Filters of the coverage figures (page and `GET /api/v1/coverage`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// A region code inside your scope (default: your whole scope).
    pub region: Option<String>,
    /// registered or filed
    #[param(value_type = Option<hongling_domain::registry::RegistrationMode>)]
    pub mode: Option<String>,
    /// association, foundation, service_institution
    #[param(value_type = Option<hongling_domain::registry::OrgKind>)]
    pub kind: Option<String>,
    #[param(value_type = Option<hongling_domain::registry::Category>)]
    pub category: Option<String>,
    /// supervisory_unit, comprehensive_committee, township, industry_committee, hub_org
    #[param(value_type = Option<hongling_domain::party::coverage::ChannelKind>)]
    pub channel: Option<String>,
    /// A past year: its year-end figures (evaluated with that year's policy values).
    pub year: Option<i32>,
}

/// Organizations by coverage mode.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct ByMode {
    pub standalone: u64,
    pub joint_branch: u64,
    pub instructor: u64,
    pub host_led: u64,
    pub uncovered: u64,
}

impl From<ModeCounts> for ByMode {
    fn from(c: ModeCounts) -> Self {
        Self {
            standalone: c.standalone,
            joint_branch: c.joint_branch,
            instructor: c.instructor,
            host_led: c.host_led,
            uncovered: c.uncovered,
        }
    }
}

/// Coverage figures of a region (active organizations).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Coverage {
    pub region: String,
    pub region_name: String,
    /// null: live figures; else the year-end figures of that year
    pub year: Option<i32>,
    pub organizations: u64,
    pub covered: u64,
    pub by_mode: ByMode,
    /// 覆盖率, a fraction 0..1: covered by a party organization or party work
    pub coverage_rate: f64,
    /// 单建率, a fraction 0..1: with a party organization of their own
    pub standalone_rate: f64,
    /// rules broken (see /api/v1/coverage/breaches)
    pub breaches: u64,
    /// the policy targets in force for the region, fractions 0..1 (null: none
    /// set); on the base of these figures (registered and filed organizations)
    pub coverage_rate_target: Option<f64>,
    pub standalone_rate_target: Option<f64>,
    /// Registered organizations alone (登记类), the base of the reference
    /// figures a locality reported (`004` 锦江区): how many, the share with a
    /// party organization (own or joint, 党组织覆盖率) and with their own (单建率)
    pub registered_organizations: u64,
    pub registered_party_org_rate: f64,
    pub registered_standalone_rate: f64,
    /// reference levels in force (not targets), fractions 0..1, on the
    /// registered organizations (null: none set)
    pub registered_party_org_rate_reference: Option<f64>,
    pub registered_standalone_rate_reference: Option<f64>,
}

/// Figures of one child region (or one value of a dimension).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageRow {
    /// region code, or the dimension's value
    pub key: String,
    pub name: String,
    /// whether it can be opened one level down
    pub drill: bool,
    pub organizations: u64,
    pub covered: u64,
    pub by_mode: ByMode,
    pub coverage_rate: f64,
    pub standalone_rate: f64,
    pub breaches: u64,
}

fn counts_of(rows: &[FigureRow]) -> (ModeCounts, u64) {
    let mut c = ModeCounts::default();
    let mut b = 0;
    for r in rows {
        if let Some(m) = CoverageMode::parse(&r.coverage_mode) {
            c.add(m, r.orgs as u64);
        }
        b += r.breaches as u64;
    }
    (c, b)
}

fn row_of(key: String, name: String, drill: bool, c: ModeCounts, breaches: u64) -> CoverageRow {
    CoverageRow {
        key,
        name,
        drill,
        organizations: c.total(),
        covered: c.covered(),
        coverage_rate: c.coverage_rate(),
        standalone_rate: c.standalone_rate(),
        by_mode: c.into(),
        breaches,
    }
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.trim().is_empty())
}

impl Party<'_> {
    fn coverage_filter(&self, me: &CurrentUser, q: &CoverageQuery) -> Result<(CoverageFilter, FigureSource)> {
        require_party_reader(me)?;
        use hongling_domain::Labelled;
        use hongling_domain::registry::{Category, OrgKind};
        /// A filter's value by its identifier or label; an unknown one is refused.
        fn pick<T: Labelled>(c: &mut crate::input::Reader, field: &'static str, v: &Option<String>) -> Option<T> {
            let v = nonempty(v)?;
            let parsed = T::parse(&v);
            if parsed.is_none() {
                c.bad(field, format!("未知的筛选值：{v}"));
            }
            parsed
        }
        let mut c = crate::input::Reader::new();
        let registration_mode = pick::<RegistrationMode>(&mut c, "mode", &q.mode);
        let kind = pick::<OrgKind>(&mut c, "kind", &q.kind);
        let category = pick::<Category>(&mut c, "category", &q.category);
        let channel_kind = pick::<ChannelKind>(&mut c, "channel", &q.channel);
        c.finish(())?;
        let f = CoverageFilter {
            region_prefix: me.subtree(q.region.as_deref())?,
            registration_mode,
            kind,
            category,
            channel_kind,
        };
        let src = match q.year {
            Some(y) if y < self.today().year() => FigureSource::Year(y),
            _ => FigureSource::Live,
        };
        Ok((f, src))
    }

    /// Coverage figures of a region inside the caller's scope.
    pub async fn coverage(&self, me: &CurrentUser, q: &CoverageQuery) -> Result<Coverage> {
        let (f, src) = self.coverage_filter(me, q)?;
        let rows = store_party::figures(&self.db, src, &f, Group::None).await?;
        let (c, _) = counts_of(&rows);
        let breaches = store_party::breach_total(&self.db, src, &f).await? as u64;
        let on = match src {
            FigureSource::Year(y) => Date::from_calendar_date(y, time::Month::December, 31).unwrap_or(self.today()),
            FigureSource::Live => self.today(),
        };
        let profile = self.profile(&f.region_prefix, on).await?;
        let rate = |p: Param| profile.get(p).map(|v| v as f64 / 10_000.0);
        // the base of `004`'s figures: registered organizations only (one more grouped count)
        let registered = match f.registration_mode {
            Some(RegistrationMode::Filed) => ModeCounts::default(),
            Some(RegistrationMode::Registered) => c,
            None => {
                let rf = CoverageFilter { registration_mode: Some(RegistrationMode::Registered), ..f.clone() };
                counts_of(&store_party::figures(&self.db, src, &rf, Group::None).await?).0
            }
        };
        Ok(Coverage {
            region_name: self.region_display_name(&f.region_prefix).await?,
            region: f.region_prefix,
            year: match src {
                FigureSource::Year(y) => Some(y),
                FigureSource::Live => None,
            },
            organizations: c.total(),
            covered: c.covered(),
            coverage_rate: c.coverage_rate(),
            standalone_rate: c.standalone_rate(),
            by_mode: c.into(),
            breaches,
            coverage_rate_target: rate(Param::CoverageRateTarget),
            standalone_rate_target: rate(Param::StandaloneRateTarget),
            registered_organizations: registered.total(),
            registered_party_org_rate: registered.party_org_rate(),
            registered_standalone_rate: registered.standalone_rate(),
            registered_party_org_rate_reference: rate(Param::RegisteredPartyOrgRateReference),
            registered_standalone_rate_reference: rate(Param::RegisteredStandaloneRateReference),
        })
    }

    /// Figures of the child regions one level down (the drill-down), with a
    /// row for organizations registered at the region itself when there are any.
    pub async fn coverage_children(&self, me: &CurrentUser, q: &CoverageQuery) -> Result<Vec<CoverageRow>> {
        let (f, src) = self.coverage_filter(me, q)?;
        let code = RegionCode::parse(&f.region_prefix).map_err(|_| Error::NotFound)?;
        let child_len = match code.level() {
            RegionLevel::Province => 4,
            RegionLevel::City => 6,
            RegionLevel::County => 9,
            RegionLevel::Township | RegionLevel::Village => 12,
        };
        let rows = store_party::figures(&self.db, src, &f, Group::Region(child_len)).await?;
        let mut by_key: BTreeMap<String, Vec<FigureRow>> = BTreeMap::new();
        for r in rows {
            by_key.entry(r.key.clone()).or_default().push(r);
        }
        // breaches of party organizations count where they are, like those of organizations
        let mut breaches: Option<HashMap<String, i64>> = None;
        if src == FigureSource::Live && !f.has_dimensions() {
            breaches = Some(
                store_party::breaches_by_region(&self.db, &f.region_prefix, child_len).await?.into_iter().collect(),
            );
        }
        let mut out = Vec::new();
        let children = if code.level() == RegionLevel::Village {
            vec![]
        } else {
            regions::children(&self.db, code.as_str()).await?
        };
        for ch in &children {
            let (c, b) = counts_of(by_key.remove(&ch.code).as_deref().unwrap_or(&[]));
            let b = match breaches.as_mut() {
                Some(m) => m.remove(&ch.code).unwrap_or(0) as u64,
                None => b,
            };
            out.push(row_of(ch.code.clone(), ch.name.clone(), ch.level < 5, c, b));
        }
        // organizations whose residence is recorded at this level or at a code with no region row
        let rest: Vec<FigureRow> = by_key.into_values().flatten().collect();
        let rest_breaches: u64 = breaches.map(|m| m.values().sum::<i64>() as u64).unwrap_or(0);
        if !rest.is_empty() || rest_breaches > 0 {
            let (c, b) = counts_of(&rest);
            let b = if src == FigureSource::Live && !f.has_dimensions() { rest_breaches } else { b };
            let name =
                format!("{}本级", regions::get(&self.db, code.as_str()).await?.map(|r| r.name).unwrap_or_default());
            out.push(row_of(code.to_string(), name, false, c, b));
        }
        Ok(out)
    }

    /// Figures by a dimension: `channel`, `kind`, `category` or `mode`.
    pub async fn coverage_by(&self, me: &CurrentUser, q: &CoverageQuery, dim: &str) -> Result<Vec<CoverageRow>> {
        let (f, src) = self.coverage_filter(me, q)?;
        let Some(column) = dimension(dim) else {
            return Err(Error::invalid("by", "分组应为 channel、kind、category 或 mode"));
        };
        let rows = store_party::figures(&self.db, src, &f, Group::Column(column)).await?;
        let mut by_key: BTreeMap<String, Vec<FigureRow>> = BTreeMap::new();
        for r in rows {
            by_key.entry(r.key.clone()).or_default().push(r);
        }
        Ok(by_key
            .into_iter()
            .map(|(k, rows)| {
                let (c, b) = counts_of(&rows);
                let name = dimension_label(column, &k);
                row_of(k, name, false, c, b)
            })
            .collect())
    }
}

/// The dimensions figures can be grouped by (`/api/v1/coverage/by/{dim}`):
/// (identifier, label).
pub const DIMENSIONS: &[(&str, &str)] =
    &[("channel", "管理渠道类型"), ("kind", "组织类型"), ("category", "类别"), ("mode", "登记方式")];

fn dimension(dim: &str) -> Option<Dimension> {
    match dim {
        "channel" => Some(Dimension::ChannelKind),
        "kind" => Some(Dimension::Kind),
        "category" => Some(Dimension::Category),
        "mode" => Some(Dimension::RegistrationMode),
        _ => None,
    }
}

/// The Chinese label of a dimension value.
pub fn dimension_label(column: Dimension, v: &str) -> String {
    use hongling_domain::registry::{Category, OrgKind};
    let l = match column {
        Dimension::ChannelKind => ChannelKind::parse(v).map(ChannelKind::label),
        Dimension::Kind => OrgKind::parse(v).map(OrgKind::label),
        Dimension::Category => Category::parse(v).map(Category::label),
        Dimension::RegistrationMode => RegistrationMode::parse(v).map(RegistrationMode::label),
    };
    match (l, v.is_empty()) {
        (Some(l), _) => l.to_owned(),
        (None, true) => "未划定".to_owned(),
        (None, false) => v.to_owned(),
    }
}

impl Party<'_> {
    /// The coverage figures of a region as a workbook: the child regions, the
    /// channels, and the list of breaches (audited, like every export).
    pub async fn export_coverage(&self, me: &CurrentUser, q: &CoverageQuery) -> Result<Vec<u8>> {
        use crate::tabular::{Cell, Sheet, write_xlsx_sheets};
        let total = self.coverage(me, q).await?;
        let children = self.coverage_children(me, q).await?;
        let channels = self.coverage_by(me, q, "channel").await?;
        // rates and counts are numbers in the workbook (formatted 0.0% and #,##0), not text
        let pct = Cell::Rate;
        let headers: Vec<String> = [
            "区域/渠道",
            "社会组织",
            "已覆盖",
            "单独组建",
            "联合组建",
            "选派指导员",
            "“1+N”带动",
            "未覆盖",
            "覆盖率",
            "单建率",
            "违规",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        // one line of figures: a region's or a channel's, or the total
        let line = |name: String, organizations: u64, covered: u64, m: &ByMode, rates: (f64, f64), breaches: u64| {
            vec![
                Cell::Text(name),
                Cell::Count(organizations as i64),
                Cell::Count(covered as i64),
                Cell::Count(m.standalone as i64),
                Cell::Count(m.joint_branch as i64),
                Cell::Count(m.instructor as i64),
                Cell::Count(m.host_led as i64),
                Cell::Count(m.uncovered as i64),
                pct(rates.0),
                pct(rates.1),
                Cell::Count(breaches as i64),
            ]
        };
        let row = |name: &str, r: &CoverageRow| {
            line(
                name.to_owned(),
                r.organizations,
                r.covered,
                &r.by_mode,
                (r.coverage_rate, r.standalone_rate),
                r.breaches,
            )
        };
        let mut region_rows: Vec<Vec<Cell>> = children.iter().map(|r| row(&r.name, r)).collect();
        region_rows.push(line(
            format!("{}（合计）", total.region_name),
            total.organizations,
            total.covered,
            &total.by_mode,
            (total.coverage_rate, total.standalone_rate),
            total.breaches,
        ));
        let channel_rows: Vec<Vec<Cell>> = channels.iter().map(|r| row(&r.name, r)).collect();
        let mut breach_rows = Vec::new();
        let mut page = 1;
        loop {
            let mut lq = crate::list::ListQuery { page: PageRequest::new(Some(page), Some(200)), ..Default::default() };
            lq.set("region", crate::list::Value::Region(total.region.clone()));
            let p = self.list::<super::lists::BreachList>(me, &lq).await?;
            let n = p.items.len();
            for b in p.items {
                breach_rows.push(vec![
                    Cell::Text(b.rule_label),
                    Cell::Text(b.org.map(|o| o.name).unwrap_or_default()),
                    Cell::Text(b.party_org.map(|o| o.name).unwrap_or_default()),
                    Cell::Text(b.region_name),
                    Cell::Text(b.detail),
                    Cell::Text(b.since),
                ]);
            }
            if n < 200 || breach_rows.len() >= 200_000 {
                break;
            }
            page += 1;
        }
        let count = breach_rows.len();
        let sheets = vec![
            Sheet { name: "按区域".into(), headers: headers.clone(), rows: region_rows },
            Sheet { name: "按管理渠道".into(), headers, rows: channel_rows },
            Sheet {
                name: "违规清单".into(),
                headers: ["规则", "社会组织", "党组织", "所在区域", "情况", "发现日期"]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                rows: breach_rows,
            },
        ];
        let bytes = write_xlsx_sheets(sheets).map_err(Error::internal)?;
        let txn = begin_write(&self.db).await?;
        let summary = format!("导出党建覆盖统计：{}（违规 {count} 条）", total.region_name);
        let by = Principal::User(me.clone());
        self.audit(
            &txn,
            &by,
            AuditAction::CoverageExport,
            "coverage",
            &total.region,
            &total.region,
            summary,
            None,
            None,
        )
        .await?;
        txn.commit().await?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_listed_dimension_is_taken() {
        for (id, _) in super::DIMENSIONS {
            assert!(super::dimension(id).is_some(), "{id}");
        }
        assert!(super::dimension("bogus").is_none());
    }
}
