//! The cost model of DESIGN.md §5: per-query cost from tokens and prices, fixed monthly
//! costs (hosting, amortised training), monthly cost at a volume, and the [`CostReport`]
//! that gathers every output of a [`Scenario`].

use serde::{Deserialize, Serialize};

use super::break_even::{self, BreakEven, CheaperRange, Payback};
use super::scenario::{parse_date, ArmAssumptions, Estimate, Hosting, Scenario};
use super::sensitivity::{self, SensitivityRow};
use crate::Result;

/// Which arm of the comparison: A is the prompting baseline, B the candidate (fine-tuned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    A,
    B,
}

/// Which end of the token-count interval a figure is computed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bound {
    Mean,
    Low,
    High,
}

/// The costs of one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmCost {
    pub name: String,
    pub model: String,
    /// Token and retrieval cost per query, $, with the interval from the token counts.
    pub per_query: Estimate,
    /// Cost of wrong answers per query, $ (error cost × error rate).
    pub error_cost_per_query: f64,
    /// Hosting per month at the scenario's volume, $.
    pub hosting_monthly: f64,
    /// One training run, $ (0 when the arm is not trained).
    pub training_per_run: f64,
    /// Months one training run is spread over: the retraining cadence, capped by the base
    /// model's retirement.
    pub amortisation_months: Option<f64>,
    /// Training per month, $.
    pub training_monthly: f64,
    /// Where `training_per_run` comes from when a fine-tune job measured it (which job,
    /// how, and what was estimated before it started), as one sentence.
    pub training_note: Option<String>,
    /// Total monthly cost at the scenario's volume, $.
    pub monthly_at_volume: Estimate,
    /// Total cost per correct answer, $, when accuracy is known.
    pub cost_per_correct_answer: Option<f64>,
    /// Set when the base model is retired on or before the scenario's date.
    pub retired_on: Option<String>,
}

/// Every output of the cost model for one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CostReport {
    pub queries_per_day: f64,
    pub arm_a: ArmCost,
    pub arm_b: ArmCost,
    /// The first volume where the monthly costs cross (kept for the sensitivity table).
    pub break_even: BreakEven,
    /// Every range of daily volumes where each arm is cheaper, from 0 upwards: with
    /// provisioned (step) hosting the curves can cross more than once.
    pub cheaper: Vec<CheaperRange>,
    pub payback: Payback,
    /// Each assumption moved ±25 %, largest swing of the break-even first.
    pub sensitivity: Vec<SensitivityRow>,
    /// Things the reader should know (an error cost without a measured accuracy, …).
    pub warnings: Vec<String>,
    /// Cost at scale in one sentence: where each arm is cheaper, and which one is at
    /// `queries_per_day` with both monthly totals.
    pub headline: String,
}

/// Runs the whole model on `scenario`.
pub fn evaluate(scenario: &Scenario) -> Result<CostReport> {
    scenario.validate()?;
    let arm_a = arm_cost(scenario, Side::A)?;
    let arm_b = arm_cost(scenario, Side::B)?;
    let break_even = break_even::solve(scenario)?;
    let (cheaper, stopped) = break_even::cheaper_ranges(scenario)?;
    let payback = break_even::payback(scenario)?;
    let sensitivity = sensitivity::table(scenario)?;
    let mut warnings = Vec::new();
    if let Some(v) = stopped {
        warnings.push(format!(
            "which arm is cheaper is worked out up to {} queries a day: provisioned hosting \
             steps too finely to follow further",
            crate::money::count(v)
        ));
    }
    if let (Some(rule), Some(a), Some(b)) = (
        &scenario.correct_at,
        scenario.arm_a.accuracy,
        scenario.arm_b.accuracy,
    ) {
        warnings.push(format!(
            "Correct answers by a stated threshold: {} (the experiment's [scenario] \
             correct_at), which {} meets in {} of cases and {} in {}; the cost per correct \
             answer and the cost of wrong answers count cases so",
            rule.statement(),
            scenario.arm_a.name,
            crate::decision::number::percent_1(a),
            scenario.arm_b.name,
            crate::decision::number::percent_1(b),
        ));
    }
    for arm in [&scenario.arm_a, &scenario.arm_b] {
        if scenario.error_cost > 0.0 && arm.accuracy.is_none() {
            warnings.push(format!(
                "{}: no measured accuracy, so its wrong answers are not costed",
                arm.name
            ));
        }
    }
    let mut report = CostReport {
        queries_per_day: scenario.queries_per_day,
        arm_a,
        arm_b,
        break_even,
        cheaper,
        payback,
        sensitivity,
        warnings,
        headline: String::new(),
    };
    report.headline = super::headline::headline(&report);
    Ok(report)
}

fn arm_cost(s: &Scenario, side: Side) -> Result<ArmCost> {
    let arm = s.arm(side);
    let v = s.queries_per_day;
    let per_query = Estimate::new(
        per_query_cost(arm, Bound::Mean),
        per_query_cost(arm, Bound::Low),
        per_query_cost(arm, Bound::High),
    );
    let monthly = Estimate::new(
        monthly_cost(s, side, v, Bound::Mean)?,
        monthly_cost(s, side, v, Bound::Low)?,
        monthly_cost(s, side, v, Bound::High)?,
    );
    let cost_per_correct_answer = match arm.accuracy {
        Some(acc) if acc > 0.0 && v > 0.0 => Some(monthly.mean / (s.days_per_month * v * acc)),
        _ => None,
    };
    let retired_on = match &arm.retirement_date {
        Some(d) if months_until(s, d)? <= 0.0 => Some(d.clone()),
        _ => None,
    };
    Ok(ArmCost {
        name: arm.name.clone(),
        model: arm.model.clone(),
        per_query,
        error_cost_per_query: error_cost_per_query(s, arm),
        hosting_monthly: hosting_monthly(s, arm, v),
        training_per_run: arm.training.map_or(0.0, |t| t.cost_per_run()),
        amortisation_months: amortisation_months(s, arm)?,
        training_monthly: training_monthly(s, arm)?,
        training_note: training_note(arm),
        monthly_at_volume: monthly,
        cost_per_correct_answer,
        retired_on,
    })
}

/// "ft: training $0.12 a run, measured by fine-tune job 3 (24,000 trained tokens × $5.00
/// per 1M); $0.0317 was estimated before it started", for an arm whose training a job
/// measured.
fn training_note(arm: &ArmAssumptions) -> Option<String> {
    let (training, measured) = (arm.training?, arm.measured_training.as_ref()?);
    let estimated = measured.estimated.map_or(String::new(), |e| {
        format!("; {} was estimated before it started", crate::money::usd(e))
    });
    Some(format!(
        "{}: training {} a run, measured by fine-tune job {} ({}){estimated}",
        arm.name,
        crate::money::usd(training.cost_per_run()),
        measured.job_id,
        measured.how
    ))
}

/// Token and retrieval cost of one query, $: uncached input, cached prefix and output at
/// their prices, the batch share at the batch multiplier, plus retrieval.
pub(crate) fn per_query_cost(arm: &ArmAssumptions, bound: Bound) -> f64 {
    let pick = |e: super::Estimate| match bound {
        Bound::Mean => e.mean,
        Bound::Low => e.low,
        Bound::High => e.high,
    };
    let input = pick(arm.tokens.input);
    let cached = match arm.cached_share {
        Some(share) => share * input,
        None => pick(arm.tokens.cached_input).min(input),
    };
    let output = pick(arm.tokens.output);
    let p = &arm.price;
    let tokens = ((input - cached) * p.input + cached * p.cached_input + output * p.output) / 1e6;
    let batch = 1.0 - arm.batch_share + arm.batch_share * p.batch_multiplier;
    tokens * batch + arm.retrieval_cost_per_query
}

/// Money lost to wrong answers per query, $.
pub(crate) fn error_cost_per_query(s: &Scenario, arm: &ArmAssumptions) -> f64 {
    match arm.accuracy {
        Some(acc) => s.error_cost * (1.0 - acc),
        None => 0.0,
    }
}

/// Everything paid per query, $.
pub(crate) fn variable_cost(s: &Scenario, arm: &ArmAssumptions, bound: Bound) -> f64 {
    per_query_cost(arm, bound) + error_cost_per_query(s, arm)
}

/// Hosting per month at `queries_per_day`, $.
pub(crate) fn hosting_monthly(s: &Scenario, arm: &ArmAssumptions, queries_per_day: f64) -> f64 {
    match arm.hosting {
        Hosting::None => 0.0,
        Hosting::Hourly { per_hour } => per_hour * s.hours_per_month,
        Hosting::Provisioned {
            per_unit_hour,
            unit_queries_per_day,
            peak_to_mean,
        } => {
            provisioned_units(queries_per_day, unit_queries_per_day, peak_to_mean)
                * per_unit_hour
                * s.hours_per_month
        }
    }
}

/// Units needed to carry the peak of `queries_per_day`; never fewer than one.
pub(crate) fn provisioned_units(queries_per_day: f64, unit_capacity: f64, peak: f64) -> f64 {
    (queries_per_day * peak / unit_capacity).ceil().max(1.0)
}

/// Months from the scenario's date to `date` (negative when it has passed).
pub(crate) fn months_until(s: &Scenario, date: &str) -> Result<f64> {
    let today = parse_date("today", &s.today)?;
    let end = parse_date("retirement_date", date)?;
    Ok((end - today).num_days() as f64 / s.days_per_month)
}

/// The months one training run is spread over: the retraining cadence, capped by the time
/// left before the base model retires. A retirement cap is never less than one month (a
/// model that retires within a month, or has retired, is charged the whole run in that
/// month); a cadence faster than monthly is itself (weekly retraining pays ~4.3 runs a month).
pub(crate) fn amortisation_months(s: &Scenario, arm: &ArmAssumptions) -> Result<Option<f64>> {
    let Some(training) = &arm.training else {
        return Ok(None);
    };
    let mut months = training.retrain_every_months;
    if let Some(date) = &arm.retirement_date {
        months = months.min(months_until(s, date)?.max(1.0));
    }
    Ok(Some(months))
}

/// Training per month, $: one run over its amortisation period, the same period the
/// cumulative chart pays a run at.
pub(crate) fn training_monthly(s: &Scenario, arm: &ArmAssumptions) -> Result<f64> {
    let Some(training) = &arm.training else {
        return Ok(0.0);
    };
    let months = amortisation_months(s, arm)?.unwrap_or(1.0);
    Ok(training.cost_per_run() / months)
}

/// Hosting and amortised training per month at `queries_per_day`, $.
pub(crate) fn fixed_monthly(s: &Scenario, side: Side, queries_per_day: f64) -> Result<f64> {
    let arm = s.arm(side);
    Ok(hosting_monthly(s, arm, queries_per_day) + training_monthly(s, arm)?)
}

/// `M(V) = hosting + training/R + days·V·(c + e·err)`, $ per month.
pub(crate) fn monthly_cost(s: &Scenario, side: Side, v: f64, bound: Bound) -> Result<f64> {
    let arm = s.arm(side);
    Ok(fixed_monthly(s, side, v)? + s.days_per_month * v * variable_cost(s, arm, bound))
}

/// Monthly cost of `side` at each volume in `volumes` (mean, low and high token counts), $.
pub fn monthly_curve(s: &Scenario, side: Side, volumes: &[f64]) -> Result<Vec<Estimate>> {
    volumes
        .iter()
        .map(|&v| {
            Ok(Estimate::new(
                monthly_cost(s, side, v, Bound::Mean)?,
                monthly_cost(s, side, v, Bound::Low)?,
                monthly_cost(s, side, v, Bound::High)?,
            ))
        })
        .collect()
}

/// Cumulative cost of `side` at the scenario's volume after each month 0..=horizon, $:
/// a training run is paid at month 0 and at every amortisation period after it.
pub fn cumulative(s: &Scenario, side: Side) -> Result<Vec<f64>> {
    let arm = s.arm(side);
    let v = s.queries_per_day;
    let running =
        hosting_monthly(s, arm, v) + s.days_per_month * v * variable_cost(s, arm, Bound::Mean);
    let per_run = arm.training.map_or(0.0, |t| t.cost_per_run());
    let period = amortisation_months(s, arm)?.filter(|m| *m > 0.0);
    Ok((0..=s.horizon_months)
        .map(|m| {
            let m = f64::from(m);
            let runs = match period {
                Some(p) => (m / p + 1e-9).floor() + 1.0,
                None if per_run > 0.0 => 1.0,
                None => 0.0,
            };
            running * m + per_run * runs
        })
        .collect())
}
