//! The running primary metric shown while a run progresses: exact match after trimming
//! and case-folding. Pure. The full scorers replace [`score`] once they land.

/// The score in [0, 1] of `output` against `expected` for `metric`.
pub fn score(_metric: &str, output: &str, expected: &str) -> f64 {
    let norm = |s: &str| s.trim().to_lowercase();
    if norm(output) == norm(expected) {
        1.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn exact_match_ignores_case_and_surrounding_space() {
        assert_eq!(super::score("accuracy", " Billing\n", "billing"), 1.0);
        assert_eq!(super::score("accuracy", "billing.", "billing"), 0.0);
    }
}
