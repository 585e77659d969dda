//! Few-shot examples drawn from the train split: a fixed list, a seeded random sample
//! (the same for every case, so the prompt prefix stays cacheable), or the k most similar
//! to the case by BM25.

use serde::{Deserialize, Serialize};

use super::Case;
use crate::retrieval::Bm25;
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FewShotStrategy {
    Fixed,
    Random,
    Similar,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct FewShot {
    pub k: u32,
    pub strategy: FewShotStrategy,
    /// Seed of the random sample.
    #[serde(default)]
    pub seed: Option<i32>,
    /// For `fixed`: the examples' ids from the file's id column, or their 0-based row numbers.
    #[serde(default)]
    pub ids: Vec<String>,
}

/// The chosen train examples for every case, prepared once per arm.
#[derive(Debug, Clone)]
pub enum Selector {
    /// The same examples (indices into the train cases) for every case.
    Static(Vec<usize>),
    /// BM25 over the train inputs, top-k per case.
    Similar { index: Bm25, k: usize },
}

impl Selector {
    pub fn new(spec: &FewShot, train: &[Case], arm: &str) -> Result<Self> {
        let k = spec.k as usize;
        match spec.strategy {
            FewShotStrategy::Fixed => {
                let mut picked = Vec::new();
                for id in &spec.ids {
                    let pos = train
                        .iter()
                        .position(|c| c.external_id.as_deref() == Some(id.as_str()))
                        .or_else(|| {
                            let n: i32 = id.parse().ok()?;
                            train.iter().position(|c| c.ordinal == n)
                        })
                        .ok_or_else(|| {
                            Error::Invalid(format!(
                                "arm `{arm}`, few_shot.ids: {id:?} is not the id or row number of \
                                 a train example"
                            ))
                        })?;
                    picked.push(pos);
                }
                Ok(Selector::Static(picked))
            }
            FewShotStrategy::Random => {
                let mut rng = fastrand::Rng::with_seed(spec.seed.unwrap_or(0) as u64);
                let mut all: Vec<usize> = (0..train.len()).collect();
                rng.shuffle(&mut all);
                all.truncate(k);
                Ok(Selector::Static(all))
            }
            FewShotStrategy::Similar => Ok(Selector::Similar {
                index: Bm25::new(train.iter().map(|c| c.input.as_str())),
                k,
            }),
        }
    }

    /// Indices into the train cases for `case`, never the case itself.
    pub fn pick(&self, case: &Case, train: &[Case]) -> Vec<usize> {
        match self {
            Selector::Static(v) => v
                .iter()
                .copied()
                .filter(|&i| train[i].id != case.id)
                .collect(),
            Selector::Similar { index, k } => index
                .top_k(&case.input, k + 1)
                .into_iter()
                .map(|(i, _)| i)
                .filter(|&i| train[i].id != case.id)
                .take(*k)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: i32, input: &str) -> Case {
        Case {
            id,
            ordinal: id,
            external_id: Some(format!("c{id}")),
            input: input.into(),
            expected: "x".into(),
            metadata: Default::default(),
        }
    }

    #[test]
    fn the_random_sample_depends_only_on_the_seed() {
        let train: Vec<Case> = (0..50).map(|i| case(i, "t")).collect();
        let spec = FewShot {
            k: 5,
            strategy: FewShotStrategy::Random,
            seed: Some(7),
            ids: vec![],
        };
        let a = Selector::new(&spec, &train, "a")
            .unwrap()
            .pick(&case(99, "q"), &train);
        let b = Selector::new(&spec, &train, "a")
            .unwrap()
            .pick(&case(98, "z"), &train);
        assert_eq!(a, b);
        assert_eq!(a.len(), 5);
        let other = FewShot {
            seed: Some(8),
            ..spec
        };
        assert_ne!(
            a,
            Selector::new(&other, &train, "a")
                .unwrap()
                .pick(&case(99, "q"), &train)
        );
    }

    #[test]
    fn similar_examples_share_words_with_the_case() {
        let train = vec![
            case(1, "refund invoice"),
            case(2, "parcel lost in shipping"),
            case(3, "hello"),
        ];
        let spec = FewShot {
            k: 1,
            strategy: FewShotStrategy::Similar,
            seed: None,
            ids: vec![],
        };
        let s = Selector::new(&spec, &train, "a").unwrap();
        assert_eq!(s.pick(&case(9, "my parcel is lost"), &train), vec![1]);
    }

    #[test]
    fn a_fixed_id_that_is_not_a_train_example_is_an_error() {
        let train = vec![case(1, "a")];
        let spec = FewShot {
            k: 1,
            strategy: FewShotStrategy::Fixed,
            seed: None,
            ids: vec!["nope".into()],
        };
        let err = Selector::new(&spec, &train, "arm1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"nope\"") && err.contains("arm1"), "{err}");
    }
}
