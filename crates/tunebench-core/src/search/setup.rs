//! Setting a search up: the experiment file imported (its review governs providers, keys
//! and folders, as for a run), a validation split carved when the dataset has none, one
//! candidate arm per grid variation, an experiment over the validation split holding them,
//! a pending run of it, and the estimate (calls, tokens, cost, with and without halving)
//! a person reads before starting.

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::grid::{LoadedGrid, Variation};
use super::halving::{self, Rung, DEFAULT_MIN_SLICE};
use super::rank::ChoiceRule;
use crate::arm::{Arm, Retrieval};
use crate::dataset::{ValidationOptions, ValidationOutcome};
use crate::experiment::{Experiment, LoadedExperiment};
use crate::run::{self, CatalogPrices, Plan, RunOptions};
use crate::stats::PrimaryMetric;
use crate::{store, Error, Result};

/// Per-search choices outside the files.
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    /// Requests in flight per provider (overrides each provider's max_concurrency).
    pub concurrency: Option<u32>,
    pub no_cache: bool,
    /// Carve a validation split even though an experiment uses the dataset.
    pub force_validation: bool,
}

/// One candidate arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Candidate {
    pub index: u32,
    pub arm_id: i32,
    pub name: String,
    /// What it changes in arm A, in words.
    pub label: String,
}

/// Calls, tokens and cost before Start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchEstimate {
    /// Every candidate on every validation case.
    pub calls_full: u32,
    /// What the halving schedule sends (equal to `calls_full` without halving).
    pub calls_planned: u32,
    pub input_tokens_full: f64,
    /// `max_tokens` × calls: an upper bound.
    pub max_output_tokens_full: f64,
    /// Every candidate on every case; `None` when no candidate is priced.
    pub cost_full_usd: Option<f64>,
    /// The schedule's cost if the costliest candidates survived every rung: an upper bound.
    pub cost_planned_max_usd: Option<f64>,
    pub unpriced_candidates: Vec<String>,
}

/// A search ready to start.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreparedSearch {
    pub search_id: i32,
    /// The experiment over the held-out test split whose arm A the search chooses.
    pub experiment_id: i32,
    pub search_experiment_id: i32,
    /// The run over the validation split.
    pub run_id: i32,
    pub primary_metric: String,
    pub candidates: Vec<Candidate>,
    pub validation_cases: u32,
    /// Set when this search carved the validation split.
    pub carved: Option<ValidationOutcome>,
    pub rungs: Vec<Rung>,
    pub rule: ChoiceRule,
    pub max_spend_usd: Option<f64>,
    pub estimate: SearchEstimate,
    /// Validation case ids in the order the slices take them (seeded).
    #[serde(skip)]
    pub case_order: Vec<i32>,
    /// The experiment file's `[scenario]`, kept with the test run the search leaves.
    #[serde(skip)]
    pub scenario: Option<serde_json::Value>,
}

/// The primary metric, which a search ranks by per-case scores: set-level figures (label
/// F1s, corpus BLEU/chrF) and the judge (graded after a run) are refused.
fn check_metric(loaded: &LoadedExperiment) -> Result<()> {
    let m = &loaded.file.primary_metric;
    let per_case = matches!(PrimaryMetric::for_name(m), PrimaryMetric::MeanScore) && m != "judge";
    if !per_case {
        return Err(Error::Invalid(format!(
            "{}, key `primary_metric`: a search ranks candidates by a per-case metric (accuracy, \
             exact, contains, rouge_l, …); {m:?} is a set-level or judged figure",
            loaded.path.display()
        )));
    }
    Ok(())
}

/// Imports the experiment, carves validation if needed, creates the candidates, the
/// validation experiment, its pending run and the search row; estimates it.
pub fn prepare(
    conn: &Connection,
    loaded: &LoadedExperiment,
    grid: &LoadedGrid,
    confirmed: Option<&str>,
    opts: &SearchOptions,
) -> Result<PreparedSearch> {
    check_metric(loaded)?;
    let review = crate::experiment::review(conn, loaded)?;
    if review.needs_confirmation && confirmed != Some(loaded.fingerprint.as_str()) {
        // Refused before anything is carved or imported, as the import would refuse it.
        return Err(Error::Invalid(format!(
            "{} brings providers, key sources or folders the store does not know yet; it \
             runs only once you have seen and confirmed them:\n{}",
            loaded.path.display(),
            review.lines()[1..].join("\n")
        )));
    }
    let key = match &loaded.file.dataset {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let dataset_id = store::experiment::dataset_id(conn, &key)?.ok_or_else(|| {
        Error::Invalid(format!(
            "{}, key `dataset`: no dataset {key:?} in the store; import it first",
            loaded.path.display()
        ))
    })?;
    let spec = grid.grid.validation.clone().unwrap_or_default();
    let v_opts = ValidationOptions {
        fraction: spec
            .fraction
            .unwrap_or(crate::dataset::DEFAULT_VALIDATION_FRACTION),
        max_rows: spec
            .max_rows
            .unwrap_or(crate::dataset::DEFAULT_VALIDATION_MAX_ROWS),
        rows: spec.rows,
        seed: spec.seed.unwrap_or(42),
        stratify: spec.stratify.unwrap_or(true),
        force: opts.force_validation,
    };
    let carved = if store::example::validation_count(conn, dataset_id)? == 0 {
        Some(crate::dataset::carve_validation(conn, dataset_id, &v_opts)?)
    } else {
        None
    };
    let experiment_id = crate::experiment::import(conn, loaded, confirmed)?;
    let exp = store::experiment::get(conn, experiment_id)?;
    let stored = store::provider::list(conn)?;
    let provider_ids: Vec<(String, i32)> = loaded
        .file
        .providers
        .iter()
        .zip(crate::experiment::review::resolve_providers(
            loaded, &stored,
        ))
        .filter_map(|(p, r)| r.stored_id.map(|id| (p.name.clone(), id)))
        .collect();
    let base = store::arm::get(conn, exp.arm_ids[grid.arm_index])?;
    let rule = grid
        .grid
        .choose
        .as_deref()
        .and_then(ChoiceRule::parse)
        .unwrap_or_default();
    let (search_experiment_id, candidates, run_id) = store::atomically(conn, || {
        let mut candidates = Vec::new();
        let mut arm_ids = Vec::new();
        for (i, v) in grid.variations.iter().enumerate() {
            let arm = candidate_arm(&base, v, i, &provider_ids)?;
            let id = store::arm::insert(conn, &arm)?;
            arm_ids.push(id);
            candidates.push(Candidate {
                index: i as u32,
                arm_id: id,
                name: arm.name,
                label: v.label.clone(),
            });
        }
        let s_id = store::experiment::insert(
            conn,
            &Experiment {
                id: 0,
                name: format!("{} · prompt search", exp.name),
                split: "validation".into(),
                arm_ids,
                ..exp.clone()
            },
        )?;
        let options = RunOptions {
            concurrency: opts.concurrency,
            use_cache: !opts.no_cache,
            budget_usd: grid.grid.max_spend_usd,
        };
        let run_id = run::create(conn, s_id, &options, None)?;
        Ok((s_id, candidates, run_id))
    })?;
    let plan = Plan::load(conn, run_id)?;
    let n_cases = plan.cases.len() as u32;
    let halve = grid.grid.halving.unwrap_or(true);
    let rungs = if halve {
        halving::schedule(
            candidates.len() as u32,
            n_cases,
            grid.grid.min_slice.unwrap_or(DEFAULT_MIN_SLICE),
        )
    } else {
        halving::schedule(candidates.len() as u32, n_cases, u32::MAX)
    };
    let estimate = estimate(&plan, &CatalogPrices::load(conn)?, &rungs)?;
    let mut order: Vec<i64> = plan.cases.iter().map(|c| i64::from(c.id)).collect();
    order.sort_unstable();
    crate::dataset::shuffle(
        &mut order,
        &mut ChaCha8Rng::seed_from_u64(u64::from(v_opts.seed)),
    );
    let case_order: Vec<i32> = order.iter().map(|id| *id as i32).collect();
    let scenario = loaded
        .file
        .scenario
        .as_ref()
        .and_then(|s| serde_json::to_value(s).ok());
    let settings = serde_json::json!({
        "candidates": candidates,
        "validation_cases": n_cases,
        "primary_metric": exp.primary_metric,
        "carved": carved,
        "rule": rule,
        "rungs": rungs,
        "max_spend_usd": grid.grid.max_spend_usd,
        "estimate": estimate,
        "case_order": case_order,
        "base_arm_id": base.id,
        "scenario": scenario,
    });
    let search_id = store::search::insert(
        conn,
        experiment_id,
        search_experiment_id,
        run_id,
        &settings.to_string(),
    )?;
    Ok(PreparedSearch {
        search_id,
        experiment_id,
        search_experiment_id,
        run_id,
        primary_metric: exp.primary_metric.clone(),
        candidates,
        validation_cases: n_cases,
        carved,
        rungs,
        rule,
        max_spend_usd: grid.grid.max_spend_usd,
        estimate,
        case_order,
        scenario,
    })
}

/// Prepares a search of the experiment file at `path` with `grid` composed in the window
/// (checked as a grid file would be).
pub fn prepare_file(
    conn: &Connection,
    path: &std::path::Path,
    grid: super::grid::GridFile,
    confirmed: Option<&str>,
    opts: &SearchOptions,
) -> Result<PreparedSearch> {
    let loaded = crate::experiment::file::load(path)?;
    let grid = super::grid::from_draft(grid, &loaded.file)?;
    prepare(conn, &loaded, &grid, confirmed, opts)
}

/// Arm A with variation `v` applied.
fn candidate_arm(base: &Arm, v: &Variation, i: usize, providers: &[(String, i32)]) -> Result<Arm> {
    let mut arm = base.clone();
    arm.id = 0;
    arm.name = format!("{} #{} ({})", base.name, i + 1, v.label);
    if let Some(s) = &v.system {
        arm.system_prompt = s.clone();
    }
    if let Some(fs) = &v.few_shot {
        arm.few_shot = fs.clone();
    }
    match v.retrieval {
        Some(Some(k)) => {
            let dir = base
                .retrieval
                .as_ref()
                .map(|r| r.dir.clone())
                .ok_or_else(|| {
                    Error::Invalid(format!("arm {:?} has no retrieval folder", base.name))
                })?;
            arm.retrieval = Some(Retrieval { dir, top_k: k });
        }
        Some(None) => arm.retrieval = None,
        None => {}
    }
    if let Some((provider, model)) = &v.model {
        arm.provider_id = providers
            .iter()
            .find(|(n, _)| n == provider)
            .map(|(_, id)| *id)
            .ok_or_else(|| Error::Invalid(format!("no provider {provider:?} in the store")))?;
        arm.model = model.clone();
    }
    if let Some(t) = v.temperature {
        arm.params.generation.temperature = Some(t);
    }
    Ok(arm)
}

/// The full grid's estimate from the run's, and the halving schedule's calls and bound.
fn estimate(plan: &Plan, prices: &CatalogPrices, rungs: &[Rung]) -> Result<SearchEstimate> {
    let full = run::estimate(plan, prices)?;
    let per_call: Vec<Option<f64>> = full
        .arms
        .iter()
        .map(|a| a.cost_usd.map(|c| c / f64::from(a.calls.max(1))))
        .collect();
    let mut dearest: Vec<f64> = per_call.iter().flatten().copied().collect();
    dearest.sort_by(|a, b| b.total_cmp(a));
    let mut before = 0u32;
    let mut bound = 0.0;
    for r in rungs {
        let new_cases = f64::from(r.cases - before);
        bound += dearest.iter().take(r.candidates as usize).sum::<f64>() * new_cases;
        before = r.cases;
    }
    Ok(SearchEstimate {
        calls_full: full.calls,
        calls_planned: halving::calls(rungs) as u32,
        input_tokens_full: full.arms.iter().map(|a| a.input_tokens).sum(),
        max_output_tokens_full: full.arms.iter().map(|a| a.max_output_tokens).sum(),
        cost_full_usd: full.cost_usd,
        cost_planned_max_usd: full.cost_usd.map(|_| bound),
        unpriced_candidates: full.unpriced_arms,
    })
}

/// A stored search not yet finished, as it was prepared, to run again: its completed
/// rungs send nothing (their results are in the store), the rest carries on.
pub fn reopen(conn: &Connection, search_id: i32) -> Result<PreparedSearch> {
    let stored = store::search::get(conn, search_id)?;
    if stored.outcome.is_some() {
        return Err(Error::Invalid(format!(
            "search {search_id} has already finished; its choice is arm A of experiment {}",
            stored.experiment_id.unwrap_or_default()
        )));
    }
    let v: serde_json::Value = serde_json::from_str(&stored.settings)
        .map_err(|e| Error::Internal(format!("search {search_id}: settings unreadable: {e}")))?;
    fn read<T: serde::de::DeserializeOwned>(v: &serde_json::Value, id: i32, k: &str) -> Result<T> {
        serde_json::from_value(v.get(k).cloned().unwrap_or_default()).map_err(|e| {
            Error::Internal(format!("search {id}: settings field `{k}` unreadable: {e}"))
        })
    }
    Ok(PreparedSearch {
        search_id,
        experiment_id: stored.experiment_id.unwrap_or_default(),
        search_experiment_id: stored.search_experiment_id,
        run_id: stored.run_id,
        primary_metric: read(&v, search_id, "primary_metric")?,
        candidates: read(&v, search_id, "candidates")?,
        validation_cases: read(&v, search_id, "validation_cases")?,
        carved: None,
        rungs: read(&v, search_id, "rungs")?,
        rule: read(&v, search_id, "rule")?,
        max_spend_usd: read(&v, search_id, "max_spend_usd")?,
        estimate: read(&v, search_id, "estimate")?,
        case_order: read(&v, search_id, "case_order")?,
        scenario: v.get("scenario").cloned().filter(|s| !s.is_null()),
    })
}
