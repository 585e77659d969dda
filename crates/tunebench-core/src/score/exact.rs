//! Exact match between an output and the expected answer, after the normalisation the
//! experiment asks for (trim, case, whitespace, punctuation, Unicode NFKC).

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// How text is normalised before it is compared. Steps run in this order: NFKC, case
/// folding, punctuation removal, whitespace collapsing, trimming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct Normalization {
    /// Remove leading and trailing whitespace (default on).
    pub trim: bool,
    /// Compare case-insensitively, by Unicode lowercase mapping (default off).
    pub ignore_case: bool,
    /// Collapse every run of whitespace to one space (default on).
    pub collapse_whitespace: bool,
    /// Remove Unicode punctuation characters (default off).
    pub strip_punctuation: bool,
    /// Apply Unicode NFKC compatibility normalisation (default off).
    pub nfkc: bool,
}

impl Default for Normalization {
    fn default() -> Self {
        Normalization {
            trim: true,
            ignore_case: false,
            collapse_whitespace: true,
            strip_punctuation: false,
            nfkc: false,
        }
    }
}

impl Normalization {
    /// No normalisation at all: byte-for-byte comparison.
    pub fn none() -> Self {
        Normalization {
            trim: false,
            ignore_case: false,
            collapse_whitespace: false,
            strip_punctuation: false,
            nfkc: false,
        }
    }

    /// Every step on: the most forgiving comparison.
    pub fn all() -> Self {
        Normalization {
            trim: true,
            ignore_case: true,
            collapse_whitespace: true,
            strip_punctuation: true,
            nfkc: true,
        }
    }

    /// Whether this normalisation leaves every string unchanged.
    fn is_identity(&self) -> bool {
        *self == Normalization::none()
    }

    /// The normalised form of `text`.
    pub fn apply(&self, text: &str) -> String {
        if self.is_identity() {
            return text.to_owned();
        }
        let mut s: String = if self.nfkc {
            text.nfkc().collect()
        } else {
            text.to_owned()
        };
        if self.ignore_case {
            s = s.to_lowercase();
        }
        if self.strip_punctuation {
            s.retain(|c| !is_punctuation(c));
        }
        if self.collapse_whitespace {
            s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        } else if self.trim {
            s = s.trim().to_owned();
        }
        s
    }

    /// Whether `a` and `b` are equal after normalisation. Allocates only when a step
    /// could change the text.
    pub fn equal(&self, a: &str, b: &str) -> bool {
        if self.is_identity() {
            return a == b;
        }
        if *self == Normalization::default() {
            // The common case, without allocating: compare word by word.
            return a.split_whitespace().eq(b.split_whitespace());
        }
        self.apply(a) == self.apply(b)
    }
}

/// Unicode punctuation (general categories P*), plus the ASCII symbols people think of
/// as punctuation.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() || (!c.is_ascii() && is_unicode_punctuation(c))
}

fn is_unicode_punctuation(c: char) -> bool {
    matches!(c,
        '\u{00A1}' | '\u{00A7}' | '\u{00AB}' | '\u{00B6}' | '\u{00B7}' | '\u{00BB}' | '\u{00BF}'
        | '\u{037E}' | '\u{0387}'
        | '\u{055A}'..='\u{055F}' | '\u{0589}' | '\u{058A}'
        | '\u{05BE}' | '\u{05C0}' | '\u{05C3}' | '\u{05C6}' | '\u{05F3}' | '\u{05F4}'
        | '\u{060C}' | '\u{060D}' | '\u{061B}' | '\u{061F}' | '\u{066A}'..='\u{066D}' | '\u{06D4}'
        | '\u{0964}' | '\u{0965}' | '\u{0970}'
        | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{2043}' | '\u{2045}'..='\u{2051}'
        | '\u{2053}'..='\u{205E}' | '\u{207D}' | '\u{207E}' | '\u{208D}' | '\u{208E}'
        | '\u{2E00}'..='\u{2E4F}'
        | '\u{3001}'..='\u{3003}' | '\u{3008}'..='\u{3011}' | '\u{3014}'..='\u{301F}'
        | '\u{FE10}'..='\u{FE19}' | '\u{FE30}'..='\u{FE52}' | '\u{FE54}'..='\u{FE61}'
        | '\u{FF01}'..='\u{FF03}' | '\u{FF05}'..='\u{FF0A}' | '\u{FF0C}'..='\u{FF0F}'
        | '\u{FF1A}' | '\u{FF1B}' | '\u{FF1F}' | '\u{FF20}' | '\u{FF3B}'..='\u{FF3D}'
        | '\u{FF3F}' | '\u{FF5B}' | '\u{FF5D}' | '\u{FF5F}'..='\u{FF65}')
}

/// 1.0 when the output equals the expected answer after normalisation, else 0.0.
pub fn exact_match(output: &str, expected: &str, normalization: &Normalization) -> f64 {
    if normalization.equal(output, expected) {
        1.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_normalisation_ignores_surrounding_and_repeated_whitespace_only() {
        let n = Normalization::default();
        assert!(n.equal("  billing \n", "billing"));
        assert!(n.equal("late  delivery", "late delivery"));
        assert!(!n.equal("Billing", "billing"));
    }

    #[test]
    fn full_normalisation_folds_case_punctuation_and_compatibility_forms() {
        let n = Normalization::all();
        assert!(n.equal("Ｂｉｌｌｉｎｇ!", "billing"));
        assert!(n.equal("« Déjà vu »", "déjà vu"));
        assert!(!n.equal("déjà", "deja"));
    }

    #[test]
    fn no_normalisation_compares_bytes() {
        assert_eq!(exact_match(" a", "a", &Normalization::none()), 0.0);
        assert_eq!(exact_match("a", "a", &Normalization::none()), 1.0);
    }
}
