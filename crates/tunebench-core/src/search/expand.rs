//! The candidates a grid makes: every combination of its lists, in a fixed order, repeats
//! dropped, each labelled with what it changes in arm A.

use super::grid::{parse_strategy, target, GridFile, Variation};
use crate::arm::{FewShot, FewShotStrategy};
use crate::experiment::file::ExperimentFile;

/// Every combination of the grid's lists, in a fixed order, repeats dropped.
pub(super) fn expand(grid: &GridFile, exp: &ExperimentFile, arm_index: usize) -> Vec<Variation> {
    let base = &exp.arms[arm_index];
    let systems: Vec<Option<(usize, &String)>> = if grid.system.is_empty() {
        vec![None]
    } else {
        grid.system.iter().enumerate().map(Some).collect()
    };
    let few_shots = few_shot_options(grid);
    let retrievals: Vec<Option<Option<u32>>> =
        match (grid.retrieval.is_empty(), grid.top_k.is_empty()) {
            (true, true) => vec![None],
            (true, false) if base.context.is_none() => vec![None],
            (true, false) => grid.top_k.iter().map(|k| Some(Some(*k))).collect(),
            (false, _) => {
                let ks: Vec<u32> = if grid.top_k.is_empty() {
                    vec![base.context.as_ref().map_or(3, |c| c.top_k)]
                } else {
                    grid.top_k.clone()
                };
                let mut out = Vec::new();
                for on in &grid.retrieval {
                    if *on {
                        out.extend(ks.iter().map(|k| Some(Some(*k))));
                    } else {
                        out.push(Some(None));
                    }
                }
                out
            }
        };
    let models: Vec<Option<(String, String)>> = if grid.models.is_empty() {
        vec![None]
    } else {
        grid.models
            .iter()
            .map(|m| {
                let (p, model) = target(m, &base.provider);
                Some((p.to_owned(), model.to_owned()))
            })
            .collect()
    };
    let temps: Vec<Option<f64>> = if grid.temperature.is_empty() {
        vec![None]
    } else {
        grid.temperature.iter().map(|t| Some(*t)).collect()
    };
    let mut out: Vec<Variation> = Vec::new();
    for s in &systems {
        for (fs, fs_label) in &few_shots {
            for r in &retrievals {
                for m in &models {
                    for t in &temps {
                        let mut label = Vec::new();
                        if let Some((i, _)) = s {
                            label.push(format!("system {}", i + 1));
                        }
                        if let Some(l) = fs_label {
                            label.push(l.clone());
                        }
                        match r {
                            Some(Some(k)) => label.push(format!("context top {k}")),
                            Some(None) => label.push("no context".into()),
                            None => {}
                        }
                        if let Some((p, model)) = m {
                            label.push(if *p == base.provider {
                                model.clone()
                            } else {
                                format!("{model} on {p}")
                            });
                        }
                        if let Some(t) = t {
                            label.push(format!("T {t}"));
                        }
                        let v = Variation {
                            system: s.map(|(_, text)| text.clone()),
                            few_shot: fs.clone(),
                            retrieval: *r,
                            model: m.clone(),
                            temperature: *t,
                            label: if label.is_empty() {
                                "as written".into()
                            } else {
                                label.join(" · ")
                            },
                        };
                        if !out.iter().any(|o| same(o, &v)) {
                            out.push(v);
                        }
                    }
                }
            }
        }
    }
    out
}

fn same(a: &Variation, b: &Variation) -> bool {
    a.system == b.system
        && a.few_shot == b.few_shot
        && a.retrieval == b.retrieval
        && a.model == b.model
        && a.temperature == b.temperature
}

/// Few-shot settings with their labels: k × strategy, k = 0 once.
fn few_shot_options(grid: &GridFile) -> Vec<(Option<Option<FewShot>>, Option<String>)> {
    if grid.few_shot_k.is_empty() && grid.few_shot_strategy.is_empty() {
        return vec![(None, None)];
    }
    let ks = if grid.few_shot_k.is_empty() {
        vec![3]
    } else {
        grid.few_shot_k.clone()
    };
    let strategies: Vec<FewShotStrategy> = if grid.few_shot_strategy.is_empty() {
        vec![FewShotStrategy::Random]
    } else {
        grid.few_shot_strategy
            .iter()
            .filter_map(|s| parse_strategy(s))
            .collect()
    };
    let mut out = Vec::new();
    for k in ks {
        if k == 0 {
            out.push((Some(None), Some("no examples".into())));
            continue;
        }
        for s in &strategies {
            let (ids, word) = match s {
                FewShotStrategy::Fixed => (grid.few_shot_ids[..k as usize].to_vec(), "fixed"),
                FewShotStrategy::Random => (Vec::new(), "random"),
                FewShotStrategy::Similar => (Vec::new(), "similar (BM25)"),
            };
            let spec = FewShot {
                k,
                strategy: *s,
                seed: grid.few_shot_seed,
                ids,
            };
            let plural = if k == 1 { "example" } else { "examples" };
            out.push((Some(Some(spec)), Some(format!("{k} {word} {plural}"))));
        }
    }
    out
}
