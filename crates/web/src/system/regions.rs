//! Regions.

use crate::AppState;
use crate::error::WebError;
use crate::layout::Layout;
use crate::routes::Routes;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use hongling_domain::Action;
use hongling_domain::{RegionCode, RegionLevel, UrbanRural};
use hongling_service::Error;
use hongling_service::models;
use serde::Deserialize;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new().get("/system/regions", Action::RegionsRead, regions)
}

struct RegionChild {
    code: String,
    name: String,
    level: &'static str,
    class: &'static str,
    has_children: bool,
}

#[derive(Template)]
#[template(path = "system/regions.html")]
struct RegionsPage {
    layout: Layout,
    region: models::Region,
    full_name: String,
    level: &'static str,
    path: Vec<(String, String)>,
    children: Vec<RegionChild>,
}

#[derive(Deserialize)]
struct CodeQuery {
    code: Option<String>,
}

fn level_label(l: i16) -> &'static str {
    RegionLevel::from_number(l as i32).map(RegionLevel::label).unwrap_or("")
}

async fn regions(State(st): State<AppState>, pu: PageUser, Query(q): Query<CodeQuery>) -> Result<Response, WebError> {
    let root = pu.user.region_prefix()?.clone();
    let code = q.code.filter(|c| !c.is_empty()).unwrap_or_else(|| root.to_string());
    let (region, kids) = st.app.region_with_children(&pu.user, &code).await?;
    let rc = RegionCode::parse(&region.code).map_err(|_| Error::NotFound)?;
    let mut path = Vec::new();
    for a in rc.ancestors().into_iter().chain(std::iter::once(rc.clone())) {
        if root.contains(&a)
            && let Some(r) = st.app.region(a.as_str()).await?
        {
            path.push((r.code, r.name));
        }
    }
    let children = kids
        .into_iter()
        .map(|c| RegionChild {
            has_children: c.level < RegionLevel::Village.number() as i16,
            level: level_label(c.level),
            class: c.urban_rural.as_deref().and_then(UrbanRural::parse).map(UrbanRural::label).unwrap_or(""),
            code: c.code,
            name: c.name,
        })
        .collect();
    Ok(render(&RegionsPage {
        layout: pu.layout(&st, "regions", "行政区划").await.crumb("系统管理", None).crumb("行政区划", None),
        full_name: st.app.region_full_name(&rc).await?,
        level: level_label(region.level),
        region,
        path,
        children,
    }))
}
