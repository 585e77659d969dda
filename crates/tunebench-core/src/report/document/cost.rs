//! The report's cost section: the cost table, the price entries behind it and the
//! crossover and payback charts.

use rusqlite::Connection;

use super::{Block, CHART_STYLE};
use crate::arm::Arm;
use crate::chart::{ChartData, ChartSpec, CrossoverData, CumulativeData};
use crate::cost::Scenario;
use crate::decision::number;
use crate::price::{self, PriceMatch};
use crate::report::RunDecision;
use crate::{store, Result};

/// The cost table, the price entries behind it and the two charts.
pub(super) fn cost_blocks(
    conn: &Connection,
    d: &RunDecision,
    arms: &[&Arm],
    b: &mut Vec<Block>,
) -> Result<()> {
    b.push(Block::Heading("Cost".into()));
    if let Some(every) = &d.arms_cost {
        return super::cost_arms::cost_arms_blocks(conn, d, every, arms, b);
    }
    let (s, c) = match &d.cost {
        Ok(x) => x,
        Err(why) => {
            b.push(Block::Para(format!("No cost projection: {why}")));
            return Ok(());
        }
    };
    // Written as the sentences under the table write them (`money::usd`), so a figure a
    // sentence cites reads the same in the table.
    let money = crate::money::usd;
    let row = |label: &str, x: f64, y: f64| vec![label.to_owned(), money(x), money(y)];
    b.push(Block::Table {
        head: vec![
            format!("at {} queries/day", number::thousands(s.queries_per_day)),
            format!("A: {}", c.arm_a.name),
            format!("B: {}", c.arm_b.name),
        ],
        rows: vec![
            vec![
                "per query".into(),
                crate::money::usd(c.arm_a.per_query.mean),
                crate::money::usd(c.arm_b.per_query.mean),
            ],
            row(
                "monthly",
                c.arm_a.monthly_at_volume.mean,
                c.arm_b.monthly_at_volume.mean,
            ),
            row(
                "hosting per month",
                c.arm_a.hosting_monthly,
                c.arm_b.hosting_monthly,
            ),
            row(
                "training per run",
                c.arm_a.training_per_run,
                c.arm_b.training_per_run,
            ),
            row(
                "retraining per month",
                c.arm_a.training_monthly,
                c.arm_b.training_monthly,
            ),
        ],
    });
    // Where each arm is cheaper and which one is at the team's volume, every crossing
    // counted; then the payback, whose note, when there is one, is the whole sentence.
    let payback = match (c.payback.months, &c.payback.note) {
        (_, Some(n)) => format!(" {n}."),
        (Some(m), None) => format!(
            " Payback of one training run: {} months.",
            number::one_decimal(m)
        ),
        (None, None) => String::new(),
    };
    let be = format!("{}.", c.headline);
    b.push(Block::Para(format!("{be}{payback}")));
    for w in &c.warnings {
        b.push(Block::Para(format!("Warning: {w}")));
    }
    let run_id = d.report.run_id;
    let from_run = store::batch::settings(conn, run_id)?.is_some()
        && store::scenario::get(conn, run_id, crate::report::SAVED_SCENARIO)?.is_none();
    if let Some(p) = batch_share_sentence(run_id, s, from_run) {
        b.push(Block::Para(p));
    }
    b.push(price_table(conn, arms)?);
    let source = format!(
        "run {} · measured tokens per query · projected {}",
        d.report.run_id, s.today
    );
    b.push(Block::Chart(
        "crossover",
        Box::new(ChartSpec {
            title: crate::chart::preset::CROSSOVER_TITLE.into(),
            source: source.clone(),
            style: CHART_STYLE,
            data: ChartData::Crossover(CrossoverData::from_scenario(s, c, false)?),
        }),
    ));
    b.push(Block::Chart(
        "payback",
        Box::new(ChartSpec {
            title: crate::chart::preset::CUMULATIVE_TITLE.into(),
            source,
            style: CHART_STYLE,
            data: ChartData::Cumulative(CumulativeData::from_scenario(s, c)?),
        }),
    ));
    Ok(())
}

/// The price entry behind each arm's cost: its own price from the experiment file, else the
/// catalog entry for its model (or why there is none).
pub(super) fn price_table(conn: &Connection, arms: &[&Arm]) -> Result<Block> {
    let mut prices = Vec::new();
    for arm in arms {
        let own = arm
            .params
            .price
            .filter(|p| p.input.is_some() && p.output.is_some());
        prices.push(match own {
            Some(p) => vec![
                arm.name.clone(),
                arm.model.clone(),
                format!(
                    "${} in / ${} out per 1M tokens{}",
                    p.input.unwrap_or_default(),
                    p.output.unwrap_or_default(),
                    p.training
                        .map_or(String::new(), |t| format!(", training ${t} per 1M"))
                ),
                "—".into(),
                "from the experiment file".into(),
            ],
            None => match price::lookup_model(conn, None, &arm.model)? {
                PriceMatch::Found { entry } => vec![
                    arm.name.clone(),
                    arm.model.clone(),
                    format!(
                        "{} `{}`: ${} in / ${} out per 1M tokens{}",
                        entry.provider,
                        entry.model_pattern,
                        entry.input.map_or("?".into(), |x| x.to_string()),
                        entry.output.map_or("?".into(), |x| x.to_string()),
                        entry
                            .training
                            .map_or(String::new(), |t| format!(", training ${t}"))
                    ),
                    entry.as_of.clone(),
                    entry.source.clone(),
                ],
                PriceMatch::Missing { reason, .. } => {
                    vec![
                        arm.name.clone(),
                        arm.model.clone(),
                        reason,
                        "".into(),
                        "".into(),
                    ]
                }
            },
        });
    }
    Ok(Block::Table {
        head: ["arm", "model", "price used", "as of", "source"]
            .map(String::from)
            .to_vec(),
        rows: prices,
    })
}

/// Where the cost model's batch shares come from, when an arm sends any traffic through a
/// batch API: `from_run`, the share of each arm's answers that came through its provider
/// batches in run `run_id` (a batch run whose measured scenario is in use); otherwise the
/// scenario saved with the run set them.
fn batch_share_sentence(run_id: i32, s: &Scenario, from_run: bool) -> Option<String> {
    let arms = [("A", &s.arm_a), ("B", &s.arm_b)];
    if arms.iter().all(|(_, a)| a.batch_share == 0.0) {
        return None;
    }
    let each = |f: &dyn Fn(&crate::cost::ArmAssumptions) -> String| {
        arms.map(|(letter, a)| format!("{} for {letter} ({})", f(a), a.name))
            .join(" and ")
    };
    let shares = each(&|a| format!("{:.2}", a.batch_share));
    let prices = each(&|a| number::percent(a.price.batch_multiplier));
    Some(if from_run {
        format!(
            "Batch share {shares}: the share of each arm's answers that came through its \
             provider batches in run {run_id}, priced at the batch price ({prices} of the \
             live price); the rest (the live latency sample, live fallbacks) at the live price."
        )
    } else {
        format!(
            "Batch share {shares}: as set in the scenario saved with run {run_id}, priced at \
             the batch price ({prices} of the live price)."
        )
    })
}
