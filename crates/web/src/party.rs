//! Party-building pages (M2): coverage analysis with drill-down, breaches,
//! the planner, party organizations, members, instructors, party life, funds,
//! training, channels and policy profiles. Thin over `hongling_service::party`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use hongling_domain::party::coverage::{
    Assessment, BreachRule, ChannelKind, CoverageMode, FundKind, InstructorSource, MemberType, PartyLifeKind,
    PartyOrgType,
};
use hongling_domain::registry::{Category, OrgKind, RegistrationMode};
use hongling_service::Ref;
use hongling_service::party::figures::{Coverage, CoverageQuery, CoverageRow};
use hongling_service::party::instructors::{InstructorFilter, InstructorInput};
use hongling_service::party::life::{ActivityFilter, FundInput, PartyLifeInput, TrainingInput};
use hongling_service::party::members::{MemberFilter, MemberInput};
use hongling_service::party::planner::{AcceptInput, AcceptInstructor, AcceptJointBranch, PlanView};
use hongling_service::party::records::{ChannelInput, PartyOrgFilter, PartyOrgInput};
use hongling_service::party::{may_edit_policy, may_read_party, may_write_party, own_party_org};
use hongling_service::policy::{PolicyInput, PolicyView};
use hongling_service::{Error, FieldError, PageRequest};
use serde::Deserialize;

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::layout::{Layout, Pager};
use crate::pages::{PageUser, render};
use crate::widgets::{
    Button, Cell, DetailPage, Field, FormPage, InlineForm, Kind, ListPage, Tab, Table, attach, options,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/party/coverage", get(coverage))
        .route("/party/coverage/export", get(coverage_export))
        .route("/party/coverage/breaches", get(breaches))
        .route("/party/coverage/orgs", get(coverage_orgs))
        .route("/party/coverage/orgs/{id}", get(org_party))
        .route("/party/coverage/orgs/{id}/host", post(org_host))
        .route("/party/coverage/orgs/{id}/channel", post(org_channel))
        .route("/party/plan", get(plan))
        .route("/party/plan/accept", post(plan_accept))
        .route("/party/orgs", get(party_orgs).post(party_org_create))
        .route("/party/orgs/new", get(party_org_new))
        .route("/party/orgs/{id}", get(party_org_detail).post(party_org_update))
        .route("/party/orgs/{id}/edit", get(party_org_edit))
        .route("/party/orgs/{id}/cover", post(party_org_cover))
        .route("/party/orgs/{id}/dissolve", post(party_org_dissolve))
        .route("/party/members", get(members).post(member_create))
        .route("/party/members/new", get(member_new))
        .route("/party/members/{id}", get(member_detail).post(member_update))
        .route("/party/members/{id}/edit", get(member_edit))
        .route("/party/members/{id}/reveal", post(member_reveal))
        .route("/party/instructors", get(instructors).post(instructor_create))
        .route("/party/instructors/new", get(instructor_new))
        .route("/party/instructors/{id}", get(instructor_detail).post(instructor_update))
        .route("/party/instructors/{id}/edit", get(instructor_edit))
        .route("/party/instructors/{id}/assign", post(instructor_assign))
        .route("/party/life", get(life).post(life_create))
        .route("/party/funds", get(funds).post(fund_create))
        .route("/party/trainings", get(trainings).post(training_create))
        .route("/party/channels", get(channels).post(channel_create))
        .route("/system/policy", get(policy).post(policy_set))
}

fn crumbs(l: Layout, page: &str, href: Option<&str>) -> Layout {
    l.crumb("党建工作", None).crumb(page.to_owned(), href)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn opt_s(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.trim().is_empty())
}

fn ids(s: &str) -> Vec<i64> {
    s.split(|c: char| !c.is_ascii_digit()).filter(|x| !x.is_empty()).filter_map(|x| x.parse().ok()).collect()
}

fn notice(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "created" => "已保存。",
            "updated" => "已保存修改，覆盖情况已重新计算。",
            "covered" => "已调整覆盖的组织，覆盖情况已重新计算。",
            "dissolved" => "已撤销该党组织，其覆盖的组织已解除。",
            "assigned" => "已调整联系组织，覆盖情况已重新计算。",
            "accepted" => "已采纳该方案并生成记录，覆盖情况已更新。",
            "host" => "已设置“1+N”带动。",
            "channel" => "已调整党建管理渠道。",
            "policy" => "已设置政策参数，所辖区域的覆盖情况正在按新参数重新计算。",
            _ => return None,
        }
        .to_owned(),
    )
}

fn pager_of<T>(base: &str, pairs: &[(&str, String)], p: &hongling_service::Page<T>) -> Pager {
    Pager::new(base, pairs, p.total, p.page, p.per_page).at_least(!p.total_exact)
}

fn link(r: &Option<Ref>, base: &str) -> Cell {
    match r {
        Some(r) => Cell::link(r.name.clone(), format!("{base}/{}", r.id)),
        None => Cell::text("—"),
    }
}

fn date_cell(d: &Option<String>) -> Cell {
    Cell::text(d.clone().unwrap_or_else(|| "—".into()))
}

/// Re-render a form with the errors under their fields (422).
fn form_response(page: FormPage) -> Response {
    let mut res = render(&page);
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    res
}

fn require(ok: bool, msg: &'static str) -> Result<(), WebError> {
    if ok { Ok(()) } else { Err(WebError::page(Error::Forbidden(msg))) }
}

// ---------- coverage analysis ----------

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
        Field::new("region", "区域", Kind::Region, opt_s(&f.region)).placeholder("区划代码或名称"),
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
    Ok(crate::registry::xlsx_response(bytes, &name))
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
            Field::new("region", "区域", Kind::Region, opt_s(&region)).placeholder("区划代码或名称"),
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
            Field::new("region", "区域", Kind::Region, opt_s(&region)).placeholder("区划代码或名称"),
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

#[derive(Deserialize, Default)]
struct OkQuery {
    ok: Option<String>,
    tab: Option<String>,
    error: Option<String>,
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

// ---------- planner ----------

#[derive(Template)]
#[template(path = "party/plan.html")]
struct PlanPage {
    layout: Layout,
    notice: Option<String>,
    errors: Vec<String>,
    /// the refused submission, as typed, to correct and submit again
    failed: Option<AcceptForm>,
    region: String,
    plan: Option<PlanView>,
    today: String,
}

impl PlanPage {
    fn ids(&self, v: &[i64]) -> String {
        v.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
    }
}

#[derive(Deserialize, Default)]
struct PlanQuery {
    region: Option<String>,
    ok: Option<String>,
}

async fn plan(State(st): State<AppState>, pu: PageUser, Query(q): Query<PlanQuery>) -> Result<Response, WebError> {
    require(may_write_party(&pu.user), "只有党建工作机构（综合党委、镇街）可以使用覆盖规划")?;
    let region = nonempty(&q.region).map(|r| r.chars().take_while(char::is_ascii_digit).collect::<String>());
    let plan = match &region {
        Some(r) => Some(st.app.party().plan_coverage(&pu.user, r).await?),
        None => None,
    };
    Ok(render(&PlanPage {
        layout: crumbs(pu.layout(&st, "plan", "覆盖规划").await, "覆盖规划", None),
        notice: notice(q.ok.as_deref()),
        errors: vec![],
        failed: None,
        region: region.unwrap_or_default(),
        plan,
        today: hongling_service::registry::orgs::local_today(st.app.now()).to_string(),
    }))
}

#[derive(Deserialize, Default, Clone)]
struct AcceptForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    orgs: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    founded_on: String,
    #[serde(default)]
    instructor: String,
}

async fn plan_accept(
    State(st): State<AppState>,
    pu: PageUser,
    Form(f): Form<AcceptForm>,
) -> Result<Response, WebError> {
    let input = if f.kind == "instructor" {
        AcceptInput::Instructor(AcceptInstructor {
            instructor: ids(&f.instructor).first().copied().unwrap_or(0),
            orgs: ids(&f.orgs),
        })
    } else {
        AcceptInput::JointBranch(AcceptJointBranch {
            orgs: ids(&f.orgs),
            name: f.name.clone(),
            founded_on: nonempty(&Some(f.founded_on.clone())),
        })
    };
    match st.app.party().accept_plan(&pu.user, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/party/plan?{}",
            serde_urlencoded::to_string([("region", f.region.as_str()), ("ok", "accepted")]).unwrap_or_default()
        ))
        .into_response()),
        Err(Error::Invalid(errors)) => {
            let plan = st.app.party().plan_coverage(&pu.user, &f.region).await.ok();
            let mut res = render(&PlanPage {
                layout: crumbs(pu.layout(&st, "plan", "覆盖规划").await, "覆盖规划", None),
                notice: None,
                errors: errors.into_iter().map(|e| e.message).collect(),
                failed: Some(f.clone()),
                region: f.region.clone(),
                plan,
                today: hongling_service::registry::orgs::local_today(st.app.now()).to_string(),
            });
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- party organizations ----------

#[derive(Deserialize, Default)]
struct PartyOrgListQuery {
    region: Option<String>,
    q: Option<String>,
    org_type: Option<String>,
    status: Option<String>,
    stars: Option<String>,
    breaches: Option<String>,
    page: Option<u64>,
    ok: Option<String>,
}

async fn party_orgs(
    State(st): State<AppState>,
    pu: PageUser,
    Query(q): Query<PartyOrgListQuery>,
) -> Result<Response, WebError> {
    let region = nonempty(&q.region).map(|r| r.chars().take_while(char::is_ascii_digit).collect::<String>());
    let f = PartyOrgFilter {
        region: region.clone(),
        q: nonempty(&q.q),
        org_type: nonempty(&q.org_type),
        channel_id: None,
        status: nonempty(&q.status),
        stars: q.stars.as_deref().and_then(|s| s.parse().ok()),
        breaches: q.breaches.as_deref().map(|b| b == "1"),
    };
    let page = st.app.party().list_party_orgs(&pu.user, &f, PageRequest::new(q.page, None)).await?;
    let labels = st.app.region_labels(&page.items.iter().map(|o| o.region_code.clone()).collect::<Vec<_>>()).await?;
    let mut table = Table::new(
        "party-org-table",
        vec!["党组织名称", "类型", "所在区域", "书记", "覆盖组织", "党员（正式/预备）", "星级", "违规", "操作"],
    );
    for p in &page.items {
        table.rows.push(vec![
            Cell::link(p.name.clone(), format!("/party/orgs/{}", p.id))
                .sub(p.channel.as_ref().map(|c| c.name.clone()).unwrap_or_default()),
            Cell::text(p.org_type_label.clone()),
            Cell::text(labels.get(&p.region_code).cloned().unwrap_or_default()),
            Cell::text(p.secretary.as_ref().map(|s| s.name.clone()).unwrap_or_else(|| "—".into())),
            Cell::num(p.covered_orgs.into()),
            Cell::text(format!("{} / {}", p.formal_members, p.probationary_members)),
            Cell::text(if p.star_rating > 0 { "★".repeat(p.star_rating as usize) } else { "—".into() }),
            if p.breach_count > 0 { Cell::tag(p.breach_count.to_string(), "hl-tag-red") } else { Cell::text("—") },
            Cell::link("查看", format!("/party/orgs/{}", p.id)),
        ]);
    }
    let pairs = vec![
        ("region", opt_s(&region)),
        ("q", opt_s(&q.q)),
        ("org_type", opt_s(&q.org_type)),
        ("status", opt_s(&q.status)),
        ("stars", opt_s(&q.stars)),
        ("breaches", opt_s(&q.breaches)),
    ];
    let mut buttons = vec![];
    if may_write_party(&pu.user) {
        buttons.push(Button::primary("新建党组织", "/party/orgs/new"));
    }
    let active = if q.stars.is_some() { "stars" } else { "party_orgs" };
    Ok(render(&ListPage {
        layout: crumbs(
            pu.layout(&st, active, "党组织").await,
            if q.stars.is_some() { "评星定级" } else { "党组织" },
            None,
        ),
        notice: notice(q.ok.as_deref()),
        heading: String::new(),
        intro: String::new(),
        action: "/party/orgs".into(),
        search: if may_read_party(&pu.user) {
            vec![
                Field::text("q", "党组织名称", opt_s(&q.q)),
                Field::new("region", "区域", Kind::Region, opt_s(&region)).placeholder("区划代码或名称"),
                Field::select(
                    "org_type",
                    "类型",
                    opt_s(&q.org_type),
                    options(PartyOrgType::ALL.iter().map(|t| (t.as_str(), t.label())), Some("全部")),
                ),
                Field::select(
                    "status",
                    "状态",
                    opt_s(&q.status),
                    vec![(String::new(), "正常".into()), ("dissolved".into(), "已撤销".into())],
                ),
                Field::select(
                    "stars",
                    "星级",
                    opt_s(&q.stars),
                    (0..=5)
                        .map(|s| {
                            (
                                if s == 0 { String::new() } else { s.to_string() },
                                if s == 0 { "全部".into() } else { format!("{s} 星及以上") },
                            )
                        })
                        .collect(),
                ),
                Field::select(
                    "breaches",
                    "违规",
                    opt_s(&q.breaches),
                    vec![(String::new(), "全部".into()), ("1".into(), "仅看有违规的".into())],
                ),
            ]
        } else {
            vec![]
        },
        buttons,
        pager: Some(pager_of("/party/orgs", &pairs, &page)),
        table,
        forms: vec![],
        errors: vec![],
    }))
}

fn party_org_fields(i: &PartyOrgInput, full: bool, channels: &[(String, String)]) -> Vec<Field> {
    let mut f =
        vec![Field::text("name", "党组织名称", i.name.clone()).required().placeholder("如：东营市某协会党支部")];
    if full {
        f.push(
            Field::select(
                "org_type",
                "类型",
                i.org_type.clone(),
                options(PartyOrgType::ALL.iter().map(|t| (t.as_str(), t.label())), Some("请选择")),
            )
            .required(),
        );
        f.push(
            Field::new("region_code", "所在区划", Kind::Region, i.region_code.clone())
                .required()
                .hint("输入街道、社区名称中的字可选择"),
        );
        f.push(Field::select("channel_id", "管理渠道", opt_s(&i.channel_id), channels.to_vec()));
        f.push(Field::text("parent_id", "上级党组织编号", opt_s(&i.parent_id)).hint("党总支、党委下设支部时填写"));
        f.push(Field::new("founded_on", "成立日期", Kind::Date, opt_s(&i.founded_on)));
    }
    f.push(
        Field::text("secretary_member_id", "书记（党员编号）", opt_s(&i.secretary_member_id))
            .hint("须为本党组织的党员；在党员列表中可查到编号"),
    );
    f.push(Field::new("secretary_since", "书记任职日期", Kind::Date, opt_s(&i.secretary_since)));
    f.push(Field::text("brand", "党建品牌", i.brand.clone()).placeholder("一支部一品牌"));
    if full {
        f.push(Field::select(
            "star_rating",
            "评星定级",
            opt_s(&i.star_rating),
            (0..=5).map(|s| (s.to_string(), if s == 0 { "未评定".into() } else { format!("{s} 星") })).collect(),
        ));
        f.push(Field::check("is_demonstration", "党建示范点", i.is_demonstration));
    }
    for (name, label, on) in [
        ("venue_place", "有场所", i.venue_place),
        ("venue_facilities", "有设施", i.venue_facilities),
        ("venue_sign", "有标识", i.venue_sign),
        ("venue_flag", "有党旗", i.venue_flag),
        ("venue_books", "有书报", i.venue_books),
        ("venue_rules", "有制度", i.venue_rules),
    ] {
        f.push(Field::check(name, label, on));
    }
    f
}

async fn channel_options(st: &AppState, pu: &PageUser) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), "（不指定）".to_owned())];
    if let Ok(list) = st.app.party().channel_choices(&pu.user).await {
        v.extend(list.into_iter().map(|(id, name)| (id.to_string(), name)));
    }
    v
}

async fn party_org_form(
    st: &AppState,
    pu: &PageUser,
    title: &str,
    action: String,
    i: &PartyOrgInput,
    errors: &[FieldError],
    version: Option<i32>,
) -> FormPage {
    let full = may_write_party(&pu.user);
    let mut fields = party_org_fields(i, full, &channel_options(st, pu).await);
    let rest = attach(&mut fields, errors);
    FormPage {
        layout: crumbs(pu.layout(st, "party_orgs", title).await, "党组织", Some("/party/orgs"))
            .crumb(title.to_owned(), None),
        title: title.to_owned(),
        cancel: "/party/orgs".into(),
        action,
        fields,
        hidden: version.map(|v| vec![("version", v.to_string())]).unwrap_or_default(),
        errors: rest,
    }
}

async fn party_org_new(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    require(may_write_party(&pu.user), "只有党建工作机构可以新建党组织")?;
    let i = PartyOrgInput {
        org_type: "branch".into(),
        region_code: pu.user.scope.region.to_string(),
        ..Default::default()
    };
    Ok(render(&party_org_form(&st, &pu, "新建党组织", "/party/orgs".into(), &i, &[], None).await))
}

async fn party_org_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<PartyOrgInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_party_org(&pu.user, &i).await {
        Ok(p) => Ok(Redirect::to(&format!("/party/orgs/{}?ok=created", p.id)).into_response()),
        Err(Error::Invalid(e)) => {
            Ok(form_response(party_org_form(&st, &pu, "新建党组织", "/party/orgs".into(), &i, &e, None).await))
        }
        Err(e) => Err(e.into()),
    }
}

async fn party_org_edit(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let d = st.app.party().get_party_org(&pu.user, id).await?;
    let p = &d.org;
    let flag = |k: &str| p.venue.iter().any(|v| v.key == k && v.ok);
    let i = PartyOrgInput {
        name: p.name.clone(),
        org_type: p.org_type.clone(),
        region_code: p.region_code.clone(),
        channel_id: p.channel.as_ref().map(|c| c.id.to_string()),
        parent_id: p.parent.as_ref().map(|c| c.id.to_string()),
        founded_on: p.founded_on.clone(),
        secretary_member_id: p.secretary.as_ref().map(|c| c.id.to_string()),
        secretary_since: p.secretary_since.clone(),
        venue_place: flag("venue_place"),
        venue_facilities: flag("venue_facilities"),
        venue_sign: flag("venue_sign"),
        venue_flag: flag("venue_flag"),
        venue_books: flag("venue_books"),
        venue_rules: flag("venue_rules"),
        brand: p.brand.clone(),
        is_demonstration: p.is_demonstration,
        star_rating: Some(p.star_rating.to_string()),
        org_ids: vec![],
        version: Some(p.version),
    };
    Ok(render(&party_org_form(&st, &pu, "修改党组织", format!("/party/orgs/{id}"), &i, &[], Some(p.version)).await))
}

async fn party_org_update(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(i): Form<PartyOrgInput>,
) -> Result<Response, WebError> {
    match st.app.party().update_party_org(&pu.user, id, &i).await {
        Ok(_) => Ok(Redirect::to(&format!("/party/orgs/{id}?ok=updated")).into_response()),
        Err(Error::Invalid(e)) => Ok(form_response(
            party_org_form(&st, &pu, "修改党组织", format!("/party/orgs/{id}"), &i, &e, i.version).await,
        )),
        Err(e) => Err(e.into()),
    }
}

async fn party_org_detail(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, WebError> {
    let d = st.app.party().get_party_org(&pu.user, id).await?;
    let p = &d.org;
    let tab = q.tab.clone().unwrap_or_else(|| "info".into());
    let region = st.app.region_display_name(&p.region_code).await?;
    let venue_ok = p.venue.iter().filter(|v| v.ok).count();
    let mut facts = vec![];
    if tab == "info" {
        facts = vec![
            ("类型".to_owned(), p.org_type_label.clone()),
            ("所在区域".to_owned(), region),
            ("管理渠道".to_owned(), p.channel.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| "—".into())),
            ("上级党组织".to_owned(), p.parent.as_ref().map(|c| c.name.clone()).unwrap_or_else(|| "—".into())),
            ("成立日期".to_owned(), p.founded_on.clone().unwrap_or_else(|| "—".into())),
            (
                "书记".to_owned(),
                p.secretary
                    .as_ref()
                    .map(|s| format!("{}（{} 起）", s.name, p.secretary_since.clone().unwrap_or_default()))
                    .unwrap_or_else(|| "空缺".into()),
            ),
            ("覆盖组织".to_owned(), format!("{} 个", p.covered_orgs)),
            ("党员".to_owned(), format!("正式 {} 名，预备 {} 名", p.formal_members, p.probationary_members)),
            (
                "“六有”阵地".to_owned(),
                format!(
                    "{venue_ok}/6：{}",
                    p.venue
                        .iter()
                        .map(|v| format!("{}{}", v.label, if v.ok { "✓" } else { "✗" }))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            ),
            ("党建品牌".to_owned(), if p.brand.is_empty() { "—".into() } else { p.brand.clone() }),
            (
                "评星定级".to_owned(),
                if p.star_rating > 0 { "★".repeat(p.star_rating as usize) } else { "未评定".into() },
            ),
            ("党建示范点".to_owned(), if p.is_demonstration { "是".into() } else { "否".into() }),
        ];
    }
    let mut tables = Vec::new();
    let mut forms = Vec::new();
    let writer = may_write_party(&pu.user) && p.status == "active";
    match tab.as_str() {
        "orgs" => {
            let mut t = Table::new("covered-orgs", vec!["编号", "组织名称", "正式党员", "纳入日期"]);
            for o in &d.orgs {
                t.rows.push(vec![
                    Cell::text(o.id.to_string()),
                    Cell::link(o.name.clone(), format!("/party/coverage/orgs/{}", o.id)),
                    Cell::num(o.formal_members.into()),
                    Cell::text(o.since.clone()),
                ]);
            }
            tables.push(t);
            if writer {
                forms.push(InlineForm {
                    id: "cover-form",
                    action: format!("/party/orgs/{id}/cover"),
                    title: "调整覆盖的组织（填社会组织编号，多个用逗号分隔）".into(),
                    fields: vec![
                        Field::text("add", "纳入", "").placeholder("如 12,15"),
                        Field::text("remove", "移出", ""),
                    ],
                    submit: "保存".into(),
                    confirm: String::new(),
                });
            }
        }
        "members" => {
            let page = st
                .app
                .party()
                .list_members(
                    &pu.user,
                    &MemberFilter { party_org_id: Some(id), ..Default::default() },
                    PageRequest::new(None, Some(200)),
                )
                .await?;
            let mut t = Table::new(
                "party-org-members",
                vec!["姓名", "类别", "党内职务", "工作单位", "入党日期", "公民身份号码"],
            );
            for m in &page.items {
                t.rows.push(vec![
                    Cell::link(m.name.clone(), format!("/party/members/{}", m.id)),
                    Cell::text(m.member_type_label.clone()),
                    Cell::text(m.posts.clone()),
                    Cell::text(m.employer_org.as_ref().map(|o| o.name.clone()).unwrap_or_default()),
                    date_cell(&m.joined_on),
                    Cell::text(m.id_number_masked.clone()),
                ]);
            }
            tables.push(t);
        }
        "life" => {
            let page = st
                .app
                .party()
                .list_party_life(
                    &pu.user,
                    &ActivityFilter { party_org_id: Some(id), ..Default::default() },
                    PageRequest::new(None, Some(100)),
                )
                .await?;
            tables.push(life_table(&page.items));
        }
        "funds" => {
            let page = st
                .app
                .party()
                .list_funds(
                    &pu.user,
                    &ActivityFilter { party_org_id: Some(id), ..Default::default() },
                    PageRequest::new(None, Some(100)),
                )
                .await?;
            tables.push(fund_table(&page.items));
            let check = st.app.party().fund_check(&pu.user, id).await?;
            let mut t =
                Table::new("fund-check", vec!["项目", "应到位", "已到位", "情况"]).titled("经费保障核对（按政策参数）");
            if let Some(due) = check.startup_due_yuan {
                let ok = check.startup_received_fen >= due * 100;
                t.rows.push(vec![
                    Cell::text("新建党组织工作经费"),
                    Cell::text(format!("{due} 元")),
                    Cell::text(format!("{} 元", hongling_service::party::life::format_fen(check.startup_received_fen))),
                    if ok { Cell::tag("已到位", "hl-tag-green") } else { Cell::tag("不足", "hl-tag-orange") },
                ]);
            }
            if let Some(due) = check.education_due_yuan {
                let ok = check.education_received_fen >= due * 100;
                t.rows.push(vec![
                    Cell::text("本年度党员教育培训经费"),
                    Cell::text(format!("{due} 元")),
                    Cell::text(format!(
                        "{} 元",
                        hongling_service::party::life::format_fen(check.education_received_fen)
                    )),
                    if ok { Cell::tag("已到位", "hl-tag-green") } else { Cell::tag("不足", "hl-tag-orange") },
                ]);
            }
            tables.push(t);
        }
        _ => {
            let mut t = Table::new("party-org-breaches", vec!["规则", "情况", "发现日期"]).titled("违规提示");
            for b in &d.breaches {
                t.rows.push(vec![
                    Cell::tag(b.rule_label.clone(), "hl-tag-red"),
                    Cell::text(b.detail.clone()),
                    Cell::text(b.since.clone()),
                ]);
            }
            tables.push(t);
            if writer {
                forms.push(InlineForm {
                    id: "dissolve-form",
                    action: format!("/party/orgs/{id}/dissolve"),
                    title: "撤销党组织".into(),
                    fields: vec![Field::text("reason", "撤销原因", "").placeholder("如：所在社会组织注销")],
                    submit: "撤销".into(),
                    confirm: "确定撤销该党组织？其覆盖的组织将解除覆盖。".into(),
                });
            }
        }
    }
    let tabs =
        [("info", "基本信息"), ("orgs", "覆盖组织"), ("members", "党员"), ("life", "组织生活"), ("funds", "党建经费")]
            .iter()
            .map(|(k, l)| Tab { label: (*l).into(), href: format!("/party/orgs/{id}?tab={k}"), active: tab == *k })
            .collect();
    let mut tags = vec![];
    if p.status != "active" {
        tags.push(("已撤销".to_owned(), "hl-tag-grey"));
    }
    if p.breach_count > 0 {
        tags.push((format!("违规 {} 项", p.breach_count), "hl-tag-red"));
    }
    if p.is_demonstration {
        tags.push(("示范点".to_owned(), "hl-tag-green"));
    }
    let mut buttons = vec![];
    let can_edit = may_write_party(&pu.user)
        || own_party_org(&pu.user) == Some(id) && pu.user.role == hongling_domain::Role::PartySecretary;
    if can_edit && p.status == "active" {
        buttons.push(Button::primary("修改", format!("/party/orgs/{id}/edit")));
        buttons.push(Button::new("登记党员", format!("/party/members/new?party_org_id={id}")));
        buttons.push(Button::new("记录组织生活", format!("/party/life?party_org_id={id}")));
    }
    Ok(render(&DetailPage {
        layout: crumbs(pu.layout(&st, "party_orgs", &p.name).await, "党组织", Some("/party/orgs"))
            .crumb(p.name.clone(), None),
        notice: notice(q.ok.as_deref()),
        error: q.error.clone(),
        title: p.name.clone(),
        tags,
        subtitle: format!("编号 {id} · {}", p.org_type_label),
        buttons,
        tabs,
        facts,
        tables,
        forms,
        revealed: None,
    }))
}

#[derive(Deserialize)]
struct CoverForm {
    #[serde(default)]
    add: String,
    #[serde(default)]
    remove: String,
}

async fn party_org_cover(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<CoverForm>,
) -> Result<Response, WebError> {
    match st.app.party().change_covered_orgs(&pu.user, id, &ids(&f.add), &ids(&f.remove)).await {
        Ok(()) => Ok(Redirect::to(&format!("/party/orgs/{id}?tab=orgs&ok=covered")).into_response()),
        Err(e @ Error::Invalid(_)) => {
            let msg: Vec<String> = e.field_errors().iter().map(|f| f.message.clone()).collect();
            Ok(Redirect::to(&format!(
                "/party/orgs/{id}?{}",
                serde_urlencoded::to_string([("tab", "orgs"), ("error", &msg.join("；"))]).unwrap_or_default()
            ))
            .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn party_org_dissolve(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    match st.app.party().dissolve_party_org(&pu.user, id, None, &f.reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/party/orgs/{id}?ok=dissolved")).into_response()),
        Err(e @ Error::Invalid(_)) => Ok(Redirect::to(&format!(
            "/party/orgs/{id}?{}",
            serde_urlencoded::to_string([("error", e.to_string())]).unwrap_or_default()
        ))
        .into_response()),
        Err(e) => Err(e.into()),
    }
}

// ---------- members ----------

#[derive(Deserialize, Default)]
struct MemberListQuery {
    region: Option<String>,
    q: Option<String>,
    party_org_id: Option<String>,
    member_type: Option<String>,
    include_left: Option<String>,
    page: Option<u64>,
    ok: Option<String>,
}

async fn members(
    State(st): State<AppState>,
    pu: PageUser,
    Query(q): Query<MemberListQuery>,
) -> Result<Response, WebError> {
    let region = nonempty(&q.region).map(|r| r.chars().take_while(char::is_ascii_digit).collect::<String>());
    let f = MemberFilter {
        region: region.clone(),
        q: nonempty(&q.q),
        party_org_id: q.party_org_id.as_deref().and_then(|s| s.trim().parse().ok()),
        employer_org_id: None,
        member_type: nonempty(&q.member_type),
        include_left: q.include_left.as_deref().map(|s| s == "1"),
    };
    let page = st.app.party().list_members(&pu.user, &f, PageRequest::new(q.page, None)).await?;
    let mut table = Table::new(
        "member-table",
        vec!["姓名", "类别", "党内职务", "所在党组织", "工作单位", "入党日期", "公民身份号码", "操作"],
    );
    for m in &page.items {
        table.rows.push(vec![
            Cell::link(m.name.clone(), format!("/party/members/{}", m.id)).sub(if m.left_on.is_some() {
                "已转出"
            } else {
                ""
            }),
            Cell::tag(
                m.member_type_label.clone(),
                if m.member_type == "formal" { "hl-tag-green" } else { "hl-tag-orange" },
            ),
            Cell::text(m.posts.clone()),
            link(&m.party_org, "/party/orgs"),
            link(&m.employer_org, "/party/coverage/orgs"),
            date_cell(&m.joined_on),
            Cell::text(m.id_number_masked.clone()),
            Cell::link("查看", format!("/party/members/{}", m.id)),
        ]);
    }
    let pairs = vec![
        ("region", opt_s(&region)),
        ("q", opt_s(&q.q)),
        ("party_org_id", opt_s(&q.party_org_id)),
        ("member_type", opt_s(&q.member_type)),
        ("include_left", opt_s(&q.include_left)),
    ];
    let mut buttons = vec![];
    if may_write_party(&pu.user) || pu.user.role == hongling_domain::Role::PartySecretary {
        buttons.push(Button::primary("登记党员", "/party/members/new"));
    }
    Ok(render(&ListPage {
        layout: crumbs(pu.layout(&st, "members", "党员").await, "党员", None),
        notice: notice(q.ok.as_deref()),
        heading: String::new(),
        intro: String::new(),
        action: "/party/members".into(),
        search: {
            let mut f = vec![Field::text("q", "姓名", opt_s(&q.q))];
            if may_read_party(&pu.user) {
                f.push(Field::new("region", "区域", Kind::Region, opt_s(&region)).placeholder("区划代码或名称"));
                f.push(Field::text("party_org_id", "党组织编号", opt_s(&q.party_org_id)));
            }
            f.push(Field::select(
                "member_type",
                "类别",
                opt_s(&q.member_type),
                options(MemberType::ALL.iter().map(|t| (t.as_str(), t.label())), Some("全部")),
            ));
            f.push(Field::select(
                "include_left",
                "范围",
                opt_s(&q.include_left),
                vec![(String::new(), "在册党员".into()), ("1".into(), "含已转出".into())],
            ));
            f
        },
        buttons,
        pager: Some(pager_of("/party/members", &pairs, &page)),
        table,
        forms: vec![],
        errors: vec![],
    }))
}

fn member_fields(i: &MemberInput, editing: bool, full: bool) -> Vec<Field> {
    let mut f = vec![
        Field::text("name", "姓名", i.name.clone()).required(),
        Field::select(
            "gender",
            "性别",
            i.gender.clone(),
            vec![(String::new(), "未填写".into()), ("male".into(), "男".into()), ("female".into(), "女".into())],
        ),
        Field::select(
            "member_type",
            "类别",
            i.member_type.clone(),
            options(MemberType::ALL.iter().map(|t| (t.as_str(), t.label())), Some("请选择")),
        )
        .required(),
        Field::new("joined_on", "入党日期", Kind::Date, opt_s(&i.joined_on)),
        Field::new("formal_on", "转正日期", Kind::Date, opt_s(&i.formal_on)),
        Field::text("posts", "党内职务", i.posts.clone()).placeholder("如：组织委员"),
    ];
    if full {
        f.push(
            Field::text("party_org_id", "所在党组织编号", opt_s(&i.party_org_id))
                .hint("组织关系所在的党组织；尚未建立党组织的可只填工作单位"),
        );
    }
    f.push(
        Field::text("employer_org_id", "工作单位（社会组织编号）", opt_s(&i.employer_org_id))
            .hint("在社会组织中工作的党员计入该组织的党员数"),
    );
    f.push(Field::new("id_number", "公民身份号码", Kind::Password, String::new()).hint(if editing {
        "已登记的号码不显示；填写即替换，留空保持不变。号码加密保存"
    } else {
        "18 位，加密保存，页面只显示前 6 位和后 4 位"
    }));
    f.push(Field::text("phone", "联系电话", i.phone.clone()));
    if editing {
        f.push(
            Field::new("left_on", "转出日期", Kind::Date, opt_s(&i.left_on)).hint("组织关系转出后填写，不再计入党员数"),
        );
    }
    f
}

async fn member_form(
    st: &AppState,
    pu: &PageUser,
    title: &str,
    action: String,
    i: &MemberInput,
    errors: &[FieldError],
    editing: bool,
) -> FormPage {
    let mut fields = member_fields(i, editing, may_write_party(&pu.user));
    let rest = attach(&mut fields, errors);
    FormPage {
        layout: crumbs(pu.layout(st, "members", title).await, "党员", Some("/party/members"))
            .crumb(title.to_owned(), None),
        title: title.to_owned(),
        cancel: "/party/members".into(),
        action,
        fields,
        hidden: i.version.map(|v| vec![("version", v.to_string())]).unwrap_or_default(),
        errors: rest,
    }
}

#[derive(Deserialize, Default)]
struct NewMemberQuery {
    party_org_id: Option<String>,
    employer_org_id: Option<String>,
}

async fn member_new(
    State(st): State<AppState>,
    pu: PageUser,
    Query(q): Query<NewMemberQuery>,
) -> Result<Response, WebError> {
    let i = MemberInput {
        member_type: "formal".into(),
        party_org_id: q.party_org_id,
        employer_org_id: q.employer_org_id,
        ..Default::default()
    };
    Ok(render(&member_form(&st, &pu, "登记党员", "/party/members".into(), &i, &[], false).await))
}

async fn member_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<MemberInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_member(&pu.user, &i).await {
        Ok(m) => Ok(Redirect::to(&format!("/party/members/{}?ok=created", m.id)).into_response()),
        Err(Error::Invalid(e)) => {
            Ok(form_response(member_form(&st, &pu, "登记党员", "/party/members".into(), &i, &e, false).await))
        }
        Err(e) => Err(e.into()),
    }
}

async fn member_edit(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let m = st.app.party().get_member(&pu.user, id).await?;
    let i = MemberInput {
        name: m.name,
        gender: m.gender,
        member_type: m.member_type,
        joined_on: m.joined_on,
        formal_on: m.formal_on,
        posts: m.posts,
        employer_org_id: m.employer_org.map(|o| o.id.to_string()),
        party_org_id: m.party_org.map(|o| o.id.to_string()),
        id_number: None,
        phone: m.phone,
        left_on: m.left_on,
        version: Some(m.version),
    };
    Ok(render(&member_form(&st, &pu, "修改党员信息", format!("/party/members/{id}"), &i, &[], true).await))
}

async fn member_update(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(mut i): Form<MemberInput>,
) -> Result<Response, WebError> {
    if !may_write_party(&pu.user) {
        // a secretary keeps the member in their own party organization
        i.party_org_id = own_party_org(&pu.user).map(|p| p.to_string());
    }
    match st.app.party().update_member(&pu.user, id, &i).await {
        Ok(_) => Ok(Redirect::to(&format!("/party/members/{id}?ok=updated")).into_response()),
        Err(Error::Invalid(e)) => {
            Ok(form_response(member_form(&st, &pu, "修改党员信息", format!("/party/members/{id}"), &i, &e, true).await))
        }
        Err(e) => Err(e.into()),
    }
}

async fn member_page(
    st: &AppState,
    pu: &PageUser,
    id: i64,
    q: &OkQuery,
    revealed: Option<String>,
    error: Option<String>,
) -> Result<DetailPage, WebError> {
    let m = st.app.party().get_member(&pu.user, id).await?;
    let gender = match m.gender.as_str() {
        "male" => "男",
        "female" => "女",
        _ => "—",
    };
    let facts = vec![
        ("类别".to_owned(), m.member_type_label.clone()),
        ("性别".to_owned(), gender.to_owned()),
        ("入党日期".to_owned(), m.joined_on.clone().unwrap_or_else(|| "—".into())),
        ("转正日期".to_owned(), m.formal_on.clone().unwrap_or_else(|| "—".into())),
        ("党内职务".to_owned(), if m.posts.is_empty() { "—".into() } else { m.posts.clone() }),
        ("所在党组织".to_owned(), m.party_org.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| "—".into())),
        ("工作单位".to_owned(), m.employer_org.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| "—".into())),
        (
            "公民身份号码".to_owned(),
            if m.id_number_masked.is_empty() { "未登记".into() } else { m.id_number_masked.clone() },
        ),
        ("联系电话".to_owned(), if m.phone.is_empty() { "—".into() } else { m.phone.clone() }),
        ("转出日期".to_owned(), m.left_on.clone().unwrap_or_else(|| "—".into())),
    ];
    let trainings = st
        .app
        .party()
        .list_trainings(
            &pu.user,
            &ActivityFilter { member_id: Some(id), ..Default::default() },
            PageRequest::new(None, Some(50)),
        )
        .await?;
    let mut forms = vec![];
    let can_edit = may_write_party(&pu.user) || pu.user.role == hongling_domain::Role::PartySecretary;
    if can_edit && !m.id_number_masked.is_empty() && revealed.is_none() {
        forms.push(InlineForm {
            id: "reveal-form",
            action: format!("/party/members/{id}/reveal"),
            title: "查看完整公民身份号码（须填写事由，记入审计日志）".into(),
            fields: vec![Field::text("reason", "事由", "").placeholder("如：办理组织关系转接")],
            submit: "查看".into(),
            confirm: String::new(),
        });
    }
    Ok(DetailPage {
        layout: crumbs(pu.layout(st, "members", &m.name).await, "党员", Some("/party/members"))
            .crumb(m.name.clone(), None),
        notice: notice(q.ok.as_deref()),
        error,
        title: m.name.clone(),
        tags: vec![(
            m.member_type_label.clone(),
            if m.member_type == "formal" { "hl-tag-green" } else { "hl-tag-orange" },
        )],
        subtitle: format!("党员编号 {id}"),
        buttons: if can_edit { vec![Button::primary("修改", format!("/party/members/{id}/edit"))] } else { vec![] },
        tabs: vec![],
        facts,
        tables: vec![training_table(&trainings.items).titled("培训记录")],
        forms,
        revealed,
    })
}

async fn member_detail(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, WebError> {
    Ok(render(&member_page(&st, &pu, id, &q, None, None).await?))
}

async fn member_reveal(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ReasonForm>,
) -> Result<Response, WebError> {
    match st.app.party().reveal_id_number(&pu.user, id, &f.reason).await {
        Ok(n) => Ok(render(&member_page(&st, &pu, id, &OkQuery::default(), Some(n), None).await?)),
        Err(e @ Error::Invalid(_)) => {
            Ok(render(&member_page(&st, &pu, id, &OkQuery::default(), None, Some(e.to_string())).await?))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- instructors ----------

#[derive(Deserialize, Default)]
struct InstructorListQuery {
    region: Option<String>,
    q: Option<String>,
    source: Option<String>,
    status: Option<String>,
    available: Option<String>,
    page: Option<u64>,
    ok: Option<String>,
}

async fn instructors(
    State(st): State<AppState>,
    pu: PageUser,
    Query(q): Query<InstructorListQuery>,
) -> Result<Response, WebError> {
    let region = nonempty(&q.region).map(|r| r.chars().take_while(char::is_ascii_digit).collect::<String>());
    let f = InstructorFilter {
        region: region.clone(),
        q: nonempty(&q.q),
        source: nonempty(&q.source),
        status: nonempty(&q.status),
        available: q.available.as_deref().map(|s| s == "1"),
    };
    let page = st.app.party().list_instructors(&pu.user, &f, PageRequest::new(q.page, None)).await?;
    let labels = st.app.region_labels(&page.items.iter().map(|o| o.region_code.clone()).collect::<Vec<_>>()).await?;
    let mut table =
        Table::new("instructor-table", vec!["姓名", "来源", "指导区域", "工作单位", "联系组织", "考核", "操作"]);
    for i in &page.items {
        table.rows.push(vec![
            Cell::link(i.name.clone(), format!("/party/instructors/{}", i.id)),
            Cell::text(i.source_label.clone()),
            Cell::text(labels.get(&i.region_code).cloned().unwrap_or_default()),
            Cell::text(i.employer.clone()),
            Cell::tag(
                format!("{} / {}", i.load, i.max_orgs),
                if i.load >= i.max_orgs { "hl-tag-orange" } else { "hl-tag-green" },
            ),
            Cell::text(if i.assessment.is_empty() {
                "—".into()
            } else {
                format!("{}（{}）", i.assessment_label, i.assessment_year.map(|y| y.to_string()).unwrap_or_default())
            }),
            Cell::link("查看", format!("/party/instructors/{}", i.id)),
        ]);
    }
    let pairs = vec![
        ("region", opt_s(&region)),
        ("q", opt_s(&q.q)),
        ("source", opt_s(&q.source)),
        ("status", opt_s(&q.status)),
        ("available", opt_s(&q.available)),
    ];
    let mut buttons = vec![];
    if may_write_party(&pu.user) {
        buttons.push(Button::primary("登记党建指导员", "/party/instructors/new"));
    }
    Ok(render(&ListPage {
        layout: crumbs(pu.layout(&st, "instructors", "党建指导员").await, "党建指导员", None),
        notice: notice(q.ok.as_deref()),
        heading: String::new(),
        intro: String::new(),
        action: "/party/instructors".into(),
        search: vec![
            Field::text("q", "姓名", opt_s(&q.q)),
            Field::new("region", "区域", Kind::Region, opt_s(&region)).placeholder("区划代码或名称"),
            Field::select(
                "source",
                "来源",
                opt_s(&q.source),
                options(InstructorSource::ALL.iter().map(|t| (t.as_str(), t.label())), Some("全部")),
            ),
            Field::select(
                "status",
                "状态",
                opt_s(&q.status),
                vec![(String::new(), "在岗".into()), ("inactive".into(), "停止履职".into())],
            ),
            Field::select(
                "available",
                "负荷",
                opt_s(&q.available),
                vec![(String::new(), "全部".into()), ("1".into(), "尚可增加联系组织".into())],
            ),
        ],
        buttons,
        pager: Some(pager_of("/party/instructors", &pairs, &page)),
        table,
        forms: vec![],
        errors: vec![],
    }))
}

fn instructor_fields(i: &InstructorInput) -> Vec<Field> {
    vec![
        Field::text("name", "姓名", i.name.clone()).required(),
        Field::select(
            "source",
            "来源",
            i.source.clone(),
            options(InstructorSource::ALL.iter().map(|t| (t.as_str(), t.label())), Some("请选择")),
        )
        .required(),
        Field::new("region_code", "指导区域", Kind::Region, i.region_code.clone())
            .required()
            .hint("可联系该区域内的社会组织"),
        Field::text("employer", "工作单位", i.employer.clone()),
        Field::text("phone", "联系电话", i.phone.clone()),
        Field::text("longitude", "经度", opt_s(&i.longitude)).placeholder("如 118.582184").hint("用于就近匹配"),
        Field::text("latitude", "纬度", opt_s(&i.latitude)).placeholder("如 37.448963"),
        Field::text("max_orgs", "联系组织上限", opt_s(&i.max_orgs)).hint("不填按政策参数（默认 5 个）"),
        Field::new("appointed_on", "选派日期", Kind::Date, opt_s(&i.appointed_on)),
        Field::select(
            "status",
            "状态",
            i.status.clone(),
            vec![("active".into(), "在岗".into()), ("inactive".into(), "停止履职".into())],
        ),
        Field::select(
            "assessment",
            "年度考核",
            i.assessment.clone(),
            options(Assessment::ALL.iter().map(|t| (t.as_str(), t.label())), Some("未考核")),
        ),
        Field::text("assessment_year", "考核年度", opt_s(&i.assessment_year)),
    ]
}

async fn instructor_form(
    st: &AppState,
    pu: &PageUser,
    title: &str,
    action: String,
    i: &InstructorInput,
    errors: &[FieldError],
) -> FormPage {
    let mut fields = instructor_fields(i);
    let rest = attach(&mut fields, errors);
    FormPage {
        layout: crumbs(pu.layout(st, "instructors", title).await, "党建指导员", Some("/party/instructors"))
            .crumb(title.to_owned(), None),
        title: title.to_owned(),
        cancel: "/party/instructors".into(),
        action,
        fields,
        hidden: i.version.map(|v| vec![("version", v.to_string())]).unwrap_or_default(),
        errors: rest,
    }
}

async fn instructor_new(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    require(may_write_party(&pu.user), "只有党建工作机构可以登记党建指导员")?;
    let i = InstructorInput {
        region_code: pu.user.scope.region.to_string(),
        status: "active".into(),
        ..Default::default()
    };
    Ok(render(&instructor_form(&st, &pu, "登记党建指导员", "/party/instructors".into(), &i, &[]).await))
}

async fn instructor_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<InstructorInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_instructor(&pu.user, &i).await {
        Ok(m) => Ok(Redirect::to(&format!("/party/instructors/{}?ok=created", m.id)).into_response()),
        Err(Error::Invalid(e)) => {
            Ok(form_response(instructor_form(&st, &pu, "登记党建指导员", "/party/instructors".into(), &i, &e).await))
        }
        Err(e) => Err(e.into()),
    }
}

async fn instructor_edit(State(st): State<AppState>, pu: PageUser, Path(id): Path<i64>) -> Result<Response, WebError> {
    let d = st.app.party().get_instructor(&pu.user, id).await?;
    let m = d.instructor;
    let i = InstructorInput {
        name: m.name,
        source: m.source,
        region_code: m.region_code,
        employer: m.employer,
        phone: m.phone,
        longitude: m.longitude.map(|v| format!("{v:.6}")),
        latitude: m.latitude.map(|v| format!("{v:.6}")),
        max_orgs: m.max_orgs_own.map(|v| v.to_string()),
        appointed_on: m.appointed_on,
        status: m.status,
        assessment: m.assessment,
        assessment_year: m.assessment_year.map(|v| v.to_string()),
        version: Some(m.version),
    };
    Ok(render(&instructor_form(&st, &pu, "修改党建指导员", format!("/party/instructors/{id}"), &i, &[]).await))
}

async fn instructor_update(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(i): Form<InstructorInput>,
) -> Result<Response, WebError> {
    match st.app.party().update_instructor(&pu.user, id, &i).await {
        Ok(_) => Ok(Redirect::to(&format!("/party/instructors/{id}?ok=updated")).into_response()),
        Err(Error::Invalid(e)) => Ok(form_response(
            instructor_form(&st, &pu, "修改党建指导员", format!("/party/instructors/{id}"), &i, &e).await,
        )),
        Err(e) => Err(e.into()),
    }
}

async fn instructor_detail(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, WebError> {
    let d = st.app.party().get_instructor(&pu.user, id).await?;
    let m = &d.instructor;
    let region = st.app.region_display_name(&m.region_code).await?;
    let facts = vec![
        ("来源".to_owned(), m.source_label.clone()),
        ("指导区域".to_owned(), region),
        ("工作单位".to_owned(), m.employer.clone()),
        ("联系电话".to_owned(), m.phone.clone()),
        ("联系组织".to_owned(), format!("{} 个（上限 {} 个）", m.load, m.max_orgs)),
        ("选派日期".to_owned(), m.appointed_on.clone().unwrap_or_else(|| "—".into())),
        (
            "年度考核".to_owned(),
            if m.assessment.is_empty() {
                "—".into()
            } else {
                format!(
                    "{}（{} 年度）",
                    m.assessment_label,
                    m.assessment_year.map(|y| y.to_string()).unwrap_or_default()
                )
            },
        ),
        (
            "坐标".to_owned(),
            match (m.longitude, m.latitude) {
                (Some(a), Some(b)) => format!("{a:.6}, {b:.6}"),
                _ => "—".into(),
            },
        ),
    ];
    let mut orgs = Table::new("instructor-orgs", vec!["编号", "联系的社会组织"]).titled("联系的社会组织");
    for o in &d.orgs {
        orgs.rows.push(vec![
            Cell::text(o.id.to_string()),
            Cell::link(o.name.clone(), format!("/party/coverage/orgs/{}", o.id)),
        ]);
    }
    let trainings = st
        .app
        .party()
        .list_trainings(
            &pu.user,
            &ActivityFilter { instructor_id: Some(id), ..Default::default() },
            PageRequest::new(None, Some(50)),
        )
        .await?;
    let mut forms = vec![];
    if may_write_party(&pu.user) {
        forms.push(InlineForm {
            id: "assign-form",
            action: format!("/party/instructors/{id}/assign"),
            title: "调整联系组织（填社会组织编号，多个用逗号分隔）".into(),
            fields: vec![Field::text("add", "新增", "").placeholder("如 12,15"), Field::text("remove", "解除", "")],
            submit: "保存".into(),
            confirm: String::new(),
        });
    }
    Ok(render(&DetailPage {
        layout: crumbs(pu.layout(&st, "instructors", &m.name).await, "党建指导员", Some("/party/instructors"))
            .crumb(m.name.clone(), None),
        notice: notice(q.ok.as_deref()),
        error: q.error.clone(),
        title: m.name.clone(),
        tags: vec![if m.status == "active" {
            ("在岗".to_owned(), "hl-tag-green")
        } else {
            ("停止履职".to_owned(), "hl-tag-grey")
        }],
        subtitle: format!("指导员编号 {id}"),
        buttons: if may_write_party(&pu.user) {
            vec![Button::primary("修改", format!("/party/instructors/{id}/edit"))]
        } else {
            vec![]
        },
        tabs: vec![],
        facts,
        tables: vec![orgs, training_table(&trainings.items).titled("培训记录")],
        forms,
        revealed: None,
    }))
}

async fn instructor_assign(
    State(st): State<AppState>,
    pu: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<CoverForm>,
) -> Result<Response, WebError> {
    match st.app.party().assign_instructor(&pu.user, id, &ids(&f.add), &ids(&f.remove)).await {
        Ok(()) => Ok(Redirect::to(&format!("/party/instructors/{id}?ok=assigned")).into_response()),
        Err(e @ Error::Invalid(_)) => {
            let msg: Vec<String> = e.field_errors().iter().map(|f| f.message.clone()).collect();
            Ok(Redirect::to(&format!(
                "/party/instructors/{id}?{}",
                serde_urlencoded::to_string([("error", msg.join("；"))]).unwrap_or_default()
            ))
            .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- party life, funds, trainings ----------

fn life_table(items: &[hongling_service::party::life::PartyLifeView]) -> Table {
    let mut t = Table::new("life-table", vec!["日期", "党组织", "类型", "主题", "应到", "实到", "出席率"]);
    for r in items {
        t.rows.push(vec![
            Cell::text(r.held_on.clone()),
            Cell::link(r.party_org.name.clone(), format!("/party/orgs/{}", r.party_org.id)),
            Cell::text(r.kind_label.clone()),
            Cell::text(r.topic.clone()),
            Cell::num(r.expected.into()),
            Cell::num(r.attendees.into()),
            Cell::text(r.attendance_rate.map(pct).unwrap_or_else(|| "—".into())),
        ]);
    }
    t
}

fn fund_table(items: &[hongling_service::party::life::FundView]) -> Table {
    let mut t = Table::new("fund-table", vec!["到账日期", "党组织", "类别", "金额（元）", "文号", "备注"]);
    for r in items {
        t.rows.push(vec![
            Cell::text(r.received_on.clone()),
            Cell::link(r.party_org.name.clone(), format!("/party/orgs/{}", r.party_org.id)),
            Cell::text(r.kind_label.clone()),
            Cell { text: r.amount.clone(), num: true, ..Default::default() },
            Cell::text(r.doc_no.clone()),
            Cell::text(r.note.clone()),
        ]);
    }
    t
}

fn training_table(items: &[hongling_service::party::life::TrainingView]) -> Table {
    let mut t = Table::new("training-table", vec!["日期", "参训人员", "培训名称", "学时", "主办单位"]);
    for r in items {
        let who = match (&r.member, &r.instructor) {
            (Some(m), _) => Cell::link(m.name.clone(), format!("/party/members/{}", m.id)).sub("党员"),
            (None, Some(i)) => Cell::link(i.name.clone(), format!("/party/instructors/{}", i.id)).sub("党建指导员"),
            _ => Cell::text("—"),
        };
        t.rows.push(vec![
            Cell::text(r.trained_on.clone()),
            who,
            Cell::text(r.title.clone()),
            Cell::num(r.hours.into()),
            Cell::text(r.organizer.clone()),
        ]);
    }
    t
}

#[derive(Deserialize, Default)]
struct ActivityQuery {
    region: Option<String>,
    party_org_id: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    until: Option<String>,
    page: Option<u64>,
    ok: Option<String>,
}

impl ActivityQuery {
    fn filter(&self) -> ActivityFilter {
        ActivityFilter {
            region: nonempty(&self.region).map(|r| r.chars().take_while(char::is_ascii_digit).collect()),
            party_org_id: self.party_org_id.as_deref().and_then(|s| s.trim().parse().ok()),
            kind: nonempty(&self.kind),
            from: nonempty(&self.from),
            until: nonempty(&self.until),
            member_id: None,
            instructor_id: None,
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("region", opt_s(&self.region)),
            ("party_org_id", opt_s(&self.party_org_id)),
            ("kind", opt_s(&self.kind)),
            ("from", opt_s(&self.from)),
            ("until", opt_s(&self.until)),
        ]
    }

    fn search(&self, kinds: Vec<(String, String)>) -> Vec<Field> {
        vec![
            Field::new("region", "区域", Kind::Region, opt_s(&self.region)).placeholder("区划代码或名称"),
            Field::text("party_org_id", "党组织编号", opt_s(&self.party_org_id)),
            Field::select("kind", "类型", opt_s(&self.kind), kinds),
            Field::new("from", "起始日期", Kind::Date, opt_s(&self.from)),
            Field::new("until", "截止日期", Kind::Date, opt_s(&self.until)),
        ]
    }
}

#[allow(clippy::too_many_arguments)]
async fn activity_page(
    st: &AppState,
    pu: &PageUser,
    key: &'static str,
    title: &str,
    q: &ActivityQuery,
    search: Vec<Field>,
    table: Table,
    pager: Pager,
    form: Option<InlineForm>,
    errors: Vec<String>,
) -> ListPage {
    ListPage {
        layout: crumbs(pu.layout(st, key, title).await, title, None),
        notice: notice(q.ok.as_deref()),
        heading: String::new(),
        intro: String::new(),
        action: format!(
            "/party/{}",
            match key {
                "life" => "life",
                "funds" => "funds",
                _ => "trainings",
            }
        ),
        search,
        buttons: vec![],
        table,
        pager: Some(pager),
        forms: form.into_iter().collect(),
        errors,
    }
}

fn life_form(i: &PartyLifeInput) -> InlineForm {
    InlineForm {
        id: "life-form",
        action: "/party/life".into(),
        title: "记录组织生活（三会一课、主题党日）".into(),
        fields: vec![
            Field::text("party_org_id", "党组织编号", opt_s(&i.party_org_id)),
            Field::select(
                "kind",
                "类型",
                i.kind.clone(),
                options(PartyLifeKind::ALL.iter().map(|k| (k.as_str(), k.label())), None),
            ),
            Field::new("held_on", "日期", Kind::Date, opt_s(&i.held_on)),
            Field::text("topic", "主题", i.topic.clone()),
            Field::text("expected", "应到", opt_s(&i.expected)),
            Field::text("attendees", "实到", opt_s(&i.attendees)),
        ],
        submit: "保存".into(),
        confirm: String::new(),
    }
}

async fn life_render(
    st: &AppState,
    pu: &PageUser,
    q: &ActivityQuery,
    form: PartyLifeInput,
    errors: Vec<String>,
) -> Result<ListPage, WebError> {
    let page = st.app.party().list_party_life(&pu.user, &q.filter(), PageRequest::new(q.page, None)).await?;
    let pager = Pager::new("/party/life", &q.pairs(), page.total, page.page, page.per_page);
    let may_add = may_write_party(&pu.user) || pu.user.role == hongling_domain::Role::PartySecretary;
    let kinds = options(PartyLifeKind::ALL.iter().map(|k| (k.as_str(), k.label())), Some("全部"));
    Ok(activity_page(
        st,
        pu,
        "life",
        "组织生活",
        q,
        q.search(kinds),
        life_table(&page.items),
        pager,
        may_add.then(|| life_form(&form)),
        errors,
    )
    .await)
}

async fn life(State(st): State<AppState>, pu: PageUser, Query(q): Query<ActivityQuery>) -> Result<Response, WebError> {
    let form = PartyLifeInput {
        party_org_id: q.party_org_id.clone().or(own_party_org(&pu.user).map(|p| p.to_string())),
        kind: "branch_assembly".into(),
        ..Default::default()
    };
    Ok(render(&life_render(&st, &pu, &q, form, vec![]).await?))
}

async fn life_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<PartyLifeInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_party_life(&pu.user, &i).await {
        Ok(_) => Ok(Redirect::to("/party/life?ok=created").into_response()),
        Err(Error::Invalid(e)) => {
            let mut res = render(
                &life_render(&st, &pu, &ActivityQuery::default(), i, e.into_iter().map(|e| e.message).collect())
                    .await?,
            );
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

async fn funds_render(
    st: &AppState,
    pu: &PageUser,
    q: &ActivityQuery,
    i: FundInput,
    errors: Vec<String>,
) -> Result<ListPage, WebError> {
    let page = st.app.party().list_funds(&pu.user, &q.filter(), PageRequest::new(q.page, None)).await?;
    let pager = Pager::new("/party/funds", &q.pairs(), page.total, page.page, page.per_page);
    let form = may_write_party(&pu.user).then(|| InlineForm {
        id: "fund-form",
        action: "/party/funds".into(),
        title: "登记党建经费（党费返还、新建党组织工作经费、党员教育培训经费）".into(),
        fields: vec![
            Field::text("party_org_id", "党组织编号", opt_s(&i.party_org_id)),
            Field::select(
                "kind",
                "类别",
                i.kind.clone(),
                options(FundKind::ALL.iter().map(|k| (k.as_str(), k.label())), None),
            ),
            Field::text("amount", "金额（元）", opt_s(&i.amount)),
            Field::new("received_on", "到账日期", Kind::Date, opt_s(&i.received_on)),
            Field::text("doc_no", "文号", i.doc_no.clone()),
        ],
        submit: "保存".into(),
        confirm: String::new(),
    });
    let kinds = options(FundKind::ALL.iter().map(|k| (k.as_str(), k.label())), Some("全部"));
    Ok(activity_page(st, pu, "funds", "党建经费", q, q.search(kinds), fund_table(&page.items), pager, form, errors)
        .await)
}

async fn funds(State(st): State<AppState>, pu: PageUser, Query(q): Query<ActivityQuery>) -> Result<Response, WebError> {
    let i = FundInput { party_org_id: q.party_org_id.clone(), kind: "dues_refund".into(), ..Default::default() };
    Ok(render(&funds_render(&st, &pu, &q, i, vec![]).await?))
}

async fn fund_create(State(st): State<AppState>, pu: PageUser, Form(i): Form<FundInput>) -> Result<Response, WebError> {
    match st.app.party().create_fund(&pu.user, &i).await {
        Ok(_) => Ok(Redirect::to("/party/funds?ok=created").into_response()),
        Err(Error::Invalid(e)) => {
            let mut res = render(
                &funds_render(&st, &pu, &ActivityQuery::default(), i, e.into_iter().map(|e| e.message).collect())
                    .await?,
            );
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

async fn trainings_render(
    st: &AppState,
    pu: &PageUser,
    q: &ActivityQuery,
    i: TrainingInput,
    errors: Vec<String>,
) -> Result<ListPage, WebError> {
    let page = st.app.party().list_trainings(&pu.user, &q.filter(), PageRequest::new(q.page, None)).await?;
    let pager = Pager::new("/party/trainings", &q.pairs(), page.total, page.page, page.per_page);
    let may_add = may_write_party(&pu.user) || pu.user.role == hongling_domain::Role::PartySecretary;
    let form = may_add.then(|| InlineForm {
        id: "training-form",
        action: "/party/trainings".into(),
        title: "登记培训（书记轮训、新任书记培训、党建指导员培训）".into(),
        fields: vec![
            Field::text("member_id", "党员编号", opt_s(&i.member_id)),
            Field::text("instructor_id", "或指导员编号", opt_s(&i.instructor_id)),
            Field::text("title", "培训名称", i.title.clone()),
            Field::new("trained_on", "日期", Kind::Date, opt_s(&i.trained_on)),
            Field::text("hours", "学时", opt_s(&i.hours)),
            Field::text("organizer", "主办单位", i.organizer.clone()),
        ],
        submit: "保存".into(),
        confirm: String::new(),
    });
    let search = vec![
        Field::new("region", "区域", Kind::Region, opt_s(&q.region)).placeholder("区划代码或名称"),
        Field::new("from", "起始日期", Kind::Date, opt_s(&q.from)),
        Field::new("until", "截止日期", Kind::Date, opt_s(&q.until)),
    ];
    Ok(activity_page(st, pu, "trainings", "书记培训", q, search, training_table(&page.items), pager, form, errors)
        .await)
}

async fn trainings(
    State(st): State<AppState>,
    pu: PageUser,
    Query(q): Query<ActivityQuery>,
) -> Result<Response, WebError> {
    Ok(render(&trainings_render(&st, &pu, &q, TrainingInput::default(), vec![]).await?))
}

async fn training_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<TrainingInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_training(&pu.user, &i).await {
        Ok(_) => Ok(Redirect::to("/party/trainings?ok=created").into_response()),
        Err(Error::Invalid(e)) => {
            let mut res = render(
                &trainings_render(&st, &pu, &ActivityQuery::default(), i, e.into_iter().map(|e| e.message).collect())
                    .await?,
            );
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- channels ----------

async fn channels_render(
    st: &AppState,
    pu: &PageUser,
    i: ChannelInput,
    errors: Vec<String>,
    ok: Option<&str>,
) -> Result<ListPage, WebError> {
    let list = st.app.party().list_channels(&pu.user).await?;
    let mut table = Table::new("channel-table", vec!["渠道名称", "类型", "区划", "社会组织", "操作"]);
    for c in &list {
        table.rows.push(vec![
            Cell::text(c.name.clone()),
            Cell::text(c.kind_label.clone()),
            Cell::text(c.region_code.clone()),
            Cell::num(c.orgs),
            Cell::link("查看组织", format!("/party/coverage/orgs?channel={}", c.kind)),
        ]);
    }
    let form = may_write_party(&pu.user).then(|| InlineForm {
        id: "channel-form",
        action: "/party/channels".into(),
        title: "新增管理渠道（行业党委、枢纽型社会组织党组织等）".into(),
        fields: vec![
            Field::select(
                "kind",
                "类型",
                i.kind.clone(),
                options(ChannelKind::ALL.iter().map(|k| (k.as_str(), k.label())), None),
            ),
            Field::text("name", "名称", i.name.clone()),
            Field::text("region_code", "区划代码", i.region_code.clone()),
            Field::text("hub_org_id", "枢纽组织编号", opt_s(&i.hub_org_id)),
        ],
        submit: "保存".into(),
        confirm: String::new(),
    });
    Ok(ListPage {
        layout: crumbs(pu.layout(st, "channels", "管理渠道").await, "管理渠道", None),
        notice: notice(ok),
        heading: "党建管理渠道".into(),
        intro: "有业务主管单位的由主管单位党组织负责；直接登记的由社会组织综合党委负责；社区社会组织由镇街、社区党组织兜底（003§1）".into(),
        action: "/party/channels".into(),
        search: vec![],
        buttons: vec![],
        table,
        pager: None,
        forms: form.into_iter().collect(),
        errors,
    })
}

async fn channels(State(st): State<AppState>, pu: PageUser, Query(q): Query<OkQuery>) -> Result<Response, WebError> {
    let i = ChannelInput {
        kind: "industry_committee".into(),
        region_code: pu.user.scope.region.to_string(),
        ..Default::default()
    };
    Ok(render(&channels_render(&st, &pu, i, vec![], q.ok.as_deref()).await?))
}

async fn channel_create(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<ChannelInput>,
) -> Result<Response, WebError> {
    match st.app.party().create_channel(&pu.user, &i).await {
        Ok(_) => Ok(Redirect::to("/party/channels?ok=created").into_response()),
        Err(Error::Invalid(e)) => {
            let mut res =
                render(&channels_render(&st, &pu, i, e.into_iter().map(|e| e.message).collect(), None).await?);
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- policy profiles ----------

#[derive(Template)]
#[template(path = "party/policy.html")]
struct PolicyPage {
    layout: Layout,
    notice: Option<String>,
    view: PolicyView,
    entries: Vec<hongling_service::policy::PolicyEntryView>,
    shipped: Vec<hongling_service::policy::PolicyEntryView>,
    region: String,
    date: String,
    can_edit: bool,
    fields: Vec<Field>,
    errors: Vec<String>,
    runs: Vec<(String, String, String)>,
}

#[derive(Deserialize, Default)]
struct PolicyQuery {
    region: Option<String>,
    date: Option<String>,
    ok: Option<String>,
}

async fn policy_render(
    st: &AppState,
    pu: &PageUser,
    q: &PolicyQuery,
    input: &PolicyInput,
    errors: &[FieldError],
) -> Result<PolicyPage, WebError> {
    let region = nonempty(&q.region).map(|r| r.chars().take_while(char::is_ascii_digit).collect::<String>());
    let date = q.date.as_deref().and_then(fmt::parse_date);
    let view = st.app.effective_policy(&pu.user, region.as_deref(), date).await?;
    let entries = st.app.policy_entries_for(&pu.user, Some(&view.region)).await?;
    let mut fields = vec![
        Field::select(
            "param",
            "参数",
            input.param.clone(),
            view.values.iter().map(|v| (v.param.clone(), v.label.clone())).collect(),
        ),
        Field::text("value", "本级取值", opt_s(&input.value)).placeholder("如 5、95%、5 公里；留空为取消本级设定"),
        Field::new("effective_from", "生效日期", Kind::Date, opt_s(&input.effective_from)),
        Field::text("basis", "依据", input.basis.clone()).placeholder("文件名称和文号"),
    ];
    let rest = attach(&mut fields, errors);
    let runs = st
        .app
        .job_runs("coverage.policy", 5)
        .await?
        .into_iter()
        .map(|r| {
            (fmt::datetime(r.started_at), r.finished_at.map(fmt::datetime).unwrap_or_else(|| "计算中".into()), r.result)
        })
        .collect();
    Ok(PolicyPage {
        layout: pu.layout(st, "policy", "政策参数").await.crumb("系统管理", None).crumb("政策参数", None),
        notice: notice(q.ok.as_deref()),
        region: view.region.clone(),
        date: view.date.clone(),
        can_edit: may_edit_policy(&pu.user),
        view,
        entries,
        shipped: st.app.shipped_policy().await?,
        fields,
        errors: rest,
        runs,
    })
}

async fn policy(State(st): State<AppState>, pu: PageUser, Query(q): Query<PolicyQuery>) -> Result<Response, WebError> {
    let input = PolicyInput::default();
    Ok(render(&policy_render(&st, &pu, &q, &input, &[]).await?))
}

async fn policy_set(
    State(st): State<AppState>,
    pu: PageUser,
    Form(i): Form<PolicyInput>,
) -> Result<Response, WebError> {
    match st.app.set_policy(&pu.user, &i).await {
        Ok(e) => {
            spawn_refresh(&st, &pu.user, &e.region);
            Ok(Redirect::to(&format!(
                "/system/policy?{}",
                serde_urlencoded::to_string([("region", e.region.as_str()), ("ok", "policy")]).unwrap_or_default()
            ))
            .into_response())
        }
        Err(Error::Invalid(errors)) => {
            let q = PolicyQuery { region: Some(i.region.clone()), ..Default::default() };
            let mut res = render(&policy_render(&st, &pu, &q, &i, &errors).await?);
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(e.into()),
    }
}

/// Re-evaluate the region's coverage with the new values, after the response:
/// a province takes a while. The run is recorded in `job_runs` (any server can show it).
pub fn spawn_refresh(st: &AppState, u: &hongling_service::CurrentUser, region: &str) {
    let app = st.app.clone();
    let by = hongling_service::Principal::User(u.clone());
    let region = region.to_owned();
    tokio::spawn(async move {
        let key = format!("{region}:{}", app.now().unix_timestamp_nanos());
        let id = match app.claim_job("coverage.policy", &key, &region, &by).await {
            Ok(Some(id)) => id,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "policy refresh: cannot record the run");
                return;
            }
        };
        let result = match app.party().refresh_coverage(&by, &region, app.today()).await {
            Ok((o, c, p)) => format!("组织 {o} 个（变化 {c} 个），党组织 {p} 个"),
            Err(e) => format!("失败：{e}"),
        };
        if let Err(e) = app.finish_job(id, &result).await {
            tracing::error!(error = %e, "policy refresh: cannot finish the run");
        }
    });
}
