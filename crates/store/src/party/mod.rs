//! Storage of party coverage (M2): party organizations, members,
//! instructors, channels, party life, funds, training, the maintained
//! coverage state's breaches and year-end snapshots; figures over them.

pub mod entity;
pub mod figures;
pub(crate) mod m0003_party;
pub(crate) mod m0007_party_rules;
pub(crate) mod m0016_breach_life;
