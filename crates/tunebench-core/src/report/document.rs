//! The decision report of a run, to share: the recommendation and its reasons, the
//! verdict, metric, latency and cost tables (with the price entries and their dates), the
//! crossover and payback charts, dataset statistics with the leakage check, both arms'
//! configuration and the assumptions. Written as one self-contained HTML file (inline
//! CSS, charts inlined as SVG, no scripts or external assets) or as Markdown with the
//! charts as PNG files beside it. All user text is escaped in HTML.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{run_decision, ReportOptions, RunDecision};
use crate::arm::Arm;
use crate::chart::{self, ChartData, ChartSpec, ChartStyle, CrossoverData, CumulativeData};
use crate::decision::{number, Questions, Supports};
use crate::price::{self, PriceMatch};
use crate::stats::Interval;
use crate::{dataset, store, Error, Result};

/// The file format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum DocFormat {
    /// One self-contained HTML file.
    Html,
    /// Markdown, with the charts as PNG files beside it.
    Markdown,
}

/// Size of the charts in a report.
const CHART_STYLE: ChartStyle = ChartStyle {
    theme: chart::Theme::Light,
    width: 960,
    height: 540,
};

/// One piece of the report, rendered as HTML or Markdown.
enum Block {
    Heading(String),
    Para(String),
    List(Vec<String>),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Preformatted user text (a prompt, a template), with its caption.
    Pre(String, String),
    /// A chart: its file stem (for Markdown's PNG) and its spec.
    Chart(&'static str, Box<ChartSpec>),
}

/// Writes the decision report of run `run_id` (database at `db_path`) to `out` in
/// `format`, as of `today` (YYYY-MM-DD), with the team's `questions`. Returns every file
/// written: the report, then (Markdown only) its chart images.
pub fn render(
    conn: &Connection,
    db_path: &Path,
    run_id: i32,
    today: &str,
    questions: &Questions,
    format: DocFormat,
    out: &Path,
) -> Result<Vec<PathBuf>> {
    let d = run_decision(conn, db_path, run_id, today, &ReportOptions::default())?;
    let blocks = blocks(conn, db_path, &d, today, questions)?;
    let write = |path: &Path, bytes: &[u8]| {
        std::fs::write(path, bytes).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })
    };
    match format {
        DocFormat::Html => {
            let title = format!("Tunebench decision report · run {run_id}");
            write(out, html(&title, &blocks)?.as_bytes())?;
            Ok(vec![out.to_path_buf()])
        }
        DocFormat::Markdown => {
            let stem = out
                .file_stem()
                .map_or("report".into(), |s| s.to_string_lossy().into_owned());
            let dir = out.parent().unwrap_or(Path::new(""));
            let mut files = vec![out.to_path_buf()];
            let mut images = Vec::new();
            for b in &blocks {
                if let Block::Chart(name, spec) = b {
                    let file = format!("{stem}-{name}.png");
                    let path = dir.join(&file);
                    write(&path, &chart::render_png(spec)?)?;
                    files.push(path);
                    images.push(file);
                }
            }
            write(out, markdown(run_id, &blocks, &images).as_bytes())?;
            Ok(files)
        }
    }
}

/// The report's contents, in reading order.
fn blocks(
    conn: &Connection,
    db_path: &Path,
    d: &RunDecision,
    today: &str,
    q: &Questions,
) -> Result<Vec<Block>> {
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
    let h = super::history(conn, db_path, run_id, &ReportOptions::default())?;
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
                    .map_or("n/a".into(), |c| format!("${c:.6}")),
                r.verdict_kind_text().to_owned(),
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

/// The cost table, the price entries behind it and the two charts.
fn cost_blocks(
    conn: &Connection,
    d: &RunDecision,
    arms: &[&Arm; 2],
    b: &mut Vec<Block>,
) -> Result<()> {
    b.push(Block::Heading("Cost".into()));
    let (s, c) = match &d.cost {
        Ok(x) => x,
        Err(why) => {
            b.push(Block::Para(format!("No cost projection: {why}")));
            return Ok(());
        }
    };
    let money = number::dollars;
    let row = |label: &str, x: f64, y: f64| vec![label.to_owned(), money(x), money(y)];
    b.push(Block::Table {
        head: vec![
            format!("at {} queries/day", number::thousands(s.queries_per_day)),
            format!("A: {}", c.arm_a.name),
            format!("B: {}", c.arm_b.name),
        ],
        rows: vec![
            vec![
                "per query".into(),
                format!("${:.6}", c.arm_a.per_query.mean),
                format!("${:.6}", c.arm_b.per_query.mean),
            ],
            row(
                "monthly",
                c.arm_a.monthly_at_volume.mean,
                c.arm_b.monthly_at_volume.mean,
            ),
            row(
                "hosting per month",
                c.arm_a.hosting_monthly,
                c.arm_b.hosting_monthly,
            ),
            row(
                "training per run",
                c.arm_a.training_per_run,
                c.arm_b.training_per_run,
            ),
            row(
                "retraining per month",
                c.arm_a.training_monthly,
                c.arm_b.training_monthly,
            ),
        ],
    });
    let be = match c.break_even.queries_per_day() {
        Some(v) => format!("Break-even: {} queries/day.", number::thousands(v)),
        None => match &c.break_even {
            crate::cost::BreakEven::Never { reason, .. } => {
                format!("Break-even: never ({reason}).")
            }
            crate::cost::BreakEven::Crosses { .. } => String::new(),
        },
    };
    // The note, when there is one, is the whole payback sentence (it never pays back).
    let payback = match (c.payback.months, &c.payback.note) {
        (_, Some(n)) => format!(" {n}."),
        (Some(m), None) => format!(
            " Payback of one training run: {} months.",
            number::one_decimal(m)
        ),
        (None, None) => String::new(),
    };
    b.push(Block::Para(format!("{be}{payback}")));
    for w in &c.warnings {
        b.push(Block::Para(format!("Warning: {w}")));
    }
    let mut prices = Vec::new();
    for arm in arms {
        let own = arm
            .params
            .price
            .filter(|p| p.input.is_some() && p.output.is_some());
        prices.push(match own {
            Some(p) => vec![
                arm.name.clone(),
                arm.model.clone(),
                format!(
                    "${} in / ${} out per 1M tokens{}",
                    p.input.unwrap_or_default(),
                    p.output.unwrap_or_default(),
                    p.training
                        .map_or(String::new(), |t| format!(", training ${t} per 1M"))
                ),
                "—".into(),
                "from the experiment file".into(),
            ],
            None => match price::lookup_model(conn, None, &arm.model)? {
                PriceMatch::Found { entry } => vec![
                    arm.name.clone(),
                    arm.model.clone(),
                    format!(
                        "{} `{}`: ${} in / ${} out per 1M tokens{}",
                        entry.provider,
                        entry.model_pattern,
                        entry.input.map_or("?".into(), |x| x.to_string()),
                        entry.output.map_or("?".into(), |x| x.to_string()),
                        entry
                            .training
                            .map_or(String::new(), |t| format!(", training ${t}"))
                    ),
                    entry.as_of.clone(),
                    entry.source.clone(),
                ],
                PriceMatch::Missing { reason, .. } => {
                    vec![
                        arm.name.clone(),
                        arm.model.clone(),
                        reason,
                        "".into(),
                        "".into(),
                    ]
                }
            },
        });
    }
    b.push(Block::Table {
        head: ["arm", "model", "price used", "as of", "source"]
            .map(String::from)
            .to_vec(),
        rows: prices,
    });
    let source = format!(
        "run {} · measured tokens per query · projected {}",
        d.report.run_id, s.today
    );
    b.push(Block::Chart(
        "crossover",
        Box::new(ChartSpec {
            title: crate::chart::preset::CROSSOVER_TITLE.into(),
            source: source.clone(),
            style: CHART_STYLE,
            data: ChartData::Crossover(CrossoverData::from_scenario(s, c, true)?),
        }),
    ));
    b.push(Block::Chart(
        "payback",
        Box::new(ChartSpec {
            title: crate::chart::preset::CUMULATIVE_TITLE.into(),
            source,
            style: CHART_STYLE,
            data: ChartData::Cumulative(CumulativeData::from_scenario(s, c)?),
        }),
    ));
    Ok(())
}

/// The dataset's statistics and its leakage check. A dataset without a stored validation
/// report (written straight into the store) still gets its leakage check.
fn dataset_blocks(conn: &Connection, experiment_id: i32, b: &mut Vec<Block>) -> Result<()> {
    let exp = store::experiment::get(conn, experiment_id)?;
    let name = store::dataset::name(conn, exp.dataset_id)?;
    let leak = dataset::leakage(conn, exp.dataset_id)?;
    b.push(Block::Heading(format!("Dataset {name}")));
    let mut rows = Vec::new();
    let validation = dataset::report(conn, exp.dataset_id);
    if let Ok(v) = &validation {
        rows.extend([
            vec!["rows".into(), v.rows.to_string()],
            vec![
                "train / test / unassigned".into(),
                format!("{} / {} / {}", v.train_rows, v.test_rows, v.unassigned_rows),
            ],
            vec![
                "empty inputs / expected".into(),
                format!("{} / {}", v.empty_inputs, v.empty_expected),
            ],
            vec![
                "duplicate rows / inputs".into(),
                format!("{} / {}", v.duplicate_rows, v.duplicate_inputs),
            ],
            vec!["encoding".into(), v.encoding.clone()],
            vec![
                format!("input tokens ({})", v.token_estimate),
                format!(
                    "p50 {} · p95 {} · max {}",
                    v.input_tokens.p50, v.input_tokens.p95, v.input_tokens.max
                ),
            ],
        ]);
        for l in &v.labels {
            rows.push(vec![format!("label {}", l.label), l.count.to_string()]);
        }
    } else {
        rows.push(vec![
            "train / test rows".into(),
            format!("{} / {}", leak.train_rows, leak.test_rows),
        ]);
    }
    rows.push(vec![
        "leakage (test inputs found in train)".into(),
        format!(
            "{} exact, {} after folding case and punctuation ({} train rows duplicate a test input)",
            leak.exact_test_rows, leak.normalised_test_rows, leak.leaked_train_rows
        ),
    ]);
    if !exp.labels.is_empty() {
        rows.push(vec!["taxonomy".into(), exp.labels.join(", ")]);
    }
    b.push(Block::Table {
        head: vec!["statistic".into(), "value".into()],
        rows,
    });
    match validation {
        Ok(v) if !v.warnings.is_empty() => {
            b.push(Block::List(
                v.warnings.iter().map(|w| w.message.clone()).collect(),
            ));
        }
        Ok(_) => {}
        Err(e) => b.push(Block::Para(format!("No validation report: {e}"))),
    }
    Ok(())
}

/// One arm's full configuration. Keys live in the OS keychain, never in an arm.
fn arm_blocks(arm: &Arm, b: &mut Vec<Block>) -> Result<()> {
    b.push(Block::Para(format!(
        "{} · {} · model {} · provider #{}",
        arm.name,
        arm.kind.as_str(),
        arm.model,
        arm.provider_id
    )));
    b.push(Block::Pre(
        "system prompt".into(),
        arm.system_prompt.clone(),
    ));
    b.push(Block::Pre("template".into(), arm.template.clone()));
    if let Some(f) = &arm.few_shot {
        b.push(Block::Pre("few-shot".into(), json(f)?));
    }
    if let Some(r) = &arm.retrieval {
        b.push(Block::Pre("retrieval".into(), json(r)?));
    }
    b.push(Block::Pre("parameters".into(), json(&arm.params)?));
    Ok(())
}

/// Pretty JSON of a configuration value.
fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| Error::Invalid(format!("arm configuration: {e}")))
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
        v.push(format!("Cost scenario: {} queries/day, projected {}, error cost ${} per wrong answer, {} hours and {} days a month, {} months drawn", number::thousands(s.queries_per_day), s.today, s.error_cost, s.hours_per_month, s.days_per_month, s.horizon_months));
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
            super::TRAINING_TOKEN_ESTIMATE
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

/// `s` with `& < > " '` replaced by entities, safe inside HTML text and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.45}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
th{background:#f3f3f3}pre{background:#f7f7f7;padding:.6em;white-space:pre-wrap;border:1px solid #ddd}\
figure{margin:1em 0}figure svg{width:100%;height:auto}h2{border-bottom:1px solid #ddd;padding-bottom:.2em}";

fn html(title: &str, blocks: &[Block]) -> Result<String> {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>\n<h1>{}</h1>\n",
        escape(title),
        escape(title)
    );
    for b in blocks {
        match b {
            Block::Heading(t) => {
                let _ = writeln!(h, "<h2>{}</h2>", escape(t));
            }
            Block::Para(t) => {
                let _ = writeln!(h, "<p>{}</p>", escape(t));
            }
            Block::List(items) => {
                h.push_str("<ul>");
                for i in items {
                    let _ = write!(h, "<li>{}</li>", escape(i));
                }
                h.push_str("</ul>\n");
            }
            Block::Table { head, rows } => {
                h.push_str("<table><tr>");
                for c in head {
                    let _ = write!(h, "<th>{}</th>", escape(c));
                }
                h.push_str("</tr>");
                for r in rows {
                    h.push_str("<tr>");
                    for c in r {
                        let _ = write!(h, "<td>{}</td>", escape(c));
                    }
                    h.push_str("</tr>");
                }
                h.push_str("</table>\n");
            }
            Block::Pre(caption, text) => {
                let _ = writeln!(
                    h,
                    "<p><em>{}</em></p><pre>{}</pre>",
                    escape(caption),
                    escape(text)
                );
            }
            Block::Chart(_, spec) => {
                // The SVG is drawn by plotters, which XML-escapes the text it draws.
                let svg = chart::render_svg(spec)?;
                let svg = svg.find("<svg").map_or(svg.as_str(), |i| &svg[i..]);
                let _ = writeln!(h, "<figure>{svg}</figure>");
            }
        }
    }
    h.push_str("</body></html>\n");
    Ok(h)
}

/// Markdown text outside code blocks: markup characters as entities, so user text can
/// open no raw HTML in a Markdown viewer, and link, image, code and emphasis syntax
/// backslash-escaped, so a name like `[x](javascript:…)` or `![t](http://…)` stays text.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '[' | ']' | '`' | '*' | '_' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text in a Markdown table cell or list item: one line, pipes escaped.
fn cell(s: &str) -> String {
    md(s).replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn markdown(run_id: i32, blocks: &[Block], images: &[String]) -> String {
    let mut m = format!("# Tunebench decision report · run {run_id}\n\n");
    let mut images = images.iter();
    for b in blocks {
        match b {
            Block::Heading(t) => {
                let _ = writeln!(m, "## {}\n", cell(t));
            }
            Block::Para(t) => {
                let _ = writeln!(m, "{}\n", md(t));
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(m, "- {}", cell(i));
                }
                m.push('\n');
            }
            Block::Table { head, rows } => {
                let line = |cells: &[String]| {
                    format!(
                        "| {} |\n",
                        cells
                            .iter()
                            .map(|c| cell(c))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    )
                };
                m.push_str(&line(head));
                m.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                for r in rows {
                    m.push_str(&line(r));
                }
                m.push('\n');
            }
            Block::Pre(caption, text) => {
                let fence = "`".repeat(longest_backtick_run(text).max(2) + 1);
                let _ = writeln!(m, "*{caption}*\n\n{fence}\n{text}\n{fence}\n");
            }
            Block::Chart(_, spec) => {
                if let Some(file) = images.next() {
                    let _ = writeln!(m, "![{}]({file})\n", cell(&spec.title));
                }
            }
        }
    }
    m
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_replaces_every_markup_character() {
        assert_eq!(
            escape(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }

    #[test]
    fn names_in_the_markdown_report_cannot_make_links_or_load_images() {
        let link = "[click me](javascript:alert(1))";
        let beacon = "![t](http://evil.example/beacon.png)";
        let m = markdown(
            1,
            &[
                Block::Heading(format!("A: {link}")),
                Block::Para(format!("B: {beacon}")),
                Block::List(vec![link.into()]),
                Block::Table {
                    head: vec!["arm".into()],
                    rows: vec![vec![beacon.into()], vec![r"\[x](y)".into()]],
                },
            ],
            &[],
        );
        assert!(m.contains(r"\[click me\](javascript:alert(1))"), "{m}");
        assert!(m.contains(r"!\[t\](http://evil.example/beacon.png)"), "{m}");
        assert!(
            m.contains(r"\\\[x\](y)"),
            "a backslash cannot undo the escape: {m}"
        );
        for (i, _) in m.match_indices('[') {
            assert_eq!(&m[i - 1..i], "\\", "an unescaped [ at {i}: {m}");
        }
    }

    #[test]
    fn a_fence_is_longer_than_any_backtick_run_in_the_text() {
        assert_eq!(longest_backtick_run("a ``` b ` c"), 3);
        assert_eq!(longest_backtick_run("none"), 0);
    }
}
