//! Speed of scoring a classification experiment: 100,000 cases × 2 arms with the default
//! classification scorers (exact match, label metrics, label-in-taxonomy) plus the
//! comparison with its 10,000-resample paired bootstrap. Target: within 1.5 s.
//!
//! `cargo bench -p tunebench-core --bench score`

use criterion::{criterion_group, criterion_main, Criterion};
use tunebench_core::score::{label_report, LabelReport, Normalization, Scorer};
use tunebench_core::stats::{compare, ArmScores, CaseScore, CompareConfig, Comparison};

const CASES: usize = 100_000;

fn labels() -> Vec<String> {
    [
        "billing",
        "shipping",
        "refund",
        "technical",
        "account",
        "other",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Expected labels and two arms' raw outputs: arm B right more often, both sometimes
/// padded with whitespace or answering outside the taxonomy.
fn data() -> (Vec<String>, Vec<String>, Vec<String>) {
    let labels = labels();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut expected = Vec::with_capacity(CASES);
    let mut a = Vec::with_capacity(CASES);
    let mut b = Vec::with_capacity(CASES);
    for _ in 0..CASES {
        let t = labels[(next() % labels.len() as u64) as usize].clone();
        let answer = |r: u64, right_per_100: u64| -> String {
            match r % 100 {
                x if x < right_per_100 => format!(" {t}\n"),
                x if x % 7 == 0 => "I am not sure".to_owned(),
                x => labels[(x as usize) % labels.len()].clone(),
            }
        };
        a.push(answer(next(), 78));
        b.push(answer(next(), 84));
        expected.push(t);
    }
    (expected, a, b)
}

/// What the run engine does per arm: per-case scores, the label report, and the primary
/// metric's per-case values.
fn score_arm(
    name: &str,
    expected: &[String],
    outputs: &[String],
    labels: &[String],
) -> (ArmScores, LabelReport, f64) {
    let scorers: Vec<_> = Scorer::classification_defaults(labels)
        .iter()
        .map(|s| s.prepare("bench").expect("valid scorer"))
        .collect();
    let norm = Normalization::default();
    let mut cases = Vec::with_capacity(expected.len());
    let mut predicted = Vec::with_capacity(expected.len());
    let mut in_taxonomy = 0.0;
    for (i, (e, o)) in expected.iter().zip(outputs).enumerate() {
        let exact = scorers[0].score(o, e).unwrap_or(0.0);
        in_taxonomy += scorers[2].score(o, e).unwrap_or(0.0);
        predicted.push(norm.apply(o));
        cases.push(CaseScore {
            example_id: i as i32,
            error: false,
            value: exact,
            expected_label: None,
            predicted_label: None,
            counts: Vec::new(),
        });
    }
    let report = label_report(expected, &predicted, None);
    (
        ArmScores {
            arm: name.to_owned(),
            cases,
        },
        report,
        in_taxonomy / expected.len() as f64,
    )
}

type Scored = (Comparison, [(LabelReport, f64); 2]);

fn experiment(expected: &[String], a: &[String], b: &[String], labels: &[String]) -> Scored {
    let (arm_a, report_a, format_a) = score_arm("prompting", expected, a, labels);
    let (arm_b, report_b, format_b) = score_arm("fine-tuned", expected, b, labels);
    let comparison = compare(&arm_a, &arm_b, &CompareConfig::default()).expect("comparable arms");
    (comparison, [(report_a, format_a), (report_b, format_b)])
}

fn bench(c: &mut Criterion) {
    let (expected, a, b) = data();
    let labels = labels();
    let (first, reports) = experiment(&expected, &a, &b, &labels);
    eprintln!("{}", first.verdict.sentence);
    eprintln!(
        "macro-F1 A {:.4}, B {:.4}; label-in-taxonomy A {:.4}, B {:.4}",
        reports[0].0.macro_avg.f1, reports[1].0.macro_avg.f1, reports[0].1, reports[1].1
    );
    let mut group = c.benchmark_group("classification_100k_cases_x2_arms");
    group.sample_size(10);
    group.bench_function("score_and_compare_with_10k_bootstrap", |bench| {
        bench.iter(|| std::hint::black_box(experiment(&expected, &a, &b, &labels)))
    });
    group.bench_function("bootstrap_compare_only", |bench| {
        let (arm_a, _, _) = score_arm("prompting", &expected, &a, &labels);
        let (arm_b, _, _) = score_arm("fine-tuned", &expected, &b, &labels);
        bench.iter(|| compare(&arm_a, &arm_b, &CompareConfig::default()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
