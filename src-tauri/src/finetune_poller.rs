//! The background task that follows remote fine-tune jobs while the app is open: one core
//! tick at a time (each job's stored backoff decides when its provider is asked again),
//! every changed job sent to the Fine-tune screens that listen. Starting a job wakes it.

use std::sync::Mutex;
use std::time::Duration;

use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::Notify;
use tunebench_core::finetune::flow::Context;
use tunebench_core::finetune::{watch, FineTuneJob};

use crate::state::AppState;

/// How long the task sleeps when no job needs polling; a new job wakes it at once.
const IDLE: Duration = Duration::from_secs(60);

/// The screens listening for job changes, and the bell that wakes the task.
#[derive(Default)]
pub struct Watchers {
    channels: Mutex<Vec<Channel<FineTuneJob>>>,
    wake: Notify,
}

impl Watchers {
    /// Sends every job change to `channel` from now on.
    pub fn listen(&self, channel: Channel<FineTuneJob>) {
        if let Ok(mut c) = self.channels.lock() {
            c.push(channel);
        }
        self.wake.notify_one();
    }

    /// Makes the task look at the jobs now (a job was started or cancelled).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Sends `job` to every listener; a listener whose window went away is dropped.
    fn send(&self, job: &FineTuneJob) {
        if let Ok(mut c) = self.channels.lock() {
            c.retain(|ch| ch.send(job.clone()).is_ok());
        }
    }
}

/// Starts the task on the app's async runtime.
pub fn spawn<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let state = app.state::<AppState>();
            let wait = match state.client() {
                Ok(client) => tick(&state, client).await,
                Err(_) => IDLE,
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = state.watchers.wake.notified() => {}
            }
        }
    });
}

/// One core tick; returns how long to wait before the next.
async fn tick(state: &AppState, client: reqwest::Client) -> Duration {
    match watch::tick(&Context::new(&state.db_path, client)).await {
        Ok(t) => {
            for job in &t.changed {
                state.watchers.send(job);
            }
            t.next_in.map_or(IDLE, |s| Duration::from_secs(s.max(1)))
        }
        Err(_) => IDLE,
    }
}
