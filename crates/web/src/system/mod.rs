//! System pages: sign-in, the home page, accounts, own password, audit log,
//! regions, policy values and background jobs.

mod audit;
mod home;
mod jobs;
mod login;
mod notices;
mod policy;
mod regions;
mod tokens;
mod users;

use crate::page::{PageUser, render};
use crate::routes::Routes;

/// The routes of this module.
pub fn routes() -> Routes {
    Routes::new()
        .merge(policy::routes())
        .merge(audit::routes())
        .merge(home::routes())
        .merge(jobs::routes())
        .merge(login::routes())
        .merge(notices::routes())
        .merge(regions::routes())
        .merge(tokens::routes())
        .merge(users::routes())
}
