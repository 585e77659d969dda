// Fine-tune from the app: a train split, a provider and a base model; the preflight report
// and the cost estimate before Start; then the jobs with their status, elapsed time, measured
// training cost and the arm each finished job became.
import { Channel } from "@tauri-apps/api/core";
import { html, nothing, type TemplateResult } from "lit-html";
import { call, describe } from "../api";
import { usd } from "../money";
import {
  commands,
  type Arm_Serialize as Arm,
  type BatchSettings,
  type DatasetSummary,
  type FineTuneJob,
  type FineTuneJob_Serialize as Job,
  type PreparedComparison_Serialize as PreparedComparison,
  type PreflightReport_Serialize as Report,
  type Provider_Serialize as Provider,
  type Trainer,
} from "../bindings";
import type { Redraw, Screen } from "../screen";
import { errorBox } from "../widgets";
import { compareButton, comparisonView } from "./finetune-compare";
import { upsertJob } from "./finetune-live";
import { type LossChart, lossCount, lossRow, staleCharts } from "./finetune-loss";

export const OPENAI_CLOSES = "2027-01-06";

export const TRAINERS: [Trainer, string][] = [
  ["openai", "OpenAI"],
  ["azure_openai", "Azure OpenAI"],
  ["together", "Together"],
  ["fireworks", "Fireworks"],
];

export interface Form {
  dataset_id: number;
  arm_id: number;
  provider_id: number;
  trainer: Trainer;
  base_model: string;
  epochs: string;
  learning_rate_multiplier: string;
  lora_rank: string;
  ceiling: string;
  fireworks_account: string;
  azure_deployment: string;
}

export interface State {
  datasets: DatasetSummary[];
  arms: Arm[];
  providers: Provider[];
  form: Form;
  report: Report | null;
  jobs: Job[];
  /** The comparison "Run the comparison" prepared, until it starts or is closed. */
  comparison?: PreparedComparison | null;
  /** Each job's training-loss chart, drawn by the core, by job id. */
  charts?: Record<number, LossChart>;
  error: string | null;
  busy: boolean;
}

export interface Actions {
  changed: (field: keyof Form, value: string) => void;
  preflight: () => void;
  start: () => void;
  refresh: () => void;
  cancel: (id: number) => void;
  /** Prepares the comparison of finished job `id` (its experiment and run estimate). */
  compare: (id: number) => void;
  /** Starts the prepared comparison within `budget` and follows it in Runs (null: closes it). */
  startComparison: (budget: number | null, batch: BatchSettings | null) => void;
  closeComparison: () => void;
}

const num = (s: string): number | null => (s.trim() === "" ? null : Number(s));
const count = (x: number | null): string => (x === null ? "—" : Math.round(x).toLocaleString("en-US"));

/** The request the preflight and Start send for `f`. */
export function preflightRequest(f: Form) {
  return {
    dataset_id: f.dataset_id,
    arm_id: f.arm_id,
    trainer: f.trainer,
    base_model: f.base_model.trim(),
    hyperparameters: {
      epochs: num(f.epochs),
      learning_rate_multiplier: f.trainer === "openai" || f.trainer === "azure_openai" ? num(f.learning_rate_multiplier) : null,
      lora_rank: f.trainer === "together" || f.trainer === "fireworks" ? num(f.lora_rank) : null,
    },
    spend_ceiling: num(f.ceiling),
  };
}

/** The estimate in one sentence, every figure from the report. */
export function estimateText(r: Report): string {
  const e = r.estimate;
  const base = `${count(e.tokens_per_epoch)} tokens × ${e.epochs} epochs = ${count(e.trained_tokens)} trained tokens`;
  let s = e.training_cost !== null && e.price_per_1m !== null
    ? `${base} × ${usd(e.price_per_1m)} per 1M = ${usd(e.training_cost)}`
    : `${base}; no training cost: ${e.missing ?? "no price"}`;
  if (e.hosting_per_hour !== null) s += `; serving it costs ${usd(e.hosting_per_hour)} an hour`;
  return s + ".";
}

function reportView(r: Report): TemplateResult {
  return html`<section id="ft-report">
    <p>${r.examples} examples; the largest holds ${count(r.max_example_tokens)} tokens; the file is
      ${count(r.file_bytes)} bytes. Tokens are ${r.token_method === "chars_over4" ? "estimated as characters / 4" : `counted with tiktoken (${r.token_method})`}.</p>
    <p id="ft-estimate">${estimateText(r)}</p>
    <ul id="ft-findings">
      ${r.findings.map((f) => html`<li class=${f.severity}>${f.severity}: ${f.message}</li>`)}
    </ul>
    <p id="ft-verdict">${r.ok ? "Ready to start." : "Start is refused until the errors above are fixed."}</p>
  </section>`;
}

function jobRow(j: Job, a: Actions, chart: LossChart | undefined): TemplateResult {
  const live = j.status === "validating" || j.status === "queued" || j.status === "running";
  const cost = j.training_cost !== null
    ? `${usd(j.training_cost)} measured`
    : j.estimated_cost !== null ? `${usd(j.estimated_cost)} estimated` : "—";
  return html`<tr data-job=${j.id}>
    <td>${j.id}</td><td>${j.trainer}</td><td>${j.base_model}</td>
    <td class="status">${j.status}${j.poll_failures > 0 ? ` (${j.poll_failures} polls failed, retrying)` : ""}</td>
    <td>${j.wall_seconds !== null ? `${count(j.wall_seconds)} s` : "—"}</td>
    <td>${cost}</td>
    <td>${j.result_arm_id !== null ? html`<a href="#/arms">arm ${j.result_arm_id}</a>` : (j.error_message ?? "")}</td>
    <td>${live ? html`<button class="cancel" @click=${() => a.cancel(j.id)}>Cancel</button>` : compareButton(j, a.compare)}</td>
  </tr>${lossRow(j, chart)}`;
}

export function finetuneView(s: State, a: Actions): TemplateResult {
  const f = s.form;
  const input = (field: keyof Form, label: string) => html`<label>${label}
    <input name=${field} .value=${String(f[field])} @input=${(e: Event) => a.changed(field, (e.target as HTMLInputElement).value)} /></label>`;
  const select = (field: keyof Form, label: string, options: [string | number, string][]) => html`<label>${label}
    <select name=${field} @change=${(e: Event) => a.changed(field, (e.target as HTMLSelectElement).value)}>
      ${options.map(([v, t]) => html`<option value=${v} ?selected=${String(f[field]) === String(v)}>${t}</option>`)}
    </select></label>`;
  return html`<h1>Fine-tune</h1>
    ${errorBox(s.error)}
    ${f.trainer === "openai"
      ? html`<p id="ft-openai-note">OpenAI closes self-serve fine-tuning to new jobs on ${OPENAI_CLOSES}.</p>`
      : nothing}
    <form id="ft-form" @submit=${(e: Event) => { e.preventDefault(); a.preflight(); }}>
      ${select("dataset_id", "Dataset (its train split)", s.datasets.map((d) => [d.id, `${d.name} (${d.train_rows} train rows)`]))}
      ${select("arm_id", "Prompt and template of arm", s.arms.map((x) => [x.id, x.name]))}
      ${select("trainer", "Trainer", TRAINERS)}
      ${select("provider_id", "Provider (key and serving)", s.providers.map((p) => [p.id, p.name]))}
      ${input("base_model", "Base model")}
      ${input("epochs", "Epochs (empty: the provider's default)")}
      ${f.trainer === "openai" || f.trainer === "azure_openai"
        ? input("learning_rate_multiplier", "Learning-rate multiplier")
        : input("lora_rank", "LoRA rank")}
      ${f.trainer === "fireworks" ? input("fireworks_account", "Fireworks account") : nothing}
      ${f.trainer === "azure_openai" ? input("azure_deployment", "Azure deployment: its name, or its resource ID for Tunebench to create it") : nothing}
      ${input("ceiling", "Spend ceiling, USD")}
      <button id="ft-preflight" type="submit" ?disabled=${s.busy}>Preflight</button>
      <button id="ft-start" type="button" ?disabled=${s.busy || !s.report?.ok} @click=${a.start}>Start</button>
    </form>
    ${s.report ? reportView(s.report) : nothing}
    <h2>Jobs <button id="ft-refresh" @click=${a.refresh}>Refresh</button></h2>
    ${s.jobs.length === 0
      ? html`<p id="ft-no-jobs">No fine-tune jobs yet.</p>`
      : html`<table id="ft-jobs"><thead><tr><th>Job</th><th>Trainer</th><th>Base model</th><th>Status</th>
          <th>Wall time</th><th>Training cost</th><th>Result</th><th></th></tr></thead>
          <tbody>${s.jobs.map((j) => jobRow(j, a, s.charts?.[j.id]))}</tbody></table>`}
    ${s.comparison ? comparisonView(s.comparison, a.startComparison, a.closeComparison) : nothing}`;
}

export class FinetuneScreen implements Screen {
  readonly id = "finetune";
  readonly title = "Fine-tune";
  private s: State = {
    datasets: [], arms: [], providers: [], report: null, jobs: [], error: null, busy: false,
    form: {
      dataset_id: 0, arm_id: 0, provider_id: 0, trainer: "openai", base_model: "gpt-4.1-mini-2025-04-14",
      epochs: "", learning_rate_multiplier: "", lora_rank: "", ceiling: "", fireworks_account: "", azure_deployment: "",
    },
  };

  /** Whether the background poller already sends job changes here. */
  private watching = false;
  /** Jobs whose chart is being drawn. */
  private drawing = new Set<number>();

  /** `startRun` starts a prepared run where its progress shows (the Runs screen). */
  constructor(
    private readonly redraw: Redraw,
    private readonly startRun: (runId: number, budget: number | null, batch: BatchSettings | null) => void = () => undefined,
  ) {}

  /** Takes every job change the background poller sees, from the first show on. */
  private watch(): void {
    if (this.watching) return;
    this.watching = true;
    const channel = new Channel<FineTuneJob>();
    channel.onmessage = (job) => {
      // The shell sends the job as the core serialises it.
      this.setJobs(upsertJob(this.s.jobs, job as Job));
      this.redraw();
    };
    void commands.watchFinetunes(channel);
  }

  /** Shows `jobs`, then draws the loss charts their new events call for. */
  private setJobs(jobs: Job[]): void {
    this.s.jobs = jobs;
    void this.drawCharts();
  }

  private async drawCharts(): Promise<void> {
    const ids = staleCharts(this.s.jobs, this.s.charts ?? {}).filter((id) => !this.drawing.has(id));
    await Promise.all(ids.map((id) => this.drawChart(id)));
  }

  /** Asks the core for job `id`'s loss chart and shows it. */
  private async drawChart(id: number): Promise<void> {
    this.drawing.add(id);
    try {
      const losses = lossCount(this.s.jobs.find((j) => j.id === id) ?? ({ events: [] } as unknown as Job));
      const svg = await call(commands.finetuneLossChart(id));
      if (svg !== null) this.s.charts = { ...this.s.charts, [id]: { losses, svg } };
    } catch (err) {
      this.s.error = describe(err);
    } finally {
      this.drawing.delete(id);
    }
    this.redraw();
  }

  async show(): Promise<void> {
    await this.run(async () => {
      const [datasets, arms, providers] = await Promise.all([
        call(commands.listDatasets()), call(commands.listArms()), call(commands.listProviders()),
      ]);
      const f = this.s.form;
      this.s = { ...this.s, datasets, arms, providers, form: {
        ...f,
        dataset_id: f.dataset_id || (datasets[0]?.id ?? 0),
        arm_id: f.arm_id || (arms[0]?.id ?? 0),
        provider_id: f.provider_id || (providers[0]?.id ?? 0),
      } };
      this.setJobs(await call(commands.pollFinetunes()));
      this.watch();
    });
  }

  private async run(work: () => Promise<void>): Promise<void> {
    this.s.error = null;
    this.s.busy = true;
    this.redraw();
    try {
      await work();
    } catch (err) {
      this.s.error = describe(err);
    }
    this.s.busy = false;
    this.redraw();
  }

  private actions: Actions = {
    changed: (field, value) => {
      const numeric = field === "dataset_id" || field === "arm_id" || field === "provider_id";
      this.s.form = { ...this.s.form, [field]: numeric ? Number(value) : value };
      this.s.report = null;
      this.redraw();
    },
    preflight: () => void this.run(async () => {
      this.s.report = await call(commands.finetunePreflight(preflightRequest(this.s.form)));
    }),
    start: () => void this.run(async () => {
      const f = this.s.form;
      await call(commands.startFinetune({
        preflight: preflightRequest(f),
        provider_id: f.provider_id,
        fireworks_account: f.fireworks_account.trim() || null,
        azure_deployment: f.azure_deployment.trim() || null,
      }));
      this.setJobs(await call(commands.listFinetunes()));
    }),
    refresh: () => void this.run(async () => {
      this.setJobs(await call(commands.pollFinetunes()));
    }),
    cancel: (id) => void this.run(async () => {
      await call(commands.cancelFinetune(id));
      this.setJobs(await call(commands.listFinetunes()));
    }),
    compare: (id) => void this.run(async () => {
      this.s.comparison = await call(commands.prepareFinetuneComparison(id));
    }),
    startComparison: (budget, batch) => {
      const c = this.s.comparison;
      this.s.comparison = null;
      if (c) this.startRun(c.prepared.run_id, budget, batch);
    },
    closeComparison: () => {
      this.s.comparison = null;
      this.redraw();
    },
  };

  view(): TemplateResult {
    return finetuneView(this.s, this.actions);
  }
}
