//! Display helpers: dates and times in Asia/Shanghai, numbers with separators.

use time::{PrimitiveDateTime, UtcOffset};

fn cst() -> UtcOffset {
    UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// A stored UTC timestamp as `YYYY-MM-DD HH:MM:SS` in Beijing time.
pub fn datetime(t: PrimitiveDateTime) -> String {
    let t = t.assume_utc().to_offset(cst());
    format!("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", t.year(), t.month() as u8, t.day(), t.hour(), t.minute(), t.second())
}

/// 1234567 → 1,234,567
pub fn thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Parse `YYYY-MM-DD`, empty → None.
pub fn parse_date(s: &str) -> Option<time::Date> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Fen as yuan with separators: 300000 → "3,000.00".
pub fn money(fen: i64) -> String {
    let yuan = hongling_service::list::yuan(fen);
    let (int, dec) = yuan.split_once('.').unwrap_or((yuan.as_str(), "00"));
    let neg = int.starts_with('-');
    let n: i64 = int.trim_start_matches('-').parse().unwrap_or(0);
    format!("{}{}.{}", if neg { "-" } else { "" }, thousands(n), dec)
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_separators() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(-1234567), "-1,234,567");
    }
}
