//! Registry pages (M1): list with search form, detail with history, forms,
//! life-cycle actions, import with preview, export, supervisory units.

pub mod api;
mod decisions;
mod detail;
mod form;
mod import;
mod list;
mod status;
mod units;

pub(crate) use detail::action_label;

use hongling_service::CurrentUser;

use crate::error::WebError;
use crate::routes::Routes;
use hongling_domain::Action;

pub(super) fn label_of<T: Copy>(s: &str, parse: fn(&str) -> Option<T>, label: fn(T) -> &'static str) -> String {
    parse(s).map(label).map(str::to_owned).unwrap_or_else(|| s.to_owned())
}

/// The route guard already refused other roles; this keeps the handlers
/// honest when called another way.
pub(super) fn require_writer(u: &CurrentUser) -> Result<(), WebError> {
    u.require(Action::RegistryWrite).map_err(WebError::page)
}

/// The routes of this module.
pub fn routes() -> Routes {
    Routes::new()
        .get("/registry/orgs", Action::RegistryRead, list::list)
        .post("/registry/orgs", Action::RegistryWrite, form::create)
        .get("/registry/orgs/{id}", Action::RegistryRead, detail::detail)
        .post("/registry/orgs/{id}/files", Action::RegistryWrite, detail::file_upload)
        .post("/registry/orgs/{id}", Action::RegistryWrite, form::update)
        .merge(decisions::routes())
        .merge(form::routes())
        .merge(import::routes())
        .merge(list::routes())
        .merge(status::routes())
        .merge(units::routes())
}
