//! Label statistics of a comparison: both arms' averaged F1 over the labels (per-class
//! counts, a fixed taxonomy or the labels that occur), with its paired bootstrap.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::score::label::{ClassCounts, F1Average, LabelIndex};
use crate::stats::bootstrap::resample;
use crate::stats::comparison::{CaseScore, Pair};
use crate::stats::primary::Statistics;

/// Label F1s: kinds are the distinct (truth, A's label, B's label) triples.
pub(super) fn label_statistics(
    pairs: &[Pair<'_>],
    taxonomy: &[String],
    average: F1Average,
    resamples: u32,
    seed: u64,
) -> Result<Statistics> {
    const NONE: u32 = u32::MAX;
    let mut index = LabelIndex::default();
    let mut triples: HashMap<(u32, u32, u32), usize> = HashMap::new();
    let mut kinds: Vec<(u32, u32, u32)> = Vec::new();
    let mut counts: Vec<u32> = Vec::new();
    for p in pairs {
        let truth =
            p.a.expected_label
                .as_deref()
                .or(p.b.expected_label.as_deref())
                .ok_or_else(|| {
                    Error::Invalid(format!(
                        "example {} has no expected label, which a label F1 primary metric needs",
                        p.a.example_id
                    ))
                })?;
        let t = index.intern(truth);
        // An errored case (or one without a prediction) is a wrong answer.
        let mut label = |c: &CaseScore| match (&c.predicted_label, c.error) {
            (Some(l), false) => index.intern(l),
            _ => NONE,
        };
        let key = (t, label(p.a), label(p.b));
        let k = *triples.entry(key).or_insert_with(|| {
            kinds.push(key);
            counts.push(0);
            kinds.len() - 1
        });
        counts[k] += 1;
    }
    // Class positions: the taxonomy's order, or every label seen (a class absent from a
    // resample drops out of the macro mean, as scikit-learn's unique_labels would).
    let fixed = !taxonomy.is_empty();
    let position: Vec<Option<usize>> = index
        .names()
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if fixed {
                taxonomy.iter().position(|l| l == name)
            } else {
                Some(i)
            }
        })
        .collect();
    let classes = if fixed { taxonomy.len() } else { index.len() };
    let pos = |id: u32| {
        if id == NONE {
            None
        } else {
            position[id as usize]
        }
    };
    let mut ca = ClassCounts::new(classes);
    let mut cb = ClassCounts::new(classes);
    let mut f1s = |drawn: &[u32]| {
        ca.reset();
        cb.reset();
        for (&(t, a, b), &c) in kinds.iter().zip(drawn) {
            if c == 0 {
                continue;
            }
            ca.add(pos(t), pos(a), t == a, c as u64);
            cb.add(pos(t), pos(b), t == b, c as u64);
        }
        let (fa, fb) = (f1(&ca, average, fixed), f1(&cb, average, fixed));
        [fa, fb, fb - fa]
    };
    let [a_value, b_value, _] = f1s(&counts);
    let boot = resample(&counts, resamples, seed, f1s);
    Ok(Statistics {
        a_value,
        b_value,
        boot,
        binary: None,
    })
}

/// The averaged F1; without a fixed taxonomy the macro mean runs over the classes that
/// occur (in truth or prediction), as scikit-learn's default labels do.
fn f1(c: &ClassCounts, average: F1Average, fixed: bool) -> f64 {
    if fixed || average != F1Average::Macro {
        return c.f1(average);
    }
    let (mut sum, mut k) = (0.0, 0u32);
    for i in 0..c.tp.len() {
        let (tp, fp, fn_) = (c.tp[i], c.fp[i], c.fn_[i]);
        if tp + fp + fn_ > 0 {
            k += 1;
            sum += 2.0 * tp as f64 / (2 * tp + fp + fn_) as f64;
        }
    }
    if k == 0 {
        0.0
    } else {
        sum / k as f64
    }
}
