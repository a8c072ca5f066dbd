//! System administration: accounts, the home page's figures, demo accounts.
//! Reached through [`Hongling::system`].

pub mod dashboard;
pub mod demo;
pub mod lists;
pub mod users;

use crate::Hongling;

/// System operations: `app.system().list_users(…)`.
#[derive(Clone, Copy)]
pub struct System<'a>(pub(crate) &'a Hongling);

impl std::ops::Deref for System<'_> {
    type Target = Hongling;

    fn deref(&self) -> &Hongling {
        self.0
    }
}
