//! Successive halving: every candidate answers a small slice of the validation cases, the
//! better half answers twice as many, and so on until the last few answer them all. The
//! slices are nested (each the start of the next), so a survivor's earlier answers count
//! again and only the new cases are sent. Pure: the schedule, who survives a rung, and the
//! calls saved against answering every case with every candidate.

use serde::{Deserialize, Serialize};

/// The smallest slice the first rung may use: fewer cases rank by noise.
pub const DEFAULT_MIN_SLICE: u32 = 20;

/// One rung: how many candidates answer the first `cases` validation cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Rung {
    pub candidates: u32,
    pub cases: u32,
}

/// The rungs for `candidates` over `cases` validation cases, the first slice at least
/// `min_slice` cases. Halving stops while two candidates are still compared on every case,
/// so the final choice is made on the whole split with intervals. One rung (no halving)
/// when the grid or the split is too small to halve.
pub fn schedule(candidates: u32, cases: u32, min_slice: u32) -> Vec<Rung> {
    let mut halvings = 0u32;
    loop {
        let next = halvings + 1;
        let survivors = candidates.div_ceil(1 << next.min(31));
        let first_slice = cases >> next.min(31);
        if survivors < 2 || first_slice < min_slice.max(1) {
            break;
        }
        halvings = next;
    }
    (0..=halvings)
        .map(|r| Rung {
            candidates: candidates.div_ceil(1 << r),
            cases: cases.div_ceil(1 << (halvings - r)),
        })
        .collect()
}

/// Calls a schedule sends: each rung's survivors answer only the cases the previous rung's
/// slice did not cover.
pub fn calls(rungs: &[Rung]) -> u64 {
    let mut before = 0u32;
    rungs
        .iter()
        .map(|r| {
            let new = u64::from(r.candidates) * u64::from(r.cases - before);
            before = r.cases;
            new
        })
        .sum()
}

/// Of `ranked` (best first), those that go on to the next rung.
pub fn survivors<T: Clone>(ranked: &[T], next: Option<&Rung>) -> Vec<T> {
    let keep = next.map_or(ranked.len(), |n| n.candidates as usize);
    ranked[..keep.min(ranked.len())].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twelve_candidates_over_three_hundred_cases_halve_three_times() {
        // Worked by hand: 12 → 6 → 3 → 2 candidates (ceil of halves) on 38, 75, 150, 300
        // cases (300 / 8, / 4, / 2 rounded up); a fourth halving would leave one.
        let s = schedule(12, 300, 20);
        let table: Vec<(u32, u32)> = s.iter().map(|r| (r.candidates, r.cases)).collect();
        assert_eq!(table, [(12, 38), (6, 75), (3, 150), (2, 300)]);
        // 12·38 + 6·(75−38) + 3·(150−75) + 2·(300−150) = 456 + 222 + 225 + 300.
        assert_eq!(calls(&s), 1203);
        assert_eq!(12 * 300, 3600, "every candidate on every case");
    }

    #[test]
    fn the_first_slice_never_falls_below_the_minimum() {
        // 16 candidates over 100 cases: 100/2 = 50, /4 = 25 ≥ 20, /8 = 12 < 20.
        let s = schedule(16, 100, 20);
        let table: Vec<(u32, u32)> = s.iter().map(|r| (r.candidates, r.cases)).collect();
        assert_eq!(table, [(16, 25), (8, 50), (4, 100)]);
        assert_eq!(calls(&s), 16 * 25 + 8 * 25 + 4 * 50);
    }

    #[test]
    fn a_small_grid_or_split_is_not_halved() {
        assert_eq!(
            schedule(2, 300, 20),
            [Rung {
                candidates: 2,
                cases: 300
            }]
        );
        assert_eq!(
            schedule(12, 30, 20),
            [Rung {
                candidates: 12,
                cases: 30
            }]
        );
        assert_eq!(
            schedule(1, 300, 20),
            [Rung {
                candidates: 1,
                cases: 300
            }]
        );
        assert_eq!(calls(&schedule(2, 300, 20)), 600);
        // Three halve once: 3 on 150 cases, the best 2 on all 300.
        assert_eq!(calls(&schedule(3, 300, 20)), 3 * 150 + 2 * 150);
    }

    #[test]
    fn the_best_half_goes_on() {
        let next = Rung {
            candidates: 2,
            cases: 10,
        };
        assert_eq!(survivors(&["a", "b", "c"], Some(&next)), ["a", "b"]);
        assert_eq!(survivors(&["a", "b", "c"], None), ["a", "b", "c"]);
    }

    /// A seeded simulation: 12 candidates whose true accuracies are known, 300 validation
    /// cases, 1,000 searches. Halving must end on the truly best candidate at least 95 % of
    /// the time, while sending about a third of the calls of the full grid (1,203 of 3,600).
    #[test]
    fn halving_keeps_the_best_candidate_in_a_seeded_simulation() {
        use crate::search::rank::{choose, rank, score, ChoiceRule};
        use rand_chacha::ChaCha8Rng;
        use rand_core::{Rng, SeedableRng};

        let truth = [
            0.60, 0.78, 0.66, 0.85, 0.58, 0.74, 0.62, 0.70, 0.76, 0.64, 0.72, 0.68,
        ];
        let best = 3;
        let rungs = schedule(12, 300, DEFAULT_MIN_SLICE);
        let mut rng = ChaCha8Rng::seed_from_u64(2026);
        let trials = 1000;
        let mut kept = 0;
        for _ in 0..trials {
            let answers: Vec<Vec<Option<f64>>> = truth
                .iter()
                .map(|p| {
                    (0..300)
                        .map(|_| {
                            let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                            Some(if u < *p { 1.0 } else { 0.0 })
                        })
                        .collect()
                })
                .collect();
            let mut alive: Vec<usize> = (0..12).collect();
            let mut chosen = None;
            for (r, rung) in rungs.iter().enumerate() {
                let scores = alive
                    .iter()
                    .map(|&c| {
                        let slice = &answers[c][..rung.cases as usize];
                        score(c as u32, &c.to_string(), "accuracy", slice, Some(0.001))
                    })
                    .collect();
                let ranked = rank(scores);
                alive = survivors(&ranked, rungs.get(r + 1))
                    .iter()
                    .map(|s| s.index as usize)
                    .collect();
                chosen = choose(&ranked, ChoiceRule::Best).map(|s| s.index as usize);
            }
            if chosen == Some(best) {
                kept += 1;
            }
        }
        assert!(
            kept * 100 >= trials * 95,
            "kept the best {kept} times of {trials}"
        );
        eprintln!("kept the best {kept} times of {trials}");
        assert_eq!(calls(&rungs), 1203);
    }
}
