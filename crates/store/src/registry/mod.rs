//! Storage of the registry (M1): social organizations, their dated change
//! events and name grams, supervisory units and import jobs.

pub mod entity;
pub(crate) mod m0002_registry;
pub(crate) mod m0015_registry_decisions;
pub mod orgs;
