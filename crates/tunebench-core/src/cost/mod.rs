//! Cost at scale (DESIGN.md §5): the assumptions of a [`Scenario`], the cost model that
//! turns them into monthly costs, the break-even volume, payback and a sensitivity table.
//! Pure: no I/O, no clock (the scenario carries its own `today`).

pub mod arms;
pub mod break_even;
pub mod estimate;
pub mod headline;
pub mod model;
pub mod scenario;
pub mod sensitivity;

/// The per-token prices of an arm come from the catalog; the cost model reads them.
pub use crate::price::ArmPrice;
pub use arms::{
    cheapest_ranges, evaluate_arms, lower_envelope, ArmsCostReport, ArmsScenario, CheapestRange,
    PairCost,
};
pub use break_even::{
    cheaper_ranges, named_ranges, BreakEven, CheaperRange, Payback, NARROWEST_NAMED_RANGE,
};
pub use estimate::{scenario_from_catalog, EstimateRequest, TokensPerQuery};
pub use model::{evaluate, ArmCost, CostReport, Side};
pub use scenario::{
    ArmAssumptions, CorrectAt, Estimate, Hosting, MeasuredTraining, Scenario, TokenBasis,
    TokenUsage, Training, TrainingPlan,
};
pub use sensitivity::SensitivityRow;
