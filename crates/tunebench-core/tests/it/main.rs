//! The core's one integration-test binary: a module per area.

mod experiment;
mod provider;
mod provider_server;
mod run;
mod store;
mod support;
