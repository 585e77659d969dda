//! The core's one integration-test binary: a module per area.

mod chart;
mod cost;
mod price;
mod store;
mod support;
