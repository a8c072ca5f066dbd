//! Reading typed input: form fields and JSON bodies arrive as text; a
//! [`Reader`] turns each field into a typed value or a [`Violation`] naming the
//! field, with the Chinese message the form shows under it. Pure: today's date
//! is passed in.
//!
//! A record's draft is read field by field with one `Reader`, then its rules
//! add their own violations; `finish` answers the draft or every violation.

use std::fmt;

use serde::{Deserialize, Deserializer};
use time::Date;

use crate::enums::Labelled;

/// A field-level rule failure: which field, and what is wrong (Chinese).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub field: &'static str,
    pub message: String,
}

impl Violation {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Violation { field, message: message.into() }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}：{}", self.field, self.message)
    }
}

/// Accept a whole number or its text (forms send strings, JSON clients
/// numbers); blank or null is absent, anything else is refused.
pub fn de_opt_i32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    match de_text(d)? {
        None => Ok(None),
        Some(s) => s.trim().parse::<i32>().map(Some).map_err(|_| serde::de::Error::custom("应为整数")),
    }
}

/// Accept a string, a number or null as optional text (forms send strings,
/// JSON clients numbers); blank text is absent.
pub fn de_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
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
pub fn de_flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
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

/// A date written YYYY-MM-DD.
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Text trimmed and cut to at most `max` characters (free-form extras such as
/// a phone number or a note, which are kept rather than refused).
pub fn clip(v: &str, max: usize) -> String {
    v.trim().chars().take(max).collect()
}

/// The leading digits of a region field (a picker may send "370502 东营区").
pub fn region_digits(v: &str) -> String {
    v.trim().chars().take_while(char::is_ascii_digit).collect()
}

fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// Collects the violations found while reading an input.
#[derive(Debug, Default)]
pub struct Reader {
    violations: Vec<Violation>,
}

impl Reader {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn bad(&mut self, field: &'static str, message: impl Into<String>) {
        self.violations.push(Violation::new(field, message));
    }

    /// Add the violations of a rule.
    pub fn add(&mut self, v: impl IntoIterator<Item = Violation>) {
        self.violations.extend(v);
    }

    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }

    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The value read, or every violation found.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<Violation>> {
        if self.violations.is_empty() { Ok(value) } else { Err(self.violations) }
    }

    /// Every violation found, when a required part could not be read (and
    /// said so).
    pub fn fail<T>(self) -> Result<T, Vec<Violation>> {
        debug_assert!(!self.violations.is_empty(), "a missing part says why");
        Err(self.violations)
    }

    /// Required text, trimmed, at most `max` characters.
    pub fn text(&mut self, field: &'static str, v: &str, label: &str, max: usize) -> String {
        let v = v.trim();
        if v.is_empty() {
            self.bad(field, format!("请填写{label}"));
        } else if v.chars().count() > max {
            self.bad(field, format!("{label}不能超过 {max} 个字"));
        }
        v.to_owned()
    }

    /// Optional text, trimmed, at most `max` characters.
    pub fn optional_text(&mut self, field: &'static str, v: &str, label: &str, max: usize) -> String {
        let v = v.trim();
        if v.chars().count() > max {
            self.bad(field, format!("{label}不能超过 {max} 个字"));
        }
        v.to_owned()
    }

    /// An optional date, YYYY-MM-DD, not after today.
    pub fn date(&mut self, field: &'static str, v: Option<&str>, today: Date) -> Option<Date> {
        let s = present(v)?;
        match parse_date(s) {
            Some(d) if d > today => {
                self.bad(field, "日期不能晚于今天");
                None
            }
            Some(d) => Some(d),
            None => {
                self.bad(field, "日期格式应为 YYYY-MM-DD");
                None
            }
        }
    }

    /// A required date, YYYY-MM-DD, not after today.
    pub fn required_date(&mut self, field: &'static str, v: Option<&str>, today: Date, label: &str) -> Option<Date> {
        if present(v).is_none() {
            self.bad(field, format!("请填写{label}"));
            return None;
        }
        self.date(field, v, today)
    }

    /// An optional integer in `min..=max`; blank is absent (not zero).
    pub fn int(&mut self, field: &'static str, v: Option<&str>, min: i64, max: i64) -> Option<i64> {
        let s = present(v)?;
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

    /// An optional integer in `min..=max` that fits an `i32` column.
    pub fn int32(&mut self, field: &'static str, v: Option<&str>, min: i32, max: i32) -> Option<i32> {
        // the range lies within i32, so the conversion cannot fail
        self.int(field, v, i64::from(min), i64::from(max)).and_then(|n| i32::try_from(n).ok())
    }

    /// An optional record id (a positive integer).
    pub fn id(&mut self, field: &'static str, v: Option<&str>) -> Option<i64> {
        self.int(field, v, 1, i64::MAX)
    }

    /// A required record id, chosen in a form: blank says "请选择{label}".
    pub fn required_id(&mut self, field: &'static str, v: Option<&str>, label: &str) -> Option<i64> {
        if present(v).is_none() {
            self.bad(field, format!("请选择{label}"));
            return None;
        }
        self.id(field, v)
    }

    /// A required choice of a closed set, by identifier or Chinese label.
    pub fn choice<T: Labelled>(&mut self, field: &'static str, v: &str, label: &str) -> Option<T> {
        self.choice_with(field, v, T::parse, label)
    }

    /// A required choice read by `parse`.
    pub fn choice_with<T>(
        &mut self,
        field: &'static str,
        v: &str,
        parse: impl Fn(&str) -> Option<T>,
        label: &str,
    ) -> Option<T> {
        let r = parse(v.trim());
        if r.is_none() {
            self.bad(field, format!("请选择{label}"));
        }
        r
    }

    /// An optional choice: blank is absent; anything else must be one of the set.
    pub fn optional_choice<T: Labelled>(&mut self, field: &'static str, v: &str, message: &str) -> Option<T> {
        let v = v.trim();
        if v.is_empty() {
            return None;
        }
        let r = T::parse(v);
        if r.is_none() {
            self.bad(field, message);
        }
        r
    }

    /// A coordinate pair typed as text, in millionths of a degree, within
    /// China's extent; both or neither. Violations name `longitude`.
    pub fn coords(&mut self, lon: Option<&str>, lat: Option<&str>) -> Option<(i64, i64)> {
        let parse = |s: Option<&str>| present(s).map(str::parse::<f64>);
        match (parse(lon), parse(lat)) {
            (None, None) => None,
            (Some(Ok(a)), Some(Ok(b))) if (73.0..=136.0).contains(&a) && (3.0..=54.0).contains(&b) => {
                Some(((a * 1e6).round() as i64, (b * 1e6).round() as i64))
            }
            (Some(Ok(_)), Some(Ok(_))) => {
                self.bad("longitude", "坐标不在我国境内：经度应在 73–136 之间，纬度应在 3–54 之间");
                None
            }
            (Some(_), Some(_)) => {
                self.bad("longitude", "请填写数字，如 118.582184");
                None
            }
            _ => {
                self.bad("longitude", "经度和纬度须同时填写");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 01);

    fn one(r: Reader) -> Violation {
        let v = r.finish(()).expect_err("a violation");
        assert_eq!(v.len(), 1, "{v:?}");
        v.into_iter().next().expect("one")
    }

    #[test]
    fn text_is_required_and_limited() {
        let mut r = Reader::new();
        assert_eq!(r.text("name", "  王某 ", "姓名", 50), "王某");
        assert!(r.is_ok());
        r.text("name", "  ", "姓名", 50);
        assert_eq!(one(r), Violation::new("name", "请填写姓名"));
        let mut r = Reader::new();
        r.text("name", &"长".repeat(51), "姓名", 50);
        assert_eq!(one(r), Violation::new("name", "姓名不能超过 50 个字"));
        let mut r = Reader::new();
        assert_eq!(r.optional_text("posts", " ", "党内职务", 100), "");
        r.optional_text("posts", &"委".repeat(101), "党内职务", 100);
        assert_eq!(one(r), Violation::new("posts", "党内职务不能超过 100 个字"));
    }

    #[test]
    fn dates_are_iso_and_not_in_the_future() {
        let mut r = Reader::new();
        assert_eq!(r.date("d", Some("2026-03-01"), TODAY), Some(TODAY));
        assert_eq!(r.date("d", Some(" "), TODAY), None);
        assert_eq!(r.date("d", None, TODAY), None);
        assert!(r.is_ok());
        r.date("joined_on", Some("2026-03-02"), TODAY);
        assert_eq!(one(r), Violation::new("joined_on", "日期不能晚于今天"));
        let mut r = Reader::new();
        r.date("joined_on", Some("2026/03/01"), TODAY);
        assert_eq!(one(r), Violation::new("joined_on", "日期格式应为 YYYY-MM-DD"));
        let mut r = Reader::new();
        r.required_date("held_on", None, TODAY, "活动日期");
        assert_eq!(one(r), Violation::new("held_on", "请填写活动日期"));
    }

    #[test]
    fn integers_in_a_range_and_blank_is_absent() {
        let mut r = Reader::new();
        assert_eq!(r.int("n", Some(" 5 "), 0, 5), Some(5));
        assert_eq!(r.int("n", Some(""), 0, 5), None);
        assert_eq!(r.int("n", None, 0, 5), None);
        assert!(r.is_ok());
        r.int("star_rating", Some("6"), 0, 5);
        assert_eq!(one(r), Violation::new("star_rating", "应在 0 至 5 之间"));
        let mut r = Reader::new();
        r.int("hours", Some("1.5"), 0, 10);
        assert_eq!(one(r), Violation::new("hours", "请填写整数"));
        let mut r = Reader::new();
        r.id("party_org_id", Some("0"));
        assert_eq!(one(r).field, "party_org_id");
    }

    #[test]
    fn choices_by_identifier_or_label() {
        use crate::party::coverage::MemberType;
        let mut r = Reader::new();
        assert_eq!(r.choice::<MemberType>("t", "formal", "类别"), Some(MemberType::Formal));
        assert_eq!(r.choice::<MemberType>("t", "预备党员", "类别"), Some(MemberType::Probationary));
        assert_eq!(r.optional_choice::<MemberType>("t", "", "?"), None);
        assert!(r.is_ok());
        r.choice::<MemberType>("member_type", "x", "党员类别");
        assert_eq!(one(r), Violation::new("member_type", "请选择党员类别"));
    }

    #[test]
    fn coordinates_in_china_both_or_neither() {
        let mut r = Reader::new();
        assert_eq!(r.coords(Some("118.582184"), Some("37.448963")), Some((118_582_184, 37_448_963)));
        assert_eq!(r.coords(None, Some(" ")), None);
        assert!(r.is_ok());
        r.coords(Some("118.5"), None);
        assert_eq!(one(r), Violation::new("longitude", "经度和纬度须同时填写"));
        let mut r = Reader::new();
        r.coords(Some("10"), Some("37"));
        assert!(one(r).message.starts_with("坐标不在我国境内"));
        let mut r = Reader::new();
        r.coords(Some("东经"), Some("37"));
        assert_eq!(one(r).message, "请填写数字，如 118.582184");
    }

    #[test]
    fn region_digits_and_clipping() {
        assert_eq!(region_digits(" 370502 东营区"), "370502");
        assert_eq!(region_digits("东营区"), "");
        assert_eq!(clip("  0546-1234567  ", 4), "0546");
    }

    proptest! {
        #[test]
        fn int_accepts_exactly_its_range(n in -1000i64..1000, min in -100i64..100, span in 0i64..200) {
            let max = min + span;
            let mut r = Reader::new();
            let got = r.int("n", Some(&n.to_string()), min, max);
            prop_assert_eq!(got.is_some(), (min..=max).contains(&n));
            prop_assert_eq!(r.is_ok(), got.is_some());
        }

        #[test]
        fn dates_after_today_are_refused(days in -4000i64..4000) {
            let d = TODAY + time::Duration::days(days);
            let mut r = Reader::new();
            let got = r.date("d", Some(&d.to_string()), TODAY);
            prop_assert_eq!(got, (d <= TODAY).then_some(d));
        }
    }
}
