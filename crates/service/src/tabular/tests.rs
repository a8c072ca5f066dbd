use std::borrow::Cow;
use std::io::Cursor;

use calamine::{Data, ExcelDateTime, Reader, Xlsx};

use super::*;

const OPENPYXL: &[u8] = include_bytes!("fixtures/openpyxl.xlsx");
const GBK_CSV: &[u8] = include_bytes!("fixtures/gbk.csv");
const LEGACY_XLS: &[u8] = include_bytes!("fixtures/legacy.xls");
const UNIQUE_COUNT: &[u8] = include_bytes!("fixtures/unique_count.xlsx");

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
    let bytes = write_xlsx("s", &["n"], vec![vec![Cell::Int(i64::MIN)], vec![Cell::Int(999_999_999_999_999)]]).unwrap();
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
        write_xlsx("s", &["d"], vec![vec![Cell::Date(date(2024, 2, 29))], vec![Cell::Date(date(1800, 1, 1))]]).unwrap();
    let mut wb = Xlsx::new(Cursor::new(bytes.as_slice())).unwrap();
    let range = wb.worksheet_range("s").unwrap();
    assert!(matches!(range.get_value((1, 0)), Some(Data::DateTime(_))));
    assert_eq!(range.get_value((2, 0)), Some(&Data::String("1800-01-01".into())), "outside Excel's range");
    let t = read_table("s.xlsx", &bytes, 10).unwrap();
    assert_eq!(cells(&t), [["2024-02-29"], ["1800-01-01"]]);
}

#[test]
fn odd_sheet_names_are_made_valid() {
    for name in
        ["a/b:c*?[x]", "", "'引号'", "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三", "History"]
    {
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
    let at =
        find_all(&bytes, b"PK\x01\x02").find(|&at| bytes[at + 46..].starts_with(b"xl/worksheets/sheet1.xml")).unwrap();
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
