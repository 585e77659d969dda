//! The decision rules, table-driven: every rule of the table in `decision`'s module docs
//! and every combination that changes the answer, checking the choice, the headline, and
//! that each reason and conflict cites its numbers.

use tunebench_core::cost::{CheaperRange, Side};
use tunebench_core::decision::{
    recommend, ArmFigures, Choice, Evidence, FormatCheck, FormatCounts, FormatNeed,
    HybridAgainstFineTuned, HybridEvidence, KnowledgeCadence, MarginKind, QualityEvidence,
    Questions, ReasonKind, Recommendation, Supports, Verdict,
};
use tunebench_core::stats::mcnemar::mcnemar_exact;

mod invariants;
mod keep_or_hybrid;
mod stops;
mod wins;

const TODAY: &str = "2026-11-29";

fn quality(verdict: Verdict, difference: f64, ci_low: f64, ci_high: f64) -> QualityEvidence {
    QualityEvidence {
        verdict,
        metric: "accuracy".to_string(),
        difference,
        ci_low,
        ci_high,
        margin: 0.05,
        margin_kind: MarginKind::Relative,
        cases_needed: None,
    }
}

/// A measured hybrid arm `rag`: 9.1 points of accuracy above prompting (95 % CI 4.0 to
/// 14.2, p 0.002) and, when `wins`, 1.9 points above its fine-tuned arm `ft` clearing the
/// margin (p 0.004), else 0.4 points, not clearing it (p 0.61).
fn measured_hybrid(wins: bool) -> HybridEvidence {
    HybridEvidence {
        arm: "rag".into(),
        difference: 0.091,
        ci_low: 0.040,
        ci_high: 0.142,
        p_value: Some(0.002),
        clears: true,
        against_fine_tuned: Some(HybridAgainstFineTuned {
            arm: "ft".into(),
            difference: if wins { 0.019 } else { 0.004 },
            ci_low: if wins { 0.006 } else { -0.012 },
            ci_high: if wins { 0.033 } else { 0.021 },
            p_value: Some(if wins { 0.004 } else { 0.61 }),
            clears: wins,
        }),
    }
}

/// Every format check on 1,000 paired cases with these compliance rates, no failed calls,
/// the arms disagreeing only on the gap (so a gap of 2 points or more is significant).
pub fn checks(prompting: f64, fine_tuned: f64) -> Vec<FormatCheck> {
    let (p, f) = (
        (prompting * 1000.0).round() as u32,
        (fine_tuned * 1000.0).round() as u32,
    );
    let counts = |c: u32| FormatCounts {
        compliant: c,
        non_compliant: 1000 - c,
        errors: 0,
    };
    let (a_only, b_only) = (p.saturating_sub(f), f.saturating_sub(p));
    [
        FormatNeed::Json,
        FormatNeed::JsonSchema,
        FormatNeed::Taxonomy,
    ]
    .into_iter()
    .map(|need| FormatCheck {
        need,
        prompting: counts(p),
        fine_tuned: counts(f),
        p_value: mcnemar_exact(a_only, b_only).p_value,
    })
    .collect()
}

/// Prompting cheaper below `x` queries/day, the fine-tuned arm from there on.
fn fine_tuned_from(x: f64) -> Option<Vec<CheaperRange>> {
    Some(vec![
        CheaperRange {
            from: 0.0,
            to: Some(x),
            cheaper: Some(Side::A),
        },
        CheaperRange {
            from: x,
            to: None,
            cheaper: Some(Side::B),
        },
    ])
}

/// Prompting cheaper at every volume.
fn prompting_at_every_volume() -> Option<Vec<CheaperRange>> {
    Some(vec![CheaperRange {
        from: 0.0,
        to: None,
        cheaper: Some(Side::A),
    }])
}

/// Fine-tuning wins everywhere it can: quality by the margin, JSON compliance, the
/// latency budget prompting misses, and cost at 20,000 queries/day; 1,800 examples,
/// knowledge changing quarterly, a base model retiring long after payback.
fn strong() -> (Questions, Evidence) {
    let q = Questions {
        format: FormatNeed::Json,
        domain_language: false,
        latency_budget_p95_ms: Some(800.0),
        queries_per_day: 20_000.0,
        monthly_growth: 0.0,
        knowledge_change: KnowledgeCadence::Quarterly,
        portability_needed: false,
        new_information: false,
        labelled_examples: 1800,
        // The table below covers wins on format, latency or cost alone, which count only
        // when matching prompting's quality is enough.
        quality_parity_enough: true,
    };
    let e = Evidence {
        quality: Some(quality(Verdict::Justified, 0.072, 0.031, 0.110)),
        format_checks: checks(0.91, 0.994),
        latency_p95_ms: ArmFigures::new(1150.0, 420.0),
        cheaper: fine_tuned_from(12_000.0),
        monthly_cost: ArmFigures::new(2030.0, 1240.0),
        retraining_monthly_cost: Some(99.2),
        payback_months: Some(4.0),
        base_model_retirement: Some("2028-06-30".to_string()),
        today: TODAY.to_string(),
        train_examples: Some(1800),
        ..Evidence::default()
    };
    (q, e)
}

/// Fine-tuning earns nothing: not justified on quality, no format need, both arms within
/// the latency budget, cheaper only from 40,000 queries/day when 20,000 are expected.
fn neutral() -> (Questions, Evidence) {
    let (mut q, mut e) = strong();
    q.format = FormatNeed::None;
    e.quality = Some(quality(Verdict::NotJustified, 0.012, -0.008, 0.031));
    e.latency_p95_ms = ArmFigures::new(610.0, 420.0);
    e.cheaper = fine_tuned_from(40_000.0);
    e.monthly_cost = ArmFigures::new(1240.0, 2030.0);
    (q, e)
}

/// Fine-tuning wins on cost alone: quality settled as not better (but not worse), no
/// format need, both arms within the latency budget.
fn cost_only() -> (Questions, Evidence) {
    let (mut q, mut e) = strong();
    q.format = FormatNeed::None;
    e.quality = Some(quality(Verdict::NotJustified, 0.012, -0.008, 0.031));
    e.latency_p95_ms = ArmFigures::new(610.0, 420.0);
    (q, e)
}

/// Fine-tuning wins on quality alone: no format need, no latency budget, never cheaper.
fn quality_only() -> (Questions, Evidence) {
    let (mut q, mut e) = strong();
    q.format = FormatNeed::None;
    q.latency_budget_p95_ms = None;
    e.cheaper = prompting_at_every_volume();
    e.monthly_cost = ArmFigures::new(1240.0, 2030.0);
    (q, e)
}

struct Case {
    name: &'static str,
    base: fn() -> (Questions, Evidence),
    change: fn(&mut Questions, &mut Evidence),
    choice: Choice,
    headline: &'static str,
    /// Each must appear in some reason's text.
    reasons: &'static [&'static str],
    /// Each must appear in some conflict; `None` means there must be no conflict at all.
    conflicts: Option<&'static [&'static str]>,
}

fn unchanged(_: &mut Questions, _: &mut Evidence) {}

fn check(case: &Case) -> Recommendation {
    let (mut q, mut e) = (case.base)();
    (case.change)(&mut q, &mut e);
    let r = recommend(&q, &e);
    let shown = format!(
        "case `{}`:\n  headline: {}\n  reasons:\n    {}\n  conflicts:\n    {}",
        case.name,
        r.headline,
        r.reasons
            .iter()
            .map(|x| format!("[{:?} → {:?}] {}", x.kind, x.supports, x.text))
            .collect::<Vec<_>>()
            .join("\n    "),
        r.conflicts.join("\n    ")
    );
    assert_eq!(r.choice, case.choice, "wrong choice for {shown}");
    assert!(
        r.headline.contains(case.headline),
        "headline should contain {:?}; {shown}",
        case.headline
    );
    for want in case.reasons {
        assert!(
            r.reasons.iter().any(|x| x.text.contains(want)),
            "no reason cites {want:?}; {shown}"
        );
    }
    match case.conflicts {
        None => assert!(r.conflicts.is_empty(), "expected no conflict; {shown}"),
        Some(wanted) => {
            assert!(!r.conflicts.is_empty(), "expected conflicts; {shown}");
            for want in wanted {
                assert!(
                    r.conflicts.iter().any(|c| c.contains(want)),
                    "no conflict states {want:?}; {shown}"
                );
            }
        }
    }
    r
}

/// Every case of the table, rule by rule.
fn cases() -> impl Iterator<Item = &'static Case> {
    [wins::CASES, stops::CASES, keep_or_hybrid::CASES]
        .into_iter()
        .flatten()
}

#[test]
fn every_rule_and_every_answer_changing_combination_gives_its_choice_and_cites_its_numbers() {
    let failed: Vec<&str> = cases()
        .filter(|case| std::panic::catch_unwind(|| check(case)).is_err())
        .map(|case| case.name)
        .collect();
    assert!(
        failed.is_empty(),
        "failed cases (details above): {failed:#?}"
    );
}

#[test]
fn the_table_reaches_all_four_choices() {
    for choice in [
        Choice::KeepPrompting,
        Choice::FineTune,
        Choice::Hybrid,
        Choice::NotYet,
    ] {
        assert!(
            cases().any(|c| c.choice == choice),
            "no case of the table ends in {choice:?}"
        );
    }
}

fn supports_of(r: &Recommendation, kind: ReasonKind) -> Supports {
    r.reasons
        .iter()
        .find(|x| x.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} reason in {r:#?}"))
        .supports
}

#[test]
fn each_reason_says_which_choice_it_supports() {
    let (q, e) = strong();
    let r = recommend(&q, &e);
    assert_eq!(supports_of(&r, ReasonKind::Quality), Supports::FineTune);
    assert_eq!(supports_of(&r, ReasonKind::Cost), Supports::FineTune);
    assert_eq!(supports_of(&r, ReasonKind::Examples), Supports::Neutral);

    let (mut q, mut e) = cost_only();
    q.knowledge_change = KnowledgeCadence::Weekly;
    e.base_model_retirement = None;
    e.hybrid = Some(measured_hybrid(true));
    let r = recommend(&q, &e);
    assert_eq!(r.choice, Choice::Hybrid);
    assert_eq!(supports_of(&r, ReasonKind::Retraining), Supports::Hybrid);
    assert_eq!(supports_of(&r, ReasonKind::Cost), Supports::Hybrid);
    assert_eq!(supports_of(&r, ReasonKind::Hybrid), Supports::Hybrid);
    assert_eq!(
        supports_of(&r, ReasonKind::Quality),
        Supports::KeepPrompting
    );

    let (mut q, e) = quality_only();
    q.knowledge_change = KnowledgeCadence::Weekly;
    let r = recommend(&q, &e);
    assert_eq!(r.choice, Choice::KeepPrompting);
    assert_eq!(
        supports_of(&r, ReasonKind::Retraining),
        Supports::KeepPrompting
    );
    assert_eq!(supports_of(&r, ReasonKind::Cost), Supports::Against);

    let (mut q, mut e) = cost_only();
    q.labelled_examples = 240;
    q.portability_needed = true;
    e.base_model_retirement = Some("2027-01-14".to_string());
    let r = recommend(&q, &e);
    assert_eq!(supports_of(&r, ReasonKind::Examples), Supports::NotYet);
    assert_eq!(
        supports_of(&r, ReasonKind::Portability),
        Supports::KeepPrompting
    );
    assert_eq!(supports_of(&r, ReasonKind::Retirement), Supports::Against);
}

#[test]
fn reasons_follow_the_documented_order() {
    let (mut q, mut e) = strong();
    q.new_information = true;
    q.portability_needed = true;
    q.domain_language = true;
    q.knowledge_change = KnowledgeCadence::Weekly;
    e.base_model_retirement = Some("2027-01-14".to_string());
    let kinds: Vec<ReasonKind> = recommend(&q, &e).reasons.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            ReasonKind::Quality,
            ReasonKind::Format,
            ReasonKind::Latency,
            ReasonKind::Cost,
            ReasonKind::Retraining,
            ReasonKind::NewInformation,
            ReasonKind::Portability,
            ReasonKind::Retirement,
            ReasonKind::Examples,
            ReasonKind::DomainLanguage,
        ]
    );
}

#[test]
fn the_same_inputs_always_give_the_same_recommendation() {
    let (q, e) = strong();
    assert_eq!(recommend(&q, &e), recommend(&q, &e));
}

#[test]
fn empty_evidence_keeps_prompting_and_says_what_is_missing() {
    let q = Questions {
        labelled_examples: 1000,
        ..Questions::default()
    };
    let r = recommend(&q, &Evidence::default());
    assert_eq!(r.choice, Choice::KeepPrompting);
    assert!(r
        .reasons
        .iter()
        .any(|x| x.text.starts_with("No quality comparison yet")));
    assert!(r.conflicts.is_empty(), "{:?}", r.conflicts);
}

#[test]
fn default_questions_assume_nothing_in_fine_tunings_favour() {
    let q = Questions::default();
    assert_eq!(q.format, FormatNeed::None);
    assert!(!q.domain_language && !q.portability_needed && !q.new_information);
    assert_eq!(q.latency_budget_p95_ms, None);
    assert_eq!(q.queries_per_day, 1000.0);
    assert_eq!(q.monthly_growth, 0.0);
    assert_eq!(q.knowledge_change, KnowledgeCadence::Quarterly);
    assert_eq!(q.labelled_examples, 0);
}

#[test]
fn questions_and_evidence_fill_missing_fields_from_their_defaults() {
    let q: Questions =
        serde_json::from_str(r#"{"knowledge_change":"weekly","format":"json_schema"}"#).unwrap();
    assert_eq!(q.knowledge_change, KnowledgeCadence::Weekly);
    assert_eq!(q.format, FormatNeed::JsonSchema);
    assert_eq!(
        q.queries_per_day, 1000.0,
        "unspecified fields take the defaults"
    );

    let e: Evidence = serde_json::from_str(
        r#"{"today":"2026-11-29","cheaper":[{"from":0.0,"to":null,"cheaper":"a"}]}"#,
    )
    .unwrap();
    assert_eq!(e.cheaper, prompting_at_every_volume());
    assert_eq!(e.quality, None);
}

#[test]
fn a_recommendation_serialises_with_snake_case_names() {
    let (q, e) = strong();
    let json = serde_json::to_value(recommend(&q, &e)).unwrap();
    assert_eq!(json["choice"], "fine_tune");
    assert_eq!(json["reasons"][0]["kind"], "quality");
    assert_eq!(json["reasons"][0]["supports"], "fine_tune");
    let (q, e) = neutral();
    let json = serde_json::to_value(recommend(&q, &e)).unwrap();
    assert_eq!(json["choice"], "keep_prompting");
}
