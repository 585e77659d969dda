// The Fine-tune screen's live list: jobs the background poller sends replace their stored
// copies (or join the list, newest first) without a Refresh.
import type { FineTuneJob_Serialize as Job } from "../bindings";

/** `jobs` with `job` in place of the job of the same id, or added in id order (newest first). */
export function upsertJob(jobs: Job[], job: Job): Job[] {
  const rest = jobs.filter((j) => j.id !== job.id);
  return [...rest, job].sort((a, b) => b.id - a.id);
}
