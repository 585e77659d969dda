// Composing an experiment in the window from stored arms (two, or up to six with arm A the
// prompting baseline), then reading the estimate (calls, tokens, cost at the arms' or the
// catalog's prices) before starting it with an optional budget. The experiment file
// remains the other way in.
import { html, nothing, type TemplateResult } from "lit-html";
import type {
  Arm_Serialize as Arm,
  ArmKind,
  BatchSettings,
  DatasetSummary,
  ExperimentDraft,
  PreparedRun_Serialize as PreparedRun,
} from "../bindings";
import { LETTERS } from "../arm-colours";
import { count } from "../format";
import { usd } from "../money";
import { numberField } from "../widgets";
import { batchChoice } from "./batch";
import { priceLink } from "./prices";

export interface FormActions {
  change(patch: Partial<ExperimentDraft>): void;
  prepare(): void;
  /** `batch`: the run goes through the providers' batch APIs with these settings. */
  start(budget: number | null, batch: BatchSettings | null): void;
  close(): void;
}

const METRICS = ["accuracy", "macro_f1", "weighted_f1", "exact_match", "rouge_l", "chrf", "bleu"];

/** The most arms an experiment compares (the core's `experiment::MAX_ARMS`). */
export const MAX_ARMS = 6;

/** The draft's arm ids in order, A first (0 where none is chosen yet). */
export function armIds(draft: ExperimentDraft): number[] {
  return [draft.arm_a, draft.arm_b, ...(draft.more_arms ?? [])];
}

/** What the draft still lacks before it can be estimated, as words ("a name", "arm B"). */
export function missing(draft: ExperimentDraft): string[] {
  return [
    draft.name.trim() === "" ? "a name" : null,
    draft.dataset_id === 0 ? "a dataset" : null,
    ...armIds(draft).map((id, i) => (id === 0 ? `arm ${LETTERS[i]}` : null)),
  ].filter((x): x is string => x !== null);
}

const KIND: Record<ArmKind, string> = { prompt: "prompting", fine_tuned: "fine-tuned", hybrid: "hybrid" };

/** What is wrong with the arms chosen so far, as sentences: an arm chosen twice, or with
 * three or more arms a baseline A that is not a prompting arm (the core refuses both). */
export function armProblems(draft: ExperimentDraft, arms: Arm[]): string[] {
  const ids = armIds(draft);
  const out: string[] = [];
  ids.forEach((id, i) => {
    const first = ids.indexOf(id);
    if (id !== 0 && first < i) out.push(`Arm ${LETTERS[i]} is arm ${LETTERS[first]} again; each arm takes part once.`);
  });
  const a = arms.find((x) => x.id === draft.arm_a);
  if (ids.length >= 3 && a && a.kind !== "prompt") {
    out.push(`With ${ids.length} arms, arm A is the prompting baseline every other arm is compared with; “${a.name}” is a ${KIND[a.kind]} arm.`);
  }
  return out;
}

/** "a", "a and b", "a, b and c". */
function listed(xs: string[]): string {
  return xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}

/** `datasets` are all stored ones: those without a test split are listed, greyed, with a link
 * to split them. `busy` says what is being done (estimating), or null. */
export function experimentForm(
  draft: ExperimentDraft,
  datasets: DatasetSummary[],
  arms: Arm[],
  prepared: PreparedRun | null,
  a: FormActions,
  busy: string | null = null,
): TemplateResult {
  const lacking = missing(draft);
  const problems = armProblems(draft, arms);
  const more = draft.more_arms ?? [];
  const several = more.length > 0;
  const unsplit = datasets.filter((d) => d.test_rows === 0);
  const armSelect = (id: string, value: number, onPick: (v: number) => void) =>
    html`<select id=${id} @change=${(e: Event) => onPick(Number((e.target as HTMLSelectElement).value))}>
      <option value="0" ?selected=${value === 0}>(choose an arm)</option>
      ${arms.map((arm) => html`<option value=${arm.id} ?selected=${arm.id === value}>${arm.name} · ${arm.model}</option>`)}
    </select>`;
  // Arms C to F: the stored arms grouped by kind, so a hybrid arm is picked as one.
  const groupedSelect = (id: string, value: number, onPick: (v: number) => void) =>
    html`<select id=${id} @change=${(e: Event) => onPick(Number((e.target as HTMLSelectElement).value))}>
      <option value="0" ?selected=${value === 0}>(choose an arm)</option>
      ${(["prompt", "fine_tuned", "hybrid"] as ArmKind[]).map((kind) => {
        const of = arms.filter((arm) => arm.kind === kind);
        return of.length === 0 ? nothing : html`<optgroup label=${KIND[kind]}>
          ${of.map((arm) => html`<option value=${arm.id} ?selected=${arm.id === value}>${arm.name} · ${arm.model}</option>`)}</optgroup>`;
      })}
    </select>`;
  const kindOf = (id: number) => {
    const arm = arms.find((x) => x.id === id);
    return arm ? html` <span class="muted small arm-kind">(${KIND[arm.kind]})</span>` : nothing;
  };
  const setMore = (i: number, v: number | null) =>
    a.change({ more_arms: v === null ? more.filter((_, j) => j !== i) : more.map((x, j) => (j === i ? v : x)) });
  return html`<section class="panel" id="experiment-form">
    <h3>New experiment</h3>
    <div class="form-grid">
      <label>Name <input id="exp-name" .value=${draft.name} @input=${(e: Event) => a.change({ name: (e.target as HTMLInputElement).value })} /></label>
      <label>Dataset <select id="exp-dataset" @change=${(e: Event) => a.change({ dataset_id: Number((e.target as HTMLSelectElement).value) })}>
        <option value="0" ?selected=${draft.dataset_id === 0}>(choose a dataset)</option>
        ${datasets.map((d) => d.test_rows > 0
          ? html`<option value=${d.id} ?selected=${d.id === draft.dataset_id}>${d.name} (${count(d.test_rows)} test)</option>`
          : html`<option value=${d.id} disabled>${d.name} (not split yet)</option>`)}
      </select>
      ${unsplit.map((d) => html`<span class="muted small unsplit" data-dataset-id=${d.id}>${d.name} has no test split:
        <a href="#/dataset/${d.id}">Split it first →</a></span>`)}</label>
      <label>Primary metric <select id="exp-metric" @change=${(e: Event) => a.change({ primary_metric: (e.target as HTMLSelectElement).value })}>
        ${METRICS.map((m) => html`<option value=${m} ?selected=${m === draft.primary_metric}>${m}</option>`)}
      </select></label>
      <label>Arm A (prompting) ${armSelect("exp-arm-a", draft.arm_a, (v) => a.change({ arm_a: v }))}</label>
      ${several
        ? html`<label>Arm B${kindOf(draft.arm_b)} ${armSelect("exp-arm-b", draft.arm_b, (v) => a.change({ arm_b: v }))}</label>`
        : html`<label>Arm B (fine-tuned) ${armSelect("exp-arm-b", draft.arm_b, (v) => a.change({ arm_b: v }))}</label>`}
      ${more.map((id, i) => {
        const letter = LETTERS[i + 2];
        return html`<div class="arm-row" data-arm=${letter}>
          <label>Arm ${letter}${kindOf(id)} ${groupedSelect(`exp-arm-${letter.toLowerCase()}`, id, (v) => setMore(i, v))}</label>
          <button class="small-btn" id="exp-remove-${letter.toLowerCase()}" title="Leave arm ${letter} out of the experiment" @click=${() => setMore(i, null)}>Remove</button>
        </div>`;
      })}
      <label>Margin (relative) ${numberField("exp-margin", draft.margin.value ?? 0.05, { label: "Margin", positive: true },
        (v) => a.change({ margin: { kind: "relative", value: v ?? 0.05 } }))}</label>
      <label>Labels (comma-separated, optional) <input id="exp-labels" placeholder="the dataset's expected values" .value=${draft.labels.join(", ")}
        @change=${(e: Event) => a.change({ labels: (e.target as HTMLInputElement).value.split(",").map((x) => x.trim()).filter(Boolean) })} />
        <span class="muted small" id="exp-labels-hint">The answers a case may take: they give the per-class table and confusion matrix, and an answer outside them counts as off-format. Left empty, the dataset's distinct expected values are used when they look like labels.</span></label>
    </div>
    <div class="actions"><button class="small-btn" id="exp-add-arm" ?disabled=${prepared !== null || 2 + more.length >= MAX_ARMS}
        @click=${() => a.change({ more_arms: [...more, 0] })}>Add an arm</button>
      <span class="muted small" id="exp-arms-hint">${several
        ? `${2 + more.length} arms: each is compared with arm A, the prompting baseline (and a hybrid arm with its fine-tuned arm on the same model), under Holm's correction; the verdict names the best arm that clears the margin.`
        : `Up to ${MAX_ARMS} arms: a hybrid arm (retrieval plus a fine-tuned model), another prompt or another model beside A and B.`}</span></div>
    ${problems.length > 0 ? html`<ul class="warnings small" id="exp-arm-problems">${problems.map((p) => html`<li>${p}</li>`)}</ul>` : nothing}
    ${prepared
      ? estimateView(prepared, a.start, a.close, arms)
      : html`<div class="actions"><button class="primary" id="exp-prepare" ?disabled=${busy !== null || lacking.length > 0 || problems.length > 0}
            @click=${a.prepare}>${busy ?? "Create and estimate"}</button>
          <button @click=${a.close}>Cancel</button>
          ${lacking.length > 0 ? html`<span class="muted small" id="exp-missing">Still needed: ${listed(lacking)}.</span>` : nothing}</div>`}
  </section>`;
}

/** A prepared run's estimate (calls, tokens, cost per arm), live or batched when its
 * providers have batch APIs, an optional spend ceiling and the button that starts it. */
export function estimateView(
  prepared: PreparedRun,
  start: (budget: number | null, batch: BatchSettings | null) => void,
  close: () => void,
  arms: Arm[] = [],
): TemplateResult {
  const unpriced = prepared.estimate.unpriced_arms.map((name) => {
    const arm = prepared.estimate.arms.find((x) => x.name === name);
    const stored = arms.find((x) => x.id === arm?.arm_id);
    return stored ? html`<span class="unpriced">${name} (${priceLink(stored.model, stored.kind)})</span>` : html`${name}`;
  });
  let budget: number | null = null;
  let batch: BatchSettings | null = null;
  return html`<div class="estimate" id="run-estimate">
    <p><strong>Run ${prepared.run_id}</strong>: ${count(prepared.estimate.calls)} calls,
      ${prepared.estimate.cost_usd != null ? html`estimated cost up to <strong>${usd(prepared.estimate.cost_usd)}</strong>` : "cost unknown"}
      ${unpriced.length > 0 ? html` <span class="muted" id="estimate-unpriced">(no price for ${unpriced.map((u, i) => html`${i > 0 ? ", " : ""}${u}`)})</span>` : nothing}</p>
    <ul class="small">${prepared.estimate.arms.map((x) => html`<li>${x.name}: ${count(x.calls)} calls, ~${count(Math.round(x.input_tokens ?? 0))} input tokens, ≤ ${count(Math.round(x.max_output_tokens ?? 0))} output tokens${x.cost_usd != null ? `, ${usd(x.cost_usd)}` : ""}</li>`)}</ul>
    <label class="small">Stop when spend reaches ($, optional) <input id="run-budget" type="number" min="0" step="0.01"
      @change=${(e: Event) => { const v = Number((e.target as HTMLInputElement).value); budget = v > 0 ? v : null; }} /></label>
    ${batchChoice(prepared.estimate, prepared.batch, (s) => { batch = s; })}
    <div class="actions"><button class="primary" id="run-start" @click=${() => start(budget, batch)}>Start run</button>
      <button @click=${close}>Close</button></div>
  </div>`;
}
