//! Coverage analysis.

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::layout::{Layout, Pager};
use crate::page::{PageUser, render};
use crate::routes::Routes;
use crate::ui::{Button, Cell, DetailPage, Field, InlineForm, Kind, ListPage, Table, options};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Action;
use hongling_domain::party::coverage::{BreachRule, ChannelKind, CoverageMode};
use hongling_domain::registry::{Category, OrgKind, RegistrationMode};
use hongling_service::Ref;
use hongling_service::party::figures::{Coverage, CoverageQuery, CoverageRow};
use hongling_service::party::{may_read_party, may_write_party};
use hongling_service::{Error, PageRequest};
use serde::Deserialize;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new()
        .get("/party/coverage", Action::PartyFigures, coverage)
        .get("/party/coverage/export", Action::PartyFigures, coverage_export)
        .get("/party/coverage/breaches", Action::PartyFigures, breaches)
        .get("/party/coverage/orgs", Action::PartyFigures, coverage_orgs)
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
    fn query(&self) -> CoverageQuery {
        coverage_query(&CoverageQuery {
            region: self.region.as_deref().map(|r| r.trim().chars().take_while(char::is_ascii_digit).collect()),
            mode: self.mode.clone(),
            kind: self.kind.clone(),
            category: self.category.clone(),
            channel: self.channel.clone(),
            year: self.year.as_deref().and_then(|y| y.trim().parse().ok()),
        })
    }
}

fn coverage_search(f: &CoverageQuery, years: &[i32]) -> Vec<Field> {
    let mut year_opts = vec![(String::new(), "当前（实时）".to_owned())];
    year_opts.extend(years.iter().map(|y| (y.to_string(), format!("{y} 年末"))));
    vec![
        Field::picker("region", "区域", "/pick/regions", opt_s(&f.region), opt_s(&f.region)),
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
    ]
}

async fn coverage(
    State(st): State<AppState>,
    pu: PageUser,
    Query(form): Query<CoverageForm>,
) -> Result<Response, WebError> {
    let q = form.query();
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
    let cards = vec![
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
    // chart data, read by app.js (no inline script under the CSP)
    let chart = serde_json::json!({
        "modes": [
            {"name": CoverageMode::Standalone.label(), "value": total.by_mode.standalone},
            {"name": CoverageMode::JointBranch.label(), "value": total.by_mode.joint_branch},
            {"name": CoverageMode::Instructor.label(), "value": total.by_mode.instructor},
            {"name": CoverageMode::HostLed.label(), "value": total.by_mode.host_led},
            {"name": CoverageMode::Uncovered.label(), "value": total.by_mode.uncovered},
        ],
        "regions": children.iter().filter(|c| c.organizations > 0).map(|c| serde_json::json!({
            "name": c.name, "coverage": (c.coverage_rate * 1000.0).round() / 10.0,
            "standalone": (c.standalone_rate * 1000.0).round() / 10.0,
        })).collect::<Vec<_>>(),
        "target": total.coverage_rate_target.map(|t| t * 100.0),
    });
    let query = serde_urlencoded::to_string(coverage_pairs(&q)).unwrap_or_default();
    Ok(render(&CoveragePage {
        layout: crumbs(pu.layout(&st, "coverage", "覆盖分析").await, "覆盖分析", None),
        search: coverage_search(&q, &years),
        chart_json: chart.to_string(),
        f: q,
        total,
        cards,
        children,
        channels,
        breach_rules,
        path,
        query,
    }))
}

async fn coverage_export(
    State(st): State<AppState>,
    pu: PageUser,
    Query(form): Query<CoverageForm>,
) -> Result<Response, WebError> {
    let q = form.query();
    let bytes = st.app.party().export_coverage(&pu.user, &q).await?;
    let name = format!("党建覆盖统计-{}.xlsx", hongling_service::registry::orgs::local_today(st.app.now()));
    Ok(crate::page::xlsx_response(bytes, &name))
}

#[derive(Deserialize, Default)]
struct BreachQuery {
    region: Option<String>,
    rule: Option<String>,
    page: Option<u64>,
}

async fn breaches(
    State(st): State<AppState>,
    pu: PageUser,
    Query(q): Query<BreachQuery>,
) -> Result<Response, WebError> {
    let region = nonempty(&q.region).map(|r| r.chars().take_while(char::is_ascii_digit).collect::<String>());
    let rule = nonempty(&q.rule);
    let page = st
        .app
        .party()
        .list_breaches(&pu.user, region.as_deref(), rule.as_deref(), PageRequest::new(q.page, None))
        .await?;
    let labels = st.app.region_labels(&page.items.iter().map(|b| b.region_code.clone()).collect::<Vec<_>>()).await?;
    let mut table = Table::new("breach-table", vec!["规则", "社会组织", "党组织", "所在区域", "情况", "发现日期"]);
    for b in &page.items {
        table.rows.push(vec![
            Cell::tag(b.rule_label.clone(), "hl-tag-red"),
            link(&b.org, "/party/coverage/orgs"),
            link(&b.party_org, "/party/orgs"),
            Cell::text(labels.get(&b.region_code).cloned().unwrap_or_else(|| b.region_code.clone())),
            Cell::text(b.detail.clone()),
            Cell::text(b.since.clone()),
        ]);
    }
    let pairs = vec![("region", opt_s(&region)), ("rule", opt_s(&rule))];
    let pager = Pager::new("/party/coverage/breaches", &pairs, page.total, page.page, page.per_page)
        .at_least(!page.total_exact);
    let export = format!(
        "/party/coverage/export?{}",
        serde_urlencoded::to_string([("region", opt_s(&region))]).unwrap_or_default()
    );
    Ok(render(&ListPage {
        layout: crumbs(pu.layout(&st, "breaches", "违规提示").await, "违规提示", None),
        notice: None,
        heading: "违规提示".into(),
        intro: "按政策参数对党的组织和工作覆盖规则逐一检查的结果，随数据变化实时更新".into(),
        action: "/party/coverage/breaches".into(),
        search: vec![
            Field::picker("region", "区域", "/pick/regions", opt_s(&region), opt_s(&region)),
            Field::select(
                "rule",
                "规则",
                opt_s(&rule),
                options(BreachRule::ALL.iter().map(|r| (r.as_str(), r.label())), Some("全部")),
            ),
        ],
        buttons: vec![Button::new("导出 Excel", export)],
        table,
        pager: Some(pager),
        forms: vec![],
        errors: vec![],
    }))
}

#[derive(Deserialize, Default)]
struct CoverageOrgsQuery {
    region: Option<String>,
    q: Option<String>,
    coverage: Option<String>,
    channel: Option<String>,
    mode: Option<String>,
    breaches: Option<String>,
    page: Option<u64>,
}

async fn coverage_orgs(
    State(st): State<AppState>,
    pu: PageUser,
    Query(q): Query<CoverageOrgsQuery>,
) -> Result<Response, WebError> {
    require(may_read_party(&pu.user), "当前账号无权查看区域党建数据")?;
    let region = nonempty(&q.region).map(|r| r.chars().take_while(char::is_ascii_digit).collect::<String>());
    let f = hongling_service::registry::orgs::OrgFilter {
        region: region.clone(),
        q: nonempty(&q.q),
        mode: nonempty(&q.mode),
        status: Some("active".into()),
        coverage: nonempty(&q.coverage),
        channel: nonempty(&q.channel),
        breaches: q.breaches.as_deref().map(|b| b == "1"),
        ..Default::default()
    };
    let page = st.app.registry().list_orgs(&pu.user, &f, PageRequest::new(q.page, None)).await?;
    let labels = st.app.region_labels(&page.items.iter().map(|o| o.region_code.clone()).collect::<Vec<_>>()).await?;
    let mut table = Table::new(
        "coverage-org-table",
        vec!["组织名称", "登记方式", "所在区域", "正式党员", "覆盖方式", "管理渠道", "违规", "操作"],
    );
    for o in &page.items {
        let mode = CoverageMode::parse(&o.coverage_mode);
        table.rows.push(vec![
            Cell::link(o.name.clone(), format!("/party/coverage/orgs/{}", o.id)),
            Cell::text(RegistrationMode::parse(&o.registration_mode).map(|m| m.label()).unwrap_or("")),
            Cell::text(labels.get(&o.region_code).cloned().unwrap_or_default()),
            Cell::num(o.formal_members.into()),
            Cell::tag(mode.map(|m| m.label()).unwrap_or(""), mode.map(CoverageMode::tag).unwrap_or("hl-tag-grey")),
            Cell::text(hongling_service::party::figures::dimension_label("channel_kind", &o.channel_kind)),
            if o.breach_count > 0 { Cell::tag(o.breach_count.to_string(), "hl-tag-red") } else { Cell::text("—") },
            Cell::link("党建情况", format!("/party/coverage/orgs/{}", o.id)),
        ]);
    }
    let pairs = vec![
        ("region", opt_s(&region)),
        ("q", opt_s(&q.q)),
        ("coverage", opt_s(&q.coverage)),
        ("channel", opt_s(&q.channel)),
        ("mode", opt_s(&q.mode)),
        ("breaches", opt_s(&q.breaches)),
    ];
    Ok(render(&ListPage {
        layout: crumbs(pu.layout(&st, "coverage", "覆盖明细").await, "覆盖分析", Some("/party/coverage"))
            .crumb("组织覆盖明细", None),
        notice: None,
        heading: "组织覆盖明细".into(),
        intro: String::new(),
        action: "/party/coverage/orgs".into(),
        search: vec![
            Field::text("q", "名称/信用代码", opt_s(&q.q)),
            Field::picker("region", "区域", "/pick/regions", opt_s(&region), opt_s(&region)),
            Field::select(
                "coverage",
                "覆盖方式",
                opt_s(&q.coverage),
                options(CoverageMode::ALL.iter().map(|m| (m.as_str(), m.label())), Some("全部")),
            ),
            Field::select(
                "channel",
                "管理渠道",
                opt_s(&q.channel),
                options(ChannelKind::ALL.iter().map(|m| (m.as_str(), m.label())), Some("全部")),
            ),
            Field::select(
                "mode",
                "登记方式",
                opt_s(&q.mode),
                options(RegistrationMode::ALL.iter().map(|m| (m.as_str(), m.label())), Some("全部")),
            ),
            Field::select(
                "breaches",
                "违规",
                opt_s(&q.breaches),
                vec![(String::new(), "全部".into()), ("1".into(), "仅看有违规的".into())],
            ),
        ],
        buttons: vec![],
        pager: Some(pager_of("/party/coverage/orgs", &pairs, &page)),
        table,
        forms: vec![],
        errors: vec![],
    }))
}

async fn org_party(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, WebError> {
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
        });
        if !mode.is_some_and(CoverageMode::has_party_org) {
            forms.push(InlineForm {
                id: "host-form",
                action: format!("/party/coverage/orgs/{id}/host"),
                title: "“1+N”带动：指定一个党建工作基础好的社会组织就近带动".into(),
                fields: vec![
                    Field::text(
                        "host_org_id",
                        "带动组织编号",
                        p.host.as_ref().map(|h| h.id.to_string()).unwrap_or_default(),
                    )
                    .placeholder("留空为取消"),
                ],
                submit: "保存".into(),
                confirm: String::new(),
            });
        }
    }
    Ok(render(&DetailPage {
        layout: crumbs(pu.layout(&st, "coverage", &p.org.name).await, "覆盖分析", Some("/party/coverage"))
            .crumb(p.org.name.clone(), None),
        notice: notice(q.ok.as_deref()),
        error: q.error.clone(),
        title: p.org.name.clone(),
        tags,
        subtitle: "党的组织和工作覆盖情况".into(),
        buttons: vec![Button::new("登记信息", format!("/registry/orgs/{id}"))],
        tabs: vec![],
        facts,
        tables: vec![breach_table],
        forms,
        revealed: None,
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
    let host = ids(&f.host_org_id).first().copied();
    match st.app.party().set_host(&pu.user, id, host).await {
        Ok(()) => Ok(Redirect::to(&format!("/party/coverage/orgs/{id}?ok=host")).into_response()),
        Err(e @ Error::Invalid(_)) => Ok(Redirect::to(&format!(
            "/party/coverage/orgs/{id}?{}",
            serde_urlencoded::to_string([("error", e.to_string())]).unwrap_or_default()
        ))
        .into_response()),
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
    Ok(Redirect::to(&format!("/party/coverage/orgs/{id}?ok=channel")).into_response())
}
