// Runs: start an experiment file (both arms over the held-out set) once its review (the
// providers, URLs, keys and folders it would use) is confirmed, with live per-arm progress,
// spend and ETA, cancel it, resume an interrupted run, and open its results.
import { Channel } from "@tauri-apps/api/core";
import { html, nothing, type TemplateResult } from "lit-html";
import { ApiError, call, describe } from "../api";
import { chooseFile } from "../files";
import {
  commands,
  type Arm_Serialize as Arm,
  type BatchSettings,
  type DatasetSummary,
  type ExperimentDraft,
  type FileReview_Serialize as FileReview,
  type PreparedRun_Serialize as PreparedRun,
  type Progress,
  type RunEvent,
  type RunListEntry,
  type RunOutcome,
} from "../bindings";
import { act, type ActState } from "../act";
import { armBatchLine } from "./batch";
import { experimentForm } from "./experiment-form";
import { priceLink } from "./prices";
import { count } from "../format";
import { usd } from "../money";
import type { Redraw, Screen } from "../screen";
import { errorBox, progressBar } from "../widgets";

export type Live = {
  progress: Progress | null;
  cancelling: boolean;
  /** What is running: a file name, or "run 3". */
  label: string;
  /** The run being followed, once known (a resumed run's at once, a file's at its first event). */
  runId?: number | null;
  /** Arms without a price: their calls add nothing to the spend, so it is not a total. */
  unpriced?: string[];
  warnings?: string[];
};

/** The spend so far, or why it is not known. */
export function spendText(spend: number | null, unpriced: string[]): string {
  if (unpriced.length === 0) return `${usd(spend)} spent`;
  const priced = (spend ?? 0) > 0 ? `; ${usd(spend)} on the priced arm` : "";
  return `cost unknown (no price for ${unpriced.join(", ")})${priced}`;
}

/** How a finished session ended: results of the whole run, and of this session when it resumed. */
export function outcomeText(o: RunOutcome, last: Progress | null, unpriced: string[], warnings: string[]): string {
  const done = last ? last.arms.reduce((n, a) => n + a.done, 0) : o.written;
  const total = last ? last.arms.reduce((n, a) => n + a.total, 0) : o.written;
  const results = done > o.written
    ? `${count(done)} of ${count(total)} results; ${count(o.written)} in this resume`
    : `${count(done)} of ${count(total)} results written`;
  return `Run ${o.run_id} ${o.status.replace("_", " ")}: ${results}, ${spendText(o.spend_usd, unpriced)}.${warnings.map((w) => ` Warning: ${w}.`).join("")}`;
}

/** The arms of run `id` that have answers but no price, from the runs list. */
function unpricedOf(runs: RunListEntry[], id: number): string[] {
  const r = runs.find((x) => x.summary.run_id === id);
  return r ? r.summary.arms.filter((a) => a.cost_per_query === null && a.answered > 0).map((a) => a.name) : [];
}

export class RunsScreen implements Screen, ActState {
  readonly id = "runs";
  readonly title = "Runs";
  private runs: RunListEntry[] = [];
  private live: Live | null = null;
  busy: string | null = null;
  error: string | null = null;
  notice: string | null = null;
  private draft: ExperimentDraft | null = null;
  private prepared: PreparedRun | null = null;
  private datasets: DatasetSummary[] = [];
  private arms: Arm[] = [];
  private reviewing: { path: string; review: FileReview } | null = null;
  private failed: Failed | null = null;
  private readonly deleting: Deleting = {
    deleting: null,
    ask: (id) => {
      this.deleting.deleting = id;
      this.redraw();
    },
    remove: (id) =>
      void act(this, this.redraw, `Deleting run ${id}…`, async () => {
        this.deleting.deleting = null;
        const said = await call(commands.deleteRun(id));
        this.runs = await call(commands.listRuns());
        return said;
      }),
  };

  constructor(private readonly redraw: Redraw) {}

  private openForm = async (): Promise<void> => {
    try {
      [this.datasets, this.arms] = await Promise.all([call(commands.listDatasets()), call(commands.listArms())]);
      this.draft = {
        name: "", dataset_id: this.datasets.find((d) => d.test_rows > 0)?.id ?? 0, split: "test", primary_metric: "accuracy",
        margin: { kind: "relative", value: 0.05 }, labels: [], arm_a: 0, arm_b: 0,
      };
      this.prepared = null;
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  };

  private prepare = (): Promise<void> =>
    act(this, this.redraw, "Estimating…", async () => {
      if (!this.draft) return;
      const id = await call(commands.createExperiment(this.draft));
      this.prepared = await call(commands.prepareRun(id, { concurrency: null, use_cache: true, budget_usd: null }));
    });

  async show(): Promise<void> {
    await this.load();
  }

  private async load(): Promise<void> {
    try {
      this.runs = await call(commands.listRuns());
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  }

  private pick = async (): Promise<void> => {
    try {
      const path = await chooseFile([{ name: "Experiment", extensions: ["toml"] }]);
      if (path !== null) await this.start(path);
    } catch (err) {
      this.error = describe(err);
      this.redraw();
    }
  };

  /** Shows what the experiment file at `path` would do; it runs once the user confirms. */
  async start(path: string): Promise<void> {
    this.error = null;
    this.notice = null;
    try {
      this.reviewing = { path, review: await call(commands.reviewExperimentFile(path)) };
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  }

  /** Runs the file under review, as confirmed, and follows it. */
  private confirmRun = async (): Promise<void> => {
    const r = this.reviewing;
    if (!r) return;
    this.reviewing = null;
    await this.follow(r.path.split(/[\\/]/).pop() ?? r.path, (ch) =>
      call(commands.startRun(r.path, r.review.fingerprint, { concurrency: null, use_cache: true, budget_usd: null }, ch)),
    );
  };

  /** Starts (or resumes) run `runId` and follows its progress here; with `batch`, a pending
   * run goes through the providers' batch APIs. */
  async startPrepared(runId: number, budget: number | null, batch: BatchSettings | null = null, unpriced?: string[]): Promise<void> {
    if (batch) {
      try {
        await call(commands.makeBatchRun(runId, batch));
      } catch (err) {
        this.error = describe(err);
        this.redraw();
        return;
      }
    }
    return this.resume(runId, budget, unpriced);
  }

  private resume = (runId: number, budget: number | null = null, unpriced = unpricedOf(this.runs, runId)) =>
    this.follow(`run ${runId}`, (ch) => call(commands.resumeRun(runId, budget, ch)), runId, unpriced);

  private async follow(
    label: string,
    go: (ch: Channel<RunEvent>) => Promise<RunOutcome>,
    runId: number | null = null,
    unpriced: string[] = [],
  ): Promise<void> {
    if (this.live) {
      this.notice = `${label} waits: one run at a time. Start it from the list below when ${this.live.label} has finished.`;
      this.redraw();
      return;
    }
    this.error = null;
    this.notice = null;
    this.failed = null;
    this.live = { progress: null, cancelling: false, label, runId, unpriced };
    this.redraw();
    const channel = new Channel<RunEvent>();
    let warnings: string[] = [];
    channel.onmessage = (e) => {
      if (e.kind === "warnings") warnings = e.warnings;
      if (this.live) {
        this.live = e.kind === "progress"
          ? { ...this.live, progress: e.progress, runId: e.progress.run_id }
          : { ...this.live, warnings };
        this.redraw();
      }
    };
    try {
      const outcome = await go(channel);
      const last = this.live?.progress ?? null;
      this.live = null;
      await this.load();
      const priceless = [...new Set([...unpriced, ...unpricedOf(this.runs, outcome.run_id)])];
      this.notice = outcomeText(outcome, last, priceless, warnings);
      this.redraw();
      if (outcome.status === "completed") location.hash = `#/run/${outcome.run_id}`;
      return;
    } catch (err) {
      this.error = err instanceof ApiError ? err.message : describe(err);
      if (runId !== null) this.failed = { runId, message: this.error };
    }
    this.live = null;
    await this.load();
  }

  /** Asks again the cases of `runId` that ended as errors (the answered ones are kept). */
  private retryErrors = async (runId: number): Promise<void> => {
    try {
      await call(commands.clearRunErrors(runId));
    } catch (err) {
      this.error = describe(err);
      this.redraw();
      return;
    }
    await this.resume(runId);
  };

  private cancel = async (): Promise<void> => {
    if (!this.live) return;
    this.live = { ...this.live, cancelling: true };
    this.redraw();
    await commands.cancelRun();
  };

  view(): TemplateResult {
    return html`<header class="screen-head">
        <div><h1>Runs</h1><div class="muted small">Both arms over the same held-out cases; every result is saved as it lands, so a stopped run resumes where it left off.</div></div>
        <div class="actions">
          <button class="primary" id="exp-new" ?disabled=${this.live !== null} @click=${() => void this.openForm()}>New experiment…</button>
          <button id="run-pick" ?disabled=${this.live !== null} @click=${this.pick}>Run an experiment file…</button></div>
      </header>
      ${errorBox(this.error, "runs-error")}
      ${this.busy ? html`<div class="notice busy" id="runs-busy">${this.busy}</div>` : nothing}
      ${this.notice ? html`<div class="notice" id="runs-notice">${this.notice}</div>` : nothing}
      ${this.reviewing && !this.live
        ? reviewView(this.reviewing.review, () => void this.confirmRun(), () => {
            this.reviewing = null;
            this.redraw();
          })
        : nothing}
      ${this.draft && !this.live
        ? experimentForm(this.draft, this.datasets, this.arms, this.prepared, {
            change: (p) => {
              if (this.draft) this.draft = { ...this.draft, ...p };
              this.error = null;
              this.redraw();
            },
            prepare: () => void this.prepare(),
            start: (budget, batch) => {
              const id = this.prepared?.run_id;
              const unpriced = this.prepared?.estimate.unpriced_arms ?? [];
              this.draft = null;
              this.prepared = null;
              if (id) void this.startPrepared(id, budget, batch, unpriced);
            },
            close: () => {
              this.draft = null;
              this.prepared = null;
              this.redraw();
            },
          }, this.busy)
        : nothing}
      ${this.live ? liveView(this.live, this.cancel) : nothing}
      ${runsTable(this.runs, this.live === null && this.busy === null, (id) => void this.resume(id), this.retryErrors, this.live, this.deleting, this.failed)}`;
  }
}

/** What an experiment file would do, with "Run it" and "Cancel": shown before it runs. */
export function reviewView(
  review: FileReview,
  confirm: () => void,
  cancel: () => void,
  words: { title: string; confirm: string } | null = null,
): TemplateResult {
  const name = review.file.split(/[\\/]/).pop() ?? review.file;
  const status = (p: FileReview["providers"][number]) =>
    p.status === "stored"
      ? html`<span class="tag">stored</span>`
      : p.status === "new"
        ? html`<span class="tag bad">new</span>`
        : html`<span class="tag bad">new</span> <span class="small">the stored “${p.name}” sends elsewhere and is left as it is</span>`;
  return html`<section class="panel" id="run-review">
    <h3>${words?.title ?? `Run ${name}?`}</h3>
    <p id="run-review-summary">${review.needs_confirmation
      ? "This file brings providers, API keys or folders this app does not know yet. Check where it would send your prompts and keys before you run it."
      : "This file uses only providers, keys and folders this app already knows."}</p>
    <table class="grid" id="run-review-providers">
      <thead><tr><th>Provider</th><th></th><th>Sends to</th><th>API key from</th></tr></thead>
      <tbody>${review.providers.map(
        (p) => html`<tr>
          <td>${p.stored_name}</td>
          <td>${status(p)}</td>
          <td><code>${p.base_url}</code> <span class="muted small">${p.kind}</span></td>
          <td>${p.api_key_env
            ? html`<code>$${p.api_key_env}</code>${p.key_env_known ? nothing : html` <span class="tag bad">no stored provider reads it</span>`}`
            : html`<span class="muted">none</span>`}</td>
        </tr>`,
      )}</tbody>
    </table>
    ${review.paths.length > 0
      ? html`<ul id="run-review-paths">${review.paths.map(
          (p) => html`<li>${p.used_as === "context" ? "Passages of the .txt/.md files in" : "The schema file"}
            <code>${p.path}</code> (arm ${p.arm})${p.inside_file_folder ? nothing : html` <span class="tag bad">outside the file's folder</span>`}${
              p.used_as === "context" && !p.known ? html` <span class="tag bad">new folder</span>` : nothing}</li>`,
        )}</ul>`
      : nothing}
    <div class="actions">
      <button class="primary" id="run-review-confirm" @click=${confirm}>${words?.confirm ?? "Run it"}</button>
      <button id="run-review-cancel" @click=${cancel}>Cancel</button>
    </div>
  </section>`;
}

export function liveView(live: Live, cancel: () => void): TemplateResult {
  const p = live.progress;
  return html`<section class="panel" id="run-live">
    <h3 id="run-live-title">Running ${live.label}${p && live.label !== `run ${p.run_id}` ? html` <span class="muted">(run ${p.run_id})</span>` : nothing}</h3>
    ${p
      ? p.arms.map(
          (a) => html`<div class="arm-progress" data-arm=${a.name}>
            <div class="arm-line"><strong>${a.name}</strong>
              <span class="muted small">${count(a.done)} / ${count(a.total)} · ${count(a.errors)} errors${a.from_cache ? ` · ${count(a.from_cache)} cached` : ""}${
                a.metric !== null ? ` · ${p.metric_name} ${(a.metric ?? 0).toFixed(3)}` : ""}</span></div>
            ${progressBar(a.total > 0 ? (100 * a.done) / a.total : 0, `progress-${a.arm_id}`)}
          </div>`,
        )
      : html`<p class="muted">Estimating calls and cost…</p>`}
    ${live.warnings?.length
      ? html`<ul class="warnings" id="run-warnings">${live.warnings.map((w) => html`<li>${w}</li>`)}</ul>`
      : nothing}
    ${p
      ? html`<p class="small" id="run-live-text">${(p.elapsed_s ?? 0).toFixed(0)} s elapsed${
          p.eta_s !== null ? ` · about ${(p.eta_s ?? 0).toFixed(0)} s left` : ""} · ${spendText(p.spend_usd, live.unpriced ?? [])}</p>`
      : nothing}
    <button id="run-cancel" ?disabled=${live.cancelling} @click=${cancel}>${live.cancelling ? "Cancelling…" : "Cancel"}</button>
  </section>`;
}

/** Deleting a run from the list: which one waits for a confirmation, and the two steps. */
export interface Deleting {
  deleting: number | null;
  ask(id: number | null): void;
  remove(id: number): void;
}

/** A Start or Resume from the list that failed: said in that run's row, where the person
 * clicked, as well as at the top of the screen. */
export interface Failed {
  runId: number;
  message: string;
}

export function runsTable(
  runs: RunListEntry[],
  idle: boolean,
  resume: (id: number) => void,
  retryErrors: (id: number) => void,
  live: Live | null = null,
  del: Deleting | null = null,
  failed: Failed | null = null,
): TemplateResult {
  if (runs.length === 0) {
    if (live) return html``;
    return html`<section class="empty" id="runs-empty"><h2>No runs yet</h2>
      <p>Compose one with <strong>New experiment…</strong> above from two stored arms, or run an experiment file naming the dataset, the providers and both arms (see the README).</p></section>`;
  }
  return html`<table class="grid" id="runs-table">
    <thead><tr><th>Run</th><th>Experiment</th><th>Started (UTC)</th><th>Status</th><th>Arms: n · errors · metric · p50 / p95 · cost per query</th><th></th></tr></thead>
    <tbody>${runs.map((r) => (live?.runId === r.summary.run_id ? { ...r, summary: { ...r.summary, status: "running" as const } } : r)).map(
      (r) => html`<tr data-run-id=${r.summary.run_id}>
        <td class="num">${r.summary.run_id}</td>
        <td>${r.experiment}</td>
        <td>${r.started_at.slice(0, 16).replace("T", " ")}</td>
        <td><span class="tag status-${r.summary.status}">${r.summary.status.replace("_", " ")}</span></td>
        <td class="small">${r.summary.arms.map(
          (a) => html`<div><strong>${a.name}</strong> <code class="muted">${a.model}</code> ${count(a.n)}/${count(a.total)} · ${count(a.errors)} ·
            ${a.metric !== null ? (a.metric ?? 0).toFixed(3) : "–"} · ${ms(a.latency_ms_p50)} / ${ms(a.latency_ms_p95)} ·
            ${a.cost_per_query !== null ? usd(a.cost_per_query) : priceLink(a.model, "base")}</div>
            ${armBatchLine(r.batch.find((b) => b.arm_id === a.arm_id))}`,
        )}</td>
        <td class="actions">
          ${r.summary.status !== "completed" && r.summary.status !== "running"
            ? html`<button class="small-btn" ?disabled=${!idle} @click=${() => resume(r.summary.run_id)}>${r.summary.status === "pending" ? "Start" : "Resume"}</button>`
            : nothing}
          ${errorsOf(r) > 0 && r.summary.status !== "running"
            ? html`<button class="small-btn" id="retry-errors-${r.summary.run_id}" ?disabled=${!idle}
                title="Ask the cases that ended as errors (timeouts, refusals, rate limits) again; answered cases are kept"
                @click=${() => retryErrors(r.summary.run_id)}>Retry ${count(errorsOf(r))} errors</button>`
            : nothing}
          <a href="#/run/${r.summary.run_id}">Results</a>
          ${failed?.runId === r.summary.run_id
            ? html`<div class="row-error" role="alert">Run ${failed.runId} did not ${r.summary.status === "pending" ? "start" : "resume"}: ${failed.message}</div>`
            : nothing}
          ${del && live?.runId !== r.summary.run_id
            ? del.deleting === r.summary.run_id
              ? html`<span class="confirm-inline" id="confirm-run-${r.summary.run_id}">Delete run ${r.summary.run_id} and its results?
                  <button class="danger small-btn" id="confirm-run-${r.summary.run_id}-yes" @click=${() => del.remove(r.summary.run_id)}>Delete</button>
                  <button class="small-btn" @click=${() => del.ask(null)}>Keep</button></span>`
              : html`<button class="small-btn delete-run" ?disabled=${!idle} @click=${() => del.ask(r.summary.run_id)}>Delete</button>`
            : nothing}
        </td>
      </tr>`,
    )}</tbody>
  </table>`;
}

function errorsOf(r: RunListEntry): number {
  return r.summary.arms.reduce((n, a) => n + a.errors, 0);
}

function ms(v: number | null | undefined): string {
  return v == null ? "–" : `${Math.round(v)} ms`;
}
