//! Input helpers shared by forms and JSON bodies. Reading and the field
//! rules are pure and live in the domain (`hongling_domain::input`, and each
//! module's drafts); the services add the checks that need the database.

use time::Date;

pub use hongling_domain::input::{Reader, Violation, de_flag, de_opt_i32, de_text};

pub(crate) fn fmt_date(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}
