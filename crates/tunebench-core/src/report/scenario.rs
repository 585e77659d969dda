//! The cost-at-scale scenario of a run: each arm's measured tokens per query (means with
//! intervals), its price (the arm's own `price`, else the catalog), training tokens counted
//! from the train split, and the assumptions saved with the run (the experiment file's
//! `[scenario]`). The cost model itself is pure (`crate::cost`); this module gathers its
//! inputs from the store.

use rusqlite::Connection;
use serde::Deserialize;

use crate::arm::{Arm, ArmKind};
use crate::cost::{
    ArmAssumptions, ArmPrice, ArmsScenario, Hosting, Scenario, TokenBasis, TokenUsage, Training,
    TrainingPlan,
};
use crate::price::{self, PriceEntry, PriceKind, PriceMatch, TrainingUnit};
use crate::run::PriceLookup;
use crate::score::{score_case, Scorer};
use crate::store::result_read::ResultRow;
use crate::{store, Error, MissingPrice, Result};

/// Assumed when the run saved none.
pub const DEFAULT_QUERIES_PER_DAY: f64 = 10_000.0;
pub const DEFAULT_EPOCHS: f64 = 3.0;
pub const DEFAULT_RETRAIN_EVERY_MONTHS: f64 = 3.0;

/// How training tokens are counted from the train split (stated wherever they are shown).
pub const TRAINING_TOKEN_ESTIMATE: &str =
    "characters / 4 of each train example's input and expected output";

/// The assumptions an experiment file's `[scenario]` may set.
#[derive(Debug, Default, Deserialize)]
struct Saved {
    queries_per_day: Option<f64>,
    epochs: Option<f64>,
    retrain_every_months: Option<f64>,
    error_cost: Option<f64>,
    /// For a continuous primary metric: the score at or above which a case counts as
    /// correct, on the metric's own scale.
    correct_at: Option<f64>,
}

/// The `[scenario] correct_at` run `run` was started with: the score at or above which a
/// case of a continuous primary metric counts as correct, when the experiment states one.
pub(crate) fn stated_correct_at(run: &crate::run::RunRecord) -> Result<Option<f64>> {
    let saved: Saved = run
        .scenario_settings()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| Error::Invalid(format!("run {}: the saved [scenario]: {e}", run.id)))?
        .unwrap_or_default();
    Ok(saved.correct_at)
}

/// The name a run's scenario is saved under.
pub const SAVED_SCENARIO: &str = "default";

/// The scenario of run `run_id`: the one saved with the run (from the crossover screen),
/// else one measured from its results and projected from `today` (YYYY-MM-DD).
/// `queries_per_day` overrides the volume. An arm the catalog cannot price is an explicit
/// error naming its model, never a $0 arm.
pub fn run_scenario(
    conn: &Connection,
    run_id: i32,
    today: &str,
    queries_per_day: Option<f64>,
) -> Result<Scenario> {
    if let Some(mut saved) = store::scenario::get(conn, run_id, SAVED_SCENARIO)? {
        if let Some(v) = queries_per_day {
            saved.queries_per_day = v;
        }
        saved.validate()?;
        return Ok(saved);
    }
    measured_scenario(conn, run_id, today, queries_per_day)
}

/// Saves `scenario` with run `run_id`, so its report and charts use these assumptions.
pub fn save_run_scenario(
    conn: &Connection,
    run_id: i32,
    scenario: &Scenario,
    updated_at: &str,
) -> Result<()> {
    scenario.validate()?;
    store::run::get(conn, run_id)?;
    store::scenario::save(conn, run_id, SAVED_SCENARIO, scenario, updated_at)
}

/// The scenario of arm A against arm B measured from run `run_id`'s results, ignoring any
/// saved one. A run of more than two arms gives A against B here; every arm is in
/// [`measured_arms_scenario`].
pub fn measured_scenario(
    conn: &Connection,
    run_id: i32,
    today: &str,
    queries_per_day: Option<f64>,
) -> Result<Scenario> {
    Ok(measured_arms_scenario(conn, run_id, today, queries_per_day)?.scenario)
}

/// Every arm of run `run_id` priced from its results (A first), ignoring any saved scenario.
pub fn measured_arms_scenario(
    conn: &Connection,
    run_id: i32,
    today: &str,
    queries_per_day: Option<f64>,
) -> Result<ArmsScenario> {
    let run = store::run::get(conn, run_id)?;
    let saved: Saved = run
        .scenario_settings()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| Error::Invalid(format!("run {run_id}: the saved [scenario]: {e}")))?
        .unwrap_or_default();
    let exp = store::experiment::get(conn, run.experiment_id)?;
    let (&[a_id, b_id, ..], 2..=crate::experiment::MAX_ARMS) =
        (&exp.arm_ids[..], exp.arm_ids.len())
    else {
        return Err(Error::Invalid(format!(
            "run {run_id}: a cost comparison needs two to {} arms, the experiment has {}",
            crate::experiment::MAX_ARMS,
            exp.arm_ids.len()
        )));
    };
    let rows = store::result_read::for_report(conn, run_id)?;
    let catalog = price::catalog(conn)?;
    let train_tokens: f64 = store::case::for_split(conn, exp.dataset_id, "train")?
        .iter()
        .map(|c| (c.input.chars().count() + c.expected.chars().count()) as f64 / 4.0)
        .sum();
    let plan = TrainingPlan {
        tokens: train_tokens,
        epochs: saved.epochs.unwrap_or(DEFAULT_EPOCHS),
        hours: 0.0,
        data_prep_cost: 0.0,
        retrain_every_months: saved
            .retrain_every_months
            .unwrap_or(DEFAULT_RETRAIN_EVERY_MONTHS),
    };
    // The share of right answers (errors count as wrong), for the cost per correct answer
    // and the cost of wrong answers: a binary primary metric's 1, or a continuous one's
    // score at or above the stated `correct_at`. Left out when the primary metric does not
    // say which answers are right and no threshold is stated (BLEU, chrF, ROUGE-L, entity
    // F1 without one; judge grades, which are stored apart).
    let prepared = Scorer::by_name(&exp.primary_metric, &exp.labels)
        .and_then(|s| s.prepare(&format!("run {run_id}")))
        .ok();
    let correct_at = match (saved.correct_at, &prepared) {
        (None, _) => None,
        (Some(at), Some(p)) if !p.is_binary() && exp.primary_metric != "judge" => {
            let scale = crate::score::MetricScale::of(&exp.primary_metric);
            if !(at.is_finite() && (0.0..=scale.max()).contains(&at)) {
                return Err(Error::Invalid(format!(
                    "run {run_id}: [scenario] correct_at = {at} is outside {}'s scale, 0 to {}",
                    exp.primary_metric,
                    scale.max()
                )));
            }
            Some(crate::cost::CorrectAt {
                metric: exp.primary_metric.clone(),
                at,
            })
        }
        (Some(_), _) => {
            return Err(Error::Invalid(format!(
                "run {run_id}: [scenario] correct_at sets a threshold for a continuous primary \
                 metric (rouge_l, bleu, chrf, entity); {} {}",
                exp.primary_metric,
                if prepared.as_ref().is_some_and(|p| p.is_binary()) {
                    "already says which answers are right"
                } else {
                    "is not scored per case here"
                }
            )))
        }
    };
    let primary = prepared.filter(|s| s.yields_accuracy() || correct_at.is_some());
    let at = correct_at.as_ref().map_or(1.0, |c| c.at);
    let accuracy = |id: i32| -> Option<f64> {
        let scorer = primary.as_ref()?;
        let mine: Vec<&ResultRow> = rows.iter().filter(|r| r.arm_id == id).collect();
        let right = mine
            .iter()
            .filter(|r| {
                r.output.as_deref().is_some_and(|out| {
                    score_case(std::slice::from_ref(scorer), out, &r.expected)
                        .first()
                        .is_some_and(|s| s.value >= at)
                })
            })
            .count();
        (!mine.is_empty()).then(|| right as f64 / mine.len() as f64)
    };
    // A batch run: the provider batches it sent, and the catalog's batch prices.
    let batched = match store::batch::settings(conn, run_id)? {
        Some(_) => Some((
            store::batch::jobs(conn, run_id)?,
            crate::run::CatalogPrices::load(conn)?,
        )),
        None => None,
    };
    let arm = |id: i32| -> Result<ArmAssumptions> {
        let arm = store::arm::get(conn, id)?;
        let usage = measured_usage(run_id, &arm, &rows)?;
        let trained = arm.kind != ArmKind::Prompt;
        let kind = store::provider::get(conn, arm.provider_id)?.kind;
        let local = kind == crate::provider::ProviderKind::Local;
        // An arm made by a fine-tune job carries what its training measurably cost: that
        // figure replaces the catalog's estimate, and the cost report says which job's.
        let measured =
            crate::finetune::measured::for_arm(conn, &arm, local, plan.retrain_every_months)?;
        let mut a = if local {
            machine_assumptions(run_id, &arm, &rows, usage)?
        } else {
            assumptions(
                &arm,
                kind.as_str(),
                &catalog,
                usage,
                (trained && measured.is_none()).then_some(plan),
            )?
        };
        if let Some((training, how)) = measured {
            a.training = Some(training);
            a.measured_training = Some(how);
        }
        a.accuracy = accuracy(id);
        if let Some((jobs, prices)) = &batched {
            let provider = store::provider::get(conn, arm.provider_id)?;
            batch_share_from_run(
                &mut a,
                id,
                &rows,
                jobs,
                prices.batch_multiplier(&provider, &arm),
            );
        }
        Ok(a)
    };
    let mut scenario = Scenario::new(
        queries_per_day
            .or(saved.queries_per_day)
            .unwrap_or(DEFAULT_QUERIES_PER_DAY),
        today,
        arm(a_id)?,
        arm(b_id)?,
    );
    scenario.error_cost = saved.error_cost.unwrap_or(0.0);
    scenario.correct_at = correct_at;
    let arms = ArmsScenario {
        scenario,
        more: exp.arm_ids[2..]
            .iter()
            .map(|&id| arm(id))
            .collect::<Result<_>>()?,
    };
    arms.validate()?;
    Ok(arms)
}

/// The batch share of arm `arm_id` of a batch run, from the run: of its answered cases,
/// the share answered through a provider batch (a case of one of its batches, with no
/// serving latency: the live sample and the live fallbacks have one), priced at the
/// catalog's batch `multiplier` (when the catalog gives one).
fn batch_share_from_run(
    a: &mut ArmAssumptions,
    arm_id: i32,
    rows: &[ResultRow],
    jobs: &[crate::run::batch::BatchJob],
    multiplier: Option<f64>,
) {
    let held: std::collections::HashSet<i32> = jobs
        .iter()
        .filter(|j| j.arm_id == arm_id)
        .flat_map(|j| j.case_ids.iter().copied())
        .collect();
    let answered: Vec<&ResultRow> = rows
        .iter()
        .filter(|r| r.arm_id == arm_id && r.error_class.is_none())
        .collect();
    if answered.is_empty() {
        return;
    }
    let through_batch = answered
        .iter()
        .filter(|r| r.latency_ms.is_none() && held.contains(&r.example_id))
        .count();
    a.batch_share = through_batch as f64 / answered.len() as f64;
    if let Some(m) = multiplier {
        a.price.batch_multiplier = m;
    }
}

/// Tokens per query from the answered cases that report usage.
fn measured_usage(run_id: i32, arm: &Arm, rows: &[ResultRow]) -> Result<TokenUsage> {
    let (mut input, mut cached, mut output) = (Vec::new(), Vec::new(), Vec::new());
    for r in rows
        .iter()
        .filter(|r| r.arm_id == arm.id && r.error_class.is_none())
    {
        if let (Some(p), Some(c)) = (r.prompt_tokens, r.completion_tokens) {
            input.push(p);
            cached.push(r.cached_tokens.unwrap_or(0).min(p));
            output.push(c);
        }
    }
    if input.is_empty() {
        return Err(Error::Invalid(format!(
            "run {run_id}: arm `{}` has no answered case with token usage; nothing to project",
            arm.name
        )));
    }
    let n = input.len() as u32;
    TokenUsage::from_counts(&input, &cached, &output, TokenBasis::Measured { n })
}

/// A local model priced by this machine's time: the recorded cost of its timed answers
/// (their share of the serving time × the machine's cost per hour) spread over their
/// tokens, one price for every token, so the cost per query at the measured tokens is the
/// measured one. No hosting: the machine is paid for by the hour it serves.
fn machine_assumptions(
    run_id: i32,
    arm: &Arm,
    rows: &[ResultRow],
    usage: TokenUsage,
) -> Result<ArmAssumptions> {
    let (mut usd, mut tokens) = (0.0, 0.0);
    for r in rows
        .iter()
        .filter(|r| r.arm_id == arm.id && r.output.is_some())
    {
        if let (Some(_), Some(c), Some(p), Some(o)) =
            (r.machine_ms, r.cost, r.prompt_tokens, r.completion_tokens)
        {
            usd += c;
            tokens += f64::from(p + o);
        }
    }
    if tokens == 0.0 {
        return Err(Error::NoPrice {
            price: MissingPrice::new(arm.model.clone(), Some("local"), price_kind(arm.kind)),
            reason: format!(
                "run {run_id}: no answer of local arm `{}` was timed on this machine",
                arm.name
            ),
        });
    }
    let per_token = usd / tokens * 1e6;
    Ok(ArmAssumptions {
        name: arm.name.clone(),
        model: arm.model.clone(),
        price: ArmPrice {
            input: per_token,
            cached_input: per_token,
            output: per_token,
            batch_multiplier: 1.0,
        },
        tokens: usage,
        cached_share: None,
        batch_share: 0.0,
        retrieval_cost_per_query: 0.0,
        hosting: Hosting::None,
        training: None,
        retirement_date: None,
        accuracy: None,
        measured_training: None,
    })
}

/// The arm priced by its own `price` (from the experiment file) when it has input and
/// output prices, else by the catalog entry that matches its model at its provider kind.
/// A trained arm (fine-tuned or hybrid) whose price has no training price is an explicit
/// [`Error::NoPrice`], never a training run at $0.
fn assumptions(
    arm: &Arm,
    provider_kind: &str,
    catalog: &[PriceEntry],
    usage: TokenUsage,
    training: Option<TrainingPlan>,
) -> Result<ArmAssumptions> {
    if let Some(p) = arm
        .params
        .price
        .filter(|p| p.input.is_some() && p.output.is_some())
    {
        let input = p.input.unwrap_or_default();
        if training.is_some() && p.training.is_none() {
            return Err(Error::NoPrice {
                price: MissingPrice::new(&arm.model, Some(provider_kind), price_kind(arm.kind)),
                reason: format!(
                    "arm `{}` is {} but its price has no training price",
                    arm.name,
                    arm.kind.as_str().replace('_', "-")
                ),
            });
        }
        return Ok(ArmAssumptions {
            name: arm.name.clone(),
            model: arm.model.clone(),
            price: ArmPrice {
                input,
                cached_input: p.cached_input.unwrap_or(input),
                output: p.output.unwrap_or_default(),
                batch_multiplier: 1.0,
            },
            tokens: usage,
            cached_share: None,
            batch_share: 0.0,
            retrieval_cost_per_query: 0.0,
            hosting: match p.hosting_per_hour {
                Some(per_hour) if per_hour > 0.0 => Hosting::Hourly { per_hour },
                _ => Hosting::None,
            },
            training: training.zip(p.training).map(|(plan, price)| Training {
                tokens: plan.tokens,
                epochs: plan.epochs,
                price,
                unit: TrainingUnit::PerMillionTokens,
                hours: 0.0,
                data_prep_cost: plan.data_prep_cost,
                retrain_every_months: plan.retrain_every_months,
            }),
            retirement_date: None,
            accuracy: None,
            measured_training: None,
        });
    }
    match price::lookup_for_kind(catalog, provider_kind, &arm.model) {
        PriceMatch::Found { entry } => {
            ArmAssumptions::from_price(&arm.name, &arm.model, &entry, usage, training)
        }
        PriceMatch::Missing { model, reason } => Err(Error::NoPrice {
            price: MissingPrice::new(model, Some(provider_kind), price_kind(arm.kind)),
            reason,
        }),
    }
}

/// The catalog kind that prices an arm's model: a trained arm (fine-tuned or hybrid) serves
/// a fine-tuned model.
fn price_kind(kind: ArmKind) -> PriceKind {
    match kind {
        ArmKind::Prompt => PriceKind::Base,
        ArmKind::FineTuned | ArmKind::Hybrid => PriceKind::FineTuned,
    }
}
