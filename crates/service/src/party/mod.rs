//! Party-organization coverage (M2): policy profiles, records, the maintained
//! coverage state with its breaches, figures, and the planner.
//!
//! Who may do what:
//! - region-scoped party offices (`party_office`), administrators and
//!   township/community workers (`grassroots`) keep the records of their subtree;
//! - registrars, registrar leaders and supervisors read them;
//! - a party secretary (`party_secretary`, scope `party_org:ID`) reads and keeps
//!   their own party organization (its record, members, party life, training);
//!   a party member reads it;
//! - policy values are set by party offices and administrators.
//!
//! Every change refreshes the coverage state of what it touched and writes
//! the audit log, in its transaction.

pub mod coverage;
pub mod demo;
pub mod instructors;
pub mod life;
pub mod members;
pub mod planner;
pub mod policy;
pub mod records;

use hongling_domain::Role;
use hongling_domain::role::ScopeKind;
use hongling_store::audit::{self, NewEntry};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Deserializer};
use time::Date;

use crate::{CurrentUser, Error, FieldError, Hongling, Principal, Result};

/// Region-scoped roles that read party records.
pub fn reads_party(role: Role) -> bool {
    matches!(
        role,
        Role::Admin | Role::PartyOffice | Role::Registrar | Role::RegistrarLeader | Role::Grassroots | Role::Supervisor
    )
}

/// Region-scoped roles that keep party records.
pub fn writes_party(role: Role) -> bool {
    matches!(role, Role::Admin | Role::PartyOffice | Role::Grassroots)
}

/// May this user keep the party records of a region subtree?
pub fn may_write_party(u: &CurrentUser) -> bool {
    u.scope.kind == ScopeKind::Region && writes_party(u.role)
}

/// May this user read region-wide party records and figures?
pub fn may_read_party(u: &CurrentUser) -> bool {
    u.scope.kind == ScopeKind::Region && reads_party(u.role)
}

/// May this user set policy values (within their subtree)?
pub fn may_edit_policy(u: &CurrentUser) -> bool {
    u.scope.kind == ScopeKind::Region && matches!(u.role, Role::Admin | Role::PartyOffice)
}

/// The party organization a secretary keeps (or a member belongs to).
pub fn own_party_org(u: &CurrentUser) -> Option<i64> {
    (u.scope.kind == ScopeKind::PartyOrg).then_some(u.scope.ref_id).flatten()
}

pub(crate) fn require_party_writer(u: &CurrentUser) -> Result<()> {
    if may_write_party(u) {
        Ok(())
    } else {
        Err(Error::Forbidden("只有党建工作机构（综合党委、镇街）可以维护党建数据"))
    }
}

pub(crate) fn require_party_reader(u: &CurrentUser) -> Result<()> {
    if may_read_party(u) { Ok(()) } else { Err(Error::Forbidden("当前账号无权查看区域党建数据")) }
}

impl CurrentUser {
    /// The subtree a region-scoped reader asked for: their scope, or a region
    /// inside it. A region outside the scope is "not found", like a record.
    pub fn subtree(&self, region: Option<&str>) -> Result<String> {
        let own = self.region_prefix()?;
        match region.map(str::trim).filter(|r| !r.is_empty()) {
            None => Ok(own.to_string()),
            Some(r) if hongling_domain::RegionCode::parse(r).is_ok() && own.contains_str(r) => Ok(r.to_owned()),
            Some(_) => Err(Error::NotFound),
        }
    }
}

impl Hongling {
    /// Append the audit entry of a change, in its transaction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn audit(
        &self,
        conn: &impl ConnectionTrait,
        by: &Principal,
        action: &str,
        entity_type: &str,
        entity_id: impl ToString,
        region_code: &str,
        summary: String,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Result<()> {
        audit::append(
            conn,
            NewEntry {
                at: self.now(),
                actor_user_id: by.actor_id(),
                actor: by.actor_name(),
                action: action.to_owned(),
                entity_type: entity_type.to_owned(),
                entity_id: entity_id.to_string(),
                region_code: region_code.to_owned(),
                summary,
                before,
                after,
            },
        )
        .await?;
        Ok(())
    }
}

// ---------- input helpers shared by forms and JSON ----------

/// Accept a string, a number or null as optional text (forms send strings,
/// JSON clients numbers).
pub fn de_text<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum T {
        S(String),
        I(i64),
        F(f64),
    }
    Ok(match Option::<T>::deserialize(d)? {
        None => None,
        Some(T::S(s)) => Some(s).filter(|s| !s.trim().is_empty()),
        Some(T::I(i)) => Some(i.to_string()),
        Some(T::F(f)) => Some(f.to_string()),
    })
}

/// Accept true/false, or a checkbox's "on" / "1" / "true".
pub fn de_flag<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum F {
        B(bool),
        S(String),
        I(i64),
    }
    Ok(match Option::<F>::deserialize(d)? {
        None => false,
        Some(F::B(b)) => b,
        Some(F::S(s)) => matches!(s.as_str(), "on" | "1" | "true" | "yes"),
        Some(F::I(i)) => i != 0,
    })
}

/// Collects field errors while reading an input.
#[derive(Default)]
pub(crate) struct Check {
    pub errors: Vec<FieldError>,
}

impl Check {
    pub fn bad(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.to_owned(), message: message.into() });
    }

    /// Required text, trimmed, at most `max` characters.
    pub fn text(&mut self, field: &str, v: &str, label: &str, max: usize) -> String {
        let v = v.trim();
        if v.is_empty() {
            self.bad(field, format!("请填写{label}"));
        } else if v.chars().count() > max {
            self.bad(field, format!("{label}不能超过 {max} 个字"));
        }
        v.to_owned()
    }

    pub fn date(&mut self, field: &str, v: &Option<String>, today: Date) -> Option<Date> {
        let s = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
        match Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")) {
            Ok(d) if d > today => {
                self.bad(field, "日期不能晚于今天");
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                self.bad(field, "日期格式应为 YYYY-MM-DD");
                None
            }
        }
    }

    pub fn required_date(&mut self, field: &str, v: &Option<String>, today: Date, label: &str) -> Option<Date> {
        if v.as_deref().is_none_or(|s| s.trim().is_empty()) {
            self.bad(field, format!("请填写{label}"));
            return None;
        }
        self.date(field, v, today)
    }

    pub fn int(&mut self, field: &str, v: &Option<String>, min: i64, max: i64) -> Option<i64> {
        let s = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
        match s.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            Ok(_) => {
                self.bad(field, format!("应在 {min} 至 {max} 之间"));
                None
            }
            Err(_) => {
                self.bad(field, "请填写整数");
                None
            }
        }
    }

    pub fn id(&mut self, field: &str, v: &Option<String>) -> Option<i64> {
        self.int(field, v, 1, i64::MAX)
    }

    pub fn choice<T>(&mut self, field: &str, v: &str, parse: fn(&str) -> Option<T>, label: &str) -> Option<T> {
        let r = parse(v.trim());
        if r.is_none() {
            self.bad(field, format!("请选择{label}"));
        }
        r
    }

    pub fn finish(self) -> Result<()> {
        if self.errors.is_empty() { Ok(()) } else { Err(Error::Invalid(self.errors)) }
    }
}

/// A coordinate pair typed as text, in millionths of a degree.
pub(crate) fn coords(c: &mut Check, lon: &Option<String>, lat: &Option<String>) -> (Option<i64>, Option<i64>) {
    let parse = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::parse::<f64>);
    match (parse(lon), parse(lat)) {
        (None, None) => (None, None),
        (Some(Ok(a)), Some(Ok(b))) if (73.0..=136.0).contains(&a) && (3.0..=54.0).contains(&b) => {
            (Some((a * 1e6).round() as i64), Some((b * 1e6).round() as i64))
        }
        (Some(Ok(_)), Some(Ok(_))) => {
            c.bad("longitude", "坐标不在我国境内：经度应在 73–136 之间，纬度应在 3–54 之间");
            (None, None)
        }
        (Some(_), Some(_)) => {
            c.bad("longitude", "请填写数字，如 118.582184");
            (None, None)
        }
        _ => {
            c.bad("longitude", "经度和纬度须同时填写");
            (None, None)
        }
    }
}

pub(crate) fn fmt_date(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}
