//! Versioned schema migrations, written once in Rust and run on both databases.
//!
//! Rules (see docs/ARCHITECTURE.md): portable types only (integers, text,
//! booleans, `date_time` holding UTC); add columns and tables, never rewrite a
//! released migration; expand then contract for renames.

use sea_orm_migration::prelude::*;

mod m0001_foundation;
mod m0005_sessions;
mod m0006_policy;
mod m0008_jobs;
mod m0009_throttle;
mod m0010_audit_v2;
mod m0011_token_expiry;
mod m0012_unit_scope;
mod m0013_import_progress;
mod m0014_audit_filters;
mod m0017_seed_fidelity;
mod m0018_notices_attachments;

pub struct Migrator;

/// A named index over columns, as every migration writes them.
pub(crate) fn index(name: &'static str, table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    i.take()
}

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_foundation::Migration),
            Box::new(crate::registry::m0002_registry::Migration),
            Box::new(crate::party::m0003_party::Migration),
            Box::new(m0005_sessions::Migration),
            Box::new(m0006_policy::Migration),
            Box::new(crate::party::m0007_party_rules::Migration),
            Box::new(m0008_jobs::Migration),
            Box::new(m0009_throttle::Migration),
            Box::new(m0010_audit_v2::Migration),
            Box::new(m0011_token_expiry::Migration),
            Box::new(m0012_unit_scope::Migration),
            Box::new(m0013_import_progress::Migration),
            Box::new(m0014_audit_filters::Migration),
            Box::new(crate::registry::m0015_registry_decisions::Migration),
            Box::new(crate::party::m0016_breach_life::Migration),
            Box::new(m0017_seed_fidelity::Migration),
            Box::new(m0018_notices_attachments::Migration),
        ]
    }
}
