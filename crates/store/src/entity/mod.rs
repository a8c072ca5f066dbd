//! sea-orm entities: one per table, shared by SQLite and PostgreSQL.
//! Timestamps are `PrimitiveDateTime` holding UTC, written by the application.

pub mod api_token;
pub mod audit_head;
pub mod audit_log;
pub mod import_job;
pub mod org_event;
pub mod region;
pub mod session;
pub mod social_org;
pub mod supervisory_unit;
pub mod user;
