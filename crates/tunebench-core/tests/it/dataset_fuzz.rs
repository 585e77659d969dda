//! Fuzzing the readers with proptest: any bytes, under any name, give rows or a clean
//! error, never a panic; and a refused file never leaves rows behind.

use proptest::prelude::*;
use tunebench_core::dataset::{self, ImportOptions};
use tunebench_core::store;

use crate::dataset::{import, write};

/// Text made of the characters that matter to the readers.
fn structured() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just(",".to_string()),
            Just("\"".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("\t".to_string()),
            Just(";".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just(":".to_string()),
            Just("\"input\"".to_string()),
            Just("\"messages\"".to_string()),
            Just("input,expected\n".to_string()),
            Just("é".to_string()),
            "[a-z0-9 ]{0,6}",
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

fn check(name: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), name, bytes);
    let _ = dataset::preview(&p, &ImportOptions::default());
    let conn = store::open_in_memory().unwrap();
    if import(&conn, &p).is_err() {
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM example", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "a refused import leaves no rows");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_never_panic_a_reader(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        ext in prop_oneof![Just("csv"), Just("jsonl"), Just("json"), Just("xlsx"), Just("txt")],
    ) {
        check(&format!("f.{ext}"), &bytes);
    }

    #[test]
    fn structured_text_never_panics_a_reader(
        text in structured(),
        ext in prop_oneof![Just("csv"), Just("tsv"), Just("jsonl"), Just("json"), Just("dat")],
    ) {
        check(&format!("f.{ext}"), text.as_bytes());
    }

    #[test]
    fn mutated_workbooks_never_panic_a_reader(
        at in 0usize..5000,
        byte in any::<u8>(),
        which in prop_oneof![Just("tickets.xlsx"), Just("tickets.xls"), Just("tickets.ods")],
    ) {
        let mut bytes = std::fs::read(crate::dataset::fixture(which)).unwrap();
        let i = at % bytes.len();
        bytes[i] = byte;
        check(which, &bytes);
    }
}
