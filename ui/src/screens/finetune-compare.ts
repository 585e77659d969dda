// "Run the comparison" from a finished fine-tune job: the experiment of its source prompting
// arm against its fine-tuned arm on the test split, and the run's estimate with the usual
// spend ceiling before it starts in Runs.
import { html, nothing, type TemplateResult } from "lit-html";
import type {
  BatchSettings,
  FineTuneJob_Serialize as Job,
  PreparedComparison_Serialize as PreparedComparison,
} from "../bindings";
import { estimateView } from "./experiment-form";

/** Whether job `j` can be compared now: it succeeded and its fine-tuned arm exists. */
export function comparable(j: Job): boolean {
  return j.status === "succeeded" && j.result_arm_id !== null && j.source_arm_id !== null;
}

/** The one-click button of a finished job's row. */
export function compareButton(j: Job, compare: (id: number) => void): TemplateResult | typeof nothing {
  return comparable(j)
    ? html`<button class="compare" data-compare=${j.id} @click=${() => compare(j.id)}>Run the comparison</button>`
    : nothing;
}

/** The prepared comparison: which experiment, then the estimate and Start run. */
export function comparisonView(
  c: PreparedComparison,
  start: (budget: number | null, batch: BatchSettings | null) => void,
  close: () => void,
): TemplateResult {
  return html`<section id="ft-compare">
    <h2>Comparison</h2>
    <p>Experiment ${c.experiment_id} ${c.reused ? "(made earlier, reused)" : "(new)"} compares the prompting arm
      (A) with its fine-tune (B) on the test split.</p>
    ${estimateView(c.prepared, start, close)}
  </section>`;
}
