//! Resident identity card numbers (公民身份号码, GB 11643-1999): 17 digits
//! (region, birth date, sequence) and a check character (0–9 or X). Numbers
//! are personal data: stored encrypted, shown masked.

use time::{Date, Month};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// Full-width digits and a lower-case x folded, spaces removed.
pub fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c as u32 {
            0xFF10..=0xFF19 => char::from_u32(c as u32 - 0xFF10 + '0' as u32).unwrap_or(c),
            0xFF38 | 0xFF58 => 'X',
            _ => c.to_ascii_uppercase(),
        })
        .collect()
}

/// The check character of the first 17 digits.
pub fn check_char(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 || !first17.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    Some(CHECK[(sum % 11) as usize] as char)
}

/// A valid, normalized number, or why not (in Chinese). `today` bounds the birth date.
pub fn parse(s: &str, today: Date) -> Result<String, &'static str> {
    let n = normalize(s);
    let b = n.as_bytes();
    if b.len() != 18 {
        return Err("公民身份号码应为 18 位");
    }
    if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
        return Err("公民身份号码前 17 位应为数字，最后一位为数字或 X");
    }
    if !crate::registry::uscc::PROVINCE_CODES.contains(&&n[..2]) {
        return Err("公民身份号码前 2 位不是有效的省级行政区划代码");
    }
    let num = |r: std::ops::Range<usize>| n[r].parse::<u32>().unwrap_or(0);
    let birth = Month::try_from(num(10..12) as u8)
        .ok()
        .and_then(|m| Date::from_calendar_date(num(6..10) as i32, m, num(12..14) as u8).ok());
    match birth {
        None => return Err("公民身份号码中的出生日期无效"),
        Some(d) if d > today || d.year() < 1900 => return Err("公民身份号码中的出生日期无效"),
        Some(_) => {}
    }
    if check_char(&b[..17]) != Some(b[17] as char) {
        return Err("公民身份号码校验位错误，请核对");
    }
    Ok(n)
}

/// The birth date a valid number carries (characters 7–14).
pub fn birth_date(n: &str) -> Option<Date> {
    let digits = n.get(6..14)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| digits[r].parse::<u32>().ok();
    let month = Month::try_from(num(4..6)? as u8).ok()?;
    Date::from_calendar_date(num(0..4)? as i32, month, num(6..8)? as u8).ok()
}

/// The day someone born on `birth` turns `years` (a 29 February birthday
/// counts from 1 March in other years).
pub fn turns(birth: Date, years: i32) -> Option<Date> {
    let y = birth.year() + years;
    Date::from_calendar_date(y, birth.month(), birth.day())
        .ok()
        .or_else(|| Date::from_calendar_date(y, Month::March, 1).ok())
}

/// The number as pages show it: the first 6 and last 4 characters.
pub fn mask(n: &str) -> String {
    let chars: Vec<char> = n.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 06 - 01);

    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_char(first17.as_bytes()).expect("digits"))
    }

    #[test]
    fn known_numbers() {
        // the GB 11643 example number
        assert_eq!(parse("11010519491231002X", TODAY), Ok("11010519491231002X".into()));
        assert_eq!(parse("11010519491231002x", TODAY), Ok("11010519491231002X".into()));
        assert_eq!(parse("１１０１０５１９４９１２３１００２Ｘ", TODAY), Ok("11010519491231002X".into()));
        assert_eq!(parse("110105194912310021", TODAY), Err("公民身份号码校验位错误，请核对"));
        assert_eq!(parse("1101051949123100", TODAY), Err("公民身份号码应为 18 位"));
        assert!(parse(&with_check("37050219900230123"), TODAY).is_err(), "30 February");
        assert!(parse(&with_check("37050220270101123"), TODAY).is_err(), "born in the future");
        assert!(parse(&with_check("99050219900101123"), TODAY).is_err(), "no such province");
        assert!(parse(&with_check("37050219900101123"), TODAY).is_ok());
    }

    #[test]
    fn masks() {
        assert_eq!(mask("11010519491231002X"), "110105********002X");
        assert_eq!(mask("123"), "***");
    }

    proptest! {
        /// Any single changed digit is caught by the check character.
        #[test]
        fn single_digit_errors_are_caught(seq in 0u32..1000, pos in 0usize..17, delta in 1u8..10) {
            let good = with_check(&format!("37050219850612{seq:03}"));
            prop_assert!(parse(&good, TODAY).is_ok());
            let mut b = good.clone().into_bytes();
            b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
            let bad = String::from_utf8(b).expect("ascii");
            prop_assert!(parse(&bad, TODAY).is_err(), "{} accepted", bad);
            prop_assert_eq!(mask(&good).len(), 18);
            prop_assert!(!mask(&good).contains(&good[6..14]));
        }
    }
}
