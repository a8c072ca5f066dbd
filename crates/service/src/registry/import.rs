//! Import of organizations from the spreadsheets offices keep (.xlsx / .csv,
//! Chinese headers, UTF-8 or GBK): a preview listing every rejected row and
//! why, then all valid rows in one transaction or nothing.
//!
//! Rows are matched to existing records by credit code; filed organizations
//! without a code by name and residence. Re-importing a file therefore
//! updates instead of duplicating.

use std::collections::{HashMap, HashSet};

use hongling_domain::registry::{
    Category, IMPORT_HEARTBEAT, ImportStatus, OrgDraft, OrgKind, OrgStatus, RegistrationMode, SupervisionClass,
    check_draft, search_form,
};
use hongling_store::audit::{self, NewEntry};
use hongling_store::entity::region;
use hongling_store::registry::entity::{import_job, social_org, supervisory_unit};
use hongling_store::registry::orgs as store_orgs;
use hongling_store::{begin_write, from_db, to_db};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{Date, PrimitiveDateTime};

use super::Registry;
use crate::registry::orgs::{EventDraft, OrgSnapshot, apply_draft, diff, draft_model, local_today, require_writer};
use crate::tabular::{self, Cell, Row, Table};
use crate::{CurrentUser, Error, Principal, Result};

/// Largest upload accepted for an import.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;
/// Largest number of rows in one file.
pub const MAX_IMPORT_ROWS: usize = 1_000_000;

/// The template's columns: header, other accepted headers, required.
pub const COLUMNS: &[(&str, &[&str], bool)] = &[
    ("统一社会信用代码", &["信用代码", "社会信用代码", "统一代码"], false),
    ("组织名称", &["名称", "社会组织名称", "组织全称"], true),
    ("组织类型", &["类型", "社会组织类型"], true),
    ("登记方式", &["登记/备案", "管理方式"], true),
    ("类别", &["分类", "服务类型", "组织类别"], true),
    ("所属行业", &["行业"], false),
    ("登记管理机关区划代码", &["登记机关区划代码", "登记管理机关"], true),
    ("业务主管单位", &["业务主管单位名称", "行业管理部门"], false),
    ("住所区划代码", &["区划代码", "住所所在地区划代码", "所在社区区划代码"], true),
    ("住所地址", &["地址", "住所"], false),
    ("经度", &[], false),
    ("纬度", &[], false),
    ("法定代表人", &["负责人", "法定代表人/负责人"], false),
    ("成立日期", &["登记日期", "备案日期", "成立时间"], false),
    ("从业人员数", &["从业人员", "专职人员数"], false),
    ("会员数", &["会员数量", "成员数"], false),
    ("章程含党建内容", &["党建入章", "章程党建条款"], false),
    ("枢纽型组织", &["枢纽型"], false),
    ("品牌组织", &["品牌"], false),
    ("孵化基地", &[], false),
    ("登记状态", &["状态"], false),
    ("监管分类", &[], false),
];

pub const NOTES: &[&str] = &[
    "带 * 的列必须填写；第一行为表头，请勿修改表头文字。",
    "统一社会信用代码：登记的社会组织必填（18 位，第 1 位为 5）；备案的社区社会组织可不填。",
    "组织类型：社会团体、基金会、社会服务机构（或民办非企业单位）。登记方式：登记、备案。",
    "类别（登记）：行业协会商会、科技类、公益慈善类、城乡社区服务类、其他（双重管理）。",
    "类别（备案）：为民服务、公益慈善、邻里互助、文体娱乐、专业调处、农村生产技术服务、养老服务。",
    "登记管理机关区划代码：如 3705（东营市民政局）、370502（东营区民政局）、370502001（文汇街道）。",
    "住所区划代码：住所所在的县、乡镇（街道）或村（社区）代码，如 370502001011。",
    "业务主管单位：填写系统中已有的单位名称；“其他（双重管理）”类别必填。",
    "成立日期：YYYY-MM-DD，如 2019-05-08。是/否 列填“是”或“否”。",
    "登记状态：正常、已注销、已撤销、已吊销，不填为正常。监管分类不填为正常。",
    "重复导入同一文件不会产生重复记录：按统一社会信用代码更新；无代码的按名称和住所更新。",
];

/// One rejected row of a file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RejectedRow {
    pub line: usize,
    pub name: String,
    pub reasons: Vec<String>,
}

/// What a preview found, and what an import did.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImportSummary {
    pub file_name: String,
    pub total: usize,
    pub creates: usize,
    pub updates: usize,
    pub unchanged: usize,
    pub rejected: Vec<RejectedRow>,
}

impl ImportSummary {
    pub fn valid(&self) -> usize {
        self.creates + self.updates + self.unchanged
    }
}

/// Days a checked file waits for its decision before it is discarded.
pub const PREVIEW_KEPT_DAYS: i64 = 7;

const STOPPED_READING: &str = "读取中断：处理该文件的服务已停止（例如重启），未写入任何数据，请重新上传";
const STOPPED_IMPORTING: &str = "上次导入未完成：处理的服务已停止（例如重启），未写入任何数据，可再次导入";

/// Where an import stands, as its page shows it (the file itself is not loaded).
#[derive(Debug, Clone)]
pub struct ImportState {
    pub id: i64,
    pub file_name: String,
    pub status: ImportStatus,
    /// What the check found, or what the import did; none while reading.
    pub summary: Option<ImportSummary>,
    /// The phase while running; why it ended when it failed or went back.
    pub progress: String,
    pub created_at: time::OffsetDateTime,
    pub heartbeat_at: Option<time::OffsetDateTime>,
}

struct Planned {
    draft: OrgDraft,
    uscc: Option<String>,
    status: OrgStatus,
    class: SupervisionClass,
    existing: Option<social_org::Model>,
}

fn cell_bool(s: &str) -> Result<bool, String> {
    match s.trim() {
        "" | "否" | "N" | "n" | "no" | "false" | "0" | "无" => Ok(false),
        "是" | "Y" | "y" | "yes" | "true" | "1" | "有" => Ok(true),
        other => Err(format!("“{other}”应填“是”或“否”")),
    }
}

pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let s = s.split_whitespace().next().unwrap_or("");
    let nums: Vec<&str> = s.split(['-', '/', '.', '年', '月', '日']).filter(|p| !p.is_empty()).collect();
    let (y, m, d): (i32, u8, u8) = match nums.as_slice() {
        [y, m, d] => (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        [ymd] if ymd.len() == 8 => (ymd[..4].parse().ok()?, ymd[4..6].parse().ok()?, ymd[6..].parse().ok()?),
        _ => return None,
    };
    let month = time::Month::try_from(m).ok()?;
    Date::from_calendar_date(y, month, d).ok()
}

fn cell_int(s: &str, what: &str) -> Result<Option<i32>, String> {
    let s = s.trim().replace(',', "");
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i32>().map(Some).map_err(|_| format!("{what}“{s}”应为整数"))
}

fn cell_f64(s: &str, what: &str) -> Result<Option<f64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<f64>().map(Some).map_err(|_| format!("{what}“{s}”应为数字"))
}

fn header_index(t: &Table) -> Vec<Option<usize>> {
    COLUMNS
        .iter()
        .map(|(h, aliases, _)| {
            let mut names = vec![*h];
            names.extend_from_slice(aliases);
            t.column(&names)
        })
        .collect()
}

/// Parse one row into a draft (field checks included) or the reasons it fails.
fn parse_row(
    row: &Row,
    ix: &[Option<usize>],
    units: &HashMap<String, i64>,
    today: Date,
) -> std::result::Result<(OrgDraft, Option<String>, OrgStatus, SupervisionClass), Vec<String>> {
    // (read_table already undoes the formula escaping of our own exports)
    let get = |i: usize| row.get(ix[i]).trim().to_owned();
    let mut reasons = Vec::new();
    let mut d = OrgDraft {
        uscc: get(0),
        name: get(1),
        industry: get(5),
        authority_region: get(6),
        region_code: get(8),
        address: get(9),
        legal_rep: get(12),
        incubator: get(19),
        ..Default::default()
    };
    let kind = get(2);
    d.kind = OrgKind::parse_loose(&kind);
    if d.kind.is_none() && !kind.is_empty() {
        reasons.push(format!("组织类型“{kind}”无效，应为社会团体、基金会或社会服务机构"));
    }
    let mode = get(3);
    d.mode = RegistrationMode::parse(&mode);
    if d.mode.is_none() && !mode.is_empty() {
        reasons.push(format!("登记方式“{mode}”无效，应为登记或备案"));
    }
    let cat = get(4);
    d.category = Category::parse(&cat).or(match cat.as_str() {
        "其他" | "双重管理" => Some(Category::Other),
        "行业协会" | "商会" => Some(Category::IndustryAssociation),
        _ => None,
    });
    if d.category.is_none() && !cat.is_empty() {
        reasons.push(format!("类别“{cat}”无效"));
    }
    let unit = get(7);
    if !unit.is_empty() {
        match units.get(&unit) {
            Some(id) => d.supervisory_unit_id = Some(*id),
            None => reasons.push(format!("业务主管单位“{unit}”不存在，请先在“业务主管单位”中添加")),
        }
    }
    match (cell_f64(&get(10), "经度"), cell_f64(&get(11), "纬度")) {
        (Ok(lon), Ok(lat)) => {
            d.longitude = lon;
            d.latitude = lat;
        }
        (a, b) => reasons.extend(a.err().into_iter().chain(b.err())),
    }
    let founded = get(13);
    if !founded.is_empty() {
        match parse_date(&founded) {
            Some(dt) => d.founded_on = Some(dt),
            None => reasons.push(format!("成立日期“{founded}”无法识别，应为 YYYY-MM-DD")),
        }
    }
    match cell_int(&get(14), "从业人员数") {
        Ok(v) => d.staff_count = v,
        Err(e) => reasons.push(e),
    }
    match cell_int(&get(15), "会员数") {
        Ok(v) => d.member_count = v,
        Err(e) => reasons.push(e),
    }
    for (i, label, slot) in [(16, "章程含党建内容", 0), (17, "枢纽型组织", 1), (18, "品牌组织", 2)] {
        match cell_bool(&get(i)) {
            Ok(b) => match slot {
                0 => d.charter_party_clause = b,
                1 => d.is_hub = b,
                _ => d.is_brand = b,
            },
            Err(e) => reasons.push(format!("{label}：{e}")),
        }
    }
    let status_text = get(20);
    let status = if status_text.is_empty() {
        OrgStatus::Active
    } else {
        match OrgStatus::parse(&status_text).or(match status_text.as_str() {
            "注销" => Some(OrgStatus::Deregistered),
            "撤销" => Some(OrgStatus::Revoked),
            "吊销" => Some(OrgStatus::LicenceRevoked),
            _ => None,
        }) {
            Some(OrgStatus::Applying) | None => {
                reasons.push(format!("登记状态“{status_text}”无效，应为正常、已注销、已撤销或已吊销"));
                OrgStatus::Active
            }
            Some(s) => s,
        }
    };
    let class_text = get(21);
    let class = if class_text.is_empty() {
        SupervisionClass::Normal
    } else {
        match SupervisionClass::ALL
            .iter()
            .find(|c| c.label().starts_with(class_text.as_str()) || c.as_str() == class_text)
        {
            Some(c) => *c,
            None => {
                reasons.push(format!("监管分类“{class_text}”无效"));
                SupervisionClass::Normal
            }
        }
    };
    let (code, violations) = check_draft(&d, today, false);
    reasons.extend(violations.into_iter().map(|v| v.message));
    if reasons.is_empty() { Ok((d, code.map(|c| c.to_string()), status, class)) } else { Err(reasons) }
}

impl Registry<'_> {
    /// Units a row may name: those of the caller's subtree and its ancestors
    /// (the unit picker's rule), by name, with their regions by id.
    async fn unit_names(&self, me: Option<&CurrentUser>) -> Result<(HashMap<String, i64>, HashMap<i64, String>)> {
        let units = match me {
            Some(u) => self.list_supervisory_units(u).await?,
            None => supervisory_unit::Entity::find().all(&self.db).await?,
        };
        let regions = units.iter().map(|u| (u.id, u.region_code.clone())).collect();
        Ok((units.into_iter().map(|u| (u.name, u.id)).collect(), regions))
    }

    async fn analyze(
        &self,
        me: Option<&CurrentUser>,
        file_name: &str,
        t: &Table,
    ) -> Result<(ImportSummary, Vec<Planned>)> {
        let ix = header_index(t);
        let missing: Vec<&str> =
            COLUMNS.iter().zip(&ix).filter(|((_, _, req), i)| *req && i.is_none()).map(|((h, _, _), _)| *h).collect();
        if !missing.is_empty() {
            return Err(Error::invalid(
                "file",
                format!("文件缺少必需的列：{}。请使用导入页面提供的模板。", missing.join("、")),
            ));
        }
        let today = local_today(self.now());
        let (units, unit_regions) = self.unit_names(me).await?;
        let mut summary = ImportSummary { file_name: file_name.to_owned(), total: t.rows.len(), ..Default::default() };
        let mut parsed = Vec::new();
        for row in &t.rows {
            match parse_row(row, &ix, &units, today) {
                Ok(p) => parsed.push((row.line, p)),
                Err(reasons) => {
                    summary.rejected.push(RejectedRow { line: row.line, name: row.get(ix[1]).to_owned(), reasons })
                }
            }
        }
        // regions, in batches
        let mut codes: HashSet<String> = HashSet::new();
        for (_, (d, ..)) in &parsed {
            codes.insert(d.region_code.clone());
            codes.insert(d.authority_region.clone());
        }
        let known = self.existing_regions(codes.into_iter().collect()).await?;
        // existing records by code, and filed ones by name
        let uscc_list: Vec<String> = parsed.iter().filter_map(|(_, (_, c, ..))| c.clone()).collect();
        let by_code = self.orgs_by_codes(&uscc_list).await?;
        let names: Vec<String> =
            parsed.iter().filter(|(_, (_, c, ..))| c.is_none()).map(|(_, (d, ..))| d.name.clone()).collect();
        let by_name = self.uncoded_orgs_by_names(&names).await?;

        let mut seen_code: HashMap<String, usize> = HashMap::new();
        let mut seen_name: HashMap<(String, String), usize> = HashMap::new();
        let mut plan = Vec::new();
        for (line, (d, code, status, class)) in parsed {
            let mut reasons = Vec::new();
            let key = (search_form(&d.name), d.region_code.clone());
            let existing = match &code {
                Some(c) => by_code.get(c).cloned(),
                None => by_name.get(&key).cloned(),
            };
            // references: the residence, the authority and the unit exist and lie in
            // the clerk's scope (one message for both); an authority or a unit the
            // record already has may stay
            if !known.contains(&d.region_code) || me.is_some_and(|u| !u.scope.sees_region(&d.region_code)) {
                reasons.push(format!("住所区划代码“{}”不存在或不在您的管辖范围内", d.region_code));
            }
            let kept = existing.as_ref().is_some_and(|e| e.authority_region == d.authority_region);
            if !known.contains(&d.authority_region)
                || (!kept && me.is_some_and(|u| !u.scope.sees_region(&d.authority_region)))
            {
                reasons.push(format!("登记管理机关区划代码“{}”不存在或不在您的管辖范围内", d.authority_region));
            }
            if let Some(uid) = d.supervisory_unit_id
                && unit_regions.get(&uid).is_some_and(|r| !d.region_code.starts_with(r.as_str()))
            {
                reasons.push("业务主管单位须为住所所在地或其上级的单位".into());
            }
            match &code {
                Some(c) => {
                    if let Some(first) = seen_code.insert(c.clone(), line) {
                        reasons.push(format!("统一社会信用代码与第 {first} 行重复"));
                    }
                }
                None => {
                    if let Some(first) = seen_name.insert(key.clone(), line) {
                        reasons.push(format!("与第 {first} 行的名称和住所相同"));
                    }
                }
            }
            if let Some(e) = &existing
                && me.is_some_and(|u| !u.scope.sees_region(&e.region_code))
            {
                reasons.push("该统一社会信用代码属于您管辖区域以外的组织".into());
            }
            if !reasons.is_empty() {
                summary.rejected.push(RejectedRow { line, name: d.name.clone(), reasons });
                continue;
            }
            match &existing {
                None => summary.creates += 1,
                Some(e) => {
                    if would_be_same(e, &d, &code, status, class) {
                        summary.unchanged += 1
                    } else {
                        summary.updates += 1
                    }
                }
            }
            plan.push(Planned { draft: d, uscc: code, status, class, existing });
        }
        summary.rejected.sort_by_key(|r| r.line);
        Ok((summary, plan))
    }

    async fn existing_regions(&self, codes: Vec<String>) -> Result<HashSet<String>> {
        let mut out = HashSet::new();
        for chunk in codes.chunks(500) {
            let found: Vec<String> = region::Entity::find()
                .select_only()
                .column(region::Column::Code)
                .filter(region::Column::Code.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(&self.db)
                .await?;
            out.extend(found);
        }
        Ok(out)
    }

    async fn orgs_by_codes(&self, codes: &[String]) -> Result<HashMap<String, social_org::Model>> {
        let mut out = HashMap::new();
        for chunk in codes.chunks(500) {
            for m in social_org::Entity::find()
                .filter(social_org::Column::Uscc.is_in(chunk.iter().cloned()))
                .all(&self.db)
                .await?
            {
                if let Some(c) = m.uscc.clone() {
                    out.insert(c, m);
                }
            }
        }
        Ok(out)
    }

    async fn uncoded_orgs_by_names(&self, names: &[String]) -> Result<HashMap<(String, String), social_org::Model>> {
        let mut out = HashMap::new();
        let forms: Vec<String> = names.iter().map(|n| search_form(n)).collect::<HashSet<_>>().into_iter().collect();
        for chunk in forms.chunks(500) {
            for m in social_org::Entity::find()
                .filter(social_org::Column::NameSearch.is_in(chunk.iter().cloned()))
                .filter(social_org::Column::Uscc.is_null())
                .all(&self.db)
                .await?
            {
                out.insert((m.name_search.clone(), m.region_code.clone()), m);
            }
        }
        Ok(out)
    }

    /// Take an upload: keep it, and read and check it in the background
    /// (issue 10, finding 8). Answers at once with the job whose page
    /// follows the work; refuses at once when the file is too large or this
    /// server is already reading as many files as it may.
    pub async fn start_import(&self, me: &CurrentUser, file_name: &str, bytes: Vec<u8>) -> Result<i64> {
        let (id, slot, bytes) = self.new_import(me, file_name, bytes).await?;
        let app = self.0.clone();
        let (me, name) = (me.clone(), file_name.to_owned());
        self.in_background(id, async move { app.registry().read_job(&me, id, &name, bytes, slot).await });
        Ok(id)
    }

    /// Read and check an uploaded file, keep it for the decision, and report;
    /// the same work as `start_import`, waited for.
    pub async fn preview_import(
        &self,
        me: &CurrentUser,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<(i64, ImportSummary)> {
        let (id, slot, bytes) = self.new_import(me, file_name, bytes).await?;
        let summary = self.read_job(me, id, file_name, bytes, slot).await?;
        Ok((id, summary))
    }

    /// Check the caller and the size, take a place among the reads and keep
    /// the file as a job being read.
    async fn new_import(&self, me: &CurrentUser, file_name: &str, bytes: Vec<u8>) -> Result<(i64, ReadSlot, Vec<u8>)> {
        require_writer(&Principal::User(me.clone()))?;
        check_size(&bytes)?;
        let slot = ReadSlot::take(&self.import_reads, Some(me.id))?;
        let now = to_db(self.now());
        let job = import_job::ActiveModel {
            user_id: Set(me.id),
            file_name: Set(file_name.chars().take(200).collect()),
            content: Set(bytes.clone()),
            status: Set(ImportStatus::Reading.as_str().into()),
            summary_json: Set(String::new()),
            created_at: Set(now),
            progress: Set("正在读取文件".into()),
            heartbeat_at: Set(Some(now)),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok((job.id, slot, bytes))
    }

    /// Read and check a job's file; the job ends checked, or failed with the
    /// reason in Chinese.
    async fn read_job(
        &self,
        me: &CurrentUser,
        id: i64,
        file_name: &str,
        bytes: Vec<u8>,
        slot: ReadSlot,
    ) -> Result<ImportSummary> {
        let checked = async {
            let (t, _) = self.read_in_slot(slot, file_name, bytes).await?;
            self.set_progress(id, format!("已读取 {} 行，正在逐行检查", t.rows.len())).await?;
            let (summary, _) = self.analyze(Some(me), file_name, &t).await?;
            Ok(summary)
        };
        let checked = self.with_heartbeat(id, checked).await;
        let finished = match &checked {
            Ok(summary) => import_job::Entity::update_many()
                .col_expr(import_job::Column::Status, Expr::value(ImportStatus::Previewed.as_str()))
                .col_expr(import_job::Column::SummaryJson, Expr::value(json!(summary).to_string()))
                .col_expr(import_job::Column::Progress, Expr::value(""))
                .filter(import_job::Column::Id.eq(id))
                .filter(import_job::Column::Status.eq(ImportStatus::Reading.as_str()))
                .exec(&self.db)
                .await
                .map(|_| ()),
            Err(e) => self.end_reading(id, &format!("文件未能读取：{}", user_message(e))).await,
        };
        finished?;
        checked
    }

    /// A read that ended without a preview: failed, the file no longer kept.
    async fn end_reading(&self, id: i64, why: &str) -> Result<(), sea_orm::DbErr> {
        import_job::Entity::update_many()
            .col_expr(import_job::Column::Status, Expr::value(ImportStatus::Failed.as_str()))
            .col_expr(import_job::Column::Progress, Expr::value(why))
            .col_expr(import_job::Column::Content, Expr::value(Vec::<u8>::new()))
            .filter(import_job::Column::Id.eq(id))
            .filter(import_job::Column::Status.eq(ImportStatus::Reading.as_str()))
            .exec(&self.db)
            .await
            .map(|_| ())
    }

    /// Run a job's work on its own task; a panic in it ends the job with a
    /// message instead of leaving it running until it is found stalled.
    fn in_background<T: Send + 'static>(
        &self,
        id: i64,
        work: impl std::future::Future<Output = Result<T>> + Send + 'static,
    ) {
        let app = self.0.clone();
        tokio::spawn(async move {
            if let Err(e) = tokio::spawn(work).await {
                tracing::error!(job = id, error = %e, "import task ended abnormally");
                let reg = app.registry();
                let why = "处理文件时发生系统内部错误，未写入任何数据，请重新上传或联系管理员";
                if let Err(e) = reg.end_reading(id, why).await {
                    tracing::error!(job = id, error = %e, "import job not closed");
                }
                if let Err(e) = reg.back_to_preview(id, why).await {
                    tracing::error!(job = id, error = %e, "import job not closed");
                }
            }
        });
    }

    /// Report, every `IMPORT_HEARTBEAT` while `work` runs, that this server
    /// is still on the job.
    async fn with_heartbeat<T>(&self, id: i64, work: impl std::future::Future<Output = T>) -> T {
        let app = self.0.clone();
        let beat = tokio::spawn(async move {
            let every = std::time::Duration::from_secs(IMPORT_HEARTBEAT.whole_seconds().unsigned_abs());
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            loop {
                tick.tick().await;
                // a database busy with a large write may refuse a beat; the
                // limit allows for many missed ones
                let _ = import_job::Entity::update_many()
                    .col_expr(import_job::Column::HeartbeatAt, Expr::value(to_db(app.now())))
                    .filter(import_job::Column::Id.eq(id))
                    .filter(
                        import_job::Column::Status
                            .is_in([ImportStatus::Reading.as_str(), ImportStatus::Importing.as_str()]),
                    )
                    .exec(&app.db)
                    .await;
            }
        });
        let out = work.await;
        beat.abort();
        out
    }

    async fn set_progress(&self, id: i64, text: String) -> Result<()> {
        import_job::Entity::update_many()
            .col_expr(import_job::Column::Progress, Expr::value(text))
            .col_expr(import_job::Column::HeartbeatAt, Expr::value(to_db(self.now())))
            .filter(import_job::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Where one of the caller's own imports stands, without its file. A job
    /// whose server stopped working on it is closed here: a read as failed,
    /// an import back to its preview (its transaction never committed).
    pub async fn import_state(&self, me: &CurrentUser, id: i64) -> Result<ImportState> {
        let state = self.load_state(me, id).await?;
        if !state.status.is_stalled(state.heartbeat_at, self.now()) {
            return Ok(state);
        }
        let stalled = state.heartbeat_at.map(to_db);
        let only_if_still = |q: sea_orm::UpdateMany<import_job::Entity>| match stalled {
            Some(h) => q.filter(import_job::Column::HeartbeatAt.eq(h)),
            None => q.filter(import_job::Column::HeartbeatAt.is_null()),
        };
        match state.status {
            ImportStatus::Reading => {
                only_if_still(
                    import_job::Entity::update_many()
                        .col_expr(import_job::Column::Status, Expr::value(ImportStatus::Failed.as_str()))
                        .col_expr(import_job::Column::Progress, Expr::value(STOPPED_READING))
                        .col_expr(import_job::Column::Content, Expr::value(Vec::<u8>::new()))
                        .filter(import_job::Column::Id.eq(id))
                        .filter(import_job::Column::Status.eq(ImportStatus::Reading.as_str())),
                )
                .exec(&self.db)
                .await?;
            }
            _ => {
                only_if_still(
                    import_job::Entity::update_many()
                        .col_expr(import_job::Column::Status, Expr::value(ImportStatus::Previewed.as_str()))
                        .col_expr(import_job::Column::Progress, Expr::value(STOPPED_IMPORTING))
                        .filter(import_job::Column::Id.eq(id))
                        .filter(import_job::Column::Status.eq(ImportStatus::Importing.as_str())),
                )
                .exec(&self.db)
                .await?;
            }
        }
        self.load_state(me, id).await
    }

    async fn load_state(&self, me: &CurrentUser, id: i64) -> Result<ImportState> {
        type Row = (i64, String, String, String, String, PrimitiveDateTime, Option<PrimitiveDateTime>);
        let row: Option<Row> = import_job::Entity::find_by_id(id)
            .filter(import_job::Column::UserId.eq(me.id))
            .select_only()
            .columns([
                import_job::Column::Id,
                import_job::Column::FileName,
                import_job::Column::Status,
                import_job::Column::SummaryJson,
                import_job::Column::Progress,
                import_job::Column::CreatedAt,
                import_job::Column::HeartbeatAt,
            ])
            .into_tuple()
            .one(&self.db)
            .await?;
        let (id, file_name, status, summary, progress, created, beat) = row.ok_or(Error::NotFound)?;
        let status =
            ImportStatus::parse(&status).ok_or_else(|| Error::internal(format!("import job {id}: {status}")))?;
        let summary =
            if summary.is_empty() { None } else { Some(serde_json::from_str(&summary).map_err(Error::internal)?) };
        Ok(ImportState {
            id,
            file_name,
            status,
            summary,
            progress,
            created_at: from_db(created),
            heartbeat_at: beat.map(from_db),
        })
    }

    /// Import the valid rows of a previewed file in the background; answers
    /// once the preview is claimed, and the job's page follows the import.
    pub async fn start_commit(&self, me: &CurrentUser, id: i64) -> Result<()> {
        let (name, bytes, slot) = self.claim_preview(me, id).await?;
        let app = self.0.clone();
        let me = me.clone();
        self.in_background(id, async move { app.registry().run_commit(&me, id, &name, bytes, slot).await });
        Ok(())
    }

    /// Import the valid rows of a previewed file, all in one transaction, and
    /// wait for it.
    pub async fn commit_import(&self, me: &CurrentUser, id: i64) -> Result<ImportSummary> {
        let (name, bytes, slot) = self.claim_preview(me, id).await?;
        self.run_commit(me, id, &name, bytes, slot).await
    }

    /// Claim a preview for importing (of several commits of one preview at
    /// once, one moves it on and the others find it taken) and take a place
    /// among the reads; the file comes back for reading again.
    async fn claim_preview(&self, me: &CurrentUser, id: i64) -> Result<(String, Vec<u8>, ReadSlot)> {
        require_writer(&Principal::User(me.clone()))?;
        let job = import_job::Entity::find_by_id(id)
            .filter(import_job::Column::UserId.eq(me.id))
            .one(&self.db)
            .await?
            .ok_or(Error::NotFound)?;
        let claimed = import_job::Entity::update_many()
            .col_expr(import_job::Column::Status, Expr::value(ImportStatus::Importing.as_str()))
            .col_expr(import_job::Column::Progress, Expr::value("正在读取文件"))
            .col_expr(import_job::Column::HeartbeatAt, Expr::value(to_db(self.now())))
            .filter(import_job::Column::Id.eq(job.id))
            .filter(import_job::Column::Status.eq(ImportStatus::Previewed.as_str()))
            .exec(&self.db)
            .await?;
        if claimed.rows_affected != 1 {
            return Err(Error::Conflict("该文件已处理或正在导入，请勿重复提交".into()));
        }
        match ReadSlot::take(&self.import_reads, Some(me.id)) {
            Ok(slot) => Ok((job.file_name, job.content, slot)),
            Err(e) => {
                // this server is full: the preview waits as it was
                self.back_to_preview(job.id, "").await?;
                Err(e)
            }
        }
    }

    async fn run_commit(
        &self,
        me: &CurrentUser,
        id: i64,
        file_name: &str,
        bytes: Vec<u8>,
        slot: ReadSlot,
    ) -> Result<ImportSummary> {
        let by = Principal::User(me.clone());
        let work = async {
            let (t, _) = self.read_in_slot(slot, file_name, bytes).await?;
            self.set_progress(id, format!("已读取 {} 行，正在写入", t.rows.len())).await?;
            self.import_table(&by, file_name, &t, Some(id)).await
        };
        let done = self.with_heartbeat(id, work).await;
        if let Err(e) = &done {
            // nothing was imported: the preview may be committed again
            let why = format!("导入未完成：{}。未写入任何数据，可再次导入", user_message(e));
            self.back_to_preview(id, &why).await?;
        }
        done
    }

    /// An import that did not commit goes back to its preview, with why.
    async fn back_to_preview(&self, id: i64, why: &str) -> Result<()> {
        import_job::Entity::update_many()
            .col_expr(import_job::Column::Status, Expr::value(ImportStatus::Previewed.as_str()))
            .col_expr(import_job::Column::Progress, Expr::value(why))
            .filter(import_job::Column::Id.eq(id))
            .filter(import_job::Column::Status.eq(ImportStatus::Importing.as_str()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Give up a previewed import; nothing is written but the job's status.
    pub async fn discard_import(&self, me: &CurrentUser, id: i64) -> Result<()> {
        let job = self.load_state(me, id).await?;
        // only a preview still pending: an import already made stays recorded as made
        import_job::Entity::update_many()
            .col_expr(import_job::Column::Status, Expr::value(ImportStatus::Discarded.as_str()))
            .col_expr(import_job::Column::Content, Expr::value(Vec::<u8>::new()))
            .col_expr(import_job::Column::Progress, Expr::value(""))
            .filter(import_job::Column::Id.eq(job.id))
            .filter(import_job::Column::Status.eq(ImportStatus::Previewed.as_str()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Close imports nobody finished: previews waiting longer than
    /// `PREVIEW_KEPT_DAYS` are discarded and their files dropped; jobs whose
    /// server stopped are closed as `import_state` would. Returns how many.
    pub async fn purge_imports(&self) -> Result<u64> {
        let now = self.now();
        let old = to_db(now - time::Duration::days(PREVIEW_KEPT_DAYS));
        let stalled = to_db(now - hongling_domain::registry::IMPORT_STALE_AFTER);
        let mut n = import_job::Entity::update_many()
            .col_expr(import_job::Column::Status, Expr::value(ImportStatus::Discarded.as_str()))
            .col_expr(import_job::Column::Content, Expr::value(Vec::<u8>::new()))
            .col_expr(import_job::Column::Progress, Expr::value("超过保留期限未确认，已自动放弃"))
            .filter(import_job::Column::Status.eq(ImportStatus::Previewed.as_str()))
            .filter(import_job::Column::CreatedAt.lt(old))
            .exec(&self.db)
            .await?
            .rows_affected;
        let silent = || {
            sea_orm::Condition::any()
                .add(import_job::Column::HeartbeatAt.is_null())
                .add(import_job::Column::HeartbeatAt.lt(stalled))
        };
        n += import_job::Entity::update_many()
            .col_expr(import_job::Column::Status, Expr::value(ImportStatus::Failed.as_str()))
            .col_expr(import_job::Column::Progress, Expr::value(STOPPED_READING))
            .col_expr(import_job::Column::Content, Expr::value(Vec::<u8>::new()))
            .filter(import_job::Column::Status.eq(ImportStatus::Reading.as_str()))
            .filter(silent())
            .exec(&self.db)
            .await?
            .rows_affected;
        n += import_job::Entity::update_many()
            .col_expr(import_job::Column::Status, Expr::value(ImportStatus::Previewed.as_str()))
            .col_expr(import_job::Column::Progress, Expr::value(STOPPED_IMPORTING))
            .filter(import_job::Column::Status.eq(ImportStatus::Importing.as_str()))
            .filter(silent())
            .exec(&self.db)
            .await?
            .rows_affected;
        Ok(n)
    }

    /// Import a file from the command line (no preview step; same rules).
    pub async fn import_orgs_file(&self, file_name: &str, bytes: &[u8]) -> Result<ImportSummary> {
        check_size(bytes)?;
        let slot = ReadSlot::take(&self.import_reads, None)?;
        let (t, _) = self.read_in_slot(slot, file_name, bytes.to_vec()).await?;
        self.import_table(&Principal::Cli, file_name, &t, None).await
    }

    async fn import_table(
        &self,
        by: &Principal,
        file_name: &str,
        t: &Table,
        job: Option<i64>,
    ) -> Result<ImportSummary> {
        let me = require_writer(by)?;
        let (mut summary, plan) = self.analyze(me, file_name, t).await?;
        let now = self.now();
        let today = local_today(now);
        let txn = begin_write(&self.db).await?;
        if let Some(id) = job {
            // the commit that claimed the preview finishes it in the write
            // transaction (a job moved on meanwhile is not imported twice)
            let claimed = import_job::Entity::update_many()
                .col_expr(import_job::Column::Status, Expr::value(ImportStatus::Imported.as_str()))
                .filter(import_job::Column::Id.eq(id))
                .filter(import_job::Column::Status.eq(ImportStatus::Importing.as_str()))
                .exec(&txn)
                .await?;
            if claimed.rows_affected != 1 {
                return Err(Error::Conflict("该文件已处理，请重新上传".into()));
            }
        }
        let mut creates = Vec::new();
        let (mut created, mut updated, mut unchanged) = (0, 0, 0);
        let mut touched = Vec::new();
        for p in plan {
            match p.existing {
                None => creates.push(p),
                Some(e) => {
                    let before = OrgSnapshot::from(&e);
                    let mut am: social_org::ActiveModel = e.clone().into();
                    apply_draft(&mut am, &p.draft, p.uscc.clone());
                    am.status = Set(p.status.as_str().to_owned());
                    am.supervision_class = Set(p.class.as_str().to_owned());
                    if !would_be_same(&e, &p.draft, &p.uscc, p.status, p.class) {
                        am.version = Set(e.version + 1);
                        am.updated_at = Set(to_db(now));
                        let m = am.update(&txn).await?;
                        if m.name != e.name || m.region_code != e.region_code {
                            store_orgs::replace_grams(&txn, m.id, &m.region_code, &m.name).await?;
                        }
                        let changes = diff(&before, &OrgSnapshot::from(&m));
                        let ev = EventDraft {
                            action: "import",
                            effective_on: today,
                            reason: file_name,
                            doc_no: "",
                            changes,
                        };
                        self.write_event(&txn, by, &m, ev).await?;
                        touched.push(m.id);
                        updated += 1;
                    } else {
                        unchanged += 1;
                    }
                }
            }
        }
        created += self
            .insert_records(&txn, by, creates.iter().map(|p| (&p.draft, p.uscc.clone(), p.status, p.class)), file_name)
            .await?;
        // a changed status, unit or residence can change party coverage
        self.party().refresh_orgs(&txn, &touched, today).await?;
        summary.creates = created;
        summary.updates = updated;
        summary.unchanged = unchanged;
        audit::append(
            &txn,
            NewEntry {
                at: now,
                actor_user_id: by.actor_id(),
                actor: by.actor_name(),
                action: "org.import".into(),
                entity_type: "import_job".into(),
                entity_id: job.map(|j| j.to_string()).unwrap_or_else(|| "cli".into()),
                region_code: me.map(|u| u.scope.region.to_string()).unwrap_or_default(),
                summary: format!(
                    "导入 {}：新增 {} 条，更新 {} 条，未变 {} 条，拒绝 {} 条",
                    file_name,
                    created,
                    updated,
                    unchanged,
                    summary.rejected.len()
                ),
                before: None,
                after: Some(json!({"file": file_name, "created": created, "updated": updated, "rejected": summary.rejected.len()})),
            },
        )
        .await?;
        if let Some(id) = job {
            let j = import_job::ActiveModel {
                id: Set(id),
                status: Set(ImportStatus::Imported.as_str().into()),
                content: Set(Vec::new()),
                summary_json: Set(json!(summary).to_string()),
                progress: Set(String::new()),
                ..Default::default()
            };
            j.update(&txn).await?;
        }
        txn.commit().await?;
        if created > 10_000 {
            hongling_store::optimize(&self.db, true).await?;
        }
        Ok(summary)
    }

    /// Insert records of organizations that exist outside the system already
    /// (imports, generated data): the rows, their name grams and one "import"
    /// event each, 200 rows a statement, in the caller's transaction.
    pub(crate) async fn insert_records<'a>(
        &self,
        conn: &impl ConnectionTrait,
        by: &Principal,
        rows: impl IntoIterator<Item = (&'a OrgDraft, Option<String>, OrgStatus, SupervisionClass)>,
        source: &str,
    ) -> Result<usize> {
        let now = self.now();
        let today = local_today(now);
        let mut models: Vec<social_org::ActiveModel> = rows
            .into_iter()
            .map(|(d, code, status, class)| {
                let mut am = draft_model(d, code, status, today, now, false);
                am.supervision_class = Set(class.as_str().to_owned());
                am.status_changed_on = Set(d.founded_on);
                am
            })
            .collect();
        let mut n = 0;
        while !models.is_empty() {
            let rest = models.split_off(models.len().min(200));
            let chunk = std::mem::replace(&mut models, rest);
            let inserted = social_org::Entity::insert_many(chunk).exec_with_returning(conn).await?;
            let grams: Vec<(i64, String, String)> =
                inserted.iter().map(|m| (m.id, m.region_code.clone(), m.name.clone())).collect();
            store_orgs::insert_grams(conn, &grams).await?;
            self.insert_import_events(conn, by, &inserted, source, today).await?;
            // channels and coverage state of the new records
            let ids: Vec<i64> = inserted.iter().map(|m| m.id).collect();
            self.party().refresh_orgs(conn, &ids, today).await?;
            n += inserted.len();
        }
        Ok(n)
    }

    /// One "import" event per new record, inserted in a batch.
    pub(crate) async fn insert_import_events(
        &self,
        conn: &impl ConnectionTrait,
        by: &Principal,
        orgs: &[social_org::Model],
        source: &str,
        today: Date,
    ) -> Result<()> {
        use hongling_store::registry::entity::org_event;
        if orgs.is_empty() {
            return Ok(());
        }
        let at = to_db(self.now());
        let events: Vec<org_event::ActiveModel> = orgs
            .iter()
            .map(|m| org_event::ActiveModel {
                org_id: Set(m.id),
                effective_on: Set(m.founded_on.filter(|f| *f <= today).unwrap_or(today)),
                at: Set(at),
                action: Set("import".into()),
                actor: Set(by.actor_name()),
                reason: Set(source.chars().take(200).collect()),
                doc_no: Set(String::new()),
                changes_json: Set("[]".into()),
                snapshot_json: Set(json!(OrgSnapshot::from(m)).to_string()),
                ..Default::default()
            })
            .collect();
        org_event::Entity::insert_many(events).exec_without_returning(conn).await?;
        Ok(())
    }

    /// The import template (.xlsx) with an example row and the notes.
    pub fn import_template(&self) -> Result<Vec<u8>> {
        let headers: Vec<&str> = COLUMNS.iter().map(|(h, _, _)| *h).collect();
        let required: Vec<&str> = COLUMNS.iter().filter(|c| c.2).map(|c| c.0).collect();
        let example = vec![
            Cell::Text("51370500MJD0000030".into()),
            Cell::Text("东营市爱心志愿者协会".into()),
            Cell::Text("社会团体".into()),
            Cell::Text("登记".into()),
            Cell::Text("公益慈善类".into()),
            Cell::Text("社会服务".into()),
            Cell::Text("3705".into()),
            Cell::Empty,
            Cell::Text("370502001011".into()),
            Cell::Text("东营区府前大街 88 号".into()),
            Cell::Text("118.582184".into()),
            Cell::Text("37.448963".into()),
            Cell::Text("王某某".into()),
            Cell::Text("2019-05-08".into()),
            Cell::Int(6),
            Cell::Int(120),
            Cell::Text("是".into()),
            Cell::Text("否".into()),
            Cell::Text("否".into()),
            Cell::Empty,
            Cell::Text("正常".into()),
            Cell::Empty,
        ];
        tabular::write_template("社会组织", &headers, &required, example, NOTES).map_err(Error::internal)
    }
}

fn would_be_same(
    e: &social_org::Model,
    d: &OrgDraft,
    code: &Option<String>,
    status: OrgStatus,
    class: SupervisionClass,
) -> bool {
    let mut m = e.clone();
    let mut am: social_org::ActiveModel = m.clone().into();
    apply_draft(&mut am, d, code.clone());
    if let Ok(updated) = sea_orm::TryIntoModel::try_into_model(am) {
        m = updated;
    }
    m.status = status.as_str().to_owned();
    m.supervision_class = class.as_str().to_owned();
    OrgSnapshot::from(&m) == OrgSnapshot::from(e)
}

/// Files read at once by this server, and by one user. Reading a large
/// .xlsx takes seconds of a core and up to several hundred MB (the part
/// sizes are bounded by `tabular`'s ZIP pre-check), so it runs on the
/// blocking pool — never on the threads that answer requests — and only a
/// few at a time. These bound this server's own memory and CPU: nothing here
/// is needed by another server.
pub const MAX_READS: usize = 2;
pub const MAX_READS_PER_USER: usize = 1;

/// The reads in progress on this server (one per `Hongling`).
#[derive(Debug, Default)]
pub struct ImportReads(std::sync::Mutex<Reads>);

#[derive(Debug, Default)]
struct Reads {
    total: usize,
    per_user: std::collections::HashMap<i64, usize>,
}

/// A place among the reads, given back when dropped.
struct ReadSlot(std::sync::Arc<ImportReads>, Option<i64>);

impl ReadSlot {
    fn take(reads: &std::sync::Arc<ImportReads>, user: Option<i64>) -> Result<Self> {
        let mut r = reads.0.lock().map_err(|_| Error::internal("import slots poisoned"))?;
        if let Some(u) = user
            && r.per_user.get(&u).copied().unwrap_or(0) >= MAX_READS_PER_USER
        {
            return Err(Error::Busy("您已有一个文件正在读取，请等它完成后再上传下一个".into()));
        }
        if r.total >= MAX_READS {
            return Err(Error::Busy("当前正在读取的导入文件较多，请稍候一分钟再试".into()));
        }
        r.total += 1;
        if let Some(u) = user {
            *r.per_user.entry(u).or_default() += 1;
        }
        Ok(ReadSlot(reads.clone(), user))
    }
}

impl Drop for ReadSlot {
    fn drop(&mut self) {
        if let Ok(mut r) = self.0.0.lock() {
            r.total = r.total.saturating_sub(1);
            if let Some(u) = self.1
                && let Some(n) = r.per_user.get_mut(&u)
            {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    r.per_user.remove(&u);
                }
            }
        }
    }
}

impl Registry<'_> {
    /// Read an upload off the request threads, in a place taken among the
    /// reads; the bytes come back for keeping.
    async fn read_in_slot(&self, slot: ReadSlot, file_name: &str, bytes: Vec<u8>) -> Result<(Table, Vec<u8>)> {
        let name = file_name.to_owned();
        tokio::task::spawn_blocking(move || {
            let t = read(&name, &bytes);
            drop(slot);
            t.map(|t| (t, bytes))
        })
        .await
        .map_err(Error::internal)?
    }
}

fn check_size(bytes: &[u8]) -> Result<()> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(Error::invalid("file", format!("文件超过 {} MB，请拆分后再导入", MAX_IMPORT_BYTES / 1024 / 1024)));
    }
    Ok(())
}

/// The whole of an error for the job's page: every reason of invalid input.
fn user_message(e: &Error) -> String {
    match e {
        Error::Invalid(fields) => fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("；"),
        other => other.to_string(),
    }
}

fn read(file_name: &str, bytes: &[u8]) -> Result<Table> {
    check_size(bytes)?;
    tabular::read_table(file_name, bytes, MAX_IMPORT_ROWS).map_err(|e| Error::invalid("file", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounded_per_user_and_in_total() {
        let reads = std::sync::Arc::new(ImportReads::default());
        let a = ReadSlot::take(&reads, Some(1)).expect("first of user 1");
        let e = ReadSlot::take(&reads, Some(1)).err().expect("a second of user 1 waits");
        assert!(e.to_string().contains("正在读取"), "{e}");
        let b = ReadSlot::take(&reads, Some(2)).expect("user 2");
        let e = ReadSlot::take(&reads, Some(3)).err().expect("the server is full");
        assert_eq!(e.code(), "too_many_requests");
        assert!(ReadSlot::take(&reads, None).is_err(), "the command line counts too");
        drop(a);
        let c = ReadSlot::take(&reads, Some(1)).expect("user 1 again after the first ended");
        drop((b, c));
        assert_eq!(reads.0.lock().map(|r| (r.total, r.per_user.len())).unwrap_or((9, 9)), (0, 0));
    }
}
