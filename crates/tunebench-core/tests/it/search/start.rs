//! `search::start`, the one call the app and the CLI make: the provider's key read through
//! the `env` it is given, the warnings about keys reported before the first call, then the
//! progress, and the search carried to its choice.

use tokio_util::sync::CancellationToken;
use tunebench_core::run::RunEvent;
use tunebench_core::search::{self, SearchOptions};
use tunebench_core::{experiment, store};

use super::{files, models_server, server};
use crate::support::{temp_db, TempDb};

/// Prepares a search of four models over 40 validation rows, the provider's key read from
/// `TB_SEARCH_KEY`, and starts it with `env`; returns its events, outcome and requests.
async fn start_with(
    env: fn(&str) -> Option<String>,
) -> (
    Vec<RunEvent>,
    search::SearchOutcome,
    Vec<server::Recorded>,
    TempDb,
) {
    let db = temp_db();
    let srv = server::start(models_server()).await;
    let exp = files(&db, &srv.base_url);
    let toml = std::fs::read_to_string(&exp).unwrap().replace(
        "max_concurrency = 4",
        "max_concurrency = 4\napi_key_env = \"TB_SEARCH_KEY\"",
    );
    std::fs::write(&exp, toml).unwrap();
    let grid_path = db.dir.path().join("grid.toml");
    std::fs::write(
        &grid_path,
        "models = [\"m55\", \"m95\", \"m75\", \"m65\"]\nhalving = false\n[validation]\nrows = 40\n",
    )
    .unwrap();
    let loaded = experiment::file::load(&exp).unwrap();
    let grid = search::load_grid(&grid_path, &loaded.file).unwrap();
    let conn = store::open(&db.path).unwrap();
    let opts = SearchOptions::default();
    let confirmed = Some(loaded.fingerprint.as_str());
    let prepared = search::prepare(&conn, &loaded, &grid, confirmed, &opts).unwrap();
    drop(conn);
    let mut events = Vec::new();
    let cancel = CancellationToken::new();
    let client = reqwest::Client::new();
    let on_event = &mut |e: RunEvent| events.push(e);
    let outcome = search::start(&db.path, prepared.search_id, client, cancel, env, on_event)
        .await
        .unwrap();
    let requests = srv.requests.lock().unwrap().clone();
    (events, outcome, requests, db)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_reads_the_key_from_env_and_reports_progress_to_the_choice() {
    let (events, out, requests, _db) =
        start_with(|v| (v == "TB_SEARCH_KEY").then(|| "sk-search".to_string())).await;
    assert_eq!(out.chosen.as_ref().map(|c| c.label.as_str()), Some("m95"));
    assert_eq!(out.calls_made, 4 * 40);
    assert_eq!(requests.len(), 160);
    assert!(requests
        .iter()
        .all(|r| r.headers.get("authorization").map(String::as_str) == Some("Bearer sk-search")));
    assert!(
        events
            .iter()
            .all(|e| matches!(e, RunEvent::Progress { .. })),
        "a key was found: no warning"
    );
    let Some(RunEvent::Progress { progress }) = events.last() else {
        panic!("no progress reported");
    };
    let done: u32 = progress.arms.iter().map(|a| a.done).sum();
    assert_eq!(done, 160, "the last progress counts every call");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_warns_of_a_missing_key_before_the_first_progress() {
    let (events, out, requests, _db) = start_with(|_| None).await;
    let Some(RunEvent::Warnings { warnings }) = events.first() else {
        panic!("the first event is not the warnings: {events:?}");
    };
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("TB_SEARCH_KEY"), "{}", warnings[0]);
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, RunEvent::Warnings { .. }))
            .count(),
        1
    );
    assert!(requests
        .iter()
        .all(|r| !r.headers.contains_key("authorization")));
    assert_eq!(out.chosen.map(|c| c.label), Some("m95".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_run_s_arm_a_is_explained_by_the_search_that_chose_it_and_no_other_run_is() {
    let (_, out, _, db) = start_with(|_| Some("k".into())).await;
    let conn = store::open(&db.path).unwrap();
    let test_run = out.test_run_id.expect("a test run");
    let told = search::arm_a_of_run(&conn, test_run)
        .unwrap()
        .expect("arm A of the test run was chosen by the search");
    assert_eq!(told.search_id, out.search_id);
    assert_eq!(
        told.sentence, out.sentence,
        "the sentence the search stated"
    );
    assert!(told
        .sentence
        .as_deref()
        .unwrap()
        .starts_with("Prompting arm chosen from 4 candidates on 40 validation cases"));
    assert_eq!(told.chosen, out.chosen);
    // The validation run's experiment holds the candidates; no search chose its arm A.
    assert_eq!(search::arm_a_of_run(&conn, out.run_id).unwrap(), None);
    // Arm A replaced by hand afterwards: the search no longer explains it.
    let candidates = store::run::get(&conn, out.run_id).unwrap().experiment_id;
    let chosen = out.chosen.as_ref().unwrap().arm_id;
    let other = store::experiment::get(&conn, candidates)
        .unwrap()
        .arm_ids
        .into_iter()
        .find(|&a| a != chosen)
        .unwrap();
    store::search::replace_arm(&conn, out.experiment_id, 0, other).unwrap();
    assert_eq!(search::arm_a_of_run(&conn, test_run).unwrap(), None);
}
