//! Every text of every chart stays inside the canvas, clear of every other text and of the
//! data lines, at slide sizes and at the sizes the screens draw charts at, in both themes.

use tunebench_core::chart::{
    self, measure, preset, ChartData, ChartSpec, ChartStyle, CrossoverData, LatencyData, LossData,
    SearchChartData, SearchPoint, Theme,
};
use tunebench_core::cost::{self, Hosting, Scenario};

use crate::chart::{every_chart, scenario};

const SOURCE: &str = "n = 412 held-out cases · run 2026-11-29 · prices as of 2026-08-21";

/// Slides, and the panels the window draws charts in: the crossover screen, the results
/// screen's latency chart, and the run history (`ui/src/screens/results.ts` asks 1000×560).
fn sizes() -> Vec<(u32, u32)> {
    let crossover = preset::crossover_screen(Theme::Light);
    let latency = preset::latency_screen(
        1,
        LatencyData {
            arms: vec![],
            budget_ms: None,
        },
    )
    .style;
    vec![
        (1920, 1080),
        (3840, 2160),
        (crossover.width, crossover.height),
        (latency.width, latency.height),
        (1000, 560),
    ]
}

/// The fine-tuned arm is cheaper at every volume: no training, no hosting.
pub fn cheaper_everywhere() -> Scenario {
    let mut s = scenario();
    s.arm_b.hosting = Hosting::None;
    s.arm_b.training = None;
    s
}

/// The fine-tuned arm is never cheaper: its output costs far more per token.
pub fn never_cheaper() -> Scenario {
    let mut s = scenario();
    s.arm_b.price.output = 30.0;
    s
}

/// The crossover of `s`, linear or log–log, at `style`.
pub fn crossover(s: &Scenario, log: bool, style: ChartStyle) -> ChartSpec {
    let report = cost::evaluate(s).unwrap();
    ChartSpec {
        title: preset::CROSSOVER_TITLE.into(),
        source: SOURCE.into(),
        style,
        data: ChartData::Crossover(CrossoverData::from_scenario(s, &report, log).unwrap()),
    }
}

/// A prompt search's candidates: six of twelve halved out, five finalists, one chosen.
fn search_chart(style: ChartStyle) -> ChartSpec {
    let points = (0..12)
        .map(|i| SearchPoint {
            label: format!("system {} · {} examples", i % 3 + 1, [0, 3, 8][i % 3]),
            cost_per_query: 0.0002 * (1.0 + (i % 4) as f64),
            metric: 0.70 + 0.02 * i as f64,
            low: 0.66 + 0.02 * i as f64,
            high: 0.74 + 0.02 * i as f64,
            cases: if i < 6 { 60 } else { 240 },
            finalist: i >= 6,
            chosen: i == 9,
        })
        .collect();
    ChartSpec {
        title: "Prompt search: 12 candidates on 240 validation cases".into(),
        source: SOURCE.into(),
        style,
        data: ChartData::Search(SearchChartData {
            metric: "accuracy".into(),
            points,
        }),
    }
}

/// A fine-tune's training loss over 40 steps.
fn loss_chart(style: ChartStyle) -> ChartSpec {
    let pairs: Vec<(u32, f64)> = (1..=40).map(|s| (s, 2.5 / f64::from(s).sqrt())).collect();
    ChartSpec {
        title: "Training loss".into(),
        source: SOURCE.into(),
        style,
        data: ChartData::Loss(LossData::from_pairs(&pairs)),
    }
}

/// Every chart kind and the three crossover situations, at `style`.
fn all_charts(style: ChartStyle) -> Vec<ChartSpec> {
    let mut specs = every_chart(style);
    specs.push(search_chart(style));
    specs.push(loss_chart(style));
    for s in [cheaper_everywhere(), never_cheaper()] {
        for log in [false, true] {
            specs.push(crossover(&s, log, style));
        }
    }
    for log in [false, true] {
        specs.push(crate::chart_arms::crossover_arms(log, style));
    }
    specs
}

fn problems_of(spec: &ChartSpec) -> Vec<String> {
    let layout = measure::layout(spec).unwrap();
    assert!(
        layout.texts.len() > 5,
        "{}: the layout records the chart's texts",
        spec.title
    );
    layout.problems()
}

#[test]
fn no_text_of_any_chart_leaves_the_canvas_or_covers_another_text_or_a_line() {
    let mut found = Vec::new();
    for (width, height) in sizes() {
        for theme in [Theme::Light, Theme::Dark] {
            let style = ChartStyle {
                theme,
                width,
                height,
            };
            for spec in all_charts(style) {
                for p in problems_of(&spec) {
                    found.push(format!(
                        "{} ({}, {width}×{height}, {theme:?}): {p}",
                        spec.title,
                        spec.data.name()
                    ));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} text problems:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn your_volume_stays_on_the_canvas_when_the_fine_tuned_arm_is_cheaper_everywhere() {
    let style = preset::crossover_screen(Theme::Light);
    let spec = crossover(&cheaper_everywhere(), true, style);
    let layout = measure::layout(&spec).unwrap();
    let label = layout
        .texts
        .iter()
        .find(|t| t.text.starts_with("Your volume"))
        .expect("the volume is labelled");
    assert!(
        label.right <= style.width as i32 && label.left >= 0,
        "{label:?} runs off the {}-pixel canvas",
        style.width
    );
}

#[test]
fn the_layout_reports_the_title_where_the_picture_draws_it() {
    let spec = &every_chart(ChartStyle::SLIDE)[0];
    let layout = measure::layout(spec).unwrap();
    let title = layout
        .texts
        .iter()
        .find(|t| t.text == spec.title)
        .expect("the title is recorded");
    assert!(
        title.left > 0 && title.top > 0 && title.bottom < 200,
        "{title:?}"
    );
    let svg = chart::render_svg(spec).unwrap();
    assert!(
        svg.contains(&format!("x=\"{}\"", title.left)),
        "the SVG places the title where the layout says"
    );
}

#[test]
#[ignore = "writes the crossover situations as PNG to $TUNEBENCH_CHART_DIR for a look by eye"]
fn write_the_crossover_situations_for_review() {
    let dir = std::env::var("TUNEBENCH_CHART_DIR").unwrap();
    let screen = preset::crossover_screen(Theme::Dark);
    for (name, s) in [
        ("crossing", scenario()),
        ("cheaper-everywhere", cheaper_everywhere()),
        ("never-cheaper", never_cheaper()),
    ] {
        for (log, style) in [
            (false, ChartStyle::SLIDE),
            (true, ChartStyle::SLIDE),
            (false, screen),
        ] {
            let png = chart::render_png(&crossover(&s, log, style)).unwrap();
            let file = format!(
                "{dir}/{name}-{}-{}.png",
                if log { "log" } else { "linear" },
                style.width
            );
            std::fs::write(file, png).unwrap();
        }
    }
    for (i, spec) in every_chart(screen).iter().enumerate() {
        std::fs::write(
            format!("{dir}/screen-{i}.png"),
            chart::render_png(spec).unwrap(),
        )
        .unwrap();
    }
}

#[test]
fn the_three_cost_situations_match_the_reviewed_snapshots() {
    for (name, s) in [
        ("crossover_crossing", scenario()),
        ("crossover_cheaper_everywhere", cheaper_everywhere()),
        ("crossover_never_cheaper", never_cheaper()),
    ] {
        let spec = crossover(&s, false, ChartStyle::SLIDE);
        insta::assert_snapshot!(name, chart::render_svg(&spec).unwrap());
    }
}

#[test]
fn each_situation_shades_where_each_arm_is_cheaper_and_names_the_saving() {
    let svg = |s: &Scenario| chart::render_svg(&crossover(s, false, ChartStyle::SLIDE)).unwrap();
    let crossing = svg(&scenario());
    assert!(
        crossing.contains("prompting mini cheaper") && crossing.contains("fine-tuned nano cheaper")
    );
    let report = cost::evaluate(&scenario()).unwrap();
    let saving = report.arm_b.monthly_at_volume.mean - report.arm_a.monthly_at_volume.mean;
    let expected = format!(
        "prompting mini saves {} a month at your volume",
        tunebench_core::money::usd(saving)
    );
    assert!(crossing.contains(&expected), "{expected}");
    let everywhere = svg(&cheaper_everywhere());
    assert!(
        everywhere.contains("fine-tuned nano cheaper")
            && !everywhere.contains("prompting mini cheaper")
    );
    assert!(everywhere.contains("fine-tuned nano saves "));
    let never = svg(&never_cheaper());
    assert!(never.contains("prompting mini cheaper") && !never.contains("fine-tuned nano cheaper"));
}

#[test]
fn the_linear_range_holds_the_break_even_and_the_volume_with_headroom() {
    let s = scenario();
    let report = cost::evaluate(&s).unwrap();
    let ChartData::Crossover(d) = crossover(&s, false, ChartStyle::SLIDE).data else {
        unreachable!()
    };
    let top = d.curves[0].points.last().unwrap().queries_per_day;
    let high = d.break_even_high.unwrap();
    assert!(
        top >= high * 1.2 && top >= s.queries_per_day * 1.2,
        "axis ends at {top}"
    );
    assert!(
        top <= high * 3.0,
        "the break-even is not squeezed into the corner: {top}"
    );
    assert_eq!(d.curves[0].points[0].queries_per_day, 0.0);
    assert_eq!(d.cheaper, report.cheaper);
    let ChartData::Crossover(log) = crossover(&s, true, ChartStyle::SLIDE).data else {
        unreachable!()
    };
    let first = log.curves[0].points[0].queries_per_day;
    assert!(
        first > 0.0 && first <= s.queries_per_day / 10.0,
        "log axis starts at {first}"
    );
}

#[test]
fn the_clipboard_pixels_are_the_png_pixels_made_opaque() {
    let spec = crossover(&scenario(), false, preset::crossover_screen(Theme::Dark));
    let rgba = chart::render_rgba(&spec).unwrap();
    let png = chart::render_png(&spec).unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    let mut rgb = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut rgb).unwrap();
    assert_eq!(rgba.len() / 4, rgb.len() / 3);
    for (a, b) in rgba.chunks_exact(4).zip(rgb.chunks_exact(3)) {
        assert_eq!((&a[..3], a[3]), (b, 255));
    }
}
