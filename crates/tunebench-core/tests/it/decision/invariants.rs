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
