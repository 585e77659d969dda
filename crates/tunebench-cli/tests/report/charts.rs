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

#[test]
fn a_slide_pack_writes_every_chart_at_slide_size_with_one_caption_each() {
    let dir = tempfile::tempdir().unwrap();
    let (db, run) = toy_run(
        &dir,
        4,
        Some("{ input = 0.5, output = 0.5, training = 5.0 }"),
    );
    let run_id = run["run_id"].to_string();
    let be = report_json(&db, &run_id)["break_even_queries_per_day"]
        .as_f64()
        .unwrap();
    let out = dir.path().join("slides");
    let pack = support::tunebench_json(
        std::path::Path::new(&db),
        &["chart", "pack", &run_id, "--out", out.to_str().unwrap()],
    );
    let files: Vec<&str> = pack["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for chart in [
        "crossover",
        "cumulative",
        "tornado",
        "metric",
        "latency",
        "confusion-a",
        "confusion-b",
        "quality-cost",
        "trend",
    ] {
        let file = files
            .iter()
            .find(|f| f.ends_with(&format!("-{chart}.png")))
            .unwrap_or_else(|| panic!("{chart} missing from {files:?}"));
        let png = std::fs::read(out.join(file)).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 1920);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 1080);
    }
    assert_eq!(files.last(), Some(&"captions.md"));
    let captions = std::fs::read_to_string(out.join("captions.md")).unwrap();
    let lines: Vec<&str> = captions.lines().filter(|l| l.starts_with("- `")).collect();
    assert_eq!(
        lines.len(),
        files.len() - 1,
        "one caption per chart:\n{captions}"
    );
    for line in &lines {
        let sentence = line.split_once("`: ").map(|x| x.1).unwrap_or_default();
        assert!(
            sentence.chars().any(|c| c.is_ascii_digit()),
            "every caption cites a number: {line}"
        );
        assert!(
            sentence.ends_with('.') && sentence.matches("At ").count() <= 1,
            "every caption is one sentence, naming the volume once: {line}"
        );
    }
    let crossover = lines.iter().find(|l| l.contains("-crossover.png")).unwrap();
    let expected = format!("Break-even at {}/day", tunebench_core::money::count(be));
    assert!(crossover.contains(&expected), "{crossover} / {expected}");

    // At 1 query a day the training is never paid back: the caption says so in one
    // sentence that names the volume once.
    let low = dir.path().join("low");
    support::tunebench_json(
        std::path::Path::new(&db),
        &[
            "chart",
            "pack",
            &run_id,
            "--volume",
            "1",
            "--out",
            low.to_str().unwrap(),
        ],
    );
    let captions = std::fs::read_to_string(low.join("captions.md")).unwrap();
    let cumulative = captions
        .lines()
        .find(|l| l.contains("-cumulative.png"))
        .unwrap();
    assert!(
        cumulative.ends_with("never pays back.") && cumulative.matches("At ").count() == 1,
        "{cumulative}"
    );
}
