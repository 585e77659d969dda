// The decision: the framework's questions (saved with the experiment) and the
// recommendation they give with this run's evidence, every reason citing its number,
// conflicts stated; for a run of three or more arms, the verdict over every arm and its
// corrected comparisons above it; and the decision report exported as HTML or Markdown.
import { html, nothing, type TemplateResult } from "lit-html";
import { call, describe } from "../api";
import { chooseSavePath } from "../files";
import {
  commands,
  type DecisionView_Serialize as DecisionView,
  type DocFormat,
  type FormatNeed,
  type KnowledgeCadence,
  type Questions_Serialize as Questions,
} from "../bindings";
import type { Redraw, Screen } from "../screen";
import { ArmChoicePanel } from "./arm-choice";
import { comparisonsTable } from "./comparisons";
import { today } from "../format";
import { errorBox, numberField } from "../widgets";

const CHOICE: Record<string, string> = {
  keep_prompting: "Keep prompting",
  fine_tune: "Fine-tune",
  hybrid: "Hybrid: retrieval plus a fine-tuned model",
  not_yet: "Not yet",
};

export class DecisionScreen implements Screen {
  readonly id = "decision";
  readonly title = "Decision";
  runId = 0;
  private view_: DecisionView | null = null;
  /** Every answer given so far, ahead of the recommendation computed from them. */
  private answers: Questions | null = null;
  /** Recommendations are asked for one at a time, in the order the answers came. */
  private queue: Promise<void> = Promise.resolve();
  private error: string | null = null;
  private notice: string | null = null;
  private readonly armChoice: ArmChoicePanel;

  constructor(private readonly redraw: Redraw) {
    this.armChoice = new ArmChoicePanel(redraw);
  }

  async show(): Promise<void> {
    this.error = null;
    this.notice = null;
    this.answers = null;
    // The decision shown is always of the run named in the title: the previous run's
    // goes before this one's is asked for.
    this.view_ = null;
    await Promise.all([this.decide(null), this.armChoice.load(this.runId)]);
  }

  /** The decision of the run this screen is on, or none. */
  private current(): DecisionView | null {
    return this.view_ && this.view_.run_id === this.runId ? this.view_ : null;
  }

  /**
   * Saves `questions` (when given) and recomputes the recommendation. Each call waits for
   * the one before, so the answers saved and shown last are the latest ones.
   */
  private decide(questions: Questions | null): Promise<void> {
    const runId = this.runId;
    this.queue = this.queue.then(async () => {
      try {
        const view = await call(commands.decide(runId, today(), questions));
        // An answer for a run the screen has left is dropped.
        if (runId !== this.runId) return;
        this.view_ = view;
        this.error = null;
      } catch (err) {
        if (runId !== this.runId) return;
        this.error = describe(err);
      }
      this.redraw();
    });
    return this.queue;
  }

  /** An answer builds on every earlier one, even those still being recomputed. */
  private answer(patch: Partial<Questions>): void {
    const v = this.current();
    if (!v) return;
    this.answers = { ...(this.answers ?? v.questions), ...patch };
    this.redraw();
    void this.decide(this.answers);
  }

  private async export(format: DocFormat): Promise<void> {
    const ext = format === "html" ? "html" : "md";
    try {
      const path = await chooseSavePath(`tunebench-run-${this.runId}-decision.${ext}`, [
        { name: format === "html" ? "HTML" : "Markdown", extensions: [ext] },
      ]);
      if (!path) return;
      const files = await call(commands.exportReport(this.runId, today(), format, path));
      this.notice = `Saved ${files.join(", ")}`;
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  }

  view(): TemplateResult {
    const v = this.current();
    const head = html`<header class="screen-head">
      <div><a href="#/run/${this.runId}" class="back">← Run ${this.runId}</a><h1>Decision</h1></div>
      <div class="actions">
        <button class="primary" id="export-html" ?disabled=${!v} @click=${() => void this.export("html")}>Export HTML report…</button>
        <button id="export-md" ?disabled=${!v} @click=${() => void this.export("markdown")}>Markdown…</button>
      </div></header>`;
    if (!v) return html`${head}${errorBox(this.error, "decision-error")}`;
    return html`${head}${errorBox(this.error, "decision-error")}
      ${this.notice ? html`<div class="notice" id="decision-notice">${this.notice}</div>` : nothing}
      <div class="crossover">
        <aside class="panel controls">${questionsView(this.answers ?? v.questions, (p) => this.answer(p))}</aside>
        <section>${severalArmsView(v)}${recommendationView(v)}${this.armChoice.view()}</section>
      </div>`;
  }
}

/** For a run of three or more arms: the verdict naming the best arm that clears the margin
 * (with its figures), every comparison after Holm's correction, and what the recommendation
 * below weighs. Nothing for two arms. */
export function severalArmsView(v: DecisionView): TemplateResult | typeof nothing {
  const s = v.several_arms;
  if (!s) return nothing;
  const baseline = s.comparisons.find((c) => c.against_baseline)?.against;
  const arms = [baseline ?? "", ...s.comparisons.filter((c) => c.against_baseline).map((c) => c.arm)];
  return html`<section class="verdict verdict-${s.verdict_kind}" id="arms-verdict">${s.verdict}</section>
    ${comparisonsTable(s.comparisons, arms)}
    <p class="muted small" id="recommendation-scope">The recommendation below ${s.recommendation_scope}.</p>`;
}

export function recommendationView(v: DecisionView): TemplateResult {
  const r = v.recommendation;
  return html`<section class="verdict choice-${r.choice}" id="recommendation">
      <div class="choice" id="choice">${CHOICE[r.choice] ?? r.choice}</div>
      <p id="headline">${r.headline}</p>
    </section>
    ${r.conflicts.length > 0
      ? html`<h3>Conflicts</h3><ul class="warnings" id="conflicts">${r.conflicts.map((c) => html`<li>${c}</li>`)}</ul>`
      : nothing}
    <h3>Reasons</h3>
    <ul class="reasons" id="reasons">
      ${r.reasons.map((x) => html`<li data-kind=${x.kind}><span class="tag supports-${x.supports}">${x.supports.replace("_", " ")}</span> ${x.text}</li>`)}
    </ul>
    ${v.cost_note ? html`<p class="muted small" id="cost-note">Cost at scale left out: ${v.cost_note}</p>` : nothing}`;
}

export function questionsView(q: Questions, answer: (p: Partial<Questions>) => void): TemplateResult {
  const num = (value: number | null, id: string, onChange: (v: number | null) => void, label: string) =>
    numberField(id, value, { label, min: 0, optional: true }, onChange);
  const check = (value: boolean, id: string, label: string, onChange: (v: boolean) => void) =>
    html`<label class="check"><input type="checkbox" id=${id} .checked=${value}
      @change=${(e: Event) => onChange((e.target as HTMLInputElement).checked)} /> ${label}</label>`;
  return html`<h3>Your situation</h3>
    <label>How much format consistency matters
      <select id="q-format" @change=${(e: Event) => answer({ format: (e.target as HTMLSelectElement).value as FormatNeed })}>
        ${(
          [
            ["none", "free text is fine"],
            ["json", "always valid JSON"],
            ["json_schema", "JSON valid against a schema"],
            ["taxonomy", "one label of a fixed taxonomy"],
          ] as [FormatNeed, string][]
        ).map(([k, t]) => html`<option value=${k} ?selected=${q.format === k}>${t}</option>`)}
      </select></label>
    ${check(q.domain_language, "q-domain", "Domain language matters", (v) => answer({ domain_language: v }))}
    ${check(q.quality_parity_enough, "q-parity", "Matching prompting's quality is enough (fine-tuning for format, latency or cost)", (v) => answer({ quality_parity_enough: v }))}
    <label>Latency budget, p95 (ms) ${num(q.latency_budget_p95_ms, "q-latency", (v) => answer({ latency_budget_p95_ms: v }), "Latency budget")}</label>
    <div class="form-row">
      <label>Queries per day ${num(q.queries_per_day, "q-volume", (v) => answer({ queries_per_day: v ?? 0 }), "Queries per day")}</label>
      <label>Growth % / month ${num(q.monthly_growth === null ? null : Math.round(100 * q.monthly_growth), "q-growth", (v) => answer({ monthly_growth: (v ?? 0) / 100 }), "Growth")}</label>
    </div>
    <label>Domain knowledge changes
      <select id="q-knowledge" @change=${(e: Event) => answer({ knowledge_change: (e.target as HTMLSelectElement).value as KnowledgeCadence })}>
        ${(["weekly", "monthly", "quarterly", "rarely"] as KnowledgeCadence[]).map(
          (k) => html`<option value=${k} ?selected=${q.knowledge_change === k}>${k}</option>`,
        )}
      </select></label>
    ${check(q.portability_needed, "q-portability", "We must be able to switch providers or models without retraining", (v) => answer({ portability_needed: v }))}
    ${check(q.new_information, "q-new-info", "The task reasons over new, unseen information", (v) => answer({ new_information: v }))}
    <label>High-quality labelled examples ${num(q.labelled_examples, "q-examples", (v) => answer({ labelled_examples: Math.round(v ?? 0) }), "Labelled examples")}</label>`;
}
