//! Detail.

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::page::{PageUser, render};
use crate::ui::{Button, Cell, DetailPage, Field, InlineForm, Tab, Table};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::registry::decision::DecisionStatus;
use hongling_domain::registry::{
    Category, EventAction, OrgKind, OrgStatus, RegistrationMode, StatusAction, SupervisionClass,
};
use hongling_service::Error;
use hongling_service::auth::Flash;
use hongling_service::models;
use hongling_service::registry::orgs::{field_label, may_write_registry};
use serde::Deserialize;

use super::*;

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

/// An event's action as the record's history names it (注销登记 or 注销备案, 登记 or 备案).
pub(crate) fn action_label(a: &str, mode: &str) -> String {
    let mode = RegistrationMode::parse(mode).unwrap_or(RegistrationMode::Registered);
    if a == EventAction::Create.as_str() && mode == RegistrationMode::Filed {
        return "备案".into();
    }
    match StatusAction::parse(a) {
        // the wording of a life-cycle action depends on the mode (注销登记 / 注销备案)
        Some(x) => x.label_for(mode).to_owned(),
        None => EventAction::parse(a).map(|x| x.label().to_owned()).unwrap_or_else(|| a.to_owned()),
    }
}

async fn facts_of(
    st: &AppState,
    s: &hongling_service::registry::orgs::OrgSnapshot,
    units: &[models::SupervisoryUnit],
) -> Result<Vec<(String, String)>, Error> {
    let region =
        st.app.region_labels(std::slice::from_ref(&s.region_code)).await?.remove(&s.region_code).unwrap_or_default();
    let authority = st.app.authority_name(&s.authority_region).await?;
    let unit =
        s.supervisory_unit_id.and_then(|id| units.iter().find(|u| u.id == id)).map(|u| u.name.clone()).unwrap_or_else(
            || if s.supervisory_unit_id.is_some() { "（其他地区单位）".into() } else { "—".into() },
        );
    let department = s
        .industry_department_id
        .and_then(|id| units.iter().find(|u| u.id == id))
        .map(|u| u.name.clone())
        .unwrap_or_else(|| {
            if s.industry_department_id.is_some() { "（其他地区部门）".into() } else { "—".into() }
        });
    let yes = |b: bool| if b { "是" } else { "否" }.to_owned();
    let opt = |v: Option<i32>| v.map(|n| fmt::thousands(n.into())).unwrap_or_else(|| "—".into());
    let coord = match (s.lon_e6, s.lat_e6) {
        (Some(a), Some(b)) => format!("{:.6}, {:.6}", a as f64 / 1e6, b as f64 / 1e6),
        _ => "—".into(),
    };
    let dash = |v: &str| if v.is_empty() { "—".to_owned() } else { v.to_owned() };
    let facts: [(&str, String); 23] = [
        ("统一社会信用代码", dash(s.uscc.as_deref().unwrap_or(""))),
        ("组织名称", s.name.clone()),
        ("组织类型", label_of(&s.kind, OrgKind::parse, OrgKind::label)),
        ("登记方式", label_of(&s.registration_mode, RegistrationMode::parse, RegistrationMode::label)),
        ("类别", label_of(&s.category, Category::parse, Category::label)),
        ("所属行业", dash(&s.industry)),
        ("登记管理机关", authority),
        ("业务主管单位", unit),
        ("行业管理部门", department),
        ("已脱钩", yes(s.decoupled)),
        ("住所", format!("{region} {}", s.address)),
        ("坐标（经度, 纬度）", coord),
        ("法定代表人", dash(&s.legal_rep)),
        ("成立日期", s.founded_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())),
        ("从业人员数", opt(s.staff_count)),
        ("会员数", opt(s.member_count)),
        ("章程含党建内容", yes(s.charter_party_clause)),
        ("枢纽型组织", yes(s.is_hub)),
        ("品牌组织", yes(s.is_brand)),
        ("孵化基地", dash(&s.incubator)),
        ("登记状态", label_of(&s.status, OrgStatus::parse, OrgStatus::label)),
        ("状态变更日期", s.status_changed_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())),
        ("监管分类", label_of(&s.supervision_class, SupervisionClass::parse, SupervisionClass::label)),
    ];
    Ok(facts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
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
    let tab = q.tab.clone().unwrap_or_else(|| "info".into());
    let status = OrgStatus::parse(&org.status);
    let mode = RegistrationMode::parse(&org.registration_mode).unwrap_or(RegistrationMode::Registered);
    let class = SupervisionClass::parse(&org.supervision_class);
    let can_write = may_write_registry(&pu.user);
    let base = format!("/registry/orgs/{id}");
    let layout = pu
        .layout(&st, "orgs", &org.name)
        .await
        .crumb("社会组织", None)
        .crumb("登记管理", Some("/registry/orgs"))
        .crumb(org.name.clone(), None);
    let mut page = DetailPage::new(layout, org.name.clone());
    if let Some(s) = status {
        page.tags.push((s.label().to_owned(), s.tag()));
    }
    // a closed record (注销, 撤销, 吊销) waits for nothing and takes no change
    let open = status.is_some_and(OrgStatus::is_open);
    if org.sync_pending && open {
        page.tags.push(("三同步待落实".to_owned(), "hl-tag-orange"));
    }
    if let Some(c) = class.filter(|c| *c != SupervisionClass::Normal) {
        page.tags.push((c.label().to_owned(), c.tag()));
    }
    page.subtitle = format!("统一社会信用代码：{}", org.uscc.as_deref().unwrap_or("—"));
    // a proposal waiting for a leader: no second one, and the page says so
    let decisions = if can_write { st.app.registry().org_decisions(&pu.user, id).await? } else { vec![] };
    let pending = decisions.iter().find(|d| d.status == DecisionStatus::Pending.as_str()).cloned();
    // the clerk learns why their last proposal was returned
    if let Some(d) = decisions.first().filter(|d| d.status == DecisionStatus::Returned.as_str()) {
        page.note = format!("最近一次{}申请已被 {} 退回，理由：{}。", d.action_label, d.decided_by, d.decision_note);
    }
    if let Some(d) = &pending {
        page.tags.push((format!("{}待审批", d.action_label), "hl-tag-orange"));
        page.note = format!(
            "{}申请待登记管理机关负责人审批：经办人 {} 于 {} 提出，决定文书号 {}。",
            d.action_label,
            d.proposed_by,
            super::decisions::at(&d.proposed_at),
            d.doc_no
        );
    }
    if can_write {
        if open {
            page.buttons.push(Button::primary("变更登记事项", format!("{base}/edit")));
        }
        match &pending {
            Some(d) => {
                let label = if pu.user.can(Action::RegistryDecide) { "审批该申请" } else { "查看审批进度" };
                page.buttons.push(Button::new(label, format!("/registry/decisions/{}", d.id)));
            }
            None => {
                for a in status.map(|s| StatusAction::available(s, mode)).unwrap_or_default() {
                    page.buttons.push(Button::new(a.label_for(mode), format!("{base}/status?action={}", a.as_str())));
                }
            }
        }
    }
    page.tabs = Tab::of(
        &base,
        &[("info", "基本信息"), ("history", "变更记录"), ("asof", "历史状态查询"), ("files", "登记材料")],
        &tab,
    );
    page.tabs.push(Tab {
        id: "tab-party".into(),
        label: "党建情况".into(),
        href: format!("/party/coverage/orgs/{id}"),
        active: false,
    });
    match tab.as_str() {
        "history" => {
            let mut t = Table::new(
                "history-table",
                vec!["生效日期", "事项", "变更内容", "事由 / 文号", "经办人 / 批准人", "办理时间"],
            );
            for e in st.app.registry().org_history(&pu.user, id).await? {
                let changes: Vec<hongling_service::registry::orgs::FieldChange> =
                    serde_json::from_str(&e.changes_json).unwrap_or_default();
                let items = changes
                    .iter()
                    .map(|c| format!("{}：{} → {}", field_label(&c.field), json_text(&c.before), json_text(&c.after)))
                    .collect::<Vec<_>>();
                let mut what = Cell::text(if items.is_empty() { "—" } else { "" }).items(items);
                what.nowrap = false;
                t.rows.push(vec![
                    Cell { nowrap: true, ..Cell::text(e.effective_on.to_string()) },
                    Cell { nowrap: true, ..Cell::text(action_label(&e.action, &org.registration_mode)) },
                    what,
                    Cell::text(e.reason).sub(e.doc_no),
                    if e.approver.is_empty() {
                        Cell::text(e.actor)
                    } else {
                        Cell::text(format!("{}（提出）", e.actor)).sub(format!("{}（批准）", e.approver))
                    },
                    Cell { nowrap: true, ..Cell::text(fmt::datetime(e.at)) },
                ]);
            }
            page.tables.push(t);
        }
        "files" => {
            let files = st.app.attachments().of(&pu.user, "social_org", id).await?;
            if files.is_empty() {
                page.note = "尚未上传登记材料（章程、登记证书、批复文件等的扫描件）。".into();
            }
            page.tables.push(crate::attachments::table("file-table", "登记材料", &files));
            if can_write {
                page.forms.push(InlineForm {
                    id: "file-form",
                    action: format!("{base}/files"),
                    title: "上传登记材料".into(),
                    fields: vec![Field::file("file", "文件")],
                    submit: "上传".into(),
                    confirm: String::new(),
                    get: false,
                });
            }
        }
        "asof" => {
            let as_of = q.as_of.clone().unwrap_or_default();
            let mut day = Field::date("as_of", "查询日期", as_of.clone());
            day.required = true;
            page.query = Some(InlineForm {
                id: "as-of-form",
                action: base.clone(),
                title: String::new(),
                fields: vec![Field::hidden("tab", "asof"), day],
                submit: "查询该日登记状态".into(),
                confirm: String::new(),
                get: true,
            });
            if let Some(d) = q.as_of.as_deref().and_then(fmt::parse_date) {
                match st.app.registry().org_as_of(&pu.user, id, d).await? {
                    Some(s) => {
                        page.note = format!("{d} 当日的登记信息：");
                        page.facts = facts_of(&st, &s, &units).await?;
                    }
                    None => page.note = format!("{d} 时该组织尚未成立或尚无登记记录。"),
                }
            } else if !as_of.is_empty() {
                page.note = "日期格式应为 YYYY-MM-DD".into();
            }
        }
        _ => {
            page.facts = facts_of(&st, &snap, &units).await?;
            if can_write && open {
                let classes = SupervisionClass::ALL.iter().map(|c| (c.as_str().to_owned(), c.label().to_owned()));
                let mut reason = Field::text("reason", "调整事由", "").placeholder("调整事由");
                reason.required = true;
                page.forms.push(InlineForm {
                    id: "supervision-form",
                    action: format!("{base}/supervision"),
                    title: "调整监管分类".into(),
                    fields: vec![
                        Field::select("class", "监管分类", org.supervision_class.clone(), classes.collect()),
                        reason,
                    ],
                    submit: "调整".into(),
                    confirm: "确定调整该组织的监管分类？".into(),
                    get: false,
                });
            }
        }
    }
    Ok(render(&page))
}

/// Upload a registration document to the record's 登记材料 tab.
pub(super) async fn file_upload(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    mp: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let to = format!("/registry/orgs/{id}?tab=files");
    let added = match crate::attachments::Upload::read(mp).await {
        Ok(up) => match up.files.into_iter().next() {
            Some(f) => st.app.registry().add_org_file(&pu.user, id, &f.filename, f.bytes).await,
            None => Err(Error::invalid("file", "请选择要上传的文件")),
        },
        Err(e) => Err(e),
    };
    match added {
        Ok(f) => Ok(pu.redirect(&st, &to, Flash::ok(format!("已上传“{}”。", f.filename))).await),
        Err(Error::Invalid(e)) => {
            let msg = e.into_iter().map(|x| x.message).collect::<Vec<_>>().join("；");
            Ok(pu.redirect(&st, &to, Flash::error(format!("未上传：{msg}"))).await)
        }
        Err(e) => Err(e.into()),
    }
}
