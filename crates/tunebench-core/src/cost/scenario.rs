//! The assumptions of a cost projection: a [`Scenario`] is saved with a run (as JSON in the
//! `scenario` table) so a report can be reproduced, and edited by the crossover screen.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::price::{ArmPrice, PriceEntry, TrainingUnit};
use crate::{Error, MissingPrice, Result};

/// A measured or estimated quantity: its mean and a (95 %) interval around it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Estimate {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    /// A value known exactly (the interval is the point itself).
    pub fn exact(value: f64) -> Self {
        Self {
            mean: value,
            low: value,
            high: value,
        }
    }

    pub fn new(mean: f64, low: f64, high: f64) -> Self {
        Self { mean, low, high }
    }

    /// The mean of a sample with the 95 % confidence interval of that mean (Student's t;
    /// a single value is its own interval). `None` for an empty sample.
    pub fn from_sample(values: &[f64]) -> Option<Self> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Some(Self::exact(mean));
        }
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half = t_975(n - 1) * (var / n as f64).sqrt();
        Some(Self::new(mean, (mean - half).max(0.0), mean + half))
    }

    /// Every bound multiplied by `k`.
    pub fn scaled(self, k: f64) -> Self {
        Self::new(self.mean * k, self.low * k, self.high * k)
    }
}

/// Where token counts come from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TokenBasis {
    /// Means over `n` answered cases of a run.
    Measured { n: u32 },
    /// Counted with a tokenizer before any run.
    Estimated,
}

/// Tokens per query of one arm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TokenUsage {
    /// All prompt tokens, cached ones included.
    pub input: Estimate,
    /// Of `input`, the tokens billed at the cached-input price (the static prefix).
    pub cached_input: Estimate,
    pub output: Estimate,
    pub basis: TokenBasis,
}

/// The 97.5 % quantile of Student's t with `df` (≥ 1) degrees of freedom, exact.
fn t_975(df: usize) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    StudentsT::new(0.0, 1.0, df.max(1) as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(1.96)
}

impl TokenUsage {
    /// Means with 95 % intervals from per-query counts: the prompt, cached and completion
    /// tokens of a run's answered cases, or counts from a tokenizer before any run.
    pub fn from_counts(
        input: &[u32],
        cached_input: &[u32],
        output: &[u32],
        basis: TokenBasis,
    ) -> Result<Self> {
        let n = input.len();
        if n == 0 || cached_input.len() != n || output.len() != n {
            return Err(Error::Invalid(format!(
                "token counts: need the same non-zero number of input, cached and output counts \
                 (got {n}, {}, {})",
                cached_input.len(),
                output.len()
            )));
        }
        let sample = |v: &[u32]| {
            let values: Vec<f64> = v.iter().map(|&x| f64::from(x)).collect();
            Estimate::from_sample(&values).unwrap_or(Estimate::exact(0.0))
        };
        Ok(TokenUsage {
            input: sample(input),
            cached_input: sample(cached_input),
            output: sample(output),
            basis,
        })
    }
}

/// The fixed hosting cost of a dedicated deployment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Hosting {
    /// Per-token billing only.
    None,
    /// A deployment billed by the hour, whether used or not.
    Hourly { per_hour: f64 },
    /// Provisioned units (e.g. Bedrock Provisioned Throughput): enough units for the peak load,
    /// so the cost is a step function of volume. At least one unit is always paid for.
    Provisioned {
        per_unit_hour: f64,
        /// Queries per day one unit sustains at peak.
        unit_queries_per_day: f64,
        /// Peak load over mean load (≥ 1).
        peak_to_mean: f64,
    },
}

/// The training cost of a fine-tuned arm, paid again at every retrain.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Training {
    /// Training tokens in the train split (one epoch).
    pub tokens: f64,
    pub epochs: f64,
    /// $ per 1M training tokens, or $ per training hour.
    pub price: f64,
    pub unit: TrainingUnit,
    /// Training hours, when the price is per hour.
    #[serde(default)]
    pub hours: f64,
    /// One-off data-preparation cost per training run, $.
    #[serde(default)]
    pub data_prep_cost: f64,
    /// How often the model is retrained, in months (how often the domain knowledge changes).
    pub retrain_every_months: f64,
}

impl Training {
    /// The cost of one training run, $.
    pub fn cost_per_run(&self) -> f64 {
        let compute = match self.unit {
            TrainingUnit::PerMillionTokens => self.tokens * self.epochs * self.price / 1e6,
            TrainingUnit::PerHour => self.hours * self.price,
        };
        compute + self.data_prep_cost
    }
}

/// Everything the model needs to know about one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmAssumptions {
    pub name: String,
    pub model: String,
    pub price: ArmPrice,
    pub tokens: TokenUsage,
    /// Override of the cached share of input tokens (0..1); `None` uses `tokens.cached_input`.
    #[serde(default)]
    pub cached_share: Option<f64>,
    /// Share of traffic sent through a batch API (0..1).
    #[serde(default)]
    pub batch_share: f64,
    /// Retrieval cost per query (embedding, vector search), $.
    #[serde(default)]
    pub retrieval_cost_per_query: f64,
    pub hosting: Hosting,
    #[serde(default)]
    pub training: Option<Training>,
    /// The base model's shutdown date (YYYY-MM-DD), from the price catalog.
    #[serde(default)]
    pub retirement_date: Option<String>,
    /// Share of correct answers on the held-out set (0..1), when measured.
    #[serde(default)]
    pub accuracy: Option<f64>,
    /// Set when `training` is what a fine-tune job measurably cost rather than the
    /// catalog's estimate: which job, and how it was measured.
    #[serde(default)]
    pub measured_training: Option<MeasuredTraining>,
}

/// Where a fine-tuned arm's training cost was measured: the job that trained it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MeasuredTraining {
    /// The fine-tune job that made the arm.
    pub job_id: i32,
    /// How its cost was measured, e.g. "24,000 trained tokens × $5.00 per 1M" or "as
    /// billed by Together".
    pub how: String,
    /// The catalog estimate shown before the job started, $.
    pub estimated: Option<f64>,
}

/// How a fine-tuned arm is trained; the price and its unit come from the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrainingPlan {
    /// Training tokens in the train split (one epoch).
    pub tokens: f64,
    pub epochs: f64,
    /// Training hours, for a price per hour.
    #[serde(default)]
    pub hours: f64,
    #[serde(default)]
    pub data_prep_cost: f64,
    pub retrain_every_months: f64,
}

impl ArmAssumptions {
    /// An arm priced from a catalog entry: token prices, batch multiplier, hourly hosting,
    /// training price and unit, retirement date. An entry without the prices the arm needs
    /// is an explicit [`Error::NoPrice`], never $0.
    pub fn from_price(
        name: &str,
        model: &str,
        entry: &PriceEntry,
        tokens: TokenUsage,
        training: Option<TrainingPlan>,
    ) -> Result<Self> {
        let training = match training {
            None => None,
            Some(plan) => {
                let (Some(price), Some(unit)) = (entry.training, entry.training_unit) else {
                    return Err(Error::NoPrice {
                        price: MissingPrice::new(model, Some(&entry.provider), entry.kind),
                        reason: format!(
                            "the catalog entry {} `{}` has no training price",
                            entry.provider, entry.model_pattern
                        ),
                    });
                };
                Some(Training {
                    tokens: plan.tokens,
                    epochs: plan.epochs,
                    price,
                    unit,
                    hours: plan.hours,
                    data_prep_cost: plan.data_prep_cost,
                    retrain_every_months: plan.retrain_every_months,
                })
            }
        };
        Ok(ArmAssumptions {
            name: name.to_string(),
            model: model.to_string(),
            price: entry.arm_price(model)?,
            tokens,
            cached_share: None,
            batch_share: 0.0,
            retrieval_cost_per_query: 0.0,
            hosting: match entry.hosting_per_hour {
                Some(per_hour) if per_hour > 0.0 => Hosting::Hourly { per_hour },
                _ => Hosting::None,
            },
            training,
            retirement_date: entry.retirement_date.clone(),
            accuracy: None,
            measured_training: None,
        })
    }
}

/// The assumptions of a projection: arm A (prompting) against arm B (fine-tuned or hybrid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Scenario {
    /// The user's expected volume.
    pub queries_per_day: f64,
    /// The date the projection is made (YYYY-MM-DD): retirement horizons count from it.
    pub today: String,
    /// $ lost per wrong answer; 0 leaves quality out of the money.
    #[serde(default)]
    pub error_cost: f64,
    /// Billable hours in a month (730 = 8,760 / 12).
    #[serde(default = "default_hours_per_month")]
    pub hours_per_month: f64,
    /// Days in a month for volume (30.4).
    #[serde(default = "default_days_per_month")]
    pub days_per_month: f64,
    /// Months drawn in the cumulative-cost chart.
    #[serde(default = "default_horizon_months")]
    pub horizon_months: u32,
    pub arm_a: ArmAssumptions,
    pub arm_b: ArmAssumptions,
    /// What made a case "correct" for the arms' `accuracy` when the primary metric is
    /// continuous (ROUGE-L, BLEU, chrF, entity F1): a stated threshold on its score.
    /// `None` for a binary metric, whose 1 is correct, or when no accuracy is known.
    #[serde(default)]
    pub correct_at: Option<CorrectAt>,
}

/// A threshold that makes a continuous per-case score a right or wrong answer: a case is
/// correct when its `metric` score is at least `at` (on the metric's own scale, 0..1 or
/// 0..100). Stated wherever a count or share of correct answers derived from it is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CorrectAt {
    /// The primary metric's name, e.g. `rouge_l`.
    pub metric: String,
    pub at: f64,
}

impl CorrectAt {
    /// "a case counts as correct when its rouge_l is at least 0.5".
    pub fn statement(&self) -> String {
        format!(
            "a case counts as correct when its {} score is at least {}",
            self.metric, self.at
        )
    }
}

fn default_hours_per_month() -> f64 {
    730.0
}
fn default_days_per_month() -> f64 {
    30.4
}
fn default_horizon_months() -> u32 {
    24
}

impl Scenario {
    /// A scenario with the usual calendar (730 billable hours and 30.4 days a month, a
    /// 24-month cumulative view) and no cost per wrong answer.
    pub fn new(
        queries_per_day: f64,
        today: &str,
        arm_a: ArmAssumptions,
        arm_b: ArmAssumptions,
    ) -> Self {
        Scenario {
            queries_per_day,
            today: today.to_string(),
            error_cost: 0.0,
            hours_per_month: default_hours_per_month(),
            days_per_month: default_days_per_month(),
            horizon_months: default_horizon_months(),
            arm_a,
            arm_b,
            correct_at: None,
        }
    }

    /// Checks every number is finite and in range and every date parses; the error names the field.
    pub fn validate(&self) -> Result<()> {
        let mut checks: Vec<(String, f64, f64, f64)> = vec![
            (
                "queries_per_day".into(),
                self.queries_per_day,
                0.0,
                f64::MAX,
            ),
            ("error_cost".into(), self.error_cost, 0.0, f64::MAX),
            ("hours_per_month".into(), self.hours_per_month, 1.0, 744.0),
            ("days_per_month".into(), self.days_per_month, 1.0, 31.0),
        ];
        for (tag, arm) in [("arm_a", &self.arm_a), ("arm_b", &self.arm_b)] {
            let t = &arm.tokens;
            let p = &arm.price;
            for (field, v, lo, hi) in [
                ("price.input", p.input, 0.0, f64::MAX),
                ("price.cached_input", p.cached_input, 0.0, f64::MAX),
                ("price.output", p.output, 0.0, f64::MAX),
                ("price.batch_multiplier", p.batch_multiplier, 0.0, 1.0),
                ("tokens.input.mean", t.input.mean, 0.0, f64::MAX),
                ("tokens.input.low", t.input.low, 0.0, t.input.mean),
                ("tokens.input.high", t.input.high, t.input.mean, f64::MAX),
                (
                    "tokens.cached_input.mean",
                    t.cached_input.mean,
                    0.0,
                    t.input.mean,
                ),
                ("tokens.cached_input.low", t.cached_input.low, 0.0, f64::MAX),
                (
                    "tokens.cached_input.high",
                    t.cached_input.high,
                    0.0,
                    f64::MAX,
                ),
                ("tokens.output.mean", t.output.mean, 0.0, f64::MAX),
                ("tokens.output.low", t.output.low, 0.0, t.output.mean),
                ("tokens.output.high", t.output.high, t.output.mean, f64::MAX),
                ("cached_share", arm.cached_share.unwrap_or(0.0), 0.0, 1.0),
                ("batch_share", arm.batch_share, 0.0, 1.0),
                (
                    "retrieval_cost_per_query",
                    arm.retrieval_cost_per_query,
                    0.0,
                    f64::MAX,
                ),
                ("accuracy", arm.accuracy.unwrap_or(0.0), 0.0, 1.0),
            ] {
                checks.push((format!("{tag}.{field}"), v, lo, hi));
            }
            match arm.hosting {
                Hosting::None => {}
                Hosting::Hourly { per_hour } => {
                    checks.push((format!("{tag}.hosting.per_hour"), per_hour, 0.0, f64::MAX));
                }
                Hosting::Provisioned {
                    per_unit_hour,
                    unit_queries_per_day,
                    peak_to_mean,
                } => {
                    checks.push((
                        format!("{tag}.hosting.per_unit_hour"),
                        per_unit_hour,
                        0.0,
                        f64::MAX,
                    ));
                    checks.push((
                        format!("{tag}.hosting.unit_queries_per_day"),
                        unit_queries_per_day,
                        f64::MIN_POSITIVE,
                        f64::MAX,
                    ));
                    checks.push((
                        format!("{tag}.hosting.peak_to_mean"),
                        peak_to_mean,
                        1.0,
                        f64::MAX,
                    ));
                }
            }
            if let Some(tr) = &arm.training {
                for (field, v, lo) in [
                    ("tokens", tr.tokens, 0.0),
                    ("epochs", tr.epochs, 0.0),
                    ("price", tr.price, 0.0),
                    ("hours", tr.hours, 0.0),
                    ("data_prep_cost", tr.data_prep_cost, 0.0),
                    ("retrain_every_months", tr.retrain_every_months, 0.1),
                ] {
                    checks.push((format!("{tag}.training.{field}"), v, lo, f64::MAX));
                }
            }
            if let Some(d) = &arm.retirement_date {
                parse_date(&format!("{tag}.retirement_date"), d)?;
            }
        }
        for (field, v, lo, hi) in checks {
            if !v.is_finite() || v < lo || v > hi {
                let hi = if hi == f64::MAX {
                    "no limit".to_string()
                } else {
                    hi.to_string()
                };
                return Err(Error::Invalid(format!(
                    "scenario, field `{field}`: {v} is out of range (expected {lo} to {hi})"
                )));
            }
        }
        parse_date("today", &self.today)?;
        Ok(())
    }

    pub fn arm(&self, side: crate::cost::Side) -> &ArmAssumptions {
        match side {
            crate::cost::Side::A => &self.arm_a,
            crate::cost::Side::B => &self.arm_b,
        }
    }
}

/// Parses a YYYY-MM-DD date; the error names the field.
pub fn parse_date(field: &str, value: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|e| {
        Error::Invalid(format!(
            "scenario, field `{field}`: {value:?} is not a YYYY-MM-DD date ({e})"
        ))
    })
}
