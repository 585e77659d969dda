//! How money and counts are written for people: `$1,241`, `$2.25`, `$0.0831`, `43,895`.
//!
//! One rule for money everywhere (the window, reports, the CLI): whole dollars with thousands
//! separators from $100 up, cents from $1, and below $1 three significant figures (trailing
//! zeros dropped, never fewer than two decimals), so a per-query cost is never a bare `$0.08`
//! next to a `$0.0831`. The window's `ui/src/money.ts` follows the same table.

/// US dollars by the rule above: `$1,241`, `$2.25`, `$0.0831`, `$0.50`, `$0.00`.
///
/// Rounding scales by a power of ten and rounds half away from zero, the same arithmetic
/// as the window's `Math.round(a * 10 ** d)`, so both write `$2.13` for 2.125.
pub fn usd(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    if a > 0.0 && a < 1.0 {
        // The fewest decimals that hold three significant figures.
        let mut d = 2;
        while a * 10f64.powi(d) < 100.0 && d < 20 {
            d += 1;
        }
        let k = (a * 10f64.powi(d)).round();
        // Rounding can carry 0.9996 up to a whole dollar: cents then.
        if k < 10f64.powi(d) {
            let digits = format!("{:0>width$}", k as u64, width = d as usize);
            let digits = digits.trim_end_matches('0');
            return format!("{sign}$0.{digits:0<2}");
        }
    }
    let cents = (a * 100.0).round();
    if cents >= 10_000.0 {
        format!("{sign}${}", count(a))
    } else {
        let c = cents as u64;
        format!("{sign}${}.{:02}", c / 100, c % 100)
    }
}

/// A whole number with thousands separators (rounded).
pub fn count(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let n = x.round().abs() as u128;
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if x.round() < 0.0 {
        out.insert(0, '-');
    }
    out
}

/// A large count in short form for axis ticks: `950`, `12k`, `1.3M`.
pub fn short(x: f64) -> String {
    let a = x.abs();
    let (v, suffix) = if a >= 1e9 {
        (x / 1e9, "B")
    } else if a >= 1e6 {
        (x / 1e6, "M")
    } else if a >= 1e3 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    let s = if v.abs() >= 10.0 || v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    format!("{s}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The money rule's table; `ui/src/money.test.ts` holds the same rows.
    const MONEY_TABLE: &[(f64, &str)] = &[
        (1241.0, "$1,241"),
        (1_422.4, "$1,422"),
        (1_234_567.8, "$1,234,568"),
        (100.0, "$100"),
        (99.996, "$100"),
        (99.5, "$99.50"),
        (2.25, "$2.25"),
        (2.125, "$2.13"),
        (2.675, "$2.68"),
        (1.0, "$1.00"),
        (0.9996, "$1.00"),
        (0.999, "$0.999"),
        (0.5, "$0.50"),
        (0.5625, "$0.563"),
        (0.0831, "$0.0831"),
        (0.083_14, "$0.0831"),
        (0.08, "$0.08"),
        (0.012_345, "$0.0123"),
        (0.00108, "$0.00108"),
        (0.00063, "$0.00063"),
        (0.000_001_234, "$0.00000123"),
        (0.0, "$0.00"),
        (-0.0831, "-$0.0831"),
        (-12_345.0, "-$12,345"),
    ];

    #[test]
    fn dollars_follow_one_rule_three_figures_below_a_dollar_cents_above_whole_from_100() {
        for &(x, want) in MONEY_TABLE {
            assert_eq!(usd(x), want, "usd({x})");
        }
        assert_eq!(usd(f64::NAN), "—");
    }

    #[test]
    fn counts_get_thousands_separators_and_short_forms() {
        assert_eq!(count(43_895.4), "43,895");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(1_000_000.0), "1,000,000");
        assert_eq!(short(1_300_000.0), "1.3M");
        assert_eq!(short(12_000.0), "12k");
        assert_eq!(short(950.0), "950");
    }
}
