//! The titles and sizes the faces draw charts with, so the window, the CLI and the decision
//! report name the same chart the same way.

use super::{ChartData, ChartSpec, ChartStyle, LatencyData, LossData, Theme};

pub const CROSSOVER_TITLE: &str = "Monthly cost of prompting vs fine-tuning";
/// The crossover of three or more arms: one line per arm.
pub const CROSSOVER_ARMS_TITLE: &str = "Monthly cost of each arm";
pub const CUMULATIVE_TITLE: &str = "Cumulative cost: when fine-tuning pays back";
pub const METRIC_TITLE: &str = "Quality of each arm";
pub const CONFUSION_TITLE: &str = "Confusion matrix";
pub const QUALITY_TITLE: &str = "Quality against cost per query";
pub const TORNADO_TITLE: &str = "What moves the break-even";

/// The latency chart's title names its run.
pub fn latency_title(run_id: i32) -> String {
    format!("Latency per arm, run {run_id}")
}

/// The source line of the latency chart.
pub const LATENCY_SOURCE: &str = "answered cases; errors are left out";

/// The crossover chart on the Crossover screen: drawn at about the size the screen shows
/// it, so its labels read at screen size.
pub fn crossover_screen(theme: Theme) -> ChartStyle {
    ChartStyle {
        theme,
        width: 760,
        height: 440,
    }
}

/// The latency chart of run `run_id` as the results screen shows it.
pub fn latency_screen(run_id: i32, data: LatencyData) -> ChartSpec {
    ChartSpec {
        title: latency_title(run_id),
        source: LATENCY_SOURCE.into(),
        style: ChartStyle {
            theme: Theme::Light,
            width: 960,
            height: 450,
        },
        data: ChartData::Latency(data),
    }
}

/// The training-loss chart of fine-tune job `job_id` as the Fine-tune screen shows it under
/// the job's row; `source` says where the losses come from.
pub fn loss_screen(job_id: i32, source: String, data: LossData) -> ChartSpec {
    ChartSpec {
        title: format!("Training loss, fine-tune job {job_id}"),
        source,
        style: ChartStyle {
            theme: Theme::Light,
            width: 720,
            height: 340,
        },
        data: ChartData::Loss(data),
    }
}
