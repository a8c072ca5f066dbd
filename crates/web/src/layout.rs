//! The admin shell: side menu, top bar, breadcrumbs, paging.

use hongling_domain::Role;
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

/// The menu of the modules built so far, limited to what the role may open.
/// (UI.md lists the whole product; each module adds its entries here.)
pub fn menu(role: Role, region_scoped: bool, own_party_org: Option<i64>) -> Vec<MenuGroup> {
    let mut groups = Vec::new();
    if region_scoped || role == Role::OrgAccount {
        let mut registry = vec![MenuItem { key: "orgs", label: "登记管理", href: "/registry/orgs" }];
        if hongling_service::registry::orgs::writes_registry(role) && region_scoped {
            registry
                .push(MenuItem { key: "org_review", label: "成立审查", href: "/registry/orgs?status=applying" });
            registry.push(MenuItem { key: "org_import", label: "导入", href: "/registry/import" });
        }
        if region_scoped {
            registry.push(MenuItem { key: "units", label: "业务主管单位", href: "/registry/units" });
        }
        groups.push(MenuGroup { label: "社会组织", items: registry });
    }
    let party_reader = region_scoped && hongling_service::party::reads_party(role);
    let party_writer = region_scoped && hongling_service::party::writes_party(role);
    if party_reader {
        let mut party = vec![MenuItem { key: "coverage", label: "覆盖分析", href: "/party/coverage" }];
        if party_writer {
            party.push(MenuItem { key: "plan", label: "覆盖规划", href: "/party/plan" });
        }
        party.extend([
            MenuItem { key: "breaches", label: "违规提示", href: "/party/coverage/breaches" },
            MenuItem { key: "party_orgs", label: "党组织", href: "/party/orgs" },
            MenuItem { key: "members", label: "党员", href: "/party/members" },
            MenuItem { key: "instructors", label: "党建指导员", href: "/party/instructors" },
            MenuItem { key: "life", label: "组织生活", href: "/party/life" },
            MenuItem { key: "funds", label: "党建经费", href: "/party/funds" },
            MenuItem { key: "trainings", label: "书记培训", href: "/party/trainings" },
            MenuItem { key: "stars", label: "评星定级", href: "/party/orgs?stars=1" },
            MenuItem { key: "channels", label: "管理渠道", href: "/party/channels" },
        ]);
        groups.push(MenuGroup { label: "党建工作", items: party });
    } else if own_party_org.is_some() {
        let mut party = vec![
            MenuItem { key: "party_orgs", label: "本党组织", href: "/party/orgs" },
            MenuItem { key: "members", label: "党员", href: "/party/members" },
            MenuItem { key: "life", label: "组织生活", href: "/party/life" },
        ];
        if role == Role::PartySecretary {
            party.push(MenuItem { key: "trainings", label: "培训记录", href: "/party/trainings" });
        }
        groups.push(MenuGroup { label: "党建工作", items: party });
    }
    let mut system = Vec::new();
    if role.manages_users() {
        system.push(MenuItem { key: "users", label: "用户", href: "/system/users" });
    }
    if region_scoped {
        system.push(MenuItem { key: "policy", label: "政策参数", href: "/system/policy" });
        system.push(MenuItem { key: "regions", label: "行政区划", href: "/system/regions" });
    }
    if role.reads_audit() {
        system.push(MenuItem { key: "audit", label: "审计日志", href: "/system/audit" });
    }
    if !system.is_empty() {
        groups.push(MenuGroup { label: "系统管理", items: system });
    }
    groups
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
}

impl Layout {
    pub async fn new(app: &Hongling, me: &CurrentUser, csrf: &str, active: &'static str, title: &str) -> Self {
        let region_name = app.region_full_name(&me.scope.region).await.unwrap_or_else(|_| me.scope.region.to_string());
        let scope_label = match me.scope.ref_id {
            None => region_name,
            Some(id) => format!("{}（{}：{}）", region_name, me.scope.kind_label(), id),
        };
        Self {
            title: title.to_owned(),
            active,
            user_name: me.display_name.clone(),
            role_label: me.role.label(),
            scope_label,
            csrf: csrf.to_owned(),
            menu: menu(me.role, me.scope.region_subtree().is_some(), hongling_service::party::own_party_org(me)),
            crumbs: vec![Crumb { label: "工作台".into(), href: Some("/".into()) }],
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
