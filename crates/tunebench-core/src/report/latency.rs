//! A run's latency distribution per arm (answered cases only), for the results screen's
//! chart and `tunebench chart latency`.

use rusqlite::Connection;

use crate::chart::{LatencyData, LatencySample};
use crate::{store, Result};

/// Each arm's recorded latencies, arm A then arm B; `budget_ms` is drawn as a line.
pub fn latency_data(conn: &Connection, run_id: i32, budget_ms: Option<f64>) -> Result<LatencyData> {
    let run = store::run::get(conn, run_id)?;
    let exp = store::experiment::get(conn, run.experiment_id)?;
    let rows = store::result_read::for_report(conn, run_id)?;
    let arms = exp
        .arm_ids
        .iter()
        .map(|&id| {
            Ok(LatencySample {
                name: store::arm::get(conn, id)?.name,
                latencies_ms: rows
                    .iter()
                    .filter(|r| r.arm_id == id && r.error_class.is_none())
                    .filter_map(|r| r.latency_ms)
                    .collect(),
            })
        })
        .collect::<Result<_>>()?;
    Ok(LatencyData { arms, budget_ms })
}
