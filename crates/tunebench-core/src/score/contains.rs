//! Containment scorer: the output passes when it contains the expected answer, both
//! normalised the same way (e.g. a free-text answer that must mention the right entity).

use crate::score::exact::Normalization;

/// 1.0 when the normalised output contains the normalised expected text, else 0.0. An
/// empty expected text is contained in everything.
pub fn contains(output: &str, expected: &str, normalization: &Normalization) -> f64 {
    if normalization
        .apply(output)
        .contains(&normalization.apply(expected))
    {
        1.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment_respects_case_folding_only_when_asked() {
        let exact = Normalization::default();
        assert_eq!(contains("The answer is Paris.", "Paris", &exact), 1.0);
        assert_eq!(contains("The answer is paris.", "Paris", &exact), 0.0);
        let folded = Normalization {
            ignore_case: true,
            ..Normalization::default()
        };
        assert_eq!(contains("The answer is paris.", "Paris", &folded), 1.0);
    }
}
