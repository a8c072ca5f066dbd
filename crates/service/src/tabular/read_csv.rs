//! Reading CSV: UTF-8 with or without BOM, else GB18030; the delimiter guessed.

use std::borrow::Cow;

use super::*;

pub(crate) fn read_csv(bytes: &[u8], max_rows: usize) -> Result<Vec<RawRow>, TableError> {
    let text = decode_text(bytes);
    let delimiter = csv_delimiter(&text);
    if let Some(line) = unclosed_quote_line(&text, delimiter) {
        return Err(TableError::Csv {
            line, reason: "引号未闭合（以引号开头的单元格缺少结束引号）".to_owned()
        });
    }
    let mut reader =
        ::csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut raw = RawRows::new(max_rows);
    let mut record = ::csv::StringRecord::new();
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
pub(crate) fn record_line(text: &str, p: &::csv::Position) -> usize {
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
pub(crate) fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
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
pub(crate) fn csv_delimiter(text: &str) -> u8 {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.contains('\t') && !first.contains(',') { b'\t' } else { b',' }
}

/// The line of a quoted field that is never closed (the csv crate would
/// silently read the rest of the file into that one cell).
pub(crate) fn unclosed_quote_line(text: &str, delimiter: u8) -> Option<usize> {
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
