//! Properties the metrics hold for any input, checked on generated cases.

use proptest::prelude::*;
use tunebench_core::score::{bleu, chrf, label_report, rouge};

fn labels() -> impl Strategy<Value = Vec<(String, String)>> {
    let label = prop::sample::select(vec!["a", "b", "c", "ü", "日本", ""]).prop_map(str::to_owned);
    prop::collection::vec((label.clone(), label), 1..60)
}

proptest! {
    #[test]
    fn micro_f1_is_accuracy_and_the_confusion_matrix_counts_every_case(pairs in labels()) {
        let (truth, pred): (Vec<String>, Vec<String>) = pairs.into_iter().unzip();
        let r = label_report(&truth, &pred, None);
        prop_assert!((r.micro_avg.f1 - r.accuracy).abs() < 1e-12);
        let total: u32 = r.confusion.iter().flatten().sum();
        prop_assert_eq!(total as usize, truth.len());
        let diagonal: u32 = (0..r.labels.len()).map(|i| r.confusion[i][i]).sum();
        prop_assert!((diagonal as f64 / truth.len() as f64 - r.accuracy).abs() < 1e-12);
        for m in [r.macro_avg, r.weighted_avg] {
            prop_assert!((0.0..=1.0).contains(&m.f1));
        }
    }

    #[test]
    fn text_metrics_stay_in_range_and_rouge_f_is_symmetric(a in "[a-zA-Z .,é]{0,40}", b in "[a-zA-Z .,é]{0,40}") {
        let s = bleu::sentence_bleu(&a, &b);
        prop_assert!((0.0..=100.0 + 1e-9).contains(&s));
        let c = chrf::sentence_chrf(&a, &b);
        prop_assert!((0.0..=100.0 + 1e-9).contains(&c));
        let (x, y) = (rouge::rouge_l(&a, &b), rouge::rouge_l(&b, &a));
        prop_assert!((x.fmeasure - y.fmeasure).abs() < 1e-12);
        prop_assert_eq!(x.precision, y.recall);
    }
}
