// The results of one run: the verdict in one sentence with its numbers, every metric with
// its interval side by side, latency and cost per query, per-class tables and confusion
// matrices, and a case browser filtered to the disagreements.
import { html, nothing, type TemplateResult } from "lit-html";
import { unsafeSVG } from "lit-html/directives/unsafe-svg.js";
import { call, describe } from "../api";
import { chooseSavePath } from "../files";
import {
  commands,
  type BatchSettings,
  type CaseCounts,
  type CaseFilter,
  type CasePage,
  type LabelReport,
  type RunHistory,
  type RunReport,
} from "../bindings";
import { armSwatch } from "../arm-colours";
import { ArmChoicePanel } from "./arm-choice";
import { comparisonsTable } from "./comparisons";
import { historyView, rerunForm, type RerunState } from "./history";
import { priceLink } from "./prices";
import { count, modelChoices } from "../format";
import { usd } from "../money";
import type { Redraw, Screen } from "../screen";
import { errorBox } from "../widgets";

const PAGE = 25;

export class ResultsScreen implements Screen {
  readonly id = "results";
  readonly title = "Results";
  runId = 0;
  private report: RunReport | null = null;
  private page: CasePage | null = null;
  private filter: CaseFilter = "a_only_right";
  private search = "";
  private offset = 0;
  private error: string | null = null;
  private budget: number | null = null;
  private latencySvg: string | null = null;
  private history: RunHistory | null = null;
  private trendSvg: string | null = null;
  private rerun: RerunState | null = null;
  private notice: string | null = null;
  private readonly armChoice: ArmChoicePanel;

  /** `startRun` starts a prepared run where its progress shows (the Runs screen). */
  constructor(
    private readonly redraw: Redraw,
    private readonly startRun: (runId: number, budget: number | null, batch: BatchSettings | null) => void,
  ) {
    this.armChoice = new ArmChoicePanel(redraw);
  }

  async show(): Promise<void> {
    this.error = null;
    this.notice = null;
    this.report = null;
    this.page = null;
    this.history = null;
    this.trendSvg = null;
    this.rerun = null;
    try {
      this.report = await call(
        commands.runReport(this.runId, { latency_budget_p95_ms: this.budget, error_policy: "count_as_failure", seed: 7, resamples: 10000 }),
      );
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
    await Promise.all([this.loadCases(true), this.loadLatency(), this.loadHistory(), this.armChoice.load(this.runId)]);
  }

  private async loadHistory(): Promise<void> {
    try {
      const view = await call(commands.runHistory(this.runId, { theme: "light", width: 1000, height: 560 }));
      this.history = view.history;
      this.trendSvg = view.svg;
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  }

  private openRerun = async (): Promise<void> => {
    const r = this.report;
    if (!r) return;
    let suggestions: string[] = [];
    try {
      const choices = modelChoices(await call(commands.listPrices()));
      suggestions = [...choices.base, ...choices.tuned];
    } catch {
      // Suggestions are a convenience; any model id can be typed.
    }
    this.rerun = {
      current: r.arms.map((a) => ({ name: a.name, model: a.model })),
      models: r.arms.map((a) => a.model),
      suggestions,
      prepared: null,
    };
    this.redraw();
  };

  private prepareRerun = async (): Promise<void> => {
    const s = this.rerun;
    if (!s) return;
    this.error = null;
    try {
      const swaps = s.models.map((model, position) => ({ position, model }));
      s.prepared = await call(commands.prepareRerun(this.runId, swaps));
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  };

  private exportTrend = async (): Promise<void> => {
    try {
      const path = await chooseSavePath(`trend-run-${this.runId}.png`, [{ name: "PNG", extensions: ["png"] }]);
      if (!path) return;
      this.notice = `Saved ${await call(commands.trendChart(this.runId, { theme: "light", width: 1920, height: 1080 }, path))}`;
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  };

  private async loadLatency(): Promise<void> {
    try {
      this.latencySvg = await call(commands.runLatencyChart(this.runId, this.budget));
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  }

  private setBudget = (e: Event): void => {
    const v = Number((e.target as HTMLInputElement).value);
    this.budget = Number.isFinite(v) && v > 0 ? v : null;
    void this.show();
  };

  /** Loads a page of cases; on `opening`, moves off a filter with no case to the first that has some. */
  private async loadCases(opening = false): Promise<void> {
    try {
      this.page = await call(commands.runCases(this.runId, this.filter, this.search.trim() || null, this.offset, PAGE));
      const better = opening ? firstNonEmpty(this.page.counts, this.filter) : this.filter;
      if (better !== this.filter) {
        this.filter = better;
        this.page = await call(commands.runCases(this.runId, this.filter, this.search.trim() || null, this.offset, PAGE));
      }
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  }

  private setFilter(f: CaseFilter): void {
    this.filter = f;
    this.offset = 0;
    void this.loadCases();
  }

  view(): TemplateResult {
    const r = this.report;
    const head = html`<header class="screen-head"><div><a href="#/runs" class="back">← Runs</a>
      <h1>Run ${this.runId}${r ? html` · ${r.experiment}` : nothing}</h1>
      ${r ? html`<div class="muted small">${r.dataset} · ${r.split} split · ${count(r.n_cases)} cases · ${r.status}</div>` : nothing}</div>
      <div class="actions"><button id="open-rerun" ?disabled=${!r || this.rerun !== null} @click=${() => void this.openRerun()}>Re-run on another model…</button>
        <a class="button" id="open-crossover" href="#/crossover/${this.runId}">Cost at scale →</a>
        <a class="button primary-link" id="open-decision" href="#/decision/${this.runId}">Decision →</a></div></header>`;
    if (!r) return html`${head}${errorBox(this.error, "results-error")}${this.error ? nothing : html`<p class="muted">Scoring…</p>`}`;
    const rerun = this.rerun;
    const several = (r.comparisons ?? []).length > 0;
    return html`${head}${errorBox(this.error, "results-error")}
      ${this.notice ? html`<div class="notice" id="results-notice">${this.notice}</div>` : nothing}
      ${rerun
        ? rerunForm(rerun, {
            setModel: (i, m) => {
              rerun.models[i] = m;
              this.redraw();
            },
            prepare: () => void this.prepareRerun(),
            start: (budget, batch) => {
              const id = rerun.prepared?.prepared.run_id;
              this.rerun = null;
              if (id) this.startRun(id, budget, batch);
            },
            close: () => {
              this.rerun = null;
              this.redraw();
            },
          })
        : nothing}
      ${r.task_warning ? html`<section class="verdict verdict-not_justified" id="task-warning"><strong>${r.task_warning}</strong></section>` : nothing}
      <section class="verdict verdict-${r.verdict_kind}" id="verdict">${r.verdict}</section>
      ${r.power_warning ? html`<p class="warnings">${r.power_warning}</p>` : nothing}
      ${this.armChoice.view()}
      ${metricsTable(r, this.budget)}
      <p class="muted small">${r.comparison.error_policy_text}. Minimum detectable difference at 80 % power: ${(r.minimum_detectable_difference ?? 0).toFixed(3)}${
        r.p_value != null ? html` · McNemar exact p${several ? " (B against A, before correction)" : ""} = ${r.p_value < 0.001 ? "< 0.001" : (r.p_value ?? 0).toFixed(3)}` : nothing} · seed ${r.seed}, ${count(r.resamples)} bootstrap resamples.</p>
      ${several ? comparisonsTable(r.comparisons ?? [], r.arms.map((x) => x.name)) : nothing}
      <section class="panel latency-panel">
        <div class="browser-bar"><h3>Latency distribution</h3>
          <label class="small">p95 budget (ms) <input type="number" id="latency-budget" min="0" step="50" .value=${this.budget === null ? "" : String(this.budget)} @change=${this.setBudget} /></label></div>
        <div class="chart" id="latency-chart">${this.latencySvg ? unsafeSVG(this.latencySvg) : nothing}</div>
      </section>
      <div class="panels">
        ${r.arms.map((arm) => (arm.label_report ? html`<section class="panel"><h3>${arm.name}: per class</h3>${labelTable(arm.label_report)}</section>` : nothing))}
      </div>
      ${this.history ? historyView(this.history, this.runId, this.trendSvg, () => void this.exportTrend()) : nothing}
      ${this.casesView(r)}`;
  }

  private casesView(r: RunReport): TemplateResult {
    const p = this.page;
    const tabs: [CaseFilter, string, number | undefined][] = [
      ["a_only_right", `only ${p?.arm_a ?? "A"} right`, p?.counts.a_only_right],
      ["b_only_right", `only ${p?.arm_b ?? "B"} right`, p?.counts.b_only_right],
      ["both_wrong", "both wrong", p?.counts.both_wrong],
      ["errors", "errors", p?.counts.errors],
      ["all", "all", p?.counts.all],
    ];
    return html`<section class="browser" id="case-browser">
      <div class="browser-bar"><h3>Cases</h3>
        ${tabs.map(([f, label, n]) => html`<button class=${f === this.filter ? "primary small-btn" : "small-btn"} id="cases-${f}"
          @click=${() => this.setFilter(f)}>${label}${n !== undefined ? ` (${count(n)})` : ""}</button>`)}
        <input type="search" id="cases-search" placeholder="Search…" .value=${this.search}
          @change=${(e: Event) => { this.search = (e.target as HTMLInputElement).value; this.offset = 0; void this.loadCases(); }} />
      </div>
      ${rightMeans(p)}
      ${r.arms.length > 2 && p
        ? html`<p class="muted small" id="cases-arms">Cases side by side for arm A (${p.arm_a}) and arm B (${p.arm_b}); every arm's figures are in the table above.</p>`
        : nothing}
      ${p && p.cases.length > 0
        ? html`<table class="grid compact" id="cases-table"><thead><tr><th>#</th><th>Input</th><th>Expected</th><th>${p.arm_a}</th><th>${p.arm_b}</th></tr></thead>
            <tbody>${p.cases.map((c) => html`<tr>
              <td class="num muted">${c.ordinal + 1}</td>
              <td class="text">${c.input.length > 240 ? `${c.input.slice(0, 240)}…` : c.input}</td>
              <td>${c.expected}</td>
              ${[c.a, c.b].map((ans) => html`<td class=${ans.error_class ? "bad" : ans.right ? "good" : ""}>${
                ans.error_class ? html`<span class="tag bad">${ans.error_class}</span> ${ans.error_message ?? ""}`
                : ans.truncated ? html`<span class="tag warn" title="The answer reached the output token limit">cut at the token limit</span> ${ans.output ?? ""}`
                : ans.output ?? ""}</td>`)}
            </tr>`)}</tbody></table>
          <div class="pager"><button class="small-btn" ?disabled=${this.offset === 0} @click=${() => { this.offset -= PAGE; void this.loadCases(); }}>‹ Prev</button>
            <span class="muted small">${count(this.offset + 1)}–${count(this.offset + p.cases.length)} of ${count(p.total)}</span>
            <button class="small-btn" ?disabled=${this.offset + p.cases.length >= p.total} @click=${() => { this.offset += PAGE; void this.loadCases(); }}>Next ›</button></div>`
        : html`<p class="muted">No cases here.</p>`}
    </section>`;
  }
}

type ArmReport = RunReport["arms"][number];

/** Every metric of every arm side by side, a column per arm (A, B, then any further arms),
 * with errors, latency and measured cost per query; `budget` adds the p95 budget row. */
export function metricsTable(r: RunReport, budget: number | null): TemplateResult {
  const arms: ArmReport[] = r.arms;
  const [a] = arms;
  const each = (f: (x: ArmReport) => unknown) => arms.map((x) => html`<td class="num">${f(x)}</td>`);
  return html`<table class="grid" id="metrics-table">
        <thead><tr><th>Metric</th>${arms.map((x, i) => html`<th class="num">${armSwatch(i)}${x.name}</th>`)}</tr></thead>
        <tbody>
          <tr><td><strong>${r.primary_metric}</strong> (primary, ${a.primary.interval_method} 95 % CI)</td>
            ${each((x) => value(x.primary.value, x.primary.interval.low, x.primary.interval.high))}</tr>
          ${a.metrics.map((m, i) => html`<tr><td>${m.metric}</td>
              ${each((x) => {
                const mx = x === a ? m : x.metrics[i];
                return mx ? value(mx.mean ?? null, mx.interval?.low ?? null, mx.interval?.high ?? null) : "–";
              })}</tr>`)}
          <tr><td>errors after retries (not wrong answers)</td>${each((x) => count(x.errors))}</tr>
          <tr id="refused-row"><td>of which refused or stopped by a content filter (not retried)</td>${each((x) => count(x.refused))}</tr>
          <tr id="truncated-row"><td>answers cut at the token limit (scored as they are)</td>${each((x) => count(x.truncated))}</tr>
          <tr><td>latency p50 / p90 / p95 / p99</td>
            ${each((x) => `${ms(x.latency.p50_ms)} / ${ms(x.latency.p90_ms)} / ${ms(x.latency.p95_ms)} / ${ms(x.latency.p99_ms)}`)}</tr>
          <tr><td>mean latency · time to first token p50 / p95</td>
            ${each((x) => `${ms(x.latency.mean_ms)} · ${ms(x.latency.ttft_p50_ms)} / ${ms(x.latency.ttft_p95_ms)}`)}</tr>
          <tr><td>output tokens per second</td>
            ${each((x) => (x.latency.tokens_per_second != null ? x.latency.tokens_per_second.toFixed(1) : "–"))}</tr>
          ${budget !== null
            ? html`<tr id="budget-row"><td>p95 within ${ms(budget)} budget</td>
                ${arms.map((x) => html`<td class="num ${x.latency.within_budget ? "good" : "bad"}">${x.latency.within_budget ? "pass" : "fail"}</td>`)}</tr>`
            : nothing}
          <tr><td>cost per query (measured)</td>${each((x) =>
            x.cost_per_query !== null ? usd(x.cost_per_query) : html`<span class="muted" title=${x.cost_note ?? ""}>${priceLink(x.model, x.kind)}</span>`)}</tr>
        </tbody>
      </table>`;
}

/** What makes a case right (a score threshold for a continuous metric), stated beside the
 * right and wrong counts the browser's filters show. */
export function rightMeans(p: CasePage | null): TemplateResult | typeof nothing {
  return p?.right_means ? html`<p class="muted small" id="cases-right-means">${p.right_means}</p>` : nothing;
}

/** The filters in the order the case browser shows them. */
const FILTERS: CaseFilter[] = ["a_only_right", "b_only_right", "both_wrong", "errors", "all"];

/** `current` when it has cases, else the first filter (in tab order) that has some. */
export function firstNonEmpty(counts: CaseCounts, current: CaseFilter): CaseFilter {
  const n = (f: CaseFilter) => (counts as unknown as Record<string, number>)[f] ?? 0;
  if (n(current) > 0) return current;
  return FILTERS.find((f) => n(f) > 0) ?? current;
}

function value(v: number | null | undefined, low: number | null | undefined, high: number | null | undefined): TemplateResult {
  if (v === null || v === undefined) return html`–`;
  return html`${v.toFixed(3)}${low != null && high != null ? html` <span class="muted small">[${low.toFixed(3)}, ${high.toFixed(3)}]</span>` : nothing}`;
}

function ms(v: number | null | undefined): string {
  return v == null ? "–" : `${Math.round(v)} ms`;
}

function labelTable(l: LabelReport): TemplateResult {
  return html`<table class="grid compact"><thead><tr><th>Class</th><th class="num">Precision</th><th class="num">Recall</th><th class="num">F1</th><th class="num">Support</th></tr></thead>
    <tbody>${l.per_class.map((c) => html`<tr><td>${c.label}</td><td class="num">${(c.precision ?? 0).toFixed(3)}</td><td class="num">${(c.recall ?? 0).toFixed(3)}</td><td class="num">${(c.f1 ?? 0).toFixed(3)}</td><td class="num">${count(c.support)}</td></tr>`)}</tbody></table>
    <table class="grid compact confusion"><thead><tr><th>true \\ predicted</th>${l.labels.map((x) => html`<th class="num">${x}</th>`)}</tr></thead>
    <tbody>${l.confusion.map((row, i) => html`<tr><th>${l.labels[i]}</th>${row.map((n, j) => html`<td class=${i === j ? "num diag" : "num"}>${count(n)}</td>`)}</tr>`)}</tbody></table>`;
}
