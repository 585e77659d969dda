//! A run's progress as it goes: per-arm counts, errors and cache hits, the running primary
//! metric, spend (earlier sessions included), elapsed time and ETA; sent at most every
//! 100 ms and once at the end.

use std::time::{Duration, Instant};

use super::metric::{RunningMetric, Tally};
use super::plan::Plan;
use super::{ArmProgress, Progress, ResultRecord};

/// How often progress is reported at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

pub(super) struct Tracker {
    pub progress: Progress,
    running: RunningMetric,
    tallies: Vec<Tally>,
    started: Instant,
    last_report: Instant,
    session_done: usize,
    session_total: usize,
}

impl Tracker {
    /// The progress of `plan` before this session sends anything: the results earlier
    /// sessions wrote are counted, and their spend; `session_total` calls are to come.
    pub fn resume(plan: &Plan, session_total: usize) -> Self {
        let mut progress = Progress {
            run_id: plan.run.id,
            arms: plan
                .arms
                .iter()
                .map(|a| ArmProgress {
                    arm_id: a.prepared.arm.id,
                    name: a.prepared.arm.name.clone(),
                    done: 0,
                    total: plan.cases.len() as u32,
                    errors: 0,
                    from_cache: 0,
                    metric: None,
                })
                .collect(),
            elapsed_s: 0.0,
            eta_s: None,
            spend_usd: 0.0,
            metric_name: plan.experiment.primary_metric.clone(),
        };
        let running = RunningMetric::new(&plan.experiment.primary_metric, &plan.experiment.labels);
        let mut tallies = vec![Tally::default(); plan.arms.len()];
        for (r, expected) in &plan.existing {
            if !r.from_cache && r.error_class.is_none() {
                progress.spend_usd += r.cost.unwrap_or(0.0);
            }
            if let Some(ai) = plan.arms.iter().position(|a| a.prepared.arm.id == r.arm_id) {
                tally(
                    &mut progress.arms[ai],
                    &running,
                    &mut tallies[ai],
                    r,
                    expected,
                );
            }
        }
        Self {
            progress,
            running,
            tallies,
            started: Instant::now(),
            last_report: Instant::now(),
            session_done: 0,
            session_total,
        }
    }

    /// Counts one call of this session (`spent` USD) against arm `arm`.
    pub fn add(&mut self, arm: usize, record: &ResultRecord, expected: &str, spent: f64) {
        self.session_done += 1;
        self.progress.spend_usd += spent;
        tally(
            &mut self.progress.arms[arm],
            &self.running,
            &mut self.tallies[arm],
            record,
            expected,
        );
    }

    /// Sends the progress if the last report is more than 100 ms old.
    pub fn report_now_and_then(&mut self, on_progress: &mut (dyn FnMut(&Progress) + Send)) {
        if self.last_report.elapsed() >= PROGRESS_EVERY {
            self.last_report = Instant::now();
            self.report(on_progress);
        }
    }

    /// Updates elapsed time and ETA, then sends the progress.
    pub fn report(&mut self, on_progress: &mut (dyn FnMut(&Progress) + Send)) {
        let elapsed = self.started.elapsed().as_secs_f64();
        self.progress.elapsed_s = elapsed;
        let (done, total) = (self.session_done, self.session_total);
        self.progress.eta_s = (done > 0).then(|| elapsed / done as f64 * (total - done) as f64);
        self.send(on_progress);
    }

    /// Sends the progress with each arm's running metric, computed when progress is sent
    /// (a label F1 is a figure over the whole set so far, not a sum that grows case by
    /// case).
    pub fn send(&mut self, on_progress: &mut (dyn FnMut(&Progress) + Send)) {
        for (arm, t) in self.progress.arms.iter_mut().zip(&self.tallies) {
            arm.metric = self.running.value(t);
        }
        on_progress(&self.progress);
    }
}

fn tally(
    arm: &mut ArmProgress,
    running: &RunningMetric,
    t: &mut Tally,
    r: &ResultRecord,
    expected: &str,
) {
    arm.done += 1;
    if r.error_class.is_some() {
        arm.errors += 1;
        return;
    }
    arm.from_cache += u32::from(r.from_cache);
    running.add(t, r.output.as_deref().unwrap_or(""), expected, None);
}
