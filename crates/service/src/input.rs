//! Input helpers shared by forms and JSON bodies.

use serde::{Deserialize, Deserializer};
use time::Date;

use crate::{Error, FieldError, Result};

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
