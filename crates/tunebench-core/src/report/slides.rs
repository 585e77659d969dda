//! A run's slide pack: every chart the run can draw (crossover, cumulative, tornado, metric,
//! latency, confusion, quality vs cost, trend) at one size in one theme, and `captions.md`
//! with one takeaway per chart from the report's numbers. The window and the CLI both write
//! it with [`write_pack`]; the single-chart CLI path picks one of [`slides`].

use std::path::Path;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{
    captions, confusion_data, history, latency_data, metric_data, quality_data, run_arms_scenario,
    run_report, ReportOptions,
};
use crate::chart::{
    self, preset, ChartData, ChartSpec, ChartStyle, CrossoverData, CumulativeData, TornadoData,
};
use crate::{cost, store, Error, Result};

/// One chart of the pack: its file stem (e.g. `crossover`), the chart and its takeaway.
#[derive(Debug, Clone)]
pub struct Slide {
    pub name: String,
    pub spec: ChartSpec,
    pub caption: String,
}

/// What [`write_pack`] wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SlidePack {
    /// The folder, as given.
    pub dir: String,
    /// The files written in it: one PNG per chart, then `captions.md`.
    pub files: Vec<String>,
    /// Charts this run cannot draw, each with the reason.
    pub left_out: Vec<String>,
}

/// Every chart run `run_id` can draw at `style`, with its caption; and the charts it cannot,
/// each with the reason. `volume` overrides the saved scenario's queries per day.
pub fn slides(
    conn: &Connection,
    db_path: &Path,
    run_id: i32,
    today: &str,
    volume: Option<f64>,
    style: ChartStyle,
) -> Result<(Vec<Slide>, Vec<String>)> {
    let run = store::run::get(conn, run_id)?;
    let date = run
        .started_at
        .get(..10)
        .unwrap_or(&run.started_at)
        .to_string();
    let cost_source = format!(
        "run {run_id} of {date} · measured tokens per query · prices as of the catalog · projected {today}"
    );
    let mut out = Vec::new();
    let mut left_out = Vec::new();
    let mut add = |name: &str, title: String, source: &str, data: ChartData, caption: String| {
        out.push(Slide {
            name: name.into(),
            spec: ChartSpec {
                title,
                source: source.into(),
                style,
                data,
            },
            caption,
        });
    };
    let r = run_report(conn, db_path, run_id, &ReportOptions::default())?;
    // Three or more arms: every arm on the crossover; the cumulative and tornado charts are
    // A against the arm the recommendation weighs (the verdict's best, else B), named.
    let priced = run_arms_scenario(conn, run_id, today, volume).and_then(|all| {
        if all.more.is_empty() {
            let c = cost::evaluate(&all.scenario)?;
            return Ok((all.scenario, c, None));
        }
        let every = cost::evaluate_arms(&all)?;
        let leading = super::leading_arm(&r);
        let c = every.pairs[leading - 1].report.clone();
        Ok((all.between(0, leading)?, c, Some((all, every))))
    });
    match priced {
        Ok((s, c, arms)) => {
            let pair = match &arms {
                Some(_) => format!(": {} against {}", s.arm_a.name, s.arm_b.name),
                None => String::new(),
            };
            let (title, data, caption) = match &arms {
                Some((all, every)) => (
                    preset::CROSSOVER_ARMS_TITLE.to_string(),
                    CrossoverData::from_arms(all, every, false)?,
                    every.headline.clone(),
                ),
                None => (
                    preset::CROSSOVER_TITLE.to_string(),
                    CrossoverData::from_scenario(&s, &c, false)?,
                    captions::crossover(&c),
                ),
            };
            add(
                "crossover",
                title,
                &cost_source,
                ChartData::Crossover(data),
                caption,
            );
            let data = ChartData::Cumulative(CumulativeData::from_scenario(&s, &c)?);
            add(
                "cumulative",
                format!("{}{pair}", preset::CUMULATIVE_TITLE),
                &cost_source,
                data,
                captions::cumulative(&c),
            );
            match (TornadoData::from_report(&c), captions::tornado(&c)) {
                (Some(t), Some(caption)) => {
                    add(
                        "tornado",
                        format!("{}{pair}", preset::TORNADO_TITLE),
                        &cost_source,
                        ChartData::Tornado(t),
                        caption,
                    );
                }
                _ => left_out.push(
                    "tornado: the arms never cross, so no assumption moves a break-even".into(),
                ),
            }
        }
        Err(e) => left_out.push(format!("crossover, cumulative and tornado: {e}")),
    }
    let source = format!("n = {} held-out cases · run {run_id} of {date}", r.n_cases);
    add(
        "metric",
        preset::METRIC_TITLE.into(),
        &source,
        ChartData::Metric(metric_data(&r)),
        captions::metric(&r),
    );
    let latency = latency_data(conn, run_id, None)?;
    add(
        "latency",
        preset::latency_title(run_id),
        preset::LATENCY_SOURCE,
        ChartData::Latency(latency),
        captions::latency(&r),
    );
    for (i, arm) in r.arms.iter().enumerate() {
        if let Some(d) = confusion_data(&r, i) {
            let caption = captions::confusion(&arm.name, &d);
            let title = format!("{}: {}", preset::CONFUSION_TITLE, arm.name);
            // confusion-a, confusion-b, confusion-c, …
            let name = format!("confusion-{}", char::from(b'a' + i as u8));
            add(&name, title, &source, ChartData::Confusion(d), caption);
        }
    }
    if r.arms.iter().all(|a| a.label_report.is_none()) {
        left_out.push("confusion: this experiment's outputs are not labels".into());
    }
    match quality_data(&r) {
        Some(q) => {
            let caption = captions::quality(&q);
            add(
                "quality-cost",
                preset::QUALITY_TITLE.into(),
                &source,
                ChartData::QualityCost(q),
                caption,
            );
        }
        None => left_out.push("quality vs cost: neither arm has a measured cost".into()),
    }
    let h = history(conn, db_path, run_id, &ReportOptions::default())?;
    let trend = h.chart_spec(style);
    let ChartData::Trend(t) = &trend.data else {
        unreachable!("a history draws a trend")
    };
    let caption = captions::trend(t);
    add(
        "trend",
        trend.title.clone(),
        &trend.source.clone(),
        trend.data,
        caption,
    );
    Ok((out, left_out))
}

/// Writes every chart of run `run_id` as PNG into `dir` (created if missing), numbered in
/// slide order, and `captions.md` with one takeaway line per chart.
pub fn write_pack(
    conn: &Connection,
    db_path: &Path,
    run_id: i32,
    today: &str,
    volume: Option<f64>,
    style: ChartStyle,
    dir: &Path,
) -> Result<SlidePack> {
    let (slides, left_out) = slides(conn, db_path, run_id, today, volume, style)?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut files = Vec::new();
    let mut md = format!(
        "# Slide pack · run {run_id}\n\n{}×{} pixels, {} theme.\n\n",
        style.width,
        style.height,
        match style.theme {
            chart::Theme::Light => "light",
            chart::Theme::Dark => "dark",
        }
    );
    for (i, s) in slides.iter().enumerate() {
        let file = format!("{:02}-{}.png", i + 1, s.name);
        let path = dir.join(&file);
        std::fs::write(&path, chart::render_png(&s.spec)?).map_err(io(&path))?;
        md.push_str(&format!("- `{file}`: {}\n", s.caption));
        files.push(file);
    }
    if !left_out.is_empty() {
        md.push_str("\nNot drawn:\n\n");
        for l in &left_out {
            md.push_str(&format!("- {l}\n"));
        }
    }
    let path = dir.join("captions.md");
    std::fs::write(&path, md).map_err(io(&path))?;
    files.push("captions.md".into());
    Ok(SlidePack {
        dir: dir.display().to_string(),
        files,
        left_out,
    })
}
