//! The quality half of the decision's property test: 10,000 random paired tables (both
//! arms' correct counts, discordant pairs, n, margin, whether quality parity is enough,
//! and a cost win or not) run through the comparison and the decision, checked against a
//! brute-force computation written here from the formulas, apart from the verdict code:
//! whether the margin is cleared (in whole counts), whether the difference is significant
//! (McNemar's exact test summed term by term; Newcombe's interval from its Wilson
//! intervals), the verdict, and which quality reasons count for and against.

use tunebench_core::decision::{
    recommend, ArmFigures, Choice, Evidence, MarginKind, QualityEvidence, Questions, ReasonKind,
    Supports, Verdict,
};
use tunebench_core::stats::{compare, CompareConfig, Comparison, Margin, VerdictKind};

use crate::verdict_edges::table_arms;

pub(crate) struct Lcg(pub(crate) u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        (self.next() % n.max(1) as u64) as u32
    }
}

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

fn wilson(k: u32, n: u32) -> (f64, f64) {
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Newcombe's method 10 for p_B − p_A, from the table (e both, f B only, g A only, h neither).
fn newcombe(e: u32, g: u32, f: u32, h: u32) -> (f64, f64) {
    let n = e + f + g + h;
    let (pa, pb) = ((e + g) as f64 / n as f64, (e + f) as f64 / n as f64);
    let (la, ua) = wilson(e + g, n);
    let (lb, ub) = wilson(e + f, n);
    let d = ((e + f) as f64) * ((g + h) as f64) * ((e + g) as f64) * ((f + h) as f64);
    let phi = if d == 0.0 {
        0.0
    } else {
        (e as f64 * h as f64 - f as f64 * g as f64) / d.sqrt()
    };
    let lower =
        ((pb - lb).powi(2) - 2.0 * phi * (pb - lb) * (ua - pa) + (ua - pa).powi(2)).max(0.0);
    let upper =
        ((ub - pb).powi(2) - 2.0 * phi * (ub - pb) * (pa - la) + (pa - la).powi(2)).max(0.0);
    let t = pb - pa;
    ((t - lower.sqrt()).max(-1.0), (t + upper.sqrt()).min(1.0))
}

/// McNemar's exact two-sided p: 2 · Σ_{i ≤ min} C(d, i) / 2^d, summed in logs.
fn mcnemar(a_only: u32, b_only: u32, ln_fact: &[f64]) -> f64 {
    let d = (a_only + b_only) as usize;
    if d == 0 {
        return 1.0;
    }
    let k = a_only.min(b_only) as usize;
    let ln2d = d as f64 * std::f64::consts::LN_2;
    let sum: f64 = (0..=k)
        .map(|i| (ln_fact[d] - ln_fact[i] - ln_fact[d - i] - ln2d).exp())
        .sum();
    (2.0 * sum).min(1.0)
}

/// ln k! for k = 0..=2100 (every n a table is drawn with).
pub(crate) fn ln_factorials() -> Vec<f64> {
    std::iter::once(0.0)
        .chain((1..=2100).scan(0.0, |acc, i| {
            *acc += (i as f64).ln();
            Some(*acc)
        }))
        .collect()
}

/// A paired table of correct answers with its margin: cases both arms get right, A only,
/// B only, neither; the margin in whole per cent of A's rate (relative) or in points.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Table {
    pub(crate) n: u32,
    pub(crate) both: u32,
    pub(crate) a_only: u32,
    pub(crate) b_only: u32,
    pub(crate) neither: u32,
    /// B gains exactly 5 % of A's count.
    pub(crate) exact: bool,
    pub(crate) relative: bool,
    /// The margin in per cent.
    pub(crate) k: u32,
}

impl Table {
    /// Draw number `s` (one in five gains exactly 5 % of A's count); `None` when the
    /// cells do not fit in n, to be drawn again.
    pub(crate) fn draw(rng: &mut Lcg, s: u32) -> Option<Table> {
        let n = 5 + rng.below(1000);
        let exact = s.is_multiple_of(5) && n >= 42;
        let (both, a_only, b_only) = if exact {
            let a_right = 20 * (1 + rng.below(n / 21));
            let gain = a_right / 20;
            let a_only = rng.below((a_right / 4).max(1));
            (a_right - a_only, a_only, gain + a_only)
        } else {
            let d = rng.below(n / 3 + 1);
            let a_only = rng.below(d + 1);
            (rng.below(n - d + 1), a_only, d - a_only)
        };
        if both + a_only + b_only > n {
            return None;
        }
        let relative = rng.below(2) == 0;
        let k = rng.below(11);
        Some(Table {
            n,
            both,
            a_only,
            b_only,
            neither: n - both - a_only - b_only,
            exact,
            relative,
            k,
        })
    }

    pub(crate) fn margin(&self) -> Margin {
        let value = self.k as f64 / 100.0;
        if self.relative {
            Margin::Relative { value }
        } else {
            Margin::Absolute { value }
        }
    }

    /// The product's comparison of the table's two arms.
    pub(crate) fn compared(&self) -> Comparison {
        let (a, b) = table_arms(self.both, self.a_only, self.b_only, self.neither);
        compare(
            &a,
            &b,
            &CompareConfig {
                margin: self.margin(),
                resamples: 20,
                ..CompareConfig::default()
            },
        )
        .unwrap()
    }
}

/// The brute force's reading of a table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QualityTruth {
    /// McNemar's exact p.
    pub(crate) p: f64,
    /// Newcombe's interval of B − A.
    pub(crate) low: f64,
    pub(crate) high: f64,
    pub(crate) kind: VerdictKind,
    /// Not justified and the interval entirely below zero.
    pub(crate) regression: bool,
}

impl QualityTruth {
    /// Whether the margin is cleared (in whole counts), the difference significant
    /// (McNemar below 0.05 and the interval above zero), and so the verdict.
    pub(crate) fn of(t: &Table, ln_fact: &[f64]) -> QualityTruth {
        let (ca, cb) = (t.both + t.a_only, t.both + t.b_only);
        let gain = cb as i64 - ca as i64;
        let k = t.k as i64;
        let cleared = if t.relative {
            100 * gain >= k * ca as i64
        } else {
            100 * gain >= k * t.n as i64
        };
        let margin_value = if t.relative {
            t.k as f64 * ca as f64 / (100.0 * t.n as f64)
        } else {
            t.k as f64 / 100.0
        };
        let p = mcnemar(t.a_only, t.b_only, ln_fact);
        let (low, high) = newcombe(t.both, t.a_only, t.b_only, t.neither);
        let significant = p < 0.05 && low > 0.0;
        let kind = if cleared && significant {
            VerdictKind::Justified
        } else if high < margin_value - 1e-9 * margin_value.max(1.0) {
            VerdictKind::NotJustified
        } else {
            VerdictKind::Inconclusive
        };
        QualityTruth {
            p,
            low,
            high,
            kind,
            regression: high < 0.0 && kind != VerdictKind::Justified,
        }
    }

    /// Where the product's comparison disagrees: McNemar's p, the interval, the verdict.
    pub(crate) fn disagreements(&self, c: &Comparison) -> Vec<String> {
        let (p, low, high) = (self.p, self.low, self.high);
        let mut wrong = Vec::new();
        let app_p = c.mcnemar.map(|m| m.p_value).unwrap_or(f64::NAN);
        if (app_p - p).abs() > 1e-9 * p.max(1e-300) + 1e-15 {
            wrong.push(format!("McNemar p {app_p} vs {p}"));
        }
        if (c.interval.low - low).abs() > 1e-12 || (c.interval.high - high).abs() > 1e-12 {
            wrong.push(format!("interval {:?} vs ({low}, {high})", c.interval));
        }
        if c.verdict.kind != self.kind {
            wrong.push(format!("verdict {:?} vs {:?}", c.verdict.kind, self.kind));
        }
        wrong
    }
}

#[test]
fn ten_thousand_random_tables_give_the_verdict_and_reasons_a_brute_force_computation_gives() {
    let ln_fact = ln_factorials();
    let mut rng = Lcg(20261130);
    let mut disagreements: Vec<String> = Vec::new();
    let (mut justified, mut not_justified, mut inconclusive, mut exact_margin) = (0, 0, 0, 0);
    const SCENARIOS: u32 = 10_000;
    let (mut s, mut scenarios) = (0u32, 0u32);
    while scenarios < SCENARIOS {
        s += 1;
        let Some(t) = Table::draw(&mut rng, s) else {
            continue;
        };
        let Table {
            n,
            both,
            a_only,
            b_only,
            ..
        } = t;
        let margin = t.margin();
        scenarios += 1;
        exact_margin += u32::from(t.exact);
        let parity = rng.below(2) == 0;
        let cost_win = rng.below(2) == 0;

        // Brute force, and the app.
        let truth = QualityTruth::of(&t, &ln_fact);
        let (want_kind, regression) = (truth.kind, truth.regression);
        let c = t.compared();
        let mut wrong = truth.disagreements(&c);
        match want_kind {
            VerdictKind::Justified => justified += 1,
            VerdictKind::NotJustified => not_justified += 1,
            VerdictKind::Inconclusive => inconclusive += 1,
        }

        // The decision on that comparison, with or without a cost win.
        let (margin_f, margin_kind) = match margin {
            Margin::Relative { value } => (value, MarginKind::Relative),
            Margin::Absolute { value } => (value, MarginKind::Absolute),
        };
        let e = Evidence {
            quality: Some(QualityEvidence {
                verdict: match c.verdict.kind {
                    VerdictKind::Justified => Verdict::Justified,
                    VerdictKind::NotJustified => Verdict::NotJustified,
                    VerdictKind::Inconclusive => Verdict::Inconclusive,
                },
                metric: "accuracy".into(),
                difference: c.difference,
                ci_low: c.interval.low,
                ci_high: c.interval.high,
                margin: margin_f,
                margin_kind,
                cases_needed: c.verdict.cases_to_settle,
            }),
            monthly_cost: if cost_win {
                ArmFigures::new(328.32, 45.60)
            } else {
                ArmFigures::new(45.60, 328.32)
            },
            today: "2026-11-29".into(),
            train_examples: Some(2000),
            ..Evidence::default()
        };
        let q = Questions {
            labelled_examples: 2000,
            queries_per_day: 10_000.0,
            quality_parity_enough: parity,
            ..Questions::default()
        };
        let r = recommend(&q, &e);
        let quality_supports = r
            .reasons
            .iter()
            .find(|x| x.kind == ReasonKind::Quality)
            .map(|x| x.supports);
        let want_quality = if want_kind == VerdictKind::Justified {
            Supports::FineTune
        } else if regression || want_kind == VerdictKind::NotJustified {
            Supports::KeepPrompting
        } else {
            Supports::Neutral
        };
        if quality_supports != Some(want_quality) {
            wrong.push(format!(
                "quality supports {quality_supports:?} vs {want_quality:?}"
            ));
        }
        let cost_supports = r
            .reasons
            .iter()
            .find(|x| x.kind == ReasonKind::Cost)
            .map(|x| x.supports);
        let want_cost = if cost_win {
            Supports::FineTune
        } else {
            Supports::Against
        };
        if cost_supports != Some(want_cost) {
            wrong.push(format!("cost supports {cost_supports:?} vs {want_cost:?}"));
        }
        let want_choice = if want_kind == VerdictKind::Justified {
            Choice::FineTune
        } else if regression {
            Choice::KeepPrompting
        } else if cost_win && parity {
            Choice::FineTune
        } else {
            Choice::KeepPrompting
        };
        if r.choice != want_choice {
            wrong.push(format!("choice {:?} vs {want_choice:?}", r.choice));
        }
        // A quality result that is not a gain, beside a cost win, is always a stated conflict.
        let quality_conflict = r.conflicts.iter().any(|x| {
            x.contains("but fine-tuned arm differs")
                || x.contains("but quality is inconclusive")
                || x.contains("but fine-tuned arm is worse")
        });
        let want_conflict = cost_win && want_kind != VerdictKind::Justified;
        if quality_conflict != want_conflict {
            wrong.push(format!(
                "quality conflict {quality_conflict} vs {want_conflict}: {:?}",
                r.conflicts
            ));
        }
        if !wrong.is_empty() {
            disagreements.push(format!(
                "n={n} both={both} a_only={a_only} b_only={b_only} margin={margin:?} parity={parity} cost_win={cost_win}: {}",
                wrong.join("; ")
            ));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements, first: {:#?}",
        disagreements.len(),
        &disagreements[..disagreements.len().min(5)]
    );
    // The scenarios reach every verdict, and the boundary of the margin.
    let total = justified + not_justified + inconclusive;
    assert_eq!(total, SCENARIOS);
    assert!(
        justified > 500 && not_justified > 500 && inconclusive > 500,
        "{justified} {not_justified} {inconclusive}"
    );
    assert!(exact_margin >= 1000, "{exact_margin}");
}
