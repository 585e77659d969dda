// The grid of a prompt search as the window composes it: the variations of arm A
// (system-prompt variants, few-shot count × strategy, retrieval on/off × top-k, models,
// temperatures), the choice rule, halving and the spend ceiling. Pure: the form, what it
// turns into for the core, and how many candidates it makes.
import { html, nothing, type TemplateResult } from "lit-html";
import type { GridFile_Deserialize as GridFile, ModelSpec } from "../bindings";

export type Strategy = "fixed" | "random" | "similar";

/** The form's state, as typed. */
export interface GridDraft {
  /** System-prompt variants (blank ones are left out; none keeps arm A's). */
  systems: string[];
  /** "0, 3, 8". */
  fewShotK: string;
  strategies: Strategy[];
  /** For "fixed": example ids, comma-separated. */
  fewShotIds: string;
  retrievalOff: boolean;
  retrievalOn: boolean;
  /** "3, 5". */
  topK: string;
  /** One a line: "model" on arm A's provider, or "model @ provider". */
  models: string;
  /** "0, 0.7". */
  temperatures: string;
  rule: "best" | "cheapest_within_best";
  halving: boolean;
  /** USD; empty: no ceiling. */
  maxSpend: string;
  /** Validation rows carved when the dataset has none; empty: 20 % of train, capped. */
  validationRows: string;
}

export function emptyDraft(): GridDraft {
  return {
    systems: [""], fewShotK: "", strategies: ["random"], fewShotIds: "", retrievalOff: false, retrievalOn: false,
    topK: "", models: "", temperatures: "", rule: "best", halving: true, maxSpend: "", validationRows: "",
  };
}

/** "0, 3, 8" → [0, 3, 8], or the sentence naming the field and the bad item. */
function numbers(text: string, field: string, whole: boolean, min: number, max: number): number[] | string {
  const items = text.split(/[,\s]+/).filter((s) => s !== "");
  const out: number[] = [];
  for (const s of items) {
    const n = Number(s);
    if (!Number.isFinite(n) || (whole && !Number.isInteger(n)) || n < min || n > max) {
      return `${field}: “${s}” is not ${whole ? "a whole number" : "a number"} between ${min} and ${max}.`;
    }
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** "gpt-4o-mini @ openai" → { provider, model }; "gpt-4o-mini" stays on arm A's provider. */
export function modelSpecs(text: string): ModelSpec[] {
  return text.split("\n").map((l) => l.trim()).filter((l) => l !== "").map((l) => {
    const at = l.lastIndexOf(" @ ");
    return at > 0 ? { provider: l.slice(at + 3).trim(), model: l.slice(0, at).trim() } : l;
  });
}

/** The grid the core checks, or the sentence that says what is wrong in the form. */
export function gridFromDraft(d: GridDraft): GridFile | string {
  const k = numbers(d.fewShotK, "Few-shot counts", true, 0, 64);
  if (typeof k === "string") return k;
  const topK = numbers(d.topK, "Top-k", true, 1, 50);
  if (typeof topK === "string") return topK;
  const temps = numbers(d.temperatures, "Temperatures", false, 0, 2);
  if (typeof temps === "string") return temps;
  const spend = d.maxSpend.trim() === "" ? null : Number(d.maxSpend.trim());
  if (spend !== null && !(Number.isFinite(spend) && spend > 0)) return `Spend ceiling: “${d.maxSpend.trim()}” is not an amount above 0.`;
  const rows = numbers(d.validationRows, "Validation rows", true, 1, 100000);
  if (typeof rows === "string") return rows;
  const fewShot = k.some((n) => n > 0);
  if (fewShot && d.strategies.length === 0) return "Few-shot: tick at least one strategy (fixed, random or BM25).";
  const retrieval = [...(d.retrievalOff ? [false] : []), ...(d.retrievalOn ? [true] : [])];
  return {
    system: d.systems.map((s) => s.trim()).filter((s) => s !== ""),
    few_shot_k: k,
    few_shot_strategy: k.length > 0 ? d.strategies : [],
    few_shot_ids: d.fewShotIds.split(/[,\s]+/).filter((s) => s !== ""),
    few_shot_seed: null,
    retrieval,
    top_k: d.retrievalOn ? topK : [],
    models: modelSpecs(d.models),
    temperature: temps,
    choose: d.rule,
    max_spend_usd: spend,
    halving: d.halving,
    min_slice: null,
    validation: rows.length > 0 ? { fraction: null, max_rows: null, rows: rows[0], seed: null, stratify: null } : null,
  };
}

/** How many candidates `g` makes: the product of its lists (a few-shot count of 0 once,
 * whatever the strategies), as the core expands it before dropping repeats. */
export function candidateCount(g: GridFile): number {
  const len = (a: unknown[] | undefined) => Math.max(1, a?.length ?? 0);
  const ks = g.few_shot_k ?? [];
  const strategies = len(g.few_shot_strategy);
  const fewShot = ks.length === 0 ? 1 : ks.reduce((n, k) => n + (k === 0 ? 1 : strategies), 0);
  const retrieval = (g.retrieval ?? []).reduce((n, on) => n + (on ? len(g.top_k) : 1), 0) || 1;
  return len(g.system) * fewShot * retrieval * len(g.models) * len(g.temperature);
}

export interface GridActions {
  change(p: Partial<GridDraft>): void;
  estimate(): void;
  close(): void;
}

/** The fields typed as text. */
type TextField = "fewShotK" | "fewShotIds" | "topK" | "temperatures" | "maxSpend" | "validationRows";

const STRATEGIES: [Strategy, string][] = [["fixed", "fixed"], ["random", "random"], ["similar", "similar (BM25)"]];

/** The grid form, with the candidate count as typed and "Estimate". */
export function gridForm(d: GridDraft, file: string, a: GridActions, busy: string | null): TemplateResult {
  const g = gridFromDraft(d);
  const text = (id: string, value: string, key: TextField, placeholder: string) =>
    html`<input type="text" id=${id} .value=${value} placeholder=${placeholder}
      @change=${(e: Event) => {
        const p: Partial<GridDraft> = {};
        p[key] = (e.target as HTMLInputElement).value;
        a.change(p);
      }} />`;
  const tick = (id: string, on: boolean, label: string, change: (on: boolean) => void) =>
    html`<label class="check"><input type="checkbox" id=${id} .checked=${on}
      @change=${(e: Event) => change((e.target as HTMLInputElement).checked)} /> ${label}</label>`;
  return html`<section class="panel" id="search-grid">
    <h3>Candidates for arm A of ${file}</h3>
    <p class="muted small">Every combination of the lists below is a candidate; a list left empty keeps arm A's own setting. Candidates answer validation cases carved from train, never the held-out test cases.</p>
    <fieldset><legend>System-prompt variants</legend>
      ${d.systems.map((s, i) => html`<textarea id="search-system-${i}" rows="3" .value=${s} placeholder="Variant ${i + 1} (empty: arm A's prompt)"
        @change=${(e: Event) => a.change({ systems: d.systems.map((x, j) => (j === i ? (e.target as HTMLTextAreaElement).value : x)) })}></textarea>`)}
      <button class="small-btn" id="search-system-add" @click=${() => a.change({ systems: [...d.systems, ""] })}>Add a variant</button>
    </fieldset>
    <fieldset><legend>Few-shot examples</legend>
      <label>Counts ${text("search-k", d.fewShotK, "fewShotK", "0, 3, 8")}</label>
      ${STRATEGIES.map(([s, label]) => tick(`search-strategy-${s}`, d.strategies.includes(s), label,
        (on) => a.change({ strategies: on ? [...d.strategies, s] : d.strategies.filter((x) => x !== s) })))}
      ${d.strategies.includes("fixed") ? html`<label>Fixed example ids ${text("search-ids", d.fewShotIds, "fewShotIds", "12, 40, 7")}</label>` : nothing}
    </fieldset>
    <fieldset><legend>Retrieved context</legend>
      ${tick("search-retrieval-off", d.retrievalOff, "off", (on) => a.change({ retrievalOff: on }))}
      ${tick("search-retrieval-on", d.retrievalOn, "on (arm A's folder)", (on) => a.change({ retrievalOn: on }))}
      ${d.retrievalOn ? html`<label>Top-k ${text("search-topk", d.topK, "topK", "3, 5")}</label>` : nothing}
    </fieldset>
    <fieldset><legend>Models and temperature</legend>
      <label>Models, one a line (<code>model</code> on arm A's provider, or <code>model @ provider</code>)
        <textarea id="search-models" rows="3" .value=${d.models}
          @change=${(e: Event) => a.change({ models: (e.target as HTMLTextAreaElement).value })}></textarea></label>
      <label>Temperatures ${text("search-temps", d.temperatures, "temperatures", "0, 0.7")}</label>
    </fieldset>
    <fieldset><legend>Choice, cost and validation</legend>
      <label>Choose <select id="search-rule" @change=${(e: Event) => a.change({ rule: (e.target as HTMLSelectElement).value as GridDraft["rule"] })}>
        <option value="best" ?selected=${d.rule === "best"}>the best</option>
        <option value="cheapest_within_best" ?selected=${d.rule === "cheapest_within_best"}>as good, cheaper (within the best's interval)</option>
      </select></label>
      ${tick("search-halving", d.halving, "successive halving (all candidates on a slice, the better half on twice as many cases, …)", (on) => a.change({ halving: on }))}
      <label>Spend ceiling, USD ${text("search-spend", d.maxSpend, "maxSpend", "none")}</label>
      <label>Validation rows when the dataset has none ${text("search-validation", d.validationRows, "validationRows", "20 % of train, at most a few hundred")}</label>
    </fieldset>
    ${typeof g === "string"
      ? html`<div class="error-box" role="alert" id="search-grid-error">${g}</div>`
      : html`<p id="search-count"><strong>${candidateCount(g)}</strong> candidate${candidateCount(g) === 1 ? "" : "s"} (repeats are dropped)</p>`}
    <div class="actions">
      <button class="primary" id="search-estimate" ?disabled=${typeof g === "string" || busy !== null} @click=${a.estimate}>${busy ?? "Estimate"}</button>
      <button id="search-close" @click=${a.close}>Cancel</button>
    </div>
  </section>`;
}
