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

use super::Field;
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
picker!(assignees, Pick::Assignees);

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
        .get("/pick/assignees", Action::Home, assignees)
}

/// A form field choosing one record of `kind`; `value` is its id as typed or
/// stored (shown by its name).
pub async fn field(
    st: &AppState,
    me: &hongling_service::CurrentUser,
    name: &'static str,
    label: &'static str,
    kind: Pick,
    value: &str,
) -> Result<Field, WebError> {
    let v = value.trim().to_owned();
    let display = match v.parse::<i64>() {
        Ok(id) => st.app.pick_labels(me, kind, &[id]).await?.remove(&id).unwrap_or_else(|| v.clone()),
        Err(_) => v.clone(),
    };
    Ok(Field::picker(name, label, super::list::source(kind), v, display))
}

/// A form field choosing several records of `kind`.
pub async fn multi(
    st: &AppState,
    me: &hongling_service::CurrentUser,
    name: &'static str,
    label: &'static str,
    kind: Pick,
    ids: &[i64],
) -> Result<Field, WebError> {
    let names = st.app.pick_labels(me, kind, ids).await?;
    let chosen =
        ids.iter().map(|id| (id.to_string(), names.get(id).cloned().unwrap_or_else(|| id.to_string()))).collect();
    Ok(Field::multi_picker(name, label, super::list::source(kind), chosen))
}

/// A form field choosing a region of the caller's subtree; `code` is shown by its name.
pub async fn region(st: &AppState, name: &'static str, label: &'static str, code: &str) -> Result<Field, WebError> {
    let code = code.trim();
    let display = if code.chars().all(|c| c.is_ascii_digit()) && !code.is_empty() {
        let n = st.app.region_label(code).await?;
        if n.is_empty() { code.to_owned() } else { n }
    } else {
        code.to_owned()
    };
    Ok(Field::picker(name, label, "/pick/regions", code, display).placeholder("输入区划名称，从建议中选择"))
}

/// The ids of a repeated form field (`name=1&name=2`, or one "1,2").
pub fn ids(pairs: &[(String, String)], name: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for (k, v) in pairs {
        if k == name {
            for part in v.split([',', '，', ' ']) {
                if let Ok(id) = part.trim().parse::<i64>()
                    && !out.contains(&id)
                {
                    out.push(id);
                }
            }
        }
    }
    out
}

/// The value of a form field (the last one given).
pub fn value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
}
