//! The table's cases that stop fine-tuning before its wins count: a base model retiring
//! before payback, needed portability (rule 1), too few examples (rules 2 and 3).

use super::*;

pub(super) const CASES: &[Case] = &[
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
];
