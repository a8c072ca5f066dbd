//! The registry of social organizations (M1): records with dated history,
//! life-cycle actions, supervisory units, import, export and generated data.
//! Reached through [`Hongling::registry`].

pub mod decisions;
pub mod generate;
pub mod import;
pub mod input;
pub mod lists;
pub mod orgs;

use crate::Hongling;

/// The registry's operations: `app.registry().list_orgs(…)`.
#[derive(Clone, Copy)]
pub struct Registry<'a>(pub(crate) &'a Hongling);

impl std::ops::Deref for Registry<'_> {
    type Target = Hongling;

    fn deref(&self) -> &Hongling {
        self.0
    }
}
