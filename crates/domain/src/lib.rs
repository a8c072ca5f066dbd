//! Hongling's domain rules: plain Rust, no database, no HTTP, no clock.
//!
//! Every rule of SPEC.md has one home here. Functions that depend on time take
//! the current instant as a parameter so deadlines are testable.

pub mod audit;
pub mod auth;
pub mod coverage;
pub mod idcard;
pub mod org;
pub mod planner;
pub mod policy;
pub mod region;
pub mod role;
pub mod scope;
pub mod uscc;

pub use region::{RegionCode, RegionLevel, UrbanRural};
pub use role::Role;
pub use scope::Scope;
