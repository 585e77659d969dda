//! The prompt search (DESIGN.md §10, step 1): candidate prompting arms from a grid, run
//! by the same engine over the validation split only (never a test row), ranked by the
//! primary metric with intervals, successive halving for large grids, and the chosen
//! candidate made arm A of the experiment.

pub mod halving;
pub mod rank;

pub use halving::{schedule, Rung, DEFAULT_MIN_SLICE};
pub use rank::{choose, rank, CandidateScore, ChoiceRule};
