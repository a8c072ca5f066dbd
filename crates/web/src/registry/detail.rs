//! Detail.

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::layout::Layout;
use crate::page::{PageUser, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use hongling_domain::registry::{Category, OrgKind, OrgStatus, RegistrationMode, StatusAction, SupervisionClass};
use hongling_service::Error;
use hongling_service::models;
use hongling_service::registry::orgs::{field_label, may_write_registry};
use serde::Deserialize;

use super::*;

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
#[template(path = "registry/org_detail.html")]
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
pub(super) struct DetailQuery {
    tab: Option<String>,
    as_of: Option<String>,
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

pub(super) async fn detail(
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
        notice: None,
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
        classes: SupervisionClass::ALL.iter().map(|c| (c.as_str(), c.label())).collect(),
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
