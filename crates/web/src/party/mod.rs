//! Party-building pages (M2): coverage analysis with drill-down, breaches,
//! the planner, party organizations, members, instructors, party life, funds,
//! training, channels and policy profiles. Thin over `hongling_service::party`.

pub mod api;
mod channels;
mod coverage;
mod instructors;
mod life;
mod members;
mod orgs;
mod plan;

use axum::http::StatusCode;
use axum::response::Response;
use hongling_service::Error;
use hongling_service::Ref;
use serde::Deserialize;

use crate::error::WebError;
use crate::layout::{Layout, Pager};
use crate::page::render;
use crate::routes::Routes;
use crate::ui::{Cell, FormPage};

fn crumbs(l: Layout, page: &str, href: Option<&str>) -> Layout {
    l.crumb("党建工作", None).crumb(page.to_owned(), href)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
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

pub(crate) fn notice(code: Option<&str>) -> Option<String> {
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

/// The tab of a detail page (`?tab=orgs`).
#[derive(Deserialize, Default)]
pub(super) struct TabQuery {
    pub tab: Option<String>,
}

fn require(ok: bool, msg: &'static str) -> Result<(), WebError> {
    if ok { Ok(()) } else { Err(WebError::page(Error::Forbidden(msg))) }
}

#[derive(Deserialize, Default)]
pub(super) struct OkQuery {
    pub ok: Option<String>,
    pub tab: Option<String>,
    pub error: Option<String>,
}

/// The routes of this module.
pub fn routes() -> Routes {
    Routes::new()
        .merge(channels::routes())
        .merge(coverage::routes())
        .merge(instructors::routes())
        .merge(life::routes())
        .merge(members::routes())
        .merge(orgs::routes())
        .merge(plan::routes())
}
