//! The shareable decision report of one fixed, priced run, as HTML and as Markdown,
//! pinned by snapshots: a change to its wording, numbers or layout shows up in review.
//! Charts are drawn and snapshotted on their own (`chart`); here each is replaced by its
//! title.

use regex::Regex;
use tunebench_core::decision::{FormatNeed, Questions};
use tunebench_core::report::{render, DocFormat};

use super::*;

/// The seeded run with 600 train rows (and the validation report an import would have
/// stored), token counts (prompting's few-shot prompt is longer) and catalog prices for
/// both arms, the fine-tuned one cheaper per token but trained per token, so the report has
/// a break-even, its cost sections and its charts.
fn priced_run(conn: &Connection) -> i32 {
    let run_id = seed_run(conn, &arm_a(), &arm_b());
    for i in 0..600 {
        conn.execute(
            "INSERT INTO example (id, dataset_id, ordinal, input, expected, split)
             VALUES (?1, 1, ?1, ?2, ?3, 'train')",
            params![
                1000 + i,
                format!("train-{i:03}: where is my order"),
                expected(i as usize)
            ],
        )
        .unwrap();
    }
    let stats = |min: u32, max: u32, mean: f64, total: f64| serde_json::json!({"min": min, "p50": max, "p95": max, "max": max, "mean": mean, "total": total});
    let report = serde_json::json!({
        "rows": 620, "train_rows": 600, "test_rows": 20, "unassigned_rows": 0,
        "encoding": "UTF-8", "empty_inputs": 0, "empty_expected": 0,
        "duplicate_rows": 0, "duplicate_inputs": 0, "labelled": true,
        "labels": [{"label": "billing", "count": 310}, {"label": "shipping", "count": 310}],
        "input_chars": stats(31, 34, 33.9, 21_018.0),
        "input_tokens": stats(8, 9, 8.5, 5_270.0),
        "token_estimate": "characters / 4",
        "warnings": []
    });
    store::dataset::set_report(conn, 1, 620, &report.to_string()).unwrap();
    conn.execute(
        "UPDATE result SET prompt_tokens = CASE arm_id WHEN 2 THEN 400 ELSE 50 END",
        [],
    )
    .unwrap();
    price_models(conn, (0.4, 1.6), (0.3, 1.2), 25.0);
    run_id
}

/// A team that needs labels from its taxonomy, has 1,800 examples and expects 20,000
/// queries a day.
fn questions() -> Questions {
    Questions {
        format: FormatNeed::Taxonomy,
        queries_per_day: 20_000.0,
        labelled_examples: 1800,
        ..Questions::default()
    }
}

/// Renders the decision report of the priced run in `format` as of a fixed date; returns
/// its text and the other files it wrote.
fn rendered(format: DocFormat, name: &str) -> (String, Vec<String>) {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = priced_run(&conn);
    let dir = db.path.parent().unwrap();
    let out = dir.join(name);
    let d = tunebench_core::report::run_decision(
        &conn,
        &db.path,
        run_id,
        "2026-11-29",
        &tunebench_core::report::ReportOptions::default(),
    )
    .unwrap();
    let files = render(
        &conn,
        &db.path,
        &d,
        "2026-11-29",
        &questions(),
        format,
        &out,
    )
    .unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let others = files[1..]
        .iter()
        .map(|f| f.strip_prefix(dir).unwrap().display().to_string())
        .collect();
    (text, others)
}

#[test]
fn the_html_decision_report_of_a_fixed_run_reads_as_pinned() {
    let (html, others) = rendered(DocFormat::Html, "decision.html");
    assert!(others.is_empty(), "one self-contained file: {others:?}");
    // Each inline chart, by its title.
    let svg = Regex::new(r"(?s)<svg\b.*?</svg>").unwrap();
    let text = Regex::new(r"(?s)<text[^>]*>([^<]*)</text>").unwrap();
    let html = svg.replace_all(&html, |c: &regex::Captures| {
        let title = text
            .captures_iter(&c[0])
            .map(|t| t[1].trim().to_string())
            .find(|t| !t.is_empty())
            .unwrap_or_default();
        format!("<svg>[chart: {title}]</svg>")
    });
    insta::assert_snapshot!("decision_report_html", html);
}

#[test]
fn the_markdown_decision_report_of_a_fixed_run_reads_as_pinned() {
    let (md, pngs) = rendered(DocFormat::Markdown, "decision.md");
    assert!(!pngs.is_empty(), "charts are PNG files beside it");
    for png in &pngs {
        assert!(md.contains(png.as_str()), "{png} is linked");
    }
    insta::assert_snapshot!("decision_report_markdown", md);
}
