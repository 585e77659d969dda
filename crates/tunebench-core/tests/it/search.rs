//! The prompt search end to end over real HTTP and a real SQLite file: a fake server whose
//! models have known accuracies and costs, the validation split only, halving, the choice
//! rule, and the chosen candidate as arm A.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_util::sync::CancellationToken;
use tunebench_core::chart::{ChartData, ChartStyle};
use tunebench_core::run::{self, Progress, RunContext, RunStatus};
use tunebench_core::search::{self, SearchOptions, SearchOutcome};
use tunebench_core::{experiment, store};

use crate::provider_server::{self as server, chat_json, echo_label, usage, Recorded, Reply};
use crate::support::{temp_db, toy_cases, TempDb};

mod chart;
mod grid;
mod start;

/// The case number in a rendered input ("label-x train case 17" → 17).
fn case_number(input: &str) -> u32 {
    input
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Model `m<acc>` answers right for `acc` % of cases (by case number), `big`, `small` and
/// `tiny` as 90, 85 and 50 % with 1,000, 100 and 10 prompt tokens.
fn models_server() -> impl Fn(&Recorded, u32) -> Reply + Send + Sync + 'static {
    |req, _| {
        let model = req.body["model"].as_str().unwrap_or_default().to_string();
        let (acc, tokens) = match model.as_str() {
            "big" => (90, 1000),
            "small" => (85, 100),
            "tiny" => (50, 10),
            m => (m.trim_start_matches('m').parse().unwrap_or(0), 100),
        };
        let n = case_number(&req.last_user());
        let right = (n * 37 + 11) % 100 < acc;
        let answer = if right {
            echo_label(req)
        } else {
            "wrong".into()
        };
        chat_json(&answer, Some(usage(tokens, 2)))
    }
}

/// The dataset (30 test, 200 train rows) and an experiment file against `base_url`.
fn files(db: &TempDb, base_url: &str) -> PathBuf {
    let conn = store::open(&db.path).unwrap();
    let mut csv = String::from("input,expected,split\n");
    for (cases, split) in [
        (toy_cases(30, "test"), "test"),
        (toy_cases(200, "train"), "train"),
    ] {
        for (input, expected) in cases {
            csv.push_str(&format!("{input},{expected},{split}\n"));
        }
    }
    let csv_path = db.dir.path().join("toy.csv");
    std::fs::write(&csv_path, csv).unwrap();
    let opts = tunebench_core::dataset::ImportOptions {
        name: Some("toy".into()),
        ..Default::default()
    };
    tunebench_core::dataset::import(&conn, &csv_path, &opts, &mut |_| {}, &Default::default())
        .unwrap();
    let toml = format!(
        r#"
name = "toy"
dataset = "toy"
[[providers]]
name = "local"
kind = "openai_compatible"
base_url = "{base_url}/v1"
max_concurrency = 4
timeout_s = 5
max_attempts = 2
backoff_initial_ms = 10

[[arms]]
name = "prompting"
provider = "local"
model = "m50"
system = "Answer with the label."
template = "Input: {{{{input}}}}"
few_shot = {{ k = 2, strategy = "random", seed = 3 }}
max_tokens = 8
price = {{ input = 1.0, output = 2.0 }}

[[arms]]
name = "fine-tuned"
kind = "fine_tuned"
provider = "local"
model = "ft"
template = "Input: {{{{input}}}}"
max_tokens = 8
"#
    );
    let path = db.dir.path().join("exp.toml");
    std::fs::write(&path, toml).unwrap();
    path
}

fn context(db: &Path) -> RunContext {
    RunContext {
        db_path: db.to_path_buf(),
        client: reqwest::Client::new(),
        keys: Arc::new(|_| None),
        prices: Arc::new(run::ArmPriceOverride),
        cancel: CancellationToken::new(),
        seed: 1,
    }
}

async fn search(db: &TempDb, exp: &Path, grid: &str) -> (search::PreparedSearch, SearchOutcome) {
    let grid_path = db.dir.path().join("grid.toml");
    std::fs::write(&grid_path, grid).unwrap();
    let loaded = experiment::file::load(exp).unwrap();
    let grid = search::load_grid(&grid_path, &loaded.file).unwrap();
    let conn = store::open(&db.path).unwrap();
    let prepared = search::prepare(
        &conn,
        &loaded,
        &grid,
        Some(&loaded.fingerprint),
        &SearchOptions::default(),
    )
    .unwrap();
    drop(conn);
    let outcome = search::execute(&context(&db.path), &prepared, None, &mut |_: &Progress| {})
        .await
        .unwrap();
    (prepared, outcome)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_sends_only_validation_cases_halves_and_makes_the_best_arm_a() {
    let db = temp_db();
    let srv = server::start(models_server()).await;
    let exp = files(&db, &srv.base_url);
    let grid = r#"
models = ["m55", "m95", "m75", "m65", "m85", "m60", "m70", "m80"]
min_slice = 10
[validation]
rows = 60
seed = 5
"#;
    let (prepared, out) = search(&db, &exp, grid).await;
    let conn = store::open(&db.path).unwrap();
    let validation: std::collections::HashSet<String> =
        store::case::for_split(&conn, 1, "validation")
            .unwrap()
            .into_iter()
            .map(|c| c.input)
            .collect();
    assert_eq!(validation.len(), 60);
    let test: Vec<String> = store::case::for_split(&conn, 1, "test")
        .unwrap()
        .into_iter()
        .map(|c| c.input)
        .collect();
    let requests = srv.requests.lock().unwrap().clone();
    assert!(!requests.is_empty());
    for r in &requests {
        let user = r.last_user();
        let user = user.trim_start_matches("Input: ").to_string();
        assert!(
            validation.contains(&user),
            "{user:?} is not a validation case"
        );
        let body = r.body.to_string();
        assert!(
            test.iter().all(|t| !body.contains(t.as_str())),
            "a request carries a test case: {body}"
        );
    }

    let table: Vec<(u32, u32)> = prepared
        .rungs
        .iter()
        .map(|r| (r.candidates, r.cases))
        .collect();
    assert_eq!(table, [(8, 15), (4, 30), (2, 60)]);
    assert_eq!(out.status, RunStatus::Completed);
    assert_eq!(out.calls_full, 480);
    assert_eq!(out.calls_made, 8 * 15 + 4 * 15 + 2 * 30);
    assert_eq!(
        requests.len() as u32,
        out.calls_made,
        "one request per call"
    );
    let chosen = out.chosen.as_ref().expect("a choice");
    assert_eq!(chosen.label, "m95");
    let exp_row = store::experiment::get(&conn, out.experiment_id).unwrap();
    assert_eq!(exp_row.split, "test");
    assert_eq!(
        exp_row.arm_ids[0], chosen.arm_id,
        "the chosen candidate is arm A"
    );
    assert_eq!(
        store::arm::get(&conn, exp_row.arm_ids[0]).unwrap().model,
        "m95"
    );
    let sentence = out.sentence.clone().unwrap();
    assert!(
        sentence.starts_with("Prompting arm chosen from 8 candidates on 60 validation cases"),
        "{sentence}"
    );
    let i = chosen.score.interval.unwrap();
    assert!(
        sentence.contains(&format!(
            "{:.2} [{:.2}, {:.2}]",
            chosen.score.mean.unwrap(),
            i.low,
            i.high
        )),
        "{sentence}"
    );
    // The test run waits for the person, with the chosen arm A, over the test split.
    let test_run = out.test_run_id.unwrap();
    let plan = run::Plan::load(&conn, test_run).unwrap();
    assert_eq!(plan.cases.len(), 30);
    assert_eq!(plan.arms[0].prepared.arm.model, "m95");
    let stored = store::search::latest_for_experiment(&conn, out.experiment_id)
        .unwrap()
        .unwrap();
    assert_eq!(stored.id, out.search_id);

    // The chart of the stored search: every candidate drawn, the choice marked once.
    let spec = search::chart::stored(&conn, out.search_id, ChartStyle::SLIDE).unwrap();
    let ChartData::Search(d) = spec.data else {
        panic!("not a search chart")
    };
    assert_eq!(d.points.len(), 8);
    let chosen: Vec<&str> = d
        .points
        .iter()
        .filter(|p| p.chosen)
        .map(|p| p.label.as_str())
        .collect();
    assert_eq!(chosen, ["m95"]);
    assert_eq!(d.points.iter().filter(|p| p.finalist).count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn as_good_cheaper_takes_the_cheapest_candidate_within_the_best_one_s_interval() {
    let db = temp_db();
    let srv = server::start(models_server()).await;
    let exp = files(&db, &srv.base_url);
    let grid = |rule: &str| {
        format!(
            "models = [\"big\", \"small\", \"tiny\"]\nchoose = \"{rule}\"\nhalving = false\n\
             [validation]\nrows = 100\n"
        )
    };
    let (_, best) = search(&db, &exp, &grid("best")).await;
    let ranked: Vec<&str> = best.rungs[0]
        .ranked
        .iter()
        .map(|c| c.name.rsplit('(').next().unwrap().trim_end_matches(')'))
        .collect();
    assert_eq!(ranked, ["big", "small", "tiny"]);
    assert_eq!(best.chosen.unwrap().label, "big");
    assert_eq!(
        best.calls_made, 300,
        "no halving: every candidate on every case"
    );

    let (_, cheaper) = search(&db, &exp, &grid("cheapest_within_best")).await;
    let chosen = cheaper.chosen.unwrap();
    assert_eq!(chosen.label, "small");
    let big = &cheaper.rungs[0].ranked[0];
    assert!(chosen.score.mean.unwrap() >= big.interval.unwrap().low);
    assert!(chosen.score.cost_per_query.unwrap() < big.cost_per_query.unwrap());
    assert!(cheaper
        .sentence
        .unwrap()
        .contains("the cheapest candidate whose metric lies within"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_search_reopens_and_finishes_without_sending_a_case_twice() {
    let db = temp_db();
    let srv = server::start(models_server()).await;
    let exp = files(&db, &srv.base_url);
    let grid_path = db.dir.path().join("grid.toml");
    std::fs::write(
        &grid_path,
        "models = [\"m55\", \"m95\", \"m75\", \"m65\"]\nmin_slice = 10\n[validation]\nrows = 40\n",
    )
    .unwrap();
    let loaded = experiment::file::load(&exp).unwrap();
    let grid = search::load_grid(&grid_path, &loaded.file).unwrap();
    let conn = store::open(&db.path).unwrap();
    let prepared = search::prepare(
        &conn,
        &loaded,
        &grid,
        Some(&loaded.fingerprint),
        &SearchOptions::default(),
    )
    .unwrap();
    let ctx = context(&db.path);
    let cancel = ctx.cancel.clone();
    let stopped = search::execute(&ctx, &prepared, None, &mut |p: &Progress| {
        if p.arms.iter().map(|a| a.done).sum::<u32>() >= 30 {
            cancel.cancel();
        }
    })
    .await
    .unwrap();
    assert_eq!(stopped.status, RunStatus::Cancelled);
    assert!(stopped.chosen.is_none());
    let sent_before = srv.count();
    assert!(sent_before > 0 && sent_before < 100, "{sent_before}");
    let saved = store::result::for_run(&conn, prepared.run_id)
        .unwrap()
        .len() as u32;
    assert!(saved >= 30, "{saved}");

    let reopened = search::reopen(&conn, prepared.search_id).unwrap();
    assert_eq!(reopened.case_order, prepared.case_order);
    assert_eq!(reopened.candidates, prepared.candidates);
    let done = search::execute(&context(&db.path), &reopened, None, &mut |_: &Progress| {})
        .await
        .unwrap();
    assert_eq!(done.status, RunStatus::Completed);
    assert_eq!(done.chosen.unwrap().label, "m95");
    // Only the cases without a saved result were asked again (a call cut off by the
    // cancel has no result, so it is asked again; a saved one never).
    assert_eq!(
        (srv.count() - sent_before) as u32,
        done.calls_made - saved,
        "no saved case was sent again"
    );
    let err = search::reopen(&conn, prepared.search_id).unwrap_err();
    assert!(err.to_string().contains("already finished"), "{err}");
}
