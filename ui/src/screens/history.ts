// Re-checking a decision when a provider releases or retires a model: the form that
// re-runs this run's experiment with another model for an arm (estimate first), and the
// history of the experiment's runs (metric with interval, p95 latency and cost per query
// of each arm, run by run) with its trend chart.
import { html, nothing, type TemplateResult } from "lit-html";
import { unsafeSVG } from "lit-html/directives/unsafe-svg.js";
import type { BatchSettings, HistoryRun, PreparedRerun_Serialize as PreparedRerun, RunHistory } from "../bindings";
import { armSwatch, LETTERS } from "../arm-colours";
import { usd } from "../money";
import { estimateView } from "./experiment-form";

export interface RerunState {
  /** The current model of each arm, A, B, then any further arms. */
  current: { name: string; model: string }[];
  /** The model each arm will call in the re-run. */
  models: string[];
  /** Model ids the price catalog knows, offered as suggestions. */
  suggestions: string[];
  prepared: PreparedRerun | null;
}

export interface RerunActions {
  setModel(position: number, model: string): void;
  prepare(): void;
  start(budget: number | null, batch: BatchSettings | null): void;
  close(): void;
}

export function rerunForm(s: RerunState, a: RerunActions): TemplateResult {
  const changed = s.models.some((m, i) => m.trim() !== s.current[i]?.model);
  return html`<section class="panel" id="rerun-form">
    <h3>Re-run on another model</h3>
    <p class="muted small">The same cases, prompts, few-shot examples, retrieval, metric and margin;
      only the models below change. Earlier runs stay as they are, and the new run joins this
      experiment's history.</p>
    <datalist id="rerun-models">${s.suggestions.map((m) => html`<option value=${m}></option>`)}</datalist>
    <div class="form-grid">
      ${s.current.map(
        (arm, i) => html`<label>Arm ${LETTERS[i]} · ${arm.name} <span class="muted small">(now ${arm.model})</span>
          <input id="rerun-model-${i}" list="rerun-models" .value=${s.models[i] ?? ""} ?disabled=${s.prepared !== null}
            @input=${(e: Event) => a.setModel(i, (e.target as HTMLInputElement).value)} /></label>`,
      )}
    </div>
    ${s.prepared
      ? html`<div id="rerun-changes">
            ${s.prepared.rerun.changes.length > 0
              ? html`<ul class="small">${s.prepared.rerun.changes.map((c) => html`<li>${c}</li>`)}</ul>`
              : html`<p class="small">The same models again.</p>`}
            ${s.prepared.rerun.notes.map((n) => html`<p class="warnings small">${n}</p>`)}
          </div>
          ${estimateView(s.prepared.prepared, a.start, a.close)}`
      : html`<div class="actions"><button class="primary" id="rerun-prepare" @click=${a.prepare}>
            ${changed ? "Create and estimate" : "Estimate a re-run on the same models"}</button>
          <button @click=${a.close}>Cancel</button></div>`}
  </section>`;
}

const VERDICT: Record<HistoryRun["verdict_kind"], string> = {
  justified: "fine-tuning justified",
  not_justified: "not justified",
  inconclusive: "inconclusive",
};

/** A run's verdict in a few words: of fine-tuning for two arms, of the best arm for more
 * (as the core's `HistoryRun::verdict_kind_text` writes it in the exported report). */
export function verdictWords(r: HistoryRun): string {
  if (r.arms.length <= 2) return VERDICT[r.verdict_kind];
  if (r.verdict_kind === "justified") return r.best_arm ? `${r.best_arm} clears the margin` : "an arm clears the margin";
  return r.verdict_kind === "not_justified" ? "no arm clears the margin" : "inconclusive";
}

/** The experiment's runs, oldest first, with the current run marked; each verdict's
 * sentence is its tag's tooltip (the run's own screen states it in full). */
export function historyView(
  h: RunHistory,
  runId: number,
  svg: string | null,
  exportPng: () => void,
): TemplateResult {
  if (h.runs.length < 2) {
    return html`<section class="panel" id="history"><h3>History</h3>
      <p class="muted small">This is the only run of ${h.experiment} so far. Re-run it on another model to see
        metric, latency and cost side by side with this one.</p></section>`;
  }
  const opt = (v: number | null | undefined, f: (x: number) => string) => (v == null ? "–" : f(v));
  const f3 = (x: number) => x.toFixed(3);
  return html`<section class="panel" id="history">
    <div class="browser-bar"><h3>History: ${h.runs.length} runs of ${h.experiment}</h3>
      <button class="small-btn" id="export-trend" @click=${exportPng}>Export PNG</button></div>
    <div class="chart" id="trend-chart">${svg ? unsafeSVG(svg) : nothing}</div>
    <table class="grid compact" id="history-table">
      <thead><tr><th>Run</th><th>Started (UTC)</th><th>Arm</th><th>Model</th>
        <th class="num">${h.primary_metric} [95 % CI]</th><th class="num">p95</th><th class="num">Cost per query</th><th>Verdict</th></tr></thead>
      <tbody>${h.runs.map((r) =>
        r.arms.map(
          (arm, i) => html`<tr class=${r.run_id === runId ? "current" : ""} data-run-id=${r.run_id}>
            ${i === 0
              ? html`<td rowspan=${r.arms.length}><a href="#/run/${r.run_id}">${r.run_id}</a>${r.run_id === runId ? html` <span class="tag">this run</span>` : nothing}</td>
                  <td rowspan=${r.arms.length}>${r.started_at.slice(0, 16).replace("T", " ")}</td>`
              : nothing}
            <td>${armSwatch(i)}${arm.name}</td><td><code>${arm.model}</code></td>
            <td class="num">${opt(arm.value, f3)} <span class="muted small">[${opt(arm.low, f3)}, ${opt(arm.high, f3)}]</span></td>
            <td class="num">${opt(arm.latency_p95_ms, (v) => `${Math.round(v)} ms`)}</td>
            <td class="num">${opt(arm.cost_per_query, usd)}</td>
            ${i === 0
              ? html`<td rowspan=${r.arms.length}><span class="tag verdict-${r.verdict_kind}" title=${r.verdict}>${verdictWords(r)}</span></td>`
              : nothing}
          </tr>`,
        ),
      )}</tbody>
    </table>
    ${h.left_out.length > 0 ? html`<p class="muted small">Left out: ${h.left_out.join("; ")}</p>` : nothing}
  </section>`;
}
