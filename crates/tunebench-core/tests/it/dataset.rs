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

mod export;
mod formats;
mod split;
mod validation;

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

fn labelled_csv(n: usize) -> String {
    let mut s = String::from("input,expected\n");
    for i in 0..n {
        let label = if i % 10 < 8 { "ham" } else { "spam" };
        s.push_str(&format!("message number {i},{label}\n"));
    }
    s
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
