//! Party-organization coverage (M2): coverage rules, record rules and the
//! planner of joint branches and instructor assignments.

pub mod breach_life;
pub mod coverage;
pub mod duties;
pub mod inputs;
pub mod planner;
pub mod records;
