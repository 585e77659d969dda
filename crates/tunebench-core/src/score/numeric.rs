//! Numeric-tolerance scorer: the first number in the output is compared with the expected
//! number, passing when `|out − exp| ≤ max(rel_tol·max(|out|, |exp|), abs_tol)`, which is
//! Python's `math.isclose`: the relative tolerance scales with the larger of the two
//! numbers, so the test is symmetric.

/// The first decimal number in `text` (optional sign, thousands separators `,` removed,
/// optional fraction and exponent), or `None`.
pub fn first_number(text: &str) -> Option<f64> {
    let re = number_regex();
    let m = re.find(text)?;
    m.as_str().replace(',', "").parse().ok()
}

fn number_regex() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        // A number needs at least one digit; the pattern below guarantees it.
        regex::Regex::new(r"[-+]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?")
            .unwrap_or_else(|e| unreachable!("the number pattern is valid: {e}"))
    })
}

/// 1.0 when the output's first number is within tolerance of the expected number, else
/// 0.0 (also when either has no number).
pub fn within_tolerance(output: &str, expected: &str, abs_tol: f64, rel_tol: f64) -> f64 {
    match (first_number(output), first_number(expected)) {
        (Some(o), Some(e)) if (o - e).abs() <= abs_tol.max(rel_tol * o.abs().max(e.abs())) => 1.0,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_with_sign_separators_and_exponent() {
        assert_eq!(first_number("total: -1,234.5 EUR"), Some(-1234.5));
        assert_eq!(first_number("about 3e2 items"), Some(300.0));
        assert_eq!(first_number(".5"), Some(0.5));
        assert_eq!(first_number("none"), None);
    }

    #[test]
    fn tolerance_is_the_larger_of_absolute_and_relative() {
        assert_eq!(within_tolerance("100.4", "100", 0.5, 0.0), 1.0);
        assert_eq!(within_tolerance("100.6", "100", 0.5, 0.0), 0.0);
        assert_eq!(within_tolerance("100.6", "100", 0.5, 0.01), 1.0);
        assert_eq!(within_tolerance("n/a", "100", 1.0, 1.0), 0.0);
    }

    #[test]
    fn the_relative_tolerance_scales_with_the_larger_number_as_math_isclose_does() {
        // math.isclose(110, 100, rel_tol=0.095): |110 − 100| = 10 ≤ 0.095 · 110 = 10.45.
        assert_eq!(within_tolerance("110", "100", 0.0, 0.095), 1.0);
        assert_eq!(within_tolerance("100", "110", 0.0, 0.095), 1.0);
        // math.isclose(111, 100, rel_tol=0.095) is False: 11 > 10.545.
        assert_eq!(within_tolerance("111", "100", 0.0, 0.095), 0.0);
    }
}
