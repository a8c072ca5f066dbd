//! Entities of the registry (M1).

pub mod import_job;
pub mod org_decision;
pub mod org_event;
pub mod org_name_gram;
pub mod social_org;
pub mod supervisory_unit;
