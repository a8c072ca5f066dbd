//! Suggestion endpoints of the pickers: `GET /pick/{kind}?q=…` answers the
//! records (or regions) whose names contain `q`, limited to what the caller
//! may see, as JSON for `assets/app.js`. Every signed-in user may ask; the
//! data layer decides what they see (an organization account sees no party
//! organizations, a party secretary only their own…).

use axum::Json;
use axum::extract::{Query, State};
use hongling_domain::Action;
use hongling_service::list::Pick;
use hongling_service::pick::Choice;
use serde::Deserialize;

use crate::AppState;
use crate::api::ApiUser;
use crate::error::WebError;
use crate::routes::Routes;

#[derive(Deserialize)]
pub(crate) struct PickQuery {
    #[serde(default)]
    q: String,
}

const LIMIT: u64 = 20;

async fn regions(
    State(st): State<AppState>,
    ApiUser(me): ApiUser,
    Query(q): Query<PickQuery>,
) -> Result<Json<Vec<Choice>>, WebError> {
    Ok(Json(st.app.pick_regions(&me, &q.q, LIMIT).await.map_err(WebError::api)?))
}

async fn pick(
    st: &AppState,
    me: &hongling_service::CurrentUser,
    kind: Pick,
    q: &str,
) -> Result<Json<Vec<Choice>>, WebError> {
    Ok(Json(st.app.pick(me, kind, q, LIMIT).await.map_err(WebError::api)?))
}

macro_rules! picker {
    ($name:ident, $kind:expr) => {
        async fn $name(
            State(st): State<AppState>,
            ApiUser(me): ApiUser,
            Query(q): Query<PickQuery>,
        ) -> Result<Json<Vec<Choice>>, WebError> {
            pick(&st, &me, $kind, &q.q).await
        }
    };
}

picker!(orgs, Pick::Orgs);
picker!(party_orgs, Pick::PartyOrgs);
picker!(members, Pick::Members);
picker!(instructors, Pick::Instructors);
picker!(units, Pick::Units);
picker!(users, Pick::Users);
picker!(channels, Pick::Channels);

pub fn routes() -> Routes {
    Routes::new()
        .get("/pick/regions", Action::Home, regions)
        .get("/pick/orgs", Action::Home, orgs)
        .get("/pick/party-orgs", Action::Home, party_orgs)
        .get("/pick/members", Action::Home, members)
        .get("/pick/instructors", Action::Home, instructors)
        .get("/pick/units", Action::Home, units)
        .get("/pick/users", Action::Home, users)
        .get("/pick/channels", Action::Home, channels)
}
