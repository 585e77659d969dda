//! `tunebench report RUN_ID`: the numbers of a run — every metric of both arms with its
//! interval, B against A with the p-value, the minimum detectable difference and the
//! verdict, latency percentiles and cost per query.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use tunebench_core::cost::BreakEven;
use tunebench_core::decision::Recommendation;
use tunebench_core::report::{self, run_decision, DocFormat, ReportOptions, RunReport};
use tunebench_core::stats::{Interval, MetricSummary};
use tunebench_core::store;

use crate::output::Output;

/// The formats of a report to share.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// Markdown, with the charts as PNG files beside it.
    Md,
    /// One self-contained HTML file, charts inlined as SVG.
    Html,
}

pub struct Args {
    pub run_id: i32,
    pub latency_budget_p95_ms: Option<f64>,
    /// Write a decision report in this format to this file.
    pub document: Option<(FormatArg, PathBuf)>,
}

pub fn run(db: Option<&Path>, args: &Args, out: &Output) -> anyhow::Result<()> {
    let db_path = super::store_path(db)?;
    let conn = store::open(&db_path)?;
    let opts = ReportOptions {
        latency_budget_p95_ms: args.latency_budget_p95_ms,
        ..ReportOptions::default()
    };
    let today = super::today();
    // Cost at scale needs prices for both arms; without them the report says why.
    let decision = run_decision(&conn, &db_path, args.run_id, &today, &opts)?;
    let mut questions = decision.default_questions();
    questions.latency_budget_p95_ms = args.latency_budget_p95_ms;
    let recommendation = decision.recommend(&questions);
    if let Some((format, file)) = &args.document {
        let format = match format {
            FormatArg::Md => DocFormat::Markdown,
            FormatArg::Html => DocFormat::Html,
        };
        let files = report::render(&conn, &db_path, &decision, &today, &questions, format, file)?;
        if out.json {
            return out.print_json(&serde_json::json!({
                "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                "recommendation": recommendation_json(&recommendation),
            }));
        }
        for f in &files {
            say!("wrote {}", f.display())?;
        }
        say!("{}", recommendation.headline)?;
        return Ok(());
    }
    let report = &decision.report;
    let arm_ids: Vec<i32> = report.arms.iter().map(|a| a.arm_id).collect();
    let local_training = tunebench_core::finetune::local_job::training_notes(&conn, &arm_ids)?;
    let break_even = decision.cost.as_ref().map(|(_, c)| c);
    // A batch run's latency comes from its live sample only.
    let latency_note = tunebench_core::run::batch::latency_note(&conn, args.run_id)?;
    if out.json {
        let mut value = serde_json::to_value(report)?;
        let (v, note) = match &break_even {
            Ok(c) => (
                c.break_even.queries_per_day(),
                break_even_note(&c.break_even),
            ),
            Err(e) => (None, Some(e.to_string())),
        };
        value["break_even_queries_per_day"] = serde_json::json!(v);
        value["break_even_note"] = serde_json::json!(note);
        value["cost_headline"] = serde_json::json!(break_even.as_ref().ok().map(|c| &c.headline));
        value["recommendation"] = recommendation_json(&recommendation);
        if let Some(scope) = report::decision::recommendation_scope(report, decision.leading) {
            value["recommendation_scope"] = serde_json::json!(scope);
        }
        if let Some(arms) = &decision.arms_cost {
            super::report_cost::json(&mut value, arms, report, decision.leading);
        }
        value["local_training"] = serde_json::json!(local_training);
        if let Some(n) = &latency_note {
            value["latency_note"] = serde_json::json!(n);
        }
        return out.print_json(&value);
    }
    // Where each arm is cheaper (every crossing) and which one is at the volume.
    let cost_line = match &break_even {
        Ok(c) => c.headline.clone(),
        Err(e) => format!("unknown ({e})"),
    };
    say!("{}", human(report).trim_end_matches('\n'))?;
    if let Some(n) = &latency_note {
        say!("{n}")?;
    }
    for note in &local_training {
        say!("{note}")?;
    }
    match &decision.arms_cost {
        Some(arms) => say!(
            "\n{}",
            super::report_cost::text(arms, report, decision.leading)
        )?,
        None => say!("\ncost at scale: {cost_line}")?,
    }
    match report::decision::recommendation_scope(report, decision.leading) {
        Some(scope) => say!("\nrecommendation ({scope}): {}", recommendation.headline)?,
        None => say!("\nrecommendation: {}", recommendation.headline)?,
    }
    Ok(())
}

/// The recommendation with the defaults for the questions: choice, headline, reasons.
fn recommendation_json(r: &Recommendation) -> serde_json::Value {
    serde_json::json!({
        "choice": r.choice,
        "headline": r.headline,
        "reasons": r.reasons.iter().map(|x| x.text.as_str()).collect::<Vec<_>>(),
        "conflicts": r.conflicts,
    })
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
    if r.arms.len() > 2 {
        return super::report_arms::human(r);
    }
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
        "refused / filtered",
        a.refused.to_string(),
        b.refused.to_string(),
    );
    row(
        &mut s,
        "cut at token limit",
        a.truncated.to_string(),
        b.truncated.to_string(),
    );
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
    if let Some(w) = &r.task_warning {
        s.push_str(&format!("warning: {w}\n"));
    }
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

pub(super) fn with_interval(value: f64, i: Option<Interval>) -> String {
    match i {
        Some(i) => format!("{} {}", fmt(value), interval(&i)),
        None => fmt(value),
    }
}

fn metric(m: &MetricSummary) -> String {
    m.mean
        .map_or("n/a".to_owned(), |v| with_interval(v, m.interval))
}

pub(super) fn latency(p50: Option<f64>, p95: Option<f64>) -> String {
    match (p50, p95) {
        (Some(a), Some(b)) => format!("{a:.0} / {b:.0}"),
        _ => "n/a".to_owned(),
    }
}

pub(super) fn cost(c: Option<f64>) -> String {
    c.map_or("no price".to_owned(), tunebench_core::money::usd)
}
