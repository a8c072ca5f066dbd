//! Registry pages (M1): list with search form, detail with history, forms,
//! life-cycle actions, import with preview, export, supervisory units.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hongling_domain::registry::{
    Category, OrgDraft, OrgKind, OrgStatus, RegistrationMode, StatusAction, SupervisionClass,
};
use hongling_service::models;
use hongling_service::registry::import::ImportSummary;
use hongling_service::registry::orgs::{OrgFilter, draft_of, field_label, may_write_registry};
use hongling_service::{CurrentUser, Error, FieldError, PageRequest, Principal};
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::layout::{Layout, Pager};
use crate::pages::{PageUser, render};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/registry/orgs", get(list).post(create))
        .route("/registry/orgs/export", get(export))
        .route("/registry/orgs/new", get(new_form))
        .route("/registry/orgs/{id}", get(detail).post(update))
        .route("/registry/orgs/{id}/edit", get(edit_form))
        .route("/registry/orgs/{id}/status", get(status_form).post(status_apply))
        .route("/registry/orgs/{id}/supervision", post(supervision))
        .route("/registry/import", get(import_page).post(import_upload))
        .route("/registry/import/template", get(import_template))
        .route("/registry/import/{job}", get(import_preview))
        .route("/registry/import/{job}/commit", post(import_commit))
        .route("/registry/import/{job}/discard", post(import_discard))
        .route("/registry/units", get(units).post(unit_create))
}

fn opts<T: Copy>(
    all: &[T],
    id: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(&'static str, &'static str)> {
    all.iter().map(|v| (id(*v), label(*v))).collect()
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    opts(OrgKind::ALL, OrgKind::as_str, OrgKind::label)
}
fn modes() -> Vec<(&'static str, &'static str)> {
    opts(RegistrationMode::ALL, RegistrationMode::as_str, RegistrationMode::label)
}
fn categories() -> Vec<(&'static str, &'static str)> {
    opts(Category::ALL, Category::as_str, Category::label)
}
fn statuses() -> Vec<(&'static str, &'static str)> {
    opts(OrgStatus::ALL, OrgStatus::as_str, OrgStatus::label)
}

fn label_of<T: Copy>(s: &str, parse: fn(&str) -> Option<T>, label: fn(T) -> &'static str) -> String {
    parse(s).map(label).map(str::to_owned).unwrap_or_else(|| s.to_owned())
}

/// A row of the list.
pub struct OrgRow {
    pub id: i64,
    pub name: String,
    pub uscc: String,
    pub kind: String,
    pub mode: String,
    pub category: String,
    pub region: String,
    pub founded_on: String,
    pub status: String,
    pub status_tag: &'static str,
}

async fn rows(st: &AppState, items: &[models::SocialOrg]) -> Result<Vec<OrgRow>, Error> {
    let codes: Vec<String> = items.iter().map(|m| m.region_code.clone()).collect();
    let labels = st.app.region_labels(&codes).await?;
    Ok(items
        .iter()
        .map(|m| {
            let status = OrgStatus::parse(&m.status);
            OrgRow {
                id: m.id,
                name: m.name.clone(),
                uscc: m.uscc.clone().unwrap_or_default(),
                kind: label_of(&m.kind, OrgKind::parse, OrgKind::label),
                mode: label_of(&m.registration_mode, RegistrationMode::parse, RegistrationMode::label),
                category: label_of(&m.category, Category::parse, Category::label),
                region: labels.get(&m.region_code).cloned().unwrap_or_else(|| m.region_code.clone()),
                founded_on: m.founded_on.map(|d| d.to_string()).unwrap_or_default(),
                status: status.map(OrgStatus::label).unwrap_or(&m.status).to_owned(),
                status_tag: status.map(OrgStatus::tag).unwrap_or("hl-tag-grey"),
            }
        })
        .collect())
}

// ---------- list ----------

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    region: Option<String>,
    q: Option<String>,
    kind: Option<String>,
    category: Option<String>,
    mode: Option<String>,
    status: Option<String>,
    unit: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
}

impl ListQuery {
    fn filter(&self) -> OrgFilter {
        let s = |v: &Option<String>| v.clone().filter(|x| !x.trim().is_empty());
        OrgFilter {
            region: s(&self.region),
            q: s(&self.q),
            kind: s(&self.kind),
            category: s(&self.category),
            mode: s(&self.mode),
            status: s(&self.status),
            supervisory_unit_id: self.unit.as_deref().and_then(|u| u.parse().ok()),
            coverage: None,
            channel: None,
            breaches: None,
            sort: s(&self.sort),
            desc: self.dir.as_deref().map(|d| d == "desc"),
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let g = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            ("region", g(&self.region)),
            ("q", g(&self.q)),
            ("kind", g(&self.kind)),
            ("category", g(&self.category)),
            ("mode", g(&self.mode)),
            ("status", g(&self.status)),
            ("unit", g(&self.unit)),
            ("sort", g(&self.sort)),
            ("dir", g(&self.dir)),
        ]
    }
}

pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    pub mark: &'static str,
}

#[derive(Template)]
#[template(path = "orgs.html")]
struct ListPage {
    layout: Layout,
    f: ListQuery,
    region_label: String,
    kinds: Vec<(&'static str, &'static str)>,
    modes: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    units: Vec<(String, String)>,
    rows: Vec<OrgRow>,
    sorts: Vec<SortLink>,
    pager: Pager,
    export_href: String,
    can_write: bool,
}

impl ListPage {
    fn v<'a>(&self, o: &'a Option<String>) -> &'a str {
        o.as_deref().unwrap_or("")
    }
}

fn sort_links(q: &ListQuery) -> Vec<SortLink> {
    let cur = q.sort.clone().unwrap_or_default();
    let desc = q.dir.as_deref() == Some("desc");
    [("name", "名称"), ("uscc", "统一社会信用代码"), ("founded_on", "成立日期")]
        .into_iter()
        .map(|(key, label)| {
            let active = cur == key;
            let mut pairs: Vec<(&str, String)> =
                q.pairs().into_iter().filter(|(k, _)| *k != "sort" && *k != "dir" && !k.is_empty()).collect();
            pairs.retain(|(_, v)| !v.is_empty());
            pairs.push(("sort", key.to_owned()));
            pairs.push(("dir", if active && !desc { "desc" } else { "asc" }.to_owned()));
            SortLink {
                label,
                href: format!("/registry/orgs?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default()),
                mark: if !active {
                    ""
                } else if desc {
                    " ↓"
                } else {
                    " ↑"
                },
            }
        })
        .collect()
}

async fn list(State(st): State<AppState>, pu: PageUser, Query(q): Query<ListQuery>) -> Result<Response, WebError> {
    let p = PageRequest::new(q.page, q.per_page);
    let page = st.app.registry().list_orgs(&pu.user, &q.filter(), p).await?;
    let rows = rows(&st, &page.items).await?;
    let units = st.app.registry().list_supervisory_units(&pu.user).await.unwrap_or_default();
    let region_label = match q.region.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => st.app.region_labels(&[r.to_owned()]).await?.remove(r).unwrap_or_default(),
        None => String::new(),
    };
    let pairs = q.pairs();
    let pager = Pager::new("/registry/orgs", &pairs, page.total, page.page, page.per_page).at_least(!page.total_exact);
    let nonempty: Vec<(&str, String)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    let export_href = format!("/registry/orgs/export?{}", serde_urlencoded::to_string(&nonempty).unwrap_or_default());
    let applying = q.status.as_deref() == Some("applying");
    Ok(render(&ListPage {
        layout: pu
            .layout(&st, if applying { "org_review" } else { "orgs" }, "登记管理")
            .await
            .crumb("社会组织", None)
            .crumb(if applying { "成立审查" } else { "登记管理" }, None),
        sorts: sort_links(&q),
        region_label,
        kinds: kinds(),
        modes: modes(),
        categories: categories(),
        statuses: statuses(),
        units: units.into_iter().map(|u| (u.id.to_string(), u.name)).collect(),
        rows,
        pager,
        export_href,
        can_write: may_write_registry(&pu.user),
        f: q,
    }))
}

async fn export(State(st): State<AppState>, pu: PageUser, Query(q): Query<ListQuery>) -> Result<Response, WebError> {
    let bytes = st.app.registry().export_orgs(&pu.user, &q.filter()).await?;
    let name = format!("社会组织名录-{}.xlsx", hongling_service::registry::orgs::local_today(st.app.now()));
    Ok(xlsx_response(bytes, &name))
}

pub fn xlsx_response(bytes: Vec<u8>, file_name: &str) -> Response {
    let encoded: String =
        serde_urlencoded::to_string([("n", file_name)]).unwrap_or_default().trim_start_matches("n=").to_owned();
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"export.xlsx\"; filename*=UTF-8''{encoded}")),
        ],
        bytes,
    )
        .into_response()
}

// ---------- detail ----------

pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

pub struct EventRow {
    pub effective_on: String,
    pub at: String,
    pub action: String,
    pub actor: String,
    pub reason: String,
    pub doc_no: String,
    pub changes: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "org_detail.html")]
struct DetailPage {
    layout: Layout,
    notice: Option<String>,
    org: models::SocialOrg,
    status: String,
    status_tag: &'static str,
    class_label: String,
    class_tag: &'static str,
    facts: Vec<Fact>,
    tab: String,
    events: Vec<EventRow>,
    as_of: String,
    as_of_facts: Option<Vec<Fact>>,
    as_of_missing: bool,
    actions: Vec<(&'static str, &'static str)>,
    classes: Vec<(&'static str, &'static str)>,
    can_write: bool,
}

#[derive(Deserialize, Default)]
struct DetailQuery {
    tab: Option<String>,
    as_of: Option<String>,
    ok: Option<String>,
}

fn json_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "（空）".into(),
        serde_json::Value::Bool(b) => if *b { "是" } else { "否" }.into(),
        serde_json::Value::String(s) if s.is_empty() => "（空）".into(),
        serde_json::Value::String(s) => OrgKind::parse(s)
            .map(|x| x.label())
            .or_else(|| OrgStatus::parse(s).map(|x| x.label()))
            .or_else(|| Category::parse(s).map(|x| x.label()))
            .or_else(|| RegistrationMode::parse(s).map(|x| x.label()))
            .or_else(|| SupervisionClass::parse(s).map(|x| x.label()))
            .map(str::to_owned)
            .unwrap_or_else(|| s.clone()),
        other => other.to_string(),
    }
}

fn action_label(a: &str, mode: &str) -> String {
    let mode = RegistrationMode::parse(mode).unwrap_or(RegistrationMode::Registered);
    match a {
        "create" if mode == RegistrationMode::Filed => "备案".into(),
        "create" => "登记".into(),
        "apply" => "受理成立申请".into(),
        "update" => "变更".into(),
        "import" => "导入".into(),
        "supervision" => "调整监管分类".into(),
        other => StatusAction::parse(other).map(|x| x.label_for(mode).to_owned()).unwrap_or_else(|| other.to_owned()),
    }
}

async fn facts_of(
    st: &AppState,
    s: &hongling_service::registry::orgs::OrgSnapshot,
    units: &[models::SupervisoryUnit],
) -> Result<Vec<Fact>, Error> {
    let region =
        st.app.region_labels(std::slice::from_ref(&s.region_code)).await?.remove(&s.region_code).unwrap_or_default();
    let authority = st.app.authority_name(&s.authority_region).await?;
    let unit =
        s.supervisory_unit_id.and_then(|id| units.iter().find(|u| u.id == id)).map(|u| u.name.clone()).unwrap_or_else(
            || if s.supervisory_unit_id.is_some() { "（其他地区单位）".into() } else { "—".into() },
        );
    let yes = |b: bool| if b { "是" } else { "否" }.to_owned();
    let opt = |v: Option<i32>| v.map(|n| fmt::thousands(n.into())).unwrap_or_else(|| "—".into());
    let coord = match (s.lon_e6, s.lat_e6) {
        (Some(a), Some(b)) => format!("{:.6}, {:.6}", a as f64 / 1e6, b as f64 / 1e6),
        _ => "—".into(),
    };
    let dash = |v: &str| if v.is_empty() { "—".to_owned() } else { v.to_owned() };
    Ok(vec![
        Fact { label: "统一社会信用代码", value: dash(s.uscc.as_deref().unwrap_or("")) },
        Fact { label: "组织名称", value: s.name.clone() },
        Fact { label: "组织类型", value: label_of(&s.kind, OrgKind::parse, OrgKind::label) },
        Fact {
            label: "登记方式",
            value: label_of(&s.registration_mode, RegistrationMode::parse, RegistrationMode::label),
        },
        Fact { label: "类别", value: label_of(&s.category, Category::parse, Category::label) },
        Fact { label: "所属行业", value: dash(&s.industry) },
        Fact { label: "登记管理机关", value: authority },
        Fact { label: "业务主管单位", value: unit },
        Fact { label: "住所", value: format!("{region} {}", s.address) },
        Fact { label: "坐标（经度, 纬度）", value: coord },
        Fact { label: "法定代表人", value: dash(&s.legal_rep) },
        Fact { label: "成立日期", value: s.founded_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into()) },
        Fact { label: "从业人员数", value: opt(s.staff_count) },
        Fact { label: "会员数", value: opt(s.member_count) },
        Fact { label: "章程含党建内容", value: yes(s.charter_party_clause) },
        Fact { label: "枢纽型组织", value: yes(s.is_hub) },
        Fact { label: "品牌组织", value: yes(s.is_brand) },
        Fact { label: "孵化基地", value: dash(&s.incubator) },
        Fact { label: "登记状态", value: label_of(&s.status, OrgStatus::parse, OrgStatus::label) },
        Fact {
            label: "状态变更日期", value: s.status_changed_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
        },
        Fact {
            label: "监管分类",
            value: label_of(&s.supervision_class, SupervisionClass::parse, SupervisionClass::label),
        },
    ])
}

fn notice(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "created" => "已登记。",
            "applied" => "已受理成立申请。",
            "updated" => "已保存变更，变更记录已生成。",
            "status" => "已办理。",
            "class" => "已调整监管分类。",
            "unchanged" => "内容没有变化，未生成变更记录。",
            _ => return None,
        }
        .to_owned(),
    )
}

async fn detail(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, WebError> {
    let org = st.app.registry().get_org(&pu.user, id).await?;
    let units = st.app.registry().list_supervisory_units(&pu.user).await.unwrap_or_default();
    let snap = hongling_service::registry::orgs::OrgSnapshot::from(&org);
    let facts = facts_of(&st, &snap, &units).await?;
    let tab = q.tab.clone().unwrap_or_else(|| "info".into());
    let mut events = Vec::new();
    if tab == "history" {
        for e in st.app.registry().org_history(&pu.user, id).await? {
            let changes: Vec<hongling_service::registry::orgs::FieldChange> =
                serde_json::from_str(&e.changes_json).unwrap_or_default();
            events.push(EventRow {
                effective_on: e.effective_on.to_string(),
                at: fmt::datetime(e.at),
                action: action_label(&e.action, &org.registration_mode),
                actor: e.actor,
                reason: e.reason,
                doc_no: e.doc_no,
                changes: changes
                    .iter()
                    .map(|c| (field_label(&c.field).to_owned(), json_text(&c.before), json_text(&c.after)))
                    .collect(),
            });
        }
    }
    let as_of_date = q.as_of.as_deref().and_then(fmt::parse_date);
    let (as_of_facts, as_of_missing) = match as_of_date {
        Some(d) => match st.app.registry().org_as_of(&pu.user, id, d).await? {
            Some(s) => (Some(facts_of(&st, &s, &units).await?), false),
            None => (None, true),
        },
        None => (None, false),
    };
    let status = OrgStatus::parse(&org.status);
    let mode = RegistrationMode::parse(&org.registration_mode).unwrap_or(RegistrationMode::Registered);
    let class = SupervisionClass::parse(&org.supervision_class);
    let can_write = may_write_registry(&pu.user);
    Ok(render(&DetailPage {
        layout: pu
            .layout(&st, "orgs", &org.name)
            .await
            .crumb("社会组织", None)
            .crumb("登记管理", Some("/registry/orgs"))
            .crumb(org.name.clone(), None),
        notice: notice(q.ok.as_deref()),
        status: status.map(OrgStatus::label).unwrap_or("").to_owned(),
        status_tag: status.map(OrgStatus::tag).unwrap_or("hl-tag-grey"),
        class_label: class.map(SupervisionClass::label).unwrap_or("").to_owned(),
        class_tag: class.map(SupervisionClass::tag).unwrap_or("hl-tag-grey"),
        actions: status
            .map(|s| StatusAction::available(s, mode))
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.as_str(), a.label_for(mode)))
            .collect(),
        classes: opts(SupervisionClass::ALL, SupervisionClass::as_str, SupervisionClass::label),
        facts,
        tab,
        events,
        as_of: q.as_of.unwrap_or_default(),
        as_of_facts,
        as_of_missing,
        can_write,
        org,
    }))
}

// ---------- create / edit ----------

/// The form as typed (strings, so a failed submit keeps what was typed).
#[derive(Deserialize, Default, Clone)]
pub struct OrgForm {
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    industry: String,
    #[serde(default)]
    authority_region: String,
    #[serde(default)]
    supervisory_unit_id: String,
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    longitude: String,
    #[serde(default)]
    latitude: String,
    #[serde(default)]
    legal_rep: String,
    #[serde(default)]
    founded_on: String,
    #[serde(default)]
    staff_count: String,
    #[serde(default)]
    member_count: String,
    #[serde(default)]
    charter_party_clause: Option<String>,
    #[serde(default)]
    is_hub: Option<String>,
    #[serde(default)]
    is_brand: Option<String>,
    #[serde(default)]
    incubator: String,
    #[serde(default)]
    applying: Option<String>,
    #[serde(default)]
    version: Option<i32>,
    #[serde(default)]
    effective_on: String,
    #[serde(default)]
    reason: String,
}

fn region_code_of(s: &str) -> String {
    s.trim().chars().take_while(|c| c.is_ascii_digit()).collect()
}

impl OrgForm {
    fn from_draft(d: &OrgDraft) -> Self {
        let num = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
        let coord = |v: Option<f64>| v.map(|n| format!("{n:.6}")).unwrap_or_default();
        let flag = |b: bool| b.then(|| "on".to_owned());
        OrgForm {
            uscc: d.uscc.clone(),
            name: d.name.clone(),
            kind: d.kind.map(|k| k.as_str().to_owned()).unwrap_or_default(),
            mode: d.mode.map(|k| k.as_str().to_owned()).unwrap_or_default(),
            category: d.category.map(|k| k.as_str().to_owned()).unwrap_or_default(),
            industry: d.industry.clone(),
            authority_region: d.authority_region.clone(),
            supervisory_unit_id: d.supervisory_unit_id.map(|n| n.to_string()).unwrap_or_default(),
            region_code: d.region_code.clone(),
            address: d.address.clone(),
            longitude: coord(d.longitude),
            latitude: coord(d.latitude),
            legal_rep: d.legal_rep.clone(),
            founded_on: d.founded_on.map(|x| x.to_string()).unwrap_or_default(),
            staff_count: num(d.staff_count),
            member_count: num(d.member_count),
            charter_party_clause: flag(d.charter_party_clause),
            is_hub: flag(d.is_hub),
            is_brand: flag(d.is_brand),
            incubator: d.incubator.clone(),
            ..Default::default()
        }
    }

    /// The draft, or the fields that could not even be read.
    fn draft(&self) -> (OrgDraft, Vec<FieldError>) {
        let mut errs = Vec::new();
        let mut bad = |f: &str, m: &str| errs.push(FieldError { field: f.into(), message: m.into() });
        let int = |s: &str, f: &str, bad: &mut dyn FnMut(&str, &str)| -> Option<i32> {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            s.parse().map_err(|_| bad(f, "请填写整数")).ok()
        };
        let float = |s: &str, f: &str, bad: &mut dyn FnMut(&str, &str)| -> Option<f64> {
            let s = s.trim();
            if s.is_empty() {
                return None;
            }
            s.parse().map_err(|_| bad(f, "请填写数字，如 118.582184")).ok()
        };
        let founded_on = if self.founded_on.trim().is_empty() {
            None
        } else {
            let d = fmt::parse_date(&self.founded_on);
            if d.is_none() {
                bad("founded_on", "日期格式应为 YYYY-MM-DD");
            }
            d
        };
        let d = OrgDraft {
            uscc: self.uscc.clone(),
            name: self.name.clone(),
            kind: OrgKind::parse(&self.kind),
            mode: RegistrationMode::parse(&self.mode),
            category: Category::parse(&self.category),
            industry: self.industry.clone(),
            authority_region: region_code_of(&self.authority_region),
            supervisory_unit_id: self.supervisory_unit_id.trim().parse().ok(),
            region_code: region_code_of(&self.region_code),
            address: self.address.clone(),
            longitude: float(&self.longitude, "longitude", &mut bad),
            latitude: float(&self.latitude, "longitude", &mut bad),
            legal_rep: self.legal_rep.clone(),
            founded_on,
            staff_count: int(&self.staff_count, "staff_count", &mut bad),
            member_count: int(&self.member_count, "member_count", &mut bad),
            charter_party_clause: self.charter_party_clause.is_some(),
            is_hub: self.is_hub.is_some(),
            is_brand: self.is_brand.is_some(),
            incubator: self.incubator.clone(),
        };
        (d, errs)
    }
}

#[derive(Template)]
#[template(path = "org_form.html")]
struct FormPage {
    layout: Layout,
    title: String,
    action: String,
    f: OrgForm,
    errors: Vec<FieldError>,
    kinds: Vec<(&'static str, &'static str)>,
    modes: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    units: Vec<(String, String)>,
    editing: bool,
    applying: bool,
}

impl FormPage {
    fn err(&self, field: &str) -> Option<String> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
    }
}

async fn form_page(
    st: &AppState,
    pu: &PageUser,
    title: &str,
    action: String,
    f: OrgForm,
    errors: Vec<FieldError>,
    editing: bool,
) -> Result<Response, WebError> {
    let units = st.app.registry().list_supervisory_units(&pu.user).await?;
    let applying = f.applying.is_some();
    let mut res = render(&FormPage {
        layout: pu
            .layout(st, "orgs", title)
            .await
            .crumb("社会组织", None)
            .crumb("登记管理", Some("/registry/orgs"))
            .crumb(title.to_owned(), None),
        title: title.to_owned(),
        action,
        kinds: kinds(),
        modes: modes(),
        categories: categories(),
        units: units.into_iter().map(|u| (u.id.to_string(), u.name)).collect(),
        editing,
        applying,
        f,
        errors: errors.clone(),
    });
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

fn require_writer(u: &CurrentUser) -> Result<(), WebError> {
    if may_write_registry(u) {
        Ok(())
    } else {
        Err(WebError::page(Error::Forbidden("只有登记管理机关可以办理社会组织登记事项")))
    }
}

#[derive(Deserialize)]
struct NewQuery {
    applying: Option<String>,
}

async fn new_form(State(st): State<AppState>, pu: PageUser, Query(q): Query<NewQuery>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let f = OrgForm {
        mode: "registered".into(),
        kind: "association".into(),
        authority_region: pu.user.scope.region.to_string(),
        charter_party_clause: Some("on".into()),
        applying: q.applying.filter(|a| !a.is_empty()),
        ..Default::default()
    };
    let title = if f.applying.is_some() { "受理成立申请" } else { "新增登记" };
    form_page(&st, &pu, title, "/registry/orgs".into(), f, vec![], false).await
}

async fn create(State(st): State<AppState>, pu: PageUser, Form(f): Form<OrgForm>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let applying = f.applying.is_some();
    let (d, mut errs) = f.draft();
    let title = if applying { "受理成立申请" } else { "新增登记" };
    if !errs.is_empty() {
        return form_page(&st, &pu, title, "/registry/orgs".into(), f, errs, false).await;
    }
    match st.app.registry().create_org(&Principal::User(pu.user.clone()), d, applying).await {
        Ok(m) => {
            Ok(Redirect::to(&format!("/registry/orgs/{}?ok={}", m.id, if applying { "applied" } else { "created" }))
                .into_response())
        }
        Err(Error::Invalid(e)) => {
            errs.extend(e);
            form_page(&st, &pu, title, "/registry/orgs".into(), f, errs, false).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let org = st.app.registry().get_org(&pu.user, id).await?;
    let mut f = OrgForm::from_draft(&draft_of(&org));
    f.version = Some(org.version);
    f.applying = (org.status == OrgStatus::Applying.as_str()).then(|| "1".to_owned());
    form_page(&st, &pu, "变更登记事项", format!("/registry/orgs/{id}"), f, vec![], true).await
}

async fn update(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<OrgForm>,
) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let (d, mut errs) = f.draft();
    let effective = if f.effective_on.trim().is_empty() {
        None
    } else {
        let e = fmt::parse_date(&f.effective_on);
        if e.is_none() {
            errs.push(FieldError { field: "effective_on".into(), message: "日期格式应为 YYYY-MM-DD".into() });
        }
        e
    };
    let action = format!("/registry/orgs/{id}");
    if !errs.is_empty() {
        return form_page(&st, &pu, "变更登记事项", action, f, errs, true).await;
    }
    match st.app.registry().update_org(&pu.user, id, d, f.version, effective, f.reason.trim()).await {
        Ok(m) => {
            // an edit that changed nothing returns the record as it was
            let ok = if Some(m.version) == f.version { "unchanged" } else { "updated" };
            Ok(Redirect::to(&format!("/registry/orgs/{id}?ok={ok}")).into_response())
        }
        Err(Error::Invalid(e)) => {
            errs.extend(e);
            form_page(&st, &pu, "变更登记事项", action, f, errs, true).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- status ----------

#[derive(Template)]
#[template(path = "org_status.html")]
struct StatusPage {
    layout: Layout,
    org: models::SocialOrg,
    action: &'static str,
    action_label: &'static str,
    needs_code: bool,
    f: StatusForm,
    errors: Vec<FieldError>,
}

impl StatusPage {
    fn err(&self, field: &str) -> Option<String> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.clone())
    }
}

#[derive(Deserialize, Default)]
struct StatusForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    doc_no: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    uscc: String,
}

async fn status_page(
    st: &AppState,
    pu: &PageUser,
    id: i64,
    f: StatusForm,
    errors: Vec<FieldError>,
) -> Result<Response, WebError> {
    let org = st.app.registry().get_org(&pu.user, id).await?;
    let action = StatusAction::parse(&f.action).ok_or_else(|| WebError::page(Error::NotFound))?;
    let mode = RegistrationMode::parse(&org.registration_mode).unwrap_or(RegistrationMode::Registered);
    if !action.applies_to(mode) {
        return Err(WebError::page(Error::Conflict("备案的社区社会组织没有登记证书，不能吊销".into())));
    }
    let label = action.label_for(mode);
    let mut res = render(&StatusPage {
        layout: pu
            .layout(st, "orgs", label)
            .await
            .crumb("社会组织", None)
            .crumb("登记管理", Some("/registry/orgs"))
            .crumb(org.name.clone(), Some(&format!("/registry/orgs/{id}")))
            .crumb(label, None),
        action: action.as_str(),
        action_label: label,
        needs_code: action == StatusAction::ApproveRegistration,
        org,
        f,
        errors: errors.clone(),
    });
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

#[derive(Deserialize)]
struct ActionQuery {
    action: String,
}

async fn status_form(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<ActionQuery>,
) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let today = hongling_service::registry::orgs::local_today(st.app.now()).to_string();
    status_page(&st, &pu, id, StatusForm { action: q.action, on: today, ..Default::default() }, vec![]).await
}

async fn status_apply(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let action = StatusAction::parse(&f.action).ok_or_else(|| WebError::page(Error::NotFound))?;
    let on = fmt::parse_date(&f.on);
    if on.is_none() && !f.on.trim().is_empty() {
        let e = vec![FieldError { field: "on".into(), message: "日期格式应为 YYYY-MM-DD".into() }];
        return status_page(&st, &pu, id, f, e).await;
    }
    let code = Some(f.uscc.as_str()).filter(|c| !c.trim().is_empty());
    match st.app.registry().org_status_action(&pu.user, id, action, &f.reason, &f.doc_no, on, code).await {
        Ok(_) => Ok(Redirect::to(&format!("/registry/orgs/{id}?ok=status")).into_response()),
        Err(Error::Invalid(e)) => status_page(&st, &pu, id, f, e).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ClassForm {
    class: String,
    #[serde(default)]
    reason: String,
}

async fn supervision(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ClassForm>,
) -> Result<Response, WebError> {
    let class =
        SupervisionClass::parse(&f.class).ok_or_else(|| WebError::page(Error::invalid("class", "请选择监管分类")))?;
    st.app.registry().set_supervision_class(&pu.user, id, class, &f.reason).await?;
    Ok(Redirect::to(&format!("/registry/orgs/{id}?ok=class")).into_response())
}

// ---------- import ----------

#[derive(Template)]
#[template(path = "org_import.html")]
struct ImportPage {
    layout: Layout,
    error: Option<String>,
    job: Option<i64>,
    status: String,
    s: Option<ImportSummary>,
    shown: Vec<(usize, String, String)>,
    more: usize,
    max_mb: usize,
}

async fn import_render(
    st: &AppState,
    pu: &PageUser,
    error: Option<String>,
    job: Option<(i64, String, ImportSummary)>,
) -> Result<Response, WebError> {
    let (job_id, status, s) = match job {
        Some((id, status, s)) => (Some(id), status, Some(s)),
        None => (None, String::new(), None),
    };
    let shown: Vec<(usize, String, String)> = s
        .as_ref()
        .map(|s| s.rejected.iter().take(1000).map(|r| (r.line, r.name.clone(), r.reasons.join("；"))).collect())
        .unwrap_or_default();
    let more = s.as_ref().map(|s| s.rejected.len().saturating_sub(1000)).unwrap_or(0);
    let failed = error.is_some();
    let mut res = render(&ImportPage {
        layout: pu.layout(st, "org_import", "导入").await.crumb("社会组织", None).crumb("导入", None),
        error,
        job: job_id,
        status,
        s,
        shown,
        more,
        max_mb: hongling_service::registry::import::MAX_IMPORT_BYTES / 1024 / 1024,
    });
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn import_page(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    import_render(&st, &pu, None, None).await
}

async fn import_template(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    Ok(xlsx_response(st.app.registry().import_template()?, "社会组织导入模板.xlsx"))
}

async fn import_upload(State(st): State<AppState>, pu: PageUser, mut mp: Multipart) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                if field.name() == Some("file") {
                    let name = field.file_name().unwrap_or("upload").to_owned();
                    match field.bytes().await {
                        Ok(b) => file = Some((name, b.to_vec())),
                        Err(_) => {
                            return import_render(&st, &pu, Some("上传未完成或文件过大，请重试".into()), None).await;
                        }
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return import_render(&st, &pu, Some("上传内容无法读取，请重新选择文件".into()), None).await,
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return import_render(&st, &pu, Some("请选择要导入的 .xlsx 或 .csv 文件".into()), None).await;
    };
    match st.app.registry().preview_import(&pu.user, &name, bytes).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/registry/import/{id}")).into_response()),
        Err(Error::Invalid(e)) => {
            let msg = e.into_iter().map(|x| x.message).collect::<Vec<_>>().join("；");
            import_render(&st, &pu, Some(msg), None).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn import_preview(State(st): State<AppState>, pu: PageUser, Path(job): Path<i64>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    let (j, s) = st.app.registry().import_job(&pu.user, job).await?;
    import_render(&st, &pu, None, Some((j.id, j.status, s))).await
}

async fn import_commit(State(st): State<AppState>, pu: PageUser, Path(job): Path<i64>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    st.app.registry().commit_import(&pu.user, job).await?;
    Ok(Redirect::to(&format!("/registry/import/{job}")).into_response())
}

async fn import_discard(State(st): State<AppState>, pu: PageUser, Path(job): Path<i64>) -> Result<Response, WebError> {
    require_writer(&pu.user)?;
    st.app.registry().discard_import(&pu.user, job).await?;
    Ok(Redirect::to(&format!("/registry/import/{job}")).into_response())
}

// ---------- supervisory units ----------

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    layout: Layout,
    rows: Vec<(i64, String, String)>,
    error: Option<String>,
    name: String,
    region: String,
    can_write: bool,
}

async fn units_page(
    st: &AppState,
    pu: &PageUser,
    error: Option<String>,
    name: String,
    region: String,
) -> Result<Response, WebError> {
    let units = st.app.registry().list_supervisory_units(&pu.user).await?;
    let codes: Vec<String> = units.iter().map(|u| u.region_code.clone()).collect();
    let labels = st.app.region_labels(&codes).await?;
    let failed = error.is_some();
    let mut res = render(&UnitsPage {
        layout: pu.layout(st, "units", "业务主管单位").await.crumb("社会组织", None).crumb("业务主管单位", None),
        rows: units
            .into_iter()
            .map(|u| (u.id, u.name, labels.get(&u.region_code).cloned().unwrap_or(u.region_code)))
            .collect(),
        error,
        name,
        region,
        can_write: may_write_registry(&pu.user),
    });
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn units(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    pu.user.region_prefix()?;
    let region = pu.user.scope.region.to_string();
    units_page(&st, &pu, None, String::new(), region).await
}

#[derive(Deserialize)]
struct UnitForm {
    name: String,
    region: String,
}

async fn unit_create(State(st): State<AppState>, pu: PageUser, Form(f): Form<UnitForm>) -> Result<Response, WebError> {
    match st
        .app
        .registry()
        .create_supervisory_unit(&Principal::User(pu.user.clone()), &f.name, &region_code_of(&f.region))
        .await
    {
        Ok(_) => Ok(Redirect::to("/registry/units").into_response()),
        Err(Error::Invalid(e)) => {
            let msg = e.into_iter().map(|x| x.message).collect::<Vec<_>>().join("；");
            units_page(&st, &pu, Some(msg), f.name, f.region).await
        }
        Err(e) => Err(e.into()),
    }
}
