//! Dashboard.

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::layout::Layout;
use crate::routes::Routes;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::party::coverage::{CoverageMode, PartyOrgType};
use hongling_domain::party::duties::DutyState;
use hongling_domain::region::RegionLevel;
use hongling_domain::registry::{Category, OrgKind, OrgStatus, SupervisionClass};
use hongling_domain::role::ScopeKind;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new().get("/", Action::Home, dashboard)
}

#[derive(Template)]
#[template(path = "system/home.html")]
struct DashboardPage {
    layout: Layout,
    figures: hongling_service::system::dashboard::DashboardFigures,
    /// A supervisory unit's account: its organizations, no region cards.
    unit: bool,
    counties: Option<String>,
    townships: Option<String>,
    villages: Option<String>,
    urban: String,
    users: String,
    /// Where the users card leads (administrators only).
    users_href: Option<&'static str>,
    region_href: Option<&'static str>,
    registered: String,
    filed: String,
    applying: String,
    sync_pending: String,
    supervised: String,
    closed: String,
    /// proposals of the subtree waiting for a leader (keepers of the register only)
    pending_decisions: Option<String>,
    /// whether the user is the one to decide them
    decides: bool,
}

/// One line of a home page's lists: text, where to go, a tone.
struct Line {
    text: String,
    note: String,
    href: Option<String>,
    tone: &'static str,
}

#[derive(Template)]
#[template(path = "system/home_org.html")]
struct OrgHomePage {
    layout: Layout,
    id: i64,
    name: String,
    status: String,
    status_tone: &'static str,
    facts: Vec<(&'static str, String)>,
    coverage: String,
    covering: Vec<(i64, String)>,
    tasks: Vec<Line>,
    events: Vec<Line>,
}

#[derive(Template)]
#[template(path = "system/home_party.html")]
struct PartyHomePage {
    layout: Layout,
    id: i64,
    name: String,
    facts: Vec<(&'static str, String)>,
    life: Vec<(String, String, String, String, Line)>,
    probation: Vec<Line>,
    training: Line,
    breaches: Vec<String>,
    may_record: bool,
}

fn date_text(d: Option<time::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

async fn dashboard(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    match pu.user.scope.kind {
        ScopeKind::Org => return org_home(&st, &pu).await,
        ScopeKind::PartyOrg => return party_home(&st, &pu).await,
        ScopeKind::Region | ScopeKind::Unit => {}
    }
    let figures = st.app.system().dashboard(&pu.user).await?;
    let unit = pu.user.scope.kind == ScopeKind::Unit;
    let shown = |level: RegionLevel, n: i64| figures.shows_level(level).then(|| fmt::thousands(n));
    let pending_decisions = if pu.user.can(Action::RegistryWrite) && pu.user.scope.kind == ScopeKind::Region {
        Some(fmt::thousands(st.app.registry().pending_decision_count(&pu.user).await? as i64))
    } else {
        None
    };
    let page = DashboardPage {
        layout: pu.layout(&st, "dashboard", "工作台").await,
        unit,
        counties: shown(RegionLevel::County, figures.counties),
        townships: shown(RegionLevel::Township, figures.townships),
        villages: shown(RegionLevel::Village, figures.villages),
        urban: fmt::thousands(figures.urban_communities),
        users: fmt::thousands(figures.users as i64),
        users_href: pu.user.can(Action::UsersManage).then_some("/system/users"),
        region_href: pu.user.can(Action::RegionsRead).then_some("/system/regions"),
        registered: fmt::thousands(figures.registered_active),
        filed: fmt::thousands(figures.filed_active),
        applying: fmt::thousands(figures.applying),
        sync_pending: fmt::thousands(figures.sync_pending),
        supervised: fmt::thousands(figures.supervised),
        closed: fmt::thousands(figures.closed),
        pending_decisions,
        decides: pu.user.can(Action::RegistryDecide),
        figures,
    };
    Ok(render(&page))
}

async fn org_home(st: &AppState, pu: &PageUser) -> Result<Response, WebError> {
    let h = st.app.system().org_home(&pu.user).await?;
    let o = &h.org;
    let status = OrgStatus::parse(&o.status).unwrap_or(OrgStatus::Active);
    let authority = st.app.authority_name(&o.authority_region).await.unwrap_or_default();
    let facts = vec![
        ("统一社会信用代码", o.uscc.clone().unwrap_or_else(|| "—".into())),
        ("组织类型", OrgKind::parse(&o.kind).map(|k| k.label()).unwrap_or("").to_owned()),
        ("类别", Category::parse(&o.category).map(|c| c.label()).unwrap_or("").to_owned()),
        ("登记管理机关", authority),
        ("成立日期", date_text(o.founded_on)),
        ("监管分类", SupervisionClass::parse(&o.supervision_class).map(|c| c.label()).unwrap_or("").to_owned()),
    ];
    let coverage = CoverageMode::parse(&o.coverage_mode).map(|m| m.label()).unwrap_or("—").to_owned();
    let tasks = h
        .tasks
        .iter()
        .map(|t| Line { text: t.text.clone(), note: String::new(), href: t.href.clone(), tone: t.tone })
        .collect();
    let events = h
        .events
        .iter()
        .map(|e| {
            let label = crate::registry::action_label(&e.action, &o.registration_mode);
            let doc = if e.doc_no.is_empty() { String::new() } else { format!("（{}）", e.doc_no) };
            Line {
                text: format!("{label}{doc}"),
                note: format!("{} {}", e.effective_on, e.reason.chars().take(60).collect::<String>()),
                href: Some(format!("/registry/orgs/{}?tab=history", o.id)),
                tone: "grey",
            }
        })
        .collect();
    let page = OrgHomePage {
        layout: pu.layout(st, "dashboard", "工作台").await,
        id: o.id,
        name: o.name.clone(),
        status: status.label().to_owned(),
        status_tone: status.tag(),
        facts,
        coverage,
        covering: h.covering.clone(),
        tasks,
        events,
    };
    Ok(render(&page))
}

async fn party_home(st: &AppState, pu: &PageUser) -> Result<Response, WebError> {
    let today = st.app.today();
    let h = st.app.system().party_home(&pu.user, today).await?;
    let p = &h.party_org;
    let facts = vec![
        ("组织类型", PartyOrgType::parse(&p.org_type).map(|t| t.label()).unwrap_or("").to_owned()),
        ("书记", h.secretary_name.clone().unwrap_or_else(|| "未配备".into())),
        ("正式党员", format!("{} 名", p.formal_members)),
        ("预备党员", format!("{} 名", p.probationary_members)),
        ("覆盖社会组织", format!("{} 个", p.covered_orgs)),
        ("成立日期", date_text(p.founded_on)),
    ];
    let state_line = |s: &DutyState, done: &str, due: &str, missed: &str| -> Line {
        let (text, tone) = match s {
            DutyState::Done => (done.to_owned(), "green"),
            DutyState::Due(d) => (format!("{due}，截止 {d}"), "orange"),
            DutyState::Missed(d) => (format!("{missed}，截止 {d}"), "red"),
        };
        Line { text, note: String::new(), href: None, tone }
    };
    let life = h
        .life
        .iter()
        .map(|l| {
            let state = state_line(
                &l.state,
                &format!("{}已开展", l.this_period),
                &format!("{}尚未开展", l.this_period),
                &format!("上期未开展，{}尚未开展", l.this_period),
            );
            (
                l.kind_label.to_owned(),
                l.cadence.to_owned(),
                format!("{} 次", l.held_this_period),
                date_text(l.last_held),
                state,
            )
        })
        .collect();
    let probation = h
        .probation
        .iter()
        .map(|m| {
            let mut line = state_line(&m.state, "", "预备期即将期满，请及时讨论转正", "");
            line.text = match &m.state {
                DutyState::Missed(d) => format!("{}：预备期已于 {d} 期满，尚未讨论转正", m.name),
                DutyState::Due(d) => format!("{}：预备期即将期满，请及时讨论转正，期满日 {d}", m.name),
                DutyState::Done => m.name.clone(),
            };
            line.note = format!("入党日期 {}", date_text(m.joined_on));
            line.href = Some(format!("/party/members/{}", m.member_id));
            line
        })
        .collect();
    let year_ago = today - time::Duration::days(365);
    let training = match (&h.secretary_name, h.secretary_trained_on) {
        (None, _) => Line { text: "尚未配备书记".into(), note: String::new(), href: None, tone: "orange" },
        (Some(_), Some(d)) if d >= year_ago => Line {
            text: format!("书记最近一次培训：{d}"),
            note: String::new(),
            href: Some("/party/trainings".into()),
            tone: "green",
        },
        (Some(_), last) => Line {
            text: format!("书记近一年未参加培训（最近一次：{}）", date_text(last)),
            note: "每年至少轮训 1 次".into(),
            href: Some("/party/trainings".into()),
            tone: "red",
        },
    };
    let page = PartyHomePage {
        layout: pu.layout(st, "dashboard", "工作台").await,
        id: p.id,
        name: p.name.clone(),
        facts,
        life,
        probation,
        training,
        breaches: h.breaches.iter().map(|b| b.label().to_owned()).collect(),
        may_record: pu.user.can(Action::PartyLifeWrite),
    };
    Ok(render(&page))
}
