//! The grid file: its expansion into candidates, and errors naming the file, line and key.

use std::path::Path;

use tunebench_core::experiment;
use tunebench_core::search::grid;

const EXPERIMENT: &str = r#"
name = "g"
dataset = "toy"
[[providers]]
name = "local"
kind = "openai_compatible"
base_url = "http://127.0.0.1:9/v1"
[[providers]]
name = "other"
kind = "openai_compatible"
base_url = "http://127.0.0.1:10/v1"
[[arms]]
name = "prompting"
provider = "local"
model = "base"
[[arms]]
name = "ft"
kind = "fine_tuned"
provider = "local"
model = "ft"
"#;

fn exp() -> experiment::ExperimentFile {
    experiment::file::parse(EXPERIMENT, Path::new("/x/exp.toml"))
        .unwrap()
        .file
}

fn parse(text: &str) -> tunebench_core::Result<grid::LoadedGrid> {
    grid::parse(text, Path::new("/x/GRID.toml"), &exp())
}

#[test]
fn a_grid_expands_into_every_combination_with_k_zero_once() {
    let g = parse(
        r#"
system = ["Answer with one label.", "You are a careful router. Answer with one label."]
few_shot_k = [0, 3, 8]
few_shot_strategy = ["random", "similar"]
models = ["base", { provider = "other", model = "m2" }]
temperature = [0.0, 0.7]
"#,
    )
    .unwrap();
    // 2 systems × (1 + 2×2 few-shot settings) × 2 models × 2 temperatures.
    assert_eq!(g.variations.len(), 2 * 5 * 2 * 2);
    assert_eq!(g.variations[0].label, "system 1 · no examples · base · T 0");
    assert!(g
        .variations
        .iter()
        .any(|v| v.label == "system 2 · 8 similar (BM25) examples · m2 on other · T 0.7"));
    let one = parse("").unwrap();
    assert_eq!(one.variations.len(), 1, "no lists: arm A as written");
    assert_eq!(one.variations[0].label, "as written");
}

#[test]
fn a_grid_never_adds_a_provider_and_errors_name_file_line_and_key() {
    let err =
        parse("temperature = [0.0]\nmodels = [{ provider = \"elsewhere\", model = \"x\" }]\n")
            .unwrap_err()
            .to_string();
    assert!(
        err.starts_with("/x/GRID.toml, line 2, key `models[0].provider`:"),
        "{err}"
    );
    assert!(err.contains("never adds a provider"), "{err}");

    let err = parse("\nretrieval = [true, false]\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("/x/GRID.toml, line 2, key `retrieval`:"),
        "{err}"
    );
    assert!(err.contains("no context.dir"), "{err}");

    let err = parse("few_shot_k = [3]\nfew_shot_strategy = [\"nearest\"]\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 2, key `few_shot_strategy[0]`"), "{err}");

    let err = parse("few_shot_k = [3]\nfew_shot_strategy = [\"fixed\"]\nfew_shot_ids = [\"a\"]\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 3, key `few_shot_ids`"), "{err}");

    let err = parse("choose = \"cheapest\"\n").unwrap_err().to_string();
    assert!(err.contains("line 1, key `choose`"), "{err}");

    let err = parse("models = [\"a\"]\nsurprise = 1\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("/x/GRID.toml, line 2:"), "{err}");
}

#[test]
fn a_grid_composed_in_the_window_is_checked_as_a_file_and_errors_name_the_field() {
    // As the window sends it: every field present, empty lists and nulls for "keep arm A's".
    let sent = serde_json::json!({
        "system": ["Be terse.", "Answer with the label only."],
        "few_shot_k": [0, 3], "few_shot_strategy": ["random"], "few_shot_ids": [],
        "few_shot_seed": null, "retrieval": [], "top_k": [],
        "models": ["base", { "provider": "other", "model": "m2" }],
        "temperature": [], "choose": "cheapest_within_best", "max_spend_usd": 1.5,
        "halving": true, "min_slice": null, "validation": { "fraction": null, "max_rows": null,
        "rows": 240, "seed": null, "stratify": null }
    });
    let g: grid::GridFile = serde_json::from_value(sent).unwrap();
    let loaded = grid::from_draft(g, &exp()).unwrap();
    // 2 systems × (1 + 1 few-shot settings) × 2 models.
    assert_eq!(loaded.variations.len(), 8);
    assert_eq!(
        loaded.variations[7].label,
        "system 2 · 3 random examples · m2 on other"
    );
    assert_eq!(loaded.grid.max_spend_usd, Some(1.5));

    let bad: grid::GridFile = serde_json::from_value(serde_json::json!({
        "models": [{ "provider": "elsewhere", "model": "x" }]
    }))
    .unwrap();
    let err = grid::from_draft(bad, &exp()).unwrap_err().to_string();
    assert!(
        err.starts_with("the search grid, field `models[0].provider`:"),
        "{err}"
    );
}
