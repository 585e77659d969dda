//! `tunebench report` for a run of three or more arms: a column per arm (primary metric
//! with its interval, errors, latency, cost per query), then every comparison after Holm's
//! correction, the correction in words, and the verdict naming the best arm.

use tunebench_core::report::RunReport;

use super::report::{cost, latency, with_interval};

/// The report of a run with more than two arms, as text.
pub fn human(r: &RunReport) -> String {
    let mut s = format!(
        "run {} ({}) · experiment {} · dataset {} ({} split, {} cases)\n\n",
        r.run_id, r.status, r.experiment, r.dataset, r.split, r.n_cases
    );
    let row = |s: &mut String, label: &str, cells: Vec<String>| {
        s.push_str(&format!("{label:<22}"));
        for c in cells {
            s.push_str(&format!(" {c:<28}"));
        }
        let kept = s.trim_end_matches(' ').len();
        s.truncate(kept);
        s.push('\n');
    };
    let letters = ['A', 'B', 'C', 'D', 'E', 'F'];
    let arms = &r.arms;
    row(
        &mut s,
        "",
        arms.iter()
            .zip(letters)
            .map(|(a, l)| format!("{l}: {} ({}, {})", a.name, a.kind, a.model))
            .collect(),
    );
    row(
        &mut s,
        &format!("{} (primary)", r.primary_metric),
        arms.iter()
            .map(|a| with_interval(a.primary.value, Some(a.primary.interval)))
            .collect(),
    );
    row(
        &mut s,
        "errors",
        arms.iter().map(|a| a.errors.to_string()).collect(),
    );
    row(
        &mut s,
        "latency p50 / p95 ms",
        arms.iter()
            .map(|a| latency(a.latency_ms_p50, a.latency_ms_p95))
            .collect(),
    );
    row(
        &mut s,
        "cost per query",
        arms.iter().map(|a| cost(a.cost_per_query)).collect(),
    );
    s.push('\n');
    for c in &r.comparisons {
        s.push_str(&format!("{}\n", c.sentence));
    }
    for w in [&r.task_warning, &r.power_warning].into_iter().flatten() {
        s.push_str(&format!("warning: {w}\n"));
    }
    for arm in arms {
        if let Some(note) = &arm.cost_note {
            s.push_str(&format!("cost of {}: {note}\n", arm.name));
        }
    }
    s.push_str(&format!("\n{}\n", r.verdict));
    s
}
