// Batch runs in the window: the choice between live calls and the providers' batch APIs
// before Start (each with its estimate), and a batch run's provider batches per arm in the
// Runs list (submitted, in progress, completed and failed requests, with the provider's state).
import { html, nothing, type TemplateResult } from "lit-html";
import type {
  ArmBatchProgress,
  BatchEstimate_Serialize as BatchEstimate,
  BatchSettings,
  RunEstimate_Serialize as Estimate,
} from "../bindings";
import { count } from "../format";
import { usd } from "../money";

/** The run's cost, or why it is not known. */
function cost(v: number | null | undefined): string {
  return v == null ? "cost unknown" : usd(v);
}

/** Live or batch, each with its estimate; `pick` gets the batch settings, or null for live.
 * Shows nothing when the run cannot go through a batch API (`batch` null). */
export function batchChoice(live: Estimate, batch: BatchEstimate | null, pick: (s: BatchSettings | null) => void): TemplateResult {
  if (!batch) return html``;
  const batched = batch.arms.reduce((n, a) => n + a.batch_calls, 0);
  const sampled = batch.arms.reduce((n, a) => n + a.sample_calls, 0);
  const onChange = (e: Event) => pick((e.target as HTMLInputElement).value === "batch" ? batch.settings : null);
  return html`<fieldset class="run-mode" id="run-mode">
    <legend class="small">How to send the calls</legend>
    <label class="small"><input type="radio" name="run-mode" value="live" id="run-mode-live" checked @change=${onChange} />
      Live: <strong id="run-mode-live-cost">${cost(live.cost_usd)}</strong>, ${count(live.calls)} calls, latency measured on every call</label>
    <label class="small"><input type="radio" name="run-mode" value="batch" id="run-mode-batch" @change=${onChange} />
      Batch (cheaper, up to 24 h): <strong id="run-mode-batch-cost">${cost(batch.batch_cost_usd)}</strong>, ${count(batched)} calls batched and
      ${count(sampled)} sent live to measure latency${batch.settings.on_failure === "live" ? "; cases a batch errors or lets expire are asked live" : ""}</label>
    <ul class="small" id="run-mode-arms">${batch.arms.map(
      (a) => html`<li>${a.name}: ${a.batch_cost_usd != null ? usd(a.batch_cost_usd) : "cost unknown"} batched
        (${a.multiplier != null ? `${Math.round(a.multiplier * 100)} % of the live price` : "the catalog gives no batch price: priced live"})
        vs ${a.live_cost_usd != null ? usd(a.live_cost_usd) : "cost unknown"} live</li>`,
    )}</ul>
  </fieldset>`;
}

/** The provider's word for a batch's state, else Tunebench's. */
function stateText(p: ArmBatchProgress): string {
  const ours = p.state.replace("_", " ");
  return p.provider_status && p.provider_status !== p.state ? `${ours} (provider: ${p.provider_status})` : ours;
}

/** One arm's provider batches, under its line in the Runs list. */
export function armBatchLine(p: ArmBatchProgress | undefined): TemplateResult | typeof nothing {
  if (!p) return nothing;
  return html`<div class="muted small batch-progress" data-arm-id=${p.arm_id}>batch: ${count(p.submitted)} submitted in
    ${count(p.parts)} ${p.parts === 1 ? "batch" : "batches"} · ${count(p.in_progress)} in progress · ${count(p.completed)} completed ·
    ${count(p.failed)} failed · <span class="tag batch-state-${p.state}">${stateText(p)}</span></div>`;
}
