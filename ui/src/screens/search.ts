// Prompt search: the best prompting arm A of an experiment file, chosen on a validation
// split carved from train, never on the held-out test cases. Pick the file (its review is
// confirmed as for a run), compose the grid, read the estimate (candidates × validation
// cases, tokens, cost, the halving schedule, the spend ceiling), start, and read the
// ranking, the chosen arm and the chart of the candidates.
import { Channel } from "@tauri-apps/api/core";
import { html, nothing, type TemplateResult } from "lit-html";
import { unsafeSVG } from "lit-html/directives/unsafe-svg.js";
import { call, describe } from "../api";
import {
  commands,
  type FileReview_Serialize as FileReview,
  type PreparedSearch_Serialize as PreparedSearch,
  type RunEvent,
  type SearchOutcome_Serialize as SearchOutcome,
} from "../bindings";
import { chooseFile } from "../files";
import { count } from "../format";
import { usd } from "../money";
import type { Redraw, Screen } from "../screen";
import { errorBox } from "../widgets";
import { type Live, liveView, reviewView } from "./runs";
import { emptyDraft, gridForm, gridFromDraft, type GridDraft } from "./search-grid";

/** "12,400" from a float estimate ("–" when there is none). */
function tokens(n: number | null): string {
  return n === null ? "–" : count(Math.round(n));
}

/** "0.870" ("–" without a value). */
function fixed3(v: number | null | undefined): string {
  return v === null || v === undefined ? "–" : v.toFixed(3);
}

/** The estimate read before Start: calls, tokens, cost, halving and the spend ceiling. */
export function estimateView(p: PreparedSearch, start: () => void, discard: () => void, busy: boolean): TemplateResult {
  const e = p.estimate;
  const cost = (c: number | null | undefined) => (c === null || c === undefined ? "cost unknown (no price)" : `≤ ${usd(c)}`);
  const halved = p.rungs.length > 1;
  const saved = e.calls_full > 0 ? Math.round((100 * (e.calls_full - e.calls_planned)) / e.calls_full) : 0;
  return html`<section class="panel" id="search-estimate-panel">
    <h3>Search ${p.search_id}: before it starts</h3>
    ${p.carved
      ? html`<p id="search-carved">Carved a validation split: ${count(p.carved.validation_rows)} rows from train (${count(p.carved.train_rows)} train rows left; the ${count(p.carved.test_rows)} test rows untouched${p.carved.stratified ? ", stratified by label" : ""}).</p>`
      : nothing}
    <table class="grid" id="search-estimate-table"><tbody>
      <tr><th>Candidates × validation cases</th><td>${count(p.candidates.length)} × ${count(p.validation_cases)} = ${count(e.calls_full)} calls for the full grid</td></tr>
      <tr><th>Tokens (full grid)</th><td>~${tokens(e.input_tokens_full)} input, ≤ ${tokens(e.max_output_tokens_full)} output</td></tr>
      <tr><th>Cost (full grid)</th><td>${cost(e.cost_full_usd)}</td></tr>
      ${halved
        ? html`<tr id="search-halving-row"><th>Successive halving</th><td>${p.rungs.map((r) => `${r.candidates} on ${r.cases}`).join(" → ")}: ${count(e.calls_planned)} calls (${saved} % fewer), ${cost(e.cost_planned_max_usd)}</td></tr>`
        : nothing}
      <tr><th>Spend ceiling</th><td id="search-ceiling">${p.max_spend_usd === null ? "none: the search runs until every planned call is made" : `stops at ${usd(p.max_spend_usd)}`}</td></tr>
      <tr><th>Choice rule</th><td>${p.rule === "best" ? "the best" : "as good, cheaper: the cheapest within the best's 95 % interval"} by ${p.primary_metric}</td></tr>
    </tbody></table>
    ${e.unpriced_candidates.length > 0 && e.cost_full_usd != null
      ? html`<p class="small" id="search-unpriced">No price for ${e.unpriced_candidates.join(", ")}: their calls are not in the cost.</p>`
      : nothing}
    <div class="actions">
      <button class="primary" id="search-start" ?disabled=${busy} @click=${start}>Start</button>
      <button id="search-discard" ?disabled=${busy} @click=${discard}>Back to the grid</button>
    </div>
  </section>`;
}

/** The ranking of the last rung (best first), the chosen one marked, and what was saved. */
export function outcomeView(o: SearchOutcome, p: PreparedSearch | null, svg: string | null): TemplateResult {
  const last = o.rungs[o.rungs.length - 1];
  const label = (i: number, name: string) => p?.candidates[i]?.label ?? name;
  const chosen = o.chosen?.score.index ?? null;
  const saved = o.calls_full > 0 ? Math.round((100 * (o.calls_full - o.calls_made)) / o.calls_full) : 0;
  return html`<section class="panel" id="search-outcome">
    <h3>Search ${o.search_id}: ${o.status === "completed" ? "done" : o.status.replace("_", " ")}</h3>
    ${o.sentence ? html`<p id="search-sentence">${o.sentence}</p>` : nothing}
    ${o.status !== "completed" ? html`<p id="search-stopped">It stopped before choosing; start it again to carry on where it stopped (answered cases are not sent again).</p>` : nothing}
    <p class="small" id="search-calls">${count(o.calls_made)} of the ${count(o.calls_full)} calls of the full grid${o.rungs.length > 1 ? ` (successive halving saved ${saved} %)` : ""}; ${usd(o.spend_usd)} spent.</p>
    ${last
      ? html`<table class="grid" id="search-ranking">
          <thead><tr><th>#</th><th>Candidate</th><th>Cases</th><th>${o.primary_metric}</th><th>95 % interval</th><th>Cost per query</th></tr></thead>
          <tbody>${last.ranked.map((c, rank) => html`<tr data-index=${c.index} class=${c.index === chosen ? "current" : ""}>
            <td class="num">${rank + 1}</td>
            <td>${label(c.index, c.name)}${c.index === chosen ? html` <span class="tag" id="search-chosen-tag">chosen: arm A</span>` : nothing}</td>
            <td class="num">${count(c.n)}${c.errors > 0 ? html` <span class="muted small">(${count(c.errors)} errors)</span>` : nothing}</td>
            <td class="num">${fixed3(c.mean)}</td>
            <td class="num">${c.interval ? `[${fixed3(c.interval.low)}, ${fixed3(c.interval.high)}]` : "–"}</td>
            <td class="num">${usd(c.cost_per_query)}</td>
          </tr>`)}</tbody>
        </table>`
      : nothing}
    ${svg ? html`<figure class="chart" id="search-chart">${unsafeSVG(svg)}</figure>` : nothing}
    ${o.test_run_id !== null
      ? html`<p id="search-next">Arm A of experiment ${o.experiment_id} is now the chosen candidate. Its run over the held-out test cases (run ${o.test_run_id}) waits in <a href="#/runs">Runs</a>: start it there.</p>`
      : nothing}
  </section>`;
}

export class SearchScreen implements Screen {
  readonly id = "search";
  readonly title = "Prompt search";
  private reviewing: { path: string; review: FileReview } | null = null;
  private file: { path: string; fingerprint: string } | null = null;
  private draft: GridDraft = emptyDraft();
  private prepared: PreparedSearch | null = null;
  private live: Live | null = null;
  private outcome: SearchOutcome | null = null;
  private svg: string | null = null;
  private busy: string | null = null;
  private error: string | null = null;

  constructor(private readonly redraw: Redraw) {}

  async show(): Promise<void> {
    this.redraw();
  }

  private pick = async (): Promise<void> => {
    this.error = null;
    try {
      const path = await chooseFile([{ name: "Experiment", extensions: ["toml"] }]);
      if (path !== null) await this.review(path);
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  };

  /** Shows what the experiment file at `path` (picked, or dropped on this screen) brings,
   * to confirm before its search is composed; refused while a search runs. */
  async review(path: string): Promise<void> {
    if (this.live) return;
    this.error = null;
    try {
      this.reviewing = { path, review: await call(commands.reviewExperimentFile(path)) };
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  }

  private estimate = async (): Promise<void> => {
    const g = gridFromDraft(this.draft);
    if (!this.file || typeof g === "string" || this.busy) return;
    this.busy = "Estimating…";
    this.error = null;
    this.redraw();
    try {
      this.prepared = await call(commands.prepareSearch(this.file.path, this.file.fingerprint, g));
    } catch (err) {
      this.error = describe(err);
    }
    this.busy = null;
    this.redraw();
  };

  private start = async (): Promise<void> => {
    const p = this.prepared;
    if (!p || this.live) return;
    this.error = null;
    this.outcome = null;
    this.svg = null;
    this.live = { progress: null, cancelling: false, label: `search ${p.search_id}`, runId: p.run_id, unpriced: p.estimate.unpriced_candidates };
    this.redraw();
    const channel = new Channel<RunEvent>();
    channel.onmessage = (e) => {
      if (!this.live) return;
      this.live = e.kind === "progress" ? { ...this.live, progress: e.progress } : { ...this.live, warnings: e.warnings };
      this.redraw();
    };
    try {
      this.outcome = await call(commands.startSearch(p.search_id, channel));
      if (this.outcome.status === "completed") this.svg = await call(commands.searchChart(p.search_id));
    } catch (err) {
      this.error = describe(err);
    }
    this.live = null;
    this.redraw();
  };

  private cancel = async (): Promise<void> => {
    if (!this.live) return;
    this.live = { ...this.live, cancelling: true };
    this.redraw();
    await commands.cancelRun();
  };

  view(): TemplateResult {
    const name = (path: string) => path.split(/[\\/]/).pop() ?? path;
    return html`<header class="screen-head">
        <div><h1>Prompt search</h1><div class="muted small">The best prompting arm A, chosen on validation cases carved from train, never on the held-out test cases.</div></div>
        <div class="actions"><button class="primary" id="search-pick" ?disabled=${this.live !== null} @click=${this.pick}>Search arm A of an experiment file…</button></div>
      </header>
      ${errorBox(this.error, "search-error")}
      ${this.reviewing
        ? reviewView(this.reviewing.review, () => {
            const r = this.reviewing;
            if (r) this.file = { path: r.path, fingerprint: r.review.fingerprint };
            this.reviewing = null;
            this.prepared = null;
            this.outcome = null;
            this.redraw();
          }, () => {
            this.reviewing = null;
            this.redraw();
          }, { title: `Search arm A of ${name(this.reviewing.path)}?`, confirm: "Compose the search" })
        : nothing}
      ${this.file && !this.prepared && !this.outcome
        ? gridForm(this.draft, name(this.file.path), {
            change: (p) => {
              this.draft = { ...this.draft, ...p };
              this.redraw();
            },
            estimate: () => void this.estimate(),
            close: () => {
              this.file = null;
              this.redraw();
            },
          }, this.busy)
        : nothing}
      ${this.prepared && this.outcome?.status !== "completed" && !this.live
        ? estimateView(this.prepared, () => void this.start(), () => {
            this.prepared = null;
            this.redraw();
          }, this.busy !== null)
        : nothing}
      ${this.live ? liveView(this.live, () => void this.cancel()) : nothing}
      ${this.outcome ? outcomeView(this.outcome, this.prepared, this.svg) : nothing}
      ${!this.file && !this.reviewing && !this.outcome
        ? html`<section class="empty" id="search-empty"><h2>No search composed</h2>
            <p>Pick an experiment file, or drop one on this window: its arm A is the prompting arm the search varies (system prompts, few-shot examples, retrieval, models, temperature). The chosen candidate becomes that arm A, and the run over the held-out test cases waits in Runs.</p></section>`
        : nothing}`;
  }
}
