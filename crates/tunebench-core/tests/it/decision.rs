//! The decision rules, table-driven: every rule of the table in `decision`'s module docs
//! and every combination that changes the answer, checking the choice, the headline, and
//! that each reason and conflict cites its numbers.

use tunebench_core::cost::{CheaperRange, Side};
use tunebench_core::decision::{
    recommend, ArmFigures, Choice, Evidence, FormatCheck, FormatCounts, FormatNeed,
    KnowledgeCadence, MarginKind, QualityEvidence, Questions, ReasonKind, Recommendation, Supports,
    Verdict,
};
use tunebench_core::stats::mcnemar::mcnemar_exact;

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

const CASES: &[Case] = &[
    // Rule 9: fine-tuning earns its keep and nothing stops it.
    Case {
        name: "fine-tuning that wins everywhere is recommended with every number cited",
        base: strong,
        change: unchanged,
        choice: Choice::FineTune,
        headline: "Fine-tune: it earns its keep on quality, format, latency and cost",
        reasons: &[
            "Fine-tuned arm is better by 7.2 points of accuracy (95 % CI 3.1 to 11.0), above the 5 % margin",
            "Format compliance (valid JSON): fine-tuned 99.4 % (994 of 1,000 cases; 0 failed calls) vs prompting 91.0 % (910 of 1,000 cases; 0 failed calls), McNemar p < 0.001: 8.4 points more consistent",
            "p95 latency of answered calls: fine-tuned 420 ms, prompting 1,150 ms vs budget 800 ms: only the fine-tuned arm passes",
            "The fine-tuned arm is cheaper at your 20,000 queries/day (fine-tuned $1,240 vs prompting $2,030 a month): it is cheaper from 12,000 queries/day, prompting below",
            "Knowledge changes quarterly: retraining every three months is 8 % of the fine-tuned arm's monthly cost ($99.20 of $1,240)",
            "Base model retires 2028-06-30, in 579 days, after the 4-month payback",
            "1,800 training examples, above the 500 guideline",
        ],
        conflicts: None,
    },
    Case {
        name: "a quality win alone earns the keep, and never being cheaper is stated as a conflict",
        base: quality_only,
        change: unchanged,
        choice: Choice::FineTune,
        headline: "Fine-tune: it earns its keep on quality",
        reasons: &["Prompting is cheaper at every volume (at your 20,000 queries/day: fine-tuned $2,030 vs prompting $1,240 a month)"],
        conflicts: Some(&["Fine-tuned arm is better by 7.2 points of accuracy (95 % CI 3.1 to 11.0), above the 5 % margin, but prompting is cheaper at every volume"]),
    },
    Case {
        name: "a cost win alone earns the keep when quality is not worse",
        base: cost_only,
        change: unchanged,
        choice: Choice::FineTune,
        headline: "Fine-tune: it earns its keep on cost",
        reasons: &[
            "Fine-tuned arm differs by +1.2 points of accuracy (95 % CI -0.8 to 3.1): not above the 5 % margin",
            "p95 latency of answered calls: fine-tuned 420 ms, prompting 610 ms vs budget 800 ms: both pass",
            "cheaper from 12,000 queries/day, prompting below",
        ],
        conflicts: Some(&["but fine-tuned arm differs by +1.2 points of accuracy (95 % CI -0.8 to 3.1): not above the 5 % margin"]),
    },
    Case {
        name: "a latency win alone earns the keep",
        base: neutral,
        change: |_, e| e.latency_p95_ms = ArmFigures::new(1150.0, 420.0),
        choice: Choice::FineTune,
        headline: "Fine-tune: it earns its keep on latency",
        reasons: &["fine-tuned 420 ms, prompting 1,150 ms vs budget 800 ms: only the fine-tuned arm passes"],
        conflicts: Some(&["only the fine-tuned arm passes, but prompting is cheaper at your 20,000 queries/day"]),
    },
    Case {
        name: "a format win alone earns the keep when format matters",
        base: neutral,
        change: |q, e| {
            q.format = FormatNeed::Taxonomy;
            e.format_checks = checks(0.93, 0.998);
        },
        choice: Choice::FineTune,
        headline: "Fine-tune: it earns its keep on format",
        reasons: &["Format compliance (label in the taxonomy): fine-tuned 99.8 % (998 of 1,000 cases; 0 failed calls) vs prompting 93.0 % (930 of 1,000 cases; 0 failed calls), McNemar p < 0.001: 6.8 points more consistent"],
        conflicts: Some(&["6.8 points more consistent, but prompting is cheaper at your 20,000 queries/day"]),
    },
    Case {
        name: "a format gain of exactly two points counts despite floating point",
        base: neutral,
        change: |q, e| {
            q.format = FormatNeed::Json;
            e.format_checks = checks(0.93, 0.95);
        },
        choice: Choice::FineTune,
        headline: "Fine-tune: it earns its keep on format",
        reasons: &["fine-tuned 95.0 % (950 of 1,000 cases; 0 failed calls) vs prompting 93.0 % (930 of 1,000 cases; 0 failed calls), McNemar p < 0.001: 2.0 points more consistent"],
        conflicts: Some(&["2.0 points more consistent, but prompting is cheaper at your 20,000 queries/day"]),
    },
    Case {
        name: "a format gain under two points earns nothing",
        base: neutral,
        change: |q, e| {
            q.format = FormatNeed::JsonSchema;
            e.format_checks = checks(0.985, 0.995);
        },
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: fine-tuning has not earned its keep",
        reasons: &["Format compliance (schema-valid JSON): fine-tuned 99.5 % (995 of 1,000 cases; 0 failed calls) vs prompting 98.5 % (985 of 1,000 cases; 0 failed calls), McNemar p = 0.002: within 2.0 points"],
        conflicts: None,
    },
    Case {
        name: "format compliance is ignored when format does not matter",
        base: neutral,
        change: |_, e| e.format_checks = checks(0.5, 1.0),
        choice: Choice::KeepPrompting,
        headline: "Keep prompting",
        reasons: &[],
        conflicts: None,
    },
    Case {
        name: "growth that reaches the break-even within a year counts as a cost win",
        base: neutral,
        change: |q, _| q.monthly_growth = 0.06,
        choice: Choice::FineTune,
        headline: "Fine-tune: it earns its keep on cost",
        reasons: &["it is cheaper up to 40,000 queries/day, the fine-tuned arm above; at 6 % monthly growth the fine-tuned arm is cheaper in month 12 (40,244 queries/day)"],
        conflicts: Some(&["but fine-tuned arm differs by +1.2 points of accuracy (95 % CI -0.8 to 3.1): not above the 5 % margin"]),
    },
    Case {
        name: "growth that reaches the break-even only after a year does not",
        base: neutral,
        change: |q, _| q.monthly_growth = 0.03,
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: fine-tuning has not earned its keep",
        reasons: &["it is cheaper up to 40,000 queries/day, the fine-tuned arm above; 12 months of 3 % monthly growth do not change that"],
        conflicts: None,
    },
    Case {
        name: "without a break-even figure the monthly costs at the volume decide the cost win",
        base: neutral,
        change: |_, e| {
            e.cheaper = None;
            e.monthly_cost = ArmFigures::new(2030.0, 1240.0);
        },
        choice: Choice::FineTune,
        headline: "Fine-tune: it earns its keep on cost",
        reasons: &["At 20,000 queries/day the fine-tuned arm costs $1,240 a month vs $2,030 for prompting"],
        conflicts: Some(&["but fine-tuned arm differs by +1.2 points of accuracy (95 % CI -0.8 to 3.1): not above the 5 % margin"]),
    },
    Case {
        name: "a volume that is not a number never counts as a cost win",
        base: neutral,
        change: |q, _| {
            q.queries_per_day = f64::NAN;
            q.monthly_growth = 0.06;
        },
        choice: Choice::KeepPrompting,
        headline: "Keep prompting",
        reasons: &["Cost is not weighed: the expected volume n/a is not a number of queries a day"],
        conflicts: None,
    },
    Case {
        name: "a base model retiring today voids a cost-only advantage",
        base: cost_only,
        change: |_, e| {
            e.base_model_retirement = Some(TODAY.to_string());
            e.payback_months = Some(4.0);
        },
        choice: Choice::KeepPrompting,
        headline: "would not pay back",
        reasons: &["Base model retires 2026-11-29, today, before the 4-month payback"],
        conflicts: Some(&["but base model retires 2026-11-29, today"]),
    },
    Case {
        name: "an unreadable retirement date is reported and not weighed",
        base: strong,
        change: |_, e| e.base_model_retirement = Some("14/01/2027".to_string()),
        choice: Choice::FineTune,
        headline: "Fine-tune",
        reasons: &["Base model retirement date `14/01/2027` or today's date `2026-11-29` is not a YYYY-MM-DD date: not weighed"],
        conflicts: None,
    },
    Case {
        name: "inconclusive quality beside a cost win is a stated conflict, not hidden",
        base: cost_only,
        change: |_, e| {
            let mut qe = quality(Verdict::Inconclusive, 0.02, -0.015, 0.055);
            qe.cases_needed = Some(1200);
            e.quality = Some(qe);
        },
        choice: Choice::FineTune,
        headline: "Fine-tune: it earns its keep on cost",
        reasons: &["Quality is inconclusive: fine-tuned arm differs by +2.0 points of accuracy (95 % CI -1.5 to 5.5) against the 5 % margin; about 1,200 held-out cases would settle it"],
        conflicts: Some(&["cheaper from 12,000 queries/day, prompting below, but quality is inconclusive"]),
    },
    // Retirement against payback.
    Case {
        name: "a base model retiring before payback voids a cost-only advantage",
        base: cost_only,
        change: |_, e| {
            e.base_model_retirement = Some("2027-01-14".to_string());
            e.payback_months = Some(8.0);
        },
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: fine-tuning's cost advantage would not pay back before the base model retires",
        reasons: &["Base model retires 2027-01-14, in 46 days, before the 8-month payback: a fine-tune would have to be redone"],
        conflicts: Some(&["cheaper from 12,000 queries/day, prompting below, but base model retires 2027-01-14, in 46 days"]),
    },
    Case {
        name: "without a payback figure a retirement within six months voids the cost advantage",
        base: cost_only,
        change: |_, e| {
            e.base_model_retirement = Some("2027-01-14".to_string());
            e.payback_months = None;
        },
        choice: Choice::KeepPrompting,
        headline: "would not pay back before the base model retires",
        reasons: &["Base model retires 2027-01-14, in 46 days: a fine-tune would have to be redone"],
        conflicts: Some(&["but base model retires 2027-01-14, in 46 days"]),
    },
    Case {
        name: "a base model retiring after payback leaves the cost advantage standing",
        base: cost_only,
        change: |_, e| {
            e.base_model_retirement = Some("2027-09-01".to_string());
            e.payback_months = Some(3.0);
        },
        choice: Choice::FineTune,
        headline: "Fine-tune: it earns its keep on cost",
        reasons: &["Base model retires 2027-09-01, in 276 days, after the 3-month payback"],
        conflicts: Some(&["but fine-tuned arm differs by +1.2 points of accuracy (95 % CI -0.8 to 3.1): not above the 5 % margin"]),
    },
    Case {
        name: "a base model already retired voids the cost advantage",
        base: cost_only,
        change: |_, e| e.base_model_retirement = Some("2026-10-01".to_string()),
        choice: Choice::KeepPrompting,
        headline: "would not pay back",
        reasons: &["Base model retired on 2026-10-01, 59 days ago: a fine-tune would have to be redone"],
        conflicts: Some(&["but base model retired on 2026-10-01, 59 days ago"]),
    },
    Case {
        name: "a retiring base model does not void a quality win, but is stated against it",
        base: strong,
        change: |_, e| {
            e.base_model_retirement = Some("2027-01-14".to_string());
            e.payback_months = Some(8.0);
        },
        choice: Choice::FineTune,
        headline: "Fine-tune: it earns its keep on quality, format and latency",
        reasons: &["retires 2027-01-14, in 46 days, before the 8-month payback"],
        conflicts: Some(&["The fine-tuned arm is cheaper at your 20,000 queries/day (fine-tuned $1,240 vs prompting $2,030 a month): it is cheaper from 12,000 queries/day, prompting below, but base model retires 2027-01-14, in 46 days, before the 8-month payback"]),
    },
    // Rule 1: portability.
    Case {
        name: "needed portability keeps prompting even when fine-tuning wins everywhere",
        base: strong,
        change: |q, _| q.portability_needed = true,
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: model portability is needed",
        reasons: &["Model portability is needed"],
        conflicts: Some(&[
            "better by 7.2 points of accuracy (95 % CI 3.1 to 11.0), above the 5 % margin, but model portability is needed",
            "only the fine-tuned arm passes, but model portability is needed",
            "cheaper from 12,000 queries/day, prompting below, but model portability is needed",
        ]),
    },
    Case {
        name: "needed portability outranks too few examples: there is nothing to collect data for",
        base: strong,
        change: |q, e| {
            q.portability_needed = true;
            q.labelled_examples = 240;
            e.train_examples = Some(240);
        },
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: model portability is needed",
        reasons: &["Only 240 training examples: below the ~500 guideline"],
        conflicts: Some(&["but model portability is needed"]),
    },
    // Rules 2 and 3: the example guideline.
    Case {
        name: "too few examples means not yet, even with a quality win",
        base: strong,
        change: |q, e| {
            q.labelled_examples = 240;
            e.train_examples = Some(240);
        },
        choice: Choice::NotYet,
        headline: "Not yet: collect high-quality examples first (240 of the ~500",
        reasons: &["Only 240 training examples: below the ~500 guideline"],
        conflicts: Some(&["better by 7.2 points of accuracy (95 % CI 3.1 to 11.0), above the 5 % margin, but only 240 training examples: below the ~500 guideline"]),
    },
    Case {
        name: "the train split caps the example count below the labelled total",
        base: strong,
        change: |_, e| e.train_examples = Some(240),
        choice: Choice::NotYet,
        headline: "Not yet",
        reasons: &["Only 240 training examples (1,800 labelled, 240 in the train split): below the ~500 guideline"],
        conflicts: Some(&["but only 240 training examples"]),
    },
    Case {
        name: "too few examples keep prompting when prompting already suffices",
        base: neutral,
        change: |q, e| {
            q.labelled_examples = 240;
            e.train_examples = Some(240);
        },
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: it already meets your needs, and 240 examples are too few",
        reasons: &[
            "Only 240 training examples: below the ~500 guideline",
            "not above the 5 % margin",
        ],
        conflicts: None,
    },
    Case {
        name: "too few examples with inconclusive quality means not yet",
        base: neutral,
        change: |q, e| {
            q.labelled_examples = 240;
            let mut qe = quality(Verdict::Inconclusive, 0.02, -0.015, 0.055);
            qe.cases_needed = Some(1200);
            e.quality = Some(qe);
        },
        choice: Choice::NotYet,
        headline: "Not yet",
        reasons: &["about 1,200 held-out cases would settle it", "Only 240 training examples"],
        conflicts: None,
    },
    Case {
        name: "too few examples with no quality comparison means not yet",
        base: neutral,
        change: |q, e| {
            q.labelled_examples = 240;
            e.quality = None;
        },
        choice: Choice::NotYet,
        headline: "Not yet",
        reasons: &["No quality comparison yet", "Only 240 training examples"],
        conflicts: None,
    },
    Case {
        name: "too few examples when prompting misses the latency budget means not yet",
        base: neutral,
        change: |q, e| {
            q.labelled_examples = 240;
            e.latency_p95_ms = ArmFigures::new(1150.0, 420.0);
        },
        choice: Choice::NotYet,
        headline: "Not yet",
        reasons: &["prompting 1,150 ms vs budget 800 ms: only the fine-tuned arm passes"],
        conflicts: Some(&["only the fine-tuned arm passes, but only 240 training examples"]),
    },
    Case {
        name: "too few examples when prompting's format compliance is below 99 % means not yet",
        base: neutral,
        change: |q, e| {
            q.labelled_examples = 240;
            q.format = FormatNeed::Json;
            e.format_checks = checks(0.975, 0.98);
        },
        choice: Choice::NotYet,
        headline: "Not yet",
        reasons: &["fine-tuned 98.0 % (980 of 1,000 cases; 0 failed calls) vs prompting 97.5 % (975 of 1,000 cases; 0 failed calls), McNemar p = 0.062: within 2.0 points"],
        conflicts: None,
    },
    Case {
        name: "exactly 500 examples meets the guideline",
        base: strong,
        change: |q, e| {
            q.labelled_examples = 500;
            e.train_examples = Some(500);
        },
        choice: Choice::FineTune,
        headline: "Fine-tune",
        reasons: &["500 training examples, above the 500 guideline"],
        conflicts: None,
    },
    // Rule 4: regressions.
    Case {
        name: "a fine-tuned arm significantly worse on quality keeps prompting despite a cost win",
        base: cost_only,
        change: |_, e| e.quality = Some(quality(Verdict::NotJustified, -0.03, -0.051, -0.009)),
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: the fine-tuned arm is worse on quality",
        reasons: &["Fine-tuned arm is worse by 3.0 points of accuracy (95 % CI -5.1 to -0.9)"],
        conflicts: Some(&["cheaper from 12,000 queries/day, prompting below, but fine-tuned arm is worse by 3.0 points of accuracy"]),
    },
    Case {
        name: "a fine-tuned arm that misses the latency budget prompting meets keeps prompting",
        base: quality_only,
        change: |q, e| {
            q.latency_budget_p95_ms = Some(800.0);
            e.latency_p95_ms = ArmFigures::new(610.0, 950.0);
        },
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: the fine-tuned arm is worse on latency",
        reasons: &["p95 latency of answered calls: fine-tuned 950 ms, prompting 610 ms vs budget 800 ms: only prompting passes"],
        conflicts: Some(&["above the 5 % margin, but p95 latency of answered calls: fine-tuned 950 ms, prompting 610 ms vs budget 800 ms: only prompting passes"]),
    },
    Case {
        name: "a fine-tuned arm less format-compliant where format matters keeps prompting",
        base: cost_only,
        change: |q, e| {
            q.format = FormatNeed::Json;
            e.format_checks = checks(0.99, 0.90);
        },
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: the fine-tuned arm is worse on format",
        reasons: &["Format compliance (valid JSON): fine-tuned 90.0 % (900 of 1,000 cases; 0 failed calls) vs prompting 99.0 % (990 of 1,000 cases; 0 failed calls), McNemar p < 0.001: the fine-tuned arm is less consistent"],
        conflicts: Some(&["but format compliance (valid JSON): fine-tuned 90.0 % (900 of 1,000 cases; 0 failed calls) vs prompting 99.0 %"]),
    },
    Case {
        name: "a budget neither arm meets is no regression, but a stated caveat",
        base: strong,
        change: |_, e| e.latency_p95_ms = ArmFigures::new(1150.0, 900.0),
        choice: Choice::FineTune,
        headline: "Fine-tune: it earns its keep on quality, format and cost",
        reasons: &["fine-tuned 900 ms, prompting 1,150 ms vs budget 800 ms: neither passes"],
        conflicts: Some(&["but p95 latency of answered calls: fine-tuned 900 ms, prompting 1,150 ms vs budget 800 ms: neither passes"]),
    },
    // Rule 5: nothing earned.
    Case {
        name: "fine-tuning that earns nothing keeps prompting without conflict",
        base: neutral,
        change: unchanged,
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: fine-tuning has not earned its keep on quality, format, latency or cost",
        reasons: &[
            "Fine-tuned arm differs by +1.2 points of accuracy (95 % CI -0.8 to 3.1): not above the 5 % margin",
            "p95 latency of answered calls: fine-tuned 420 ms, prompting 610 ms vs budget 800 ms: both pass",
            "Prompting is cheaper at your 20,000 queries/day (fine-tuned $2,030 vs prompting $1,240 a month): it is cheaper up to 40,000 queries/day, the fine-tuned arm above",
        ],
        conflicts: None,
    },
    Case {
        name: "inconclusive quality and nothing else keeps prompting and says how many cases would settle it",
        base: neutral,
        change: |_, e| {
            let mut qe = quality(Verdict::Inconclusive, 0.02, -0.015, 0.055);
            qe.cases_needed = Some(1200);
            e.quality = Some(qe);
        },
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: fine-tuning has not earned its keep",
        reasons: &["about 1,200 held-out cases would settle it"],
        conflicts: None,
    },
    Case {
        name: "an absolute margin is written in points",
        base: neutral,
        change: |_, e| {
            let mut qe = quality(Verdict::NotJustified, 0.012, -0.008, 0.031);
            qe.margin = 0.02;
            qe.margin_kind = MarginKind::Absolute;
            e.quality = Some(qe);
        },
        choice: Choice::KeepPrompting,
        headline: "Keep prompting",
        reasons: &["not above the 2.0-point margin"],
        conflicts: None,
    },
    // Rules 6-8: knowledge that changes often, new information.
    Case {
        name: "a cost win with weekly knowledge changes is hybrid, the retraining share stated as the conflict",
        base: cost_only,
        change: |q, e| {
            q.knowledge_change = KnowledgeCadence::Weekly;
            e.cheaper = fine_tuned_from(12_000.0);
            e.monthly_cost = ArmFigures::new(3400.0, 3000.0);
            e.retraining_monthly_cost = Some(1860.0);
        },
        choice: Choice::Hybrid,
        headline: "Hybrid: retrieval for changing knowledge, a fine-tuned model for cost",
        reasons: &["Knowledge changes weekly: retraining every week is 62 % of the fine-tuned arm's monthly cost ($1,860 of $3,000)"],
        conflicts: Some(&["cheaper from 12,000 queries/day, prompting below, but knowledge changes weekly: retraining every week is 62 % of the fine-tuned arm's monthly cost"]),
    },
    Case {
        name: "a format win with reasoning over new information is hybrid",
        base: neutral,
        change: |q, e| {
            q.format = FormatNeed::JsonSchema;
            q.new_information = true;
            e.format_checks = checks(0.90, 0.995);
        },
        choice: Choice::Hybrid,
        headline: "Hybrid: retrieval for new information, a fine-tuned model for format",
        reasons: &["The task reasons over new, unseen information"],
        conflicts: Some(&["McNemar p < 0.001: 9.5 points more consistent, but the task reasons over new, unseen information"]),
    },
    Case {
        name: "a latency win with monthly knowledge changes and new information is hybrid for both",
        base: neutral,
        change: |q, e| {
            q.knowledge_change = KnowledgeCadence::Monthly;
            q.new_information = true;
            e.latency_p95_ms = ArmFigures::new(1150.0, 420.0);
            e.retraining_monthly_cost = None;
        },
        choice: Choice::Hybrid,
        headline: "Hybrid: retrieval for changing knowledge and new information, a fine-tuned model for latency",
        reasons: &["Knowledge changes monthly: a fine-tune would be retrained monthly"],
        conflicts: Some(&["only the fine-tuned arm passes, but knowledge changes monthly"]),
    },
    Case {
        name: "a quality-only win with weekly knowledge and domain language is hybrid",
        base: quality_only,
        change: |q, _| {
            q.knowledge_change = KnowledgeCadence::Weekly;
            q.domain_language = true;
        },
        choice: Choice::Hybrid,
        headline: "Hybrid: retrieval for changing knowledge, a fine-tuned model for quality and domain language",
        reasons: &["Domain language matters, and the fine-tuned arm gains 7.2 points of accuracy"],
        conflicts: Some(&[
            "above the 5 % margin, but knowledge changes weekly",
            "but prompting is cheaper at every volume",
        ]),
    },
    Case {
        name: "a quality-only win with weekly knowledge and no domain language keeps prompting",
        base: quality_only,
        change: |q, _| q.knowledge_change = KnowledgeCadence::Weekly,
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: fine-tuning wins only on quality",
        reasons: &["Knowledge changes weekly"],
        conflicts: Some(&["Fine-tuned arm is better by 7.2 points of accuracy (95 % CI 3.1 to 11.0), above the 5 % margin, but knowledge changes weekly"]),
    },
    Case {
        name: "a quality-only win with new information keeps prompting",
        base: quality_only,
        change: |q, _| q.new_information = true,
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: fine-tuning wins only on quality",
        reasons: &["The task reasons over new, unseen information"],
        conflicts: Some(&["above the 5 % margin, but the task reasons over new, unseen information"]),
    },
    Case {
        name: "a quality-only win with rarely changing knowledge fine-tunes",
        base: quality_only,
        change: |q, _| q.knowledge_change = KnowledgeCadence::Rarely,
        choice: Choice::FineTune,
        headline: "Fine-tune: it earns its keep on quality",
        reasons: &["Knowledge changes rarely: retraining once a year is 5 % of the fine-tuned arm's monthly cost"],
        conflicts: Some(&["but prompting is cheaper at every volume"]),
    },
    Case {
        name: "domain language without a quality gain earns nothing",
        base: neutral,
        change: |q, _| q.domain_language = true,
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: fine-tuning has not earned its keep",
        reasons: &["Domain language matters, but the fine-tuned arm is not shown better by the margin (+1.2 points of accuracy)"],
        conflicts: None,
    },
];

#[test]
fn every_rule_and_every_answer_changing_combination_gives_its_choice_and_cites_its_numbers() {
    let failed: Vec<&str> = CASES
        .iter()
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
            CASES.iter().any(|c| c.choice == choice),
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
    let r = recommend(&q, &e);
    assert_eq!(r.choice, Choice::Hybrid);
    assert_eq!(supports_of(&r, ReasonKind::Retraining), Supports::Hybrid);
    assert_eq!(supports_of(&r, ReasonKind::Cost), Supports::Hybrid);
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

mod invariants {
    //! Properties that hold for any answers and evidence, including figures that are not
    //! numbers: the rules never panic, and the choice never contradicts the table.

    use super::*;
    use proptest::prelude::*;

    fn figure(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
        prop_oneof![8 => lo..hi, 1 => Just(f64::NAN), 1 => Just(f64::INFINITY)]
    }

    fn arms(lo: f64, hi: f64) -> impl Strategy<Value = ArmFigures> {
        (
            proptest::option::of(figure(lo, hi)),
            proptest::option::of(figure(lo, hi)),
        )
            .prop_map(|(prompting, fine_tuned)| ArmFigures {
                prompting,
                fine_tuned,
            })
    }

    fn questions() -> impl Strategy<Value = Questions> {
        (
            prop_oneof![
                Just(FormatNeed::None),
                Just(FormatNeed::Json),
                Just(FormatNeed::JsonSchema),
                Just(FormatNeed::Taxonomy)
            ],
            any::<bool>(),
            proptest::option::of(figure(50.0, 5000.0)),
            figure(0.0, 1e6),
            figure(-0.1, 0.5),
            prop_oneof![
                Just(KnowledgeCadence::Weekly),
                Just(KnowledgeCadence::Monthly),
                Just(KnowledgeCadence::Quarterly),
                Just(KnowledgeCadence::Rarely)
            ],
            any::<bool>(),
            any::<bool>(),
            0u32..3000,
        )
            .prop_map(|(format, dl, budget, v, g, k, port, new, n)| Questions {
                format,
                domain_language: dl,
                latency_budget_p95_ms: budget,
                queries_per_day: v,
                monthly_growth: g,
                knowledge_change: k,
                portability_needed: port,
                new_information: new,
                labelled_examples: n,
                quality_parity_enough: dl && port,
            })
    }

    fn evidence() -> impl Strategy<Value = Evidence> {
        let verdict = prop_oneof![
            Just(Verdict::Justified),
            Just(Verdict::NotJustified),
            Just(Verdict::Inconclusive)
        ];
        let quality = proptest::option::of(
            (
                verdict,
                figure(-0.3, 0.3),
                0.0..0.2,
                proptest::option::of(0u32..100_000),
            )
                .prop_map(|(v, d, half, cases)| {
                    let mut q = quality(v, d, d - half, d + half);
                    q.cases_needed = cases;
                    q
                }),
        );
        let break_even = proptest::option::of(prop_oneof![
            figure(0.0, 1e6).prop_map(|x| fine_tuned_from(x).unwrap_or_default()),
            Just(prompting_at_every_volume().unwrap_or_default()),
        ]);
        let date = proptest::option::of(prop_oneof![
            (2026i32..2029, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
            Just("not a date".to_string()),
        ]);
        (
            quality,
            proptest::option::of((0.0..1.0f64, 0.0..1.0f64)),
            arms(10.0, 5000.0),
            break_even,
            arms(0.0, 50_000.0),
            proptest::option::of(figure(0.0, 10_000.0)),
            proptest::option::of(figure(0.0, 48.0)),
            date,
            proptest::option::of(0u32..3000),
        )
            .prop_map(
                |(quality, fc, lat, be, cost, retrain, payback, retire, train)| Evidence {
                    quality,
                    format_checks: fc.map_or_else(Vec::new, |(p, f)| checks(p, f)),
                    latency_p95_ms: lat,
                    cheaper: be,
                    monthly_cost: cost,
                    retraining_monthly_cost: retrain,
                    payback_months: payback,
                    base_model_retirement: retire,
                    today: TODAY.to_string(),
                    train_examples: train,
                    ..Evidence::default()
                },
            )
    }

    proptest! {
        #[test]
        fn the_choice_never_contradicts_the_rule_table(q in questions(), e in evidence()) {
            let r = recommend(&q, &e);
            prop_assert_eq!(&r, &recommend(&q, &e), "deterministic");
            let examples = e.train_examples.map_or(q.labelled_examples, |t| t.min(q.labelled_examples));
            if q.portability_needed {
                prop_assert_eq!(r.choice, Choice::KeepPrompting, "rule 1");
            }
            if examples < 500 {
                prop_assert!(matches!(r.choice, Choice::KeepPrompting | Choice::NotYet), "rules 2-3: {:?}", r.choice);
            }
            if r.choice == Choice::FineTune {
                prop_assert!(!q.new_information && !q.knowledge_change.changes_often(), "rules 6-8");
            }
            if matches!(r.choice, Choice::FineTune | Choice::Hybrid) {
                prop_assert!(
                    r.reasons.iter().any(|x| matches!(x.supports, Supports::FineTune | Supports::Hybrid)
                        && matches!(x.kind, ReasonKind::Quality | ReasonKind::Format | ReasonKind::Latency | ReasonKind::Cost)),
                    "fine-tuning chosen without a win: {:#?}", r
                );
                prop_assert!(!r.reasons.iter().any(|x| x.supports == Supports::KeepPrompting
                    && matches!(x.kind, ReasonKind::Format | ReasonKind::Latency)
                    || x.kind == ReasonKind::Quality && x.text.contains(" worse by ")),
                    "fine-tuning chosen despite a regression: {:#?}", r);
            }
            let title = match r.choice {
                Choice::KeepPrompting => "Keep prompting: ",
                Choice::FineTune => "Fine-tune: ",
                Choice::Hybrid => "Hybrid: ",
                Choice::NotYet => "Not yet: ",
            };
            prop_assert!(r.headline.starts_with(title), "{}", r.headline);
            for reason in &r.reasons {
                prop_assert!(!reason.text.is_empty());
                let words: Vec<&str> = reason.text.split(|c: char| !c.is_alphanumeric()).collect();
                prop_assert!(
                    !words.contains(&"NaN") && !words.contains(&"inf"),
                    "a figure that is not a number must read n/a: {}",
                    reason.text
                );
            }
            for c in &r.conflicts {
                prop_assert!(c.contains(", but "), "{}", c);
            }
        }
    }
}
