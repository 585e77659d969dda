//! Experiments with three or more arms: the file's checks, a run that sends each case once
//! per arm, and the report's corrected comparisons; and a two-arm store written by the
//! previous release, whose report reads exactly as it did.

use std::path::Path;

use serde_json::{json, Value};

use super::report_json;
use super::support::{chat_server, toy_experiment, tunebench, tunebench_at, tunebench_json};

/// Forty test cases "billing case 0", "shipping case 1", … expecting their first word.
fn forty_cases(db: &Path) {
    let conn = tunebench_core::store::open(db).unwrap();
    conn.execute(
        "INSERT INTO dataset (name, source_file, source_format, imported_at) VALUES ('toy', 'x', 'csv', 'now')",
        [],
    )
    .unwrap();
    for i in 0..40_u32 {
        let label = if i.is_multiple_of(2) {
            "billing"
        } else {
            "shipping"
        };
        conn.execute(
            "INSERT INTO example (dataset_id, ordinal, input, expected, split) VALUES (1, ?1, ?2, ?3, 'test')",
            rusqlite::params![i, format!("{label} case {i}"), label],
        )
        .unwrap();
    }
}

/// What the stub answers to `last`, "arm-X Input: LABEL case I": the label, except that
/// arm a is wrong on every fourth case and arm b on every tenth (arm c is always right).
fn answer(last: &str) -> String {
    let input = last.rsplit("Input: ").next().unwrap_or("");
    let mut words = input.split(' ');
    let label = words.next().unwrap_or("");
    let i: u32 = words.nth(1).and_then(|w| w.parse().ok()).unwrap_or(0);
    let wrong = (last.contains("arm-a") && i.is_multiple_of(4))
        || (last.contains("arm-b") && i.is_multiple_of(10));
    if wrong { "returns" } else { label }.to_owned()
}

/// Arms A (prompt), B (fine-tuned, model `ft`) and C (hybrid: model `ft` with retrieval).
const THREE_ARMS: &str = "[[arms]]\nname = \"prompting\"\nprovider = \"local\"\nmodel = \"base\"\n\
    template = \"arm-a Input: {{input}}\"\n\
    [[arms]]\nname = \"fine-tuned\"\nkind = \"fine_tuned\"\nprovider = \"local\"\nmodel = \"ft\"\n\
    template = \"arm-b Input: {{input}}\"\n\
    [[arms]]\nname = \"hybrid\"\nkind = \"hybrid\"\nprovider = \"local\"\nmodel = \"ft\"\n\
    context = { dir = \"docs\", top_k = 1 }\n\
    template = \"{{context}}\\n\\narm-c Input: {{input}}\"\n";

/// The experiment file's error for `arms`, from `tunebench run` (exit code 2).
fn refused(dir: &Path, arms: &str) -> String {
    let exp = toy_experiment(dir, "", "http://127.0.0.1:9/v1", "", arms);
    let out = tunebench_at(&dir.join("t.db"))
        .args(["run", exp.to_str().unwrap(), "--yes"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn an_experiment_file_holds_at_most_six_arms_with_a_prompting_baseline_first() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("docs")).unwrap();
    let arm = |i: usize, kind: &str| {
        format!("[[arms]]\nname = \"arm{i}\"\nkind = \"{kind}\"\nprovider = \"local\"\nmodel = \"m{i}\"\n")
    };
    let seven: String = (0..7).map(|i| arm(i, "prompt")).collect();
    let e = refused(dir.path(), &seven);
    assert!(
        e.contains("key `arms`: 7 [[arms]]; an experiment compares at most 6"),
        "{e}"
    );
    let ft_first = [arm(0, "fine_tuned"), arm(1, "prompt"), arm(2, "prompt")].concat();
    let e = refused(dir.path(), &ft_first);
    assert!(
        e.contains("key `arms[0].kind`")
            && e.contains("arm A (the first) is the prompting baseline"),
        "{e}"
    );
    let e = refused(dir.path(), &[arm(0, "prompt"), arm(1, "hybrid")].concat());
    assert!(
        e.contains("key `arms[1].context`") && e.contains("retrieved context"),
        "{e}"
    );
}

#[test]
fn three_arms_run_each_case_once_per_arm_and_the_report_corrects_for_three_comparisons() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(
        docs.join("policy.md"),
        "Billing covers invoices; shipping covers parcels.",
    )
    .unwrap();
    let db = dir.path().join("t.db");
    forty_cases(&db);
    let server = chat_server(200, 0, answer);
    let labels = "labels = [\"billing\", \"shipping\", \"returns\"]\n";
    let exp = toy_experiment(dir.path(), labels, &server.url, "", THREE_ARMS);
    let run = tunebench_json(&db, &["run", exp.to_str().unwrap(), "--yes"]);
    assert_eq!(server.calls.load(std::sync::atomic::Ordering::SeqCst), 120);
    let seen = server.seen.lock().unwrap().clone();
    for marker in ["arm-a", "arm-b", "arm-c"] {
        assert_eq!(
            seen.iter().filter(|s| s.contains(marker)).count(),
            40,
            "{marker}"
        );
    }
    assert!(seen
        .iter()
        .filter(|s| s.contains("arm-c"))
        .all(|s| s.contains("Billing covers invoices")));

    let v = report_json(db.to_str().unwrap(), &run["run_id"].to_string());
    let arms = v["arms"].as_array().unwrap();
    let names: Vec<&str> = arms.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["prompting", "fine-tuned", "hybrid"]);
    let values: Vec<f64> = arms
        .iter()
        .map(|a| a["primary"]["value"].as_f64().unwrap())
        .collect();
    assert_eq!(values, [0.75, 0.9, 1.0]);
    assert!(arms.iter().all(|a| a["n"] == 40));
    // `comparison` is still B against A.
    assert_eq!(v["comparison"]["arm_b"]["arm"], "fine-tuned");
    assert_eq!(v["comparison"]["arm_a"]["arm"], "prompting");

    // Discordant pairs: B vs A 2 / 8, C vs A 0 / 10, C vs B 0 / 4. McNemar exact:
    // 2·P[Bin(10, ½) ≤ 2] = 112/1024, 2/1024, 2/16. Holm over three: 2/1024 × 3 =
    // 0.005859375; 112/1024 × 2 = 0.21875; 2/16 × 1 = 0.125, raised to 0.21875.
    let c = v["comparisons"].as_array().unwrap();
    let row = |i: usize, key: &str| c[i][key].as_f64().unwrap();
    let pairs: Vec<(&str, &str)> = c
        .iter()
        .map(|x| (x["arm"].as_str().unwrap(), x["against"].as_str().unwrap()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("fine-tuned", "prompting"),
            ("hybrid", "prompting"),
            ("hybrid", "fine-tuned")
        ]
    );
    for (i, (p, holm)) in [
        (112.0 / 1024.0, 0.21875),
        (2.0 / 1024.0, 0.005859375),
        (0.125, 0.21875),
    ]
    .into_iter()
    .enumerate()
    {
        assert!((row(i, "p_value") - p).abs() < 1e-12, "{}", c[i]);
        assert!((row(i, "holm_p") - holm).abs() < 1e-12, "{}", c[i]);
    }
    let kinds: Vec<&str> = c
        .iter()
        .map(|x| x["verdict_kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds[1], "justified");
    assert_ne!(kinds[0], "justified");
    assert_ne!(kinds[2], "justified");
    assert_eq!(v["verdict_kind"], "justified");
    let verdict = v["verdict"].as_str().unwrap();
    assert!(
        verdict.starts_with(
            "hybrid is the best arm that clears the margin of 0.038 against prompting: \
             hybrid − prompting on accuracy is +0.25 (1 vs 0.75; 95 % CI"
        ),
        "{verdict}"
    );
    assert!(verdict.contains("Holm-adjusted p = 0.006"), "{verdict}");
    assert!(verdict.contains("hybrid − fine-tuned on accuracy is +0.1 (1 vs 0.9;"));
    assert!(v["multiple_testing"]
        .as_str()
        .unwrap()
        .starts_with("Holm's correction over 3 comparisons (fine-tuned vs prompting, hybrid vs prompting, hybrid vs fine-tuned)"));

    // The text shows a column per arm and every comparison's sentence.
    let text = tunebench_at(&db)
        .args(["report", &run["run_id"].to_string()])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("A: prompting (prompt, base)")
            && text.contains("B: fine-tuned (fine_tuned, ft)")
            && text.contains("C: hybrid (hybrid, ft)"),
        "{text}"
    );
    assert!(text.contains("accuracy (primary)     0.750 ["), "{text}");
    for x in c {
        assert!(text.contains(x["sentence"].as_str().unwrap()), "{text}");
    }
    assert!(text.contains(verdict), "{text}");
    // The recommendation weighs the verdict's best arm against A and says so.
    let scope = "weighs C: hybrid against A: prompting, the best arm that clears the margin \
                 after Holm's correction";
    assert!(
        text.contains(&format!("recommendation ({scope}):")),
        "{text}"
    );
    assert_eq!(v["recommendation_scope"], scope);
    // No arm has a price: cost at scale says why instead of a figure.
    assert!(v["cost_arms"].is_null());
    assert!(
        v["cost_arms_note"]
            .as_str()
            .unwrap()
            .contains("no price for model base"),
        "{}",
        v["cost_arms_note"]
    );
    assert!(text.contains("cost at scale: unknown ("), "{text}");
}

/// The three arms with prices: 1,000 prompt tokens and 1 output token a query (the stub's
/// usage) at $1, $0.20 and $0.10 per 1M tokens, and $1 and $2 an hour of hosting for the
/// fine-tuned and hybrid arms (no train split, so no training cost).
fn priced_three_arms() -> String {
    let prices = [
        "price = { input = 1.0, output = 1.0 }\n",
        "price = { input = 0.2, output = 0.2, training = 1.0, hosting_per_hour = 1.0 }\n",
        "price = { input = 0.1, output = 0.1, training = 1.0, hosting_per_hour = 2.0 }\n",
    ];
    THREE_ARMS
        .split("[[arms]]\n")
        .skip(1)
        .zip(prices)
        .map(|(arm, price)| format!("[[arms]]\n{arm}{price}"))
        .collect()
}

#[test]
fn three_priced_arms_report_where_each_is_cheapest_each_break_even_and_the_leading_tornado() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("policy.md"), "Billing covers invoices.").unwrap();
    let db = dir.path().join("t.db");
    forty_cases(&db);
    let server = chat_server(200, 0, answer);
    let labels = "labels = [\"billing\", \"shipping\", \"returns\"]\n";
    let exp = toy_experiment(dir.path(), labels, &server.url, "", &priced_three_arms());
    let run = tunebench_json(&db, &["run", exp.to_str().unwrap(), "--yes"]);
    let id = run["run_id"].to_string();
    let v = report_json(db.to_str().unwrap(), &id);

    // Monthly at V queries/day (30.4 days, 730 hours): prompting 0.0304304 V, fine-tuned
    // 730 + 0.00608608 V, hybrid 1,460 + 0.00304304 V.
    let c = &v["cost_arms"];
    let ranges = c["cheapest"].as_array().unwrap();
    let arms: Vec<&Value> = ranges.iter().map(|r| &r["arms"]).collect();
    assert_eq!(arms, [&json!([0]), &json!([1]), &json!([2])]);
    let to = |i: usize| ranges[i]["to"].as_f64().unwrap();
    assert!((to(0) - 730.0 / 0.02434432).abs() < 0.01, "{}", to(0));
    assert!((to(1) - 730.0 / 0.00304304).abs() < 0.01, "{}", to(1));
    assert_eq!(c["cheapest_at_volume"], json!([0]));
    let monthly: Vec<f64> = c["arms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["monthly_at_volume"]["mean"].as_f64().unwrap())
        .collect();
    for (m, want) in monthly.iter().zip([304.304, 790.8608, 1490.4304]) {
        assert!((m - want).abs() < 1e-6, "{monthly:?}");
    }
    // Each arm's break-even with A; the legacy fields stay B against A.
    let be: Vec<f64> = c["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["report"]["break_even"]["queries_per_day"]
                .as_f64()
                .unwrap()
        })
        .collect();
    assert!(
        (be[0] - 730.0 / 0.02434432).abs() < 0.01 && (be[1] - 1460.0 / 0.02738736).abs() < 0.01
    );
    assert_eq!(v["break_even_queries_per_day"].as_f64(), Some(be[0]));
    let headline = v["cost_headline"].as_str().unwrap();
    assert_eq!(
        headline,
        "Prompting is cheapest up to 29,986 queries/day; fine-tuned is cheapest from 29,986 \
         to 239,892 queries/day; hybrid is cheapest from 239,892 queries/day up. At 10,000 \
         queries/day prompting is cheapest: prompting $304, fine-tuned $791, hybrid $1,490 a \
         month."
    );
    // The tornado is the hybrid's, the verdict's best arm.
    let t = &v["cost_tornado"];
    assert_eq!(
        (t["arm_a"].as_str(), t["arm_b"].as_str()),
        (Some("prompting"), Some("hybrid"))
    );
    assert_eq!(t["sensitivity"], c["pairs"][1]["report"]["sensitivity"]);
    assert!(!t["sensitivity"].as_array().unwrap().is_empty());

    let text = tunebench_at(&db)
        .args(["report", &id])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains(&format!("cost at scale: {headline}")),
        "{text}"
    );
    assert!(
        text.contains(
            "break-even with A (prompting): B (fine-tuned) at 29,986 queries/day; C (hybrid) at \
             53,309 queries/day"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "tornado of A (prompting) against C (hybrid), the verdict's best arm: the \
             break-even moves most with "
        ),
        "{text}"
    );

    // The crossover draws a line per arm and says where each is cheapest.
    let svg = dir.path().join("x.svg");
    let out = tunebench_json(
        &db,
        &["chart", "crossover", &id, "--out", svg.to_str().unwrap()],
    );
    assert_eq!(out["cheapest"], c["cheapest"]);
    let drawn = std::fs::read_to_string(&svg).unwrap();
    for name in [
        "fine-tuned cheapest",
        "hybrid cheapest",
        "Monthly cost of each arm",
    ] {
        assert!(drawn.contains(name), "{name}");
    }
    let tornado = tunebench_json(
        &db,
        &[
            "chart",
            "tornado",
            &id,
            "--out",
            dir.path().join("t.svg").to_str().unwrap(),
        ],
    );
    assert_eq!(tornado["pair"], json!(["prompting", "hybrid"]));
    assert_eq!(tornado["break_even_queries_per_day"].as_f64(), Some(be[1]));
}

/// A two-arm store written by the release before experiments took more arms (the files in
/// `tests/fixtures/two_arm_store`: its run, `report --json` and `report` as that release
/// printed them; made with `tunebench run exp.toml` against a stub labeller).
#[test]
fn a_two_arm_store_from_the_previous_release_reports_exactly_as_before() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/two_arm_store");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.sqlite3");
    std::fs::copy(fixture.join("store.sqlite3"), &db).unwrap();
    let read = |f: &str| std::fs::read_to_string(fixture.join(f)).unwrap();

    let json = tunebench_at(&db)
        .args(["report", "1", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let now: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let before: serde_json::Value = serde_json::from_str(&read("report.json")).unwrap();
    assert_eq!(now, before);
    assert!(now.get("comparisons").is_none());

    let text = tunebench()
        .args(["--db", db.to_str().unwrap(), "report", "1"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(text).unwrap(), read("report.txt"));
}
