//! Supervisory units.

use crate::AppState;
use crate::error::WebError;
use crate::layout::Layout;
use crate::page::{PageUser, render};
use crate::routes::Routes;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Action;
use hongling_service::registry::orgs::may_write_registry;
use hongling_service::{Error, Principal};
use serde::Deserialize;

use super::*;

pub(super) fn routes() -> Routes {
    Routes::new().get("/registry/units", Action::UnitsRead, units).post(
        "/registry/units",
        Action::UnitsWrite,
        unit_create,
    )
}

#[derive(Template)]
#[template(path = "registry/units.html")]
struct UnitsPage {
    layout: Layout,
    rows: Vec<(i64, String, String)>,
    error: Option<String>,
    name: String,
    region: String,
    can_write: bool,
}

async fn units_page(
    st: &AppState,
    pu: &PageUser,
    error: Option<String>,
    name: String,
    region: String,
) -> Result<Response, WebError> {
    let units = st.app.registry().list_supervisory_units(&pu.user).await?;
    let codes: Vec<String> = units.iter().map(|u| u.region_code.clone()).collect();
    let labels = st.app.region_labels(&codes).await?;
    let failed = error.is_some();
    let mut res = render(&UnitsPage {
        layout: pu.layout(st, "units", "业务主管单位").await.crumb("社会组织", None).crumb("业务主管单位", None),
        rows: units
            .into_iter()
            .map(|u| (u.id, u.name, labels.get(&u.region_code).cloned().unwrap_or(u.region_code)))
            .collect(),
        error,
        name,
        region,
        can_write: may_write_registry(&pu.user),
    });
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn units(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    pu.user.region_prefix()?;
    let region = pu.user.scope.region.to_string();
    units_page(&st, &pu, None, String::new(), region).await
}

#[derive(Deserialize)]
struct UnitForm {
    name: String,
    region: String,
}

async fn unit_create(State(st): State<AppState>, pu: PageUser, Form(f): Form<UnitForm>) -> Result<Response, WebError> {
    match st
        .app
        .registry()
        .create_supervisory_unit(&Principal::User(pu.user.clone()), &f.name, &region_code_of(&f.region))
        .await
    {
        Ok(_) => Ok(Redirect::to("/registry/units").into_response()),
        Err(Error::Invalid(e)) => {
            let msg = e.into_iter().map(|x| x.message).collect::<Vec<_>>().join("；");
            units_page(&st, &pu, Some(msg), f.name, f.region).await
        }
        Err(e) => Err(e.into()),
    }
}
