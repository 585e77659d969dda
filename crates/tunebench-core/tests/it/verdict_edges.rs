//! The margin rule's edge cases: a difference of exactly the margin, small test sets where
//! a percentile bootstrap is too narrow (the verdict must agree with McNemar's exact
//! test), and corpus metrics bootstrapped over sentences.

use tunebench_core::score::{bleu, chrf};
use tunebench_core::stats::paired::{newcombe_difference, PairedCounts};
use tunebench_core::stats::{
    compare, ArmScores, CaseScore, CompareConfig, Margin, PrimaryMetric, VerdictKind,
};

use crate::score_reference::fixture;

/// Both arms' binary outcomes from the cells of their paired table.
pub fn table_arms(both: u32, a_only: u32, b_only: u32, neither: u32) -> (ArmScores, ArmScores) {
    let mut a = Vec::new();
    let mut b = Vec::new();
    let cells = [
        (both, 1.0, 1.0),
        (a_only, 1.0, 0.0),
        (b_only, 0.0, 1.0),
        (neither, 0.0, 0.0),
    ];
    let mut id = 0;
    for (count, va, vb) in cells {
        for _ in 0..count {
            id += 1;
            let case = |value: f64| CaseScore {
                example_id: id,
                error: false,
                value,
                expected_label: None,
                predicted_label: None,
                counts: Vec::new(),
            };
            a.push(case(va));
            b.push(case(vb));
        }
    }
    (
        ArmScores {
            arm: "prompting".into(),
            cases: a,
        },
        ArmScores {
            arm: "fine-tuned".into(),
            cases: b,
        },
    )
}

fn config(resamples: u32) -> CompareConfig {
    CompareConfig {
        resamples,
        ..CompareConfig::default()
    }
}

#[test]
fn a_gain_of_exactly_the_margin_in_counts_clears_it_at_every_test_set_size() {
    // B − A = 5 % of A exactly, in whole cases: A right on a multiple of 20 cases, B on
    // 1/20 more, every discordant pair in B's favour so the gain is significant.
    let mut checked = 0;
    for n in [100u32, 200, 400, 500, 1000] {
        for a_right in (20..n).step_by(20) {
            let gain = a_right / 20;
            if a_right + gain > n || gain < 10 {
                continue;
            }
            let (a, b) = table_arms(a_right, 0, gain, n - a_right - gain);
            let c = compare(&a, &b, &config(200)).unwrap();
            assert_eq!(
                c.verdict.kind,
                VerdictKind::Justified,
                "{a_right}/{n} vs {}/{n}: {}",
                a_right + gain,
                c.verdict.sentence
            );
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked} cases");
    // The case: 320/400 vs 336/400.
    let (a, b) = table_arms(320, 0, 16, 64);
    assert_eq!(
        compare(&a, &b, &config(200)).unwrap().verdict.kind,
        VerdictKind::Justified
    );
}

#[test]
fn small_test_sets_are_not_justified_where_mcnemar_s_exact_test_is_not_significant() {
    // (both, A only, B only, neither, McNemar's p)
    for (both, a_only, b_only, neither, p) in [(10, 0, 5, 5, 0.0625), (24, 1, 7, 8, 0.0703125)] {
        let (a, b) = table_arms(both, a_only, b_only, neither);
        let c = compare(&a, &b, &config(2000)).unwrap();
        let mc = c.mcnemar.unwrap();
        assert!((mc.p_value - p).abs() < 1e-12);
        assert_ne!(
            c.verdict.kind,
            VerdictKind::Justified,
            "n = {}: {}",
            c.n,
            c.verdict.sentence
        );
        assert_eq!(c.interval_method, "newcombe");
        assert!(
            c.verdict
                .sentence
                .contains("McNemar's exact test is not significant"),
            "{}",
            c.verdict.sentence
        );
    }
}

#[test]
fn the_paired_difference_interval_equals_newcombe_s_method_10_from_statsmodels_wilson() {
    let data = fixture("paired.json");
    for t in data["tables"].as_array().unwrap() {
        let cell = |k: &str| t[k].as_u64().unwrap() as u32;
        let counts = PairedCounts {
            both: cell("both"),
            a_only: cell("a_only"),
            b_only: cell("b_only"),
            neither: cell("neither"),
        };
        let conf = t["confidence"].as_f64().unwrap();
        let i = newcombe_difference(counts, conf);
        for (ours, key) in [(i.low, "low"), (i.high, "high")] {
            let theirs = t[key].as_f64().unwrap();
            assert!(
                (ours - theirs).abs() <= 1e-9,
                "{counts:?} at {conf} {key}: {ours} vs {theirs}"
            );
        }
        // The comparison of the same table uses that interval.
        let (a, b) = table_arms(counts.both, counts.a_only, counts.b_only, counts.neither);
        let c = compare(
            &a,
            &b,
            &CompareConfig {
                confidence: conf,
                ..config(50)
            },
        )
        .unwrap();
        assert!((c.interval.low - i.low).abs() < 1e-15 && (c.interval.high - i.high).abs() < 1e-15);
        let p = t["mcnemar_p"].as_f64().unwrap();
        assert!((c.mcnemar.unwrap().p_value - p).abs() <= 1e-12 + 1e-9 * p);
    }
}

/// Two systems' cases with their corpus statistics for `metric`.
fn corpus_arms(
    metric: tunebench_core::score::CorpusMetric,
    refs: &[String],
    sys_a: &[String],
    sys_b: &[String],
) -> (ArmScores, ArmScores) {
    let arm = |name: &str, hyps: &[String]| ArmScores {
        arm: name.into(),
        cases: hyps
            .iter()
            .zip(refs)
            .enumerate()
            .map(|(i, (h, r))| CaseScore {
                example_id: i as i32,
                error: false,
                value: 0.0,
                expected_label: None,
                predicted_label: None,
                counts: metric.counts(h, r),
            })
            .collect(),
    };
    (arm("prompting", sys_a), arm("fine-tuned", sys_b))
}

#[test]
fn corpus_bleu_and_chrf_are_the_metric_with_a_paired_bootstrap_over_sentences_as_sacrebleu() {
    use tunebench_core::score::CorpusMetric;
    let data = fixture("corpus.json");
    let strings = |k: &str| -> Vec<String> {
        data[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect()
    };
    let (refs, sys_a, sys_b) = (
        strings("references"),
        strings("system_a"),
        strings("system_b"),
    );
    for (name, metric, whole) in [
        ("bleu", CorpusMetric::Bleu, bleu::corpus_bleu(&sys_a, &refs)),
        ("chrf", CorpusMetric::Chrf, chrf::corpus_chrf(&sys_a, &refs)),
    ] {
        let want = &data[name];
        let (a, b) = corpus_arms(metric, &refs, &sys_a, &sys_b);
        let c = compare(
            &a,
            &b,
            &CompareConfig {
                metric: name.into(),
                primary: PrimaryMetric::for_name(name),
                margin: Margin::Absolute { value: 1.0 },
                ..config(20_000)
            },
        )
        .unwrap();
        assert_eq!(c.primary, PrimaryMetric::Corpus { metric });
        assert_eq!(c.interval_method, "paired bootstrap");
        // The corpus figures, exactly as sacrebleu's.
        for (ours, key) in [
            (c.arm_a.value, "a"),
            (c.arm_b.value, "b"),
            (c.difference, "difference"),
        ] {
            let theirs = want[key].as_f64().unwrap();
            assert!(
                (ours - theirs).abs() < 1e-9,
                "{name} {key}: {ours} vs {theirs}"
            );
        }
        assert!((c.arm_a.value - whole).abs() < 1e-9);
        // The percentile interval of an independent bootstrap (numpy's generator): the two
        // agree to Monte Carlo error, well within a tenth of the interval's width.
        let (lo, hi) = (
            want["low"].as_f64().unwrap(),
            want["high"].as_f64().unwrap(),
        );
        let width = hi - lo;
        assert!(
            (c.interval.low - lo).abs() < 0.1 * width && (c.interval.high - hi).abs() < 0.1 * width,
            "{name}: ours {:?} vs ({lo}, {hi})",
            c.interval
        );
    }
}
