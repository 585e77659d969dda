//! The table's cases of regressions (rule 4), nothing earned (rule 5), and knowledge that
//! changes often or new information (rules 6-8), where prompting stays or hybrid wins.

use super::*;

pub(super) const CASES: &[Case] = &[
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
            e.hybrid = Some(measured_hybrid(true));
        },
        choice: Choice::Hybrid,
        headline: "Hybrid: retrieval for changing knowledge, a fine-tuned model for cost",
        reasons: &[
            "Knowledge changes weekly: retraining every week is 62 % of the fine-tuned arm's monthly cost ($1,860 of $3,000)",
            "Measured hybrid arm rag against prompting: +9.1 points of accuracy (95 % CI 4.0 to 14.2; p 0.002), clears the margin; against its fine-tuned arm ft: +1.9 points of accuracy (95 % CI 0.6 to 3.3; p 0.004), clears the margin",
        ],
        conflicts: Some(&["cheaper from 12,000 queries/day, prompting below, but knowledge changes weekly: retraining every week is 62 % of the fine-tuned arm's monthly cost"]),
    },
    Case {
        name: "a format win with reasoning over new information is hybrid",
        base: neutral,
        change: |q, e| {
            q.format = FormatNeed::JsonSchema;
            q.new_information = true;
            e.format_checks = checks(0.90, 0.995);
            e.hybrid = Some(measured_hybrid(true));
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
            e.hybrid = Some(measured_hybrid(true));
        },
        choice: Choice::Hybrid,
        headline: "Hybrid: retrieval for changing knowledge and new information, a fine-tuned model for latency",
        reasons: &["Knowledge changes monthly: a fine-tune would be retrained monthly"],
        conflicts: Some(&["only the fine-tuned arm passes, but knowledge changes monthly"]),
    },
    Case {
        name: "a quality-only win with weekly knowledge and domain language is hybrid",
        base: quality_only,
        change: |q, e| {
            q.knowledge_change = KnowledgeCadence::Weekly;
            q.domain_language = true;
            e.hybrid = Some(measured_hybrid(true));
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
        name: "a cost win with weekly knowledge changes and no hybrid arm measured is not yet: retrieval need not measured",
        base: cost_only,
        change: |q, e| {
            q.knowledge_change = KnowledgeCadence::Weekly;
            e.cheaper = fine_tuned_from(12_000.0);
            e.monthly_cost = ArmFigures::new(3400.0, 3000.0);
            e.retraining_monthly_cost = Some(1860.0);
        },
        choice: Choice::NotYet,
        headline: "Not yet: fine-tuning wins on cost, but retrieval is called for by changing knowledge, and no hybrid arm was measured (retrieval need not measured)",
        reasons: &["Knowledge changes weekly: retraining every week is 62 % of the fine-tuned arm's monthly cost ($1,860 of $3,000)"],
        conflicts: Some(&["cheaper from 12,000 queries/day, prompting below, but knowledge changes weekly"]),
    },
    Case {
        name: "a format win with new information and a measured hybrid arm that does not beat its fine-tuned arm keeps prompting",
        base: neutral,
        change: |q, e| {
            q.format = FormatNeed::JsonSchema;
            q.new_information = true;
            e.format_checks = checks(0.90, 0.995);
            e.hybrid = Some(measured_hybrid(false));
        },
        choice: Choice::KeepPrompting,
        headline: "Keep prompting: retrieval is called for by new information, and the measured hybrid arm does not win",
        reasons: &["against its fine-tuned arm ft: +0.4 points of accuracy (95 % CI -1.2 to 2.1; p 0.610), does not clear the margin"],
        conflicts: Some(&["9.5 points more consistent, but measured hybrid arm rag against prompting", "the task reasons over new, unseen information"]),
    },
    Case {
        name: "a quality win with rarely changing knowledge and a measured hybrid arm that wins is hybrid",
        base: quality_only,
        change: |q, e| {
            q.knowledge_change = KnowledgeCadence::Rarely;
            e.hybrid = Some(measured_hybrid(true));
        },
        choice: Choice::Hybrid,
        headline: "Hybrid: the measured hybrid arm wins (measured hybrid arm rag against prompting: +9.1 points of accuracy",
        reasons: &["Measured hybrid arm rag against prompting: +9.1 points of accuracy (95 % CI 4.0 to 14.2; p 0.002), clears the margin"],
        conflicts: Some(&["but prompting is cheaper at every volume"]),
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
