//! `tunebench datasets`: the datasets in the store, with their label distribution.

use std::path::Path;

use serde::Serialize;
use tunebench_core::dataset::{self, DatasetSummary, LabelCount};

use crate::output::Output;

/// One dataset as listed: its summary and the labels of its import report.
#[derive(Serialize)]
struct Listed {
    #[serde(flatten)]
    summary: DatasetSummary,
    labels: Vec<LabelCount>,
}

pub fn run(db: Option<&Path>, out: &Output) -> anyhow::Result<()> {
    let conn = super::open_store(db)?;
    let datasets: Vec<Listed> = tunebench_core::store::dataset::list(&conn)?
        .into_iter()
        .map(|summary| {
            // A dataset written without a report (by hand, or by an older build) has no labels.
            let labels = dataset::report(&conn, summary.id)
                .map(|r| r.labels)
                .unwrap_or_default();
            Listed { summary, labels }
        })
        .collect();
    if out.json {
        return out.print_json(&serde_json::json!({ "datasets": datasets }));
    }
    if datasets.is_empty() {
        say!("No datasets yet. Import one with: tunebench import FILE")?;
        return Ok(());
    }
    say!(
        "{:>4}  {:<32} {:>9} {:>7} {:>7}  {:<20}  LABELS",
        "ID",
        "NAME",
        "ROWS",
        "TRAIN",
        "TEST",
        "IMPORTED"
    )?;
    for Listed { summary: d, labels } in &datasets {
        let shown: Vec<String> = labels
            .iter()
            .take(5)
            .map(|l| format!("{} {}", l.label, l.count))
            .collect();
        let more = if labels.len() > 5 { ", ..." } else { "" };
        say!(
            "{:>4}  {:<32} {:>9} {:>7} {:>7}  {:<20}  {}{more}",
            d.id,
            d.name,
            d.rows,
            d.train_rows,
            d.test_rows,
            d.imported_at,
            shown.join(", ")
        )?;
    }
    Ok(())
}
