//! Bad files: each is refused with a message naming the file and the line, row or sheet and
//! field, and the database is left exactly as it was.

use std::path::Path;

use tunebench_core::dataset::{ImportOptions, MAX_FIELD_BYTES, MAX_RECORD_BYTES};
use tunebench_core::store::{self, Connection};

use crate::dataset::{dir, fixture, import, import_with, write};
use crate::support::temp_db;

/// Everything the store holds, as text: identical before and after a refused import.
fn snapshot(conn: &Connection) -> String {
    conn.query_row(
        "SELECT (SELECT group_concat(id || name || row_count || report, '|') FROM dataset)
             || '#' || (SELECT group_concat(id || input || split, '|') FROM example)",
        [],
        |r| r.get::<_, Option<String>>(0),
    )
    .unwrap()
    .unwrap_or_default()
}

/// Imports `path` into a store that already holds a dataset; asserts a bad-input error
/// whose message contains every `needle`, and an unchanged store.
fn refused(path: &Path, opts: &ImportOptions, needles: &[&str]) {
    let t = temp_db();
    let conn = store::open(&t.path).unwrap();
    let good = write(dir(&t), "good.csv", "input,expected\na,b\n");
    import(&conn, &good).unwrap();
    let before = snapshot(&conn);
    let err = import_with(&conn, path, opts).unwrap_err();
    let msg = err.to_string();
    assert!(err.is_bad_input(), "bad input, not a failure: {msg}");
    for n in needles {
        assert!(msg.contains(n), "message {msg:?} should name {n:?}");
    }
    assert_eq!(
        snapshot(&conn),
        before,
        "the store is unchanged after: {msg}"
    );
}

fn refused_text(name: &str, body: impl AsRef<[u8]>, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), name, body);
    refused(&p, &ImportOptions::default(), needles);
}

#[test]
fn an_empty_file_is_refused() {
    refused_text("empty.csv", "", &["empty.csv", "empty"]);
}

#[test]
fn a_header_without_rows_is_refused() {
    refused_text(
        "head.csv",
        "input,expected\n",
        &["head.csv", "header but no rows"],
    );
}

#[test]
fn a_ragged_row_names_its_line() {
    refused_text(
        "ragged.csv",
        "input,expected\na,b\nc,d,e\n",
        &["ragged.csv", "line 3", "3 fields", "2 columns"],
    );
}

#[test]
fn an_unterminated_quote_names_its_line() {
    refused_text(
        "quote.csv",
        "input,expected\na,b\n\"c is open,d\ne,f\n",
        &["quote.csv", "line 3", "unterminated quoted field"],
    );
    refused_text(
        "quote_last.csv",
        "input,expected\na,b\nc,\"d\ne\n",
        &["quote_last.csv", "line 3", "unterminated quoted field"],
    );
}

#[test]
fn a_jsonl_line_that_is_not_json_names_its_line_number() {
    refused_text(
        "bad.jsonl",
        "{\"input\":\"a\"}\n{\"input\":\"b\"}\n{\"input\": nope}\n",
        &["bad.jsonl", "line 3", "not a valid JSON object"],
    );
}

#[test]
fn json_values_that_are_not_objects_are_refused() {
    refused_text(
        "nums.jsonl",
        "{\"input\":\"a\"}\n42\n",
        &["nums.jsonl", "line 2", "expected a JSON object"],
    );
    refused_text(
        "arr.json",
        "[{\"input\":\"a\"}, \"b\"]",
        &["arr.json", "element 2", "expected a JSON object"],
    );
}

#[test]
fn a_binary_file_or_a_misleading_extension_is_refused() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
    refused_text("photo.csv", png, &["photo.csv", "binary"]);
    refused_text(
        "data.csv",
        "{\"input\":\"a\"}\n",
        &["data.csv", ".csv", "JSON"],
    );
    refused_text(
        "sheet.xlsx",
        "input,expected\na,b\n",
        &["sheet.xlsx", ".xlsx"],
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("tickets.csv");
    std::fs::copy(fixture("tickets.xlsx"), &p).unwrap();
    refused(
        &p,
        &ImportOptions::default(),
        &["tickets.csv", ".csv", "spreadsheet"],
    );
}

#[test]
fn a_missing_or_unreadable_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere.csv");
    refused(
        &missing,
        &ImportOptions::default(),
        &["nowhere.csv", "no such file"],
    );
    refused(dir.path(), &ImportOptions::default(), &["folder"]);
}

#[test]
fn duplicate_column_names_are_refused() {
    refused_text(
        "dup.csv",
        "input,expected,input\na,b,c\n",
        &[
            "dup.csv",
            "line 1",
            "duplicate column name `input`",
            "columns 1 and 3",
        ],
    );
}

#[test]
fn a_mapped_column_that_is_missing_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "m.csv", "question,answer\na,b\n");
    let opts = ImportOptions {
        input_col: Some("prompt".into()),
        ..ImportOptions::default()
    };
    refused(
        &p,
        &opts,
        &[
            "m.csv",
            "column `prompt`",
            "--input-col",
            "question, answer",
        ],
    );
    refused_text(
        "none.csv",
        "foo,bar\na,b\n",
        &["none.csv", "no input column"],
    );
}

#[test]
fn a_ten_megabyte_field_is_refused_by_the_field_limit() {
    let big = "x".repeat(10 << 20);
    let limit = format!("{} MiB limit", MAX_FIELD_BYTES >> 20);
    refused_text(
        "big.csv",
        format!("input,expected\n{big},a\n"),
        &["big.csv", "line 2", "field `input`", &limit],
    );
    refused_text(
        "big.jsonl",
        format!("{{\"input\":\"{big}\"}}\n"),
        &["big.jsonl", "line 1", "field `input`", &limit],
    );
}

#[test]
fn an_xlsx_with_no_sheets_is_refused() {
    refused(
        &fixture("no_sheets.xlsx"),
        &ImportOptions::default(),
        &["no_sheets.xlsx", "no sheets"],
    );
}

#[test]
fn a_missing_sheet_lists_the_sheets_there_are() {
    let opts = ImportOptions {
        sheet: Some("Nope".into()),
        ..ImportOptions::default()
    };
    refused(
        &fixture("tickets.xlsx"),
        &opts,
        &["sheet `Nope`", "Tickets, Other"],
    );
}

#[test]
fn a_bad_split_value_names_its_line_and_field() {
    refused_text(
        "split.csv",
        "input,split\na,train\nb,later\n",
        &["split.csv", "line 3, field `split`", "`later`"],
    );
}

#[test]
fn an_open_quote_before_megabytes_of_rows_stops_at_the_record_limit() {
    let rows = "x,y\n".repeat((MAX_RECORD_BYTES >> 2) + 100_000);
    let limit = format!("{} MiB limit", MAX_RECORD_BYTES >> 20);
    refused_text(
        "open.csv",
        format!("input,expected\n\"{rows}"),
        &["open.csv", "line 2", &limit, "unterminated quoted field"],
    );
}

#[test]
fn a_bad_line_after_thousands_of_stored_rows_still_leaves_nothing() {
    let mut body: String = (0..10_000)
        .map(|i| format!("{{\"input\":\"q{i}\",\"expected\":\"a\"}}\n"))
        .collect();
    body.push_str("{\"input\":\"q\", oops}\n");
    refused_text("late.jsonl", body, &["late.jsonl", "line 10001"]);
}

#[test]
fn a_json_array_element_past_the_record_limit_is_refused() {
    let big = "x".repeat(MAX_RECORD_BYTES + 1000);
    let limit = format!("{} MiB limit", MAX_RECORD_BYTES >> 20);
    refused_text(
        "big.json",
        format!("[{{\"input\":\"a\"}}, {{\"input\":\"{big}\"}}]"),
        &["big.json", "line 1", "element", &limit],
    );
}

/// `tickets.xlsx` with its first sheet's XML replaced by `sheet`: a workbook crafted here,
/// never committed as a binary.
fn crafted_xlsx(sheet: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut src =
        zip::ZipArchive::new(std::fs::File::open(fixture("tickets.xlsx")).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut part = src.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut body = Vec::new();
        part.read_to_end(&mut body).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            body = sheet.as_bytes().to_vec();
        }
        out.start_file(name, deflated).unwrap();
        out.write_all(&body).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Rewrites the unpacked size that `zip` declares for `part`, in its local header and in
/// the central directory, as a zip bomb (or a lying one) would.
fn declare_unpacked_size(zip: &mut [u8], part: &str, size: u32) {
    let le16 = |b: &[u8], at: usize| usize::from(u16::from_le_bytes([b[at], b[at + 1]]));
    let mut patched = 0;
    for at in 0..zip.len().saturating_sub(46) {
        let (sig, size_at, name_len_at, name_at) = match &zip[at..at + 4] {
            [0x50, 0x4b, 0x03, 0x04] => ("local", 22, 26, 30),
            [0x50, 0x4b, 0x01, 0x02] => ("central", 24, 28, 46),
            _ => continue,
        };
        let len = le16(zip, at + name_len_at);
        if zip.get(at + name_at..at + name_at + len) == Some(part.as_bytes()) {
            zip[at + size_at..at + size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
            let _ = sig;
        }
    }
    assert_eq!(patched, 2, "{part} has a local and a central header");
}

const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

fn inline_cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

#[test]
fn an_xlsx_with_cells_only_at_a1_and_xfd1048576_is_refused_before_the_grid_is_allocated() {
    let sheet = format!(
        r#"{SHEET_HEAD}<sheetData><row r="1">{}</row><row r="1048576">{}</row></sheetData></worksheet>"#,
        inline_cell("A1", "input"),
        inline_cell("XFD1048576", "x")
    );
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "corners.xlsx", crafted_xlsx(&sheet));
    refused(
        &p,
        &ImportOptions::default(),
        &[
            "corners.xlsx",
            "A1:XFD1048576",
            "17,179,869,184 cells",
            "limit",
        ],
    );
    // The preview a drop on the window reads first refuses it the same way.
    let err = tunebench_core::dataset::preview(&p, &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("A1:XFD1048576"), "{err}");
}

#[test]
fn an_xlsx_declaring_a_whole_sheet_as_its_used_range_is_refused() {
    let sheet = format!(
        r#"{SHEET_HEAD}<dimension ref="A1:XFD1048576"/><sheetData><row r="1">{}</row></sheetData></worksheet>"#,
        inline_cell("A1", "input"),
    );
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "declared.xlsx", crafted_xlsx(&sheet));
    refused(
        &p,
        &ImportOptions::default(),
        &["declared.xlsx", "declared used range", "A1:XFD1048576"],
    );
}

/// A sheet whose XML is padded with `pad` bytes of blanks: it packs to a few kilobytes.
fn padded_sheet(pad: usize) -> String {
    format!(
        r#"{SHEET_HEAD}{}<sheetData><row r="1">{}{}</row><row r="2">{}{}</row></sheetData></worksheet>"#,
        " ".repeat(pad),
        inline_cell("A1", "input"),
        inline_cell("B1", "expected"),
        inline_cell("A2", "a"),
        inline_cell("B2", "b"),
    )
}

#[test]
fn an_xlsx_zip_bomb_is_refused_by_its_unpacked_size_before_it_is_read() {
    let mut bytes = crafted_xlsx(&padded_sheet(1 << 20));
    assert!(bytes.len() < 64 << 10, "packs small: {} bytes", bytes.len());
    declare_unpacked_size(&mut bytes, "xl/worksheets/sheet1.xml", 3 << 30);
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "bomb.xlsx", bytes);
    refused(
        &p,
        &ImportOptions::default(),
        &[
            "bomb.xlsx",
            "unpacks to 3,221,",
            "over the limit of 1,073,741,824 bytes",
        ],
    );
}

#[test]
fn an_xlsx_part_that_unpacks_to_more_than_it_declares_is_refused() {
    let mut bytes = crafted_xlsx(&padded_sheet(1 << 20));
    declare_unpacked_size(&mut bytes, "xl/worksheets/sheet1.xml", 1000);
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "liar.xlsx", bytes);
    refused(
        &p,
        &ImportOptions::default(),
        &[
            "liar.xlsx",
            "damaged",
            "xl/worksheets/sheet1.xml",
            "larger than its declared",
        ],
    );
}

#[test]
fn a_padded_but_honest_xlsx_still_imports() {
    let t = temp_db();
    let conn = store::open(&t.path).unwrap();
    let p = write(dir(&t), "padded.xlsx", crafted_xlsx(&padded_sheet(1 << 20)));
    let outcome = import(&conn, &p).unwrap();
    assert_eq!(outcome.rows, 1);
}

/// tickets.xls with its sheet's DIMENSIONS record (BIFF8: first row, one past the last row,
/// first column, one past the last column) changed to claim `rows` rows.
fn xls_claiming_rows(rows: u32) -> Vec<u8> {
    let mut bytes = std::fs::read(fixture("tickets.xls")).unwrap();
    let at = bytes
        .windows(4)
        .position(|w| w == [0x00, 0x02, 0x0e, 0x00])
        .expect("tickets.xls has a DIMENSIONS record");
    bytes[at + 8..at + 12].copy_from_slice(&rows.to_le_bytes());
    bytes
}

#[test]
fn an_xls_whose_dimensions_claim_billions_of_cells_is_refused_before_anything_is_allocated() {
    // One byte changed in a real workbook made the reader reserve 600 GB and abort the
    // process; a damaged file must be an error naming it, not a crash.
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "huge.xls", xls_claiming_rows(0x1000_0000));
    refused(
        &p,
        &ImportOptions::default(),
        &[
            "huge.xls",
            "declares a used range",
            "A1:F268435456",
            "limit",
        ],
    );
    let err = tunebench_core::dataset::preview(&p, &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("huge.xls"), "{err}");
}

#[test]
fn an_xls_whose_dimensions_end_before_they_start_is_refused_as_damaged() {
    let mut bytes = xls_claiming_rows(0);
    let at = bytes
        .windows(4)
        .position(|w| w == [0x00, 0x02, 0x0e, 0x00])
        .unwrap();
    // First row 10, one past the last row 5.
    bytes[at + 4..at + 8].copy_from_slice(&10u32.to_le_bytes());
    bytes[at + 8..at + 12].copy_from_slice(&5u32.to_le_bytes());
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "backwards.xls", bytes);
    refused(
        &p,
        &ImportOptions::default(),
        &["backwards.xls", "damaged", "ends before it starts"],
    );
}

#[test]
fn a_real_xls_within_the_limits_still_imports() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "ok.xls", xls_claiming_rows(5));
    let conn = store::open_in_memory().unwrap();
    import(&conn, &p).expect("the fixture's own dimensions are fine");
}
