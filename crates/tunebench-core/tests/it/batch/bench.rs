//! The batch ingestion bench: 2 arms × 20,000 cases through the OpenAI batch fake, timed
//! from the moment the provider lets the batches finish to the last result in the store,
//! with the process's peak memory. Ignored by default; run it with
//! `cargo test -p tunebench-core --test it --release batch::bench -- --ignored --nocapture`.

use std::time::{Duration, Instant};

use super::*;

const CASES: u32 = 20_000;

/// Peak resident memory of this process so far, in MB (Linux `VmHWM`).
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
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
    let before = peak_mb();
    let ctx = context(&db);
    let t_submit = Instant::now();
    let release = async {
        while fake.batches().len() < 2 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let submitted = t_submit.elapsed();
        fake.with(|s| s.hold = false);
        (Instant::now(), submitted)
    };
    let (ended, (t0, submitted)) = tokio::join!(go_watched(&db, &ctx, run_id), release);
    let ingest = t0.elapsed();
    ends_clearly(&db, &fake, run_id, &ended, CASES);
    let rate = f64::from(2 * CASES) / ingest.as_secs_f64();
    let peak = peak_mb();
    println!(
        "batch bench: 2 arms x {CASES} cases; submitted in {:.2} s; ingested {} results in \
         {:.3} s = {rate:.0} results/s; peak RSS {:.1} MB (after setup {:.1} MB)",
        submitted.as_secs_f64(),
        2 * CASES,
        ingest.as_secs_f64(),
        peak.unwrap_or(f64::NAN),
        before.unwrap_or(f64::NAN),
    );
    if cfg!(not(debug_assertions)) {
        assert!(rate >= 20_000.0, "ingestion {rate:.0} results/s");
        assert!(peak.is_some_and(|p| p <= 150.0), "peak {peak:?} MB");
    }
}
