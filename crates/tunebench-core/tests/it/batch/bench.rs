//! The batch ingestion bench: 2 arms × 20,000 cases through the OpenAI batch fake, timed
//! from the moment the provider lets the batches finish to the last result in the store,
//! with the process's peak memory over that time (the peak is started over when the
//! batches are let finish, so the submission's own peak is reported apart). The fake runs
//! in this process: what it holds (every request, the output files it writes) counts too. Ignored by default; run it with
//! `cargo test -p tunebench-core --test it --release batch::bench -- --ignored --nocapture`.

use std::time::{Duration, Instant};

use super::*;

const CASES: u32 = 20_000;

/// A figure of this process's memory from `/proc/self/status`, in MB: `VmHWM` (the peak
/// resident size since the start or the last [`reset_peak`]) or `VmRSS` (now).
fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Starts the peak over from the current resident size (Linux `clear_refs` 5).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a bench: run it in release with --ignored --nocapture"]
async fn batch_ingestion_of_two_arms_of_20000_cases() {
    let db = temp_db();
    let fake = BatchFake::start(Api::OpenAi).await;
    fake.with(|s| {
        s.hold = true;
        s.script = Some(vec!["validating", "completed"]);
    });
    let exp = setup(&db, &fake, CASES as usize);
    let run_id = new_run(&db, exp, settings(OnFailure::Error, 0));
    let before = status_mb("VmHWM:");
    let ctx = context(&db);
    let t_submit = Instant::now();
    let release = async {
        while fake.with(|s| s.batches.len()) < 2 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let submitted = t_submit.elapsed();
        let submit_peak = status_mb("VmHWM:");
        let at_release = status_mb("VmRSS:");
        let reset = reset_peak();
        fake.with(|s| s.hold = false);
        (Instant::now(), (submitted, submit_peak, at_release, reset))
    };
    let (ended, (t0, (submitted, submit_peak, at_release, reset))) =
        tokio::join!(go_watched(&db, &ctx, run_id), release);
    let ingest = t0.elapsed();
    let peak = status_mb("VmHWM:");
    ends_clearly(&db, &fake, run_id, &ended, CASES);
    let rate = f64::from(2 * CASES) / ingest.as_secs_f64();
    let mb = |v: Option<f64>| v.unwrap_or(f64::NAN);
    println!(
        "batch bench: 2 arms x {CASES} cases; submitted in {:.2} s; ingested {} results in \
         {:.3} s = {rate:.0} results/s; peak RSS while ingesting {:.1} MB (RSS when the \
         batches were let finish {:.1} MB, the fake's stored batches included; peak while \
         setting up and submitting {:.1} MB; after setup {:.1} MB)",
        submitted.as_secs_f64(),
        2 * CASES,
        ingest.as_secs_f64(),
        mb(peak),
        mb(at_release),
        mb(submit_peak),
        mb(before),
    );
    if cfg!(not(debug_assertions)) {
        assert!(rate >= 20_000.0, "ingestion {rate:.0} results/s");
        assert!(reset, "the peak could not be started over");
        assert!(peak.is_some_and(|p| p <= 150.0), "peak {peak:?} MB");
    }
}
