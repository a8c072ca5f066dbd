//! Spreadsheet files for importing and exporting records.
//!
//! Reading turns an uploaded .xlsx or .csv (UTF-8, UTF-8 with BOM, GBK /
//! GB18030 as Excel in China saves "CSV", or Excel's UTF-16 "Unicode text")
//! into a [`Table`] of trimmed strings with the row numbers the user sees in
//! Excel, so that import errors can say "第 12 行". Legacy .xls is refused
//! (see [`read_table`]). Writing makes .xlsx exports and import templates,
//! and UTF-8 CSV with a BOM.
//!
//! Uploads are untrusted: reading never panics, and an .xlsx is vetted
//! before calamine sees it (see "ZIP pre-check" below).
//!
//! Text written by this module is protected against formula injection
//! ([`escape_formula`]); reading undoes that one escape, so an export can be
//! edited and imported again without the values changing.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, SheetVisible, Xlsx, XlsxError};
use rust_xlsxwriter::{Color, Format, Workbook, Worksheet, XlsxError as WriteError};

/// Most header columns a file may have (guards memory against a cell placed in
/// column XFD of every row).
pub const MAX_COLUMNS: usize = 256;

/// Rows of an Excel worksheet (the header included).
const EXCEL_MAX_ROWS: usize = 1_048_576;

/// Longest text Excel keeps in a cell, in UTF-16 units.
const EXCEL_MAX_TEXT: usize = 32_767;

/// Widest column set by the writer, in characters.
const MAX_WIDTH: usize = 60;

/// The name of the template's second sheet.
pub const NOTES_SHEET: &str = "填写说明";

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// A sheet read from a file: the header row and the non-blank rows below it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// The first non-empty row, trimmed, without trailing empty columns.
    pub headers: Vec<String>,
    /// Rows below the header that have at least one non-empty cell under a
    /// header column; each has exactly `headers.len()` cells.
    pub rows: Vec<Row>,
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based row number as the user sees it in Excel, or the CSV line where
    /// the record starts (the header line is 1 when it is the first line).
    pub line: usize,
    /// Trimmed cell texts, aligned with [`Table::headers`].
    pub cells: Vec<String>,
}

impl Table {
    /// The index of the first header equal to any of `names`, comparing both
    /// sides after normalization: whitespace removed, full-width brackets and
    /// asterisks made half-width, a leading or trailing `*` and a trailing
    /// `（必填）` / `(必填)` removed, ASCII letters lowercased. So a template
    /// header "名称*" or "名称（必填）" matches the name "名称".
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        let wanted: Vec<String> = names.iter().map(|n| normalize_header(n)).filter(|n| !n.is_empty()).collect();
        self.headers.iter().position(|h| {
            let h = normalize_header(h);
            !h.is_empty() && wanted.contains(&h)
        })
    }
}

impl Row {
    /// The cell in column `col`, or "" when the column is missing or the row
    /// is shorter.
    pub fn get(&self, col: Option<usize>) -> &str {
        col.and_then(|i| self.cells.get(i)).map_or("", String::as_str)
    }
}

/// Why a file could not be read or written. The messages are shown to users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("不支持的文件类型：请上传 .xlsx 或 .csv 文件")]
    UnsupportedType,
    #[error("文件中没有表头行")]
    NoHeader,
    #[error("文件超过 {max} 行，请拆分后再导入")]
    TooManyRows { max: usize },
    #[error("表头超过 {max} 列，请检查文件内容")]
    TooManyColumns { max: usize },
    #[error("无法读取该 Excel 文件：文件已损坏或不是有效的 .xlsx")]
    Corrupt,
    #[error("不支持旧版 .xls 或 .ods 格式：请在 Excel 或 WPS 中将文件另存为 .xlsx 后再上传")]
    SaveAsXlsx,
    #[error("该 Excel 文件设置了打开密码，请取消密码后再导入")]
    Password,
    #[error("文件内容过大，请拆分后再导入")]
    TooLarge,
    #[error("CSV 文件第 {line} 行格式有误：{reason}")]
    Csv { line: usize, reason: String },
    #[error("生成 Excel 文件失败：{0}")]
    Write(String),
}

impl From<WriteError> for TableError {
    fn from(e: WriteError) -> Self {
        TableError::Write(e.to_string())
    }
}

/// Read the first worksheet of an .xlsx, or a CSV file.
///
/// The format is detected by content (a ZIP archive is read as .xlsx), else
/// by the file name's extension (.csv / .txt → CSV). At most `max_rows` data
/// rows (blank rows not counted) are accepted.
///
/// Legacy .xls (and .ods, .xlsb) files are refused with
/// [`TableError::SaveAsXlsx`]: calamine 0.38 builds a dense grid for every
/// sheet of an .xls while opening it, so a 6 KB file with a cell at row
/// 65535, column 65535 makes it allocate 137 GB and the allocator abort the
/// process (no `catch_unwind` helps), and its OLE reader follows sector
/// chains without a cycle check; its .ods reader expands repeated cells into
/// grids of up to 100 million cells. Only a second parser could vet them.
pub fn read_table(file_name: &str, bytes: &[u8], max_rows: usize) -> Result<Table, TableError> {
    let kind = detect(file_name, bytes)?;
    if bytes.is_empty() {
        return Err(TableError::NoHeader);
    }
    // The parsers are third-party code fed with untrusted bytes: a panic in
    // them must become an error for this upload, not a crashed request.
    let raw = std::panic::catch_unwind(|| match kind {
        Kind::Csv => read_csv(bytes, max_rows),
        Kind::Xlsx => read_xlsx(bytes, max_rows),
    })
    .unwrap_or(Err(TableError::Corrupt))?;
    build_table(raw, max_rows)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Csv,
    Xlsx,
}

fn detect(file_name: &str, bytes: &[u8]) -> Result<Kind, TableError> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let ext = base.rsplit_once('.').map(|(_, e)| e.trim().to_ascii_lowercase()).unwrap_or_default();
    let legacy = matches!(ext.as_str(), "xls" | "ods" | "xlsb" | "et");
    if bytes.starts_with(b"PK\x03\x04") {
        // .ods and .xlsb are ZIP archives too; an .xlsx named .xls is read.
        return if legacy && ext != "xls" { Err(TableError::SaveAsXlsx) } else { Ok(Kind::Xlsx) };
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        // An OLE file: a legacy .xls, or an .xlsx encrypted with a password
        // (an "EncryptedPackage" stream, its name in UTF-16 in a directory
        // sector).
        let encrypted: Vec<u8> = "EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes).collect();
        return Err(if find_all(bytes, &encrypted).next().is_some() {
            TableError::Password
        } else {
            TableError::SaveAsXlsx
        });
    }
    match ext.as_str() {
        "csv" | "txt" => Ok(Kind::Csv),
        "xlsx" | "xlsm" => Ok(Kind::Xlsx),
        _ if legacy => Err(TableError::SaveAsXlsx),
        _ => Err(TableError::UnsupportedType),
    }
}

/// A non-blank row as read: its 1-based line and its non-empty cells.
struct RawRow {
    line: usize,
    cells: Vec<(usize, String)>,
}

/// Header = first raw row; columns are counted from the header's first
/// non-empty cell; cells outside the header's columns are dropped.
fn build_table(raw: Vec<RawRow>, max_rows: usize) -> Result<Table, TableError> {
    let mut it = raw.into_iter();
    let header = it.next().ok_or(TableError::NoHeader)?;
    let first = header.cells.iter().map(|c| c.0).min().ok_or(TableError::NoHeader)?;
    let last = header.cells.iter().map(|c| c.0).max().ok_or(TableError::NoHeader)?;
    let width = last - first + 1;
    if width > MAX_COLUMNS {
        return Err(TableError::TooManyColumns { max: MAX_COLUMNS });
    }
    let dense = |cells: Vec<(usize, String)>| {
        let mut out = vec![String::new(); width];
        for (c, s) in cells {
            if let Some(slot) = c.checked_sub(first).and_then(|i| out.get_mut(i)) {
                *slot = s;
            }
        }
        out
    };
    let headers = dense(header.cells);
    let mut rows = Vec::new();
    for r in it {
        let cells = dense(r.cells);
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if rows.len() >= max_rows {
            return Err(TableError::TooManyRows { max: max_rows });
        }
        rows.push(Row { line: r.line, cells });
    }
    Ok(Table { headers, rows })
}

/// Collects non-blank rows, failing early once there are clearly too many
/// rows or cells (memory stays proportional to what a valid file may hold).
struct RawRows {
    rows: BTreeMap<usize, Vec<(usize, String)>>,
    cells: usize,
    max_rows: usize,
}

impl RawRows {
    fn new(max_rows: usize) -> Self {
        Self { rows: BTreeMap::new(), cells: 0, max_rows }
    }

    /// Add a cell at 0-based `row`, `col` (ignored when empty after cleaning).
    fn push(&mut self, row: usize, col: usize, text: &str) -> Result<(), TableError> {
        let text = clean_cell(text);
        if text.is_empty() {
            return Ok(());
        }
        self.rows.entry(row).or_default().push((col, text));
        // The header plus the data rows; rows with cells only outside the
        // header's columns count here too, which only matters for odd files.
        let rows = self.max_rows.saturating_add(1);
        if self.rows.len() > rows {
            return Err(TableError::TooManyRows { max: self.max_rows });
        }
        self.cells += 1;
        if self.cells > rows.saturating_mul(MAX_COLUMNS) {
            return Err(TableError::TooLarge);
        }
        Ok(())
    }

    fn finish(self) -> Vec<RawRow> {
        self.rows.into_iter().map(|(row, cells)| RawRow { line: row.saturating_add(1), cells }).collect()
    }
}

/// Trim (Unicode whitespace, BOM, zero-width space) and undo the formula
/// escape [`escape_formula`] adds, so exported files read back unchanged.
fn clean_cell(s: &str) -> String {
    let t = trim(s);
    match t.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_TRIGGERS) => trim(rest).to_owned(),
        _ => t.to_owned(),
    }
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}')
}

fn normalize_header(s: &str) -> String {
    let mut h: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}' && *c != '\u{200b}')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '＊' => '*',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    loop {
        let before = h.len();
        for suffix in ["(必填)", "*"] {
            if let Some(rest) = h.strip_suffix(suffix) {
                h.truncate(rest.len());
            }
        }
        if let Some(rest) = h.strip_prefix('*') {
            h = rest.to_owned();
        }
        if h.len() == before {
            return h;
        }
    }
}

// --- spreadsheets ----------------------------------------------------------

fn read_xlsx(bytes: &[u8], max_rows: usize) -> Result<Vec<RawRow>, TableError> {
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
fn open_xlsx(bytes: &[u8]) -> Result<Xlsx<Cursor<&[u8]>>, TableError> {
    zip_precheck(bytes)?;
    Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)
}

fn xlsx_error(e: XlsxError) -> TableError {
    match e {
        XlsxError::Password => TableError::Password,
        _ => TableError::Corrupt,
    }
}

/// The first visible worksheet (what Excel shows on opening), else the first
/// worksheet of any visibility.
fn first_sheet(sheets: &[calamine::Sheet]) -> Option<String> {
    let work = || sheets.iter().filter(|s| s.typ == SheetType::WorkSheet);
    work().find(|s| s.visible == SheetVisible::Visible).or_else(|| work().next()).map(|s| s.name.clone())
}

fn data_ref_text<'a>(d: &'a DataRef<'_>) -> Cow<'a, str> {
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

fn bool_text(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

/// Whole numbers without ".0" and never in exponent form (an 18-digit code
/// stored as a number must not become "1.10101E+17"); other numbers with at
/// most 6 decimals, trailing zeros removed.
fn number_text(f: f64) -> String {
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
fn excel_datetime_text(dt: &ExcelDateTime) -> String {
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
fn add_second(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> (u16, u8, u8, u8, u8, u8) {
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
fn iso_datetime_text(s: &str) -> String {
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

/// The largest part (declared uncompressed size) an .xlsx may have.
const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;

/// The largest `uniqueCount` accepted in the shared-strings part.
const MAX_SHARED_STRINGS: u64 = 5_000_000;

fn zip_precheck(bytes: &[u8]) -> Result<(), TableError> {
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

fn find_all<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    hay.windows(needle.len()).enumerate().filter(move |(_, w)| *w == needle).map(|(i, _)| i)
}

fn le16(b: &[u8], at: usize) -> Option<usize> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(usize::from(u16::from_le_bytes([s[0], s[1]])))
}

fn le32(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]])))
}

fn le64(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(u64::from_le_bytes(a))
}

/// The extra-field blocks: (id, body).
fn extra_blocks(extra: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
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
struct CentralEntry {
    /// The name and any Info-ZIP Unicode Path (0x7075), lowercased, '/'.
    names: Vec<String>,
    method: usize,
    compressed: u64,
    /// Declared uncompressed size (ZIP64 included; unknown = u64::MAX).
    size: u64,
}

impl CentralEntry {
    fn parse(b: &[u8], at: usize) -> Option<CentralEntry> {
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
fn local_data(b: &[u8], at: usize) -> Option<&[u8]> {
    let name_len = le16(b, at + 26)?;
    let extra_len = le16(b, at + 28)?;
    b.get(at + 30 + name_len + extra_len..)
}

/// Whether any `uniqueCount` number in the XML is above the limit (read the
/// way a lenient parser would: quotes, spaces, '+' and leading zeros skipped).
fn unique_count_too_large(xml: &[u8]) -> bool {
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
fn inflate(data: &[u8], cap: usize) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    let _ = flate2::read::DeflateDecoder::new(data).take(cap as u64).read_to_end(&mut out);
    out
}

// --- CSV ---------------------------------------------------------------------

fn read_csv(bytes: &[u8], max_rows: usize) -> Result<Vec<RawRow>, TableError> {
    let text = decode_text(bytes);
    let delimiter = csv_delimiter(&text);
    if let Some(line) = unclosed_quote_line(&text, delimiter) {
        return Err(TableError::Csv {
            line, reason: "引号未闭合（以引号开头的单元格缺少结束引号）".to_owned()
        });
    }
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut raw = RawRows::new(max_rows);
    let mut record = csv::StringRecord::new();
    let mut index = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // The line where the record starts; `index` only keeps rows
                // apart should a position ever be missing.
                let line = record.position().map_or(index + 1, |p| record_line(&text, p));
                let row = line.saturating_sub(1).max(index);
                for (col, field) in record.iter().enumerate() {
                    raw.push(row, col, field)?;
                }
                index = row + 1;
            }
            Err(e) => {
                let line = e.position().map_or(index + 1, |p| p.line() as usize);
                return Err(TableError::Csv { line, reason: e.to_string() });
            }
        }
    }
    Ok(raw.finish())
}

/// The line a record starts on. csv reports where it began looking for the
/// record, which is before any blank lines (and the "\n" of a "\r\n") that
/// it skipped.
fn record_line(text: &str, p: &csv::Position) -> usize {
    let from = usize::try_from(p.byte()).unwrap_or(usize::MAX);
    let skipped = text
        .as_bytes()
        .get(from..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .filter(|b| **b == b'\n')
        .count();
    usize::try_from(p.line()).unwrap_or(usize::MAX).saturating_add(skipped)
}

/// UTF-8 (BOM removed), UTF-16 with a BOM (Excel's "Unicode text"), else
/// GB18030, the superset of the GBK that Excel in China writes CSV in.
fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return encoding_rs::UTF_16LE.decode_with_bom_removal(bytes).0;
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return encoding_rs::UTF_16BE.decode_with_bom_removal(bytes).0;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0,
    }
}

/// ',' unless the first non-blank line has tabs and no commas.
fn csv_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.contains('\t') && !first.contains(',') { b'\t' } else { b',' }
}

/// The line of a quoted field that is never closed (the csv crate would
/// silently read the rest of the file into that one cell).
fn unclosed_quote_line(text: &str, delimiter: u8) -> Option<usize> {
    let mut line = 1usize;
    let mut field_start = true;
    let mut quoted_since: Option<usize> = None;
    let mut bytes = text.bytes().peekable();
    while let Some(b) = bytes.next() {
        if quoted_since.is_some() {
            match b {
                b'"' if bytes.peek() == Some(&b'"') => {
                    bytes.next();
                }
                b'"' => quoted_since = None,
                b'\n' => line += 1,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' if field_start => {
                quoted_since = Some(line);
                field_start = false;
            }
            b'\n' => {
                line += 1;
                field_start = true;
            }
            b'\r' => field_start = true,
            b if b == delimiter => field_start = true,
            _ => field_start = false,
        }
    }
    quoted_since
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// A cell to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Written as text (never as a formula), after [`escape_formula`].
    Text(String),
    /// Written as a number; beyond 15 digits, which Excel cannot hold, as text.
    Int(i64),
    /// Written as a date formatted "yyyy-mm-dd".
    Date(time::Date),
    Empty,
}

const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Prefix `'` when `s` starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return, so that a spreadsheet never evaluates user text as a formula
/// (OWASP "CSV injection").
pub fn escape_formula(s: &str) -> Cow<'_, str> {
    if s.starts_with(FORMULA_TRIGGERS) { Cow::Owned(format!("'{s}")) } else { Cow::Borrowed(s) }
}

/// An .xlsx with one sheet: a bold, grey, frozen header row and the rows.
pub fn write_xlsx(
    sheet_name: &str,
    headers: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell>>,
) -> Result<Vec<u8>, TableError> {
    write_xlsx_sheets(vec![Sheet {
        name: sheet_name.to_owned(),
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows: rows.into_iter().collect(),
    }])
}

/// One sheet of a workbook.
pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// An .xlsx with several sheets, each with a bold, grey, frozen header row.
pub fn write_xlsx_sheets(sheets: Vec<Sheet>) -> Result<Vec<u8>, TableError> {
    let mut wb = Workbook::new();
    let header_format = header_format();
    let formats = CellFormats::new();
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_title(&sheet.name))?;
        let mut widths = Widths::default();
        for (c, h) in sheet.headers.iter().enumerate() {
            let col = column_number(c)?;
            ws.write_string_with_format(0, col, escape_formula(h), &header_format)?;
            widths.see(c, display_width(h) + 2);
        }
        for (i, row) in sheet.rows.into_iter().enumerate() {
            let r = row_number(i + 1)?;
            for (c, cell) in row.into_iter().enumerate() {
                let w = write_cell(ws, r, column_number(c)?, &cell, &formats)?;
                widths.see(c, w);
            }
        }
        widths.apply(ws)?;
        ws.set_freeze_panes(1, 0)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// An import template: the headers (required ones in red with a trailing
/// "*", which [`Table::column`] ignores), one example row, columns formatted
/// as text so that typed codes keep their digits, and a second sheet
/// "填写说明" with one note per row.
///
/// The example row is an ordinary row: an import reads it unless the user
/// deletes it.
pub fn write_template(
    sheet_name: &str,
    headers: &[&str],
    required: &[&str],
    example: Vec<Cell>,
    notes: &[&str],
) -> Result<Vec<u8>, TableError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet_title(sheet_name))?;
    let header_format = header_format();
    let required_format = header_format.clone().set_font_color(Color::RGB(0xC0_00_00));
    let text_format = Format::new().set_num_format("@");
    let formats = CellFormats::new();
    let mut widths = Widths::default();
    for (c, h) in headers.iter().enumerate() {
        let col = column_number(c)?;
        let is_required = required.contains(h);
        let title =
            if is_required && !h.trim_end().ends_with(['*', '＊']) { format!("{h}*") } else { (*h).to_owned() };
        let format = if is_required { &required_format } else { &header_format };
        ws.write_string_with_format(0, col, escape_formula(&title), format)?;
        // Whatever the user types below stays text: an 18-digit code typed
        // into a "General" cell would lose its last digits.
        ws.set_column_format(col, &text_format)?;
        widths.see(c, display_width(&title) + 2);
    }
    for (c, cell) in example.into_iter().enumerate() {
        let w = write_cell(ws, 1, column_number(c)?, &cell, &formats)?;
        widths.see(c, w);
    }
    widths.apply(ws)?;
    ws.set_freeze_panes(1, 0)?;

    let notes_sheet = wb.add_worksheet();
    notes_sheet.set_name(if sheet_title(sheet_name) == NOTES_SHEET { "填写说明(2)" } else { NOTES_SHEET })?;
    let wrap = Format::new().set_text_wrap();
    let mut note_width = 20;
    for (i, note) in notes.iter().enumerate() {
        // The notes are the application's own text: written as they are.
        notes_sheet.write_string_with_format(row_number(i)?, 0, fit_text(note), &wrap)?;
        note_width = note_width.max(display_width(note) + 2);
    }
    notes_sheet.set_column_width(0, note_width.min(100) as f64)?;
    Ok(wb.save_to_buffer()?)
}

struct CellFormats {
    date: Format,
}

impl CellFormats {
    fn new() -> Self {
        Self { date: Format::new().set_num_format("yyyy-mm-dd") }
    }
}

fn header_format() -> Format {
    Format::new().set_bold().set_background_color(Color::RGB(0xD9_D9_D9))
}

/// Write one cell; returns the width it needs.
fn write_cell(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell, f: &CellFormats) -> Result<usize, TableError> {
    Ok(match cell {
        Cell::Text(s) => {
            let s = escape_formula(s);
            let s = fit_text(&s);
            ws.write_string(row, col, s.as_ref())?;
            display_width(&s)
        }
        Cell::Int(i) => {
            let text = i.to_string();
            if i.unsigned_abs() <= 999_999_999_999_999 {
                ws.write_number(row, col, *i as f64)?;
            } else {
                // Excel keeps 15 significant digits: larger numbers as text.
                ws.write_string(row, col, text.as_str())?;
            }
            text.len()
        }
        Cell::Date(d) => {
            let excel = u16::try_from(d.year())
                .ok()
                .and_then(|y| rust_xlsxwriter::ExcelDateTime::from_ymd(y, u8::from(d.month()), d.day()).ok());
            match excel {
                Some(dt) => {
                    ws.write_datetime_with_format(row, col, &dt, &f.date)?;
                }
                // Outside Excel's 1900–9999: as text.
                None => {
                    ws.write_string(row, col, date_text(*d))?;
                }
            }
            12
        }
        Cell::Empty => 0,
    })
}

fn date_text(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Cut text to what an Excel cell holds (32,767 UTF-16 units).
fn fit_text(s: &str) -> Cow<'_, str> {
    if s.len() <= EXCEL_MAX_TEXT {
        return Cow::Borrowed(s);
    }
    let mut units = 0;
    let end = s
        .char_indices()
        .find(|(_, c)| {
            units += c.len_utf16();
            units > EXCEL_MAX_TEXT
        })
        .map_or(s.len(), |(i, _)| i);
    Cow::Borrowed(&s[..end])
}

fn row_number(i: usize) -> Result<u32, TableError> {
    if i >= EXCEL_MAX_ROWS {
        return Err(TableError::Write(format!("行数超过 Excel 工作表上限（{EXCEL_MAX_ROWS} 行）")));
    }
    u32::try_from(i).map_err(|_| TableError::Write("行号超出范围".to_owned()))
}

fn column_number(i: usize) -> Result<u16, TableError> {
    u16::try_from(i)
        .ok()
        .filter(|c| *c < 16_384)
        .ok_or_else(|| TableError::Write("列数超过 Excel 工作表上限（16384 列）".to_owned()))
}

/// A valid worksheet name: no []:*?/\, not quoted, at most 31 characters.
fn sheet_title(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '_' } else { c }).collect();
    let cleaned: String = cleaned.trim().chars().take(31).collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim().to_owned();
    if cleaned.is_empty() || cleaned.eq_ignore_ascii_case("history") { "Sheet1".to_owned() } else { cleaned }
}

/// Column widths from content, in Excel's character units.
#[derive(Default)]
struct Widths(Vec<usize>);

impl Widths {
    fn see(&mut self, col: usize, width: usize) {
        if self.0.len() <= col {
            self.0.resize(col + 1, 0);
        }
        if let Some(w) = self.0.get_mut(col) {
            *w = (*w).max(width);
        }
    }

    fn apply(&self, ws: &mut Worksheet) -> Result<(), TableError> {
        for (c, w) in self.0.iter().enumerate() {
            let width = (w + 2).clamp(8, MAX_WIDTH);
            ws.set_column_width(column_number(c)?, width as f64)?;
        }
        Ok(())
    }
}

/// Width of the longest line, CJK and other wide characters counting 2.
fn display_width(s: &str) -> usize {
    s.lines().map(|l| l.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()).max().unwrap_or(0)
}

fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x20000..=0x3FFFD)
}

// ---------------------------------------------------------------------------

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use calamine::Data;

    use super::*;

    const OPENPYXL: &[u8] = include_bytes!("tabular_fixtures/openpyxl.xlsx");
    const GBK_CSV: &[u8] = include_bytes!("tabular_fixtures/gbk.csv");
    const LEGACY_XLS: &[u8] = include_bytes!("tabular_fixtures/legacy.xls");
    const UNIQUE_COUNT: &[u8] = include_bytes!("tabular_fixtures/unique_count.xlsx");

    fn lines(t: &Table) -> Vec<usize> {
        t.rows.iter().map(|r| r.line).collect()
    }

    fn cells(t: &Table) -> Vec<Vec<&str>> {
        t.rows.iter().map(|r| r.cells.iter().map(String::as_str).collect()).collect()
    }

    fn date(y: i32, m: u8, d: u8) -> time::Date {
        time::Month::try_from(m)
            .ok()
            .and_then(|m| time::Date::from_calendar_date(y, m, d).ok())
            .expect("valid date in test")
    }

    /// A tiny deterministic generator for the no-panic loops.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next() as u8).collect()
        }
    }

    // --- CSV ---

    #[test]
    fn csv_utf8_with_bom() {
        let t = read_table("a.csv", "\u{feff}姓名,电话\n张三,13800000000\n".as_bytes(), 10).unwrap();
        assert_eq!(t.headers, ["姓名", "电话"]);
        assert_eq!(cells(&t), [["张三", "13800000000"]]);
        assert_eq!(lines(&t), [2]);
        assert_eq!(t.column(&["姓名"]), Some(0));
    }

    #[test]
    fn csv_utf8_without_bom() {
        let t = read_table("a.CSV", "姓名,备注\r\n 李四 ,\u{3000}你好\u{3000}\r\n".as_bytes(), 10).unwrap();
        assert_eq!(t.headers, ["姓名", "备注"]);
        assert_eq!(cells(&t), [["李四", "你好"]]);
    }

    #[test]
    fn csv_gbk_encoded_in_test() {
        let text = "单位名称,统一社会信用代码\r\n东营市爱心志愿者协会,51370500MJD123456X\r\n鑫淼（垚）协会,\r\n";
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err(), "the test input must not be UTF-8");
        let t = read_table("导出.csv", &bytes, 10).unwrap();
        assert_eq!(t.headers, ["单位名称", "统一社会信用代码"]);
        assert_eq!(cells(&t), [["东营市爱心志愿者协会", "51370500MJD123456X"], ["鑫淼（垚）协会", ""]]);
        assert_eq!(lines(&t), [2, 3]);
    }

    #[test]
    fn csv_gbk_fixture_from_python() {
        let t = read_table("gbk.csv", GBK_CSV, 10).unwrap();
        assert_eq!(t.headers, ["姓名", "身份证号", "备注"]);
        assert_eq!(cells(&t), vec![vec!["张三", "110101199001011234", "多行\r\n备注"], vec!["李四", "", "普通"]]);
        // The multi-line record starts on line 2; line 4 is empty, line 5 is ",,".
        assert_eq!(lines(&t), [2, 6]);
    }

    #[test]
    fn csv_tab_separated_and_utf16() {
        let t = read_table("a.txt", "姓名\t地址\n王五\t东营区, 府前大街\n".as_bytes(), 10).unwrap();
        assert_eq!(t.headers, ["姓名", "地址"]);
        assert_eq!(cells(&t), [["王五", "东营区, 府前大街"]]);

        // Excel's "Unicode 文本": UTF-16LE with a BOM, tab separated.
        let mut bytes = vec![0xFF, 0xFE];
        for u in "姓名\t年龄\r\n赵六\t30\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let t = read_table("a.txt", &bytes, 10).unwrap();
        assert_eq!(t.headers, ["姓名", "年龄"]);
        assert_eq!(cells(&t), [["赵六", "30"]]);
    }

    #[test]
    fn csv_multiline_cells_keep_their_starting_line() {
        let text = "名称,备注\n甲,\"第一行\n第二行\n第三行\"\n乙,x\n\"丙\n\",y\r\n丁,z";
        let t = read_table("a.csv", text.as_bytes(), 10).unwrap();
        assert_eq!(lines(&t), [2, 5, 6, 8]);
        assert_eq!(t.rows[0].get(Some(1)), "第一行\n第二行\n第三行");
        assert_eq!(t.rows[2].get(Some(0)), "丙");
        assert_eq!(t.rows[2].get(Some(1)), "y");
        assert_eq!(t.rows[3].cells, ["丁", "z"]);
    }

    #[test]
    fn blank_rows_are_skipped_and_line_numbers_kept() {
        let text = "\n\n  ,  \n姓名,电话,,\n\n甲,1\n , \n,,,\n乙,2,,\n";
        let t = read_table("a.csv", text.as_bytes(), 10).unwrap();
        assert_eq!(t.headers, ["姓名", "电话"], "trailing empty header columns removed");
        assert_eq!(cells(&t), [["甲", "1"], ["乙", "2"]]);
        assert_eq!(lines(&t), [6, 9]);
    }

    #[test]
    fn csv_unclosed_quote_is_an_error_with_its_line() {
        let e = read_table("a.csv", "a,b\n1,2\n3,\"oops\n4,5\n".as_bytes(), 10).unwrap_err();
        assert!(matches!(e, TableError::Csv { line: 3, .. }), "{e:?}");
        assert!(e.to_string().starts_with("CSV 文件第 3 行格式有误"), "{e}");
        // Escaped quotes and quotes inside unquoted fields are fine.
        let t = read_table("a.csv", "a,b\n\"x\"\"y\",5\"6\n".as_bytes(), 10).unwrap();
        assert_eq!(cells(&t), [["x\"y", "5\"6"]]);
    }

    #[test]
    fn column_matching_normalizes_headers() {
        let t = Table {
            headers: ["统一社会信用代码*", "名称（必填）", " 成立 日期 ", "＊联系人", "备注(必填) *", "ID"]
                .map(String::from)
                .to_vec(),
            rows: vec![],
        };
        assert_eq!(t.column(&["统一社会信用代码"]), Some(0));
        assert_eq!(t.column(&["单位名称", "名称"]), Some(1));
        assert_eq!(t.column(&["成立日期"]), Some(2));
        assert_eq!(t.column(&["联系人"]), Some(3));
        assert_eq!(t.column(&["备注"]), Some(4));
        assert_eq!(t.column(&["名称(必填)"]), Some(1));
        assert_eq!(t.column(&["id"]), Some(5));
        assert_eq!(t.column(&["电话"]), None);
        assert_eq!(t.column(&[""]), None);
        let row = Row { line: 2, cells: vec!["a".into()] };
        assert_eq!(row.get(Some(0)), "a");
        assert_eq!(row.get(Some(3)), "");
        assert_eq!(row.get(None), "");
    }

    // --- xlsx written by another program ---

    #[test]
    fn reads_openpyxl_fixture_exactly() {
        let t = read_table("名单.xlsx", OPENPYXL, 10).unwrap();
        assert_eq!(
            t.headers,
            ["统一社会信用代码*", "名称（必填）", "成立日期", "从业人员", "金额", "是否年检", "登记时间", "备注"]
        );
        assert_eq!(lines(&t), [2, 5], "row 3 is empty, row 4 only has spaces");
        assert_eq!(
            cells(&t),
            vec![
                vec![
                    "51370500MJD123456X",
                    "东营市爱心志愿者协会",
                    "2019-05-08",
                    "6",
                    "1234.5",
                    "是",
                    "2024-03-01 08:30:00",
                    "第一行\n第二行",
                ],
                vec![
                    "110101199001011234",
                    "某某协会",
                    "2020-12-31",
                    "120",
                    "0.3",
                    "否",
                    // Stored as the number 1.101011990010112e+17: the digits
                    // are already lost in the file, but no exponent form.
                    "110101199001011200",
                    // A formula without a cached value.
                    "",
                ],
            ]
        );
        assert_eq!(t.column(&["统一社会信用代码"]), Some(0));
        assert_eq!(t.column(&["名称"]), Some(1));
        // Same content under another name: detection is by content.
        assert_eq!(read_table("upload", OPENPYXL, 10).unwrap(), t);
        assert_eq!(read_table("名单.csv", OPENPYXL, 10).unwrap(), t);
    }

    #[test]
    fn legacy_formats_are_refused() {
        let e = read_table("名单.xls", LEGACY_XLS, 10).unwrap_err();
        assert_eq!(e, TableError::SaveAsXlsx);
        assert_eq!(e.to_string(), "不支持旧版 .xls 或 .ods 格式：请在 Excel 或 WPS 中将文件另存为 .xlsx 后再上传");
        assert_eq!(read_table("名单.xlsx", LEGACY_XLS, 10), Err(TableError::SaveAsXlsx), "detected by content");
        assert_eq!(read_table("a.ods", b"not a zip", 10), Err(TableError::SaveAsXlsx));
        assert_eq!(read_table("a.ods", OPENPYXL, 10), Err(TableError::SaveAsXlsx));
        assert_eq!(read_table("a.xls", OPENPYXL, 10).map(|t| t.rows.len()), Ok(2), "an .xlsx named .xls");
        // A password-protected .xlsx is an OLE file with an EncryptedPackage stream.
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.resize(1024, 0);
        ole.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(read_table("a.xlsx", &ole, 10), Err(TableError::Password));
    }

    // --- writing ---

    #[test]
    fn xlsx_round_trip_returns_the_same_strings() {
        let headers = ["统一社会信用代码", "名称", "人数", "成立日期", "备注"];
        let rows = vec![
            vec![
                Cell::Text("110101199001011234".into()),
                Cell::Text("东营市爱心志愿者协会".into()),
                Cell::Int(120),
                Cell::Date(date(2019, 5, 8)),
                Cell::Text("第一行\n第二行".into()),
            ],
            vec![Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty],
            vec![
                Cell::Text("51370500MJD123456X".into()),
                Cell::Text("=1+1".into()),
                Cell::Int(-5),
                Cell::Empty,
                Cell::Text("-".into()),
            ],
            vec![Cell::Text("0012".into()), Cell::Text("@SUM(A1)".into()), Cell::Int(1_234_567_890_123_456_789)],
        ];
        let bytes = write_xlsx("社会组织", &headers, rows).unwrap();
        let t = read_table("导出.xlsx", &bytes, 10).unwrap();
        assert_eq!(t.headers, headers);
        assert_eq!(lines(&t), [2, 4, 5]);
        assert_eq!(
            cells(&t),
            vec![
                vec!["110101199001011234", "东营市爱心志愿者协会", "120", "2019-05-08", "第一行\n第二行"],
                vec!["51370500MJD123456X", "=1+1", "-5", "", "-"],
                vec!["0012", "@SUM(A1)", "1234567890123456789", "", ""],
            ]
        );
    }

    #[test]
    fn xlsx_text_is_never_a_formula() {
        let rows = vec![vec![Cell::Text("=1+1".into()), Cell::Int(-5), Cell::Text("+86 138".into())]];
        let bytes = write_xlsx("表", &["a", "b", "c"], rows).unwrap();
        let mut wb = Xlsx::new(Cursor::new(bytes.as_slice())).unwrap();
        let formulas = wb.worksheet_formula("表").unwrap();
        assert!(formulas.used_cells().next().is_none(), "no formulas in the sheet");
        let range = wb.worksheet_range("表").unwrap();
        assert_eq!(range.get_value((1, 0)), Some(&Data::String("'=1+1".into())));
        assert_eq!(range.get_value((1, 1)), Some(&Data::Float(-5.0)), "numbers are not escaped");
        assert_eq!(range.get_value((1, 2)), Some(&Data::String("'+86 138".into())));
        assert_eq!(range.get_value((0, 0)), Some(&Data::String("a".into())));
    }

    #[test]
    fn escape_formula_cases() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\",\"y\")"] {
            assert_eq!(escape_formula(s), format!("'{s}"), "{s:?}");
            assert_eq!(clean_cell(&escape_formula(s)), trim(s), "reading undoes the escape");
        }
        for s in ["", "东营", "a=b", " =1", "1-2", "'quoted", "51370500MJD123456X"] {
            assert!(matches!(escape_formula(s), Cow::Borrowed(b) if b == s), "{s:?}");
        }
    }

    #[test]
    fn large_ints_stay_exact() {
        let bytes =
            write_xlsx("s", &["n"], vec![vec![Cell::Int(i64::MIN)], vec![Cell::Int(999_999_999_999_999)]]).unwrap();
        let mut wb = Xlsx::new(Cursor::new(bytes.as_slice())).unwrap();
        let range = wb.worksheet_range("s").unwrap();
        assert_eq!(range.get_value((1, 0)), Some(&Data::String(i64::MIN.to_string())));
        assert_eq!(range.get_value((2, 0)), Some(&Data::Float(999_999_999_999_999.0)));
        let t = read_table("s.xlsx", &bytes, 10).unwrap();
        assert_eq!(cells(&t), [[i64::MIN.to_string()], ["999999999999999".to_owned()]]);
    }

    #[test]
    fn xlsx_dates_are_dates() {
        let bytes =
            write_xlsx("s", &["d"], vec![vec![Cell::Date(date(2024, 2, 29))], vec![Cell::Date(date(1800, 1, 1))]])
                .unwrap();
        let mut wb = Xlsx::new(Cursor::new(bytes.as_slice())).unwrap();
        let range = wb.worksheet_range("s").unwrap();
        assert!(matches!(range.get_value((1, 0)), Some(Data::DateTime(_))));
        assert_eq!(range.get_value((2, 0)), Some(&Data::String("1800-01-01".into())), "outside Excel's range");
        let t = read_table("s.xlsx", &bytes, 10).unwrap();
        assert_eq!(cells(&t), [["2024-02-29"], ["1800-01-01"]]);
    }

    #[test]
    fn odd_sheet_names_are_made_valid() {
        for name in [
            "a/b:c*?[x]",
            "",
            "'引号'",
            "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三",
            "History",
        ] {
            let bytes = write_xlsx(name, &["h"], vec![vec![Cell::Text("v".into())]]).unwrap();
            let t = read_table("x.xlsx", &bytes, 10).unwrap();
            assert_eq!(cells(&t), [["v"]], "{name:?}");
        }
    }

    #[test]
    fn template_reads_back_and_has_notes() {
        let headers = ["统一社会信用代码", "名称", "人数", "成立日期", "备注"];
        let example = vec![
            Cell::Text("51370500MJD123456X".into()),
            Cell::Text("东营市爱心志愿者协会".into()),
            Cell::Int(6),
            Cell::Date(date(2019, 5, 8)),
            Cell::Empty,
        ];
        let notes = ["1. 带 * 的列为必填项。", "- 日期格式：2024-01-31", "=不是公式"];
        let bytes = write_template("社会组织", &headers, &["名称", "统一社会信用代码"], example, &notes).unwrap();

        let t = read_table("模板.xlsx", &bytes, 10).unwrap();
        assert_eq!(t.headers, ["统一社会信用代码*", "名称*", "人数", "成立日期", "备注"]);
        for (i, h) in headers.iter().enumerate() {
            assert_eq!(t.column(&[h]), Some(i), "{h}");
        }
        assert_eq!(cells(&t), [["51370500MJD123456X", "东营市爱心志愿者协会", "6", "2019-05-08", ""]]);
        assert_eq!(lines(&t), [2]);

        let mut wb = Xlsx::new(Cursor::new(bytes.as_slice())).unwrap();
        assert_eq!(wb.sheet_names(), ["社会组织", NOTES_SHEET]);
        let range = wb.worksheet_range(NOTES_SHEET).unwrap();
        let got: Vec<String> = range.rows().map(|r| r[0].to_string()).collect();
        assert_eq!(got, notes);
        let styles = wb.worksheet_style("社会组织").unwrap();
        let red = |pos| styles.get(pos).and_then(|s| s.font.as_ref()).and_then(|f| f.color).map(|c| c.to_string());
        assert!(red((0, 1)).is_some_and(|c| c.contains("C00000")), "{:?}", red((0, 1)));
        assert!(!red((0, 2)).is_some_and(|c| c.contains("C00000")), "{:?}", red((0, 2)));
    }

    // --- cell texts ---

    #[test]
    fn numbers_read_as_users_expect() {
        assert_eq!(number_text(120.0), "120");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(110101199001011234.0), "110101199001011232");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(1234.5), "1234.5");
        assert_eq!(number_text(118.582184), "118.582184");
        assert_eq!(number_text(2.9999999), "3");
        assert_eq!(number_text(-1.25), "-1.25");
        assert_eq!(number_text(0.0000001), "0.0000001");
        assert_eq!(number_text(f64::NAN), "");
    }

    #[test]
    fn excel_dates_and_times() {
        use calamine::ExcelDateTimeType::{DateTime, TimeDelta};
        let text = |v, kind| excel_datetime_text(&ExcelDateTime::new(v, kind, false));
        assert_eq!(text(43593.0, DateTime), "2019-05-08");
        assert_eq!(text(45352.354166666664, DateTime), "2024-03-01 08:30:00");
        assert_eq!(text(45352.99999999, DateTime), "2024-03-02");
        assert_eq!(text(45352.0000058, DateTime), "2024-03-01 00:00:01", "half a second rounds up");
        assert_eq!(text(0.5, DateTime), "12:00:00");
        assert_eq!(text(1.5, TimeDelta), "36:00:00");
        assert_eq!(excel_datetime_text(&ExcelDateTime::new(0.0, DateTime, true)), "00:00:00");
        assert_eq!(excel_datetime_text(&ExcelDateTime::new(1.0, DateTime, true)), "1904-01-02");
        assert_eq!(iso_datetime_text("2024-03-01T00:00:00"), "2024-03-01");
        assert_eq!(iso_datetime_text("2024-03-01T08:30:00.123Z"), "2024-03-01 08:30:00");
        assert_eq!(iso_datetime_text("2024-03-01"), "2024-03-01");
        assert_eq!(iso_datetime_text("08:30:00"), "08:30:00");
        assert_eq!(iso_datetime_text("PT1H"), "PT1H");
    }

    #[test]
    fn display_width_counts_cjk_double() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("东营市"), 6);
        assert_eq!(display_width("（甲）a"), 7);
        assert_eq!(display_width("短\n更长一些"), 8);
    }

    // --- malformed input ---

    #[test]
    fn errors_for_bad_files() {
        assert_eq!(read_table("x.exe", b"MZ\x90\x00\x03", 10), Err(TableError::UnsupportedType));
        assert_eq!(read_table("x.exe", b"a,b\n1,2\n", 10), Err(TableError::UnsupportedType));
        assert_eq!(read_table("noext", b"a,b\n1,2\n", 10), Err(TableError::UnsupportedType));
        assert_eq!(TableError::UnsupportedType.to_string(), "不支持的文件类型：请上传 .xlsx 或 .csv 文件");
        assert_eq!(read_table("x.csv", b"", 10), Err(TableError::NoHeader));
        assert_eq!(read_table("x.xlsx", b"", 10), Err(TableError::NoHeader));
        assert_eq!(read_table("x.csv", b"\xEF\xBB\xBF\r\n , \r\n", 10), Err(TableError::NoHeader));
        assert_eq!(TableError::NoHeader.to_string(), "文件中没有表头行");

        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        let noise = rng.bytes(4096);
        assert_eq!(read_table("x.xlsx", &noise, 10), Err(TableError::Corrupt));
        let mut zipish = b"PK\x03\x04".to_vec();
        zipish.extend_from_slice(&noise);
        assert_eq!(read_table("x.xlsx", &zipish, 10), Err(TableError::Corrupt));
        assert_eq!(read_table("x.xls", &noise, 10), Err(TableError::SaveAsXlsx));
        assert_eq!(TableError::Corrupt.to_string(), "无法读取该 Excel 文件：文件已损坏或不是有效的 .xlsx");

        for cut in [10, OPENPYXL.len() / 2, OPENPYXL.len() - 10] {
            assert_eq!(read_table("x.xlsx", &OPENPYXL[..cut], 10), Err(TableError::Corrupt), "cut at {cut}");
        }
    }

    #[test]
    fn too_many_rows() {
        let mut text = String::from("a,b\n");
        for i in 0..6 {
            text.push_str(&format!("{i},x\n\n"));
        }
        assert_eq!(read_table("a.csv", text.as_bytes(), 6).map(|t| t.rows.len()), Ok(6), "blank rows don't count");
        let e = read_table("a.csv", text.as_bytes(), 5).unwrap_err();
        assert_eq!(e, TableError::TooManyRows { max: 5 });
        assert_eq!(e.to_string(), "文件超过 5 行，请拆分后再导入");

        let rows = (0..20).map(|i| vec![Cell::Int(i)]);
        let bytes = write_xlsx("s", &["n"], rows).unwrap();
        assert_eq!(read_table("s.xlsx", &bytes, 19), Err(TableError::TooManyRows { max: 19 }));
        assert_eq!(read_table("s.xlsx", &bytes, 20).map(|t| t.rows.len()), Ok(20));
    }

    #[test]
    fn too_many_columns() {
        let mut header: Vec<String> = (0..MAX_COLUMNS).map(|i| format!("c{i}")).collect();
        let t = read_table("a.csv", format!("{}\n1\n", header.join(",")).as_bytes(), 10).unwrap();
        assert_eq!(t.headers.len(), MAX_COLUMNS);
        header.push("more".into());
        let e = read_table("a.csv", format!("{}\n1\n", header.join(",")).as_bytes(), 10).unwrap_err();
        assert_eq!(e, TableError::TooManyColumns { max: MAX_COLUMNS });
    }

    // --- the ZIP pre-check ---

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn inflate_reproduces_every_deflated_entry() {
        let written = write_xlsx("s", &["名称"], (0..300).map(|i| vec![Cell::Text(format!("第 {i} 个"))])).unwrap();
        let mut checked = 0;
        for file in [OPENPYXL, UNIQUE_COUNT, written.as_slice()] {
            for at in find_all(file, b"PK\x01\x02") {
                let entry = CentralEntry::parse(file, at).unwrap();
                let crc = le32(file, at + 16).unwrap();
                let local = usize::try_from(le32(file, at + 42).unwrap()).unwrap();
                let data = &local_data(file, local).unwrap()[..entry.compressed as usize];
                let out = inflate(data, usize::MAX);
                assert_eq!(entry.method, 8, "{:?}", entry.names);
                assert_eq!(out.len() as u64, entry.size);
                assert_eq!(u64::from(crc32(&out)), crc, "{:?}", entry.names);
                // Capped output is exactly the first bytes.
                let half = out.len() / 2;
                assert_eq!(inflate(data, half), out[..half].to_vec());
                checked += 1;
            }
        }
        assert!(checked >= 25, "{checked}");
    }

    #[test]
    fn inflate_stored_broken_and_capped() {
        assert_eq!(inflate(b"\x01\x03\x00\xFC\xFFabc", 10), b"abc".to_vec());
        assert_eq!(inflate(b"\x01\x03\x00\xFC\xFFabc", 2), b"ab".to_vec());
        assert!(inflate(b"\x07", 10).is_empty(), "block type 3");
        assert!(inflate(b"", 10).is_empty());
    }

    #[test]
    fn refuses_a_huge_shared_strings_count() {
        // Without the pre-check this aborts the whole test process.
        assert_eq!(read_table("x.xlsx", UNIQUE_COUNT, 10), Err(TableError::Corrupt));
        assert!(unique_count_too_large(b"<sst count=\"1\" uniqueCount=\"100000000000\">"));
        assert!(unique_count_too_large(b"<sst uniqueCount = '+0005000001'>"));
        assert!(!unique_count_too_large(b"<sst count=\"9\" uniqueCount=\"5000000\">"));
        assert!(!unique_count_too_large(b"<sst uniqueCount=\"&#49;\">"));
    }

    #[test]
    fn refuses_parts_declaring_huge_sizes() {
        let mut bytes = write_xlsx("s", &["a"], vec![vec![Cell::Int(1)]]).unwrap();
        let at = find_all(&bytes, b"PK\x01\x02")
            .find(|&at| bytes[at + 46..].starts_with(b"xl/worksheets/sheet1.xml"))
            .unwrap();
        bytes[at + 24..at + 28].copy_from_slice(&(300u32 << 20).to_le_bytes());
        assert_eq!(read_table("x.xlsx", &bytes, 10), Err(TableError::TooLarge));
        bytes[at + 24..at + 28].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(read_table("x.xlsx", &bytes, 10), Err(TableError::TooLarge), "ZIP64 without its extra field");
    }

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
        let names = ["x.xlsx", "x.xls", "x.csv", "x.txt", "x.ods", "x.exe", "x"];
        let prefixes: [&[u8]; 6] =
            [b"", b"PK\x03\x04", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", b"\xEF\xBB\xBF", b"\xFF\xFE", b"\""];
        for i in 0..600 {
            let mut bytes = prefixes[i % prefixes.len()].to_vec();
            let n = (rng.next() % 700) as usize;
            bytes.extend(rng.bytes(n));
            let _ = read_table(names[i % names.len()], &bytes, 50);
        }
    }

    #[test]
    fn damaged_real_files_never_panic() {
        let written = write_xlsx("s", &["a", "b"], vec![vec![Cell::Text("x".into()), Cell::Int(1)]]).unwrap();
        let mut rng = XorShift(0xDEAD_BEEF_CAFE_F00D);
        for original in [OPENPYXL, LEGACY_XLS, UNIQUE_COUNT, written.as_slice(), GBK_CSV] {
            for _ in 0..150 {
                let mut bytes = original.to_vec();
                for _ in 0..1 + rng.next() % 8 {
                    let at = (rng.next() as usize) % bytes.len();
                    bytes[at] = rng.next() as u8;
                }
                if rng.next().is_multiple_of(4) {
                    let keep = (rng.next() as usize) % bytes.len();
                    bytes.truncate(keep);
                }
                let _ = read_table("x.xlsx", &bytes, 50);
                let _ = read_table("x.xls", &bytes, 50);
                let _ = read_table("x.csv", &bytes, 50);
            }
        }
    }
}
