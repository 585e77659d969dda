//! Splits and leakage: a split column, a seeded stratified split, a dataset in use, and
//! duplicates between train and test.

use super::*;

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
