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

use std::collections::BTreeMap;

use rust_xlsxwriter::XlsxError as WriteError;

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

mod read_csv;
mod read_xlsx;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
mod write;

use read_csv::*;
use read_xlsx::*;
pub use write::*;
