//! `tunebench rerun` onto a new model: the run, its history and trend, and the decision
//! report showing both runs.

use super::*;

#[test]
fn a_rerun_on_a_new_model_runs_again_and_the_history_and_trend_show_both_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (db, run) = toy_run(&dir, 0, Some("{ input = 0.5, output = 0.5 }"));
    let run_id = run["run_id"].to_string();

    let refused = tunebench()
        .args(["--db", &db, "rerun", &run_id, "--model", "c=ft-v2"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let refused = String::from_utf8_lossy(&refused);
    assert!(refused.contains("--model \"c=ft-v2\""), "{refused}");
    assert!(refused.contains("prompting, fine-tuned"), "{refused}");

    let rerun = tunebench()
        .args([
            "--db", &db, "rerun", &run_id, "--model", "b=ft-v2", "--json",
        ])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&rerun.get_output().stderr).to_string();
    assert!(stderr.contains("fine-tuned: ft → ft-v2"), "{stderr}");
    assert!(stderr.contains("not carried over"), "{stderr}");
    let second: Value = serde_json::from_slice(&rerun.get_output().stdout).unwrap();
    assert_eq!(second["status"], "completed");
    assert_eq!(second["arms"][1]["n"], 6, "every case answered again");
    let second_id = second["run_id"].to_string();
    assert_ne!(second_id, run_id);

    let out = tunebench()
        .args(["--db", &db, "history", &second_id, "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let h: Value = serde_json::from_slice(&out).unwrap();
    let runs = h["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "{h}");
    assert_eq!(runs[0]["run_id"].to_string(), run_id);
    assert_eq!(runs[0]["arms"][1]["model"], "ft");
    assert_eq!(runs[1]["arms"][1]["model"], "ft-v2");
    assert_eq!(runs[1]["arms"][0]["model"], "base");
    assert!(runs[0]["arms"][1]["cost_per_query"].as_f64().unwrap() > 0.0);
    assert!(
        runs[1]["arms"][1]["cost_per_query"].is_null(),
        "ft-v2 has no price of its own nor in the catalog"
    );

    let table = tunebench()
        .args(["--db", &db, "history", &run_id])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8_lossy(&table);
    assert!(table.contains("toy on toy · accuracy · 2 runs"), "{table}");
    assert!(table.contains("ft-v2"), "{table}");

    let svg = dir.path().join("trend.svg");
    tunebench()
        .args([
            "--db",
            &db,
            "chart",
            "trend",
            &second_id,
            "--out",
            svg.to_str().unwrap(),
        ])
        .assert()
        .success();
    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(svg.starts_with("<svg"), "an SVG file");
    assert!(svg.contains("Runs of toy on toy"));
    assert!(
        svg.lines().any(|l| l.trim() == "ft-v2"),
        "the new model named"
    );

    // The decision report of the new run carries the history, in HTML and Markdown.
    let html = dir.path().join("decision.html");
    tunebench()
        .args([
            "--db", &db, "report", &second_id, "--format", "html", "--out",
        ])
        .arg(&html)
        .assert()
        .success();
    let page = std::fs::read_to_string(&html).unwrap();
    let history = &page[page.find("History: 2 runs").expect("a history section")..];
    assert!(
        history.contains("<td>ft-v2</td>"),
        "the new model in the table"
    );
    assert!(
        history.contains("<td>ft</td>"),
        "the earlier model in the table"
    );
    assert!(history.contains("<svg"), "the trend chart inlined");
    let md = dir.path().join("decision.md");
    tunebench()
        .args(["--db", &db, "report", &second_id, "--format", "md", "--out"])
        .arg(&md)
        .assert()
        .success();
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.contains("decision-trend.png"), "{text}");
    assert!(dir.path().join("decision-trend.png").exists());
}
