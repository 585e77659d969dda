//! Deleting runs, arms and providers: what depends on them is named, nothing is left orphaned;
//! an arm name is stored once; a missing split points to where it is made; an experiment
//! composed without labels takes its dataset's, and one of three arms keeps them in order.

use tunebench_core::arm::{self, ArmDraft};
use tunebench_core::provider::secrets::KeychainError;
use tunebench_core::run::{self, RunOptions};
use tunebench_core::{experiment, remove, store, ErrorCode};

use crate::support::{confirmed_import, seed_dataset, temp_db, toy_cases, TempDb};

/// A provider `local`, arms `prompting` and `fine-tuned`, and experiment `toy` over dataset
/// `toy`; returns the experiment id.
fn setup(db: &TempDb) -> i32 {
    let conn = store::open(&db.path).unwrap();
    seed_dataset(&conn, "toy", &toy_cases(4, "t"), &toy_cases(4, "train"));
    let toml = r#"
name = "toy"
dataset = "toy"
[[providers]]
name = "local"
kind = "openai_compatible"
base_url = "http://127.0.0.1:9/v1"

[[arms]]
name = "prompting"
provider = "local"
model = "base"

[[arms]]
name = "fine-tuned"
kind = "fine_tuned"
provider = "local"
model = "ft"
"#;
    let path = db.dir.path().join("exp.toml");
    std::fs::write(&path, toml).unwrap();
    confirmed_import(&conn, &experiment::file::load(&path).unwrap()).unwrap()
}

fn arm_id(conn: &rusqlite::Connection, name: &str) -> i32 {
    store::arm::list(conn)
        .unwrap()
        .into_iter()
        .find(|a| a.name == name)
        .unwrap()
        .id
}

#[test]
fn deleting_the_last_run_of_an_experiment_takes_the_experiment_with_it() {
    let db = temp_db();
    let exp = setup(&db);
    let conn = store::open(&db.path).unwrap();
    let first = run::create(&conn, exp, &RunOptions::default(), None).unwrap();
    let second = run::create(&conn, exp, &RunOptions::default(), None).unwrap();
    assert_eq!(
        remove::run(&conn, first).unwrap(),
        format!("Deleted run {first} with its results.")
    );
    assert_eq!(store::run::list(&conn, Some(exp)).unwrap().len(), 1);
    assert_eq!(
        remove::run(&conn, second).unwrap(),
        format!(
            "Deleted run {second} with its results, and experiment `toy`, which had no other run."
        )
    );
    assert!(store::experiment::get(&conn, exp).is_err());
    assert_eq!(
        remove::run(&conn, second).unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[test]
fn an_arm_compared_in_runs_is_refused_naming_them_and_deletable_once_they_are_gone() {
    let db = temp_db();
    let exp = setup(&db);
    let conn = store::open(&db.path).unwrap();
    let id = run::create(&conn, exp, &RunOptions::default(), None).unwrap();
    let prompting = arm_id(&conn, "prompting");
    let err = remove::arm(&conn, prompting).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InUse);
    assert_eq!(
        err.to_string(),
        format!(
            "arm `prompting` is compared in experiment `toy` (runs {id}): delete those runs first"
        )
    );
    remove::run(&conn, id).unwrap();
    assert_eq!(
        remove::arm(&conn, prompting).unwrap(),
        "Deleted arm `prompting`."
    );
    assert!(store::arm::get(&conn, prompting).is_err());
}

#[test]
fn an_arm_named_only_by_an_experiment_without_runs_goes_with_that_experiment() {
    let db = temp_db();
    let exp = setup(&db);
    let conn = store::open(&db.path).unwrap();
    let said = remove::arm(&conn, arm_id(&conn, "fine-tuned")).unwrap();
    assert_eq!(
        said,
        "Deleted arm `fine-tuned` and 1 experiment(s) without runs that named it: `toy`."
    );
    assert!(store::experiment::get(&conn, exp).is_err());
}

#[test]
fn a_provider_its_arms_call_is_refused_naming_the_arms() {
    let db = temp_db();
    let exp = setup(&db);
    let conn = store::open(&db.path).unwrap();
    let local = store::provider::get_by_name(&conn, "local").unwrap().id;
    let err =
        remove::provider(&conn, local, |_| panic!("a refused deletion keeps the key")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InUse);
    assert_eq!(
        err.to_string(),
        "provider `local` is called by 2 arm(s): `prompting`, `fine-tuned`; delete those first"
    );
    assert!(store::experiment::get(&conn, exp).is_ok());
    for name in ["prompting", "fine-tuned"] {
        remove::arm(&conn, arm_id(&conn, name)).unwrap();
    }
    assert_eq!(
        remove::provider(&conn, local, |_| Ok(false)).unwrap(),
        "Deleted provider `local`."
    );
}

/// A provider `cloud` whose key may come from `api_key_env`, called by no arm.
fn lone_provider(conn: &rusqlite::Connection, api_key_env: Option<&str>) -> i32 {
    let settings = tunebench_core::provider::ProviderSettings::default();
    store::provider::upsert(
        conn,
        "cloud",
        tunebench_core::provider::ProviderKind::OpenAi,
        "https://api.openai.com/v1",
        api_key_env,
        &settings,
    )
    .unwrap()
}

#[test]
fn deleting_a_provider_removes_its_key_from_the_keychain_and_says_so() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let id = lone_provider(&conn, None);
    let mut forgotten = Vec::new();
    let said = remove::provider(&conn, id, |name| {
        forgotten.push(name.to_string());
        Ok(true)
    })
    .unwrap();
    assert_eq!(forgotten, ["cloud"]);
    assert_eq!(
        said,
        "Deleted provider `cloud` and its API key from the OS keychain."
    );
    assert!(store::provider::get(&conn, id).is_err());
}

#[test]
fn deleting_a_provider_keyed_by_an_environment_variable_says_the_variable_is_left_alone() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let id = lone_provider(&conn, Some("CLOUD_KEY"));
    let said = remove::provider(&conn, id, |_| Ok(false)).unwrap();
    assert_eq!(
        said,
        "Deleted provider `cloud`. Its key in the environment variable CLOUD_KEY is left as it is: \
         Tunebench never changes environment variables."
    );
}

#[test]
fn a_keychain_that_refuses_the_removal_is_named_with_the_entry_to_remove_by_hand() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let id = lone_provider(&conn, None);
    let said =
        remove::provider(&conn, id, |_| Err(KeychainError::Refused("locked".into()))).unwrap();
    assert_eq!(
        said,
        "Deleted provider `cloud`, but its API key could not be removed from the OS keychain \
         (the OS keychain refused access: locked): remove the entry `cloud` of service \
         `tunebench` there."
    );
    // No keychain at all (a headless box): no key could have been filed, nothing to say.
    let id = lone_provider(&conn, None);
    let said = remove::provider(&conn, id, |_| {
        Err(KeychainError::Unavailable("no bus".into()))
    })
    .unwrap();
    assert_eq!(said, "Deleted provider `cloud`.");
}

#[test]
fn an_arm_name_already_stored_is_refused_instead_of_saved_twice() {
    let db = temp_db();
    setup(&db);
    let conn = store::open(&db.path).unwrap();
    let local = store::provider::get_by_name(&conn, "local").unwrap().id;
    let draft = || ArmDraft {
        kind: None,
        provider_id: local,
        model: "ft-model".into(),
        system_prompt: String::new(),
        template: "{{input}}".into(),
        few_shot: None,
        max_tokens: None,
        temperature: None,
    };
    arm::save_draft(&conn, "mine", draft()).unwrap();
    let err = arm::save_draft(&conn, " mine ", draft()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert_eq!(
        err.to_string(),
        "an arm named `mine` is already stored: give this one another name"
    );
    let mut nameless = draft();
    nameless.model = String::new();
    assert_eq!(
        arm::save_draft(&conn, "", nameless)
            .unwrap_err()
            .to_string(),
        "a saved arm needs a name and a model"
    );
}

#[test]
fn a_run_over_a_dataset_without_a_split_points_to_the_dataset_screen() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    seed_dataset(&conn, "toy", &[], &toy_cases(4, "train"));
    let path = db.dir.path().join("exp.toml");
    std::fs::write(
        &path,
        "name = \"toy\"\ndataset = \"toy\"\n[[providers]]\nname = \"local\"\nkind = \"openai_compatible\"\n\
         base_url = \"http://127.0.0.1:9/v1\"\n[[arms]]\nname = \"a\"\nprovider = \"local\"\nmodel = \"m\"\n\
         [[arms]]\nname = \"b\"\nprovider = \"local\"\nmodel = \"n\"\n",
    )
    .unwrap();
    let exp = confirmed_import(&conn, &experiment::file::load(&path).unwrap()).unwrap();
    let id = run::create(&conn, exp, &RunOptions::default(), None);
    let err = id
        .and_then(|id| run::Plan::load(&conn, id).map(|_| ()))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("split it first (Split on its dataset screen"),
        "{err}"
    );
}

#[test]
fn an_experiment_composed_without_labels_takes_the_datasets_label_set() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let csv = "input,expected,split\nparcel late,shipping,train\nrefund,billing,train\n\
               where is it,shipping,test\nmoney back,billing,test\nhello,other,test\n";
    let path = db.dir.path().join("tickets.csv");
    std::fs::write(&path, csv).unwrap();
    let dataset = crate::dataset::import(&conn, &path).unwrap().dataset_id;
    let exp = setup(&db);
    let arms = store::experiment::get(&conn, exp).unwrap().arm_ids;
    let draft = |labels: Vec<String>| experiment::ExperimentDraft {
        name: "composed".into(),
        dataset_id: dataset,
        split: "test".into(),
        primary_metric: "accuracy".into(),
        margin: experiment::Margin {
            kind: experiment::MarginKind::Relative,
            value: 0.05,
        },
        labels,
        arm_a: arms[0],
        arm_b: arms[1],
        more_arms: vec![],
    };
    let inferred = experiment::create(&conn, &draft(vec![])).unwrap();
    assert_eq!(
        store::experiment::get(&conn, inferred).unwrap().labels,
        ["billing", "other", "shipping"]
    );
    let given = experiment::create(&conn, &draft(vec!["spam".into(), "ham".into()])).unwrap();
    assert_eq!(
        store::experiment::get(&conn, given).unwrap().labels,
        ["spam", "ham"]
    );
}

#[test]
fn an_experiment_composed_of_three_arms_keeps_their_order_with_a_prompting_baseline_first() {
    let db = temp_db();
    let exp = setup(&db);
    let conn = store::open(&db.path).unwrap();
    let [prompting, tuned] = store::experiment::get(&conn, exp).unwrap().arm_ids[..] else {
        panic!("two arms")
    };
    let local = store::arm::get(&conn, prompting).unwrap().provider_id;
    let terse = arm::save_draft(
        &conn,
        "terse",
        ArmDraft {
            kind: None,
            provider_id: local,
            model: "base".into(),
            system_prompt: "Answer in one word.".into(),
            template: "{{input}}".into(),
            few_shot: None,
            max_tokens: None,
            temperature: None,
        },
    )
    .unwrap();
    let dataset = store::experiment::get(&conn, exp).unwrap().dataset_id;
    let draft = |arm_a: i32, arm_b: i32, more_arms: Vec<i32>| experiment::ExperimentDraft {
        name: "three".into(),
        dataset_id: dataset,
        split: "test".into(),
        primary_metric: "accuracy".into(),
        margin: experiment::Margin {
            kind: experiment::MarginKind::Relative,
            value: 0.05,
        },
        labels: vec![],
        arm_a,
        arm_b,
        more_arms,
    };
    let three = experiment::create(&conn, &draft(prompting, tuned, vec![terse])).unwrap();
    assert_eq!(
        store::experiment::get(&conn, three).unwrap().arm_ids,
        [prompting, tuned, terse]
    );
    let err = experiment::create(&conn, &draft(tuned, prompting, vec![terse])).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(
        err.to_string()
            .contains("arm A is the prompting baseline every other arm is compared with"),
        "{err}"
    );
    // Two arms read as before: any kind may be arm A.
    assert!(experiment::create(&conn, &draft(tuned, prompting, vec![])).is_ok());
}
