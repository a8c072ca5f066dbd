//! The admin shell: side menu, top bar, breadcrumbs, paging.

use hongling_domain::Action;
use hongling_domain::role::ScopeKind;
use hongling_service::{CurrentUser, Hongling};

pub struct MenuItem {
    pub key: &'static str,
    pub label: &'static str,
    pub href: &'static str,
}

pub struct MenuGroup {
    pub label: &'static str,
    pub items: Vec<MenuItem>,
}

/// An entry of the side menu: shown when the permission matrix grants the
/// user its action.
struct Entry {
    key: &'static str,
    label: &'static str,
    href: &'static str,
    action: Action,
    /// Shown only to users with this kind of scope (None: any).
    scope: Option<ScopeKind>,
}

const fn entry(key: &'static str, label: &'static str, href: &'static str, action: Action) -> Entry {
    Entry { key, label, href, action, scope: None }
}

const fn scoped(key: &'static str, label: &'static str, href: &'static str, action: Action, k: ScopeKind) -> Entry {
    Entry { key, label, href, action, scope: Some(k) }
}

/// The menu of the modules built so far (UI.md lists the whole product; each
/// module adds its group or entries here).
const MENU: &[(&str, &[Entry])] = &[
    (
        "社会组织",
        &[
            scoped("orgs", "登记管理", "/registry/orgs", Action::RegistryRead, ScopeKind::Region),
            scoped("orgs", "主管的社会组织", "/registry/orgs", Action::RegistryRead, ScopeKind::Unit),
            scoped("orgs", "社会组织", "/registry/orgs", Action::RegistryRead, ScopeKind::PartyOrg),
            scoped("orgs", "本组织登记信息", "/registry/orgs", Action::RegistryRead, ScopeKind::Org),
            scoped(
                "org_review",
                "成立审查",
                "/registry/orgs?status=applying",
                Action::RegistryWrite,
                ScopeKind::Region,
            ),
            scoped("decisions", "登记审批", "/registry/decisions", Action::RegistryWrite, ScopeKind::Region),
            entry("units", "业务主管单位", "/registry/units", Action::UnitsRead),
            entry("org_import", "导入", "/registry/import", Action::RegistryImport),
        ],
    ),
    (
        "党建工作",
        &[
            entry("coverage", "覆盖分析", "/party/coverage", Action::PartyFigures),
            entry("plan", "覆盖规划", "/party/plan", Action::PartyPlan),
            entry("breaches", "违规提示", "/party/coverage/breaches", Action::PartyFigures),
            scoped("party_orgs", "党组织", "/party/orgs", Action::PartyRecordsRead, ScopeKind::Region),
            scoped("party_orgs", "本党组织", "/party/orgs", Action::PartyRecordsRead, ScopeKind::PartyOrg),
            scoped("party_orgs", "党组织", "/party/orgs", Action::PartyRecordsRead, ScopeKind::Unit),
            entry("members", "党员", "/party/members", Action::PartyRecordsRead),
            entry("instructors", "党建指导员", "/party/instructors", Action::InstructorsRead),
            entry("life", "组织生活", "/party/life", Action::PartyRecordsRead),
            scoped("funds", "党建经费", "/party/funds", Action::PartyRecordsRead, ScopeKind::Region),
            scoped("trainings", "书记培训", "/party/trainings", Action::PartyRecordsRead, ScopeKind::Region),
            scoped("trainings", "培训记录", "/party/trainings", Action::PartyLifeWrite, ScopeKind::PartyOrg),
            scoped("stars", "评星定级", "/party/orgs?stars=1", Action::PartyRecordsRead, ScopeKind::Region),
            entry("channels", "管理渠道", "/party/channels", Action::ChannelsRead),
        ],
    ),
    (
        "系统管理",
        &[
            entry("users", "用户", "/system/users", Action::UsersManage),
            entry("policy", "政策参数", "/system/policy", Action::PolicyRead),
            entry("regions", "行政区划", "/system/regions", Action::RegionsRead),
            entry("audit", "审计日志", "/system/audit", Action::AuditRead),
            entry("jobs", "后台任务", "/system/jobs", Action::JobsManage),
        ],
    ),
];

/// The menu limited to what the user may open.
pub fn menu(u: &CurrentUser) -> Vec<MenuGroup> {
    MENU.iter()
        .filter_map(|(label, entries)| {
            let items: Vec<MenuItem> = entries
                .iter()
                .filter(|e| u.can(e.action) && e.scope.is_none_or(|k| k == u.scope.kind))
                .map(|e| MenuItem { key: e.key, label: e.label, href: e.href })
                .collect();
            (!items.is_empty()).then_some(MenuGroup { label, items })
        })
        .collect()
}

pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

/// What the shell around every signed-in page needs.
pub struct Layout {
    pub title: String,
    pub active: &'static str,
    pub user_name: String,
    pub role_label: &'static str,
    pub scope_label: String,
    pub csrf: String,
    pub menu: Vec<MenuGroup>,
    pub crumbs: Vec<Crumb>,
    /// A message from the previous request (saved, refused…), shown once.
    pub flash: Option<hongling_service::auth::Flash>,
    /// unread notices of the account (the bell)
    pub unread_notices: u64,
}

impl Layout {
    pub async fn new(app: &Hongling, me: &CurrentUser, csrf: &str, active: &'static str, title: &str) -> Self {
        let region_name = app.region_full_name(&me.scope.region).await.unwrap_or_else(|_| me.scope.region.to_string());
        let scope_label = match me.scope.ref_id {
            None => region_name,
            Some(id) => {
                let name = app.scope_record_name(me).await.ok().flatten().unwrap_or_else(|| format!("#{id}"));
                format!("{}（{}：{}）", region_name, me.scope.kind_label(), name)
            }
        };
        Self {
            title: title.to_owned(),
            active,
            user_name: me.display_name.clone(),
            role_label: me.role.label(),
            scope_label,
            csrf: csrf.to_owned(),
            menu: menu(me),
            crumbs: vec![Crumb { label: "工作台".into(), href: Some("/".into()) }],
            flash: None,
            unread_notices: app.notices().unread(me).await.unwrap_or(0),
        }
    }

    pub fn crumb(mut self, label: impl Into<String>, href: Option<&str>) -> Self {
        self.crumbs.push(Crumb { label: label.into(), href: href.map(str::to_owned) });
        self
    }
}

/// Page links for a list whose filters live in the URL.
pub struct Pager {
    pub total_text: String,
    pub page: u64,
    pub pages: u64,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub links: Vec<(u64, String, bool)>,
}

impl Pager {
    /// `base` is the list URL with its filters as query pairs (without `page`).
    pub fn new(base: &str, pairs: &[(&str, String)], total: u64, page: u64, per_page: u64) -> Self {
        let pages = total.div_ceil(per_page.max(1)).max(1);
        let url = |p: u64| {
            let mut q: Vec<(&str, String)> = pairs.iter().filter(|(_, v)| !v.is_empty()).cloned().collect();
            q.push(("page", p.to_string()));
            format!("{base}?{}", serde_urlencoded::to_string(&q).unwrap_or_default())
        };
        let lo = page.saturating_sub(3).max(1);
        let hi = lo.saturating_add(6).min(pages);
        Self {
            total_text: crate::fmt::thousands(total as i64),
            page,
            pages,
            prev: (page > 1).then(|| url(page - 1)),
            next: (page < pages).then(|| url(page + 1)),
            links: (lo..=hi).map(|p| (p, url(p), p == page)).collect(),
        }
    }

    /// Mark the total as a lower bound ("10,000+").
    pub fn at_least(mut self, inexact: bool) -> Self {
        if inexact {
            self.total_text.push('+');
        }
        self
    }
}
