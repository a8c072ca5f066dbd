//! Party-building pages (M2): coverage analysis with drill-down, breaches,
//! the planner, party organizations, members, instructors, party life, funds,
//! training, channels and policy profiles. Thin over `hongling_service::party`.

pub mod api;
mod breaches;
mod channels;
mod coverage;
mod instructors;
mod life;
mod members;
mod orgs;
mod plan;

use axum::http::StatusCode;
use axum::response::Response;
use hongling_service::Ref;
use serde::Deserialize;

use crate::layout::Layout;
use crate::page::render;
use crate::routes::Routes;
use crate::ui::FormPage;

fn crumbs(l: Layout, page: &str, href: Option<&str>) -> Layout {
    l.crumb("党建工作", None).crumb(page.to_owned(), href)
}

fn pct(x: f64) -> String {
    hongling_service::list::percent_text(x)
}

pub(crate) fn opt_s(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

pub(crate) fn nonempty(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.trim().is_empty())
}

fn ids(s: &str) -> Vec<i64> {
    s.split(|c: char| !c.is_ascii_digit()).filter(|x| !x.is_empty()).filter_map(|x| x.parse().ok()).collect()
}

/// Re-render a form with the errors under their fields (422).
fn form_response(page: FormPage) -> Response {
    let mut res = render(&page);
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    res
}

/// The tab of a detail page (`?tab=orgs`).
#[derive(Deserialize, Default)]
pub(super) struct TabQuery {
    pub tab: Option<String>,
}

/// The routes of this module.
pub fn routes() -> Routes {
    Routes::new()
        .merge(breaches::routes())
        .merge(channels::routes())
        .merge(coverage::routes())
        .merge(instructors::routes())
        .merge(life::routes())
        .merge(members::routes())
        .merge(orgs::routes())
        .merge(plan::routes())
}
