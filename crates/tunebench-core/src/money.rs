//! How money and counts are written for people: `$1,241`, `$2.25`, `$0.00108`, `43,895`.

/// US dollars with thousands separators; small amounts keep three significant digits.
pub fn usd(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    let body = if a >= 100.0 {
        count(a)
    } else if a >= 1.0 || a == 0.0 {
        format!("{a:.2}")
    } else {
        let digits = (-a.log10()).floor() as usize + 3;
        let s = format!("{a:.digits$}");
        let s = s.trim_end_matches('0');
        s.strip_suffix('.').unwrap_or(s).to_string()
    };
    format!("{sign}${body}")
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

    #[test]
    fn dollars_read_the_way_people_write_them() {
        assert_eq!(usd(1241.0), "$1,241");
        assert_eq!(usd(1_422.4), "$1,422");
        assert_eq!(usd(2.25), "$2.25");
        assert_eq!(usd(0.00108), "$0.00108");
        assert_eq!(usd(0.00063), "$0.00063");
        assert_eq!(usd(0.0), "$0.00");
        assert_eq!(usd(-12_345.0), "-$12,345");
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
