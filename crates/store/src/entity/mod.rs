//! sea-orm entities: one per table, shared by SQLite and PostgreSQL.
//! Timestamps are `PrimitiveDateTime` holding UTC, written by the application.

pub mod api_token;
pub mod audit_head;
pub mod audit_log;
pub mod coverage_breach;
pub mod coverage_snapshot;
pub mod host_link;
pub mod import_job;
pub mod instructor;
pub mod instructor_assignment;
pub mod job_run;
pub mod org_event;
pub mod party_channel;
pub mod party_fund;
pub mod party_life;
pub mod party_member;
pub mod party_org;
pub mod party_org_org;
pub mod policy_value;
pub mod region;
pub mod session;
pub mod social_org;
pub mod supervisory_unit;
pub mod training;
pub mod user;
