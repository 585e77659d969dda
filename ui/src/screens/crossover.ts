// The crossover screen: monthly cost of prompting vs fine-tuning against daily volume, from
// catalog prices and the tokens a person expects per query (before any run). Sliders move
// the chart as you drag; the chart exports as slide-ready PNG or SVG.
import { html, nothing, type TemplateResult } from "lit-html";
import { unsafeSVG } from "lit-html/directives/unsafe-svg.js";
import { call, describe } from "../api";
import { chooseSavePath } from "../files";
import {
  commands,
  type DatasetSummary,
  type EstimateRequest,
  type PriceEntry_Serialize as PriceEntry,
  type Scenario_Serialize as Scenario,
  type ScenarioView_Serialize as ScenarioView,
  type Theme,
} from "../bindings";
import { modelChoices, today } from "../format";
import { sliderToVolume, usd, volume, volumeToSlider } from "../money";
import type { Redraw, Screen } from "../screen";
import { errorBox } from "../widgets";

export function defaultRequest(): EstimateRequest {
  return {
    queries_per_day: 20_000,
    today: today(),
    prompt_model: "gpt-4.1-mini",
    prompt_tokens: { input: 2300, cached_input: 1500, output: 100 },
    fine_tuned_model: "ft:gpt-4.1-mini",
    fine_tuned_tokens: { input: 350, cached_input: 0, output: 100 },
    training_tokens: 1_500_000,
    epochs: 3,
    retrain_every_months: 3,
  };
}

export class CrossoverScreen implements Screen {
  readonly id = "crossover";
  readonly title = "Crossover";
  /** A run whose measured tokens the scenario comes from; 0 for an estimate before any run. */
  runId = 0;
  private request: EstimateRequest = defaultRequest();
  private catalog: PriceEntry[] = [];
  private scenario: Scenario | null = null;
  private view_: ScenarioView | null = null;
  private error: string | null = null;
  private notice: string | null = null;
  private logX = true;
  private theme: Theme = "light";
  private redrawMs: number | null = null;
  private datasets: DatasetSummary[] = [];
  private counted: string | null = null;
  private inFlight = false;
  private queued = false;

  constructor(private readonly redraw: Redraw) {}

  async show(): Promise<void> {
    this.notice = null;
    try {
      this.catalog = await call(commands.listPrices());
      this.datasets = (await call(commands.listDatasets())).filter((d) => d.test_rows > 0);
      if (this.runId > 0) {
        this.scenario = await call(commands.runScenario(this.runId, today()));
        await this.refresh();
      } else {
        await this.rebuild();
      }
    } catch (err) {
      this.error = describe(err);
      this.redraw();
    }
  }

  /** Prices both arms again from the catalog (after a model or token change). */
  private async rebuild(): Promise<void> {
    this.error = null;
    try {
      this.scenario = await call(commands.estimateScenario(this.request));
      await this.refresh();
    } catch (err) {
      this.scenario = null;
      this.view_ = null;
      this.error = describe(err);
    }
    this.redraw();
  }

  /** Recomputes the model and redraws the chart; coalesces moves that arrive meanwhile. */
  private async refresh(): Promise<void> {
    if (!this.scenario) return;
    if (this.inFlight) {
      this.queued = true;
      return;
    }
    this.inFlight = true;
    const started = performance.now();
    try {
      this.view_ = await call(commands.crossoverView(this.scenario, this.source(), this.logX, this.theme));
      this.error = null;
    } catch (err) {
      this.error = describe(err);
    }
    this.inFlight = false;
    this.redraw();
    this.redrawMs = performance.now() - started;
    if (this.queued) {
      this.queued = false;
      await this.refresh();
    }
  }

  private source(): string {
    const s = this.scenario;
    if (!s) return "";
    if (this.runId > 0) {
      const b = s.arm_a.tokens.basis;
      const n = b.kind === "measured" ? ` · n = ${b.n} measured cases` : "";
      return `Run ${this.runId}${n} · tokens per query measured · projected ${s.today}`;
    }
    const used = this.catalog.filter((e) =>
      [s.arm_a.model, s.arm_b.model].some((m) => m.startsWith(e.model_pattern.replace(/[*?]+$/, ""))),
    );
    const asOf = used.map((e) => e.as_of).sort().pop() ?? "";
    return `Estimate before any run: tokens per query as entered · prices as of ${asOf} · ${s.today}`;
  }

  /** Counts a dataset's tokens with the prompting model's tokenizer and uses them. */
  private async countFrom(datasetId: number): Promise<void> {
    try {
      const t = await call(commands.datasetTokens(datasetId, this.request.prompt_model));
      const input = Math.round(t.test_input_mean ?? 0);
      const output = Math.max(1, Math.round(t.test_expected_mean ?? 0));
      const prefix = this.request.prompt_tokens.cached_input ?? 0;
      this.counted = `Counted with ${t.encoding} over ${t.test_cases} test cases and ${t.train_examples} train examples: ${input} input and ${output} output tokens a case; the prompting arm adds its ${prefix}-token static prefix.`;
      this.setRequest({
        prompt_tokens: { input: input + prefix, cached_input: prefix, output },
        fine_tuned_tokens: { input, cached_input: 0, output },
        training_tokens: Math.round(t.train_tokens ?? 0),
      });
    } catch (err) {
      this.error = describe(err);
      this.redraw();
    }
  }

  private setRequest(patch: Partial<EstimateRequest>): void {
    this.request = { ...this.request, ...patch };
    void this.rebuild();
  }

  private tweak(mutate: (s: Scenario) => void): void {
    if (!this.scenario) return;
    mutate(this.scenario);
    void this.refresh();
  }

  private async export(format: "png" | "svg", width: number, height: number): Promise<void> {
    if (!this.scenario) return;
    try {
      const path = await chooseSavePath(`crossover-${width}x${height}.${format}`, [
        { name: format.toUpperCase(), extensions: [format] },
      ]);
      if (!path) return;
      const written = await call(
        commands.exportCrossover(this.scenario, this.source(), this.logX, this.theme, width, height, path),
      );
      this.notice = `Saved ${written}`;
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  }

  private async saveWithRun(): Promise<void> {
    if (!this.scenario || this.runId <= 0) return;
    try {
      await call(commands.saveRunScenario(this.runId, this.scenario, new Date().toISOString()));
      this.notice = `Saved with run ${this.runId}: its report and charts now use these assumptions.`;
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  }

  private async copySvg(): Promise<void> {
    if (!this.view_) return;
    try {
      await navigator.clipboard.writeText(this.view_.svg);
      this.notice = "Chart copied to the clipboard as SVG.";
    } catch (err) {
      this.error = `Could not copy to the clipboard: ${describe(err)}`;
    }
    this.redraw();
  }

  view(): TemplateResult {
    const r = this.request;
    const s = this.scenario;
    const models = modelChoices(this.catalog);
    const num = (value: number | null, onChange: (v: number) => void, id: string, step = "any") =>
      html`<input type="number" id=${id} min="0" step=${step} .value=${String(value ?? 0)}
        @change=${(e: Event) => {
          const v = Number((e.target as HTMLInputElement).value);
          if (Number.isFinite(v) && v >= 0) onChange(v);
        }} />`;
    return html`<header class="screen-head">
        <div><h1>Cost at scale${this.runId > 0 ? html` · run ${this.runId}` : nothing}</h1>
          <div class="muted small" id="crossover-basis">${this.runId > 0
            ? html`Tokens per query as measured in run ${this.runId}; prices from the arms or the catalog. <a href="#/crossover">Estimate without a run</a>`
            : "Monthly cost of each approach against daily volume, from catalog prices and the tokens you expect per query."}</div></div>
        <div class="actions">
          ${this.runId > 0 ? html`<button class="primary" id="save-scenario" ?disabled=${!s} @click=${() => void this.saveWithRun()}>Save with run</button>` : nothing}
          <button id="export-png" ?disabled=${!s} @click=${() => void this.export("png", 1920, 1080)}>PNG 1920×1080</button>
          <button ?disabled=${!s} @click=${() => void this.export("png", 3840, 2160)}>PNG 4K</button>
          <button id="export-svg" ?disabled=${!s} @click=${() => void this.export("svg", 1920, 1080)}>SVG</button>
          <button id="copy-svg" ?disabled=${!this.view_} @click=${() => void this.copySvg()}>Copy</button>
        </div>
      </header>
      ${errorBox(this.error, "crossover-error")}
      ${this.notice ? html`<div class="notice" id="crossover-notice">${this.notice}</div>` : nothing}
      <div class="crossover">
        <aside class="panel controls" id="crossover-controls">
          <h3>Volume</h3>
          <label>Queries per day <strong id="volume-value">${volume(s?.queries_per_day ?? r.queries_per_day)}</strong>
            <input type="range" id="volume-slider" min="0" max="1000" .value=${String(volumeToSlider(s?.queries_per_day ?? r.queries_per_day ?? 0))}
              @input=${(e: Event) => {
                const v = sliderToVolume(Number((e.target as HTMLInputElement).value));
                this.request.queries_per_day = v;
                this.tweak((sc) => (sc.queries_per_day = v));
              }} /></label>
          ${this.runId > 0 || this.datasets.length === 0
            ? nothing
            : html`<label>Count tokens from a dataset <select id="count-dataset" @change=${(e: Event) => {
                const id = Number((e.target as HTMLSelectElement).value);
                if (id > 0) void this.countFrom(id);
              }}>
                <option value="">(type them below)</option>
                ${this.datasets.map((d) => html`<option value=${d.id}>${d.name}</option>`)}
              </select></label>
              ${this.counted ? html`<p class="muted small" id="counted">${this.counted}</p>` : nothing}`}
          <h3>Prompting arm</h3>
          ${this.runId > 0 && s ? html`<p class="small" id="measured-a">${s.arm_a.model}: ${tokensText(s.arm_a.tokens)}</p>` : nothing}
          ${this.runId > 0 ? nothing : html`<label>Model <select id="prompt-model" @change=${(e: Event) => this.setRequest({ prompt_model: (e.target as HTMLSelectElement).value })}>
            ${models.base.map((m) => html`<option value=${m} ?selected=${m === r.prompt_model}>${m}</option>`)}
          </select></label>
          <div class="form-row">
            <label>Input tokens ${num(r.prompt_tokens.input, (v) => this.setRequest({ prompt_tokens: { ...r.prompt_tokens, input: v } }), "prompt-input")}</label>
            <label>Output ${num(r.prompt_tokens.output, (v) => this.setRequest({ prompt_tokens: { ...r.prompt_tokens, output: v } }), "prompt-output")}</label>
          </div>`}
          <label>Cached share of input <strong>${pct(s ? cachedShare(s.arm_a) : 0)}</strong>
            <input type="range" id="cached-slider" min="0" max="100" .value=${String(Math.round(100 * (s ? cachedShare(s.arm_a) : 0)))}
              @input=${(e: Event) => this.tweak((sc) => (sc.arm_a.cached_share = Number((e.target as HTMLInputElement).value) / 100))} /></label>
          <h3>Fine-tuned arm</h3>
          ${this.runId > 0 && s ? html`<p class="small" id="measured-b">${s.arm_b.model}: ${tokensText(s.arm_b.tokens)}</p>` : nothing}
          ${this.runId > 0 ? nothing : html`<label>Model <select id="tuned-model" @change=${(e: Event) => this.setRequest({ fine_tuned_model: (e.target as HTMLSelectElement).value })}>
            ${models.tuned.map((m) => html`<option value=${m} ?selected=${m === r.fine_tuned_model}>${m}</option>`)}
          </select></label>
          <div class="form-row">
            <label>Input tokens ${num(r.fine_tuned_tokens.input, (v) => this.setRequest({ fine_tuned_tokens: { ...r.fine_tuned_tokens, input: v } }), "tuned-input")}</label>
            <label>Output ${num(r.fine_tuned_tokens.output, (v) => this.setRequest({ fine_tuned_tokens: { ...r.fine_tuned_tokens, output: v } }), "tuned-output")}</label>
          </div>
          <div class="form-row">
            <label>Training tokens ${num(r.training_tokens, (v) => this.setRequest({ training_tokens: v }), "training-tokens")}</label>
            <label>Epochs ${num(r.epochs, (v) => this.setRequest({ epochs: v }), "epochs", "1")}</label>
          </div>`}
          <label>Retrain every <strong id="cadence-value">${s?.arm_b.training?.retrain_every_months ?? r.retrain_every_months} months</strong>
            <input type="range" id="cadence-slider" min="1" max="24" .value=${String(s?.arm_b.training?.retrain_every_months ?? r.retrain_every_months)}
              @input=${(e: Event) => {
                const m = Number((e.target as HTMLInputElement).value);
                this.request.retrain_every_months = m;
                this.tweak((sc) => {
                  if (sc.arm_b.training) sc.arm_b.training.retrain_every_months = m;
                });
              }} /></label>
          <label>Hosting <strong id="hosting-value">${usd(hostingPerHour(s))}/h</strong>
            <input type="range" id="hosting-slider" min="0" max="1000" .value=${String(Math.round(100 * (hostingPerHour(s) ?? 0)))}
              @input=${(e: Event) => {
                const h = Number((e.target as HTMLInputElement).value) / 100;
                this.tweak((sc) => (sc.arm_b.hosting = h > 0 ? { kind: "hourly", per_hour: h } : { kind: "none" }));
              }} /></label>
          <h3>Prices ($ per 1M tokens)</h3>
          ${s ? html`<div class="form-row">
              <label>${s.arm_a.name} in ${num(s.arm_a.price.input, (v) => this.tweak((sc) => (sc.arm_a.price.input = v)), "price-a-input")}</label>
              <label>out ${num(s.arm_a.price.output, (v) => this.tweak((sc) => (sc.arm_a.price.output = v)), "price-a-output")}</label>
            </div>
            <div class="form-row">
              <label>${s.arm_b.name} in ${num(s.arm_b.price.input, (v) => this.tweak((sc) => (sc.arm_b.price.input = v)), "price-b-input")}</label>
              <label>out ${num(s.arm_b.price.output, (v) => this.tweak((sc) => (sc.arm_b.price.output = v)), "price-b-output")}</label>
            </div>` : nothing}
          <h3>Both arms</h3>
          <label>Batch share of traffic <strong>${pct(s?.arm_a.batch_share ?? 0)}</strong>
            <input type="range" id="batch-slider" min="0" max="100" .value=${String(Math.round(100 * (s?.arm_a.batch_share ?? 0)))}
              @input=${(e: Event) => {
                const b = Number((e.target as HTMLInputElement).value) / 100;
                this.tweak((sc) => {
                  sc.arm_a.batch_share = b;
                  sc.arm_b.batch_share = b;
                });
              }} /></label>
          <label>Cost per wrong answer ($) ${num(s?.error_cost ?? 0, (v) => this.tweak((sc) => (sc.error_cost = v)), "error-cost")}</label>
          <div class="form-row">
            <label class="check"><input type="checkbox" id="log-x" .checked=${this.logX}
              @change=${(e: Event) => {
                this.logX = (e.target as HTMLInputElement).checked;
                void this.refresh();
              }} /> Log scale</label>
            <label class="check"><input type="checkbox" id="dark" .checked=${this.theme === "dark"}
              @change=${(e: Event) => {
                this.theme = (e.target as HTMLInputElement).checked ? "dark" : "light";
                void this.refresh();
              }} /> Dark</label>
          </div>
        </aside>
        <section class="chart-area">
          <div class="chart" id="crossover-chart">${this.view_ ? unsafeSVG(this.view_.svg) : this.error ? html`<p class="muted" id="crossover-unavailable">No chart: ${this.error}</p>` : html`<p class="muted">Loading…</p>`}</div>
          ${this.view_ ? figuresView(this.view_) : nothing}
          <p class="muted small" id="redraw-ms">${this.redrawMs !== null ? `Redrawn in ${this.redrawMs.toFixed(0)} ms` : ""}</p>
        </section>
      </div>`;
  }
}

function tokensText(t: Scenario["arm_a"]["tokens"]): string {
  const r = (v: number | null) => Math.round(v ?? 0).toLocaleString("en-US");
  const basis = t.basis.kind === "measured" ? `mean of ${t.basis.n} answered cases` : "estimated";
  return `${r(t.input.mean)} in (${r(t.cached_input.mean)} cached) / ${r(t.output.mean)} out per query, ${basis}`;
}

function cachedShare(arm: Scenario["arm_a"]): number {
  if (arm.cached_share !== null && arm.cached_share !== undefined) return arm.cached_share;
  const input = arm.tokens.input.mean ?? 0;
  return input > 0 ? (arm.tokens.cached_input.mean ?? 0) / input : 0;
}

function hostingPerHour(s: Scenario | null): number | null {
  if (!s) return null;
  return s.arm_b.hosting.kind === "hourly" ? s.arm_b.hosting.per_hour ?? 0 : 0;
}

function pct(v: number): string {
  return `${Math.round(100 * v)} %`;
}

/** The figures under the chart: break-even, monthly cost per arm, payback, sensitivity. */
export function figuresView(v: ScenarioView): TemplateResult {
  const r = v.report;
  // Written by the cost model: where each arm is cheaper, every crossing, and which one is
  // at this volume with the two monthly totals of the table below.
  return html`<div class="figures">
    <p class="headline" id="crossover-headline">${r.headline}</p>
    <table class="grid compact" id="cost-table">
      <thead><tr><th></th><th class="num">Per query</th><th class="num">Hosting / month</th>
        <th class="num">Training / month</th><th class="num">Monthly at ${volume(r.queries_per_day)}/day</th>
        <th class="num">Per correct answer</th></tr></thead>
      <tbody>
        ${[r.arm_a, r.arm_b].map(
          (a) => html`<tr><td><strong>${a.name}</strong> <span class="muted small">${a.model}</span>
              ${a.retired_on ? html`<span class="tag bad">retired ${a.retired_on}</span>` : nothing}</td>
            <td class="num">${usd(a.per_query.mean)}</td>
            <td class="num">${usd(a.hosting_monthly)}</td>
            <td class="num">${usd(a.training_monthly)}</td>
            <td class="num">${usd(a.monthly_at_volume.mean)}</td>
            <td class="num">${a.cost_per_correct_answer != null ? usd(a.cost_per_correct_answer) : html`<span class="muted" title="needs a measured accuracy">–</span>`}</td></tr>`,
        )}
      </tbody>
    </table>
    ${r.payback.note || r.payback.month
      ? html`<p class="small" id="payback">${r.payback.month ? `First training run paid back in month ${r.payback.month}. ` : ""}${r.payback.note ?? ""}</p>`
      : nothing}
    ${r.warnings.length > 0 ? html`<ul class="warnings">${r.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : nothing}
    <details><summary>Sensitivity: each assumption ±25 %</summary>
      <table class="grid compact" id="sensitivity-table">
        <thead><tr><th>Assumption</th><th class="num">−25 %</th><th class="num">+25 %</th></tr></thead>
        <tbody>${r.sensitivity.map(
          (row) => html`<tr><td>${row.assumption}</td><td class="num">${volume(row.break_even_low)}</td><td class="num">${volume(row.break_even_high)}</td></tr>`,
        )}</tbody>
      </table>
    </details>
  </div>`;
}
