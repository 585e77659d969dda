//! Chart speed (issue 6): crossover SVG ≤ 10 ms, crossover PNG at 1920×1080 ≤ 150 ms, and the
//! crossover screen's per-slider-move path (model + SVG) well under 50 ms. Run with
//! `cargo bench -p tunebench-core --bench chart`.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use tunebench_core::chart::{self, ChartData, ChartSpec, ChartStyle, CrossoverData};
use tunebench_core::cost::{
    self, ArmAssumptions, ArmPrice, Estimate, Hosting, Scenario, TokenBasis, TokenUsage, Training,
};
use tunebench_core::price::TrainingUnit;

fn arm(name: &str, price: (f64, f64, f64), input: f64, cached: f64, output: f64) -> ArmAssumptions {
    ArmAssumptions {
        name: name.into(),
        model: name.into(),
        price: ArmPrice {
            input: price.0,
            cached_input: price.1,
            output: price.2,
            batch_multiplier: 0.5,
        },
        tokens: TokenUsage {
            input: Estimate::new(input, input * 0.95, input * 1.05),
            cached_input: Estimate::exact(cached),
            output: Estimate::new(output, output * 0.85, output * 1.18),
            basis: TokenBasis::Measured { n: 412 },
        },
        cached_share: None,
        batch_share: 0.2,
        retrieval_cost_per_query: 0.0,
        hosting: Hosting::None,
        training: None,
        retirement_date: None,
        accuracy: Some(0.9),
        measured_training: None,
    }
}

/// PRICES.md's example: prompting gpt-4.1-mini against a hosted fine-tuned gpt-4.1-nano.
fn scenario() -> Scenario {
    let mut b = arm("fine-tuned", (0.20, 0.05, 0.80), 350.0, 0.0, 100.0);
    b.hosting = Hosting::Hourly { per_hour: 1.70 };
    b.training = Some(Training {
        tokens: 1.5e6,
        epochs: 3.0,
        price: 1.50,
        unit: TrainingUnit::PerMillionTokens,
        hours: 0.0,
        data_prep_cost: 200.0,
        retrain_every_months: 3.0,
    });
    Scenario {
        queries_per_day: 20_000.0,
        today: "2026-06-01".into(),
        error_cost: 0.02,
        hours_per_month: 730.0,
        days_per_month: 30.4,
        horizon_months: 24,
        arm_a: arm("prompting", (0.40, 0.10, 1.60), 2300.0, 1500.0, 100.0),
        arm_b: b,
        correct_at: None,
    }
}

fn crossover_spec(s: &Scenario) -> ChartSpec {
    let report = cost::evaluate(s).unwrap();
    ChartSpec {
        title: "Monthly cost by daily volume".into(),
        source: "n = 412 held-out cases · run 2026-11-29 · prices as of 2026-08-21".into(),
        style: ChartStyle::SLIDE,
        data: ChartData::Crossover(CrossoverData::from_scenario(s, &report, false).unwrap()),
    }
}

fn bench(c: &mut Criterion) {
    let s = scenario();
    let spec = crossover_spec(&s);
    c.bench_function("crossover_svg_1920x1080", |b| {
        b.iter(|| chart::render_svg(black_box(&spec)).unwrap())
    });
    c.bench_function("crossover_png_1920x1080", |b| {
        b.iter(|| chart::render_png(black_box(&spec)).unwrap())
    });
    let mut spec_4k = spec.clone();
    spec_4k.style = ChartStyle::SLIDE_4K;
    c.bench_function("crossover_png_3840x2160", |b| {
        b.iter(|| chart::render_png(black_box(&spec_4k)).unwrap())
    });
    c.bench_function("slider_move_model_and_svg", |b| {
        b.iter(|| {
            chart::crossover::view(
                black_box(&s),
                "Monthly cost",
                "source",
                ChartStyle::SLIDE,
                false,
            )
            .unwrap()
        })
    });
    c.bench_function("cost_model_only", |b| {
        b.iter(|| cost::evaluate(black_box(&s)).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = bench
}
criterion_main!(benches);
