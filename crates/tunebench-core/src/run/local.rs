//! The local models of a run: one `llama-server` per GGUF file that a local provider's arms
//! name, started before the first call and stopped when the run ends (the servers are
//! dropped with the returned guard), each arm pointed at its own server; and the
//! [`Meter`] that prices their answers by this machine's time.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

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

/// Shares this machine's serving wall time among the local calls in flight: at every
/// moment, each of the `n` calls in flight is given 1/`n` of the time. The shares of a run
/// add up to the wall time during which any local call was in flight, so two arms served
/// side by side are not both charged the whole machine.
#[derive(Debug)]
pub(crate) struct Meter {
    state: Mutex<MeterState>,
}

#[derive(Debug)]
struct MeterState {
    last: Instant,
    next: u64,
    /// Seconds given so far to each call in flight.
    active: HashMap<u64, f64>,
}

impl Meter {
    pub fn new(now: Instant) -> Self {
        Self {
            state: Mutex::new(MeterState {
                last: now,
                next: 0,
                active: HashMap::new(),
            }),
        }
    }

    fn advance(s: &mut MeterState, now: Instant) {
        let dt = now.saturating_duration_since(s.last).as_secs_f64();
        if !s.active.is_empty() {
            let share = dt / s.active.len() as f64;
            for v in s.active.values_mut() {
                *v += share;
            }
        }
        s.last = s.last.max(now);
    }

    /// A call starts at `now`; returns its ticket.
    pub fn start(&self, now: Instant) -> u64 {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        Self::advance(&mut s, now);
        s.next += 1;
        let id = s.next;
        s.active.insert(id, 0.0);
        id
    }

    /// Call `ticket` ends at `now`: its share of the machine's time, seconds.
    pub fn finish(&self, ticket: u64, now: Instant) -> f64 {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        Self::advance(&mut s, now);
        s.active.remove(&ticket).unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn calls_in_flight_together_share_the_machines_time_and_the_shares_add_up_to_the_wall_time() {
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let m = Meter::new(t0);
        // A alone for 2 s, A and B together for 2 s, B alone for 2 s.
        let a = m.start(at(0));
        let b = m.start(at(2));
        let a_share = m.finish(a, at(4));
        let b_share = m.finish(b, at(6));
        assert!((a_share - 3.0).abs() < 1e-9, "{a_share}");
        assert!((b_share - 3.0).abs() < 1e-9, "{b_share}");
        // Idle time is nobody's: a call after a gap is given only its own time.
        let c = m.start(at(10));
        assert!((m.finish(c, at(11)) - 1.0).abs() < 1e-9);
    }
}
