//! `tunebench chart NAME RUN_ID --out FILE.png|.svg`: a slide-ready chart of a run: cost at
//! scale (crossover, cumulative payback, sensitivity tornado), latency, metrics with
//! intervals, a confusion matrix or quality against cost, drawn by the
//! same code as the app's screens. The format follows the file's extension.
//! `tunebench chart pack RUN_ID --out DIR`: every one of them as PNG, plus `captions.md`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args as ClapArgs, ValueEnum};
use tunebench_core::chart::{
    self, preset, ChartData, ChartSpec, ChartStyle, CrossoverData, CumulativeData, Theme,
    TornadoData,
};
use tunebench_core::report::{
    confusion_data, history, latency_data, leading_arm, metric_data, quality_data,
    run_arms_scenario, run_report, write_pack, ReportOptions,
};
use tunebench_core::{cost, store};

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
    /// Every metric of both arms with its 95 % interval.
    Metric,
    /// The confusion matrix of one arm (`--arm a|b`).
    Confusion,
    /// Each arm's primary metric against its measured cost per query.
    Quality,
    /// Every run of the experiment and its re-runs on other models: metric, p95 latency
    /// and cost per query of each arm over time.
    Trend,
    /// Every chart above the run can draw, as PNG files in the folder `--out`, with
    /// `captions.md` (one takeaway per chart).
    Pack,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ArmArg {
    A,
    B,
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
    /// The file to write: `.svg` writes SVG, anything else PNG (for `pack`, a folder).
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
    /// Log–log axes instead of linear ones, for volumes across orders of magnitude
    /// (crossover only).
    #[arg(long)]
    pub log: bool,
    /// Which arm's confusion matrix: a (prompting) or b (fine-tuned).
    #[arg(long, value_enum, default_value = "b")]
    pub arm: ArmArg,
}

fn style(args: &ChartArgs) -> ChartStyle {
    ChartStyle {
        theme: match args.theme {
            ThemeArg::Light => Theme::Light,
            ThemeArg::Dark => Theme::Dark,
        },
        width: args.width,
        height: args.height,
    }
}

pub fn run(db: Option<&Path>, args: &ChartArgs, out: &Output) -> anyhow::Result<()> {
    let db_path = super::store_path(db)?;
    let conn = store::open(&db_path)?;
    let today = super::today();
    let run = store::run::get(&conn, args.run_id)?;
    if let ChartName::Pack = args.chart {
        let (id, volume, style) = (args.run_id, args.volume, style(args));
        let pack = write_pack(&conn, &db_path, id, &today, volume, style, &args.out)?;
        if out.json {
            return out.print_json(&pack);
        }
        say!("wrote {} files to {}", pack.files.len(), pack.dir)?;
        for f in &pack.files {
            say!("  {f}")?;
        }
        for l in &pack.left_out {
            say!("not drawn: {l}")?;
        }
        return Ok(());
    }
    let needs_cost = matches!(
        args.chart,
        ChartName::Crossover | ChartName::Cumulative | ChartName::Tornado
    );
    let quality = || run_report(&conn, &db_path, args.run_id, &ReportOptions::default());
    // Three or more arms: every arm on the crossover; the cumulative and tornado charts
    // show A against the arm the recommendation weighs (the verdict's best, else B).
    let (scenario, report, arms) = if needs_cost {
        let all = run_arms_scenario(&conn, args.run_id, &today, args.volume)?;
        if all.more.is_empty() {
            let r = cost::evaluate(&all.scenario)?;
            (Some(all.scenario), Some(r), None)
        } else {
            let c = cost::evaluate_arms(&all)?;
            let leading = leading_arm(&quality()?);
            let s = all.between(0, leading)?;
            let r = c.pairs[leading - 1].report.clone();
            (Some(s), Some(r), Some((all, c)))
        }
    } else {
        (None, None, None)
    };
    // "prompting against hybrid", said in the title of a pair's chart of several arms.
    let pair = match (&arms, &scenario) {
        (Some(_), Some(s)) => format!(": {} against {}", s.arm_a.name, s.arm_b.name),
        _ => String::new(),
    };
    let source = format!(
        "run {} of {} · measured tokens per query · prices as of the catalog · projected {today}",
        args.run_id,
        run.started_at.get(..10).unwrap_or(&run.started_at)
    );
    let (title, data) = match args.chart {
        ChartName::Crossover => match &arms {
            Some((all, c)) => (
                preset::CROSSOVER_ARMS_TITLE.to_string(),
                ChartData::Crossover(CrossoverData::from_arms(all, c, args.log)?),
            ),
            None => (
                preset::CROSSOVER_TITLE.to_string(),
                ChartData::Crossover(CrossoverData::from_scenario(
                    scenario.as_ref().context("scenario")?,
                    report.as_ref().context("cost report")?,
                    args.log,
                )?),
            ),
        },
        ChartName::Cumulative => (
            format!("{}{pair}", preset::CUMULATIVE_TITLE),
            ChartData::Cumulative(CumulativeData::from_scenario(
                scenario.as_ref().context("scenario")?,
                report.as_ref().context("cost report")?,
            )?),
        ),
        ChartName::Metric => (
            preset::METRIC_TITLE.to_string(),
            ChartData::Metric(metric_data(&quality()?)),
        ),
        ChartName::Confusion => (
            preset::CONFUSION_TITLE.to_string(),
            ChartData::Confusion(
                confusion_data(&quality()?, usize::from(matches!(args.arm, ArmArg::B)))
                    .context("no confusion matrix: this experiment's outputs are not labels")?,
            ),
        ),
        ChartName::Quality => (
            preset::QUALITY_TITLE.to_string(),
            ChartData::QualityCost(
                quality_data(&quality()?)
                    .context("no quality-cost chart: neither arm has a measured cost")?,
            ),
        ),
        ChartName::Latency => (
            preset::latency_title(args.run_id),
            ChartData::Latency(latency_data(&conn, args.run_id, None)?),
        ),
        ChartName::Tornado => (
            format!("{}{pair}", preset::TORNADO_TITLE),
            ChartData::Tornado(
                TornadoData::from_report(report.as_ref().context("cost report")?).context(
                    "no tornado: the arms never cross, so no assumption moves a break-even",
                )?,
            ),
        ),
        ChartName::Trend => {
            let h = history(&conn, &db_path, args.run_id, &ReportOptions::default())?;
            (h.chart_title(), ChartData::Trend(h.trend_data()))
        }
        ChartName::Pack => unreachable!("the pack returned above"),
    };
    let spec = ChartSpec {
        title,
        source,
        style: style(args),
        data,
    };
    let bytes = chart::render_for_path(&spec, &args.out)?;
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("could not write {}", args.out.display()))?;
    let break_even = report.as_ref().and_then(|r| r.break_even.queries_per_day());
    if out.json {
        let mut value = serde_json::json!({
            "file": args.out.display().to_string(),
            "bytes": bytes.len(),
            "break_even_queries_per_day": break_even,
        });
        if let (Some((_, c)), Some(s)) = (&arms, &scenario) {
            // Several arms: the break-even above is the pair's the title names.
            value["pair"] = serde_json::json!([s.arm_a.name, s.arm_b.name]);
            value["cheapest"] = serde_json::json!(c.cheapest);
        }
        return out.print_json(&value);
    }
    say!("wrote {} ({} bytes)", args.out.display(), bytes.len())?;
    Ok(())
}
