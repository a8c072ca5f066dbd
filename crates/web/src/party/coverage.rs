//! Coverage analysis.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, RawQuery, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::party::coverage::{ChannelKind, CoverageMode};
use hongling_domain::registry::{Category, OrgKind, RegistrationMode};
use hongling_service::auth::Flash;
use hongling_service::list::{Pick, percent};
use hongling_service::party::figures::{Coverage, CoverageQuery, CoverageRow};
use hongling_service::party::may_write_party;
use hongling_service::registry::lists::CoverageOrgList;
use hongling_service::{CurrentUser, Error};
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::layout::Layout;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::list::{ListView, export_button, pairs};
use crate::ui::{Button, Cell, DetailPage, Field, InlineForm, Kind, Table, options, picker};

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/party/coverage", Action::PartyFigures, coverage)
        .get("/party/coverage/export", Action::PartyFigures, coverage_export)
        .get("/party/coverage/orgs", Action::PartyFigures, coverage_orgs)
        .get("/party/coverage/orgs/export", Action::PartyFigures, coverage_orgs_export)
        .get("/party/coverage/orgs/{id}", Action::PartyFigures, org_party)
        .post("/party/coverage/orgs/{id}/host", Action::PartyCoverageWrite, org_host)
        .post("/party/coverage/orgs/{id}/channel", Action::PartyCoverageWrite, org_channel)
}

#[derive(Template)]
#[template(path = "party/coverage.html")]
struct CoveragePage {
    layout: Layout,
    f: CoverageQuery,
    total: Coverage,
    cards: Vec<(String, String, String, String)>,
    children: Vec<CoverageRow>,
    channels: Vec<CoverageRow>,
    breach_rules: Vec<(String, String, i64)>,
    path: Vec<(String, String)>,
    search: Vec<Field>,
    query: String,
    chart_json: String,
}

impl CoveragePage {
    fn drill(&self, code: &str) -> String {
        let mut pairs = self.pairs();
        pairs.retain(|(k, _)| *k != "region");
        pairs.push(("region", code.to_owned()));
        format!("/party/coverage?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        coverage_pairs(&self.f)
    }

    fn rate(&self, x: &f64) -> String {
        pct(*x)
    }

    fn n(&self, x: &u64) -> String {
        fmt::thousands(*x as i64)
    }
}

fn coverage_pairs(f: &CoverageQuery) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("region", opt_s(&f.region)),
        ("mode", opt_s(&f.mode)),
        ("kind", opt_s(&f.kind)),
        ("category", opt_s(&f.category)),
        ("channel", opt_s(&f.channel)),
        ("year", f.year.map(|y| y.to_string()).unwrap_or_default()),
    ];
    v.retain(|(_, x)| !x.is_empty());
    v
}

fn coverage_query(q: &CoverageQuery) -> CoverageQuery {
    CoverageQuery {
        region: nonempty(&q.region),
        mode: nonempty(&q.mode),
        kind: nonempty(&q.kind),
        category: nonempty(&q.category),
        channel: nonempty(&q.channel),
        year: q.year,
    }
}

#[derive(Deserialize, Default)]
struct CoverageForm {
    region: Option<String>,
    mode: Option<String>,
    kind: Option<String>,
    category: Option<String>,
    channel: Option<String>,
    year: Option<String>,
}

impl CoverageForm {
    /// The query, with a region typed by name resolved within the caller's
    /// scope (or the message of why it could not be).
    async fn query(&self, st: &AppState, me: &CurrentUser) -> Result<(CoverageQuery, Option<String>), WebError> {
        let mut error = None;
        let region = match self.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => None,
            Some(text) => match st.app.resolve_region(me, text).await? {
                Ok(code) => Some(code),
                Err(m) => {
                    error = Some(m);
                    None
                }
            },
        };
        let q = coverage_query(&CoverageQuery {
            region,
            mode: self.mode.clone(),
            kind: self.kind.clone(),
            category: self.category.clone(),
            channel: self.channel.clone(),
            year: self.year.as_deref().and_then(|y| y.trim().parse().ok()),
        });
        Ok((q, error))
    }
}

async fn coverage_search(
    st: &AppState,
    f: &CoverageQuery,
    typed: &CoverageForm,
    region_error: Option<String>,
    years: &[i32],
) -> Result<Vec<Field>, WebError> {
    let mut year_opts = vec![(String::new(), "当前（实时）".to_owned())];
    year_opts.extend(years.iter().map(|y| (y.to_string(), format!("{y} 年末"))));
    let mut region = match (&region_error, &f.region) {
        (None, Some(code)) => picker::region(st, "region", "区域", code).await?,
        // as typed (a code outside the scope is not named)
        _ => Field::picker("region", "区域", "/pick/regions", opt_s(&typed.region), opt_s(&typed.region)),
    };
    region.error = region_error;
    Ok(vec![
        region,
        Field::select(
            "mode",
            "登记方式",
            opt_s(&f.mode),
            options(RegistrationMode::ALL.iter().map(|x| (x.as_str(), x.label())), Some("全部")),
        ),
        Field::select(
            "kind",
            "组织类型",
            opt_s(&f.kind),
            options(OrgKind::ALL.iter().map(|x| (x.as_str(), x.label())), Some("全部")),
        ),
        Field::select(
            "category",
            "类别",
            opt_s(&f.category),
            options(Category::ALL.iter().map(|x| (x.as_str(), x.label())), Some("全部")),
        ),
        Field::select(
            "channel",
            "管理渠道",
            opt_s(&f.channel),
            options(ChannelKind::ALL.iter().map(|x| (x.as_str(), x.label())), Some("全部")),
        ),
        Field::select("year", "统计时点", f.year.map(|y| y.to_string()).unwrap_or_default(), year_opts),
    ])
}

async fn coverage(
    State(st): State<AppState>,
    pu: PageUser,
    Query(form): Query<CoverageForm>,
) -> Result<Response, WebError> {
    let (q, region_error) = form.query(&st, &pu.user).await?;
    let total = st.app.party().coverage(&pu.user, &q).await?;
    let mut q = q;
    q.region = Some(total.region.clone());
    let children = st.app.party().coverage_children(&pu.user, &q).await?;
    let channels = st.app.party().coverage_by(&pu.user, &q, "channel").await?;
    let breach_rules =
        if q.year.is_none() { st.app.party().breach_counts(&pu.user, Some(&total.region)).await? } else { vec![] };
    let years = st.app.party().snapshot_years().await?;
    // the path from the user's scope down to the region shown
    let mut path = Vec::new();
    if let Ok(code) = hongling_domain::RegionCode::parse(&total.region) {
        let mut chain = code.ancestors();
        chain.push(code.clone());
        let names = st.app.region_labels(&chain.iter().map(|c| c.to_string()).collect::<Vec<_>>()).await?;
        for c in chain.into_iter().filter(|c| pu.user.scope.region.contains(c)) {
            let n = names.get(c.as_str()).and_then(|n| n.split(' ').next_back()).unwrap_or("").to_owned();
            path.push((c.to_string(), n));
        }
    }
    let target = |t: Option<f64>| t.map(|t| format!("目标 {}", pct(t))).unwrap_or_default();
    let filtered = [&q.mode, &q.kind, &q.category, &q.channel].iter().any(|v| v.is_some());
    let mut cards = vec![
        ("fig-orgs".into(), "社会组织（正常）".into(), fmt::thousands(total.organizations as i64), String::new()),
        (
            "fig-covered".into(),
            "已覆盖".into(),
            fmt::thousands(total.covered as i64),
            format!("未覆盖 {}（点击查看）", fmt::thousands(total.by_mode.uncovered as i64)),
        ),
        ("fig-coverage-rate".into(), "覆盖率".into(), pct(total.coverage_rate), target(total.coverage_rate_target)),
        (
            "fig-standalone-rate".into(),
            "单建率".into(),
            pct(total.standalone_rate),
            target(total.standalone_rate_target),
        ),
        (
            "fig-breaches".into(),
            "违规提示".into(),
            fmt::thousands(total.breaches as i64),
            if filtered { "筛选范围内组织的违规".into() } else { "点击查看清单".into() },
        ),
    ];
    // `004`: a locality's reported levels are on its registered organizations; shown
    // beside the rates of the registered organizations, as references, not targets
    if total.registered_party_org_rate_reference.is_some() || total.registered_standalone_rate_reference.is_some() {
        let refs = [
            total.registered_party_org_rate_reference.map(|t| format!("党组织覆盖率 {}", pct(t))),
            total.registered_standalone_rate_reference.map(|t| format!("单建率 {}", pct(t))),
        ];
        let refs: Vec<String> = refs.into_iter().flatten().collect();
        cards.push((
            "fig-registered".into(),
            "登记类党组织覆盖率".into(),
            pct(total.registered_party_org_rate),
            format!(
                "单建率 {}，以登记类 {} 个为基数；参考值（地方报告，非目标）{}",
                pct(total.registered_standalone_rate),
                fmt::thousands(total.registered_organizations as i64),
                refs.join("、")
            ),
        ));
    }
    // chart data, read by app.js (no inline script under the CSP)
    // shares rounded as the tables round them (not by the chart library)
    let m = &total.by_mode;
    let modes = [
        (CoverageMode::Standalone, m.standalone),
        (CoverageMode::JointBranch, m.joint_branch),
        (CoverageMode::Instructor, m.instructor),
        (CoverageMode::HostLed, m.host_led),
        (CoverageMode::Uncovered, m.uncovered),
    ];
    let all: u64 = modes.iter().map(|(_, n)| *n).sum();
    let chart = serde_json::json!({
        "modes": modes.iter().map(|(k, n)| serde_json::json!({
            "name": k.label(), "value": n,
            "share": if all > 0 { percent(*n as f64 / all as f64) } else { 0.0 },
        })).collect::<Vec<_>>(),
        "regions": children.iter().filter(|c| c.organizations > 0).map(|c| serde_json::json!({
            "name": c.name, "coverage": percent(c.coverage_rate),
            "standalone": percent(c.standalone_rate),
        })).collect::<Vec<_>>(),
        "target": total.coverage_rate_target.map(percent),
    });
    let query = serde_urlencoded::to_string(coverage_pairs(&q)).unwrap_or_default();
    let invalid = region_error.is_some();
    let mut res = render(&CoveragePage {
        layout: crumbs(pu.layout(&st, "coverage", "覆盖分析").await, "覆盖分析", None),
        search: coverage_search(&st, &q, &form, region_error, &years).await?,
        chart_json: chart.to_string(),
        f: q,
        total,
        cards,
        children,
        channels,
        breach_rules,
        path,
        query,
    });
    if invalid {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn coverage_export(
    State(st): State<AppState>,
    pu: PageUser,
    Query(form): Query<CoverageForm>,
) -> Result<Response, WebError> {
    let (q, region_error) = form.query(&st, &pu.user).await?;
    if let Some(m) = region_error {
        return Err(Error::invalid("region", m).into());
    }
    let bytes = st.app.party().export_coverage(&pu.user, &q).await?;
    let name = format!("党建覆盖统计-{}.xlsx", hongling_service::registry::orgs::local_today(st.app.now()));
    Ok(crate::page::xlsx_response(bytes, &name))
}

async fn coverage_orgs(
    State(st): State<AppState>,
    pu: PageUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let raw = pairs(raw.as_deref());
    let form = &["q", "region", "coverage", "channel", "mode", "breaches"];
    let view =
        ListView::load::<CoverageOrgList>(&st, &pu.user, "/party/coverage/orgs", "coverage-org-table", &raw, form, &[])
            .await?;
    let export = export_button(&pu.user, Action::PartyFigures, view.export_href("/party/coverage/orgs/export"));
    let layout = crumbs(pu.layout(&st, "coverage", "覆盖明细").await, "覆盖分析", Some("/party/coverage"))
        .crumb("组织覆盖明细", None);
    Ok(view.page(layout, "组织覆盖明细", export.into_iter().collect()).render())
}

async fn coverage_orgs_export(
    State(st): State<AppState>,
    pu: PageUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    crate::ui::list::export::<CoverageOrgList>(&st, &pu.user, raw.as_deref()).await
}

async fn org_party(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let p = st.app.party().org_party(&pu.user, id).await?;
    let mode = CoverageMode::parse(&p.coverage_mode);
    let refs = |v: &[Ref]| {
        if v.is_empty() { "—".to_owned() } else { v.iter().map(|r| r.name.clone()).collect::<Vec<_>>().join("、") }
    };
    let facts = vec![
        ("覆盖方式".to_owned(), mode.map(|m| m.label()).unwrap_or("").to_owned()),
        ("正式党员 / 预备党员".to_owned(), format!("{} / {}", p.formal_members, p.probationary_members)),
        ("所在党组织".to_owned(), p.party_org.as_ref().map(|r| r.name.clone()).unwrap_or_else(|| "—".into())),
        ("党建指导员".to_owned(), refs(&p.instructors)),
        ("“1+N”带动组织".to_owned(), p.host.as_ref().map(|r| r.name.clone()).unwrap_or_else(|| "—".into())),
        ("带动的组织".to_owned(), refs(&p.hosting)),
        (
            "党建管理渠道".to_owned(),
            format!(
                "{}（{}）{}",
                p.channel.as_ref().map(|r| r.name.clone()).unwrap_or_else(|| "未划定".into()),
                p.channel_kind_label,
                if p.channel_manual { "，人工划转" } else { "，按规则确定" }
            ),
        ),
        ("“三同步”".to_owned(), if p.sync_pending { "待落实".into() } else { "—".into() }),
    ];
    let mut tags =
        vec![(mode.map(|m| m.label()).unwrap_or("").to_owned(), mode.map(CoverageMode::tag).unwrap_or("hl-tag-grey"))];
    if !p.breaches.is_empty() {
        tags.push((format!("违规 {} 项", p.breaches.len()), "hl-tag-red"));
    }
    let mut breach_table = Table::new("org-breaches", vec!["规则", "情况", "发现日期"]).titled("违规提示");
    for b in &p.breaches {
        breach_table.rows.push(vec![
            Cell::tag(b.rule_label.clone(), "hl-tag-red"),
            Cell::text(b.detail.clone()),
            Cell::text(b.since.clone()),
        ]);
    }
    let mut forms = Vec::new();
    if may_write_party(&pu.user) {
        let channels = st.app.party().channel_choices(&pu.user).await?;
        let mut ch_opts = vec![(String::new(), "按规则确定".to_owned())];
        ch_opts.extend(channels.into_iter().map(|(id, name)| (id.to_string(), name)));
        forms.push(InlineForm {
            id: "channel-form",
            action: format!("/party/coverage/orgs/{id}/channel"),
            title: "划转党建管理渠道".into(),
            fields: vec![Field::select(
                "channel_id",
                "管理渠道",
                if p.channel_manual {
                    p.channel.as_ref().map(|c| c.id.to_string()).unwrap_or_default()
                } else {
                    String::new()
                },
                ch_opts,
            )],
            submit: "保存".into(),
            confirm: String::new(),
            get: false,
        });
        if !mode.is_some_and(CoverageMode::has_party_org) {
            forms.push(InlineForm {
                id: "host-form",
                action: format!("/party/coverage/orgs/{id}/host"),
                title: "“1+N”带动：指定一个党建工作基础好的社会组织就近带动".into(),
                fields: vec![
                    picker::field(
                        &st,
                        &pu.user,
                        "host_org_id",
                        "带动组织",
                        Pick::Orgs,
                        &p.host.as_ref().map(|h| h.id.to_string()).unwrap_or_default(),
                    )
                    .await?
                    .placeholder("输入组织名称选择；清空为取消"),
                ],
                submit: "保存".into(),
                confirm: String::new(),
                get: false,
            });
        }
    }
    Ok(render(&DetailPage {
        layout: crumbs(pu.layout(&st, "coverage", &p.org.name).await, "覆盖分析", Some("/party/coverage"))
            .crumb(p.org.name.clone(), None),
        error: None,
        title: p.org.name.clone(),
        tags,
        subtitle: "党的组织和工作覆盖情况".into(),
        buttons: vec![Button::new("登记信息", format!("/registry/orgs/{id}"))],
        tabs: vec![],
        facts,
        tables: vec![breach_table],
        forms,
        secret: None,
        query: None,
        note: String::new(),
    }))
}

#[derive(Deserialize)]
struct HostForm {
    #[serde(default)]
    host_org_id: String,
}

async fn org_host(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<HostForm>,
) -> Result<Response, WebError> {
    let text = f.host_org_id.trim();
    let to = format!("/party/coverage/orgs/{id}");
    let host = if text.is_empty() {
        None
    } else {
        match st.app.resolve_pick(&pu.user, Pick::Orgs, text).await? {
            Ok(h) => Some(h),
            Err(m) => return Ok(pu.redirect(&st, &to, Flash::error(m)).await),
        }
    };
    match st.app.party().set_host(&pu.user, id, host).await {
        Ok(()) => Ok(pu.redirect(&st, &to, Flash::ok("已设置“1+N”带动。")).await),
        Err(e @ Error::Invalid(_)) => Ok(pu.redirect(&st, &to, Flash::error(e.to_string())).await),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ChannelForm {
    #[serde(default)]
    channel_id: String,
}

async fn org_channel(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ChannelForm>,
) -> Result<Response, WebError> {
    st.app.party().set_org_channel(&pu.user, id, ids(&f.channel_id).first().copied()).await?;
    Ok(pu.redirect(&st, &format!("/party/coverage/orgs/{id}"), Flash::ok("已调整党建管理渠道。")).await)
}
