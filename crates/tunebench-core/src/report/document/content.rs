//! The report's contents in reading order: the recommendation and its reasons, the
//! verdict, metric and latency tables, the history of the experiment's runs and the
//! assumptions.

use std::path::Path;

use rusqlite::Connection;

use super::cost::cost_blocks;
use super::inputs::{arm_blocks, dataset_blocks};
use super::{Block, CHART_STYLE};
use crate::decision::{number, Questions, Supports};
use crate::report::{ArmReport, ReportOptions, RunDecision, RunReport};
use crate::stats::family::p_text;
use crate::stats::{Interval, VerdictKind};
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
    if let Some(scope) = crate::report::decision::recommendation_scope(r, d.leading) {
        b.push(Block::Para(format!("The recommendation {scope}.")));
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
    let arms = &r.arms;
    let Some(a) = arms.first().filter(|_| arms.len() >= 2) else {
        return Err(Error::Invalid(format!(
            "run {}: a report compares two arms or more, this run has {}",
            r.run_id,
            arms.len()
        )));
    };
    if !r.comparisons.is_empty() {
        comparison_blocks(r, &mut b);
    }
    // A column per arm: A, B, C, …
    let head = |first: &str| -> Vec<String> {
        std::iter::once(first.to_owned())
            .chain(
                arms.iter()
                    .zip(LETTERS)
                    .map(|(x, l)| format!("{l}: {} ({})", x.name, x.model)),
            )
            .collect()
    };
    let row = |label: String, f: &dyn Fn(&ArmReport) -> String| -> Vec<String> {
        std::iter::once(label).chain(arms.iter().map(f)).collect()
    };
    let mut metrics = vec![row(format!("{} (primary)", r.primary_metric), &|x| {
        value_interval(Some(x.primary.value), Some(x.primary.interval))
    })];
    for (k, m) in a.metrics.iter().enumerate() {
        metrics.push(row(m.metric.clone(), &|x| {
            x.metrics
                .get(k)
                .map_or("n/a".into(), |m| value_interval(m.mean, m.interval))
        }));
    }
    metrics.push(row("format compliance".into(), &|x| {
        opt(x.format_compliance, number::percent_1)
    }));
    metrics.push(row("errors".into(), &|x| x.errors.to_string()));
    metrics.push(row("of which refused or filtered".into(), &|x| {
        x.refused.to_string()
    }));
    metrics.push(row("answers cut at the token limit".into(), &|x| {
        x.truncated.to_string()
    }));
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
            row("p50".into(), &|x| ms(x.latency.p50_ms)),
            row("p95".into(), &|x| ms(x.latency.p95_ms)),
            row("p99".into(), &|x| ms(x.latency.p99_ms)),
        ],
    });
    if let Some(budget) = q.latency_budget_p95_ms {
        b.push(Block::Para(format!(
            "Budget: p95 ≤ {}",
            number::millis(budget)
        )));
    }
    let stored = arms
        .iter()
        .map(|x| store::arm::get(conn, x.arm_id))
        .collect::<Result<Vec<_>>>()?;
    let stored: Vec<&crate::arm::Arm> = stored.iter().collect();
    cost_blocks(conn, d, &stored, &mut b)?;
    history_blocks(conn, db_path, r.run_id, &mut b)?;
    dataset_blocks(conn, r.experiment_id, &mut b)?;
    super::search::search_blocks(conn, r.experiment_id, a.arm_id, &mut b)?;
    b.push(Block::Heading("Arms".into()));
    for arm in stored {
        arm_blocks(arm, &mut b)?;
    }
    b.push(Block::Heading("Assumptions".into()));
    b.push(Block::List(assumptions(d, q)));
    Ok(b)
}

/// The letters of the arms' columns.
const LETTERS: [char; 6] = ['A', 'B', 'C', 'D', 'E', 'F'];

/// Three or more arms: every comparison (each arm against A, each hybrid against its
/// fine-tuned arm) with its raw and Holm-adjusted p-value and its verdict, and the
/// correction in words.
fn comparison_blocks(r: &RunReport, b: &mut Vec<Block>) {
    let rows = r
        .comparisons
        .iter()
        .map(|c| {
            vec![
                format!("{} vs {}", c.arm, c.against),
                format!(
                    "{:+.3} [{:.3}, {:.3}]",
                    c.difference, c.interval.low, c.interval.high
                ),
                format!("{} ({})", p_text(c.p_value), c.p_method),
                p_text(c.holm_p),
                verdict_word(c.verdict_kind).to_owned(),
            ]
        })
        .collect();
    b.push(Block::Table {
        head: vec![
            "comparison".to_owned(),
            format!("difference on {} [95 % CI]", r.primary_metric),
            "p".to_owned(),
            "Holm-adjusted p".to_owned(),
            "verdict".to_owned(),
        ],
        rows,
    });
    if let Some(note) = &r.multiple_testing {
        b.push(Block::Para(note.clone()));
    }
}

fn verdict_word(k: VerdictKind) -> &'static str {
    match k {
        VerdictKind::Justified => "clears the margin",
        VerdictKind::NotJustified => "does not clear the margin",
        VerdictKind::Inconclusive => "inconclusive",
    }
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
        // Three or more arms: every arm priced, not only the pair the recommendation weighs.
        let every = match &d.arms_cost {
            Some(Ok((all, _))) => all.arms(),
            _ => vec![&s.arm_a, &s.arm_b],
        };
        for arm in every {
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
