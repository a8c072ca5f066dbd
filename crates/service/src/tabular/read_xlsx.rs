//! Reading .xlsx: calamine after a ZIP pre-check of the archive.

use std::borrow::Cow;
use std::io::Cursor;

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, SheetVisible, Xlsx, XlsxError};

use super::*;

pub(crate) fn read_xlsx(bytes: &[u8], max_rows: usize) -> Result<Vec<RawRow>, TableError> {
    let mut wb = open_xlsx(bytes)?;
    let name = first_sheet(wb.sheets_metadata()).ok_or(TableError::NoHeader)?;
    // Stream the cells instead of `worksheet_range`: a range is dense, and a
    // small file with cells in A1 and XFD1048576 would allocate 17 billion.
    let mut cells = wb.worksheet_cells_reader(&name).map_err(xlsx_error)?;
    let mut raw = RawRows::new(max_rows);
    while let Some(cell) = cells.next_cell().map_err(xlsx_error)? {
        let (row, col) = cell.get_position();
        raw.push(row as usize, col as usize, &data_ref_text(cell.get_value()))?;
    }
    Ok(raw.finish())
}

/// `Xlsx::new` after [`zip_precheck`].
pub(crate) fn open_xlsx(bytes: &[u8]) -> Result<Xlsx<Cursor<&[u8]>>, TableError> {
    zip_precheck(bytes)?;
    Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)
}

pub(crate) fn xlsx_error(e: XlsxError) -> TableError {
    match e {
        XlsxError::Password => TableError::Password,
        _ => TableError::Corrupt,
    }
}

/// The first visible worksheet (what Excel shows on opening), else the first
/// worksheet of any visibility.
pub(crate) fn first_sheet(sheets: &[calamine::Sheet]) -> Option<String> {
    let work = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    work().find(|s| s.visible == SheetVisible::Visible).or_else(|| work().next()).map(|s| s.name.clone())
}

pub(crate) fn data_ref_text<'a>(d: &'a DataRef<'_>) -> Cow<'a, str> {
    match d {
        DataRef::Int(i) => i.to_string().into(),
        DataRef::Float(f) => number_text(*f).into(),
        DataRef::String(s) => s.as_str().into(),
        DataRef::SharedString(s) => (*s).into(),
        DataRef::Bool(b) => bool_text(*b).into(),
        DataRef::DateTime(dt) => excel_datetime_text(dt).into(),
        DataRef::DateTimeIso(s) => iso_datetime_text(s).into(),
        DataRef::DurationIso(s) => s.as_str().into(),
        DataRef::Error(_) | DataRef::Empty => "".into(),
    }
}

pub(crate) fn bool_text(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

/// Whole numbers without ".0" and never in exponent form (an 18-digit code
/// stored as a number must not become "1.10101E+17"); other numbers with at
/// most 6 decimals, trailing zeros removed.
pub(crate) fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return String::new();
    }
    if f == 0.0 {
        return "0".to_owned();
    }
    if f.fract() == 0.0 {
        return format!("{f:.0}");
    }
    let s = format!("{f:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "0" || s == "-0" {
        // Smaller than 0.000001: keep its digits rather than say zero.
        return f.to_string();
    }
    s.to_owned()
}

/// "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" when there is a time of day,
/// "HH:MM:SS" for a time-only cell, "H:MM:SS" for a duration.
pub(crate) fn excel_datetime_text(dt: &ExcelDateTime) -> String {
    let v = dt.as_f64();
    if !v.is_finite() {
        return String::new();
    }
    if dt.is_duration() {
        let secs = (v * 86_400.0).round() as i64;
        let sign = if secs < 0 { "-" } else { "" };
        let s = secs.unsigned_abs();
        return format!("{sign}{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    }
    let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    let (y, mo, d, h, mi, s) = if ms >= 500 { add_second(y, mo, d, h, mi, s) } else { (y, mo, d, h, mi, s) };
    if (0.0..1.0).contains(&v) {
        return format!("{h:02}:{mi:02}:{s:02}");
    }
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{d:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

/// Round half a second up. Left as is for Excel's fictitious 1900-02-29.
pub(crate) fn add_second(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> (u16, u8, u8, u8, u8, u8) {
    let next = time::Month::try_from(mo)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(i32::from(y), m, d).ok())
        .zip(time::Time::from_hms(h, mi, s).ok())
        .and_then(|(date, t)| time::PrimitiveDateTime::new(date, t).checked_add(time::Duration::SECOND));
    match next {
        Some(n) if n.year() <= 9999 => {
            (n.year() as u16, u8::from(n.month()), n.day(), n.hour(), n.minute(), n.second())
        }
        _ => (y, mo, d, h, mi, s),
    }
}

/// ISO 8601 date-times (cells of type "d", which some writers use) in the same shapes
/// as [`excel_datetime_text`]; anything unexpected is kept as is.
pub(crate) fn iso_datetime_text(s: &str) -> String {
    let s = s.trim();
    let is_date = |d: &str| {
        let b = d.as_bytes();
        b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    };
    let is_time = |t: &str| {
        let b = t.as_bytes();
        b.len() == 8
            && b[2] == b':'
            && b[5] == b':'
            && b.iter().enumerate().all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit())
    };
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t.get(..8).unwrap_or(t))),
        None => (s, None),
    };
    if !is_date(date) {
        return s.to_owned();
    }
    match time {
        None | Some("00:00:00") => date.to_owned(),
        Some(t) if is_time(t) => format!("{date} {t}"),
        Some(_) => s.to_owned(),
    }
}

// --- ZIP pre-check -----------------------------------------------------------
//
// Two things in an .xlsx can take the whole server down before calamine
// returns an error, and neither is a panic that `catch_unwind` could stop:
//
// - calamine 0.38 calls `Vec::reserve(uniqueCount)` with the number in
//   xl/sharedStrings.xml as is: a 1 KB file saying uniqueCount="100000000000"
//   asks for 2.4 TB and the allocator aborts the process;
// - a part may declare gigabytes of XML (a "zip bomb"), which quick-xml and
//   the shared-strings table hold in memory.
//
// The zip crate reads no more than the size a central directory entry
// declares, so it is enough to bound the declared sizes of the parts, and
// to look at the numbers in the shared-strings part. Where the zip crate
// finds that part's data depends on how it locates the archive in the file
// (and it does not insist that the local header repeat the name), so every
// local header in the file is tried as the start of that data: any reading
// of the archive is covered, at the cost of decoding at most the declared
// size of the shared strings once per entry.

/// The largest part (declared uncompressed size) an .xlsx may have: the
/// memory budget of one read. A worksheet of 128 MB of XML (about 100,000
/// organizations of the import template) takes about 750 MB to read; a
/// server reads at most `registry::import::MAX_READS` files at once.
pub(crate) const MAX_PART_BYTES: u64 = 128 * 1024 * 1024;

/// The largest `uniqueCount` accepted in the shared-strings part.
pub(crate) const MAX_SHARED_STRINGS: u64 = 5_000_000;

pub(crate) fn zip_precheck(bytes: &[u8]) -> Result<(), TableError> {
    let locals: Vec<usize> = find_all(bytes, b"PK\x03\x04").collect();
    // Bounds the work a file made of many small "zip bombs" could cause.
    let mut budget = 2 * MAX_PART_BYTES as usize;
    for at in find_all(bytes, b"PK\x01\x02") {
        let Some(entry) = CentralEntry::parse(bytes, at) else { continue };
        // Every part: calamine follows the relationships, so a worksheet
        // need not be named ".xml".
        if entry.size > MAX_PART_BYTES {
            return Err(TableError::TooLarge);
        }
        if !entry.names.iter().any(|n| n.ends_with("sharedstrings.xml")) {
            continue;
        }
        let cap = usize::try_from(entry.size).unwrap_or(usize::MAX);
        for &local in &locals {
            let Some(data) = local_data(bytes, local) else { continue };
            let data = data.get(..usize::try_from(entry.compressed).unwrap_or(usize::MAX)).unwrap_or(data);
            let xml: Cow<'_, [u8]> = match entry.method {
                0 => Cow::Borrowed(data.get(..cap).unwrap_or(data)),
                // Broken or longer streams included: calamine parses what
                // comes out before the zip crate reports the error.
                8 => {
                    let out = inflate(data, cap.min(budget));
                    budget -= out.len();
                    if budget == 0 {
                        return Err(TableError::TooLarge);
                    }
                    Cow::Owned(out)
                }
                // The zip crate as calamine builds it reads nothing else.
                _ => continue,
            };
            if unique_count_too_large(&xml) {
                return Err(TableError::Corrupt);
            }
        }
    }
    Ok(())
}

pub(crate) fn find_all<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    hay.windows(needle.len()).enumerate().filter(move |(_, w)| *w == needle).map(|(i, _)| i)
}

pub(crate) fn le16(b: &[u8], at: usize) -> Option<usize> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(usize::from(u16::from_le_bytes([s[0], s[1]])))
}

pub(crate) fn le32(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]])))
}

pub(crate) fn le64(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(u64::from_le_bytes(a))
}

/// The extra-field blocks: (id, body).
pub(crate) fn extra_blocks(extra: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut i = 0;
    std::iter::from_fn(move || {
        let id = le16(extra, i)?;
        let len = le16(extra, i + 2)?;
        let body = extra.get(i + 4..i + 4 + len)?;
        i += 4 + len;
        Some((id, body))
    })
}

/// A central directory entry, as far as the pre-check needs it.
pub(crate) struct CentralEntry {
    /// The name and any Info-ZIP Unicode Path (0x7075), lowercased, '/'.
    pub(crate) names: Vec<String>,
    pub(crate) method: usize,
    pub(crate) compressed: u64,
    /// Declared uncompressed size (ZIP64 included; unknown = u64::MAX).
    pub(crate) size: u64,
}

impl CentralEntry {
    pub(crate) fn parse(b: &[u8], at: usize) -> Option<CentralEntry> {
        let method = le16(b, at + 10)?;
        let mut compressed = le32(b, at + 20)?;
        let mut size = le32(b, at + 24)?;
        let name_len = le16(b, at + 28)?;
        let extra_len = le16(b, at + 30)?;
        let name = b.get(at + 46..at + 46 + name_len)?;
        let extra = b.get(at + 46 + name_len..at + 46 + name_len + extra_len).unwrap_or_default();
        let norm = |n: &[u8]| String::from_utf8_lossy(n).replace('\\', "/").to_ascii_lowercase();
        let mut names = vec![norm(name)];
        for (id, body) in extra_blocks(extra) {
            match id {
                0x7075 if body.len() > 5 => names.push(norm(&body[5..])),
                // ZIP64: the 64-bit values of the fields that are all ones,
                // in this order.
                0x0001 => {
                    let mut i = 0;
                    if size == 0xFFFF_FFFF {
                        size = le64(body, i).unwrap_or(u64::MAX);
                        i += 8;
                    }
                    if compressed == 0xFFFF_FFFF {
                        compressed = le64(body, i).unwrap_or(u64::MAX);
                    }
                }
                _ => {}
            }
        }
        if size == 0xFFFF_FFFF {
            size = u64::MAX;
        }
        if compressed == 0xFFFF_FFFF {
            compressed = u64::MAX;
        }
        Some(CentralEntry { names, method, compressed, size })
    }
}

/// The bytes after the local header at `at`, where the zip crate starts
/// reading an entry whose header is there.
pub(crate) fn local_data(b: &[u8], at: usize) -> Option<&[u8]> {
    let name_len = le16(b, at + 26)?;
    let extra_len = le16(b, at + 28)?;
    b.get(at + 30 + name_len + extra_len..)
}

/// Whether any `uniqueCount` number in the XML is above the limit (read the
/// way a lenient parser would: quotes, spaces, '+' and leading zeros skipped).
pub(crate) fn unique_count_too_large(xml: &[u8]) -> bool {
    const KEY: &[u8] = b"uniqueCount";
    find_all(xml, KEY).any(|i| {
        let rest = xml.get(i + KEY.len()..).unwrap_or_default();
        let rest = &rest[rest.iter().take_while(|c| b" \t\r\n=\"'+0".contains(c)).count()..];
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        digits > 7 || rest[..digits].iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')) > MAX_SHARED_STRINGS
    })
}

/// The DEFLATE stream's output up to its end, the first error, or `cap`
/// bytes (flate2; what was decoded before an error is kept, as calamine
/// would parse it too).
pub(crate) fn inflate(data: &[u8], cap: usize) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    let _ = flate2::read::DeflateDecoder::new(data).take(cap as u64).read_to_end(&mut out);
    out
}
