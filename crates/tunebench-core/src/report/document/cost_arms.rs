//! The report's cost section for three or more arms: a column per arm, where each arm is
//! cheapest, each arm's break-even with A, the price entries, the crossover with a line per
//! arm, and the payback of the pair the recommendation weighs.

use rusqlite::Connection;

use super::cost::price_table;
use super::{Block, CHART_STYLE};
use crate::arm::Arm;
use crate::chart::{preset, ChartData, ChartSpec, CrossoverData, CumulativeData};
use crate::cost::{ArmsCostReport, ArmsScenario, BreakEven};
use crate::decision::number;
use crate::money::{count, usd};
use crate::report::decision::NoCost;
use crate::report::RunDecision;
use crate::Result;

const LETTERS: [char; 6] = ['A', 'B', 'C', 'D', 'E', 'F'];

/// The cost blocks of every arm, or why there are none.
pub(super) fn cost_arms_blocks(
    conn: &Connection,
    d: &RunDecision,
    every: &std::result::Result<(ArmsScenario, ArmsCostReport), NoCost>,
    arms: &[&Arm],
    b: &mut Vec<Block>,
) -> Result<()> {
    let (all, c) = match every {
        Ok(x) => x,
        Err(why) => {
            b.push(Block::Para(format!("No cost projection: {why}")));
            return Ok(());
        }
    };
    let letter = |i: usize| LETTERS.get(i).copied().unwrap_or('?');
    let mut head = vec![format!(
        "at {} queries/day",
        number::thousands(c.queries_per_day)
    )];
    head.extend(
        c.arms
            .iter()
            .enumerate()
            .map(|(i, a)| format!("{}: {}", letter(i), a.name)),
    );
    let row = |label: &str, f: &dyn Fn(&crate::cost::ArmCost) -> f64| -> Vec<String> {
        std::iter::once(label.to_owned())
            .chain(c.arms.iter().map(|a| usd(f(a))))
            .collect()
    };
    b.push(Block::Table {
        head,
        rows: vec![
            row("per query", &|a| a.per_query.mean),
            row("monthly", &|a| a.monthly_at_volume.mean),
            row("hosting per month", &|a| a.hosting_monthly),
            row("training per run", &|a| a.training_per_run),
            row("retraining per month", &|a| a.training_monthly),
        ],
    });
    b.push(Block::Para(c.headline.clone()));
    let pairs: Vec<String> = c
        .pairs
        .iter()
        .map(|p| {
            let at = match &p.report.break_even {
                BreakEven::Crosses {
                    queries_per_day, ..
                } => format!("at {} queries/day", count(*queries_per_day)),
                BreakEven::Never { reason, .. } => format!("never ({reason})"),
            };
            format!("{}: {} {at}", letter(p.arm), p.name)
        })
        .collect();
    b.push(Block::Para(format!(
        "Break-even with A: {}: {}.",
        c.arms[0].name,
        pairs.join("; ")
    )));
    for w in &c.warnings {
        b.push(Block::Para(format!("Warning: {w}")));
    }
    b.push(price_table(conn, arms)?);
    let source = format!(
        "run {} · measured tokens per query · projected {}",
        d.report.run_id, all.scenario.today
    );
    b.push(Block::Chart(
        "crossover",
        Box::new(ChartSpec {
            title: preset::CROSSOVER_ARMS_TITLE.into(),
            source: source.clone(),
            style: CHART_STYLE,
            data: ChartData::Crossover(CrossoverData::from_arms(all, c, false)?),
        }),
    ));
    // The payback of the pair the recommendation weighs.
    if let Ok((s, pair)) = &d.cost {
        let payback = match (pair.payback.months, &pair.payback.note) {
            (_, Some(n)) => format!(" {n}."),
            (Some(m), None) => format!(
                " Payback of one training run: {} months.",
                number::one_decimal(m)
            ),
            (None, None) => String::new(),
        };
        b.push(Block::Para(format!(
            "The recommendation weighs {} against {}: {} a month against {} at {} \
             queries/day.{payback}",
            s.arm_b.name,
            s.arm_a.name,
            usd(pair.arm_b.monthly_at_volume.mean),
            usd(pair.arm_a.monthly_at_volume.mean),
            number::thousands(pair.queries_per_day)
        )));
        b.push(Block::Chart(
            "payback",
            Box::new(ChartSpec {
                title: format!(
                    "{}: {} against {}",
                    preset::CUMULATIVE_TITLE,
                    s.arm_a.name,
                    s.arm_b.name
                ),
                source,
                style: CHART_STYLE,
                data: ChartData::Cumulative(CumulativeData::from_scenario(s, pair)?),
            }),
        ));
    }
    Ok(())
}
