//! The decision report: its recommendation in `--json`, and as a self-contained HTML file or
//! Markdown with PNG charts beside it, user text escaped.

use super::*;

/// A priced toy run whose dataset name, arm system prompt and taxonomy label are all
/// `<script>alert(1)</script>`.
fn hostile_priced_run(dir: &tempfile::TempDir) -> (String, String) {
    let (db, run) = toy_run(
        dir,
        4,
        Some("{ input = 0.5, output = 0.5, training = 5.0 }"),
    );
    let conn = tunebench_core::store::open(std::path::Path::new(&db)).unwrap();
    conn.execute_batch(
        "UPDATE dataset SET name = '<script>alert(1)</script>' WHERE id = 1;
         UPDATE arm SET system_prompt = '<script>alert(1)</script>' WHERE name = 'prompting';
         UPDATE experiment SET labels = '[\"billing\", \"shipping\", \"<script>alert(1)</script>\"]';",
    )
    .unwrap();
    (db, run["run_id"].to_string())
}

#[test]
fn report_json_carries_the_recommendation_with_its_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let (db, run_id) = hostile_priced_run(&dir);
    let v = report_json(&db, &run_id);
    let r = &v["recommendation"];
    // Four train examples are far below the 500 guideline.
    assert!(
        ["not_yet", "keep_prompting"].contains(&r["choice"].as_str().unwrap()),
        "{r}"
    );
    assert!(!r["headline"].as_str().unwrap().is_empty());
    let reasons: Vec<&str> = r["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(
        reasons.iter().any(|t| t.contains("500")),
        "the example count is cited against the guideline: {reasons:?}"
    );
}

#[test]
fn an_html_report_is_self_contained_and_escapes_user_text() {
    let dir = tempfile::tempdir().unwrap();
    let (db, run_id) = hostile_priced_run(&dir);
    let file = dir.path().join("decision.html");
    let out = tunebench()
        .args(["--db", &db, "report", &run_id, "--format", "html", "--out"])
        .arg(&file)
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["files"][0], file.display().to_string());
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.contains("<svg"), "charts are inlined as SVG");
    assert_eq!(html.matches("<svg").count(), 2, "crossover and payback");
    for external in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "<link",
        "url(http",
    ] {
        assert!(!html.contains(external), "no external asset: {external}");
    }
    assert!(!html.to_lowercase().contains("<script"), "no script tag");
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
    // Dataset name (twice: header and dataset heading), system prompt, taxonomy label.
    assert!(
        html.matches(escaped).count() >= 4,
        "found {} escaped copies",
        html.matches(escaped).count()
    );
    let headline = v["recommendation"]["headline"].as_str().unwrap();
    assert!(html.contains("Recommendation: "));
    assert!(
        html.contains(
            &headline
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;")
        ),
        "the headline is in the report: {headline}"
    );
    for section in [
        "Verdict",
        "Metrics",
        "Latency",
        "Cost",
        "Arms",
        "Assumptions",
        "from the experiment file",
        "leakage",
    ] {
        assert!(html.contains(section), "section {section}");
    }
}

#[test]
fn a_markdown_report_links_png_charts_written_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let (db, run_id) = hostile_priced_run(&dir);
    let file = dir.path().join("decision.md");
    tunebench()
        .args(["--db", &db, "report", &run_id, "--format", "md", "--out"])
        .arg(&file)
        .assert()
        .success();
    let md = std::fs::read_to_string(&file).unwrap();
    let links: Vec<&str> = md
        .lines()
        .filter_map(|l| l.strip_prefix("!["))
        .filter_map(|l| l.split("](").nth(1))
        .map(|l| l.trim_end_matches(')'))
        .collect();
    assert_eq!(links, ["decision-crossover.png", "decision-payback.png"]);
    for link in links {
        let png = std::fs::read(dir.path().join(link)).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{link} is a PNG");
    }
    assert!(md.contains("## Recommendation: "));
    assert!(
        md.contains("Dataset &lt;script&gt;alert(1)&lt;/script&gt;"),
        "user text outside code blocks opens no raw HTML"
    );
    assert!(
        md.contains("```\n<script>alert(1)</script>\n```"),
        "the system prompt is shown verbatim in a code block"
    );
    assert!(md.contains("| metric |"));
}

#[test]
fn a_report_format_without_an_output_file_is_a_usage_error() {
    tunebench()
        .args(["report", "1", "--format", "html"])
        .assert()
        .code(2);
}
