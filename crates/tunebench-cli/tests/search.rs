//! `tunebench search` against the in-process stub chat server.

use serde_json::Value;

mod support;
use support::{chat_server, echo_label, toy_arms, toy_experiment, tunebench_at, tunebench_json};

/// A store with dataset `toy` imported from a CSV: 6 test rows and 100 train rows, each
/// expecting the first word of its input.
fn store_with_toy(dir: &std::path::Path) -> std::path::PathBuf {
    let db = dir.join("t.db");
    let mut csv = String::from("input,expected,split\n");
    for i in 0..6 {
        csv.push_str(&format!("billing heldout {i},billing,test\n"));
    }
    for i in 0..100 {
        let label = if i % 2 == 0 { "billing" } else { "shipping" };
        csv.push_str(&format!("{label} practice {i},{label},train\n"));
    }
    let path = dir.join("toy.csv");
    std::fs::write(&path, csv).unwrap();
    tunebench_json(&db, &["import", path.to_str().unwrap(), "--name", "toy"]);
    db
}

#[test]
fn search_json_chooses_arm_a_on_validation_cases_only_and_leaves_the_test_run_pending() {
    let dir = tempfile::tempdir().unwrap();
    let server = chat_server(200, 0, echo_label);
    let db = store_with_toy(dir.path());
    let arms = toy_arms(
        "max_tokens = 4\nprice = { input = 1.0, output = 1.0 }\n",
        "",
    );
    let exp = toy_experiment(dir.path(), "", &server.url, "", &arms);
    let grid = dir.path().join("grid.toml");
    std::fs::write(
        &grid,
        "models = [\"base\", \"m2\"]\ntemperature = [0.0, 0.5]\nmax_spend_usd = 1.0\n",
    )
    .unwrap();
    let chart = dir.path().join("candidates.svg");
    let out: Value = tunebench_json(
        &db,
        &[
            "search",
            exp.to_str().unwrap(),
            "--grid",
            grid.to_str().unwrap(),
            "--yes",
            "--chart",
            chart.to_str().unwrap(),
        ],
    );
    assert_eq!(out["candidates"].as_array().unwrap().len(), 4);
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(
        svg.contains("chosen: base · T 0"),
        "the chosen one is marked"
    );
    assert_eq!(out["validation_cases"], 20, "20 % of 100 train rows");
    assert_eq!(out["carved"]["validation_rows"], 20);
    assert_eq!(out["carved"]["test_rows"], 6);
    assert_eq!(out["estimate"]["calls_full"], 80);
    assert_eq!(out["status"], "completed");
    assert_eq!(
        out["chosen"]["label"], "base · T 0",
        "all tie: the first, cheapest"
    );
    let calls = server.calls.load(std::sync::atomic::Ordering::SeqCst) as u64;
    assert_eq!(out["calls_made"].as_u64().unwrap(), calls);
    for seen in server.seen.lock().unwrap().iter() {
        assert!(seen.contains("practice"), "{seen}");
        assert!(!seen.contains("heldout"), "a test case was sent: {seen}");
    }
    let sentence = out["sentence"].as_str().unwrap();
    assert!(
        sentence.starts_with("Prompting arm chosen from 4 candidates on 20 validation cases"),
        "{sentence}"
    );

    // The validation run is carried on as a search, never resumed as a plain run (which
    // would send every candidate every case).
    let v_run = out["run_id"].as_i64().unwrap().to_string();
    let refused = tunebench_at(&db).args(["resume", &v_run]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("tunebench search --resume"), "{err}");

    // The pending test run answers the 6 held-out cases with the chosen arm A.
    let test_run = out["test_run_id"].as_i64().unwrap().to_string();
    let run = tunebench_json(&db, &["resume", &test_run]);
    assert_eq!(run["arms"][0]["n"], 6);
    assert_eq!(run["arms"][0]["name"], out["chosen"]["score"]["name"]);

    // The decision report of that run says how arm A was chosen, with the figures it cites.
    let html = dir.path().join("report.html");
    tunebench_at(&db)
        .args([
            "report",
            &test_run,
            "--format",
            "html",
            "--out",
            html.to_str().unwrap(),
        ])
        .assert()
        .success();
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("How arm A was chosen"), "{text}");
    assert!(
        text.contains(sentence),
        "the search sentence, word for word: {sentence}\n{text}"
    );
    let chosen_row = format!(
        "{} (chosen)",
        out["chosen"]["score"]["name"].as_str().unwrap()
    );
    assert!(text.contains(&chosen_row), "{text}");
    let mean = out["chosen"]["score"]["mean"].as_f64().unwrap();
    assert!(text.contains(&format!("<td>{mean:.2}</td>")), "{text}");
}

#[test]
fn a_grid_naming_an_unknown_provider_exits_2_naming_the_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = store_with_toy(dir.path());
    let exp = toy_experiment(
        dir.path(),
        "",
        "http://127.0.0.1:9/v1",
        "",
        &toy_arms("", ""),
    );
    let grid = dir.path().join("grid.toml");
    std::fs::write(
        &grid,
        "temperature = [0.0]\nmodels = [{ provider = \"evil\", model = \"x\" }]\n",
    )
    .unwrap();
    let out = tunebench_at(&db)
        .args([
            "search",
            exp.to_str().unwrap(),
            "--grid",
            grid.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("grid.toml, line 2, key `models[0].provider`"),
        "{err}"
    );
    assert!(err.contains("never adds a provider"), "{err}");
}
