//! How arm A was chosen, when a prompt search chose it: the search's sentence and the
//! figures it cites (candidates, validation cases, calls, each finalist's metric with its
//! interval and cost per query), all measured on the validation split.

use rusqlite::Connection;

use super::Block;
use crate::Result;

/// The search blocks for experiment `experiment_id` whose arm A is `arm_a`; nothing when
/// no search chose that arm.
pub(super) fn search_blocks(
    conn: &Connection,
    experiment_id: i32,
    arm_a: i32,
    b: &mut Vec<Block>,
) -> Result<()> {
    let Some(o) = crate::search::choosing(conn, experiment_id, arm_a)? else {
        return Ok(());
    };
    let (Some(chosen), Some(sentence)) = (&o.chosen, &o.sentence) else {
        return Ok(());
    };
    b.push(Block::Heading("How arm A was chosen".into()));
    b.push(Block::Para(sentence.clone()));
    b.push(Block::Table {
        head: vec!["search".into(), "value".into()],
        rows: vec![
            vec!["candidates".into(), o.candidates.to_string()],
            vec!["validation cases".into(), o.validation_cases.to_string()],
            vec![
                "calls made / full grid".into(),
                format!("{} / {}", o.calls_made, o.calls_full),
            ],
            vec!["rule".into(), o.rule.describe().into()],
        ],
    });
    let Some(last) = o.rungs.last() else {
        return Ok(());
    };
    let rows = last
        .ranked
        .iter()
        .map(|c| {
            vec![
                format!(
                    "{}{}",
                    c.name,
                    if c.index == chosen.score.index {
                        " (chosen)"
                    } else {
                        ""
                    }
                ),
                c.n.to_string(),
                c.mean.map_or("–".into(), |m| format!("{m:.2}")),
                c.interval
                    .map_or("–".into(), |i| format!("[{:.2}, {:.2}]", i.low, i.high)),
                c.cost_per_query
                    .map_or("no price".into(), |x| format!("${x:.6}")),
            ]
        })
        .collect();
    b.push(Block::Table {
        head: vec![
            "candidate (validation)".into(),
            "cases".into(),
            o.primary_metric.clone(),
            "95 % interval".into(),
            "cost per query".into(),
        ],
        rows,
    });
    Ok(())
}
