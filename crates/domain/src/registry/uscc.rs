//! Unified social credit code (统一社会信用代码, GB 32100-2015).
//!
//! An 18-character code over the 31-character set `0123456789ABCDEFGHJKLMNPQRTUWXY`
//! (digits and upper-case letters except I, O, Z, S, V):
//!
//! | positions | part                                           |
//! |-----------|------------------------------------------------|
//! | 1         | registration department code (登记管理部门代码) |
//! | 2         | organization type code (机构类别代码)           |
//! | 3–8       | registration authority's division code (登记管理机关行政区划码) |
//! | 9–17      | organization code (组织机构代码, GB 11714), check char at 17 |
//! | 18        | final check character (校验码)                  |
//!
//! Both check characters are verified. The final check alone catches any single
//! substituted character (31 is prime and every weight is non-zero modulo 31);
//! the GB 11714 check at position 17 is verified too so that a code whose final
//! character was recomputed over a mistyped organization code is still rejected.
//!
//! Region rule: positions 3–8 are six digits whose first two are a province-level
//! code, or exactly [`NATIONAL_REGION`] (`100000`), which national-level registration
//! authorities use (e.g. foundations registered with the Ministry of Civil Affairs,
//! `53100000500021676K`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The code's character set; a character's value is its index here.
pub const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Number of characters in a code.
pub const USCC_LEN: usize = 18;

/// Region part used by national-level registration authorities (国家级登记管理机关).
pub const NATIONAL_REGION: &str = "100000";

/// Province-level division codes accepted as the first two digits of positions 3–8.
pub const PROVINCE_CODES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
];

/// Registration department code of civil affairs (民政).
pub const DEPT_CIVIL_AFFAIRS: char = '5';
/// Civil-affairs organization type: social association (社会团体).
pub const CIVIL_TYPE_ASSOCIATION: char = '1';
/// Civil-affairs organization type: private non-enterprise unit / social service institution.
pub const CIVIL_TYPE_SERVICE_INSTITUTION: char = '2';
/// Civil-affairs organization type: foundation (基金会).
pub const CIVIL_TYPE_FOUNDATION: char = '3';

const CHARSET_BYTES: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// W_i = 3^(i−1) mod 31, i = 1..17.
const FINAL_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// GB 11714 weights for the eight body characters.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Why a string is not a valid unified social credit code. The message names the part that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("请填写统一社会信用代码")]
    Empty,
    #[error("统一社会信用代码应为18位，当前为{len}位")]
    Length { len: usize },
    /// `pos` is 1-based.
    #[error("第{pos}位字符“{ch}”无效：只能使用数字和除 I、O、Z、S、V 以外的大写字母")]
    BadChar { pos: usize, ch: char },
    #[error("第1位登记管理部门代码“{ch}”无效")]
    Dept { ch: char },
    #[error("第2位机构类别代码“{ch}”无效")]
    OrgType { dept: char, ch: char },
    #[error("第3–8位登记管理机关行政区划码“{code}”无效")]
    Region { code: String },
    /// Only from [`build`]: the organization code body is not eight characters.
    #[error("第9–16位组织机构代码本体“{body}”无效：应为8位数字或大写字母")]
    OrgBody { body: String },
    #[error("第9–17位组织机构代码校验错误：第17位应为“{expected}”，当前为“{found}”")]
    OrgCodeCheck { expected: char, found: char },
    #[error("第18位校验码错误：应为“{expected}”，当前为“{found}”")]
    FinalCheck { expected: char, found: char },
    /// From [`Uscc::check_civil_affairs_kind`]: not registered by civil affairs.
    #[error("第1位登记管理部门代码应为“5”（民政），当前为“{found}”{}", paren(dept_label(*found)))]
    NotCivilAffairs { found: char },
    /// From [`Uscc::check_civil_affairs_kind`]: civil affairs, but another organization type.
    #[error(
        "第2位机构类别代码应为“{expected}”{}，当前为“{found}”{}",
        paren(org_type_label(DEPT_CIVIL_AFFAIRS, *expected)),
        paren(org_type_label(DEPT_CIVIL_AFFAIRS, *found))
    )]
    CivilAffairsType { expected: char, found: char },
}

impl UsccError {
    /// Short machine id of the part that is wrong (for form field hints, logs and tests).
    pub fn part(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::Length { .. } => "length",
            Self::BadChar { .. } => "char",
            Self::Dept { .. } => "dept",
            Self::OrgType { .. } => "org_type",
            Self::Region { .. } => "region",
            Self::OrgBody { .. } => "org_body",
            Self::OrgCodeCheck { .. } => "org_code_check",
            Self::FinalCheck { .. } => "final_check",
            Self::NotCivilAffairs { .. } => "civil_affairs_dept",
            Self::CivilAffairsType { .. } => "civil_affairs_type",
        }
    }
}

/// "（label）" or nothing.
fn paren(label: Option<&str>) -> String {
    label.map(|l| format!("（{l}）")).unwrap_or_default()
}

/// A validated unified social credit code: normalized, 18 characters, both checks pass.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

impl Uscc {
    /// Normalize, then check in this order: empty, length, characters, department,
    /// organization type, region, organization code check (position 17), final check (position 18).
    pub fn parse(input: &str) -> Result<Uscc, UsccError> {
        let s = Self::normalize(input);
        if s.is_empty() {
            return Err(UsccError::Empty);
        }
        let len = s.chars().count();
        if len != USCC_LEN {
            return Err(UsccError::Length { len });
        }
        let mut values = [0u32; USCC_LEN];
        for (i, ch) in s.chars().enumerate() {
            values[i] = char_value(ch).ok_or(UsccError::BadChar { pos: i + 1, ch })?;
        }
        // Every character is in the ASCII charset from here on.
        let b = s.as_bytes();
        check_structure(char::from(b[0]), char::from(b[1]), &s[2..8])?;
        let expected = org_check_from_bytes(&b[8..16]);
        let found = char::from(b[16]);
        if expected != found {
            return Err(UsccError::OrgCodeCheck { expected, found });
        }
        let expected = final_check_from_values(&values[..17]);
        let found = char::from(b[17]);
        if expected != found {
            return Err(UsccError::FinalCheck { expected, found });
        }
        Ok(Uscc(s))
    }

    /// Trim, convert full-width ASCII (U+FF01–U+FF5E, U+3000) to half-width, drop every
    /// whitespace and zero-width character (also inner ones), upper-case ASCII letters.
    pub fn normalize(input: &str) -> String {
        input
            .chars()
            .filter_map(|c| {
                let c = match u32::from(c) {
                    n @ 0xFF01..=0xFF5E => char::from_u32(n - 0xFEE0).unwrap_or(c),
                    0x3000 => ' ',
                    _ => c,
                };
                let invisible = matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}');
                (!c.is_whitespace() && !invisible).then(|| c.to_ascii_uppercase())
            })
            .collect()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: registration department code (登记管理部门代码).
    pub fn registration_dept(&self) -> char {
        self.char_at(0)
    }

    /// Position 2: organization type code (机构类别代码).
    pub fn org_type(&self) -> char {
        self.char_at(1)
    }

    /// Chinese name of the registration department, e.g. "民政".
    pub fn dept_label(&self) -> Option<&'static str> {
        dept_label(self.registration_dept())
    }

    /// Chinese name of the organization type, e.g. "社会团体"; `None` for combinations without a name.
    pub fn type_label(&self) -> Option<&'static str> {
        org_type_label(self.registration_dept(), self.org_type())
    }

    /// Positions 3–8: the registration authority's six-digit division code, e.g. "370502".
    pub fn region_part(&self) -> &str {
        &self.0[2..8]
    }

    /// The region part in the project's short NBS form: "370000" → "37", "370500" → "3705",
    /// "370502" → "370502". The national level ([`NATIONAL_REGION`]) has no division code and
    /// gives "" (the root: every region code starts with it, it starts with none).
    pub fn region_prefix(&self) -> &str {
        region_prefix(self.region_part())
    }

    /// Whether the code was issued by a national-level registration authority (region `100000`).
    pub fn is_national_level(&self) -> bool {
        self.region_part() == NATIONAL_REGION
    }

    /// Positions 9–17: the nine-character organization code (GB 11714) including its check char.
    pub fn org_code(&self) -> &str {
        &self.0[8..17]
    }

    /// Require a civil-affairs registration (position 1 = '5') of the given organization type
    /// (position 2): '1' association, '2' service institution, '3' foundation.
    pub fn check_civil_affairs_kind(&self, expected_type: char) -> Result<(), UsccError> {
        let dept = self.registration_dept();
        if dept != DEPT_CIVIL_AFFAIRS {
            return Err(UsccError::NotCivilAffairs { found: dept });
        }
        let found = self.org_type();
        if found != expected_type {
            return Err(UsccError::CivilAffairsType { expected: expected_type, found });
        }
        Ok(())
    }

    fn char_at(&self, i: usize) -> char {
        char::from(self.0.as_bytes()[i])
    }
}

/// Assemble a code from its parts and compute both check characters (for demo data and tests).
/// Errors name the offending part like [`Uscc::parse`] does.
pub fn build(dept: char, org_type: char, region6: &str, org_body8: &str) -> Result<Uscc, UsccError> {
    for (pos, ch) in [(1, dept), (2, org_type)] {
        if char_value(ch).is_none() {
            return Err(UsccError::BadChar { pos, ch });
        }
    }
    if region6.chars().count() != 6 || !region6.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UsccError::Region { code: region6.to_owned() });
    }
    if org_body8.chars().count() != 8 {
        return Err(UsccError::OrgBody { body: org_body8.to_owned() });
    }
    for (i, ch) in org_body8.chars().enumerate() {
        if char_value(ch).is_none() {
            return Err(UsccError::BadChar { pos: 9 + i, ch });
        }
    }
    check_structure(dept, org_type, region6)?;
    let mut s = String::with_capacity(USCC_LEN);
    s.push(dept);
    s.push(org_type);
    s.push_str(region6);
    s.push_str(org_body8);
    s.push(org_check_from_bytes(org_body8.as_bytes()));
    let values: Vec<u32> = s.chars().filter_map(char_value).collect();
    s.push(final_check_from_values(&values));
    Uscc::parse(&s)
}

/// The final check character (position 18) for the first 17 characters, which must all be
/// in [`CHARSET`]; `None` otherwise.
pub fn final_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let values = first17.chars().map(char_value).collect::<Option<Vec<u32>>>()?;
    Some(final_check_from_values(&values))
}

/// The GB 11714 check character (position 17) for an eight-character organization code body of
/// digits and upper-case letters (GB 11714 values letters A–Z as 10–35); `None` otherwise.
pub fn org_code_check_char(body8: &str) -> Option<char> {
    let b = body8.as_bytes();
    (b.len() == 8 && b.iter().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())).then(|| org_check_from_bytes(b))
}

/// Chinese name of a registration department code (position 1); `None` if the code is not one.
pub fn dept_label(dept: char) -> Option<&'static str> {
    Some(match dept {
        '1' => "机构编制",
        '2' => "外交",
        '3' => "司法行政",
        '4' => "文化",
        '5' => "民政",
        '6' => "旅游",
        '7' => "宗教",
        '8' => "工会",
        '9' => "市场监管",
        'A' => "中央军委改革和编制办公室",
        'N' => "农业",
        'Y' => "其他",
        _ => return None,
    })
}

/// Whether `org_type` (position 2) is allowed under `dept` (position 1).
pub fn is_valid_org_type(dept: char, org_type: char) -> bool {
    match dept {
        '1' | '5' => matches!(org_type, '1' | '2' | '3' | '9'),
        '9' => matches!(org_type, '1' | '2' | '3'),
        'Y' => org_type == '1',
        _ if dept_label(dept).is_some() => matches!(org_type, '1'..='9'),
        _ => false,
    }
}

/// Chinese name of an organization type under a department, where GB 32100 (and its later
/// additions for 'A' and 'N') names one.
pub fn org_type_label(dept: char, org_type: char) -> Option<&'static str> {
    Some(match (dept, org_type) {
        ('1', '1') => "机关",
        ('1', '2') => "事业单位",
        ('1', '3') => "中央编办直接管理机构编制的群众团体",
        ('2', '1') => "外国常驻新闻机构",
        ('3', '1') => "律师执业机构",
        ('3', '2') => "公证处",
        ('3', '3') => "基层法律服务所",
        ('3', '4') => "司法鉴定机构",
        ('3', '5') => "仲裁委员会",
        ('4', '1') => "外国在华文化中心",
        ('5', '1') => "社会团体",
        ('5', '2') => "民办非企业单位（社会服务机构）",
        ('5', '3') => "基金会",
        ('6', '1') => "外国旅游部门常驻代表机构",
        ('6', '2') => "港澳台地区旅游部门常驻内地（大陆）代表机构",
        ('7', '1') => "宗教活动场所",
        ('7', '2') => "宗教院校",
        ('8', '1') => "基层工会",
        ('9', '1') => "企业",
        ('9', '2') => "个体工商户",
        ('9', '3') => "农民专业合作社",
        ('A', '1') => "军队事业单位",
        ('N', '1') => "组级集体经济组织",
        ('N', '2') => "村级集体经济组织",
        ('N', '3') => "乡镇级集体经济组织",
        ('1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | 'A' | 'N', '9') => "其他",
        _ => return None,
    })
}

/// Whether a six-character region part is acceptable (see the module docs).
pub fn is_valid_region(region6: &str) -> bool {
    region6.len() == 6
        && region6.bytes().all(|b| b.is_ascii_digit())
        && (region6 == NATIONAL_REGION || PROVINCE_CODES.contains(&&region6[..2]))
}

/// Short NBS form of a six-digit region part: trailing "00" pairs stripped down to the
/// province/city/county level; [`NATIONAL_REGION`] gives "".
pub fn region_prefix(region6: &str) -> &str {
    if region6 == NATIONAL_REGION {
        ""
    } else if region6.len() == 6 && region6.ends_with("0000") {
        &region6[..2]
    } else if region6.len() == 6 && region6.ends_with("00") {
        &region6[..4]
    } else {
        region6
    }
}

/// Department, type and region checks, in that order.
fn check_structure(dept: char, org_type: char, region6: &str) -> Result<(), UsccError> {
    if dept_label(dept).is_none() {
        return Err(UsccError::Dept { ch: dept });
    }
    if !is_valid_org_type(dept, org_type) {
        return Err(UsccError::OrgType { dept, ch: org_type });
    }
    if !is_valid_region(region6) {
        return Err(UsccError::Region { code: region6.to_owned() });
    }
    Ok(())
}

/// Value of a character in [`CHARSET`].
fn char_value(c: char) -> Option<u32> {
    CHARSET_BYTES.iter().position(|&b| u32::from(b) == u32::from(c)).and_then(|i| u32::try_from(i).ok())
}

/// Value of a character as GB 11714 counts it: digits 0–9, letters A–Z 10–35.
fn gb11714_value(b: u8) -> u32 {
    if b.is_ascii_digit() { u32::from(b - b'0') } else { u32::from(b.saturating_sub(b'A')) + 10 }
}

/// C = 11 − (Σ vᵢ·wᵢ mod 11); 10 → 'X', 11 → '0'. `body` must be eight digits/upper-case letters.
fn org_check_from_bytes(body: &[u8]) -> char {
    let sum: u32 = body.iter().zip(ORG_WEIGHTS).map(|(&b, w)| gb11714_value(b) * w).sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from_digit(c, 10).unwrap_or('?'),
    }
}

/// C = 31 − (Σ vᵢ·Wᵢ mod 31), 31 → 0, as a charset character.
fn final_check_from_values(values: &[u32]) -> char {
    let sum: u32 = values.iter().zip(FINAL_WEIGHTS).map(|(v, w)| v * w).sum();
    let c = (31 - sum % 31) % 31;
    char::from(CHARSET_BYTES[c as usize])
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl AsRef<str> for Uscc {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Uscc> for String {
    fn from(c: Uscc) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FIXTURES: &str = include_str!("uscc_fixtures.txt");

    /// GB 32100-2015's worked example.
    const EXAMPLE: &str = "91350100M000100Y43";

    fn err(s: &str) -> UsccError {
        Uscc::parse(s).expect_err(s)
    }

    fn ok(s: &str) -> Uscc {
        Uscc::parse(s).expect(s)
    }

    /// Replace the character at the 1-based position `pos` (no check is recomputed).
    fn with_char(code: &str, pos: usize, ch: char) -> String {
        let mut c: Vec<char> = code.chars().collect();
        c[pos - 1] = ch;
        c.into_iter().collect()
    }

    /// Set position 18 to the correct final check of the first 17.
    fn refinal(code: &str) -> String {
        let first17: String = code.chars().take(17).collect();
        let f = final_check_char(&first17).expect("charset");
        format!("{first17}{f}")
    }

    #[test]
    fn fixtures_agree() {
        let mut n = 0;
        for (i, line) in FIXTURES.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "line {}: {line}", i + 1);
            let (code, verdict, note) = (cols[0], cols[1], cols[2]);
            match verdict {
                "valid" => {
                    let u = Uscc::parse(code).unwrap_or_else(|e| panic!("line {}: {code} should be valid: {e}", i + 1));
                    assert_eq!(u.as_str(), Uscc::normalize(code));
                }
                "invalid" => {
                    let Err(e) = Uscc::parse(code) else { panic!("line {}: {code} should be invalid", i + 1) };
                    let part = note.split(':').next().unwrap_or_default().trim();
                    assert_eq!(e.part(), part, "line {}: {code}: {e}", i + 1);
                }
                other => panic!("line {}: bad verdict {other}", i + 1),
            }
            n += 1;
        }
        assert!(n >= 50, "only {n} fixture lines");
    }

    #[test]
    fn standard_example_parts() {
        let u = ok(EXAMPLE);
        assert_eq!(u.as_str(), EXAMPLE);
        assert_eq!(u.to_string(), EXAMPLE);
        assert_eq!(u.registration_dept(), '9');
        assert_eq!(u.org_type(), '1');
        assert_eq!(u.dept_label(), Some("市场监管"));
        assert_eq!(u.type_label(), Some("企业"));
        assert_eq!(u.region_part(), "350100");
        assert_eq!(u.region_prefix(), "3501");
        assert_eq!(u.org_code(), "M000100Y4");
        assert!(!u.is_national_level());
        assert_eq!(final_check_char("91350100M000100Y4"), Some('3'));
        assert_eq!(org_code_check_char("M000100Y"), Some('4'));
        assert_eq!(EXAMPLE.parse::<Uscc>(), Ok(u));
    }

    #[test]
    fn civil_affairs_labels() {
        let a = build('5', '1', "370502", "MJD12345").expect("build");
        assert_eq!(a.dept_label(), Some("民政"));
        assert_eq!(a.type_label(), Some("社会团体"));
        let s = build('5', '2', "370502", "MJD12345").expect("build");
        assert_eq!(s.type_label(), Some("民办非企业单位（社会服务机构）"));
        let f = build('5', '3', "370502", "MJD12345").expect("build");
        assert_eq!(f.type_label(), Some("基金会"));
        let n = build('N', '4', "370502", "MJD12345").expect("build");
        assert_eq!(n.type_label(), None);
        assert_eq!(n.dept_label(), Some("农业"));
    }

    #[test]
    fn national_level_foundation() {
        // 中国扶贫基金会 (now 中国乡村发展基金会), registered with the Ministry of Civil Affairs.
        let u = ok("53100000500021676K");
        assert!(u.is_national_level());
        assert_eq!(u.region_prefix(), "");
        assert_eq!(u.check_civil_affairs_kind(CIVIL_TYPE_FOUNDATION), Ok(()));
    }

    #[test]
    fn region_prefixes() {
        assert_eq!(region_prefix("370000"), "37");
        assert_eq!(region_prefix("370500"), "3705");
        assert_eq!(region_prefix("370502"), "370502");
        assert_eq!(region_prefix("510104"), "510104");
        assert_eq!(region_prefix("511800"), "5118");
        assert_eq!(region_prefix("100000"), "");
        for (region, prefix) in [("370000", "37"), ("370500", "3705"), ("370502", "370502")] {
            let u = build('5', '1', region, "MJD00001").expect("build");
            assert_eq!(u.region_prefix(), prefix);
        }
    }

    #[test]
    fn normalization() {
        assert_eq!(ok("91350100m000100y43").as_str(), EXAMPLE);
        assert_eq!(ok("  9135 0100 M000100Y4 3\t\n").as_str(), EXAMPLE);
        assert_eq!(ok("９１３５０１００Ｍ０００１００Ｙ４３").as_str(), EXAMPLE);
        assert_eq!(ok("\u{FEFF}91350100M000100Y43\u{200B}").as_str(), EXAMPLE);
        assert_eq!(err("　"), UsccError::Empty);
    }

    #[test]
    fn wrong_characters() {
        for (bad, pos) in [('I', 9), ('O', 10), ('Z', 11), ('S', 12), ('V', 13), ('-', 14), ('中', 15)] {
            let s = with_char(EXAMPLE, pos, bad);
            assert_eq!(err(&s), UsccError::BadChar { pos, ch: bad }, "{s}");
        }
        // Lower-case i is upper-cased first and still rejected.
        assert_eq!(err("91350100m000100i43"), UsccError::BadChar { pos: 16, ch: 'I' });
        // A full-width I is converted first and still rejected.
        assert_eq!(err("91350100M000100Ｉ43"), UsccError::BadChar { pos: 16, ch: 'I' });
        assert_eq!(
            err("9135010OM000100Y43").to_string(),
            "第8位字符“O”无效：只能使用数字和除 I、O、Z、S、V 以外的大写字母"
        );
    }

    #[test]
    fn each_error_and_message() {
        let cases: Vec<(String, UsccError, &str, &str)> = vec![
            ("".into(), UsccError::Empty, "empty", "请填写统一社会信用代码"),
            (" \u{3000} ".into(), UsccError::Empty, "empty", "请填写统一社会信用代码"),
            (
                "91350100M000100Y4".into(),
                UsccError::Length { len: 17 },
                "length",
                "统一社会信用代码应为18位，当前为17位",
            ),
            (
                "91350100M000100Y431".into(),
                UsccError::Length { len: 19 },
                "length",
                "统一社会信用代码应为18位，当前为19位",
            ),
            (
                "913501I0M000100Y43".into(),
                UsccError::BadChar { pos: 7, ch: 'I' },
                "char",
                "第7位字符“I”无效：只能使用数字和除 I、O、Z、S、V 以外的大写字母",
            ),
            (refinal(&with_char(EXAMPLE, 1, 'B')), UsccError::Dept { ch: 'B' }, "dept", "第1位登记管理部门代码“B”无效"),
            (refinal(&with_char(EXAMPLE, 1, '0')), UsccError::Dept { ch: '0' }, "dept", "第1位登记管理部门代码“0”无效"),
            (
                refinal(&with_char(EXAMPLE, 2, '4')),
                UsccError::OrgType { dept: '9', ch: '4' },
                "org_type",
                "第2位机构类别代码“4”无效",
            ),
            (
                refinal(&with_char(&with_char(EXAMPLE, 1, '5'), 2, '4')),
                UsccError::OrgType { dept: '5', ch: '4' },
                "org_type",
                "第2位机构类别代码“4”无效",
            ),
            (
                refinal(&with_char(EXAMPLE, 3, '9')),
                UsccError::Region { code: "950100".into() },
                "region",
                "第3–8位登记管理机关行政区划码“950100”无效",
            ),
            (
                refinal(&with_char(EXAMPLE, 5, 'A')),
                UsccError::Region { code: "35A100".into() },
                "region",
                "第3–8位登记管理机关行政区划码“35A100”无效",
            ),
            (
                refinal(&with_char(EXAMPLE, 17, '5')),
                UsccError::OrgCodeCheck { expected: '4', found: '5' },
                "org_code_check",
                "第9–17位组织机构代码校验错误：第17位应为“4”，当前为“5”",
            ),
            (
                with_char(EXAMPLE, 18, 'Y'),
                UsccError::FinalCheck { expected: '3', found: 'Y' },
                "final_check",
                "第18位校验码错误：应为“3”，当前为“Y”",
            ),
        ];
        for (input, expected, part, message) in cases {
            let e = err(&input);
            assert_eq!(e, expected, "{input}");
            assert_eq!(e.part(), part, "{input}");
            assert_eq!(e.to_string(), message, "{input}");
        }
    }

    #[test]
    fn check_order() {
        // Bad dept and bad final check: the dept is reported.
        assert_eq!(err("B1350100M000100Y43").part(), "dept");
        // Bad type, bad region, bad final check: the type is reported.
        assert_eq!(err("99990100M000100Y43").part(), "org_type");
        // Bad region and bad org-code check: the region is reported.
        assert_eq!(err("91990100M000100Y53").part(), "region");
        // Bad org-code check and bad final check: the org-code check is reported.
        assert_eq!(err("91350100M000100Y5Y").part(), "org_code_check");
        // A bad character wins over everything after it.
        assert_eq!(err("B1990100M000I00Y5Y").part(), "char");
    }

    #[test]
    fn org_check_values_and_extremes() {
        // GB 11714 values letters on the full alphabet (I=18, O=24, …), unlike the USCC charset.
        assert_eq!(org_code_check_char("60003734"), Some('1'));
        assert_eq!(org_code_check_char("19220382"), Some('1'));
        assert_eq!(org_code_check_char("10001686"), Some('X'));
        assert_eq!(org_code_check_char("1234567"), None);
        assert_eq!(org_code_check_char("1234567a"), None);
        assert_eq!(org_code_check_char("123456789"), None);
        // Σ = 0 → C = 11 → '0'.
        assert_eq!(org_code_check_char("00000000"), Some('0'));
        // Σ mod 11 = 1 → C = 10 → 'X'.
        assert_eq!(org_code_check_char("40000000"), Some('X'));
        assert_eq!(final_check_char("0000000000000000"), None);
        assert_eq!(final_check_char("91350100M000100YI"), None);
        assert_eq!(final_check_char("00000000000000000"), Some('0'));
    }

    #[test]
    fn org_check_alone_misses_a_change_of_eleven() {
        // '1' (1) → 'C' (12): the GB 11714 sum changes by 11·w ≡ 0 (mod 11), so position 17 still
        // matches; the final check catches the change.
        let good = build('5', '1', "370502", "51370001").expect("build");
        let mutated = with_char(good.as_str(), 16, 'C');
        assert_eq!(org_code_check_char(&mutated[8..16]), Some(good.as_str().as_bytes()[16] as char));
        assert_eq!(err(&mutated).part(), "final_check");
    }

    #[test]
    fn build_round_trips_and_errors() {
        let u = build('9', '1', "350100", "M000100Y").expect("build");
        assert_eq!(u.as_str(), EXAMPLE);
        let u = build('5', '3', "100000", "50002167").expect("build");
        assert_eq!(u.as_str(), "53100000500021676K");
        assert_eq!(build('5', '4', "370502", "MJD12345"), Err(UsccError::OrgType { dept: '5', ch: '4' }));
        assert_eq!(build('X', '1', "370502", "MJD12345"), Err(UsccError::Dept { ch: 'X' }));
        assert_eq!(build('5', '1', "3705", "MJD12345"), Err(UsccError::Region { code: "3705".into() }));
        assert_eq!(build('5', '1', "990000", "MJD12345"), Err(UsccError::Region { code: "990000".into() }));
        assert_eq!(build('5', '1', "370502", "MJD1234"), Err(UsccError::OrgBody { body: "MJD1234".into() }));
        assert_eq!(build('5', '1', "370502", "MJD1234I"), Err(UsccError::BadChar { pos: 16, ch: 'I' }));
        assert_eq!(build('5', 'i', "370502", "MJD12345"), Err(UsccError::BadChar { pos: 2, ch: 'i' }));
        assert_eq!(
            UsccError::OrgBody { body: "MJD1234".into() }.to_string(),
            "第9–16位组织机构代码本体“MJD1234”无效：应为8位数字或大写字母"
        );
    }

    #[test]
    fn civil_affairs_kind() {
        let assoc = build('5', '1', "370502", "MJD12345").expect("build");
        assert_eq!(assoc.check_civil_affairs_kind(CIVIL_TYPE_ASSOCIATION), Ok(()));
        let e = assoc.check_civil_affairs_kind(CIVIL_TYPE_FOUNDATION).expect_err("type");
        assert_eq!(e, UsccError::CivilAffairsType { expected: '3', found: '1' });
        assert_eq!(e.part(), "civil_affairs_type");
        assert_eq!(e.to_string(), "第2位机构类别代码应为“3”（基金会），当前为“1”（社会团体）");

        let found = build('5', '3', "370502", "MJD12345").expect("build");
        assert_eq!(
            found.check_civil_affairs_kind(CIVIL_TYPE_ASSOCIATION).expect_err("type").to_string(),
            "第2位机构类别代码应为“1”（社会团体），当前为“3”（基金会）"
        );
        let service = build('5', '2', "511800", "MJD12345").expect("build");
        assert_eq!(service.check_civil_affairs_kind(CIVIL_TYPE_SERVICE_INSTITUTION), Ok(()));
        assert_eq!(
            service.check_civil_affairs_kind(CIVIL_TYPE_FOUNDATION).expect_err("type").to_string(),
            "第2位机构类别代码应为“3”（基金会），当前为“2”（民办非企业单位（社会服务机构））"
        );
        let other = build('5', '9', "511800", "MJD12345").expect("build");
        assert_eq!(
            other.check_civil_affairs_kind(CIVIL_TYPE_ASSOCIATION).expect_err("type").to_string(),
            "第2位机构类别代码应为“1”（社会团体），当前为“9”（其他）"
        );

        let company = ok(EXAMPLE);
        let e = company.check_civil_affairs_kind(CIVIL_TYPE_ASSOCIATION).expect_err("dept");
        assert_eq!(e, UsccError::NotCivilAffairs { found: '9' });
        assert_eq!(e.part(), "civil_affairs_dept");
        assert_eq!(e.to_string(), "第1位登记管理部门代码应为“5”（民政），当前为“9”（市场监管）");
        let unit = build('1', '2', "370500", "49500000").expect("build");
        assert_eq!(
            unit.check_civil_affairs_kind(CIVIL_TYPE_ASSOCIATION).expect_err("dept").to_string(),
            "第1位登记管理部门代码应为“5”（民政），当前为“1”（机构编制）"
        );
    }

    #[test]
    fn serde_as_string() {
        use serde::de::IntoDeserializer;
        use serde::de::value::{Error as DeError, StringDeserializer};

        let u = ok(EXAMPLE);
        assert_eq!(String::from(u.clone()), EXAMPLE);
        let de: StringDeserializer<DeError> = "９１３５０１００ｍ０００１００ｙ４３".to_owned().into_deserializer();
        assert_eq!(Uscc::deserialize(de), Ok(u));
        let de: StringDeserializer<DeError> = "91350100M000100Y44".to_owned().into_deserializer();
        let e = Uscc::deserialize(de).expect_err("bad check");
        assert!(e.to_string().contains("第18位校验码错误"), "{e}");
    }

    #[test]
    fn value_tables() {
        assert_eq!(CHARSET.len(), 31);
        for (i, c) in CHARSET.chars().enumerate() {
            assert_eq!(char_value(c), Some(i as u32));
        }
        for c in ['I', 'O', 'Z', 'S', 'V', 'a', ' ', '中'] {
            assert_eq!(char_value(c), None);
        }
        let mut w = 1u32;
        for weight in FINAL_WEIGHTS {
            assert_eq!(weight, w);
            w = w * 3 % 31;
        }
        for d in ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'N', 'Y'] {
            assert!(dept_label(d).is_some());
        }
        for d in ['0', 'B', 'M', 'X', 'I'] {
            assert!(dept_label(d).is_none());
        }
        assert!(is_valid_org_type('7', '5'));
        assert!(!is_valid_org_type('7', '0'));
        assert!(!is_valid_org_type('9', '9'));
        assert!(!is_valid_org_type('Y', '2'));
        assert!(!is_valid_org_type('5', 'A'));
    }

    fn dept_and_type() -> impl Strategy<Value = (char, char)> {
        let mut pairs = Vec::new();
        for d in ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'N', 'Y'] {
            for t in '0'..='9' {
                if is_valid_org_type(d, t) {
                    pairs.push((d, t));
                }
            }
        }
        prop::sample::select(pairs)
    }

    fn region() -> impl Strategy<Value = String> {
        (prop::sample::select(PROVINCE_CODES.to_vec()), "[0-9]{4}", 0..4usize).prop_map(|(p, rest, form)| match form {
            0 => format!("{p}0000"),
            1 => format!("{p}{}00", &rest[..2]),
            2 => NATIONAL_REGION.to_owned(),
            _ => format!("{p}{rest}"),
        })
    }

    fn body() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(CHARSET.chars().collect::<Vec<_>>()), 8)
            .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn built_codes_parse((dept, ty) in dept_and_type(), region in region(), body in body()) {
            let u = build(dept, ty, &region, &body).expect("build");
            prop_assert_eq!(Uscc::parse(u.as_str()), Ok(u.clone()));
            prop_assert_eq!(Uscc::parse(&u.as_str().to_ascii_lowercase()), Ok(u.clone()));
            prop_assert_eq!(u.registration_dept(), dept);
            prop_assert_eq!(u.org_type(), ty);
            prop_assert_eq!(u.region_part(), region.as_str());
            prop_assert_eq!(&u.org_code()[..8], body.as_str());
            prop_assert!(region.starts_with(u.region_prefix()));
        }

        #[test]
        fn any_single_substitution_is_rejected(
            (dept, ty) in dept_and_type(),
            region in region(),
            body in body(),
            pos in 1..=18usize,
            shift in 1..31usize,
        ) {
            let u = build(dept, ty, &region, &body).expect("build");
            let chars: Vec<char> = u.as_str().chars().collect();
            let old = char_value(chars[pos - 1]).expect("charset") as usize;
            let new = char::from(CHARSET_BYTES[(old + shift) % 31]);
            let mutated = with_char(u.as_str(), pos, new);
            let e = Uscc::parse(&mutated).expect_err(&mutated);
            // The final check alone catches every single substitution.
            let first17: String = mutated.chars().take(17).collect();
            prop_assert_ne!(final_check_char(&first17), mutated.chars().nth(17));
            match pos {
                9..=16 => prop_assert!(matches!(e.part(), "org_code_check" | "final_check"), "{}", e),
                17 => prop_assert!(matches!(e.part(), "org_code_check" | "final_check"), "{}", e),
                18 => prop_assert_eq!(e.part(), "final_check"),
                _ => prop_assert!(matches!(e.part(), "dept" | "org_type" | "region" | "final_check"), "{}", e),
            }
        }
    }
}
