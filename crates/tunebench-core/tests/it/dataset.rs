//! Datasets: every format imports, maps and round-trips; split, leakage, row browser,
//! delete, progress, cancel and the built-in sample behave as the issue asks.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use tunebench_core::dataset::{
    self, Example, ExportFormat, ExportOptions, Format, ImportOptions, ImportOutcome,
    ImportProgress, PageQuery, Split, SplitFilter, SplitOptions, WarningCode,
};
use tunebench_core::store::{self, Connection};
use tunebench_core::Result;

use crate::support::{temp_db, TempDb};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/datasets")
        .join(name)
}

/// The temporary directory a test database lives in, for the test's files.
pub fn dir(t: &TempDb) -> &Path {
    t.path.parent().expect("the database sits in its temp dir")
}

pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

pub fn import_with(conn: &Connection, path: &Path, opts: &ImportOptions) -> Result<ImportOutcome> {
    dataset::import(conn, path, opts, &mut |_| {}, &AtomicBool::new(false))
}

pub fn import(conn: &Connection, path: &Path) -> Result<ImportOutcome> {
    import_with(conn, path, &ImportOptions::default())
}

/// Every row of a dataset, in file order.
pub fn rows(conn: &Connection, id: i32) -> Vec<Example> {
    let q = PageQuery {
        limit: 1000,
        ..PageQuery::default()
    };
    dataset::examples_page(conn, id, &q).unwrap().rows
}

/// The comparable content of rows: (external id, input, expected, metadata, split).
type Content = (Option<String>, String, String, Vec<(String, String)>, Split);

pub fn content(rows: &[Example]) -> Vec<Content> {
    rows.iter()
        .map(|e| {
            let meta = e
                .metadata
                .iter()
                .map(|m| (m.name.clone(), m.value.clone()))
                .collect();
            (
                e.external_id.clone(),
                e.input.clone(),
                e.expected.clone(),
                meta,
                e.split,
            )
        })
        .collect()
}

fn db() -> (TempDb, Connection) {
    let t = temp_db();
    let conn = store::open(&t.path).unwrap();
    (t, conn)
}

const TICKETS_CSV: &str = "id,question,label,channel\n\
    t1,\"My invoice is wrong, again\",billing,email\n\
    t2,Parcel never arrived,shipping,chat\n\
    t3,\"She said \"\"hi\"\"\nthen left\",other,phone\n";

#[test]
fn csv_columns_are_mapped_by_their_usual_names_and_the_rest_kept_as_metadata() {
    let (t, conn) = db();
    let p = write(dir(&t), "tickets.csv", TICKETS_CSV);
    let out = import(&conn, &p).unwrap();
    assert_eq!(out.rows, 3);
    assert_eq!(out.format, Format::Csv);
    assert_eq!(out.column_map.input, "question");
    assert_eq!(out.column_map.expected.as_deref(), Some("label"));
    assert_eq!(out.column_map.id.as_deref(), Some("id"));
    let r = rows(&conn, out.dataset_id);
    assert_eq!(r[0].input, "My invoice is wrong, again");
    assert_eq!(
        r[2].input, "She said \"hi\"\nthen left",
        "quotes and newlines survive"
    );
    assert_eq!(r[1].external_id.as_deref(), Some("t2"));
    assert_eq!(r[1].metadata[0].name, "channel");
    assert_eq!(r[1].metadata[0].value, "chat");
    assert_eq!(r[2].ordinal, 2);
}

#[test]
fn tab_and_semicolon_delimiters_are_detected_from_the_content() {
    let (t, conn) = db();
    let tsv = write(
        dir(&t),
        "a.txt",
        "input\texpected\nhello, world\tgreeting\n",
    );
    let out = import(&conn, &tsv).unwrap();
    assert_eq!(out.format, Format::Tsv);
    assert_eq!(rows(&conn, out.dataset_id)[0].input, "hello, world");
    let semi = write(dir(&t), "b.csv", "input;expected\n\"a;b\";x\nc;y\n");
    let out = import(&conn, &semi).unwrap();
    assert_eq!(content(&rows(&conn, out.dataset_id))[0].1, "a;b");
}

#[test]
fn without_a_header_columns_are_col1_col2_and_map_to_input_and_expected() {
    let (t, conn) = db();
    let p = write(dir(&t), "raw.csv", "hello,greeting,x\nbye,farewell,y\n");
    let opts = ImportOptions {
        no_header: true,
        ..ImportOptions::default()
    };
    let out = import_with(&conn, &p, &opts).unwrap();
    assert_eq!(out.rows, 2, "the first line is a row, not a header");
    assert_eq!(out.column_map.input, "col1");
    assert_eq!(out.column_map.expected.as_deref(), Some("col2"));
    assert_eq!(rows(&conn, out.dataset_id)[0].metadata[0].name, "col3");
}

#[test]
fn jsonl_and_json_arrays_keep_other_keys_as_metadata_in_order() {
    let (t, conn) = db();
    let lines = "{\"prompt\":\"2+2?\",\"answer\":\"4\",\"zeta\":1,\"alpha\":[1,2]}\n\n\
                 {\"prompt\":\"3+3?\",\"answer\":6,\"zeta\":null,\"alpha\":\"x\"}\n";
    let out = import(&conn, &write(dir(&t), "math.jsonl", lines)).unwrap();
    assert_eq!(out.format, Format::Jsonl);
    let r = rows(&conn, out.dataset_id);
    assert_eq!((r[1].input.as_str(), r[1].expected.as_str()), ("3+3?", "6"));
    let names: Vec<&str> = r[0].metadata.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["zeta", "alpha"], "file order, not sorted");
    assert_eq!(r[0].metadata[1].value, "[1,2]");

    let array = "[{\"input\":\"a\",\"expected\":\"x\"},\n {\"input\":\"b\",\"expected\":\"y\"}]";
    let out = import(&conn, &write(dir(&t), "arr.json", array)).unwrap();
    assert_eq!(out.format, Format::Json);
    assert_eq!(content(&rows(&conn, out.dataset_id))[1].1, "b");
}

#[test]
fn openai_chat_turns_become_input_and_the_last_assistant_turn_the_expected_output() {
    let (t, conn) = db();
    let line = r#"{"messages":[{"role":"system","content":"Route tickets."},{"role":"user","content":"Where is my parcel?"},{"role":"assistant","content":"shipping"}],"tag":"a"}"#;
    let out = import(&conn, &write(dir(&t), "ft.jsonl", format!("{line}\n"))).unwrap();
    assert_eq!(out.format, Format::OpenaiChat);
    let r = rows(&conn, out.dataset_id);
    assert_eq!(r[0].input, "Route tickets.\n\nWhere is my parcel?");
    assert_eq!(r[0].expected, "shipping");
    assert_eq!(r[0].metadata[0].name, "tag");
}

#[test]
fn utf16_and_bom_files_read_the_same_and_windows_1252_is_warned() {
    let (t, conn) = db();
    let text = "input,expected\ncafé,x\n";
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        le.extend(u.to_le_bytes());
        be.extend(u.to_be_bytes());
    }
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(text.as_bytes());
    for (name, bytes, label) in [
        ("le.csv", le, "UTF-16LE"),
        ("be.csv", be, "UTF-16BE"),
        ("bom.csv", bom, "UTF-8 (BOM)"),
    ] {
        let out = import(&conn, &write(dir(&t), name, bytes)).unwrap();
        assert_eq!(out.report.encoding, label);
        assert_eq!(
            out.column_map.input, "input",
            "{name}: the BOM is not part of the header"
        );
        assert_eq!(rows(&conn, out.dataset_id)[0].input, "café", "{name}");
    }
    let out = import(
        &conn,
        &write(dir(&t), "w.csv", b"input,expected\ncaf\xe9,x\n"),
    )
    .unwrap();
    assert_eq!(rows(&conn, out.dataset_id)[0].input, "café");
    assert!(out
        .report
        .warnings
        .iter()
        .any(|w| w.code == WarningCode::EncodingFallback));
}

#[test]
fn workbooks_read_numbers_and_dates_as_a_person_sees_them() {
    let (_t, conn) = db();
    let seen = import(&conn, &fixture("tickets_seen.csv")).unwrap();
    let expected = content(&rows(&conn, seen.dataset_id));
    for (file, format) in [
        ("tickets.xlsx", Format::Xlsx),
        ("tickets.xls", Format::Xls),
        ("tickets.ods", Format::Ods),
    ] {
        let out = import(&conn, &fixture(file)).unwrap();
        assert_eq!(out.format, format);
        assert_eq!(content(&rows(&conn, out.dataset_id)), expected, "{file}");
    }
}

#[test]
fn a_named_sheet_is_read_and_preview_lists_the_sheets() {
    let (_t, conn) = db();
    let opts = ImportOptions {
        sheet: Some("Other".into()),
        ..ImportOptions::default()
    };
    let p = dataset::preview(&fixture("tickets.xlsx"), &opts).unwrap();
    assert_eq!(p.sheets, ["Tickets", "Other"]);
    assert_eq!(p.columns, ["question", "answer"]);
    assert_eq!(p.rows, [["2+2?", "4"]]);
    let out = import_with(&conn, &fixture("tickets.xlsx"), &opts).unwrap();
    assert_eq!(rows(&conn, out.dataset_id)[0].expected, "4");
}

#[test]
fn preview_shows_format_columns_mapping_and_at_most_twenty_rows() {
    let (t, conn) = db();
    let body: String = (0..50)
        .map(|i| format!("{{\"text\":\"q{i}\",\"label\":\"a\"}}\n"))
        .collect();
    let p = write(dir(&t), "many.jsonl", body);
    let pv = dataset::preview(&p, &ImportOptions::default()).unwrap();
    assert_eq!(pv.format, Format::Jsonl);
    assert_eq!(pv.columns, ["text", "label"]);
    assert_eq!(pv.mapping.unwrap().input, "text");
    assert_eq!(pv.rows.len(), 20);
    assert_eq!(
        store::dataset::list(&conn).unwrap().len(),
        0,
        "a preview stores nothing"
    );
}

fn roundtrip(conn: &Connection, dir: &Path, id: i32, format: ExportFormat, ext: &str) -> i32 {
    let out = dir.join(format!("export-{id}.{ext}"));
    let opts = ExportOptions {
        split: SplitFilter::All,
        format,
        system: None,
        raw_values: true,
    };
    dataset::export(conn, id, &opts, &out).unwrap();
    import(conn, &out).unwrap().dataset_id
}

#[test]
fn an_export_with_no_rows_leaves_a_file_already_there_untouched() {
    let (t, conn) = db();
    let id = import(&conn, &write(dir(&t), "s.csv", TICKETS_CSV))
        .unwrap()
        .dataset_id;
    let keep = write(dir(&t), "keep.txt", "precious");
    let before: Vec<_> = std::fs::read_dir(dir(&t))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let opts = ExportOptions {
        split: SplitFilter::Train,
        format: ExportFormat::Jsonl,
        system: None,
        raw_values: false,
    };
    let err = dataset::export(&conn, id, &opts, &keep).unwrap_err();
    assert!(err.to_string().contains("no train rows"), "{err}");
    assert_eq!(std::fs::read_to_string(&keep).unwrap(), "precious");
    let after: Vec<_> = std::fs::read_dir(dir(&t))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(after, before, "no temporary file is left behind");
}

#[test]
fn csv_export_defuses_cells_a_spreadsheet_would_run_as_formulas_unless_raw_values_are_asked() {
    let (t, conn) = db();
    let src = "input,expected\n\
               \"=cmd|' /C calc'!A0\",a\n\
               @SUM(1+1),b\n\
               \"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",c\n\
               +1,-2\n\
               \"\tx\",plain\n";
    let id = import(&conn, &write(dir(&t), "f.csv", src))
        .unwrap()
        .dataset_id;
    let export = |raw_values: bool| {
        let out = dir(&t).join(format!("out-{raw_values}.csv"));
        let opts = ExportOptions {
            split: SplitFilter::All,
            format: ExportFormat::Csv,
            system: None,
            raw_values,
        };
        dataset::export(&conn, id, &opts, &out).unwrap();
        let mut r = csv::Reader::from_path(&out).unwrap();
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                (rec[0].to_string(), rec[1].to_string())
            })
            .collect::<Vec<_>>()
    };
    let safe = export(false);
    assert_eq!(
        safe,
        [
            ("'=cmd|' /C calc'!A0".to_string(), "a".to_string()),
            ("'@SUM(1+1)".into(), "b".into()),
            (
                "'=HYPERLINK(\"http://evil.example\",\"x\")".into(),
                "c".into()
            ),
            ("'+1".into(), "'-2".into()),
            ("'\tx".into(), "plain".into()),
        ]
    );
    let raw = export(true);
    assert_eq!(raw[0].0, "=cmd|' /C calc'!A0");
    assert_eq!(raw[3], ("+1".to_string(), "-2".to_string()));
}

#[test]
fn export_then_import_gives_the_same_rows_for_every_format() {
    let (t, conn) = db();
    let sources = [
        write(dir(&t), "src.csv", TICKETS_CSV),
        write(
            dir(&t),
            "src.jsonl",
            "{\"id\":\"a\",\"input\":\"x, \\\"y\\\"\",\"expected\":\"1\",\"n\":\"2\"}\n{\"input\":\"z\",\"expected\":\"\",\"n\":\"3\"}\n",
        ),
        write(dir(&t), "src.json", "[{\"input\":\"é\\nz\",\"expected\":\"b\"}]"),
        write(dir(&t), "src.tsv", "input\texpected\tsplit\nwith, comma\tx\ttest\nplain\ty\ttrain\n"),
        fixture("tickets.xlsx"),
        fixture("tickets.xls"),
        fixture("tickets.ods"),
    ];
    for src in &sources {
        let id = import(&conn, src).unwrap().dataset_id;
        let original = content(&rows(&conn, id));
        for (format, ext) in [(ExportFormat::Jsonl, "jsonl"), (ExportFormat::Csv, "csv")] {
            let again = roundtrip(&conn, dir(&t), id, format, ext);
            assert_eq!(content(&rows(&conn, again)), original, "{src:?} via {ext}");
        }
    }
}

#[test]
fn openai_chat_export_carries_the_system_prompt_and_reimports_input_and_expected() {
    let (t, conn) = db();
    let id = import(&conn, &write(dir(&t), "s.csv", TICKETS_CSV))
        .unwrap()
        .dataset_id;
    let plain = roundtrip(&conn, dir(&t), id, ExportFormat::OpenaiChat, "jsonl");
    let pairs = |id| {
        rows(&conn, id)
            .into_iter()
            .map(|e| (e.input, e.expected))
            .collect::<Vec<_>>()
    };
    assert_eq!(pairs(plain), pairs(id));
    let out = dir(&t).join("sys.jsonl");
    let opts = ExportOptions {
        split: SplitFilter::All,
        format: ExportFormat::OpenaiChat,
        system: Some("Route tickets.".into()),
        raw_values: false,
    };
    dataset::export(&conn, id, &opts, &out).unwrap();
    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["messages"][0]["role"], "system");
    assert_eq!(first["messages"][0]["content"], "Route tickets.");
    assert_eq!(first["messages"][2]["content"], "billing");
}

fn labelled_csv(n: usize) -> String {
    let mut s = String::from("input,expected\n");
    for i in 0..n {
        let label = if i % 10 < 8 { "ham" } else { "spam" };
        s.push_str(&format!("message number {i},{label}\n"));
    }
    s
}

#[test]
fn a_split_column_is_honoured_at_import() {
    let (t, conn) = db();
    let p = write(
        dir(&t),
        "s.csv",
        "input,expected,split\na,x,train\nb,y,TEST\nc,z,\n",
    );
    let out = import(&conn, &p).unwrap();
    assert_eq!(out.column_map.split.as_deref(), Some("split"));
    let splits: Vec<Split> = rows(&conn, out.dataset_id)
        .iter()
        .map(|e| e.split)
        .collect();
    assert_eq!(splits, [Split::Train, Split::Test, Split::Unassigned]);
    assert_eq!((out.report.train_rows, out.report.test_rows), (1, 1));
}

#[test]
fn a_seeded_split_is_reproducible_and_stratified_by_label() {
    let (t, conn) = db();
    let id = import(&conn, &write(dir(&t), "l.csv", labelled_csv(1000)))
        .unwrap()
        .dataset_id;
    let opts = SplitOptions {
        test_fraction: 0.25,
        seed: 9,
        stratify: true,
        force: false,
    };
    let first = dataset::split(&conn, id, &opts).unwrap();
    assert!(first.stratified);
    assert_eq!((first.train_rows, first.test_rows), (750, 250));
    let test_ids = |conn: &Connection| {
        let q = PageQuery {
            limit: 1000,
            split: Some(SplitFilter::Test),
            ..PageQuery::default()
        };
        dataset::examples_page(conn, id, &q).unwrap().rows
    };
    let a = test_ids(&conn);
    let spam = a.iter().filter(|e| e.expected == "spam").count();
    assert_eq!(spam, 50, "20 % spam overall, so 50 of the 250 test rows");
    dataset::split(&conn, id, &opts).unwrap();
    let b = test_ids(&conn);
    assert_eq!(
        a.iter().map(|e| e.id).collect::<Vec<_>>(),
        b.iter().map(|e| e.id).collect::<Vec<_>>(),
        "same seed, same split"
    );
    let r = dataset::report(&conn, id).unwrap();
    assert_eq!(
        (r.train_rows, r.test_rows),
        (750, 250),
        "the report follows the split"
    );
    assert!(
        !r.warnings
            .iter()
            .any(|w| w.code == WarningCode::FewTrainingExamples),
        "750 training rows is enough"
    );
}

fn add_experiment(conn: &Connection, dataset_id: i32) {
    conn.execute(
        "INSERT INTO experiment (name, dataset_id, created_at) VALUES ('exp', ?1, '2026-01-01T00:00:00Z')",
        [dataset_id],
    )
    .unwrap();
}

#[test]
fn a_dataset_used_by_an_experiment_is_not_re_split_or_deleted_without_force() {
    let (t, conn) = db();
    let id = import(&conn, &write(dir(&t), "l.csv", labelled_csv(20)))
        .unwrap()
        .dataset_id;
    dataset::split(&conn, id, &SplitOptions::default()).unwrap();
    let before = content(&rows(&conn, id));
    add_experiment(&conn, id);
    let opts = SplitOptions {
        seed: 1,
        ..SplitOptions::default()
    };
    let err = dataset::split(&conn, id, &opts).unwrap_err();
    assert!(err.is_bad_input());
    assert!(err.to_string().contains("experiment(s) exp"), "{err}");
    assert!(err.to_string().contains("--force"), "{err}");
    assert_eq!(content(&rows(&conn, id)), before, "nothing moved");
    assert!(dataset::delete(&conn, id).is_err());
    let forced = SplitOptions {
        force: true,
        ..opts
    };
    dataset::split(&conn, id, &forced).unwrap();
}

#[test]
fn leakage_finds_exact_and_folded_duplicates_and_removes_them_from_train() {
    let (t, conn) = db();
    let csv = "input,expected,split\n\
               Where is my parcel?,shipping,train\n\
               where is   my PARCEL,shipping,train\n\
               Refund please,billing,train\n\
               Unrelated,other,train\n\
               Where is my parcel?,shipping,test\n\
               refund, please!,billing,test\n\
               Something new,other,test\n";
    let csv = csv.replace("refund, please!", "\"refund, please!\"");
    let id = import(&conn, &write(dir(&t), "leak.csv", csv))
        .unwrap()
        .dataset_id;
    let r = dataset::leakage(&conn, id).unwrap();
    assert_eq!((r.train_rows, r.test_rows), (4, 3));
    assert_eq!(r.exact_test_rows, 1);
    assert_eq!(r.normalised_test_rows, 1);
    assert_eq!(
        r.leaked_train_rows, 3,
        "both parcel rows and the refund row"
    );
    assert_eq!(dataset::remove_leaked_from_train(&conn, id).unwrap(), 3);
    let after = dataset::leakage(&conn, id).unwrap();
    assert_eq!((after.exact_test_rows, after.normalised_test_rows), (0, 0));
    assert_eq!(after.train_rows, 1);
    let rep = dataset::report(&conn, id).unwrap();
    assert_eq!((rep.rows, rep.train_rows, rep.test_rows), (4, 1, 3));
    let labels: Vec<_> = rep
        .labels
        .iter()
        .map(|l| (l.label.as_str(), l.count))
        .collect();
    assert_eq!(
        labels,
        [("other", 2), ("billing", 1), ("shipping", 1)],
        "the label counts are those of the rows left"
    );
    assert_eq!(
        (rep.duplicate_rows, rep.duplicate_inputs),
        (0, 0),
        "the repeated parcel row went with the leak"
    );
    assert_eq!(rep.input_chars.max, "Where is my parcel?".len() as u32);
}

#[test]
fn the_row_browser_pages_filters_by_split_and_searches() {
    let (t, conn) = db();
    let id = import(&conn, &write(dir(&t), "l.csv", labelled_csv(100)))
        .unwrap()
        .dataset_id;
    let q = PageQuery {
        offset: 10,
        limit: 5,
        ..PageQuery::default()
    };
    let page = dataset::examples_page(&conn, id, &q).unwrap();
    assert_eq!(page.total, 100);
    assert_eq!(page.rows.len(), 5);
    assert_eq!(page.rows[0].input, "message number 10");
    let q = PageQuery {
        search: Some("NUMBER 9".into()),
        ..PageQuery::default()
    };
    let found = dataset::examples_page(&conn, id, &q).unwrap();
    assert_eq!(found.total, 11, "9 and 90..99");
    let q = PageQuery {
        search: Some("100%".into()),
        ..PageQuery::default()
    };
    assert_eq!(
        dataset::examples_page(&conn, id, &q).unwrap().total,
        0,
        "% is literal"
    );
    dataset::split(&conn, id, &SplitOptions::default()).unwrap();
    let q = PageQuery {
        split: Some(SplitFilter::Test),
        ..PageQuery::default()
    };
    assert_eq!(dataset::examples_page(&conn, id, &q).unwrap().total, 20);
}

#[test]
fn deleting_a_dataset_removes_its_rows() {
    let (t, conn) = db();
    let id = import(&conn, &write(dir(&t), "l.csv", labelled_csv(10)))
        .unwrap()
        .dataset_id;
    dataset::delete(&conn, id).unwrap();
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM example", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);
    assert!(dataset::find(&conn, &id.to_string()).is_err());
}

#[test]
fn progress_reaches_one_hundred_percent_and_a_cancel_stores_nothing() {
    let (t, conn) = db();
    let p = write(dir(&t), "l.csv", labelled_csv(20_000));
    let mut seen: Vec<ImportProgress> = Vec::new();
    dataset::import(
        &conn,
        &p,
        &ImportOptions::default(),
        &mut |pr| seen.push(*pr),
        &AtomicBool::new(false),
    )
    .unwrap();
    assert!(seen.len() > 2, "progress arrives during the import");
    let last = seen.last().unwrap();
    assert_eq!((last.rows, last.percent), (20_000, 100.0));
    assert!(seen.windows(2).all(|w| w[0].rows <= w[1].rows));

    let cancel = AtomicBool::new(false);
    let err = dataset::import(
        &conn,
        &p,
        &ImportOptions::default(),
        &mut |_| cancel.store(true, std::sync::atomic::Ordering::Relaxed),
        &cancel,
    )
    .unwrap_err();
    assert!(err.to_string().contains("cancelled"), "{err}");
    assert_eq!(
        store::dataset::list(&conn).unwrap().len(),
        1,
        "only the first import"
    );
}

#[test]
fn the_built_in_sample_imports_with_its_labels() {
    let (_t, conn) = db();
    let out = dataset::import_sample(&conn, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!(out.rows, 2250);
    assert_eq!(out.name, dataset::SAMPLE_NAME);
    let labels: Vec<(String, u32)> = out
        .report
        .labels
        .iter()
        .map(|l| (l.label.clone(), l.count))
        .collect();
    assert_eq!(
        labels,
        [("ham".to_string(), 1250), ("spam".to_string(), 1000)]
    );
    // The whole report, field by field: counts, lengths, token estimate and warnings.
    insta::assert_json_snapshot!("sample_report", out.report);
    let again = dataset::import_sample(&conn, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    assert_eq!(again.name, "spamassassin_spam_ham (2)", "names stay unique");
}

#[test]
fn jsonl_mapping_looks_at_the_same_first_rows_as_the_preview() {
    let (t, conn) = db();
    let body = "{\"input\":\"a\"}\n{\"input\":\"b\",\"label\":\"x\",\"note\":\"n\"}\n";
    let p = write(dir(&t), "late.jsonl", body);
    let preview = dataset::preview(&p, &ImportOptions::default()).unwrap();
    let out = import(&conn, &p).unwrap();
    assert_eq!(out.column_map.expected.as_deref(), Some("label"));
    assert_eq!(Some(&out.column_map), preview.mapping.as_ref());
    assert_eq!(out.column_map.metadata, ["note"]);
    assert_eq!(rows(&conn, out.dataset_id)[1].expected, "x");
}

#[test]
fn a_name_already_taken_is_refused_and_an_unknown_dataset_is_not_found() {
    let (t, conn) = db();
    let p = write(dir(&t), "a.csv", "input\nx\n");
    let named = ImportOptions {
        name: Some("tickets".into()),
        ..ImportOptions::default()
    };
    import_with(&conn, &p, &named).unwrap();
    let err = import_with(&conn, &p, &named).unwrap_err();
    assert!(err.is_bad_input());
    assert!(
        err.to_string().contains("`tickets` already exists"),
        "{err}"
    );
    let err = dataset::examples_page(&conn, 999, &PageQuery::default()).unwrap_err();
    assert_eq!(err.code(), tunebench_core::ErrorCode::NotFound);
    assert_eq!(dataset::find(&conn, "tickets").unwrap(), 1, "found by name");
    assert_eq!(dataset::find(&conn, "1").unwrap(), 1, "found by id");
}

#[test]
fn exact_repeats_are_removed_keeping_the_first_and_the_report_counts_again() {
    let (t, conn) = db();
    let csv = "input,expected,split\n\
               Where is my parcel?,shipping,train\n\
               Refund please,billing,train\n\
               Where is my parcel?,shipping,test\n\
               Where is my parcel?,shipping,train\n\
               Refund please,other,test\n\
               Something new,other,test\n";
    let id = import(&conn, &write(dir(&t), "dups.csv", csv))
        .unwrap()
        .dataset_id;
    assert_eq!(dataset::report(&conn, id).unwrap().duplicate_rows, 2);
    assert_eq!(dataset::remove_exact_duplicates(&conn, id).unwrap(), 2);
    let rep = dataset::report(&conn, id).unwrap();
    assert_eq!((rep.rows, rep.duplicate_rows), (4, 0));
    assert_eq!(
        (rep.train_rows, rep.test_rows),
        (2, 2),
        "the first of each stays"
    );
    assert!(rep
        .warnings
        .iter()
        .all(|w| w.code != WarningCode::DuplicateRows));
    assert_eq!(dataset::remove_exact_duplicates(&conn, id).unwrap(), 0);
}
