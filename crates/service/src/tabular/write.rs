//! Writing .xlsx: exports, multi-sheet workbooks and import templates.

use std::borrow::Cow;

use rust_xlsxwriter::{Color, Format, Workbook, Worksheet};

use super::*;

/// A cell to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Written as text (never as a formula), after [`escape_formula`].
    Text(String),
    /// Written as a number; beyond 15 digits, which Excel cannot hold, as text.
    Int(i64),
    /// Written as a date formatted "yyyy-mm-dd".
    Date(time::Date),
    /// A count: a number formatted "#,##0".
    Count(i64),
    /// A share 0..=1: a number formatted "0.0%".
    Rate(f64),
    /// An amount in fen: yuan, a number formatted "#,##0.00".
    Money(i64),
    Empty,
}

pub(crate) const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

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

pub(crate) struct CellFormats {
    pub(crate) date: Format,
    pub(crate) count: Format,
    pub(crate) rate: Format,
    pub(crate) money: Format,
}

impl CellFormats {
    fn new() -> Self {
        Self {
            date: Format::new().set_num_format("yyyy-mm-dd"),
            count: Format::new().set_num_format("#,##0"),
            rate: Format::new().set_num_format("0.0%"),
            money: Format::new().set_num_format("#,##0.00"),
        }
    }
}

pub(crate) fn header_format() -> Format {
    Format::new().set_bold().set_background_color(Color::RGB(0xD9_D9_D9))
}

/// Write one cell; returns the width it needs.
pub(crate) fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    f: &CellFormats,
) -> Result<usize, TableError> {
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
        Cell::Count(n) => {
            ws.write_number_with_format(row, col, *n as f64, &f.count)?;
            n.to_string().len() + n.to_string().len() / 3
        }
        Cell::Rate(r) => {
            ws.write_number_with_format(row, col, *r, &f.rate)?;
            7
        }
        Cell::Money(fen) => {
            ws.write_number_with_format(row, col, *fen as f64 / 100.0, &f.money)?;
            crate::list::yuan(*fen).len() + 3
        }
        Cell::Empty => 0,
    })
}

pub(crate) fn date_text(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Cut text to what an Excel cell holds (32,767 UTF-16 units).
pub(crate) fn fit_text(s: &str) -> Cow<'_, str> {
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

pub(crate) fn row_number(i: usize) -> Result<u32, TableError> {
    if i >= EXCEL_MAX_ROWS {
        return Err(TableError::Write(format!("行数超过 Excel 工作表上限（{EXCEL_MAX_ROWS} 行）")));
    }
    u32::try_from(i).map_err(|_| TableError::Write("行号超出范围".to_owned()))
}

pub(crate) fn column_number(i: usize) -> Result<u16, TableError> {
    u16::try_from(i)
        .ok()
        .filter(|c| *c < 16_384)
        .ok_or_else(|| TableError::Write("列数超过 Excel 工作表上限（16384 列）".to_owned()))
}

/// A valid worksheet name: no []:*?/\, not quoted, at most 31 characters.
pub(crate) fn sheet_title(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '_' } else { c }).collect();
    let cleaned: String = cleaned.trim().chars().take(31).collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim().to_owned();
    if cleaned.is_empty() || cleaned.eq_ignore_ascii_case("history") { "Sheet1".to_owned() } else { cleaned }
}

/// Column widths from content, in Excel's character units.
#[derive(Default)]
pub(crate) struct Widths(Vec<usize>);

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
pub(crate) fn display_width(s: &str) -> usize {
    s.lines().map(|l| l.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()).max().unwrap_or(0)
}

pub(crate) fn is_wide(c: char) -> bool {
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
