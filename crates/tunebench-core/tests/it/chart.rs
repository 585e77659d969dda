//! Charts: every kind renders as SVG and PNG at slide sizes, SVG output is stable (insta
//! snapshots), and text from user data stays inert in the SVG.

use tunebench_core::chart::{
    self, ChartData, ChartSpec, ChartStyle, ConfusionData, CrossoverData, CumulativeData,
    LatencyData, LatencySample, MetricBar, MetricData, MetricGroup, QualityData, QualityPoint,
    Theme, TornadoData, TrendData, TrendPoint, TrendRun,
};
use tunebench_core::cost::{self, Estimate, Hosting, Scenario};

use crate::cost::prices_md_example;

const SOURCE: &str = "n = 412 held-out cases · run 2026-11-29 · prices as of 2026-08-21";

/// The PRICES.md example with Azure hosting and measured token intervals.
pub fn scenario() -> Scenario {
    let mut s = prices_md_example(1500.0);
    s.queries_per_day = 20_000.0;
    s.arm_b.hosting = Hosting::Hourly { per_hour: 1.70 };
    s.arm_a.tokens.output = Estimate::new(100.0, 85.0, 118.0);
    s.arm_b.tokens.output = Estimate::new(100.0, 92.0, 109.0);
    s.arm_a.accuracy = Some(0.88);
    s.arm_b.accuracy = Some(0.93);
    s
}

fn spec(title: &str, data: ChartData, style: ChartStyle) -> ChartSpec {
    ChartSpec {
        title: title.into(),
        source: SOURCE.into(),
        style,
        data,
    }
}

fn bar(arm: &str, value: f64) -> MetricBar {
    MetricBar {
        arm: arm.into(),
        value,
        low: value - 0.04,
        high: value + 0.035,
    }
}

/// One spec of every chart kind, from the same scenario.
pub fn every_chart(style: ChartStyle) -> Vec<ChartSpec> {
    let s = scenario();
    let report = cost::evaluate(&s).unwrap();
    let latency = |base: f64| -> Vec<f64> {
        (0..200)
            .map(|i| base + f64::from(i * i % 97) * base / 60.0)
            .collect()
    };
    vec![
        spec(
            "Monthly cost by daily volume",
            ChartData::Crossover(CrossoverData::from_scenario(&s, &report, false).unwrap()),
            style,
        ),
        spec(
            "Monthly cost by daily volume (log scale)",
            ChartData::Crossover(CrossoverData::from_scenario(&s, &report, true).unwrap()),
            style,
        ),
        spec(
            "Cumulative cost: when training pays back",
            ChartData::Cumulative(CumulativeData::from_scenario(&s, &report).unwrap()),
            style,
        ),
        spec(
            "Quality against cost per query",
            ChartData::QualityCost(QualityData {
                metric: "Accuracy".into(),
                points: vec![
                    QualityPoint {
                        name: "prompting".into(),
                        cost_per_query: 0.00063,
                        quality: 0.88,
                        low: 0.85,
                        high: 0.91,
                    },
                    QualityPoint {
                        name: "fine-tuned".into(),
                        cost_per_query: 0.00015,
                        quality: 0.93,
                        low: 0.90,
                        high: 0.95,
                    },
                ],
            }),
            style,
        ),
        spec(
            "Latency distribution",
            ChartData::Latency(LatencyData {
                arms: vec![
                    LatencySample {
                        name: "prompting".into(),
                        latencies_ms: latency(600.0),
                    },
                    LatencySample {
                        name: "fine-tuned".into(),
                        latencies_ms: latency(250.0),
                    },
                ],
                budget_ms: Some(1000.0),
            }),
            style,
        ),
        spec(
            "Metrics with 95 % intervals",
            ChartData::Metric(MetricData {
                y_label: "Score".into(),
                groups: ["accuracy", "macro-F1", "format compliance"]
                    .iter()
                    .enumerate()
                    .map(|(i, m)| MetricGroup {
                        metric: (*m).into(),
                        bars: vec![
                            bar("prompting", 0.80 + 0.03 * i as f64),
                            bar("fine-tuned", 0.86 + 0.03 * i as f64),
                        ],
                    })
                    .collect(),
            }),
            style,
        ),
        spec(
            "Confusion matrix: fine-tuned",
            ChartData::Confusion(ConfusionData {
                labels: vec!["billing".into(), "shipping".into(), "returns".into()],
                counts: vec![vec![120, 6, 4], vec![3, 140, 9], vec![5, 7, 118]],
            }),
            style,
        ),
        spec(
            "What moves the break-even",
            ChartData::Tornado(TornadoData::from_report(&report).unwrap()),
            style,
        ),
        spec("Runs of support-tickets", ChartData::Trend(trend()), style),
    ]
}

/// Three runs; the fine-tuned arm moves to a new model in the third.
fn trend() -> TrendData {
    let point = |model: &str, value: f64, p95: f64, cost: f64| TrendPoint {
        model: model.into(),
        value,
        low: value - 0.03,
        high: value + 0.03,
        latency_p95_ms: Some(p95),
        cost_per_query: Some(cost),
    };
    TrendData {
        metric: "accuracy".into(),
        series: vec!["A (prompting)".into(), "B (fine-tuned)".into()],
        runs: [
            (0.81, 0.86, "ft-v1"),
            (0.82, 0.87, "ft-v1"),
            (0.82, 0.91, "ft-v2"),
        ]
        .iter()
        .enumerate()
        .map(|(i, &(a, b, ft))| TrendRun {
            label: format!("run {}", i + 1),
            points: vec![
                point("gpt-4.1-mini", a, 900.0, 0.0021),
                point(ft, b, 420.0 - 40.0 * i as f64, 0.0009),
            ],
        })
        .collect(),
    }
}

#[test]
fn the_trend_names_each_run_and_each_model_where_it_changed() {
    let svg = chart::render_svg(&spec(
        "Runs of support-tickets",
        ChartData::Trend(trend()),
        ChartStyle::SLIDE,
    ))
    .unwrap();
    for label in [
        "run 1",
        "run 2",
        "run 3",
        "p95 latency (ms)",
        "Cost per query (USD)",
    ] {
        assert!(svg.contains(label), "{label} missing");
    }
    // The prompting model is named once (it never changed); the fine-tuned model twice.
    let texts = |t: &str| svg.lines().filter(|l| l.trim() == t).count();
    assert_eq!(texts("gpt-4.1-mini"), 1);
    assert_eq!(texts("ft-v1"), 1);
    assert_eq!(texts("ft-v2"), 1);
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

#[test]
fn every_chart_renders_as_png_at_1920_by_1080_in_both_themes() {
    let dark = ChartStyle {
        theme: Theme::Dark,
        ..ChartStyle::SLIDE
    };
    let specs = every_chart(ChartStyle::SLIDE)
        .into_iter()
        .chain(every_chart(dark).into_iter().take(1));
    for spec in specs {
        let png = chart::render_png(&spec).unwrap();
        assert_eq!(png_size(&png), (1920, 1080), "{}", spec.title);
        assert!(
            png.len() > 20_000,
            "{}: a real picture, not a blank frame ({} bytes)",
            spec.title,
            png.len()
        );
    }
}

#[test]
fn the_crossover_renders_at_3840_by_2160_with_larger_type() {
    let specs = every_chart(ChartStyle::SLIDE_4K);
    let png = chart::render_png(&specs[0]).unwrap();
    assert_eq!(png_size(&png), (3840, 2160));
    let small = chart::render_svg(&every_chart(ChartStyle::SLIDE)[0]).unwrap();
    let large = chart::render_svg(&specs[0]).unwrap();
    // The title is the first text element; its type doubles with the size.
    let title_size = |svg: &str| -> f64 {
        let at = svg.find("font-size=\"").unwrap() + "font-size=\"".len();
        svg[at..].split('"').next().unwrap().parse().unwrap()
    };
    let (s, l) = (title_size(&small), title_size(&large));
    assert!(
        (l / s - 2.0).abs() < 1e-9,
        "title {s} px at 1920×1080, {l} px at 3840×2160"
    );
}

#[test]
fn the_crossover_svg_marks_break_even_volume_and_source() {
    let svg = chart::render_svg(&every_chart(ChartStyle::SLIDE)[0]).unwrap();
    let report = cost::evaluate(&scenario()).unwrap();
    let v = report.break_even.queries_per_day().unwrap();
    let expected = format!("Break-even: {}/day", tunebench_core::money::count(v));
    assert!(svg.contains(&expected), "{expected}");
    assert!(svg.contains("Your volume: 20,000/day"));
    assert!(
        svg.contains("break-even range "),
        "the token-count intervals give a range"
    );
    assert!(svg.contains("Queries per day") && svg.contains("Monthly cost (USD)"));
    assert!(svg.contains("n = 412 held-out cases · run 2026-11-29 · prices as of 2026-08-21"));
    assert!(
        svg.contains("prompting mini") && svg.contains("fine-tuned nano"),
        "legend names both arms"
    );
}

#[test]
fn a_never_crossing_scenario_says_why_on_the_chart() {
    let mut s = scenario();
    s.arm_b.price.output = 30.0;
    let report = cost::evaluate(&s).unwrap();
    let data = CrossoverData::from_scenario(&s, &report, false).unwrap();
    assert!(data.break_even.is_none());
    let svg = chart::render_svg(&spec(
        "never",
        ChartData::Crossover(data),
        ChartStyle::SLIDE,
    ))
    .unwrap();
    assert!(svg.contains("No break-even:") && svg.contains("never cheaper"));
}

#[test]
fn script_in_user_labels_stays_escaped_in_the_svg() {
    let evil = "<script>alert(1)</script>";
    let mut s = scenario();
    s.arm_a.name = evil.into();
    let report = cost::evaluate(&s).unwrap();
    let mut specs = vec![spec(
        evil,
        ChartData::Crossover(CrossoverData::from_scenario(&s, &report, false).unwrap()),
        ChartStyle::SLIDE,
    )];
    specs[0].source = evil.into();
    specs.push(spec(
        "labels",
        ChartData::Confusion(ConfusionData {
            labels: vec![evil.into(), "b&c".into()],
            counts: vec![vec![1, 2], vec![3, 4]],
        }),
        ChartStyle::SLIDE,
    ));
    for spec in specs {
        let svg = chart::render_svg(&spec).unwrap();
        assert!(!svg.contains("<script"), "raw markup leaked into the SVG");
        assert!(
            svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "the label is shown, escaped"
        );
    }
}

#[test]
fn svg_output_matches_the_reviewed_snapshots() {
    for (spec, name) in every_chart(ChartStyle::SLIDE).iter().zip([
        "crossover_linear",
        "crossover_log",
        "cumulative",
        "quality_cost",
        "latency",
        "metric",
        "confusion",
        "tornado",
        "trend",
    ]) {
        insta::assert_snapshot!(name, chart::render_svg(spec).unwrap());
    }
    let dark = ChartStyle {
        theme: Theme::Dark,
        ..ChartStyle::SLIDE
    };
    insta::assert_snapshot!(
        "crossover_dark",
        chart::render_svg(&every_chart(dark)[0]).unwrap()
    );
}

#[test]
fn a_size_outside_the_supported_range_is_refused() {
    let mut specs = every_chart(ChartStyle::SLIDE);
    specs[0].style.width = 10;
    let err = chart::render_png(&specs[0]).unwrap_err();
    assert!(
        err.is_bad_input() && err.to_string().contains("10×1080"),
        "{err}"
    );
}

#[test]
fn a_confusion_matrix_of_the_wrong_shape_is_an_error_not_a_panic() {
    let bad = spec(
        "bad",
        ChartData::Confusion(ConfusionData {
            labels: vec!["a".into(), "b".into()],
            counts: vec![vec![1]],
        }),
        ChartStyle::SLIDE,
    );
    let err = chart::render_svg(&bad).unwrap_err();
    assert!(err.to_string().contains("confusion"), "{err}");
}

#[test]
fn the_slider_fast_path_returns_the_report_and_the_svg_together() {
    let view = chart::crossover::view(&scenario(), "t", SOURCE, ChartStyle::SLIDE, true).unwrap();
    assert!(view.report.break_even.queries_per_day().is_some());
    assert!(view.svg.starts_with("<svg"));
}

#[test]
#[ignore = "writes every chart as PNG to $TUNEBENCH_CHART_DIR for a look by eye"]
fn write_every_chart_for_review() {
    let dir = std::env::var("TUNEBENCH_CHART_DIR").unwrap();
    for theme in [Theme::Light, Theme::Dark] {
        for (i, spec) in every_chart(ChartStyle {
            theme,
            ..ChartStyle::SLIDE
        })
        .iter()
        .enumerate()
        {
            let path = format!("{dir}/{i}-{theme:?}.png");
            std::fs::write(path, chart::render_png(spec).unwrap()).unwrap();
        }
    }
    let mut s = scenario();
    s.arm_b.price.output = 30.0;
    let report = cost::evaluate(&s).unwrap();
    let data = CrossoverData::from_scenario(&s, &report, false).unwrap();
    let never = spec("No crossing", ChartData::Crossover(data), ChartStyle::SLIDE);
    std::fs::write(
        format!("{dir}/never.png"),
        chart::render_png(&never).unwrap(),
    )
    .unwrap();
}
