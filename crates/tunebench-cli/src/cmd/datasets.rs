//! `tunebench datasets`: the datasets in the store.

use std::path::Path;

use serde_json::json;

use crate::output::Output;

pub fn run(db: Option<&Path>, out: &Output) -> anyhow::Result<()> {
    let conn = super::open_store(db)?;
    let datasets = tunebench_core::store::dataset::list(&conn)?;
    if out.json {
        return out.print_json(&json!({ "datasets": datasets }));
    }
    if datasets.is_empty() {
        println!("No datasets yet. Import one with: tunebench import FILE");
        return Ok(());
    }
    println!(
        "{:>4}  {:<32} {:>9} {:>7} {:>7}  IMPORTED",
        "ID", "NAME", "ROWS", "TRAIN", "TEST"
    );
    for d in &datasets {
        println!(
            "{:>4}  {:<32} {:>9} {:>7} {:>7}  {}",
            d.id, d.name, d.rows, d.train_rows, d.test_rows, d.imported_at
        );
    }
    Ok(())
}
