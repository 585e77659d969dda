//! The run's single writer: a thread with its own connection that receives results and
//! cache entries over a channel and commits them in short transactions, batching whatever
//! arrived while the previous commit ran.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use tokio::sync::mpsc;

use super::ResultRecord;
use crate::store::response_cache::CachedResponse;
use crate::{store, Result};

/// Most rows per transaction.
const MAX_BATCH: usize = 512;

pub(crate) enum Write {
    Result(ResultRecord),
    Cache(String, CachedResponse),
    /// A batch run's provider batch, committed after the results sent before it.
    Batch(Box<super::batch::BatchJob>),
}

pub(crate) struct Writer {
    pub tx: mpsc::UnboundedSender<Write>,
    /// How far the writer has got, for a sender that must not run ahead of it.
    pub handled: Arc<Handled>,
    handle: JoinHandle<Result<u32>>,
}

/// The results the writer has handled (inserted, or found already in the store), so that
/// a sender faster than the store (a batch's results as they download) waits for it
/// rather than queueing a whole file's rows in memory.
#[derive(Default)]
pub(crate) struct Handled {
    results: AtomicUsize,
    stopped: AtomicBool,
    changed: tokio::sync::Notify,
}

impl Handled {
    /// Waits until at most `backlog` of the `sent` results sent so far are still queued,
    /// or the writer has stopped.
    pub async fn wait_for(&self, sent: usize, backlog: usize) {
        loop {
            // Created before the check: a change made after it wakes this wait.
            let changed = self.changed.notified();
            if self.stopped.load(Ordering::Acquire)
                || sent.saturating_sub(self.results.load(Ordering::Acquire)) <= backlog
            {
                return;
            }
            changed.await;
        }
    }

    fn add(&self, results: usize) {
        self.results.fetch_add(results, Ordering::Release);
        self.changed.notify_waiters();
    }
}

/// Marks the writer stopped however its thread ends (done, failed or panicked).
struct StopGuard(Arc<Handled>);

impl Drop for StopGuard {
    fn drop(&mut self) {
        self.0.stopped.store(true, Ordering::Release);
        self.0.changed.notify_waiters();
    }
}

impl Writer {
    /// Opens a connection to `db_path` and starts the thread.
    pub fn start(db_path: PathBuf) -> Result<Self> {
        let conn = store::open(&db_path)?;
        let (tx, mut rx) = mpsc::unbounded_channel::<Write>();
        let handled = Arc::new(Handled::default());
        let progress = StopGuard(Arc::clone(&handled));
        let handle = std::thread::Builder::new()
            .name("tunebench-run-writer".into())
            .spawn(move || -> Result<u32> {
                let progress = progress;
                let mut written = 0u32;
                let mut results = Vec::with_capacity(MAX_BATCH);
                let mut cache = Vec::new();
                let mut batches = Vec::new();
                while let Some(first) = rx.blocking_recv() {
                    let mut next = Some(first);
                    while let Some(w) = next {
                        match w {
                            Write::Result(r) => results.push(r),
                            Write::Cache(k, c) => cache.push((k, c)),
                            Write::Batch(j) => batches.push(j),
                        }
                        next = if results.len() + cache.len() + batches.len() < MAX_BATCH {
                            rx.try_recv().ok()
                        } else {
                            None
                        };
                    }
                    if !cache.is_empty() {
                        let t = conn.unchecked_transaction()?;
                        for (k, c) in cache.drain(..) {
                            store::response_cache::put(&t, &k, &c)?;
                        }
                        t.commit()?;
                    }
                    if !results.is_empty() {
                        written += store::result::insert_batch(&conn, &results)? as u32;
                        progress.0.add(results.len());
                        results.clear();
                    }
                    for j in batches.drain(..) {
                        store::batch::save_job(&conn, &j)?;
                    }
                }
                Ok(written)
            })
            .map_err(|e| crate::Error::io(&db_path, e))?;
        Ok(Self {
            tx,
            handled,
            handle,
        })
    }

    /// Closes the channel, waits for every pending write and returns how many results
    /// were inserted.
    pub async fn finish(self) -> Result<u32> {
        drop(self.tx);
        let handle = self.handle;
        tokio::task::spawn_blocking(move || handle.join())
            .await
            .map_err(|e| crate::Error::Internal(format!("the result writer stopped: {e}")))?
            .map_err(|_| crate::Error::Internal("the result writer panicked".into()))?
    }
}
