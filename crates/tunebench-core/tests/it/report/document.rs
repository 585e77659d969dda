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

/// The priced run with a third arm, a hybrid on the fine-tuned model: right on every case,
/// with 600 prompt tokens a query (its retrieved context) and 80 ms.
pub(super) fn three_arm_run(conn: &Connection) -> i32 {
    let run_id = priced_run(conn);
    conn.execute_batch(
        "INSERT INTO arm (id, name, kind, provider_id, model, created_at)
             VALUES (3, 'hybrid', 'hybrid', 1, 'ft-model', '2026-01-01T00:00:00Z');
         INSERT INTO experiment_arm (experiment_id, arm_id, position) VALUES (1, 3, 2);",
    )
    .unwrap();
    for i in 0..20 {
        conn.execute(
            "INSERT INTO result (run_id, arm_id, example_id, output, prompt_tokens,
                                 completion_tokens, latency_ms, created_at)
             VALUES (?1, 3, ?2, ?3, 600, 2, 80, '2026-01-01T00:00:30Z')",
            params![run_id, 100 + i, expected(i as usize)],
        )
        .unwrap();
    }
    run_id
}

/// Renders the decision report of the priced run in `format` as of a fixed date; returns
/// its text and the other files it wrote.
fn rendered(format: DocFormat, name: &str) -> (String, Vec<String>) {
    rendered_of(priced_run, format, name)
}

/// [`rendered`] for the run `seed` writes.
fn rendered_of(
    seed: fn(&Connection) -> i32,
    format: DocFormat,
    name: &str,
) -> (String, Vec<String>) {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = seed(&conn);
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

/// `html` with each inline chart replaced by its title.
fn charts_by_title(html: &str) -> String {
    let svg = Regex::new(r"(?s)<svg\b.*?</svg>").unwrap();
    let text = Regex::new(r"(?s)<text[^>]*>([^<]*)</text>").unwrap();
    svg.replace_all(html, |c: &regex::Captures| {
        let title = text
            .captures_iter(&c[0])
            .map(|t| t[1].trim().to_string())
            .find(|t| !t.is_empty())
            .unwrap_or_default();
        format!("<svg>[chart: {title}]</svg>")
    })
    .into_owned()
}

#[test]
fn the_html_decision_report_of_a_fixed_run_reads_as_pinned() {
    let (html, others) = rendered(DocFormat::Html, "decision.html");
    assert!(others.is_empty(), "one self-contained file: {others:?}");
    insta::assert_snapshot!("decision_report_html", charts_by_title(&html));
}

#[test]
fn a_three_arm_decision_report_has_a_column_per_arm_the_corrected_comparisons_and_every_cost() {
    let (html, others) = rendered_of(three_arm_run, DocFormat::Html, "three.html");
    assert!(others.is_empty(), "one self-contained file: {others:?}");
    let html = charts_by_title(&html);
    for part in [
        "C: hybrid (ft-model)",
        "Holm-adjusted p",
        "hybrid vs fine-tuned",
        "Holm&#39;s correction over 3 comparisons",
        "[chart: Monthly cost of each arm]",
        "Break-even with A: prompting: B: fine-tuned",
        "The recommendation weighs ",
    ] {
        assert!(html.contains(part), "{part} is missing:\n{html}");
    }
    insta::assert_snapshot!("decision_report_three_arms_html", html);
    let (md, pngs) = rendered_of(three_arm_run, DocFormat::Markdown, "three.md");
    assert!(pngs.iter().all(|png| md.contains(png.as_str())));
    insta::assert_snapshot!("decision_report_three_arms_markdown", md);
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
