//! Holm's step-down correction for several comparisons in one experiment (each challenger
//! against the baseline, each hybrid against its fine-tuned arm), and the p-value of a
//! comparison whose primary metric is not binary.
//!
//! Holm (1979): sort the m p-values ascending, p₍₁₎ ≤ … ≤ p₍ₘ₎; the adjusted value of the
//! i-th is max over j ≤ i of min(1, (m − j + 1) · p₍ⱼ₎). A comparison is significant at
//! level α when its adjusted p-value is below α, which controls the family-wise error
//! rate at α, as statsmodels' `multipletests(p, method="holm")`.

/// The Holm-adjusted p-values of `p`, in the same order. Ties keep their input order
/// (their adjusted values are equal either way).
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| p[i].total_cmp(&p[j]));
    let mut adjusted = vec![0.0; m];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        let scaled = ((m - rank) as f64 * p[i]).min(1.0);
        running = running.max(scaled);
        adjusted[i] = running;
    }
    adjusted
}

/// The two-sided p-value of a difference with standard error `se` under the normal
/// approximation, 2 · (1 − Φ(|difference| / se)): the test behind a paired-bootstrap
/// interval when the scores are not binary (McNemar's exact test covers binary ones).
/// 1 when the spread is zero and the difference is zero; 0 when only the spread is.
pub fn normal_p_value(difference: f64, se: f64) -> f64 {
    if se.is_nan() || se <= 0.0 {
        return if difference == 0.0 { 1.0 } else { 0.0 };
    }
    use statrs::distribution::{ContinuousCDF, Normal};
    let z = difference.abs() / se;
    (2.0 * Normal::standard().sf(z)).min(1.0)
}

/// z for a two-sided p-value (for tests of [`normal_p_value`]).
#[cfg(test)]
fn z_of(p: f64) -> f64 {
    crate::stats::normal_quantile(1.0 - p / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_scales_the_sorted_p_values_and_keeps_them_monotone() {
        // Sorted 0.01, 0.02, 0.04, 0.3 (m = 4): 4·0.01 = 0.04, 3·0.02 = 0.06,
        // 2·0.04 = 0.08, 1·0.3 = 0.3; already increasing.
        let a = holm(&[0.04, 0.01, 0.3, 0.02]);
        let want = [0.08, 0.04, 0.3, 0.06];
        for (x, w) in a.iter().zip(want) {
            assert!((x - w).abs() < 1e-12, "{a:?}");
        }
        // 3·0.01 = 0.03, 2·0.04 = 0.08, then 1·0.05 = 0.05 is raised to 0.08.
        let b = holm(&[0.05, 0.04, 0.01]);
        assert!(
            (b[0] - 0.08).abs() < 1e-12 && (b[2] - 0.03).abs() < 1e-12,
            "{b:?}"
        );
        // Capped at 1.
        assert_eq!(holm(&[0.6, 0.7]), vec![1.0, 1.0]);
        // One comparison is left as it is.
        assert_eq!(holm(&[0.2]), vec![0.2]);
    }

    #[test]
    fn the_normal_p_value_inverts_the_normal_quantile() {
        assert!((normal_p_value(1.959_963_985, 1.0) - 0.05).abs() < 1e-9);
        assert!((z_of(normal_p_value(-0.3, 0.1)) - 3.0).abs() < 1e-9);
        assert_eq!(normal_p_value(0.0, 0.0), 1.0);
        assert_eq!(normal_p_value(0.1, 0.0), 0.0);
    }
}
