//! The decision read against its quality evidence: metric scales and units, a quality
//! result that is not a gain, format and latency evidence that must be significant and
//! count failed calls, and a run where neither arm does the task. Snapshots show the
//! sentences a reader of the decision report sees.

use tunebench_core::decision::{
    recommend, ArmCallFailures, ArmFigures, CallFailures, Choice, Evidence, FormatCheck,
    FormatCounts, FormatNeed, MarginKind, QualityEvidence, Questions, Recommendation, Supports,
    Verdict,
};

const TODAY: &str = "2026-11-29";

fn quality(metric: &str, verdict: Verdict, difference: f64, ci: (f64, f64)) -> QualityEvidence {
    QualityEvidence {
        verdict,
        metric: metric.to_string(),
        difference,
        ci_low: ci.0,
        ci_high: ci.1,
        margin: 0.05,
        margin_kind: MarginKind::Relative,
        cases_needed: None,
    }
}

/// A team with enough examples and no other needs, at 10,000 queries a day.
fn questions() -> Questions {
    Questions {
        labelled_examples: 1800,
        queries_per_day: 10_000.0,
        ..Questions::default()
    }
}

fn evidence(q: QualityEvidence) -> Evidence {
    Evidence {
        quality: Some(q),
        today: TODAY.to_string(),
        train_examples: Some(1800),
        ..Evidence::default()
    }
}

/// The recommendation as a reader sees it: choice headline, conflicts, reasons.
fn as_read(r: &Recommendation) -> String {
    let mut out = format!("{}\n", r.headline);
    for c in &r.conflicts {
        out.push_str(&format!("conflict: {c}\n"));
    }
    for x in &r.reasons {
        out.push_str(&format!("{:?}: {}\n", x.supports, x.text));
    }
    out
}

fn quality_text(r: &Recommendation) -> &str {
    &r.reasons
        .iter()
        .find(|x| x.kind == tunebench_core::decision::ReasonKind::Quality)
        .unwrap()
        .text
}

#[test]
fn a_bleu_difference_is_written_in_bleu_on_its_0_to_100_scale() {
    let cases = [
        (
            quality("bleu", Verdict::Justified, 3.5, (1.2, 5.8)),
            "Fine-tuned arm is better by 3.5 BLEU (95 % CI 1.2 to 5.8), above the 5 % margin",
        ),
        (
            quality("chrf", Verdict::NotJustified, 0.4, (-0.9, 1.6)),
            "Fine-tuned arm differs by +0.4 chrF (95 % CI -0.9 to 1.6): not above the 5 % margin",
        ),
        (
            QualityEvidence {
                margin: 2.0,
                margin_kind: MarginKind::Absolute,
                ..quality("bleu", Verdict::Inconclusive, 1.5, (-0.5, 3.5))
            },
            "Quality is inconclusive: fine-tuned arm differs by +1.5 BLEU (95 % CI -0.5 to 3.5) against the 2.0 BLEU margin",
        ),
        (
            quality("accuracy", Verdict::Justified, 0.072, (0.031, 0.11)),
            "Fine-tuned arm is better by 7.2 points of accuracy (95 % CI 3.1 to 11.0), above the 5 % margin",
        ),
    ];
    for (q, want) in cases {
        let r = recommend(&questions(), &evidence(q));
        assert_eq!(quality_text(&r), want);
    }
    let r = recommend(
        &questions(),
        &evidence(quality("bleu", Verdict::Justified, 3.5, (1.2, 5.8))),
    );
    insta::assert_snapshot!("decision_bleu_gain", as_read(&r));
}

/// The case 13: not justified, −0.04 with CI −0.081..+0.001, and a cost win.
fn likely_loss_with_a_cost_win() -> Evidence {
    Evidence {
        monthly_cost: ArmFigures::new(328.32, 45.60),
        ..evidence(quality(
            "accuracy",
            Verdict::NotJustified,
            -0.04,
            (-0.081, 0.001),
        ))
    }
}

#[test]
fn a_cost_win_does_not_carry_fine_tuning_past_a_quality_result_that_is_not_a_gain() {
    let r = recommend(&questions(), &likely_loss_with_a_cost_win());
    assert_eq!(r.choice, Choice::KeepPrompting, "{r:#?}");
    assert_eq!(
        r.headline,
        "Keep prompting: fine-tuning wins on cost but does not beat prompting by the margin on quality"
    );
    assert_eq!(r.conflicts.len(), 1, "{:?}", r.conflicts);
    assert!(
        r.conflicts[0].ends_with(
            "but fine-tuned arm differs by -4.0 points of accuracy (95 % CI -8.1 to 0.1): not above the 5 % margin"
        ),
        "{}",
        r.conflicts[0]
    );
    insta::assert_snapshot!("decision_quality_loss_with_cost_win", as_read(&r));
}

#[test]
fn when_quality_parity_is_enough_the_cost_win_carries_and_the_quality_result_is_a_stated_conflict()
{
    let q = Questions {
        quality_parity_enough: true,
        ..questions()
    };
    let r = recommend(&q, &likely_loss_with_a_cost_win());
    assert_eq!(r.choice, Choice::FineTune);
    assert!(
        r.conflicts
            .iter()
            .any(|c| c.contains("but fine-tuned arm differs by -4.0 points of accuracy")),
        "{:?}",
        r.conflicts
    );
    insta::assert_snapshot!("decision_quality_parity_with_cost_win", as_read(&r));
}

#[test]
fn an_inconclusive_quality_result_with_a_cost_win_keeps_prompting_by_default() {
    let mut e = likely_loss_with_a_cost_win();
    e.quality = Some(quality(
        "accuracy",
        Verdict::Inconclusive,
        0.02,
        (-0.015, 0.055),
    ));
    assert_eq!(recommend(&questions(), &e).choice, Choice::KeepPrompting);
}

fn format_check(
    need: FormatNeed,
    p: (u32, u32, u32),
    f: (u32, u32, u32),
    p_value: f64,
) -> FormatCheck {
    let counts = |(compliant, non_compliant, errors)| FormatCounts {
        compliant,
        non_compliant,
        errors,
    };
    FormatCheck {
        need,
        prompting: counts(p),
        fine_tuned: counts(f),
        p_value,
    }
}

#[test]
fn a_format_gap_that_is_not_significant_is_no_win() {
    // 48/50 vs 49/50 (McNemar p = 1): two points, but no evidence of a difference.
    let q = Questions {
        format: FormatNeed::Json,
        quality_parity_enough: true,
        ..questions()
    };
    let mut e = evidence(quality(
        "accuracy",
        Verdict::NotJustified,
        0.0,
        (-0.03, 0.03),
    ));
    e.format_checks = vec![format_check(FormatNeed::Json, (48, 1, 1), (49, 1, 0), 1.0)];
    let r = recommend(&q, &e);
    assert_eq!(r.choice, Choice::KeepPrompting, "{r:#?}");
    let format = r
        .reasons
        .iter()
        .find(|x| x.kind == tunebench_core::decision::ReasonKind::Format)
        .unwrap();
    assert_eq!(
        format.text,
        "Format compliance (valid JSON): fine-tuned 98.0 % (49 of 50 cases; 0 failed calls) vs prompting 96.0 % (48 of 50 cases; 1 failed call), McNemar p = 1.000: a 2.0-point gap that is not significant"
    );
    assert_eq!(format.supports, Supports::Neutral);
}

#[test]
fn format_evidence_uses_the_check_matching_the_team_s_need() {
    let mut e = evidence(quality(
        "accuracy",
        Verdict::Justified,
        0.072,
        (0.031, 0.11),
    ));
    e.format_checks = vec![
        format_check(FormatNeed::Json, (990, 10, 0), (995, 5, 0), 0.0625),
        format_check(FormatNeed::Taxonomy, (700, 300, 0), (990, 10, 0), 1e-9),
    ];
    for (need, label) in [
        (FormatNeed::Json, "valid JSON): fine-tuned 99.5 %"),
        (
            FormatNeed::Taxonomy,
            "label in the taxonomy): fine-tuned 99.0 %",
        ),
    ] {
        let q = Questions {
            format: need,
            ..questions()
        };
        let r = recommend(&q, &e);
        assert!(
            r.reasons.iter().any(|x| x.text.contains(label)),
            "{need:?}: {r:#?}"
        );
    }
    // No check measures schema compliance: said so, not quoted from another check.
    let q = Questions {
        format: FormatNeed::JsonSchema,
        ..questions()
    };
    let r = recommend(&q, &e);
    assert!(r
        .reasons
        .iter()
        .any(|x| x.text == "Format compliance (schema-valid JSON) was not measured for both arms"));
}

#[test]
fn an_arm_that_times_out_does_not_meet_the_latency_budget_on_the_p95_of_its_answers() {
    let q = Questions {
        latency_budget_p95_ms: Some(1000.0),
        quality_parity_enough: true,
        ..questions()
    };
    let mut e = evidence(quality(
        "accuracy",
        Verdict::NotJustified,
        0.0,
        (-0.03, 0.03),
    ));
    e.latency_p95_ms = ArmFigures::new(1400.0, 800.0);
    e.call_failures = ArmCallFailures {
        prompting: Some(CallFailures {
            failed: 0,
            calls: 200,
        }),
        fine_tuned: Some(CallFailures {
            failed: 30,
            calls: 200,
        }),
    };
    let r = recommend(&q, &e);
    let latency = r
        .reasons
        .iter()
        .find(|x| x.kind == tunebench_core::decision::ReasonKind::Latency)
        .unwrap();
    assert_eq!(
        latency.text,
        "p95 latency of answered calls: fine-tuned 800 ms, prompting 1,400 ms vs budget 1,000 ms; failed calls (timeouts, errors): fine-tuned 30 of 200 calls, prompting 0 of 200 calls: neither passes"
    );
    assert_ne!(r.choice, Choice::FineTune);
}

#[test]
fn when_neither_arm_does_the_task_the_decision_is_not_yet_whatever_the_cost() {
    let mut e = likely_loss_with_a_cost_win();
    e.quality = Some(quality(
        "accuracy",
        Verdict::NotJustified,
        0.0,
        (-0.01, 0.01),
    ));
    e.task_failure = Some(
        "Neither arm does the task: accuracy is 0.000 for prompting and 0.000 for fine-tuned"
            .into(),
    );
    for volume in [10_000.0, 500_000.0] {
        let q = Questions {
            queries_per_day: volume,
            quality_parity_enough: true,
            ..questions()
        };
        let r = recommend(&q, &e);
        assert_eq!(r.choice, Choice::NotYet);
        assert_eq!(r.headline, "Not yet: neither arm does the task");
        assert_eq!(
            r.reasons[0].text,
            "Neither arm does the task: accuracy is 0.000 for prompting and 0.000 for fine-tuned"
        );
    }
}
