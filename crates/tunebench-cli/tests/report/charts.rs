//! `tunebench chart`: a priced run's break-even and slide-sized charts; an unknown run.

use super::*;

#[test]
fn a_priced_run_gets_a_break_even_and_slide_sized_charts() {
    let dir = tempfile::tempdir().unwrap();
    // A: $1 per 1M tokens, B: $0.50 plus $5 per 1M training tokens; 4 train rows ≈ 4,000
    // tokens × 3 epochs = $0.06 a training run every 3 months = $0.02 a month. Each query
    // sends 1,000 prompt + 1 completion tokens, so B saves $0.0005005 a query and breaks
    // even at 0.02 / (30.4 × 0.0005005) ≈ 1.31 queries a day.
    let (db, run) = toy_run(
        &dir,
        4,
        Some("{ input = 0.5, output = 0.5, training = 5.0 }"),
    );
    let run_id = run["run_id"].to_string();
    let v = report_json(&db, &run_id);
    let be = v["break_even_queries_per_day"]
        .as_f64()
        .unwrap_or_else(|| panic!("a break-even: {}", v["break_even_note"]));
    let expected = 0.02 / (30.4 * 0.000_500_5);
    assert!(
        (be - expected).abs() / expected < 1e-6,
        "break-even {be}, by hand {expected}"
    );
    // The printed cost line names where each arm is cheaper and the arm cheaper at the
    // scenario's volume, the sentence the app and the decision report write.
    let headline = v["cost_headline"].as_str().unwrap_or_default().to_owned();
    assert!(
        headline.starts_with("Fine-tuning is cheaper from 1 queries/day, prompting below it. At "),
        "{headline}"
    );
    let text = tunebench()
        .args(["--db", &db, "report", &run_id])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains(&format!("\ncost at scale: {headline}\n")),
        "{text}"
    );

    for (file, w, h) in [("c.png", 1920_u32, 1080_u32), ("c4k.png", 3840, 2160)] {
        let path = dir.path().join(file);
        tunebench()
            .args(["--db", &db, "chart", "crossover", &run_id, "--out"])
            .arg(&path)
            .args(["--width", &w.to_string(), "--height", &h.to_string()])
            .assert()
            .success();
        let png = std::fs::read(&path).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), w);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), h);
    }
    for chart in [
        "crossover",
        "cumulative",
        "tornado",
        "latency",
        "metric",
        "confusion",
        "quality",
    ] {
        let path = dir.path().join(format!("{chart}.svg"));
        tunebench()
            .args([
                "--db", &db, "chart", chart, &run_id, "--theme", "dark", "--out",
            ])
            .arg(&path)
            .assert()
            .success();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(
            svg.starts_with("<svg"),
            "{chart}: {}",
            &svg[..40.min(svg.len())]
        );
    }
}

#[test]
fn a_chart_of_an_unknown_run_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    tunebench()
        .args([
            "--db",
            db.to_str().unwrap(),
            "chart",
            "crossover",
            "99",
            "--out",
        ])
        .arg(dir.path().join("x.png"))
        .assert()
        .code(2);
}
