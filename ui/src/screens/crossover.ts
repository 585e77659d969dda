// The crossover screen: monthly cost of prompting vs fine-tuning against daily volume, from
// catalog prices and the tokens a person expects per query (before any run). Sliders move
// the chart as you drag; the chart exports as slide-ready PNG or SVG, and a run's every
// chart exports at once as a slide pack. A run of three or more arms draws one line per
// arm and names the volumes where each arm is cheapest.
import { html, nothing, type TemplateResult } from "lit-html";
import { unsafeSVG } from "lit-html/directives/unsafe-svg.js";
import { call, describe, missingPrice } from "../api";
import { chooseSavePath } from "../files";
import {
  commands,
  type ArmsScenario_Serialize as ArmsScenario,
  type ArmsScenarioView_Serialize as ArmsScenarioView,
  type DatasetSummary,
  type EstimateRequest,
  type MissingPrice,
  type PriceEntry_Serialize as PriceEntry,
  type Scenario_Serialize as Scenario,
  type ScenarioView_Serialize as ScenarioView,
  type SlidePack,
  type Theme,
} from "../bindings";
import { modelChoices, today } from "../format";
import { sliderToVolume, usd, volume, volumeToSlider } from "../money";
import type { Redraw, Screen } from "../screen";
import { errorBox, numberField } from "../widgets";
import { act, type ActState } from "../act";
import { armSwatch, LETTERS } from "../arm-colours";
import { priceHref } from "./prices";

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

/** Everything the cost-at-scale view draws from. */
export interface CrossoverState extends ActState {
  /** A run whose measured tokens the scenario comes from; 0 for an estimate before any run. */
  runId: number;
  request: EstimateRequest;
  catalog: PriceEntry[];
  /** Datasets with a test split, whose tokens can be counted. */
  datasets: DatasetSummary[];
  scenario: Scenario | null;
  view: ScenarioView | null;
  /** How the last token count from a dataset was made. */
  counted: string | null;
  /** Log–log axes; linear over the break-even and the volume otherwise. */
  logX: boolean;
  theme: Theme;
  redrawMs: number | null;
  /** The scenario failed for want of a price: the chart area links to the price form. */
  noPrice: MissingPrice | null;
  /** A run of three or more arms: every arm's assumptions (`scenario` is its arms A and B,
   * the same object) and their chart; null for two arms. */
  arms?: ArmsScenario | null;
  armsView?: ArmsScenarioView | null;
}

export interface CrossoverActions {
  /** A change of model or tokens: prices both arms again from the catalog. */
  setRequest(patch: Partial<EstimateRequest>): void;
  /** A change the scenario takes as it is (a slider, a price): only redraws. */
  tweak(mutate: (s: Scenario) => void): void;
  countFrom(datasetId: number): void;
  setChart(patch: { logX?: boolean; theme?: Theme }): void;
  export(format: "png" | "svg", width: number, height: number): void;
  /** Every chart of the run at slide size, with captions.md, into a folder named in the save dialog. */
  slidePack(): void;
  /** Puts the chart on the clipboard as a 1920×1080 picture (pastes into slides). */
  copy(): void;
  saveWithRun(): void;
}

export function initialState(): CrossoverState {
  return {
    runId: 0, request: defaultRequest(), catalog: [], datasets: [], scenario: null, view: null, counted: null,
    logX: false, theme: "light", redrawMs: null, noPrice: null, busy: null, error: null, notice: null,
  };
}

/** The line under the chart saying where its figures come from. */
export function sourceLine(s: CrossoverState): string {
  const sc = s.scenario;
  if (!sc) return "";
  if (s.runId > 0) {
    const b = sc.arm_a.tokens.basis;
    const n = b.kind === "measured" ? ` · n = ${b.n} measured cases` : "";
    return `Run ${s.runId}${n} · tokens per query measured · projected ${sc.today}`;
  }
  const used = s.catalog.filter((e) =>
    [sc.arm_a.model, sc.arm_b.model].some((m) => m.startsWith(e.model_pattern.replace(/[*?]+$/, ""))),
  );
  const asOf = used.map((e) => e.as_of).sort().pop() ?? "";
  return `Estimate before any run: tokens per query as entered · prices as of ${asOf} · ${sc.today}`;
}

/** Every arm of run `runId` when it has three or more, else null (the two-arm path reads
 * the run's scenario as before, and states its own error). */
async function severalArms(runId: number): Promise<ArmsScenario | null> {
  try {
    const arms = await call(commands.runArmsScenario(runId, today()));
    return arms.more.length > 0 ? arms : null;
  } catch {
    return null;
  }
}

export class CrossoverScreen implements Screen {
  readonly id = "crossover";
  readonly title = "Crossover";
  private s: CrossoverState = initialState();
  private inFlight = false;
  private queued = false;

  constructor(private readonly redraw: Redraw) {}

  /** A run whose measured tokens the scenario comes from; 0 for an estimate before any run. */
  get runId(): number {
    return this.s.runId;
  }
  set runId(id: number) {
    this.s.runId = id;
  }

  async show(): Promise<void> {
    const s = this.s;
    s.notice = null;
    s.noPrice = null;
    try {
      s.catalog = await call(commands.listPrices());
      s.datasets = (await call(commands.listDatasets())).filter((d) => d.test_rows > 0);
      if (s.runId > 0) {
        s.arms = await severalArms(s.runId);
        s.armsView = null;
        s.scenario = s.arms ? s.arms.scenario : await call(commands.runScenario(s.runId, today()));
        await this.refresh();
      } else {
        await this.rebuild();
      }
    } catch (err) {
      s.error = describe(err);
      s.noPrice = missingPrice(err);
      this.redraw();
    }
  }

  /** Prices both arms again from the catalog (after a model or token change). */
  private async rebuild(): Promise<void> {
    const s = this.s;
    s.error = null;
    try {
      s.scenario = await call(commands.estimateScenario(s.request));
      await this.refresh();
    } catch (err) {
      s.scenario = null;
      s.view = null;
      s.error = describe(err);
      s.noPrice = missingPrice(err);
    }
    this.redraw();
  }

  /** Recomputes the model and redraws the chart; coalesces moves that arrive meanwhile. */
  private async refresh(): Promise<void> {
    const s = this.s;
    if (!s.scenario) return;
    if (this.inFlight) {
      this.queued = true;
      return;
    }
    this.inFlight = true;
    const started = performance.now();
    try {
      if (s.arms) s.armsView = await call(commands.crossoverArmsView(s.arms, sourceLine(s), s.logX, s.theme));
      else s.view = await call(commands.crossoverView(s.scenario, sourceLine(s), s.logX, s.theme));
      s.error = null;
    } catch (err) {
      s.error = describe(err);
    }
    this.inFlight = false;
    this.redraw();
    s.redrawMs = performance.now() - started;
    if (this.queued) {
      this.queued = false;
      await this.refresh();
    }
  }

  private readonly actions: CrossoverActions = {
    setRequest: (patch) => {
      this.s.request = { ...this.s.request, ...patch };
      void this.rebuild();
    },
    tweak: (mutate) => {
      if (!this.s.scenario) return;
      mutate(this.s.scenario);
      void this.refresh();
    },
    setChart: (patch) => {
      if (patch.logX !== undefined) this.s.logX = patch.logX;
      if (patch.theme !== undefined) this.s.theme = patch.theme;
      void this.refresh();
    },
    /** Counts a dataset's tokens with the prompting model's tokenizer and uses them. */
    countFrom: (datasetId) =>
      void act(this.s, this.redraw, "Counting tokens…", async () => {
        const r = this.s.request;
        const t = await call(commands.datasetTokens(datasetId, r.prompt_model));
        const input = Math.round(t.test_input_mean ?? 0);
        const output = Math.max(1, Math.round(t.test_expected_mean ?? 0));
        const prefix = r.prompt_tokens.cached_input ?? 0;
        this.s.counted = `Counted with ${t.encoding} over ${t.test_cases} test cases and ${t.train_examples} train examples: ${input} input and ${output} output tokens a case; the prompting arm adds its ${prefix}-token static prefix.`;
        this.actions.setRequest({
          prompt_tokens: { input: input + prefix, cached_input: prefix, output },
          fine_tuned_tokens: { input, cached_input: 0, output },
          training_tokens: Math.round(t.train_tokens ?? 0),
        });
      }),
    export: (format, width, height) =>
      void act(this.s, this.redraw, "Exporting…", async () => {
        const s = this.s;
        if (!s.scenario) return null;
        const path = await chooseSavePath(`crossover-${width}x${height}.${format}`, [
          { name: format.toUpperCase(), extensions: [format] },
        ]);
        if (!path) return null;
        const written = await call(
          commands.exportCrossover(s.scenario, sourceLine(s), s.logX, s.theme, width, height, path),
        );
        return `Saved ${written}`;
      }),
    slidePack: () =>
      void act(this.s, this.redraw, "Writing the slide pack…", async () => {
        const s = this.s;
        if (s.runId <= 0) return null;
        const path = await chooseSavePath(`run-${s.runId}-slides`, []);
        if (!path) return null;
        const pack = await call(commands.exportSlidePack(s.runId, today(), s.theme, path));
        return slidePackNotice(pack);
      }),
    saveWithRun: () =>
      void act(this.s, this.redraw, "Saving…", async () => {
        const s = this.s;
        if (!s.scenario || s.runId <= 0) return null;
        if (s.arms) await call(commands.saveRunArmsScenario(s.runId, s.arms, new Date().toISOString()));
        else await call(commands.saveRunScenario(s.runId, s.scenario, new Date().toISOString()));
        return `Saved with run ${s.runId}: its report and charts now use these assumptions.`;
      }),
    copy: () =>
      void act(this.s, this.redraw, "Copying…", async () => {
        const s = this.s;
        if (!s.scenario) return null;
        await call(commands.copyCrossover(s.scenario, sourceLine(s), s.logX, s.theme));
        return "Chart copied to the clipboard as a 1920×1080 picture: paste it into a slide.";
      }),
  };

  view(): TemplateResult {
    return crossoverView(this.s, this.actions);
  }
}

export function crossoverView(st: CrossoverState, a: CrossoverActions): TemplateResult {
  const r = st.request;
  const s = st.scenario;
  const run = st.runId;
  const models = modelChoices(st.catalog);
  const idle = st.busy === null;
  const num = (value: number | null, onChange: (v: number) => void, id: string, label: string, whole = false) =>
    numberField(id, value ?? 0, { label, min: 0, whole }, (v) => onChange(v ?? 0));
  return html`<header class="screen-head">
      <div><h1>Cost at scale${run > 0 ? html` · run ${run}` : nothing}</h1>
        <div class="muted small" id="crossover-basis">${run > 0
          ? html`Tokens per query as measured in run ${run}; prices from the arms or the catalog. <a href="#/crossover">Estimate without a run</a>
            · <a href="#/decision/${run}" id="crossover-decision">Decision →</a>`
          : "Monthly cost of each approach against daily volume, from catalog prices and the tokens you expect per query."}</div></div>
      <div class="actions">
        ${run > 0 ? html`<button class="primary" id="save-scenario" ?disabled=${!s || !idle} @click=${a.saveWithRun}>Save with run</button>` : nothing}
        <button id="export-png" ?disabled=${!s || !idle} @click=${() => a.export("png", 1920, 1080)}>PNG 1920×1080</button>
        <button ?disabled=${!s || !idle} @click=${() => a.export("png", 3840, 2160)}>PNG 4K</button>
        <button id="export-svg" ?disabled=${!s || !idle} @click=${() => a.export("svg", 1920, 1080)}>SVG</button>
        <button id="copy-chart" ?disabled=${!st.view || !idle} title="Copy the chart as a picture for Keynote, PowerPoint or Google Slides" @click=${a.copy}>Copy</button>
        ${run > 0 ? html`<button id="slide-pack" ?disabled=${!idle} title="Every chart of run ${run} at 1920×1080 in this theme, with captions.md (uses the scenario saved with the run)"
          @click=${a.slidePack}>Slide pack</button>` : nothing}
      </div>
    </header>
    ${errorBox(st.error, "crossover-error")}
    ${st.busy ? html`<div class="notice busy" id="crossover-busy">${st.busy}</div>` : nothing}
    ${st.notice ? html`<div class="notice" id="crossover-notice">${st.notice}</div>` : nothing}
    <div class="crossover">
      <aside class="panel controls" id="crossover-controls">
        <h3>Volume</h3>
        <label>Queries per day <strong id="volume-value">${volume(s?.queries_per_day ?? r.queries_per_day)}</strong>
          <input type="range" id="volume-slider" min="0" max="1000" .value=${String(volumeToSlider(s?.queries_per_day ?? r.queries_per_day ?? 0))}
            @input=${(e: Event) => {
              const v = sliderToVolume(Number((e.target as HTMLInputElement).value));
              r.queries_per_day = v;
              a.tweak((sc) => (sc.queries_per_day = v));
            }} /></label>
        ${run > 0 || st.datasets.length === 0
          ? nothing
          : html`<label>Count tokens from a dataset <select id="count-dataset" ?disabled=${!idle} @change=${(e: Event) => {
              const id = Number((e.target as HTMLSelectElement).value);
              if (id > 0) a.countFrom(id);
            }}>
              <option value="">(type them below)</option>
              ${st.datasets.map((d) => html`<option value=${d.id}>${d.name}</option>`)}
            </select></label>
            ${st.counted ? html`<p class="muted small" id="counted">${st.counted}</p>` : nothing}`}
        <h3>Prompting arm</h3>
        ${run > 0 && s ? html`<p class="small" id="measured-a">${s.arm_a.model}: ${tokensText(s.arm_a.tokens)}</p>` : nothing}
        ${run > 0 ? nothing : html`<label>Model <select id="prompt-model" @change=${(e: Event) => a.setRequest({ prompt_model: (e.target as HTMLSelectElement).value })}>
          ${models.base.map((m) => html`<option value=${m} ?selected=${m === r.prompt_model}>${m}</option>`)}
        </select></label>
        <div class="form-row">
          <label>Input tokens ${num(r.prompt_tokens.input, (v) => a.setRequest({ prompt_tokens: { ...r.prompt_tokens, input: v } }), "prompt-input", "Input tokens")}</label>
          <label>Output ${num(r.prompt_tokens.output, (v) => a.setRequest({ prompt_tokens: { ...r.prompt_tokens, output: v } }), "prompt-output", "Output tokens")}</label>
        </div>`}
        <label>Cached share of input <strong>${pct(s ? cachedShare(s.arm_a) : 0)}</strong>
          <input type="range" id="cached-slider" min="0" max="100" .value=${String(Math.round(100 * (s ? cachedShare(s.arm_a) : 0)))}
            @input=${(e: Event) => a.tweak((sc) => (sc.arm_a.cached_share = Number((e.target as HTMLInputElement).value) / 100))} /></label>
        <h3>Fine-tuned arm</h3>
        ${run > 0 && s ? html`<p class="small" id="measured-b">${s.arm_b.model}: ${tokensText(s.arm_b.tokens)}</p>` : nothing}
        ${run > 0 ? nothing : html`<label>Model <select id="tuned-model" @change=${(e: Event) => a.setRequest({ fine_tuned_model: (e.target as HTMLSelectElement).value })}>
          ${models.tuned.map((m) => html`<option value=${m} ?selected=${m === r.fine_tuned_model}>${m}</option>`)}
        </select></label>
        <div class="form-row">
          <label>Input tokens ${num(r.fine_tuned_tokens.input, (v) => a.setRequest({ fine_tuned_tokens: { ...r.fine_tuned_tokens, input: v } }), "tuned-input", "Input tokens")}</label>
          <label>Output ${num(r.fine_tuned_tokens.output, (v) => a.setRequest({ fine_tuned_tokens: { ...r.fine_tuned_tokens, output: v } }), "tuned-output", "Output tokens")}</label>
        </div>
        <div class="form-row">
          <label>Training tokens ${num(r.training_tokens, (v) => a.setRequest({ training_tokens: v }), "training-tokens", "Training tokens")}</label>
          <label>Epochs ${num(r.epochs, (v) => a.setRequest({ epochs: v }), "epochs", "Epochs", true)}</label>
        </div>`}
        <label>Retrain every <strong id="cadence-value">${s?.arm_b.training?.retrain_every_months ?? r.retrain_every_months} months</strong>
          <input type="range" id="cadence-slider" min="1" max="24" .value=${String(s?.arm_b.training?.retrain_every_months ?? r.retrain_every_months)}
            @input=${(e: Event) => {
              const m = Number((e.target as HTMLInputElement).value);
              r.retrain_every_months = m;
              a.tweak((sc) => {
                if (sc.arm_b.training) sc.arm_b.training.retrain_every_months = m;
              });
            }} /></label>
        <label>Hosting <strong id="hosting-value">${usd(hostingPerHour(s))}/h</strong>
          <input type="range" id="hosting-slider" min="0" max="1000" .value=${String(Math.round(100 * (hostingPerHour(s) ?? 0)))}
            @input=${(e: Event) => {
              const h = Number((e.target as HTMLInputElement).value) / 100;
              a.tweak((sc) => (sc.arm_b.hosting = h > 0 ? { kind: "hourly", per_hour: h } : { kind: "none" }));
            }} /></label>
        ${st.arms && st.arms.more.length > 0
          ? html`<h3>Further arms</h3>${st.arms.more.map((arm, i) => html`<p class="small" id="measured-${LETTERS[i + 2].toLowerCase()}">${armSwatch(i + 2)}${arm.name} (${arm.model}): ${tokensText(arm.tokens)}</p>
              <div class="form-row">
                <label>in ${num(arm.price.input, (v) => a.tweak(() => (arm.price.input = v)), `price-${LETTERS[i + 2].toLowerCase()}-input`, "Input price")}</label>
                <label>out ${num(arm.price.output, (v) => a.tweak(() => (arm.price.output = v)), `price-${LETTERS[i + 2].toLowerCase()}-output`, "Output price")}</label>
              </div>`)}`
          : nothing}
        <h3>Prices ($ per 1M tokens)</h3>
        ${s ? html`<div class="form-row">
            <label>${s.arm_a.name} in ${num(s.arm_a.price.input, (v) => a.tweak((sc) => (sc.arm_a.price.input = v)), "price-a-input", "Input price")}</label>
            <label>out ${num(s.arm_a.price.output, (v) => a.tweak((sc) => (sc.arm_a.price.output = v)), "price-a-output", "Output price")}</label>
          </div>
          <div class="form-row">
            <label>${s.arm_b.name} in ${num(s.arm_b.price.input, (v) => a.tweak((sc) => (sc.arm_b.price.input = v)), "price-b-input", "Input price")}</label>
            <label>out ${num(s.arm_b.price.output, (v) => a.tweak((sc) => (sc.arm_b.price.output = v)), "price-b-output", "Output price")}</label>
          </div>` : nothing}
        <h3>Both arms</h3>
        <label>Batch share of traffic <strong>${pct(s?.arm_a.batch_share ?? 0)}</strong>
          <input type="range" id="batch-slider" min="0" max="100" .value=${String(Math.round(100 * (s?.arm_a.batch_share ?? 0)))}
            @input=${(e: Event) => {
              const b = Number((e.target as HTMLInputElement).value) / 100;
              a.tweak((sc) => {
                sc.arm_a.batch_share = b;
                sc.arm_b.batch_share = b;
                for (const arm of st.arms?.more ?? []) arm.batch_share = b;
              });
            }} /></label>
        <label>Cost per wrong answer ($) ${num(s?.error_cost ?? 0, (v) => a.tweak((sc) => (sc.error_cost = v)), "error-cost", "Cost per wrong answer")}</label>
        <div class="checks">
          <label class="check"><input type="checkbox" id="log-x" .checked=${st.logX}
            @change=${(e: Event) => a.setChart({ logX: (e.target as HTMLInputElement).checked })} /> Log–log axes</label>
          <label class="check"><input type="checkbox" id="dark" .checked=${st.theme === "dark"}
            @change=${(e: Event) => a.setChart({ theme: (e.target as HTMLInputElement).checked ? "dark" : "light" })} /> Dark</label>
        </div>
      </aside>
      <section class="chart-area">
        ${st.arms ? armsChartView(st) : html`<div class="chart" id="crossover-chart">${st.view ? unsafeSVG(st.view.svg) : st.error ? html`<p class="muted" id="crossover-unavailable">No chart: ${st.error}${st.noPrice
          ? html` <a href=${priceHref(st.noPrice)} id="crossover-add-price">Add a price of ${st.noPrice.model} →</a>` : nothing}</p>` : html`<p class="muted">Loading…</p>`}</div>
        ${st.view ? figuresView(st.view) : nothing}`}
        <p class="muted small" id="redraw-ms">${st.redrawMs !== null ? `Redrawn in ${st.redrawMs.toFixed(0)} ms` : ""}</p>
      </section>
    </div>`;
}

/** What the slide pack wrote: how many charts, where, and what the run could not draw. */
export function slidePackNotice(pack: SlidePack): string {
  const charts = pack.files.filter((f) => f.endsWith(".png")).length;
  const left = pack.left_out.length > 0 ? ` Not drawn: ${pack.left_out.join("; ")}.` : "";
  return `Saved ${charts} charts and captions.md to ${pack.dir}.${left}`;
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
    ${[r.arm_a, r.arm_b].some((a) => a.training_note)
      ? html`<p class="small" id="training-basis">${[r.arm_a, r.arm_b].flatMap((a) => (a.training_note ? [`${a.training_note}.`] : [])).join(" ")}</p>`
      : nothing}
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

/** The chart of every arm and its figures, for a run of three or more arms. */
function armsChartView(st: CrossoverState): TemplateResult {
  const v = st.armsView;
  return html`<div class="chart" id="crossover-chart">${v ? unsafeSVG(v.svg) : st.error ? html`<p class="muted" id="crossover-unavailable">No chart: ${st.error}</p>` : html`<p class="muted">Loading…</p>`}</div>
    ${v ? armsFiguresView(v) : nothing}`;
}

/** A range of daily volumes, (from, to], in words. */
function rangeWords(from: number, to: number | null): string {
  if (to === null) return from > 0 ? `from ${volume(from)}/day up` : "at every volume";
  return from > 0 ? `from ${volume(from)} to ${volume(to)}/day` : `up to ${volume(to)}/day`;
}

/** "A", "A and B", "A, B and C". */
function listed(xs: string[]): string {
  return xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}

/** The figures under the chart of three or more arms: the cost model's headline, each
 * arm's costs at the volume, and the volume ranges where each arm is the cheapest. */
export function armsFiguresView(v: ArmsScenarioView): TemplateResult {
  const r = v.report;
  const name = (i: number) => r.arms[i]?.name ?? LETTERS[i];
  return html`<div class="figures">
    <p class="headline" id="crossover-headline">${r.headline}</p>
    <table class="grid compact" id="cost-table">
      <thead><tr><th></th><th class="num">Per query</th><th class="num">Hosting / month</th>
        <th class="num">Training / month</th><th class="num">Monthly at ${volume(r.queries_per_day)}/day</th>
        <th class="num">Per correct answer</th></tr></thead>
      <tbody>${r.arms.map(
        (a, i) => html`<tr data-arm=${LETTERS[i]}><td>${armSwatch(i)}<strong>${a.name}</strong> <span class="muted small">${a.model}</span>
            ${a.retired_on ? html`<span class="tag bad">retired ${a.retired_on}</span>` : nothing}</td>
          <td class="num">${usd(a.per_query.mean)}</td>
          <td class="num">${usd(a.hosting_monthly)}</td>
          <td class="num">${usd(a.training_monthly)}</td>
          <td class="num">${usd(a.monthly_at_volume.mean)}</td>
          <td class="num">${a.cost_per_correct_answer != null ? usd(a.cost_per_correct_answer) : html`<span class="muted" title="needs a measured accuracy">–</span>`}</td></tr>`,
      )}</tbody>
    </table>
    <h3>Cheapest by volume</h3>
    <ul class="small" id="cheapest-ranges">${r.cheapest.map(
      (c) => html`<li>${c.arms.map((i) => armSwatch(i))}${listed(c.arms.map(name))} ${c.arms.length > 1 ? "cost the same" : "cheapest"}
        ${rangeWords(c.from ?? 0, c.to ?? null)}</li>`,
    )}</ul>
    ${r.never_cheapest.length > 0
      ? html`<p class="small" id="never-cheapest">Cheapest at no volume: ${listed(r.never_cheapest.map(name))}.</p>`
      : nothing}
    ${r.warnings.length > 0 ? html`<ul class="warnings">${r.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : nothing}
  </div>`;
}
