//! sea-orm entities of the shared tables (accounts, sessions, audit,
//! regions, policy values, job runs, notices, attachments). Each module keeps its own entities in
//! its folder (`registry::entity`, `party::entity`). Timestamps are
//! `PrimitiveDateTime` holding UTC, written by the application.

pub mod api_token;
pub mod attachment;
pub mod audit_head;
pub mod audit_log;
pub mod job_run;
pub mod notice;
pub mod policy_value;
pub mod region;
pub mod session;
pub mod user;
