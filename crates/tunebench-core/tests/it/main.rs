//! The core's one integration-test binary: a module per area.

mod chart;
mod cost;
mod cost_brute;
mod dataset;
mod dataset_bad_input;
mod dataset_fuzz;
mod decision;
mod decision_cost;
mod experiment;
mod price;
mod provider;
mod provider_server;
mod report;
mod run;
mod score_pipeline;
mod score_props;
mod score_reference;
mod stats_compare;
mod stats_reference;
mod store;
mod support;
