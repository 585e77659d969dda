//! The prompt search (DESIGN.md §10, step 1): candidate prompting arms from a grid
//! (`grid`), run by the same engine over the validation split only, never a test row
//! (`setup`, `execute`), ranked by the primary metric with intervals under a stated choice
//! rule (`rank`), successive halving for large grids (`halving`), and the chosen candidate
//! made arm A of the experiment.

pub mod chart;
mod chosen;
pub mod execute;
mod expand;
pub mod grid;
pub mod halving;
pub mod rank;
pub mod setup;

pub use chosen::{arm_a_of_run, choosing};
pub use execute::{
    execute, launch, sentence, start, Chosen, RungResult, SearchLaunch, SearchOutcome,
};
pub use grid::{load as load_grid, GridFile, LoadedGrid, ModelSpec, ValidationSpec};
pub use halving::{schedule, Rung, DEFAULT_MIN_SLICE};
pub use rank::{choose, rank, CandidateScore, ChoiceRule};
pub use setup::{
    prepare, prepare_file, reopen, Candidate, PreparedSearch, SearchEstimate, SearchOptions,
};
