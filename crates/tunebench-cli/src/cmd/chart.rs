//! `tunebench chart NAME RUN_ID --out FILE.png|.svg`: a slide-ready chart of a run: cost at
//! scale (crossover, cumulative payback, sensitivity tornado) or latency, drawn by the
//! same code as the app's screens. The format follows the file's extension.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args as ClapArgs, ValueEnum};
use tunebench_core::chart::{
    self, ChartData, ChartSpec, ChartStyle, CrossoverData, CumulativeData, Theme, TornadoData,
};
use tunebench_core::report::{latency_data, run_scenario};
use tunebench_core::{cost, price, store};

use crate::output::Output;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ChartName {
    /// Monthly cost of each arm against queries per day, with the break-even.
    Crossover,
    /// Cumulative cost over months: when the first training run is paid back.
    Cumulative,
    /// How far the break-even moves when each assumption moves ±25 %.
    Tornado,
    /// Each arm's latency distribution (share of requests answered within x ms).
    Latency,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ThemeArg {
    Light,
    Dark,
}

#[derive(Debug, ClapArgs)]
pub struct ChartArgs {
    pub chart: ChartName,
    pub run_id: i32,
    /// The file to write: `.svg` writes SVG, anything else PNG.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Queries per day (default: the run's saved scenario, else 10,000).
    #[arg(long, value_name = "Q")]
    pub volume: Option<f64>,
    #[arg(long, default_value_t = 1920)]
    pub width: u32,
    #[arg(long, default_value_t = 1080)]
    pub height: u32,
    #[arg(long, value_enum, default_value = "light")]
    pub theme: ThemeArg,
    /// A linear volume axis instead of a logarithmic one (crossover only).
    #[arg(long)]
    pub linear: bool,
}

pub fn run(db: Option<&Path>, args: &ChartArgs, out: &Output) -> anyhow::Result<()> {
    let conn = store::open(&super::store_path(db)?)?;
    price::seed(&conn)?;
    let today = super::today();
    let scenario = run_scenario(&conn, args.run_id, &today, args.volume)?;
    let report = cost::evaluate(&scenario)?;
    let run = store::run::get(&conn, args.run_id)?;
    let source = format!(
        "run {} of {} · measured tokens per query · prices as of the catalog · projected {today}",
        args.run_id,
        run.started_at.get(..10).unwrap_or(&run.started_at)
    );
    let (title, data) = match args.chart {
        ChartName::Crossover => (
            "Monthly cost of prompting vs fine-tuning",
            ChartData::Crossover(CrossoverData::from_scenario(
                &scenario,
                &report,
                !args.linear,
            )?),
        ),
        ChartName::Cumulative => (
            "Cumulative cost: when fine-tuning pays back",
            ChartData::Cumulative(CumulativeData::from_scenario(&scenario, &report)?),
        ),
        ChartName::Latency => (
            "Latency per arm",
            ChartData::Latency(latency_data(&conn, args.run_id, None)?),
        ),
        ChartName::Tornado => (
            "What moves the break-even",
            ChartData::Tornado(TornadoData::from_report(&report).context(
                "no tornado: the arms never cross, so no assumption moves a break-even",
            )?),
        ),
    };
    let spec = ChartSpec {
        title: title.to_string(),
        source,
        style: ChartStyle {
            theme: match args.theme {
                ThemeArg::Light => Theme::Light,
                ThemeArg::Dark => Theme::Dark,
            },
            width: args.width,
            height: args.height,
        },
        data,
    };
    let svg = args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let bytes = if svg {
        chart::render_svg(&spec)?.into_bytes()
    } else {
        chart::render_png(&spec)?
    };
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("could not write {}", args.out.display()))?;
    let break_even = report.break_even.queries_per_day();
    if out.json {
        return out.print_json(&serde_json::json!({
            "file": args.out.display().to_string(),
            "bytes": bytes.len(),
            "break_even_queries_per_day": break_even,
        }));
    }
    println!("wrote {} ({} bytes)", args.out.display(), bytes.len());
    Ok(())
}
