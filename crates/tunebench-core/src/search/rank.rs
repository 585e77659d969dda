//! Ranking candidates by the primary metric on the validation cases, with intervals, and
//! the stated choice rule: the best, or the cheapest whose metric lies within the best's
//! interval ("as good, cheaper"). Errors count as failures here: a candidate that errors
//! is not a good choice. Pure.

use serde::{Deserialize, Serialize};

use crate::stats::comparison::ErrorPolicy;
use crate::stats::{summarize_metric, Interval};

/// How the winner is chosen from the ranked candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ChoiceRule {
    /// The highest metric (ties: the cheaper, then the earlier candidate).
    #[default]
    Best,
    /// The cheapest candidate whose metric is at least the low end of the best's interval.
    CheapestWithinBest,
}

impl ChoiceRule {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "best" => Some(ChoiceRule::Best),
            "cheapest_within_best" => Some(ChoiceRule::CheapestWithinBest),
            _ => None,
        }
    }

    /// The rule in words, as the report states it.
    pub fn describe(self) -> &'static str {
        match self {
            ChoiceRule::Best => "the candidate with the highest metric",
            ChoiceRule::CheapestWithinBest => {
                "the cheapest candidate whose metric lies within the best one's 95 % interval"
            }
        }
    }
}

/// One candidate's figures on the cases it answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CandidateScore {
    /// Position in the grid's expansion (0-based).
    pub index: u32,
    pub name: String,
    /// Cases scored (errors included, as failures).
    pub n: u32,
    pub errors: u32,
    pub mean: Option<f64>,
    pub interval: Option<Interval>,
    /// Mean cost of an answered case, USD; `None` without a price.
    pub cost_per_query: Option<f64>,
}

/// Scores a candidate from its per-case scores (`None` = the case errored).
pub fn score(
    index: u32,
    name: &str,
    metric: &str,
    per_case: &[Option<f64>],
    cost_per_query: Option<f64>,
) -> CandidateScore {
    let s = summarize_metric(
        metric,
        per_case,
        ErrorPolicy::CountAsFailure,
        0.95,
        10_000,
        index,
    );
    CandidateScore {
        index,
        name: name.to_owned(),
        n: s.n,
        errors: s.errors,
        mean: s.mean,
        interval: s.interval,
        cost_per_query,
    }
}

fn cost_key(c: &CandidateScore) -> f64 {
    c.cost_per_query.unwrap_or(f64::INFINITY)
}

/// The candidates best first: by metric (none last), then cheaper, then earlier.
pub fn rank(mut scores: Vec<CandidateScore>) -> Vec<CandidateScore> {
    scores.sort_by(|a, b| {
        let (ma, mb) = (
            a.mean.unwrap_or(f64::NEG_INFINITY),
            b.mean.unwrap_or(f64::NEG_INFINITY),
        );
        mb.total_cmp(&ma)
            .then(cost_key(a).total_cmp(&cost_key(b)))
            .then(a.index.cmp(&b.index))
    });
    scores
}

/// The chosen candidate of `ranked` (best first) under `rule`; `None` if no candidate
/// has a metric.
pub fn choose(ranked: &[CandidateScore], rule: ChoiceRule) -> Option<&CandidateScore> {
    let best = ranked.first().filter(|b| b.mean.is_some())?;
    match rule {
        ChoiceRule::Best => Some(best),
        ChoiceRule::CheapestWithinBest => {
            let floor = best.interval.map_or(best.mean?, |i| i.low);
            ranked
                .iter()
                .filter(|c| c.mean.is_some_and(|m| m >= floor))
                .min_by(|a, b| {
                    cost_key(a)
                        .total_cmp(&cost_key(b))
                        .then(b.mean.unwrap_or(0.0).total_cmp(&a.mean.unwrap_or(0.0)))
                        .then(a.index.cmp(&b.index))
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binary(right: usize, n: usize) -> Vec<Option<f64>> {
        (0..n)
            .map(|i| Some(if i < right { 1.0 } else { 0.0 }))
            .collect()
    }

    /// A table worked by hand (Wilson 95 % intervals on 200 cases):
    ///
    /// | candidate | right / 200 | mean  | Wilson 95 %     | $/query |
    /// |-----------|-------------|-------|-----------------|---------|
    /// | big       | 176         | 0.880 | [0.828, 0.918]  | 0.0040  |
    /// | mid       | 170         | 0.850 | —               | 0.0010  |
    /// | small     | 164         | 0.820 | —               | 0.0002  |
    /// | tiny      | 120         | 0.600 | —               | 0.0001  |
    ///
    /// Best: `big`. As good, cheaper: `mid` (0.850 ≥ 0.828); `small` (0.820) is below the
    /// interval, `tiny` far below.
    fn table() -> Vec<CandidateScore> {
        vec![
            score(0, "small", "accuracy", &binary(164, 200), Some(0.0002)),
            score(1, "big", "accuracy", &binary(176, 200), Some(0.004)),
            score(2, "tiny", "accuracy", &binary(120, 200), Some(0.0001)),
            score(3, "mid", "accuracy", &binary(170, 200), Some(0.001)),
        ]
    }

    #[test]
    fn candidates_rank_by_metric_and_the_rules_choose_as_worked_by_hand() {
        let ranked = rank(table());
        let names: Vec<&str> = ranked.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["big", "mid", "small", "tiny"]);
        let i = ranked[0].interval.unwrap();
        assert!(
            (i.low - 0.8277).abs() < 5e-4 && (i.high - 0.9180).abs() < 5e-4,
            "{i:?}"
        );
        assert_eq!(choose(&ranked, ChoiceRule::Best).unwrap().name, "big");
        assert_eq!(
            choose(&ranked, ChoiceRule::CheapestWithinBest)
                .unwrap()
                .name,
            "mid"
        );
    }

    #[test]
    fn errors_count_as_failures_and_an_unpriced_candidate_is_never_the_cheaper() {
        let mut with_errors = binary(176, 200);
        for s in with_errors.iter_mut().take(30) {
            *s = None;
        }
        let c = score(0, "flaky", "accuracy", &with_errors, Some(0.0));
        assert_eq!((c.n, c.errors), (200, 30));
        assert!((c.mean.unwrap() - 146.0 / 200.0).abs() < 1e-12);

        let ranked = rank(vec![
            score(0, "priced", "accuracy", &binary(170, 200), Some(0.01)),
            score(1, "unpriced", "accuracy", &binary(172, 200), None),
        ]);
        assert_eq!(
            choose(&ranked, ChoiceRule::CheapestWithinBest)
                .unwrap()
                .name,
            "priced"
        );
        assert!(choose(&[], ChoiceRule::Best).is_none());
    }
}
