//! Hongling's integration suite: one binary, run on SQLite by default and on
//! PostgreSQL when TEST_DATABASE_URL is set (each test in its own schema).

mod support;

mod access;
mod audit_users;
mod auth;
mod decisions;
mod errors;
mod foundation;
mod home;
mod import;
mod jobs;
mod notices;
mod party;
mod party_followup;
mod party_rules;
mod policy_sync;
mod read_scope;
mod registry;
mod scope_refs;
mod seeds;
