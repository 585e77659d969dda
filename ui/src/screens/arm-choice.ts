// How arm A was chosen, on the results and decision screens of a run whose arm A came from
// a prompt search: the search's own sentence (the one the exported report states, never
// re-worded here), and on request the chart of its candidates with the chosen one marked.
import { html, nothing, type TemplateResult } from "lit-html";
import { unsafeSVG } from "lit-html/directives/unsafe-svg.js";
import { call, describe } from "../api";
import { commands, type SearchOutcome_Serialize as SearchOutcome } from "../bindings";
import type { Redraw } from "../screen";

/** What the panel shows: the search (none when arm A was written by hand), whether the
 * candidates are open, and their chart once drawn. */
export interface ArmChoice {
  outcome: SearchOutcome | null;
  open: boolean;
  svg: string | null;
  error: string | null;
}

/** The sentence, and a toggle that opens the chart of the candidates. */
export function armChoiceView(c: ArmChoice, toggle: () => void): TemplateResult | typeof nothing {
  const error = c.error ? html`<p class="warnings" id="arm-choice-error">${c.error}</p>` : nothing;
  const o = c.outcome;
  if (!o?.sentence) return error;
  return html`<section class="panel" id="arm-choice">
    <h3>How arm A was chosen</h3>
    <p id="arm-choice-sentence">${o.sentence}</p>
    <button class="small-btn" id="arm-choice-toggle" aria-expanded=${c.open ? "true" : "false"} @click=${toggle}>
      ${c.open ? "Hide the candidates" : `Show the ${o.candidates} candidates`}</button>
    ${c.open
      ? c.svg
        ? html`<figure class="chart" id="arm-choice-chart">${unsafeSVG(c.svg)}</figure>`
        : html`<p class="muted small">Drawing…</p>`
      : nothing}
    ${error}
  </section>`;
}

/** The panel's state for one run, read when the screen opens and the chart drawn when the
 * candidates are first opened. */
export class ArmChoicePanel {
  private runId = 0;
  private state: ArmChoice = { outcome: null, open: false, svg: null, error: null };

  constructor(private readonly redraw: Redraw) {}

  async load(runId: number): Promise<void> {
    this.runId = runId;
    this.state = { outcome: null, open: false, svg: null, error: null };
    try {
      const outcome = await call(commands.armASearch(runId));
      if (runId === this.runId) this.state = { ...this.state, outcome };
    } catch (err) {
      if (runId === this.runId) this.state = { ...this.state, error: describe(err) };
    }
    this.redraw();
  }

  private toggle = async (): Promise<void> => {
    const runId = this.runId;
    const o = this.state.outcome;
    this.state = { ...this.state, open: !this.state.open };
    this.redraw();
    if (!o || !this.state.open || this.state.svg !== null) return;
    try {
      const svg = await call(commands.searchChart(o.search_id));
      if (runId === this.runId) this.state = { ...this.state, svg };
    } catch (err) {
      if (runId === this.runId) this.state = { ...this.state, error: describe(err) };
    }
    this.redraw();
  };

  view(): TemplateResult | typeof nothing {
    return armChoiceView(this.state, () => void this.toggle());
  }
}
