//! The margin rule: fine-tuning (arm B) must beat prompting (arm A) by at least the margin
//! on the primary metric, with a confidence interval for B − A that excludes zero.
//!
//! * **justified**: B − A ≥ margin and the interval's lower bound > 0 and, for binary
//!   scores, McNemar's exact test significant at the same level (1 − confidence), so the
//!   verdict never claims what the exact test denies;
//! * **not justified**: the interval's upper bound < margin (the data rule out a gain as
//!   large as the margin);
//! * **inconclusive** otherwise, with the number of cases that would settle it if the
//!   observed difference and its spread held (the interval's half-width shrinks as 1/√n).
//!   That figure, [`Verdict::cases_to_settle`], is the one "cases that would settle it" of
//!   the report and the decision alike.
//!
//! Comparisons with the margin allow [`MARGIN_TOLERANCE`]: differences of rates are ratios
//! of counts, and 336/400 − 320/400 = 0.04 exactly, yet 0.84 − 0.8 < 0.05 · 0.8 in
//! floating point. A difference within 1e-9 (relative to the margin, at least 1e-9
//! absolute) of the margin is taken as equal to it.

use serde::{Deserialize, Serialize};

use crate::stats::mcnemar::{mcnemar_exact, McNemar};
use crate::stats::Interval;

/// How much better B must be. `relative`: a fraction of A's value (0.05 = 5 %);
/// `absolute`: in the metric's own units (0.02 = 2 points of a rate).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Margin {
    Relative { value: f64 },
    Absolute { value: f64 },
}

impl Default for Margin {
    fn default() -> Self {
        Margin::Relative { value: 0.05 }
    }
}

impl Margin {
    /// The margin in the metric's units, given arm A's value.
    pub fn absolute(&self, a_value: f64) -> f64 {
        match *self {
            Margin::Relative { value } => value * a_value.abs(),
            Margin::Absolute { value } => value,
        }
    }

    /// How the margin reads in a sentence.
    pub fn describe(&self, arm_a: &str, a_value: f64) -> String {
        match *self {
            Margin::Relative { value } => format!(
                "{} ({}% relative to {arm_a}'s {})",
                num(self.absolute(a_value)),
                num(value * 100.0),
                num(a_value)
            ),
            Margin::Absolute { value } => format!("{} (absolute)", num(value)),
        }
    }
}

/// The three outcomes of the margin rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    Justified,
    NotJustified,
    Inconclusive,
}

/// The verdict with the sentence that states it and its numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Verdict {
    pub kind: VerdictKind,
    /// One plain sentence carrying the numbers.
    pub sentence: String,
    /// For an inconclusive verdict: paired cases that would settle it, if the observed
    /// difference and spread held.
    pub cases_to_settle: Option<u32>,
}

/// What the verdict is decided from.
#[derive(Debug, Clone)]
pub struct VerdictInput<'a> {
    pub metric: &'a str,
    pub arm_a: &'a str,
    pub arm_b: &'a str,
    pub a_value: f64,
    pub b_value: f64,
    pub difference: f64,
    pub interval: Interval,
    pub margin: Margin,
    pub n: u32,
    /// McNemar's exact test, when the scores are binary: a justified verdict needs its
    /// p-value below 1 − confidence.
    pub exact: Option<McNemar>,
    /// Appended to the sentence (e.g. how errors were treated).
    pub note: &'a str,
}

/// How close to the margin a figure counts as on it: 1e-9 of the margin, and at least
/// 1e-9 (far below any difference of counts over fewer than a billion cases).
pub const MARGIN_TOLERANCE: f64 = 1e-9;

/// Whether `x` reaches `margin`, allowing for the rounding of differences of counts.
pub fn reaches(x: f64, margin: f64) -> bool {
    x >= margin - MARGIN_TOLERANCE * margin.abs().max(1.0)
}

/// A number for a sentence: three decimals, sign shown when asked.
pub(crate) fn num(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_owned();
    if s == "-0" {
        "0".to_owned()
    } else {
        s
    }
}

pub(crate) fn signed(x: f64) -> String {
    let s = num(x);
    if s.starts_with('-') || s == "0" {
        s
    } else {
        format!("+{s}")
    }
}

/// The fewest paired cases at which the discordant pairs of `m`, scaled in the same
/// proportion, make McNemar's exact test significant at `alpha`; `None` when the pairs
/// are balanced (no number of cases would) or when it would take more than 100 times n.
fn cases_for_exact_test(m: McNemar, n: u32, alpha: f64) -> Option<u32> {
    let d = m.a_only + m.b_only;
    if d == 0 || m.a_only == m.b_only || n == 0 {
        return None;
    }
    let (share_a, share_b) = (
        f64::from(m.a_only) / f64::from(d),
        f64::from(m.b_only) / f64::from(d),
    );
    (d + 1..=d.saturating_mul(100)).find_map(|more| {
        let (a, b) = (
            (share_a * f64::from(more)).round() as u32,
            (share_b * f64::from(more)).round() as u32,
        );
        (mcnemar_exact(a, b).p_value < alpha)
            .then(|| (f64::from(n) * f64::from(more) / f64::from(d)).ceil() as u32)
    })
}

/// Applies the margin rule.
pub fn decide(v: &VerdictInput<'_>) -> Verdict {
    let margin = v.margin.absolute(v.a_value);
    let ci = format!(
        "{:.0} % CI {} to {}",
        v.interval.confidence * 100.0,
        signed(v.interval.low),
        signed(v.interval.high)
    );
    let diff = format!(
        "{} − {} on {} is {} ({} vs {}; {ci})",
        v.arm_b,
        v.arm_a,
        v.metric,
        signed(v.difference),
        num(v.b_value),
        num(v.a_value)
    );
    let margin_text = v.margin.describe(v.arm_a, v.a_value);
    let tail = format!("n = {} paired cases{}", v.n, v.note);
    let alpha = 1.0 - v.interval.confidence;
    let exact_agrees = v.exact.is_none_or(|m| m.p_value < alpha);
    if reaches(v.difference, margin) && v.interval.low > 0.0 && exact_agrees {
        return Verdict {
            kind: VerdictKind::Justified,
            sentence: format!(
                "Fine-tuning is justified on quality: {diff}, at least the margin of {margin_text} with an interval above zero; {tail}."
            ),
            cases_to_settle: None,
        };
    }
    if !reaches(v.interval.high, margin) {
        return Verdict {
            kind: VerdictKind::NotJustified,
            sentence: format!(
                "Fine-tuning is not justified on quality: {diff}, and the interval's upper bound is below the margin of {margin_text}; {tail}."
            ),
            cases_to_settle: None,
        };
    }
    // The half-width must shrink below the gap to the nearer decisive boundary.
    let half = (v.interval.high - v.interval.low) / 2.0;
    let gap = if reaches(v.difference, margin) {
        v.difference
    } else {
        margin - v.difference
    };
    // When the exact test alone holds the verdict back, more cases settle it once the
    // same discordant pairs, in the same proportion, make the test significant.
    let exact_blocks = v
        .exact
        .filter(|m| m.p_value >= alpha && v.interval.low > 0.0);
    let cases_to_settle = match exact_blocks {
        Some(m) => cases_for_exact_test(m, v.n, alpha),
        None => crate::stats::power::cases_needed(v.n, half, gap),
    }
    .filter(|&c| c > v.n);
    let exact = match exact_blocks {
        Some(m) => format!(
            "; McNemar's exact test is not significant (p = {})",
            num(m.p_value)
        ),
        None => String::new(),
    };
    let settle = match cases_to_settle {
        Some(c) => {
            format!("about {c} paired cases would settle it if the difference and its spread held")
        }
        None => "more cases would not settle it at this difference".to_owned(),
    };
    Verdict {
        kind: VerdictKind::Inconclusive,
        sentence: format!(
            "Inconclusive: {diff} against a margin of {margin_text}{exact}; {settle}; {tail}."
        ),
        cases_to_settle,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(diff: f64, low: f64, high: f64) -> VerdictInput<'static> {
        VerdictInput {
            metric: "accuracy",
            arm_a: "prompting",
            arm_b: "fine-tuned",
            a_value: 0.8,
            b_value: 0.8 + diff,
            difference: diff,
            interval: Interval {
                low,
                high,
                confidence: 0.95,
            },
            margin: Margin::default(),
            n: 400,
            exact: None,
            note: "",
        }
    }

    #[test]
    fn a_gain_above_the_margin_with_an_interval_above_zero_is_justified() {
        let v = decide(&input(0.06, 0.02, 0.10));
        assert_eq!(v.kind, VerdictKind::Justified);
        assert!(
            v.sentence.contains("+0.06") && v.sentence.contains("0.04 (5% relative"),
            "{}",
            v.sentence
        );
    }

    #[test]
    fn an_interval_entirely_below_the_margin_is_not_justified() {
        assert_eq!(
            decide(&input(0.01, -0.01, 0.035)).kind,
            VerdictKind::NotJustified
        );
    }

    #[test]
    fn a_gain_above_the_margin_whose_interval_includes_zero_is_inconclusive_with_a_case_count() {
        let v = decide(&input(0.05, -0.01, 0.11));
        assert_eq!(v.kind, VerdictKind::Inconclusive);
        // Half-width 0.06 must fall below 0.05: 400 · (0.06/0.05)² = 576.
        assert_eq!(v.cases_to_settle, Some(576));
        assert!(v.sentence.contains("576"), "{}", v.sentence);
    }

    #[test]
    fn a_difference_of_exactly_the_margin_clears_it() {
        // 336/400 − 320/400 is 0.04, 5 % of 0.8, though 0.84 − 0.8 < 0.05 · 0.8 in f64.
        let (a, b) = (320.0 / 400.0, 336.0 / 400.0);
        let mut i = input(b - a, 0.001, 0.08);
        i.a_value = a;
        i.b_value = b;
        assert_eq!(
            decide(&i).kind,
            VerdictKind::Justified,
            "{}",
            decide(&i).sentence
        );
        // An upper bound of exactly the margin does not rule the margin out.
        let mut i = input(0.0, -0.04, b - a);
        i.a_value = a;
        assert_eq!(decide(&i).kind, VerdictKind::Inconclusive);
    }

    #[test]
    fn no_justified_verdict_where_mcnemar_s_exact_test_is_not_significant() {
        let mut i = input(0.25, 0.02, 0.45);
        // n = 40 with 7 vs 1 discordant cases: p = 18/256.
        i.exact = Some(mcnemar_exact(1, 7));
        i.n = 40;
        let v = decide(&i);
        assert_eq!(v.kind, VerdictKind::Inconclusive);
        assert!(
            v.sentence
                .contains("McNemar's exact test is not significant (p = 0.07)"),
            "{}",
            v.sentence
        );
        // Nine discordant pairs in the same proportion (8 vs 1) give p = 10/256 < 0.05:
        // 40 · 9 / 8 = 45 cases.
        assert_eq!(v.cases_to_settle, Some(45), "{}", v.sentence);
        assert!(v.sentence.contains("about 45 paired cases would settle it"));
        i.exact = Some(mcnemar_exact(0, 10));
        assert_eq!(decide(&i).kind, VerdictKind::Justified);
    }

    #[test]
    fn absolute_margins_are_taken_in_the_metric_units() {
        let m = Margin::Absolute { value: 0.02 };
        assert_eq!(m.absolute(0.8), 0.02);
        assert!((Margin::default().absolute(0.8) - 0.04).abs() < 1e-15);
    }
}
