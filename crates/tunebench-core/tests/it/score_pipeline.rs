//! From raw outputs to the verdict, as the run engine and the report use the scoring core:
//! prepare the experiment's scorers, score each case, summarise each metric, compare.

use tunebench_core::score::{label_report, score_case, Normalization, Scorer};
use tunebench_core::stats::{
    compare, summarize_metric, ArmScores, CaseScore, CompareConfig, ErrorPolicy,
};

#[test]
fn raw_outputs_are_scored_summarised_and_compared_per_arm() {
    let taxonomy: Vec<String> = ["billing", "shipping"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let scorers: Vec<_> = Scorer::classification_defaults(&taxonomy)
        .iter()
        .map(|s| s.prepare("support.toml").unwrap())
        .collect();
    let names: Vec<_> = scorers.iter().map(|s| s.name()).collect();
    assert_eq!(names, ["exact_match", "label", "label_in_taxonomy"]);

    let expected = ["billing", "shipping", "billing", "shipping"];
    // `None`: the case errored after its retries.
    let arm_a = [
        Some(" billing\n"),
        Some("Shipping"),
        None,
        Some("I think shipping"),
    ];
    let arm_b = [
        Some("billing"),
        Some("shipping"),
        Some("billing"),
        Some("shipping"),
    ];

    let score = |name: &str, outputs: &[Option<&str>]| {
        let mut cases = Vec::new();
        let mut format = Vec::new();
        for (i, (e, o)) in expected.iter().zip(outputs).enumerate() {
            let scores = o.map(|o| score_case(&scorers, o, e));
            format.push(scores.as_ref().map(|s| s[2].value));
            cases.push(CaseScore {
                example_id: i as i32 + 1,
                error: o.is_none(),
                value: scores.as_ref().map_or(0.0, |s| s[0].value),
                expected_label: Some(e.to_string()),
                predicted_label: o.map(|o| Normalization::default().apply(o)),
                counts: Vec::new(),
            });
        }
        (
            ArmScores {
                arm: name.into(),
                cases,
            },
            format,
        )
    };
    let (a, a_format) = score("prompting", &arm_a);
    let (b, b_format) = score("fine-tuned", &arm_b);

    let exact: Vec<f64> = a.cases.iter().map(|c| c.value).collect();
    assert_eq!(
        exact,
        [1.0, 0.0, 0.0, 0.0],
        "case matters by default; the error scores 0"
    );
    let fmt = summarize_metric(
        "label_in_taxonomy",
        &a_format,
        ErrorPolicy::CountAsFailure,
        0.95,
        1000,
        0,
    );
    assert_eq!((fmt.mean, fmt.errors), (Some(0.25), 1));
    assert_eq!(
        summarize_metric(
            "label_in_taxonomy",
            &b_format,
            ErrorPolicy::CountAsFailure,
            0.95,
            1000,
            0
        )
        .mean,
        Some(1.0)
    );

    let predicted: Vec<String> = b
        .cases
        .iter()
        .map(|c| c.predicted_label.clone().unwrap())
        .collect();
    assert_eq!(
        label_report(&expected, &predicted, Some(&taxonomy))
            .macro_avg
            .f1,
        1.0
    );

    let c = compare(&a, &b, &CompareConfig::default()).unwrap();
    assert_eq!(
        (c.arm_a.value, c.arm_b.value, c.difference),
        (0.25, 1.0, 0.75)
    );
    assert_eq!(c.arm_a.errors, 1);
    let m = c.mcnemar.unwrap();
    assert_eq!((m.a_only, m.b_only), (0, 3));
    assert!(
        (m.p_value - 0.25).abs() < 1e-12,
        "2 · P[Bin(3, ½) ≤ 0] = 2/8, got {}",
        m.p_value
    );
}
