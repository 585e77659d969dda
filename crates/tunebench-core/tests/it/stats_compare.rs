//! The comparison of arm B against arm A: reproducible bootstrap, the margin rule's three
//! verdicts, the error policy, McNemar, label-F1 primaries and latency summaries.

use tunebench_core::score::{label_report, F1Average};
use tunebench_core::stats::mcnemar::mcnemar_exact;
use tunebench_core::stats::{
    compare, summarize_latency, ArmScores, CaseScore, CompareConfig, ErrorPolicy, LatencySample,
    Margin, PrimaryMetric, VerdictKind,
};

use crate::score_reference::fixture;

/// A small deterministic generator, so the test data need no RNG crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// An arm from per-case values; `None` is an errored case.
fn arm(name: &str, values: &[Option<f64>]) -> ArmScores {
    ArmScores {
        arm: name.into(),
        cases: values
            .iter()
            .enumerate()
            .map(|(i, v)| CaseScore {
                example_id: i as i32 + 1,
                error: v.is_none(),
                value: v.unwrap_or(0.0),
                expected_label: None,
                predicted_label: None,
                counts: Vec::new(),
            })
            .collect(),
    }
}

/// Binary outcomes with success rates `pa` and `pb`, drawn independently per case.
fn binary_arms(n: usize, pa: f64, pb: f64, seed: u64) -> (ArmScores, ArmScores) {
    let mut rng = Lcg(seed);
    let mut a = Vec::new();
    let mut b = Vec::new();
    for _ in 0..n {
        a.push(Some((rng.next() < pa) as u8 as f64));
        b.push(Some((rng.next() < pb) as u8 as f64));
    }
    (arm("prompting", &a), arm("fine-tuned", &b))
}

#[test]
fn the_same_seed_gives_the_same_interval_and_another_seed_a_different_one() {
    // Continuous scores: the interval is the bootstrap's (rates get a score interval,
    // which no seed moves).
    let mut rng = Lcg(1);
    let values = |rng: &mut Lcg, shift: f64| -> Vec<Option<f64>> {
        (0..500)
            .map(|_| Some((rng.next() + shift).min(1.0)))
            .collect()
    };
    let (a, b) = (
        arm("prompting", &values(&mut rng, 0.0)),
        arm("fine-tuned", &values(&mut rng, 0.05)),
    );
    let cfg = CompareConfig::default();
    let first = compare(&a, &b, &cfg).unwrap();
    let again = compare(&a, &b, &cfg).unwrap();
    assert_eq!(first.interval, again.interval);
    assert_eq!(first, again, "the whole comparison is deterministic");
    let other = compare(&a, &b, &CompareConfig { seed: 99, ..cfg }).unwrap();
    assert_ne!(first.interval, other.interval);
    assert_eq!(first.resamples, 10_000);
}

#[test]
fn the_bootstrap_interval_agrees_with_the_normal_approximation_for_a_mean_difference() {
    let (a, b) = binary_arms(2000, 0.6, 0.65, 7);
    let c = compare(&a, &b, &CompareConfig::default()).unwrap();
    let d: Vec<f64> = a
        .cases
        .iter()
        .zip(&b.cases)
        .map(|(x, y)| y.value - x.value)
        .collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    let half = 1.959964 * sd / n.sqrt();
    assert!((c.difference - mean).abs() < 1e-12);
    assert!(
        (c.interval.low - (mean - half)).abs() < 0.15 * half,
        "{:?} vs ±{half}",
        c.interval
    );
    assert!(
        (c.interval.high - (mean + half)).abs() < 0.15 * half,
        "{:?} vs ±{half}",
        c.interval
    );
}

#[test]
fn a_clear_gain_beyond_the_margin_is_justified_and_the_sentence_carries_the_numbers() {
    let (a, b) = binary_arms(4000, 0.70, 0.86, 3);
    let c = compare(&a, &b, &CompareConfig::default()).unwrap();
    assert_eq!(
        c.verdict.kind,
        VerdictKind::Justified,
        "{}",
        c.verdict.sentence
    );
    assert!(c.interval.low > 0.0 && c.difference >= c.margin_absolute);
    let s = &c.verdict.sentence;
    assert!(s.starts_with("Fine-tuning is justified on quality"), "{s}");
    assert!(
        s.contains("n = 4000") && s.contains("95 % CI") && s.contains("5% relative"),
        "{s}"
    );
    assert!(
        s.contains(
            &format!("+{:.2}", c.difference)
                .trim_end_matches('0')
                .to_string()
        ),
        "{s}"
    );
    assert!(c.power.warning.is_none());
}

#[test]
fn arms_that_perform_alike_on_many_cases_are_not_justified() {
    let (a, b) = binary_arms(4000, 0.80, 0.80, 11);
    let c = compare(&a, &b, &CompareConfig::default()).unwrap();
    assert_eq!(
        c.verdict.kind,
        VerdictKind::NotJustified,
        "{}",
        c.verdict.sentence
    );
    assert!(c.interval.high < c.margin_absolute);
}

#[test]
fn a_small_set_is_inconclusive_says_how_many_cases_would_settle_it_and_warns_on_power() {
    let (a, b) = binary_arms(40, 0.70, 0.80, 5);
    let c = compare(&a, &b, &CompareConfig::default()).unwrap();
    assert_eq!(
        c.verdict.kind,
        VerdictKind::Inconclusive,
        "{}",
        c.verdict.sentence
    );
    let settle = c.verdict.cases_to_settle.expect("a case count");
    assert!(settle > 40);
    assert!(c.verdict.sentence.contains(&settle.to_string()));
    let warning = c
        .power
        .warning
        .as_deref()
        .expect("too small to detect the margin");
    assert!(c.power.minimum_detectable_difference > c.margin_absolute);
    assert!(warning.contains("too small"), "{warning}");
}

#[test]
fn an_absolute_margin_is_used_as_given() {
    let (a, b) = binary_arms(3000, 0.70, 0.74, 8);
    let cfg = CompareConfig {
        margin: Margin::Absolute { value: 0.10 },
        ..CompareConfig::default()
    };
    let c = compare(&a, &b, &cfg).unwrap();
    assert_eq!(c.margin_absolute, 0.10);
    assert_eq!(
        c.verdict.kind,
        VerdictKind::NotJustified,
        "{}",
        c.verdict.sentence
    );
}

#[test]
fn errors_count_as_failures_by_default_and_can_be_left_out_instead() {
    let mut av = vec![Some(1.0); 100];
    let bv = vec![Some(1.0); 100];
    for v in av.iter_mut().take(10) {
        *v = None;
    }
    let (a, b) = (arm("prompting", &av), arm("fine-tuned", &bv));
    let c = compare(&a, &b, &CompareConfig::default()).unwrap();
    assert_eq!((c.arm_a.errors, c.arm_b.errors), (10, 0));
    assert_eq!(c.n, 100);
    assert!(
        (c.arm_a.value - 0.9).abs() < 1e-12,
        "errors scored as failures"
    );
    assert!(c.error_policy_text.contains("counted as failures"));
    assert!(
        c.verdict.sentence.contains("10 in prompting"),
        "{}",
        c.verdict.sentence
    );

    let cfg = CompareConfig {
        error_policy: ErrorPolicy::ExcludeCase,
        ..CompareConfig::default()
    };
    let c = compare(&a, &b, &cfg).unwrap();
    assert_eq!((c.n, c.excluded_cases, c.arm_a.errors), (90, 10, 10));
    assert_eq!(c.arm_a.value, 1.0);
    assert!(c.error_policy_text.contains("10 cases excluded"));
}

#[test]
fn mcnemar_is_reported_for_binary_scores_only() {
    let (a, b) = binary_arms(300, 0.6, 0.7, 21);
    let c = compare(&a, &b, &CompareConfig::default()).unwrap();
    let m = c.mcnemar.expect("binary scores");
    let a_only = a
        .cases
        .iter()
        .zip(&b.cases)
        .filter(|(x, y)| x.value == 1.0 && y.value == 0.0)
        .count();
    let b_only = a
        .cases
        .iter()
        .zip(&b.cases)
        .filter(|(x, y)| x.value == 0.0 && y.value == 1.0)
        .count();
    assert_eq!((m.a_only as usize, m.b_only as usize), (a_only, b_only));
    assert_eq!(
        m.p_value,
        mcnemar_exact(a_only as u32, b_only as u32).p_value
    );
    assert_eq!(c.arm_a.interval_method, "wilson");

    let continuous: Vec<Option<f64>> = (0..50).map(|i| Some(i as f64 / 50.0)).collect();
    let c = compare(
        &arm("a", &continuous),
        &arm("b", &continuous),
        &CompareConfig::default(),
    )
    .unwrap();
    assert!(c.mcnemar.is_none());
    assert_eq!(c.arm_a.interval_method, "bootstrap");
    assert_eq!(
        c.power.method, "unpaired",
        "identical arms have no paired spread"
    );
}

#[test]
fn a_label_f1_primary_equals_scikit_learn_on_each_arm() {
    let data = fixture("labels.json");
    let case = data["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "five_classes_500_cases")
        .unwrap();
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    let truth = strings(&case["y_true"]);
    let pred = strings(&case["y_pred"]);
    let build = |name: &str, preds: &[String]| ArmScores {
        arm: name.into(),
        cases: truth
            .iter()
            .zip(preds)
            .enumerate()
            .map(|(i, (t, p))| CaseScore {
                example_id: i as i32,
                error: false,
                value: (t == p) as u8 as f64,
                expected_label: Some(t.clone()),
                predicted_label: Some(p.clone()),
                counts: Vec::new(),
            })
            .collect(),
    };
    let a = build("prompting", &pred);
    let b = build("fine-tuned", &truth);
    for (name, average) in [
        ("macro", F1Average::Macro),
        ("micro", F1Average::Micro),
        ("weighted", F1Average::Weighted),
    ] {
        let cfg = CompareConfig {
            metric: format!("{name}_f1"),
            primary: PrimaryMetric::LabelF1 { average },
            resamples: 2000,
            ..CompareConfig::default()
        };
        let c = compare(&a, &b, &cfg).unwrap();
        let want = case[name]["f1"].as_f64().unwrap();
        assert!(
            (c.arm_a.value - want).abs() < 1e-9,
            "{name}: {} vs {want}",
            c.arm_a.value
        );
        assert_eq!(c.arm_b.value, 1.0);
        assert!(c.arm_a.interval.contains(c.arm_a.value));
        assert!(c.interval.low > 0.0);
    }
}

#[test]
fn arms_answering_different_cases_are_refused() {
    let a = arm("a", &[Some(1.0), Some(0.0)]);
    let mut b = arm("b", &[Some(1.0), Some(0.0)]);
    b.cases[1].example_id = 77;
    let e = compare(&a, &b, &CompareConfig::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("example 2") && e.contains("not by arm `b`"),
        "{e}"
    );
    let short = arm("b", &[Some(1.0)]);
    assert!(compare(&a, &short, &CompareConfig::default()).is_err());
}

#[test]
fn the_comparison_serialises_to_json_for_the_report() {
    let (a, b) = binary_arms(100, 0.6, 0.7, 2);
    let c = compare(&a, &b, &CompareConfig::default()).unwrap();
    let v = serde_json::to_value(&c).unwrap();
    for key in [
        "difference",
        "interval",
        "mcnemar",
        "power",
        "verdict",
        "arm_a",
        "error_policy_text",
    ] {
        assert!(!v[key].is_null(), "{key}");
    }
    assert_eq!(
        v["verdict"]["kind"],
        serde_json::json!(format!("{:?}", c.verdict.kind)
            .to_lowercase()
            .replace("notjustified", "not_justified"))
    );
}

#[test]
fn latency_percentiles_interpolate_between_ranks_and_check_the_budget() {
    let samples: Vec<LatencySample> = (1..=100)
        .map(|i| LatencySample {
            latency_ms: i as f64,
            ttft_ms: Some(i as f64 / 10.0),
            completion_tokens: Some(10),
            error: false,
        })
        .chain(std::iter::once(LatencySample {
            latency_ms: 1e9,
            ttft_ms: None,
            completion_tokens: None,
            error: true,
        }))
        .collect();
    let s = summarize_latency(&samples, Some(95.0));
    assert_eq!((s.n, s.errors), (100, 1));
    assert_eq!(s.mean_ms, Some(50.5));
    assert_eq!(s.p50_ms, Some(50.5));
    assert!((s.p90_ms.unwrap() - 90.1).abs() < 1e-9);
    assert!((s.p95_ms.unwrap() - 95.05).abs() < 1e-9);
    assert!((s.p99_ms.unwrap() - 99.01).abs() < 1e-9);
    assert!((s.ttft_p95_ms.unwrap() - 9.505).abs() < 1e-9);
    // 1000 tokens over 5.05 s.
    assert!((s.tokens_per_second.unwrap() - 1000.0 / 5.05).abs() < 1e-9);
    assert_eq!(
        s.within_budget,
        Some(false),
        "p95 95.05 ms is over a 95 ms budget"
    );
    assert_eq!(
        summarize_latency(&samples, Some(96.0)).within_budget,
        Some(true)
    );
    assert_eq!(summarize_latency(&[], None).p95_ms, None);
}

#[test]
fn a_label_primary_counts_errored_cases_as_wrong_predictions_of_no_class() {
    let truth = ["a", "a", "b", "b", "c", "c"];
    let build = |name: &str, preds: [Option<&str>; 6]| ArmScores {
        arm: name.into(),
        cases: truth
            .iter()
            .zip(preds)
            .enumerate()
            .map(|(i, (t, p))| CaseScore {
                example_id: i as i32,
                error: p.is_none(),
                value: (Some(*t) == p) as u8 as f64,
                expected_label: Some(t.to_string()),
                predicted_label: p.map(str::to_owned),
                counts: Vec::new(),
            })
            .collect(),
    };
    let a = build(
        "prompting",
        [Some("a"), None, Some("b"), Some("a"), Some("c"), None],
    );
    let b = build(
        "fine-tuned",
        [Some("a"), Some("a"), Some("b"), Some("b"), None, None],
    );
    let cfg = CompareConfig {
        metric: "macro_f1".into(),
        primary: PrimaryMetric::LabelF1 {
            average: F1Average::Macro,
        },
        resamples: 1000,
        ..CompareConfig::default()
    };
    let c = compare(&a, &b, &cfg).unwrap();
    assert_eq!((c.n, c.arm_a.errors, c.arm_b.errors), (6, 2, 2));
    // The same as scikit-learn with the errors as a prediction outside the classes.
    let classes: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let as_wrong = |preds: [&str; 6]| label_report(&truth, &preds, Some(&classes)).macro_avg.f1;
    let want_a = as_wrong(["a", "<error>", "b", "a", "c", "<error>"]);
    let want_b = as_wrong(["a", "a", "b", "b", "<error>", "<error>"]);
    assert!(
        (c.arm_a.value - want_a).abs() < 1e-12,
        "{} vs {want_a}",
        c.arm_a.value
    );
    assert!(
        (c.arm_b.value - want_b).abs() < 1e-12,
        "{} vs {want_b}",
        c.arm_b.value
    );
}

#[test]
fn settings_and_scores_that_cannot_be_compared_are_refused_with_the_reason() {
    let (a, mut b) = binary_arms(10, 0.5, 0.5, 4);
    let none = CompareConfig {
        resamples: 0,
        ..CompareConfig::default()
    };
    assert!(compare(&a, &b, &none)
        .unwrap_err()
        .to_string()
        .contains("resamples"));
    let bad = CompareConfig {
        confidence: 1.5,
        ..CompareConfig::default()
    };
    assert!(compare(&a, &b, &bad)
        .unwrap_err()
        .to_string()
        .contains("confidence"));
    b.cases[3].value = f64::NAN;
    let e = compare(&a, &b, &CompareConfig::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("example 4") && e.contains("fine-tuned"), "{e}");
}
