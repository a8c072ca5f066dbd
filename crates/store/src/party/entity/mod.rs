//! Entities of party coverage (M2).

pub mod breach_log;
pub mod coverage_breach;
pub mod coverage_snapshot;
pub mod host_link;
pub mod instructor;
pub mod instructor_assignment;
pub mod party_channel;
pub mod party_fund;
pub mod party_life;
pub mod party_member;
pub mod party_org;
pub mod party_org_org;
pub mod training;
