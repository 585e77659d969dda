//! The core's one integration-test binary: a module per area.

mod chart;
mod cost;
mod dataset;
mod dataset_bad_input;
mod dataset_fuzz;
mod decision;
mod decision_quality;
mod experiment;
mod layering;
mod price;
mod provider;
mod provider_fakes;
mod provider_redirect;
mod provider_server;
mod quality_props;
mod provider_wire;
mod report;
mod run;
mod score_pipeline;
mod score_props;
mod score_reference;
mod stats_compare;
mod stats_reference;
mod store;
mod support;
mod verdict_edges;
