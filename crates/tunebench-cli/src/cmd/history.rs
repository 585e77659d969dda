//! `tunebench history RUN_ID`: every run of the run's experiment and of its re-runs on
//! other models, oldest first: per arm the model, the primary metric with its interval,
//! p95 latency and cost per query, and each run's verdict.

use std::path::Path;

use tunebench_core::report::{history, ReportOptions};
use tunebench_core::store;

use crate::output::Output;

pub fn run(db: Option<&Path>, run_id: i32, out: &Output) -> anyhow::Result<()> {
    let db_path = super::store_path(db)?;
    let conn = store::open(&db_path)?;
    let h = history(&conn, &db_path, run_id, &ReportOptions::default())?;
    if out.json {
        return out.print_json(&h);
    }
    say!(
        "{} on {} · {} · {} runs",
        h.experiment,
        h.dataset,
        h.primary_metric,
        h.runs.len()
    )?;
    say!(
        "{:>5}  {:<16}  {:<14}  {:<24}  {:>21}  {:>8}  {:>10}",
        "RUN",
        "STARTED (UTC)",
        "ARM",
        "MODEL",
        h.primary_metric.to_uppercase(),
        "P95 MS",
        "$/QUERY"
    )?;
    let opt = |v: Option<f64>, prec: usize| v.map_or("-".to_string(), |x| format!("{x:.prec$}"));
    for r in &h.runs {
        for (i, a) in r.arms.iter().enumerate() {
            let (id, started) = if i == 0 {
                (
                    r.run_id.to_string(),
                    r.started_at
                        .get(..16)
                        .unwrap_or(&r.started_at)
                        .replace('T', " "),
                )
            } else {
                (String::new(), String::new())
            };
            say!(
                "{id:>5}  {started:<16}  {:<14}  {:<24}  {:>21}  {:>8}  {:>10}",
                a.name,
                a.point.model,
                format!(
                    "{:.3} [{:.3}, {:.3}]",
                    a.point.value, a.point.low, a.point.high
                ),
                opt(a.point.latency_p95_ms, 0),
                opt(a.point.cost_per_query, 6)
            )?;
        }
        say!("       {}", r.verdict)?;
    }
    for l in &h.left_out {
        eprintln!("left out: {l}");
    }
    Ok(())
}
