//! McNemar's exact test and Wilson intervals against statsmodels' values
//! (tests/fixtures/reference/stats.json).

use tunebench_core::stats::{mcnemar::mcnemar_exact, wilson::wilson};

use crate::score_reference::fixture;

#[test]
fn mcnemar_exact_p_values_equal_statsmodels() {
    let data = fixture("stats.json");
    for c in data["mcnemar"].as_array().unwrap() {
        let (b, cc) = (
            c["a_only"].as_u64().unwrap() as u32,
            c["b_only"].as_u64().unwrap() as u32,
        );
        let ours = mcnemar_exact(b, cc).p_value;
        let theirs = c["p_value"].as_f64().unwrap();
        assert!(
            (ours - theirs).abs() <= 1e-12 + 1e-9 * theirs,
            "b={b} c={cc}: {ours} vs {theirs}"
        );
    }
}

#[test]
fn wilson_intervals_equal_statsmodels() {
    let data = fixture("stats.json");
    for c in data["wilson"].as_array().unwrap() {
        let k = c["successes"].as_u64().unwrap() as u32;
        let n = c["n"].as_u64().unwrap() as u32;
        let conf = c["confidence"].as_f64().unwrap();
        let i = wilson(k, n, conf);
        for (ours, key) in [(i.low, "low"), (i.high, "high")] {
            let theirs = c[key].as_f64().unwrap();
            assert!(
                (ours - theirs).abs() <= 1e-9,
                "{k}/{n} at {conf} {key}: {ours} vs {theirs}"
            );
        }
    }
}
