//! Several arms in one experiment: Holm's correction over the comparisons and the margin
//! rule per comparison, against a table worked by hand from p-values checked with
//! statsmodels.

use tunebench_core::stats::family::{correct, Challenge};
use tunebench_core::stats::{compare, ArmScores, CaseScore, CompareConfig, VerdictKind};

/// Two arms over 400 paired binary cases: `both` right in both, `a_only` right in `a`
/// only, `b_only` right in `b` only, the rest wrong in both.
fn pair(a: &str, b: &str, both: u32, a_only: u32, b_only: u32) -> (ArmScores, ArmScores) {
    let case = |i: u32, right: bool| CaseScore {
        example_id: i as i32,
        error: false,
        value: f64::from(u8::from(right)),
        expected_label: None,
        predicted_label: None,
        counts: Vec::new(),
    };
    let (mut xa, mut xb) = (Vec::new(), Vec::new());
    for i in 0..400 {
        let (ra, rb) = if i < both {
            (true, true)
        } else if i < both + a_only {
            (true, false)
        } else if i < both + a_only + b_only {
            (false, true)
        } else {
            (false, false)
        };
        xa.push(case(i, ra));
        xb.push(case(i, rb));
    }
    (
        ArmScores {
            arm: a.into(),
            cases: xa,
        },
        ArmScores {
            arm: b.into(),
            cases: xb,
        },
    )
}

fn challenge(
    base: &str,
    arm: &str,
    kind: &str,
    against_baseline: bool,
    counts: (u32, u32, u32),
) -> Challenge {
    let (x, y) = pair(base, arm, counts.0, counts.1, counts.2);
    Challenge {
        kind: kind.into(),
        against_baseline,
        comparison: compare(&x, &y, &CompareConfig::default()).unwrap(),
    }
}

/// The hand-worked table. Arm A is right on 300 of 400 cases (0.75); the margin is the
/// default 5 % relative (0.0375 against A, 0.04 against B's 0.8).
///
/// | comparison | both | a_only | b_only | diff   | McNemar p (statsmodels exact) | rank | × | Holm p        |
/// |------------|------|--------|--------|--------|-------------------------------|------|---|---------------|
/// | B vs A     | 290  | 10     | 30     | +0.05  | 0.0022214337732293643         | 2    | 4 | 0.0088857351  |
/// | C vs A     | 286  | 14     | 30     | +0.04  | 0.022628841205914796          | 3    | 3 | 0.0678865236  |
/// | D vs A     | 295  | 5      | 35     | +0.075 | 1.382612026645802e-06         | 1    | 5 | 6.91306e-06   |
/// | E vs A     | 280  | 20     | 25     | +0.0125| 0.5514843298025198            | 5    | 1 | 0.5514843298  |
/// | D vs B     | 312  | 8      | 18     | +0.025 | 0.07551869750022888           | 4    | 2 | 0.1510373950  |
///
/// p: `statsmodels.stats.contingency_tables.mcnemar([[0, a_only], [b_only, 0]],
/// exact=True).pvalue`; Holm: sort ascending, multiply the i-th smallest by (5 − i + 1),
/// keep the running maximum, cap at 1 — the same figures as `statsmodels.stats.multitest.
/// multipletests(p, method="holm")`. Already monotone here, so each Holm p is p × factor.
///
/// Decisions at α = 0.05: B clears the margin (+0.05 ≥ 0.0375, Holm p 0.0089). C reaches
/// the margin (+0.04) and is significant alone (0.023) but not after Holm (0.068): held
/// back as inconclusive. D clears against A (Holm p 6.9e-6), but against its fine-tuned arm
/// B it gains +0.025, below the margin of 0.04 and Holm p 0.151: not shown to add anything,
/// so the best arm is B, the fine-tuned arm, though D scores higher (0.825 vs 0.8). E gains
/// +0.0125, below the margin.
#[test]
fn holm_adjusted_decisions_match_the_hand_worked_table() {
    let challenges = [
        challenge("A", "B", "fine_tuned", true, (290, 10, 30)),
        challenge("A", "C", "prompt", true, (286, 14, 30)),
        challenge("A", "D", "hybrid", true, (295, 5, 35)),
        challenge("A", "E", "prompt", true, (280, 20, 25)),
        challenge("B", "D", "hybrid", false, (312, 8, 18)),
    ];
    let p = [
        0.0022214337732293643,
        0.022628841205914796,
        1.382612026645802e-06,
        0.5514843298025198,
        0.07551869750022888,
    ];
    let holm = [
        0.0022214337732293643 * 4.0,
        0.022628841205914796 * 3.0,
        1.382612026645802e-06 * 5.0,
        0.5514843298025198,
        0.07551869750022888 * 2.0,
    ];
    let family = correct(&challenges);
    assert_eq!(family.comparisons.len(), 5);
    for (i, c) in family.comparisons.iter().enumerate() {
        let rel = |x: f64, want: f64| ((x - want) / want).abs() < 1e-9;
        assert!(
            rel(c.p_value, p[i]),
            "{} vs {}: p {} not {}",
            c.arm,
            c.against,
            c.p_value,
            p[i]
        );
        assert_eq!(c.mcnemar_p, Some(c.p_value));
        assert!(
            rel(c.holm_p, holm[i]),
            "{}: {} not {}",
            c.arm,
            c.holm_p,
            holm[i]
        );
    }
    let kinds: Vec<VerdictKind> = family.comparisons.iter().map(|c| c.verdict_kind).collect();
    use VerdictKind::*;
    assert_eq!(
        kinds,
        [
            Justified,
            Inconclusive,
            Justified,
            Inconclusive,
            Inconclusive
        ]
    );
    // C was justified before the correction: the unadjusted two-arm rule lets it pass.
    assert_eq!(challenges[1].comparison.verdict.kind, Justified);
    assert!(
        family.comparisons[1]
            .sentence
            .contains("significant on its own (p = 0.023) but not after Holm's correction over 5 comparisons (adjusted p = 0.068 ≥ 0.05)"),
        "{}",
        family.comparisons[1].sentence
    );
    assert_eq!(family.best_arm.as_deref(), Some("B"));
    assert_eq!(family.verdict_kind, Justified);
    assert!(family.comparisons[0].leading);
    assert_eq!(family.comparisons.iter().filter(|c| c.leading).count(), 1);
    assert!(
        family.verdict.starts_with(
            "B is the best arm that clears the margin of 0.038 against A: B − A on accuracy is +0.05 (0.8 vs 0.75; 95 % CI"
        ),
        "{}",
        family.verdict
    );
    assert!(
        family
            .verdict
            .contains("D − B on accuracy is +0.025 (0.825 vs 0.8;"),
        "{}",
        family.verdict
    );
    assert!(family
        .verdict
        .contains("Holm's correction over 5 comparisons"));
}

#[test]
fn no_arm_clearing_the_margin_names_the_closest_and_says_so() {
    let challenges = [
        challenge("A", "B", "fine_tuned", true, (290, 20, 25)),
        challenge("A", "C", "hybrid", true, (290, 10, 10)),
    ];
    let family = correct(&challenges);
    assert_eq!(family.best_arm, None);
    assert_ne!(family.verdict_kind, VerdictKind::Justified);
    assert!(
        family
            .verdict
            .starts_with("No arm clears the margin against A on accuracy; the closest is B − A"),
        "{}",
        family.verdict
    );
    // Two comparisons: the smaller p doubled, the larger kept (statsmodels agrees).
    let (pb, pc) = (family.comparisons[0].p_value, family.comparisons[1].p_value);
    assert_eq!(pc, 1.0);
    assert!((family.comparisons[0].holm_p - (2.0 * pb).min(1.0)).abs() < 1e-12);
    assert_eq!(family.comparisons[1].holm_p, 1.0);

    // Equal differences: the earlier arm leads (and, both clearing, is the best).
    let tie = correct(&[
        challenge("A", "B", "fine_tuned", true, (290, 10, 30)),
        challenge("A", "C", "hybrid", true, (290, 10, 30)),
    ]);
    assert!(tie.comparisons[0].leading && !tie.comparisons[1].leading);
    assert_eq!(tie.best_arm.as_deref(), Some("B"));
}
