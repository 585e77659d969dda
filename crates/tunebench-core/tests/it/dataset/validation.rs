//! The validation split: carved from train (seeded, stratified, sized by the user), test
//! rows untouched, and kept out of few-shot pools and fine-tuning examples.

use std::collections::BTreeSet;

use tunebench_core::arm::{Arm, ArmKind, ArmParams, FewShot, FewShotStrategy};
use tunebench_core::dataset::{ValidationOptions, ValidationOutcome};

use super::*;

/// The ids of dataset `id`'s rows in `split`, with their expected values.
fn ids_in(conn: &Connection, id: i32, split: Split) -> Vec<(i32, String)> {
    rows(conn, id)
        .into_iter()
        .filter(|e| e.split == split)
        .map(|e| (e.id, e.expected))
        .collect()
}

fn split_1000(conn: &Connection, t: &TempDb) -> i32 {
    let id = import(conn, &write(dir(t), "l.csv", labelled_csv(1000)))
        .unwrap()
        .dataset_id;
    let opts = SplitOptions {
        test_fraction: 0.25,
        seed: 9,
        stratify: true,
        force: false,
    };
    dataset::split(conn, id, &opts).unwrap();
    id
}

#[test]
fn validation_rows_are_a_seeded_stratified_subset_of_train_and_test_is_untouched() {
    let (t, conn) = db();
    let id = split_1000(&conn, &t);
    let train_before: BTreeSet<i32> = ids_in(&conn, id, Split::Train)
        .iter()
        .map(|r| r.0)
        .collect();
    let test_before = ids_in(&conn, id, Split::Test);
    let out = dataset::carve_validation(&conn, id, &ValidationOptions::default()).unwrap();
    assert_eq!(
        out,
        ValidationOutcome {
            train_rows: 600,
            validation_rows: 150,
            test_rows: 250,
            stratified: true
        },
        "20 % of 750 train rows, under the cap of 300"
    );
    let validation = ids_in(&conn, id, Split::Validation);
    let v_ids: BTreeSet<i32> = validation.iter().map(|r| r.0).collect();
    assert_eq!(v_ids.len(), 150);
    assert!(
        v_ids.is_subset(&train_before),
        "validation comes from train only"
    );
    assert_eq!(
        ids_in(&conn, id, Split::Test),
        test_before,
        "test rows untouched"
    );
    let train_after: BTreeSet<i32> = ids_in(&conn, id, Split::Train)
        .iter()
        .map(|r| r.0)
        .collect();
    assert!(train_after.is_disjoint(&v_ids));
    assert_eq!(
        train_after.union(&v_ids).copied().collect::<BTreeSet<_>>(),
        train_before
    );
    let spam = validation.iter().filter(|r| r.1 == "spam").count();
    assert_eq!(
        spam, 30,
        "20 % spam in train, so 30 of the 150 validation rows"
    );
    let rep = dataset::report(&conn, id).unwrap();
    assert_eq!(
        (rep.rows, rep.train_rows, rep.validation_rows, rep.test_rows),
        (1000, 600, 150, 250)
    );

    // The same seed carves the same rows again (earlier validation rows go back first).
    dataset::carve_validation(&conn, id, &ValidationOptions::default()).unwrap();
    assert_eq!(ids_in(&conn, id, Split::Validation), validation);
    let other = ValidationOptions {
        seed: 43,
        ..ValidationOptions::default()
    };
    dataset::carve_validation(&conn, id, &other).unwrap();
    assert_ne!(ids_in(&conn, id, Split::Validation), validation);
    assert_eq!(ids_in(&conn, id, Split::Test), test_before);

    // An exact size wins over the share and its cap.
    let exact = ValidationOptions {
        rows: Some(40),
        ..ValidationOptions::default()
    };
    let out = dataset::carve_validation(&conn, id, &exact).unwrap();
    assert_eq!((out.train_rows, out.validation_rows), (710, 40));
}

#[test]
fn a_dataset_an_experiment_uses_is_not_re_carved_without_force() {
    let (t, conn) = db();
    let id = split_1000(&conn, &t);
    dataset::carve_validation(&conn, id, &ValidationOptions::default()).unwrap();
    let before = content(&rows(&conn, id));
    conn.execute(
        "INSERT INTO experiment (name, dataset_id, created_at) VALUES ('exp', ?1, '2026-01-01T00:00:00Z')",
        [id],
    )
    .unwrap();
    let opts = ValidationOptions {
        seed: 1,
        ..ValidationOptions::default()
    };
    let err = dataset::carve_validation(&conn, id, &opts).unwrap_err();
    assert!(err.is_bad_input());
    assert!(err.to_string().contains("experiment(s) exp"), "{err}");
    assert_eq!(content(&rows(&conn, id)), before, "nothing moved");
    let forced = ValidationOptions {
        force: true,
        ..opts
    };
    dataset::carve_validation(&conn, id, &forced).unwrap();
    assert_ne!(content(&rows(&conn, id)), before);
}

#[test]
fn a_dataset_without_train_rows_has_nothing_to_carve() {
    let (t, conn) = db();
    let id = import(&conn, &write(dir(&t), "l.csv", labelled_csv(10)))
        .unwrap()
        .dataset_id;
    let err = dataset::carve_validation(&conn, id, &ValidationOptions::default()).unwrap_err();
    assert!(err.to_string().contains("no train rows"), "{err}");
}

fn arm(few_shot: Option<FewShot>) -> Arm {
    Arm {
        id: 0,
        name: "a".into(),
        kind: ArmKind::Prompt,
        provider_id: 1,
        model: "m".into(),
        system_prompt: String::new(),
        template: "{{input}}".into(),
        few_shot,
        retrieval: None,
        params: ArmParams::default(),
    }
}

#[test]
fn few_shot_pools_and_fine_tuning_examples_leave_validation_rows_out() {
    let (t, conn) = db();
    let id = split_1000(&conn, &t);
    dataset::carve_validation(&conn, id, &ValidationOptions::default()).unwrap();
    let validation = ids_in(&conn, id, Split::Validation);
    let v_ids: BTreeSet<i32> = validation.iter().map(|r| r.0).collect();
    let examples = tunebench_core::finetune::training_examples(&conn, id, &arm(None)).unwrap();
    assert_eq!(examples.len(), 600, "train rows only");
    assert!(examples.iter().all(|e| !v_ids.contains(&e.example_id)));

    // A few-shot example is drawn from train: naming a validation row as one is refused,
    // so no candidate is shown the case it is scored on.
    let v_row = rows(&conn, id)
        .into_iter()
        .find(|e| e.split == Split::Validation)
        .unwrap();
    let fixed = FewShot {
        k: 1,
        strategy: FewShotStrategy::Fixed,
        seed: None,
        ids: vec![v_row.ordinal.to_string()],
    };
    let test_row = ids_in(&conn, id, Split::Test)[0].0;
    let err = tunebench_core::arm::preview(&conn, arm(Some(fixed)), test_row).unwrap_err();
    assert!(
        err.to_string()
            .contains("is not the id or row number of a train example"),
        "{err}"
    );
}
