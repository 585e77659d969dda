//! "Try it offline" without the model: the subset it cuts from the sample (seeded,
//! label-balanced, disjoint, inputs cut), the dataset it stores, the time estimate against
//! a hand-worked example, and bad input refused before anything is made.

use std::collections::HashSet;
use std::sync::atomic::AtomicBool;

use tunebench_core::offline::{self, estimate_picked, OfflineOptions, Picked, Row};
use tunebench_core::{dataset, store};

use crate::support::temp_db;

fn options(train: u32, test: u32) -> OfflineOptions {
    OfflineOptions {
        train_rows: train,
        test_cases: test,
        ..OfflineOptions::default()
    }
}

#[test]
fn the_sample_subset_is_seeded_balanced_disjoint_and_cut() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let sample = dataset::import_sample(&conn, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    let o = options(10, 6);
    let p = offline::pick(&conn, sample.dataset_id, &o).unwrap();
    assert_eq!((p.train.len(), p.test.len()), (10, 6));
    // Dealt label by label: 5 ham and 5 spam train rows, 3 and 3 held out.
    let count = |rows: &[Row], label: &str| rows.iter().filter(|r| r.expected == label).count();
    assert_eq!((count(&p.train, "ham"), count(&p.train, "spam")), (5, 5));
    assert_eq!((count(&p.test, "ham"), count(&p.test, "spam")), (3, 3));
    let train_ids: HashSet<&str> = p.train.iter().map(|r| r.id.as_str()).collect();
    assert!(p.test.iter().all(|r| !train_ids.contains(r.id.as_str())));
    assert!(p
        .train
        .iter()
        .chain(&p.test)
        .all(|r| r.input.chars().count() <= 240 && r.input.starts_with("Subject:")));
    // The same seed picks the same rows; another seed, others.
    assert_eq!(offline::pick(&conn, sample.dataset_id, &o).unwrap(), p);
    let other = offline::pick(
        &conn,
        sample.dataset_id,
        &OfflineOptions {
            seed: 8,
            ..o.clone()
        },
    );
    assert_ne!(other.unwrap().train, p.train);

    // Stored as an ordinary dataset with its split.
    let id = offline::store_subset(&conn, &db.path, &p, &o).unwrap();
    assert_ne!(id, sample.dataset_id);
    assert_eq!(
        store::example::split_counts(&conn, id).unwrap(),
        (10, 6, 0),
        "train, test, unassigned"
    );
    let report = dataset::report(&conn, id).unwrap();
    assert!(report.labelled);
    // Twice: a second subset gets its own name, the first is untouched.
    let again = offline::store_subset(&conn, &db.path, &p, &o).unwrap();
    assert_ne!(again, id);
    assert_eq!(store::example::split_counts(&conn, id).unwrap().0, 10);
}

/// Hand-worked: 4 train rows of 340 characters (340 / 3.4 + 45 = 145 tokens each, 580 in
/// all: (580 − 257) / 128 = 2 windows of 256 tokens at 8.5 s on 2 cores = 17 s); 2 held-out
/// cases of 170 characters (95 tokens): the prompting arm's prompt 2 × 145 + 95 = 385
/// tokens, the fine-tuned arm's 95, at 470 tokens/s, plus 2 × 4 answer tokens at 166/s:
/// 2 × (480 / 470 + 8 / 166) = 2.138946 s; with 40 s of fixed steps, 59.138946 s.
#[test]
fn the_estimate_matches_a_hand_worked_example_and_scales_with_cores() {
    let row = |i: usize, n: usize, label: &str| Row {
        id: i.to_string(),
        input: "x".repeat(n),
        expected: label.into(),
    };
    let picked = Picked {
        dataset: "spam".into(),
        train: vec![
            row(0, 340, "ham"),
            row(1, 340, "spam"),
            row(2, 340, "ham"),
            row(3, 340, "spam"),
        ],
        test: vec![row(4, 170, "ham"), row(5, 170, "spam")],
    };
    let o = OfflineOptions {
        train_rows: 4,
        test_cases: 2,
        few_shot: 2,
        ..OfflineOptions::default()
    };
    let e = estimate_picked(&picked, &o, 2);
    assert_eq!((e.training_tokens, e.windows), (580, 2));
    assert!((e.training_s - 17.0).abs() < 1e-9, "{}", e.training_s);
    assert!(
        (e.evaluation_s - 2.138_946).abs() < 1e-5,
        "{}",
        e.evaluation_s
    );
    assert!((e.total_s - 59.138_946).abs() < 1e-5, "{}", e.total_s);
    assert_eq!(e.labels, ["ham", "spam"]);
    let four = estimate_picked(&picked, &o, 4);
    assert!((four.training_s - 8.5).abs() < 1e-9 && (four.evaluation_s - 1.069_473).abs() < 1e-5);
    // Two epochs train twice as long.
    let two = estimate_picked(&picked, &OfflineOptions { epochs: 2, ..o }, 2);
    assert!((two.training_s - 34.0).abs() < 1e-9);
}

#[test]
fn bad_options_and_unlabelled_data_are_refused_naming_the_field() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let sample = dataset::import_sample(&conn, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    let err = offline::estimate(&conn, sample.dataset_id, &options(1, 5)).unwrap_err();
    assert!(err.to_string().contains("train_rows"), "{err}");
    let err = offline::estimate(
        &conn,
        sample.dataset_id,
        &OfflineOptions {
            few_shot: 10,
            ..options(10, 5)
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("few_shot"), "{err}");
    let one_label = crate::support::seed_dataset(
        &conn,
        "one label",
        &crate::support::toy_cases(3, "t"),
        &[
            ("a".into(), "yes".into()),
            ("b".into(), "yes".into()),
            ("c".into(), "yes".into()),
        ],
    );
    let err = offline::estimate(&conn, one_label, &options(3, 2)).unwrap_err();
    assert!(err.to_string().contains("labelled dataset"), "{err}");
    // The estimate of a good request counts what it would use.
    let e = offline::estimate(&conn, sample.dataset_id, &options(32, 60)).unwrap();
    assert_eq!((e.train_rows, e.test_cases), (32, 60));
    assert!(e.windows > 0 && e.total_s > e.training_s);
}

#[tokio::test]
async fn a_model_file_that_is_missing_is_named_and_nothing_is_made() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let sample = dataset::import_sample(&conn, &mut |_| {}, &AtomicBool::new(false)).unwrap();
    let before = store::dataset::list(&conn).unwrap().len();
    let missing = db.dir.path().join("no-such-model.gguf");
    let cancel = tokio_util::sync::CancellationToken::new();
    let err = offline::run(
        &db.path,
        &reqwest::Client::new(),
        sample.dataset_id,
        &options(4, 2),
        Some(missing.clone()),
        &cancel,
        &mut |_| {},
    )
    .await
    .unwrap_err();
    // Either the tools are missing (named), or the model file is (named).
    let s = err.to_string();
    assert!(
        s.contains("no-such-model.gguf") || s.contains("llama-server"),
        "{s}"
    );
    assert_eq!(store::dataset::list(&conn).unwrap().len(), before);
    assert!(store::arm::list(&conn).unwrap().is_empty());
}
