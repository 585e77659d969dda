//! How the decision writes its figures in reasons: thousands separators, percentages,
//! metric points, money, milliseconds and whole days between two dates. Deterministic and
//! locale-free, so a reason reads the same on every machine and in every report.

use chrono::NaiveDate;

/// `x` rounded to a whole number with comma thousands separators: `40000.0` → `40,000`.
/// Non-finite values are written as `n/a` rather than panicking.
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    let rounded = x.round();
    let digits = format!("{:.0}", rounded.abs());
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if rounded < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// A fraction as a whole percentage with the French-style spaced sign used across
/// Tunebench's reports: `0.62` → `62 %`, `0.055` → `6 %` (half away from zero).
pub fn percent(fraction: f64) -> String {
    format!("{} %", thousands(fraction * 100.0))
}

/// A fraction as a percentage with one decimal: `0.994` → `99.4 %`.
pub fn percent_1(fraction: f64) -> String {
    if !fraction.is_finite() {
        return "n/a".to_string();
    }
    format!("{:.1} %", fraction * 100.0)
}

/// A difference on a metric's 0..1 scale as points with one decimal: `0.072` → `7.2`,
/// `-0.0081` → `-0.8`. A result that rounds to zero is written `0.0`, never `-0.0`.
pub fn points(difference: f64) -> String {
    if !difference.is_finite() {
        return "n/a".to_string();
    }
    let p = (difference * 1000.0).round() / 10.0;
    if p == 0.0 {
        "0.0".to_string()
    } else {
        format!("{p:.1}")
    }
}

/// Like [`points`] with an explicit sign on positive values: `+1.2`, `-0.8`, `0.0`.
pub fn signed_points(difference: f64) -> String {
    let p = points(difference);
    if difference.is_finite() && !p.starts_with('-') && p != "0.0" {
        format!("+{p}")
    } else {
        p
    }
}

/// `x` with at most one decimal, a trailing `.0` dropped: `8.0` → `8`, `7.46` → `7.5`.
pub fn one_decimal(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".to_string();
    }
    let s = format!("{:.1}", (x * 10.0).round() / 10.0);
    match s.strip_suffix(".0") {
        Some("-0") => "0".to_string(),
        Some(whole) => whole.to_string(),
        None => s,
    }
}

/// A rate such as monthly growth, one decimal at most: `0.06` → `6 %`, `0.025` → `2.5 %`.
pub fn rate(fraction: f64) -> String {
    format!("{} %", one_decimal(fraction * 100.0))
}

/// Milliseconds, whole, with thousands separators: `1149.6` → `1,150 ms`.
pub fn millis(ms: f64) -> String {
    format!("{} ms", thousands(ms))
}

/// US dollars by the app's one money rule ([`crate::money::usd`]): `$2,030`, `$12.40`,
/// `$0.0831`.
pub fn dollars(amount: f64) -> String {
    if !amount.is_finite() {
        return "n/a".to_string();
    }
    crate::money::usd(amount)
}

/// A count with its noun, singular for exactly one: `(1, "day")` → `1 day`,
/// `(46, "day")` → `46 days`, `(1800, "example")` → `1,800 examples`.
pub fn count(n: i64, noun: &str) -> String {
    let s = if n == 1 || n == -1 { "" } else { "s" };
    // Exact for every count a reason holds (days and examples stay far below 2^53).
    format!("{} {noun}{s}", thousands(n as f64))
}

/// A `YYYY-MM-DD` date; `None` when the text is not one.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// Whole days from `today` to `date` (negative when `date` has passed); `None` when either
/// is not a `YYYY-MM-DD` date.
pub fn days_until(today: &str, date: &str) -> Option<i64> {
    Some((parse_date(date)? - parse_date(today)?).num_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits_in_threes() {
        for (x, want) in [
            (0.0, "0"),
            (7.0, "7"),
            (999.0, "999"),
            (1000.0, "1,000"),
            (40000.0, "40,000"),
            (1234567.0, "1,234,567"),
            (1999.5, "2,000"),
            (-12345.0, "-12,345"),
            (f64::NAN, "n/a"),
            (f64::INFINITY, "n/a"),
        ] {
            assert_eq!(thousands(x), want, "thousands({x})");
        }
    }

    #[test]
    fn percentages_are_whole_or_one_decimal_with_a_spaced_sign() {
        assert_eq!(percent(0.62), "62 %");
        assert_eq!(percent(0.05), "5 %");
        assert_eq!(percent(0.055), "6 %");
        assert_eq!(percent(1.0), "100 %");
        assert_eq!(percent(12.5), "1,250 %");
        assert_eq!(percent_1(0.994), "99.4 %");
        assert_eq!(percent_1(0.9), "90.0 %");
        assert_eq!(percent_1(f64::NAN), "n/a");
    }

    #[test]
    fn points_scale_a_fraction_to_one_decimal_and_never_print_minus_zero() {
        assert_eq!(points(0.072), "7.2");
        assert_eq!(points(0.11), "11.0");
        assert_eq!(points(-0.0081), "-0.8");
        assert_eq!(points(-0.0001), "0.0");
        assert_eq!(signed_points(0.012), "+1.2");
        assert_eq!(signed_points(-0.03), "-3.0");
        assert_eq!(signed_points(0.0), "0.0");
    }

    #[test]
    fn one_decimal_drops_a_trailing_zero() {
        assert_eq!(one_decimal(8.0), "8");
        assert_eq!(one_decimal(7.46), "7.5");
        assert_eq!(one_decimal(-0.01), "0");
        assert_eq!(rate(0.06), "6 %");
        assert_eq!(rate(0.025), "2.5 %");
    }

    #[test]
    fn milliseconds_and_dollars_round_sensibly() {
        assert_eq!(millis(420.0), "420 ms");
        assert_eq!(millis(1149.6), "1,150 ms");
        assert_eq!(dollars(2030.4), "$2,030");
        assert_eq!(dollars(100.0), "$100");
        assert_eq!(dollars(12.4), "$12.40");
        assert_eq!(dollars(0.0), "$0.00");
        assert_eq!(dollars(0.0831), "$0.0831");
        assert_eq!(dollars(f64::NAN), "n/a");
    }

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(count(1, "day"), "1 day");
        assert_eq!(count(46, "day"), "46 days");
        assert_eq!(count(0, "day"), "0 days");
        assert_eq!(count(1800, "example"), "1,800 examples");
    }

    #[test]
    fn days_until_counts_calendar_days_across_months_and_leap_years() {
        assert_eq!(days_until("2026-11-29", "2027-01-14"), Some(46));
        assert_eq!(days_until("2026-11-29", "2026-11-29"), Some(0));
        assert_eq!(days_until("2026-11-29", "2026-11-28"), Some(-1));
        assert_eq!(
            days_until("2028-02-28", "2028-03-01"),
            Some(2),
            "2028 is a leap year"
        );
        assert_eq!(days_until("2027-02-28", "2027-03-01"), Some(1));
        assert_eq!(
            days_until(" 2026-11-29 ", "2027-01-14"),
            Some(46),
            "outer spaces are trimmed"
        );
    }

    #[test]
    fn days_until_refuses_text_that_is_not_a_date() {
        assert_eq!(days_until("2026-11-29", "2027-13-01"), None);
        assert_eq!(days_until("2026-11-29", "14/01/2027"), None);
        assert_eq!(days_until("", "2027-01-14"), None);
        assert_eq!(days_until("2026-11-29", "2027-02-30"), None);
    }
}
