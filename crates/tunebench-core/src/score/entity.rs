//! Entity-set scoring for extraction outputs given as JSON lists of `{"text", "type"}`:
//! per case the predicted and expected entities are compared as sets of (text, type)
//! pairs (text trimmed; duplicates count once), giving true positives, false positives
//! and false negatives; a corpus score sums those counts (micro average).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::score::format::extract_json;

/// Matching counts of one case (or, summed, of a corpus).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EntityCounts {
    pub tp: u32,
    pub fp: u32,
    pub fn_: u32,
    /// The output was not a JSON list of entities (its expected entities all count as
    /// missed).
    pub unparsable: bool,
}

/// Precision, recall and F1 from entity counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EntityScore {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// The entity set of a JSON list of objects with string `text` and `type` fields
/// (raw or in a fenced block); `None` when the text is not such a list.
pub fn parse_entities(text: &str) -> Option<HashSet<(String, String)>> {
    let value = extract_json(text)?;
    let items = value.as_array()?;
    let mut set = HashSet::new();
    for item in items {
        let text = item.get("text")?.as_str()?.trim().to_owned();
        let kind = item.get("type")?.as_str()?.trim().to_owned();
        set.insert((text, kind));
    }
    Some(set)
}

/// Counts for one case. An expected text that is not an entity list is treated as empty.
pub fn count(output: &str, expected: &str) -> EntityCounts {
    let gold = parse_entities(expected).unwrap_or_default();
    match parse_entities(output) {
        None => EntityCounts {
            tp: 0,
            fp: 0,
            fn_: gold.len() as u32,
            unparsable: true,
        },
        Some(pred) => {
            let tp = pred.intersection(&gold).count() as u32;
            EntityCounts {
                tp,
                fp: pred.len() as u32 - tp,
                fn_: gold.len() as u32 - tp,
                unparsable: false,
            }
        }
    }
}

impl EntityCounts {
    /// Precision, recall and F1. With nothing expected and nothing predicted the case is
    /// perfect (1, 1, 1); otherwise an empty denominator gives 0.
    pub fn score(&self) -> EntityScore {
        let (tp, fp, fn_) = (self.tp as f64, self.fp as f64, self.fn_ as f64);
        if self.tp + self.fp + self.fn_ == 0 && !self.unparsable {
            return EntityScore {
                precision: 1.0,
                recall: 1.0,
                f1: 1.0,
            };
        }
        let div = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
        EntityScore {
            precision: div(tp, tp + fp),
            recall: div(tp, tp + fn_),
            f1: div(2.0 * tp, 2.0 * tp + fp + fn_),
        }
    }
}

/// Micro-averaged score over many cases.
pub fn corpus_score(cases: &[EntityCounts]) -> EntityScore {
    let mut total = EntityCounts::default();
    for c in cases {
        total.tp += c.tp;
        total.fp += c.fp;
        total.fn_ += c.fn_;
        total.unparsable |= c.unparsable;
    }
    total.score()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_match_on_text_and_type_together() {
        let gold = r#"[{"text":"Paris","type":"LOC"},{"text":"ACME","type":"ORG"}]"#;
        let out = "```json\n[{\"text\":\"Paris\",\"type\":\"LOC\"},{\"text\":\"ACME\",\"type\":\"PER\"}]\n```";
        let c = count(out, gold);
        assert_eq!((c.tp, c.fp, c.fn_), (1, 1, 1));
        assert_eq!(c.score().f1, 0.5);
    }

    #[test]
    fn an_unparsable_output_misses_every_expected_entity() {
        let c = count("Paris (LOC)", r#"[{"text":"Paris","type":"LOC"}]"#);
        assert!(c.unparsable);
        assert_eq!((c.tp, c.fn_), (0, 1));
        assert_eq!(c.score().f1, 0.0);
        assert_eq!(count("[]", "[]").score().f1, 1.0);
    }
}
