//! Dashboard.

use crate::AppState;
use crate::error::WebError;
use crate::fmt;
use crate::layout::Layout;
use crate::routes::Routes;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use hongling_domain::Action;
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
    counties: String,
    townships: String,
    villages: String,
    urban: String,
    users: String,
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

async fn dashboard(State(st): State<AppState>, pu: PageUser) -> Result<Response, WebError> {
    // a party secretary's or member's workbench is their party organization
    if let Some(own) = hongling_service::party::own_party_org(&pu.user) {
        return Ok(Redirect::to(&format!("/party/orgs/{own}")).into_response());
    }
    let figures = st.app.system().dashboard(&pu.user).await?;
    let pending_decisions = if pu.user.can(Action::RegistryWrite) && pu.user.scope.kind == ScopeKind::Region {
        Some(fmt::thousands(st.app.registry().pending_decision_count(&pu.user).await? as i64))
    } else {
        None
    };
    let page = DashboardPage {
        layout: pu.layout(&st, "dashboard", "工作台").await,
        counties: fmt::thousands(figures.counties),
        townships: fmt::thousands(figures.townships),
        villages: fmt::thousands(figures.villages),
        urban: fmt::thousands(figures.urban_communities),
        users: fmt::thousands(figures.users as i64),
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
