//! List.

use crate::AppState;
use crate::error::WebError;
use crate::layout::{Layout, Pager};
use crate::page::{PageUser, render};
use crate::routes::Routes;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_service::PageRequest;
use hongling_service::registry::orgs::{OrgFilter, may_write_registry};
use serde::Deserialize;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new().get("/registry/orgs/export", Action::RegistryExport, export)
}

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
#[template(path = "registry/orgs.html")]
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

pub(super) async fn list(
    State(st): State<AppState>,
    pu: PageUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
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
    Ok(crate::page::xlsx_response(bytes, &name))
}
