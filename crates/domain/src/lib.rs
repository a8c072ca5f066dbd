//! Hongling's domain rules: plain Rust, no database, no HTTP, no clock.
//!
//! Every rule of SPEC.md has one home here. Functions that depend on time take
//! the current instant as a parameter so deadlines are testable.

// shared
pub mod access;
pub mod annual_report;
pub mod attachment;
pub mod audit;
pub mod auth;
pub mod community;
pub mod enums;
pub mod idcard;
pub mod input;
pub mod jobs;
pub mod phone;
pub mod policy;
pub mod region;
pub mod role;
pub mod scope;
pub mod spot_check;
pub mod throttle;

// modules
pub mod party;
pub mod registry;

pub use access::{Access, Action};
pub use enums::Labelled;
pub use region::{RegionCode, RegionLevel, UrbanRural};
pub use role::Role;
pub use scope::Scope;
