//! Running a search: each rung is a session of the run engine over the validation run
//! (same concurrency, retries, cache, budget and resume), narrowed to the rung's surviving
//! candidates and its slice of validation cases; between rungs the candidates are ranked on
//! the slice and the better half goes on. At the end the choice rule picks one, which
//! becomes arm A of the experiment, and a pending run of that experiment over the held-out
//! test split is created, for the person to start.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::halving::{self, Rung};
use super::rank::{self, CandidateScore, ChoiceRule};
use super::setup::PreparedSearch;
use crate::run::{self, Plan, Progress, RunContext, RunOptions, RunStatus};
use crate::score::Scorer;
use crate::{store, Error, Result};

/// One rung's ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RungResult {
    pub rung: Rung,
    /// Best first.
    pub ranked: Vec<CandidateScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Chosen {
    pub score: CandidateScore,
    pub arm_id: i32,
    pub label: String,
}

/// How a search ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchOutcome {
    pub search_id: i32,
    pub experiment_id: i32,
    /// The run over the validation split.
    pub run_id: i32,
    /// `completed`, or how the validation run stopped (cancelled, budget_stopped…).
    pub status: RunStatus,
    pub primary_metric: String,
    pub candidates: u32,
    pub validation_cases: u32,
    pub rule: ChoiceRule,
    pub rungs: Vec<RungResult>,
    pub chosen: Option<Chosen>,
    /// Every candidate on every validation case.
    pub calls_full: u32,
    /// Results the validation run holds (answered or errors).
    pub calls_made: u32,
    pub spend_usd: f64,
    /// The report's sentence, every number in it shown beside it.
    pub sentence: Option<String>,
    /// The pending run of the experiment over the held-out test split, arm A the chosen one.
    pub test_run_id: Option<i32>,
}

/// A stored search ready to execute: as it was prepared, with its validation run's context.
pub struct SearchLaunch {
    pub prepared: PreparedSearch,
    pub launch: run::prepare::Launch,
}

/// Reopens stored search `search_id` (new or stopped) and builds the context that runs it
/// (keys from `env`, else the OS keychain; the catalog's prices).
pub fn launch(
    conn: &rusqlite::Connection,
    db_path: &std::path::Path,
    search_id: i32,
    client: reqwest::Client,
    cancel: tokio_util::sync::CancellationToken,
    env: impl Fn(&str) -> Option<String>,
) -> Result<SearchLaunch> {
    let prepared = super::setup::reopen(conn, search_id)?;
    let plan = Plan::load(conn, prepared.run_id)?;
    let launch = run::prepare::launch(conn, db_path, &plan, client, cancel, env)?;
    Ok(SearchLaunch { prepared, launch })
}

/// Runs stored search `search_id` (new or stopped) in the store at `db_path` to its
/// choice: keys from `env`, else the OS keychain; the warnings about its providers, then
/// its progress, to `on_event`. The experiment file's cost assumptions go with the test run.
pub async fn start(
    db_path: &std::path::Path,
    search_id: i32,
    client: reqwest::Client,
    cancel: tokio_util::sync::CancellationToken,
    env: impl Fn(&str) -> Option<String> + Send,
    on_event: run::OnEvent<'_>,
) -> Result<SearchOutcome> {
    let s = launch(
        &store::open(db_path)?,
        db_path,
        search_id,
        client,
        cancel,
        env,
    )?;
    run::start::warn(&s.launch.warnings, on_event);
    let scenario = s.prepared.scenario.clone();
    let progress = &mut run::start::progress(on_event);
    execute(&s.launch.ctx, &s.prepared, scenario, progress).await
}

/// Runs `prepared` to its choice, or until the validation run stops (cancelled, budget);
/// a stopped search stays open for [`super::reopen`].
/// `scenario`: the experiment file's cost assumptions, kept with the test run.
pub async fn execute(
    ctx: &RunContext,
    prepared: &PreparedSearch,
    scenario: Option<serde_json::Value>,
    on_progress: &mut (dyn FnMut(&Progress) + Send),
) -> Result<SearchOutcome> {
    let mut alive: Vec<i32> = prepared.candidates.iter().map(|c| c.arm_id).collect();
    let mut rungs = Vec::new();
    let mut status = RunStatus::Completed;
    let mut spend = 0.0;
    for (r, rung) in prepared.rungs.iter().enumerate() {
        let slice: HashSet<i32> = prepared.case_order[..rung.cases as usize]
            .iter()
            .copied()
            .collect();
        let plan = narrowed(ctx, prepared.run_id, &alive, &slice)?;
        let outcome = run::execute(ctx, plan, on_progress).await?;
        spend = outcome.spend_usd;
        let ranked = {
            let conn = store::open(&ctx.db_path)?;
            rank::rank(scores(&conn, prepared, &alive, &slice)?)
        };
        if outcome.status != RunStatus::Completed {
            status = outcome.status;
            rungs.push(RungResult {
                rung: *rung,
                ranked,
            });
            break;
        }
        let next = prepared.rungs.get(r + 1);
        alive = halving::survivors(&ranked, next)
            .iter()
            .map(|s| prepared.candidates[s.index as usize].arm_id)
            .collect();
        rungs.push(RungResult {
            rung: *rung,
            ranked,
        });
    }
    let conn = store::open(&ctx.db_path)?;
    let calls_made = store::result::for_run(&conn, prepared.run_id)?.len() as u32;
    let mut out = SearchOutcome {
        search_id: prepared.search_id,
        experiment_id: prepared.experiment_id,
        run_id: prepared.run_id,
        status,
        primary_metric: prepared.primary_metric.clone(),
        candidates: prepared.candidates.len() as u32,
        validation_cases: prepared.validation_cases,
        rule: prepared.rule,
        rungs,
        chosen: None,
        calls_full: prepared.estimate.calls_full,
        calls_made,
        spend_usd: spend,
        sentence: None,
        test_run_id: None,
    };
    if status == RunStatus::Completed {
        let last = out.rungs.last().map(|r| r.ranked.as_slice()).unwrap_or(&[]);
        if let Some(c) = rank::choose(last, prepared.rule) {
            let cand = &prepared.candidates[c.index as usize];
            out.chosen = Some(Chosen {
                score: c.clone(),
                arm_id: cand.arm_id,
                label: cand.label.clone(),
            });
        }
    }
    out.sentence = sentence(&out);
    if status != RunStatus::Completed {
        // Kept open: `reopen` carries it on, its answered cases never sent again.
        return Ok(out);
    }
    let json = serde_json::to_string(&out).map_err(|e| Error::Internal(e.to_string()))?;
    store::atomically(&conn, || {
        store::search::set_outcome(&conn, prepared.search_id, &json)?;
        if let Some(c) = &out.chosen {
            store::search::replace_arm(&conn, prepared.experiment_id, 0, c.arm_id)?;
        }
        Ok(())
    })?;
    if out.chosen.is_some() {
        let options = RunOptions {
            concurrency: None,
            use_cache: true,
            budget_usd: None,
        };
        out.test_run_id = Some(run::create(
            &conn,
            prepared.experiment_id,
            &options,
            scenario,
        )?);
    }
    Ok(out)
}

/// The validation run's plan with only the `alive` candidates and the `slice` cases; a
/// run a previous rung completed is opened again for this one.
fn narrowed(ctx: &RunContext, run_id: i32, alive: &[i32], slice: &HashSet<i32>) -> Result<Plan> {
    let conn = store::open(&ctx.db_path)?;
    let mut plan = Plan::load(&conn, run_id)?;
    if plan.experiment.split != "validation" {
        return Err(Error::Internal(format!(
            "run {run_id} evaluates split {:?}; a search runs on validation only",
            plan.experiment.split
        )));
    }
    plan.cases.retain(|c| slice.contains(&c.id));
    plan.arms.retain(|a| alive.contains(&a.prepared.arm.id));
    if plan.run.status == RunStatus::Completed {
        plan.run.status = RunStatus::Interrupted;
    }
    Ok(plan)
}

/// Each alive candidate's score on the `slice` cases: answered cases scored by the
/// primary metric (an answer it cannot score counts 0), errors as failures.
fn scores(
    conn: &rusqlite::Connection,
    prepared: &PreparedSearch,
    alive: &[i32],
    slice: &HashSet<i32>,
) -> Result<Vec<CandidateScore>> {
    let exp = store::experiment::get(conn, prepared.search_experiment_id)?;
    let scorer = Scorer::by_name(&exp.primary_metric, &exp.labels)?.prepare(&exp.primary_metric)?;
    let results = store::result::for_run(conn, prepared.run_id)?;
    let mut out = Vec::new();
    for c in prepared
        .candidates
        .iter()
        .filter(|c| alive.contains(&c.arm_id))
    {
        let mine: Vec<_> = results
            .iter()
            .filter(|(r, _)| r.arm_id == c.arm_id && slice.contains(&r.example_id))
            .collect();
        let per_case: Vec<Option<f64>> = mine
            .iter()
            .map(|(r, expected)| {
                r.output
                    .as_deref()
                    .map(|o| scorer.score(o, expected).unwrap_or(0.0))
            })
            .collect();
        let answered: Vec<_> = mine.iter().filter(|(r, _)| r.output.is_some()).collect();
        let costs: Vec<f64> = answered.iter().filter_map(|(r, _)| r.cost).collect();
        let cost = (!answered.is_empty() && costs.len() == answered.len())
            .then(|| costs.iter().sum::<f64>() / costs.len() as f64);
        out.push(rank::score(
            c.index,
            &c.name,
            &exp.primary_metric,
            &per_case,
            cost,
        ));
    }
    Ok(out)
}

/// "Prompting arm chosen from 18 candidates on 240 validation cases (…); the chosen one
/// scored 0.87 [0.83, 0.91] there." `None` without a choice.
pub fn sentence(o: &SearchOutcome) -> Option<String> {
    let c = o.chosen.as_ref()?;
    let mean = c.score.mean?;
    let interval = c
        .score
        .interval
        .map_or(String::new(), |i| format!(" [{:.2}, {:.2}]", i.low, i.high));
    let halving = if o.rungs.len() > 1 {
        format!(
            ", by successive halving ({} of the {} calls of the full grid)",
            o.calls_made, o.calls_full
        )
    } else {
        String::new()
    };
    Some(format!(
        "Prompting arm chosen from {} candidates on {} validation cases{halving}, never the \
         held-out test cases; the chosen one ({}, by the rule: {}) scored {} {mean:.2}{interval} \
         there on {} cases.",
        o.candidates,
        o.validation_cases,
        c.label,
        o.rule.describe(),
        o.primary_metric,
        c.score.n
    ))
}
