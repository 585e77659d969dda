//! McNemar's exact test for paired binary outcomes, as statsmodels'
//! `mcnemar(table, exact=True)`: with `b` cases only arm A got right and `c` only arm B
//! got right, p = min(1, 2 · P[Binomial(b + c, ½) ≤ min(b, c)]).

use serde::{Deserialize, Serialize};
use statrs::distribution::{Binomial, DiscreteCDF};

/// The discordant pairs and the test's p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct McNemar {
    /// Cases arm A got right and arm B wrong.
    pub a_only: u32,
    /// Cases arm B got right and arm A wrong.
    pub b_only: u32,
    /// Two-sided exact p-value.
    pub p_value: f64,
}

/// The exact two-sided McNemar p-value for discordant counts `a_only` and `b_only`.
pub fn mcnemar_exact(a_only: u32, b_only: u32) -> McNemar {
    let n = a_only as u64 + b_only as u64;
    let k = a_only.min(b_only) as u64;
    let p_value = if n == 0 {
        1.0
    } else {
        match Binomial::new(0.5, n) {
            Ok(b) => (2.0 * b.cdf(k)).min(1.0),
            Err(_) => 1.0,
        }
    };
    McNemar {
        a_only,
        b_only,
        p_value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symmetric_disagreement_gives_p_one_and_lopsided_gives_small_p() {
        assert_eq!(mcnemar_exact(5, 5).p_value, 1.0);
        assert_eq!(mcnemar_exact(0, 0).p_value, 1.0);
        // 2 · P[Bin(10, ½) ≤ 0] = 2 / 1024.
        assert!((mcnemar_exact(0, 10).p_value - 2.0 / 1024.0).abs() < 1e-15);
    }
}
