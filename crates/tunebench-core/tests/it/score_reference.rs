//! Label and text metrics against the values scikit-learn, sacrebleu and rouge-score
//! computed on the same data (tests/fixtures/reference, written by
//! scripts/reference_metrics.py with the library versions recorded in each file).

use serde_json::Value;
use tunebench_core::score::{bleu, chrf, label_report, rouge};

const TOL: f64 = 1e-9;

pub fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reference")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn close(what: &str, ours: f64, theirs: f64) {
    assert!(
        (ours - theirs).abs() <= TOL,
        "{what}: ours {ours} vs reference {theirs}"
    );
}

#[test]
fn label_metrics_equal_scikit_learn_on_every_fixture_case() {
    let data = fixture("labels.json");
    let cases = data["cases"].as_array().unwrap();
    assert!(cases.len() >= 6, "the fixture holds the edge cases");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let truth = strings(&case["y_true"]);
        let pred = strings(&case["y_pred"]);
        let labels = strings(&case["labels"]);
        let taxonomy = case["taxonomy_given"]
            .as_bool()
            .unwrap()
            .then_some(&labels[..]);
        let r = label_report(&truth, &pred, taxonomy);
        assert_eq!(r.labels, labels, "{name}: class order");
        close(
            &format!("{name} accuracy"),
            r.accuracy,
            f(&case["accuracy"]),
        );
        for (ours, theirs) in r
            .per_class
            .iter()
            .zip(case["per_class"].as_array().unwrap())
        {
            let what = format!("{name} class {:?}", ours.label);
            close(
                &format!("{what} precision"),
                ours.precision,
                f(&theirs["precision"]),
            );
            close(&format!("{what} recall"), ours.recall, f(&theirs["recall"]));
            close(&format!("{what} f1"), ours.f1, f(&theirs["f1"]));
            assert_eq!(
                ours.support as u64,
                theirs["support"].as_u64().unwrap(),
                "{what} support"
            );
        }
        for (avg, ours) in [
            ("macro", r.macro_avg),
            ("micro", r.micro_avg),
            ("weighted", r.weighted_avg),
        ] {
            close(
                &format!("{name} {avg} precision"),
                ours.precision,
                f(&case[avg]["precision"]),
            );
            close(
                &format!("{name} {avg} recall"),
                ours.recall,
                f(&case[avg]["recall"]),
            );
            close(&format!("{name} {avg} f1"), ours.f1, f(&case[avg]["f1"]));
        }
        let confusion: Vec<Vec<u32>> = serde_json::from_value(case["confusion"].clone()).unwrap();
        assert_eq!(r.confusion, confusion, "{name}: confusion matrix");
    }
}

#[test]
fn bleu_and_chrf_equal_sacrebleu_per_sentence_and_per_corpus() {
    let data = fixture("text.json");
    let pairs = data["pairs"].as_array().unwrap();
    let mut hyps = Vec::new();
    let mut refs = Vec::new();
    for (i, p) in pairs.iter().enumerate() {
        let hyp = p["hypothesis"].as_str().unwrap();
        let rf = p["reference"].as_str().unwrap();
        close(
            &format!("pair {i} sentence BLEU {hyp:?}"),
            bleu::sentence_bleu(hyp, rf),
            f(&p["sentence_bleu"]),
        );
        close(
            &format!("pair {i} sentence chrF {hyp:?}"),
            chrf::sentence_chrf(hyp, rf),
            f(&p["sentence_chrf"]),
        );
        hyps.push(hyp);
        refs.push(rf);
    }
    close(
        "corpus BLEU",
        bleu::corpus_bleu(&hyps, &refs),
        f(&data["corpus_bleu"]),
    );
    close(
        "corpus chrF",
        chrf::corpus_chrf(&hyps, &refs),
        f(&data["corpus_chrf"]),
    );
    close(
        "corpus BLEU of the first three",
        bleu::corpus_bleu(&hyps[..3], &refs[..3]),
        f(&data["corpus_bleu_first_three"]),
    );
}

#[test]
fn the_13a_tokenizer_splits_text_as_sacrebleu_does() {
    let data = fixture("text.json");
    let pairs = data["pairs"].as_array().unwrap();
    for (p, expected) in pairs.iter().zip(data["tokenized_13a"].as_array().unwrap()) {
        let hyp = p["hypothesis"].as_str().unwrap();
        let trimmed =
            hyp.trim_end_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c));
        assert_eq!(
            bleu::tokenize_13a(trimmed),
            expected.as_str().unwrap(),
            "{hyp:?}"
        );
    }
}

#[test]
fn rouge_l_equals_rouge_score() {
    let data = fixture("text.json");
    for (i, p) in data["pairs"].as_array().unwrap().iter().enumerate() {
        let hyp = p["hypothesis"].as_str().unwrap();
        let rf = p["reference"].as_str().unwrap();
        let r = rouge::rouge_l(hyp, rf);
        let want = &p["rouge_l"];
        close(
            &format!("pair {i} ROUGE-L precision"),
            r.precision,
            f(&want["precision"]),
        );
        close(
            &format!("pair {i} ROUGE-L recall"),
            r.recall,
            f(&want["recall"]),
        );
        close(
            &format!("pair {i} ROUGE-L F"),
            r.fmeasure,
            f(&want["fmeasure"]),
        );
    }
}

#[test]
fn fixtures_record_the_library_versions_that_produced_them() {
    for name in ["labels.json", "text.json", "stats.json"] {
        let v = fixture(name);
        for lib in ["scikit-learn", "sacrebleu", "rouge-score", "statsmodels"] {
            assert!(
                v["versions"][lib].is_string(),
                "{name} lacks the version of {lib}"
            );
        }
    }
}

#[test]
fn schema_validity_equals_python_jsonschema_on_every_fixture_answer() {
    use tunebench_core::score::format::JsonSchema;
    // scripts/reference_formats.py: Draft202012Validator.is_valid on each raw answer.
    let data = fixture("json_schema.json");
    let mut checked = 0;
    for case in data["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let schema = JsonSchema::compile(case["schema"].as_str().unwrap(), name).unwrap();
        for v in case["verdicts"].as_array().unwrap() {
            let answer = v["answer"].as_str().unwrap();
            let theirs = v["valid"].as_bool().unwrap();
            assert_eq!(
                schema.score(answer) == 1.0,
                theirs,
                "{name}: {answer:?} (jsonschema says valid = {theirs})"
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked} answers");
}

#[test]
fn corpus_entity_f1_equals_seqeval_on_a_conll_shaped_set() {
    use tunebench_core::score::entity;
    // scripts/reference_formats.py: seqeval's micro-averaged precision, recall and F1 over
    // BIO-tagged sentences; each sentence's spans written as the JSON list we score.
    let data = fixture("entities.json");
    let sentences = data["sentences"].as_array().unwrap();
    let counts: Vec<entity::EntityCounts> = sentences
        .iter()
        .map(|s| {
            entity::count(
                s["output"].as_str().unwrap(),
                s["expected"].as_str().unwrap(),
            )
        })
        .collect();
    let ours = entity::corpus_score(&counts);
    close("precision", ours.precision, f(&data["precision"]));
    close("recall", ours.recall, f(&data["recall"]));
    close("F1", ours.f1, f(&data["f1"]));
    // The mean of per-sentence F1s is another figure: the corpus one is the metric.
    let mean = counts.iter().map(|c| c.score().f1).sum::<f64>() / counts.len() as f64;
    assert!(
        (mean - ours.f1).abs() > 1e-3,
        "the fixture tells the two apart: mean {mean}, corpus {}",
        ours.f1
    );
}
