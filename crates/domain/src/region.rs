//! Administrative divisions (行政区划): five levels whose codes nest by prefix.
//!
//! Codes follow the NBS short form used by `shared/data/divisions`:
//! province 2 digits, city 4, county 6, township 9, village/community 12.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province = 1,
    City = 2,
    County = 3,
    Township = 4,
    Village = 5,
}

impl RegionLevel {
    pub fn from_code_len(len: usize) -> Option<Self> {
        match len {
            2 => Some(Self::Province),
            4 => Some(Self::City),
            6 => Some(Self::County),
            9 => Some(Self::Township),
            12 => Some(Self::Village),
            _ => None,
        }
    }

    pub fn from_number(n: i32) -> Option<Self> {
        match n {
            1 => Some(Self::Province),
            2 => Some(Self::City),
            3 => Some(Self::County),
            4 => Some(Self::Township),
            5 => Some(Self::Village),
            _ => None,
        }
    }

    pub fn number(self) -> i32 {
        self as i32
    }

    pub fn code_len(self) -> usize {
        match self {
            Self::Province => 2,
            Self::City => 4,
            Self::County => 6,
            Self::Township => 9,
            Self::Village => 12,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Province => "省级",
            Self::City => "地级",
            Self::County => "县级",
            Self::Township => "乡级",
            Self::Village => "村级",
        }
    }
}

/// A validated region code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("行政区划代码只能由数字组成")]
    NotDigits,
    #[error("行政区划代码长度应为 2、4、6、9 或 12 位")]
    BadLength,
}

impl RegionCode {
    pub fn parse(s: &str) -> Result<Self, RegionCodeError> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionCodeError::NotDigits);
        }
        if RegionLevel::from_code_len(s.len()).is_none() {
            return Err(RegionCodeError::BadLength);
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        // The constructor guarantees a valid length.
        RegionLevel::from_code_len(self.0.len()).unwrap_or(RegionLevel::Village)
    }

    /// The code one level up, or `None` for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        let len = match self.level() {
            RegionLevel::Province => return None,
            RegionLevel::City => 2,
            RegionLevel::County => 4,
            RegionLevel::Township => 6,
            RegionLevel::Village => 9,
        };
        Some(Self(self.0[..len].to_owned()))
    }

    /// All ancestors from the province down, excluding self.
    pub fn ancestors(&self) -> Vec<RegionCode> {
        let mut out = Vec::new();
        let mut cur = self.parent();
        while let Some(c) = cur {
            cur = c.parent();
            out.push(c);
        }
        out.reverse();
        out
    }

    /// Whether `other` is this region or lies inside it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(&self.0)
    }

    /// Whether `code` (any string, e.g. a stored column) lies in this subtree.
    pub fn contains_str(&self, code: &str) -> bool {
        code.starts_with(&self.0)
    }

    /// Half-open range `[lo, hi)` of strings that lie in this subtree, so a
    /// B-tree index on a code column answers subtree queries on any database.
    pub fn subtree_range(&self) -> (String, String) {
        subtree_range(&self.0)
    }
}

/// `[prefix, prefix + "~")`: every code that starts with `prefix` (digits sort below `~`).
pub fn subtree_range(prefix: &str) -> (String, String) {
    (prefix.to_owned(), format!("{prefix}~"))
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.0
    }
}

/// Urban or rural class of a village-level region (城市社区 / 农村社区).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UrbanRural {
    Urban,
    Rural,
}

impl UrbanRural {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Urban => "urban",
            Self::Rural => "rural",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "urban" => Some(Self::Urban),
            "rural" => Some(Self::Rural),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Urban => "城市社区",
            Self::Rural => "农村社区",
        }
    }

    /// Class from the village-level name, as the divisions README prescribes:
    /// 居委会 / 社区 → urban, 村委会 → rural, anything else unknown (stored as no class).
    pub fn classify(name: &str) -> Option<Self> {
        let n = name.trim();
        if n.ends_with("居委会") || n.ends_with("社区") || n.ends_with("居民委员会") {
            Some(Self::Urban)
        } else if n.ends_with("村委会") || n.ends_with("村民委员会") {
            Some(Self::Rural)
        } else {
            None
        }
    }
}

impl crate::enums::Labelled for UrbanRural {
    const ALL: &'static [UrbanRural] = &[UrbanRural::Urban, UrbanRural::Rural];

    fn as_str(self) -> &'static str {
        UrbanRural::as_str(self)
    }

    fn label(self) -> &'static str {
        UrbanRural::label(self)
    }
}

impl utoipa::PartialSchema for UrbanRural {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::enums::labelled_schema::<UrbanRural>(false)
    }
}

impl utoipa::ToSchema for UrbanRural {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_levels_and_parents() {
        let v = RegionCode::parse("370502001001").expect("valid");
        assert_eq!(v.level(), RegionLevel::Village);
        assert_eq!(v.parent().expect("parent").as_str(), "370502001");
        let chain: Vec<String> = v.ancestors().into_iter().map(String::from).collect();
        assert_eq!(chain, ["37", "3705", "370502", "370502001"]);
        assert!(RegionCode::parse("37").expect("valid").parent().is_none());
    }

    #[test]
    fn rejects_bad_codes() {
        assert_eq!(RegionCode::parse("37a5"), Err(RegionCodeError::NotDigits));
        assert_eq!(RegionCode::parse("370"), Err(RegionCodeError::BadLength));
        assert_eq!(RegionCode::parse(""), Err(RegionCodeError::NotDigits));
    }

    #[test]
    fn classifies_urban_rural() {
        assert_eq!(UrbanRural::classify("文汇社区居委会"), Some(UrbanRural::Urban));
        assert_eq!(UrbanRural::classify("胜利社区"), Some(UrbanRural::Urban));
        assert_eq!(UrbanRural::classify("东王村委会"), Some(UrbanRural::Rural));
        assert_eq!(UrbanRural::classify("黄河口农场"), None);
    }

    fn code() -> impl Strategy<Value = String> {
        prop::sample::select(vec![2usize, 4, 6, 9, 12])
            .prop_flat_map(|n| proptest::string::string_regex(&format!("[0-9]{{{n}}}")).expect("regex"))
    }

    proptest! {
        #[test]
        fn subtree_range_matches_prefix(a in code(), b in code()) {
            let a = RegionCode::parse(&a).expect("valid");
            let (lo, hi) = a.subtree_range();
            let in_range = b.as_str() >= lo.as_str() && b.as_str() < hi.as_str();
            prop_assert_eq!(in_range, b.starts_with(a.as_str()));
        }

        #[test]
        fn ancestors_contain_self(a in code()) {
            let a = RegionCode::parse(&a).expect("valid");
            for anc in a.ancestors() {
                prop_assert!(anc.contains(&a));
                prop_assert!(anc.level() < a.level());
            }
        }
    }
}
