//! The core's one integration-test binary: a module per area.

mod dataset;
mod dataset_bad_input;
mod dataset_fuzz;
mod store;
mod support;
