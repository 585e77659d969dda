//! The local models of a run: one `llama-server` per GGUF file that a local provider's arms
//! name, started before the first call and stopped when the run ends (the servers are
//! dropped with the returned guard), each arm pointed at its own server.

use std::path::PathBuf;

use super::plan::Plan;
use crate::provider::local::{LocalServer, ServeOptions};
use crate::provider::ProviderKind;
use crate::Result;

/// Slots per local server at most: more would only queue on a laptop's cores.
const MAX_PARALLEL: u32 = 4;

/// Starts a server for every distinct model of `plan`'s local arms and points those arms'
/// providers at them. Nothing starts when the plan has no local arm.
pub(crate) async fn serve(plan: &mut Plan, client: &reqwest::Client) -> Result<Vec<LocalServer>> {
    let mut servers: Vec<LocalServer> = Vec::new();
    for planned in &mut plan.arms {
        if planned.provider.kind != ProviderKind::Local {
            continue;
        }
        let model = PathBuf::from(&planned.prepared.arm.model);
        let i = match servers.iter().position(|s| s.model == model) {
            Some(i) => i,
            None => {
                let mut opts = ServeOptions::new(&model);
                opts.parallel = plan
                    .options
                    .concurrency
                    .unwrap_or(planned.provider.settings.max_concurrency)
                    .clamp(1, MAX_PARALLEL);
                opts.start_timeout_s = planned.provider.settings.timeout_s.max(60.0);
                servers.push(LocalServer::start(client, &opts).await?);
                servers.len() - 1
            }
        };
        planned.provider.base_url = servers[i].base_url.clone();
    }
    Ok(servers)
}
