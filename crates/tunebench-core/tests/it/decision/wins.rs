//! The table's cases of rule 9: what earns fine-tuning its keep (quality, format, latency,
//! cost, growth) and what a cost win must survive.

use super::*;

pub(super) const CASES: &[Case] = &[
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
];
