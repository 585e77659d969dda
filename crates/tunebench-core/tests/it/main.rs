//! The core's one integration-test binary: a module per area.

mod store;
mod support;
