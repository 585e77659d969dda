//! `tunebench report RUN_ID`: the numbers of a run — every metric of both arms with its
//! interval, B against A with the p-value, the minimum detectable difference and the
//! verdict, latency percentiles and cost per query.

use std::path::Path;

use tunebench_core::cost::{self, BreakEven};
use tunebench_core::price;
use tunebench_core::report::{run_report, run_scenario, ReportOptions, RunReport};
use tunebench_core::stats::{Interval, MetricSummary};
use tunebench_core::store;

use crate::output::Output;

pub struct Args {
    pub run_id: i32,
    pub latency_budget_p95_ms: Option<f64>,
}

pub fn run(db: Option<&Path>, args: &Args, out: &Output) -> anyhow::Result<()> {
    let db_path = super::store_path(db)?;
    let conn = store::open(&db_path)?;
    let opts = ReportOptions {
        latency_budget_p95_ms: args.latency_budget_p95_ms,
        ..ReportOptions::default()
    };
    let report = run_report(&conn, &db_path, args.run_id, &opts)?;
    // Cost at scale needs prices for both arms; without them the report says why.
    let break_even = price::seed(&conn)
        .and_then(|()| run_scenario(&conn, args.run_id, &super::today(), None))
        .and_then(|s| cost::evaluate(&s));
    if out.json {
        let mut value = serde_json::to_value(&report)?;
        let (v, note) = match &break_even {
            Ok(c) => (
                c.break_even.queries_per_day(),
                break_even_note(&c.break_even),
            ),
            Err(e) => (None, Some(e.to_string())),
        };
        value["break_even_queries_per_day"] = serde_json::json!(v);
        value["break_even_note"] = serde_json::json!(note);
        return out.print_json(&value);
    }
    print!("{}", human(&report));
    match &break_even {
        Ok(c) => match c.break_even.queries_per_day() {
            Some(v) => {
                println!("\nbreak-even: {v:.0} queries/day (fine-tuning is cheaper above it)")
            }
            None => println!(
                "\nbreak-even: {}",
                break_even_note(&c.break_even).unwrap_or_default()
            ),
        },
        Err(e) => println!("\nbreak-even: unknown ({e})"),
    }
    Ok(())
}

/// Why there is no break-even, when there is none.
fn break_even_note(b: &BreakEven) -> Option<String> {
    match b {
        BreakEven::Crosses { .. } => None,
        BreakEven::Never { reason, .. } => Some(format!("never: {reason}")),
    }
}

/// The report as a compact table and the verdict sentence.
fn human(r: &RunReport) -> String {
    let [a, b] = &r.arms[..] else {
        return format!("run {}: {}\n", r.run_id, r.verdict);
    };
    let mut s = format!(
        "run {} ({}) · experiment {} · dataset {} ({} split, {} cases, {} compared)\n\n",
        r.run_id, r.status, r.experiment, r.dataset, r.split, r.n_cases, r.comparison.n
    );
    let row = |s: &mut String, label: &str, x: String, y: String| {
        s.push_str(&format!("{label:<22} {x:<28} {y}\n"));
    };
    row(
        &mut s,
        "",
        format!("A: {} ({})", a.name, a.model),
        format!("B: {} ({})", b.name, b.model),
    );
    row(
        &mut s,
        &format!("{} (primary)", r.primary_metric),
        with_interval(a.primary.value, Some(a.primary.interval)),
        with_interval(b.primary.value, Some(b.primary.interval)),
    );
    for (ma, mb) in a.metrics.iter().zip(&b.metrics) {
        row(&mut s, &ma.metric, metric(ma), metric(mb));
    }
    if let (Some(la), Some(lb)) = (&a.label_report, &b.label_report) {
        row(
            &mut s,
            "macro F1",
            fmt(la.macro_avg.f1),
            fmt(lb.macro_avg.f1),
        );
    }
    row(&mut s, "errors", a.errors.to_string(), b.errors.to_string());
    row(
        &mut s,
        "latency p50 / p95 ms",
        latency(a.latency_ms_p50, a.latency_ms_p95),
        latency(b.latency_ms_p50, b.latency_ms_p95),
    );
    row(
        &mut s,
        "cost per query",
        cost(a.cost_per_query),
        cost(b.cost_per_query),
    );
    let c = &r.comparison;
    s.push_str(&format!(
        "\nB − A: {} {} · p (McNemar) {} · minimum detectable difference {} · {} resamples, seed {}\n",
        signed(c.difference),
        interval(&c.interval),
        r.p_value.map_or("n/a".to_owned(), p_value),
        fmt(r.minimum_detectable_difference),
        r.resamples,
        r.seed
    ));
    if let Some(w) = &r.power_warning {
        s.push_str(&format!("warning: {w}\n"));
    }
    for arm in [a, b] {
        if let Some(note) = &arm.cost_note {
            s.push_str(&format!("cost of {}: {note}\n", arm.name));
        }
    }
    s.push_str(&format!("\n{}\n", r.verdict));
    s
}

fn fmt(x: f64) -> String {
    format!("{x:.3}")
}

fn p_value(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".to_owned()
    } else {
        fmt(p)
    }
}

fn signed(x: f64) -> String {
    format!("{x:+.3}")
}

fn interval(i: &Interval) -> String {
    format!("[{:.3}, {:.3}]", i.low, i.high)
}

fn with_interval(value: f64, i: Option<Interval>) -> String {
    match i {
        Some(i) => format!("{} {}", fmt(value), interval(&i)),
        None => fmt(value),
    }
}

fn metric(m: &MetricSummary) -> String {
    m.mean
        .map_or("n/a".to_owned(), |v| with_interval(v, m.interval))
}

fn latency(p50: Option<f64>, p95: Option<f64>) -> String {
    match (p50, p95) {
        (Some(a), Some(b)) => format!("{a:.0} / {b:.0}"),
        _ => "n/a".to_owned(),
    }
}

fn cost(c: Option<f64>) -> String {
    c.map_or("no price".to_owned(), |c| format!("${c:.6}"))
}
