//! The report's contents in reading order: the recommendation and its reasons, the
//! verdict, metric and latency tables, the history of the experiment's runs and the
//! assumptions.

use std::path::Path;

use rusqlite::Connection;

use super::cost::cost_blocks;
use super::inputs::{arm_blocks, dataset_blocks};
use super::{Block, CHART_STYLE};
use crate::decision::{number, Questions, Supports};
use crate::report::{ReportOptions, RunDecision};
use crate::stats::Interval;
use crate::{store, Error, Result};

/// The report's contents, in reading order.
pub(super) fn blocks(
    conn: &Connection,
    db_path: &Path,
    d: &RunDecision,
    today: &str,
    q: &Questions,
) -> Result<Vec<Block>> {
    // One volume and cadence, the team's, for the recommendation and the cost it cites.
    let d = &d.for_questions(q);
    let r = &d.report;
    let rec = d.recommend(q);
    let mut b = vec![
        Block::Para(format!(
            "Experiment {} · dataset {} ({} split, {} cases, {} compared) · run {} ({}) · made {today}",
            r.experiment, r.dataset, r.split, r.n_cases, r.comparison.n, r.run_id, r.status
        )),
        Block::Heading(format!("Recommendation: {}", rec.choice.title())),
        Block::Para(rec.headline.clone()),
        Block::List(
            rec.reasons
                .iter()
                .map(|x| format!("{} ({}): {}", x.kind.word(), supports(x.supports), x.text))
                .collect(),
        ),
    ];
    if !rec.conflicts.is_empty() {
        b.push(Block::Para("Conflicts:".into()));
        b.push(Block::List(rec.conflicts.clone()));
    }
    b.push(Block::Heading("Verdict".into()));
    let c = &r.comparison;
    b.push(Block::Para(r.verdict.clone()));
    b.push(Block::Para(format!(
        "B − A on {}: {:+.3} {} · minimum detectable difference {:.3} · {} resamples, seed {}",
        r.primary_metric,
        c.difference,
        interval(Some(c.interval)),
        r.minimum_detectable_difference,
        r.resamples,
        r.seed
    )));
    if let Some(w) = &r.task_warning {
        b.push(Block::Para(format!("Warning: {w}")));
    }
    if let Some(w) = &r.power_warning {
        b.push(Block::Para(format!("Warning: {w}")));
    }
    let [a, bb] = &r.arms[..] else {
        return Err(Error::Invalid(format!(
            "run {}: a report compares exactly two arms",
            r.run_id
        )));
    };
    let head = |first: &str| {
        vec![
            first.to_owned(),
            format!("A: {} ({})", a.name, a.model),
            format!("B: {} ({})", bb.name, bb.model),
        ]
    };
    let mut metrics = vec![vec![
        format!("{} (primary)", r.primary_metric),
        value_interval(Some(a.primary.value), Some(a.primary.interval)),
        value_interval(Some(bb.primary.value), Some(bb.primary.interval)),
    ]];
    for (ma, mb) in a.metrics.iter().zip(&bb.metrics) {
        metrics.push(vec![
            ma.metric.clone(),
            value_interval(ma.mean, ma.interval),
            value_interval(mb.mean, mb.interval),
        ]);
    }
    metrics.push(vec![
        "format compliance".into(),
        opt(a.format_compliance, number::percent_1),
        opt(bb.format_compliance, number::percent_1),
    ]);
    metrics.push(vec![
        "errors".into(),
        a.errors.to_string(),
        bb.errors.to_string(),
    ]);
    metrics.push(vec![
        "of which refused or filtered".into(),
        a.refused.to_string(),
        bb.refused.to_string(),
    ]);
    metrics.push(vec![
        "answers cut at the token limit".into(),
        a.truncated.to_string(),
        bb.truncated.to_string(),
    ]);
    b.push(Block::Heading("Metrics".into()));
    b.push(Block::Table {
        head: head("metric"),
        rows: metrics,
    });
    b.push(Block::Heading("Latency".into()));
    let ms = |x: Option<f64>| opt(x, number::millis);
    b.push(Block::Table {
        head: head("latency"),
        rows: vec![
            vec!["p50".into(), ms(a.latency.p50_ms), ms(bb.latency.p50_ms)],
            vec!["p95".into(), ms(a.latency.p95_ms), ms(bb.latency.p95_ms)],
            vec!["p99".into(), ms(a.latency.p99_ms), ms(bb.latency.p99_ms)],
        ],
    });
    if let Some(budget) = q.latency_budget_p95_ms {
        b.push(Block::Para(format!(
            "Budget: p95 ≤ {}",
            number::millis(budget)
        )));
    }
    let arm_a = store::arm::get(conn, a.arm_id)?;
    let arm_b = store::arm::get(conn, bb.arm_id)?;
    cost_blocks(conn, d, &[&arm_a, &arm_b], &mut b)?;
    history_blocks(conn, db_path, r.run_id, &mut b)?;
    dataset_blocks(conn, r.experiment_id, &mut b)?;
    super::search::search_blocks(conn, r.experiment_id, a.arm_id, &mut b)?;
    b.push(Block::Heading("Arms".into()));
    for arm in [&arm_a, &arm_b] {
        arm_blocks(arm, &mut b)?;
    }
    b.push(Block::Heading("Assumptions".into()));
    b.push(Block::List(assumptions(d, q)));
    Ok(b)
}

/// When the experiment has been run more than once (re-runs on other models), each run
/// with each arm's model, metric, p95 and cost per query, and the trend chart.
fn history_blocks(
    conn: &Connection,
    db_path: &Path,
    run_id: i32,
    b: &mut Vec<Block>,
) -> Result<()> {
    let h = crate::report::history(conn, db_path, run_id, &ReportOptions::default())?;
    if h.runs.len() < 2 {
        return Ok(());
    }
    b.push(Block::Heading(format!("History: {} runs", h.runs.len())));
    b.push(Block::Para(format!(
        "Every run of {} and its re-runs on other models, oldest first; this report is run {run_id}.",
        h.experiment
    )));
    let mut rows = Vec::new();
    for r in &h.runs {
        for a in &r.arms {
            rows.push(vec![
                r.run_id.to_string(),
                r.started_at.get(..10).unwrap_or(&r.started_at).to_owned(),
                a.name.clone(),
                a.point.model.clone(),
                format!(
                    "{:.3} [{:.3}, {:.3}]",
                    a.point.value, a.point.low, a.point.high
                ),
                opt(a.point.latency_p95_ms, number::millis),
                a.point
                    .cost_per_query
                    .map_or("n/a".into(), crate::money::usd),
                r.verdict_kind_text(),
            ]);
        }
    }
    b.push(Block::Table {
        head: [
            "run",
            "started",
            "arm",
            "model",
            h.primary_metric.as_str(),
            "p95",
            "cost per query",
            "verdict",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
    });
    b.push(Block::Chart("trend", Box::new(h.chart_spec(CHART_STYLE))));
    Ok(())
}

fn supports(s: Supports) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(|t| t.replace('_', " ")))
        .unwrap_or_default()
}

/// The scenario and questions the recommendation assumed.
fn assumptions(d: &RunDecision, q: &Questions) -> Vec<String> {
    let mut v = vec![
        format!(
            "Expected volume: {} queries/day, growing {} a month",
            number::thousands(q.queries_per_day),
            number::percent(q.monthly_growth)
        ),
        format!("Format need: {}", q.format.compliance_label()),
        format!("Domain language matters: {}", yes(q.domain_language)),
        format!(
            "Latency budget (p95): {}",
            q.latency_budget_p95_ms
                .map_or("none".into(), number::millis)
        ),
        format!("Knowledge changes: {}", q.knowledge_change.word()),
        format!("Portability needed: {}", yes(q.portability_needed)),
        format!("Reasons over new information: {}", yes(q.new_information)),
        format!(
            "High-quality labelled examples: {} (train split: {})",
            q.labelled_examples, d.train_examples
        ),
    ];
    if let Ok((s, _)) = &d.cost {
        v.push(format!("Cost scenario: {} queries/day, projected {}, error cost {} per wrong answer, {} hours and {} days a month, {} months drawn", number::thousands(s.queries_per_day), s.today, crate::money::usd(s.error_cost), s.hours_per_month, s.days_per_month, s.horizon_months));
        for arm in [&s.arm_a, &s.arm_b] {
            if let Some(t) = &arm.training {
                v.push(format!(
                    "{}: training on {} tokens × {} epochs, retrained every {} months",
                    arm.name,
                    number::thousands(t.tokens),
                    t.epochs,
                    t.retrain_every_months
                ));
            }
            if let Some(r) = &arm.retirement_date {
                v.push(format!("{}: base model retires {r}", arm.name));
            }
        }
        v.push(format!(
            "Training tokens: {}",
            crate::report::TRAINING_TOKEN_ESTIMATE
        ));
    }
    v
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

fn opt(x: Option<f64>, f: fn(f64) -> String) -> String {
    x.map_or("n/a".into(), f)
}

fn interval(i: Option<Interval>) -> String {
    i.map_or(String::new(), |i| format!("[{:.3}, {:.3}]", i.low, i.high))
}

fn value_interval(v: Option<f64>, i: Option<Interval>) -> String {
    match v {
        Some(v) => format!("{v:.3} {}", interval(i)).trim_end().to_owned(),
        None => "n/a".into(),
    }
}
