// "Try it offline": the whole empirical test on this machine with no API key. On a labelled
// dataset (the built-in sample first of all) a small subset is cut, a prompting arm on the
// local model (few-shot from train) and the same model fine-tuned locally are run over the
// same held-out cases. The estimated time is shown before Start; then the stages, the
// fine-tune's loss and the run's progress; at the end the results open.
import { Channel } from "@tauri-apps/api/core";
import { html, nothing, type TemplateResult } from "lit-html";
import { call, describe } from "../api";
import {
  commands,
  type OfflineEstimate,
  type OfflineEvent,
  type OfflineOptions,
} from "../bindings";
import { count, plural } from "../format";
import type { Redraw, Screen } from "../screen";
import { errorBox, numberField } from "../widgets";

export const DEFAULT_OPTIONS: OfflineOptions = {
  train_rows: 32, test_cases: 60, max_chars: 240, few_shot: 2, epochs: 1, context: 256,
  learning_rate: 5e-5, seed: 7,
};

/** What the screen shows while the test works. */
export interface Live {
  stages: { stage: string; detail: string }[];
  /** The fine-tune's last progress line. */
  training: { done: number; total: number; loss: number | null; eta_s: number | null } | null;
  /** The run's cases answered, over both arms. */
  run: { done: number; total: number; eta_s: number | null } | null;
}

export interface State {
  datasetId: number;
  datasetName: string;
  options: OfflineOptions;
  estimate: OfflineEstimate | null;
  live: Live | null;
  error: string | null;
  busy: boolean;
}

export interface Actions {
  changed: (field: keyof OfflineOptions, value: number) => void;
  estimate: () => void;
  start: () => void;
  cancel: () => void;
}

const STAGES: Record<string, string> = {
  subset: "Subset of the dataset",
  prompting_arm: "Prompting arm (local model, few-shot from train)",
  fine_tune: "Local fine-tune (llama.cpp)",
  run: "Both arms over the held-out cases",
};

/** A duration for a person: seconds under two minutes, else minutes (hours past 2 h). */
export function duration(s: number | null): string {
  if (s === null) return "—";
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** The estimate in one sentence, every figure from it. */
export function estimateText(e: OfflineEstimate): string {
  return `About ${duration(e.total_s)} on this machine's ${plural(e.cores, "core")}: ` +
    `training ${duration(e.training_s)} (${count(e.training_tokens)} tokens, ${plural(e.windows, "window")}), ` +
    `both arms over ${plural(e.test_cases, "held-out case")} ${duration(e.evaluation_s)}.`;
}

/** `live` after `e`. */
export function applyEvent(live: Live, e: OfflineEvent): Live {
  switch (e.kind) {
    case "stage":
      return { ...live, stages: [...live.stages, { stage: e.stage, detail: e.detail }] };
    case "fine_tune": {
      const ev = e.event;
      if (ev.type !== "progress" || !ev.progress.train) return live;
      const p = ev.progress;
      return { ...live, training: { done: p.done, total: p.total, loss: p.loss, eta_s: p.eta_s } };
    }
    case "run": {
      const arms = e.progress.arms;
      const done = arms.reduce((s, a) => s + a.done, 0);
      const total = arms.reduce((s, a) => s + a.total, 0);
      return { ...live, run: { done, total, eta_s: e.progress.eta_s ?? null } };
    }
  }
}

function liveView(l: Live, a: Actions): TemplateResult {
  const current = l.stages.at(-1)?.stage;
  return html`<section id="offline-live">
    <ol id="offline-stages">
      ${l.stages.map((s) => html`<li data-stage=${s.stage} class=${s.stage === current ? "current" : "done"}>
        ${STAGES[s.stage] ?? s.stage}: ${s.detail}</li>`)}
    </ol>
    ${l.training
      ? html`<p id="offline-training">Training window ${l.training.done} of ${l.training.total},
          loss ${l.training.loss?.toFixed(3) ?? "—"}, ${duration(l.training.eta_s)} left.</p>`
      : nothing}
    ${l.run
      ? html`<p id="offline-run">${count(l.run.done)} of ${count(l.run.total)} answers${l.run.eta_s !== null ? `, ${duration(l.run.eta_s)} left` : ""}.</p>`
      : nothing}
    <button id="offline-cancel" class="danger" @click=${a.cancel}>Cancel</button>
  </section>`;
}

export function offlineView(s: State, a: Actions): TemplateResult {
  const o = s.options;
  const field = (key: keyof OfflineOptions, label: string, min: number, max: number) => html`<label>${label}
    ${numberField(`offline-${key.replace(/_/g, "-")}`, o[key], { label, min, max, whole: true },
      (v) => { if (v !== null) a.changed(key, v); })}</label>`;
  return html`<header class="screen-head">
      <div><a href=${`#/dataset/${s.datasetId}`} class="back">← ${s.datasetName || "Dataset"}</a>
        <h1>Try it offline</h1></div>
    </header>
    <p>The whole test on this machine, with no API key: the local model (SmolLM2-135M-Instruct)
      prompted with ${plural(o.few_shot, "example")} from train, against the same model fine-tuned
      here with llama.cpp on the train rows, both asked the same held-out cases. Training is
      priced at this machine's cost per hour ($0 unless set).</p>
    ${errorBox(s.error, "offline-error")}
    <form id="offline-form" @submit=${(e: Event) => { e.preventDefault(); a.estimate(); }}>
      <div class="form-row">
        ${field("train_rows", "Train rows", 2, 5000)}
        ${field("test_cases", "Held-out cases", 1, 5000)}
        ${field("max_chars", "Characters kept of each input (0: all)", 0, 1_000_000)}
        ${field("few_shot", "Few-shot examples", 0, 50)}
        ${field("epochs", "Epochs", 1, 100)}
      </div>
      <button id="offline-estimate-button" type="submit" ?disabled=${s.busy || s.live !== null}>Estimate the time</button>
      <button id="offline-start" class="primary" type="button" ?disabled=${s.busy || s.live !== null || s.estimate === null}
        @click=${a.start}>Start</button>
    </form>
    ${s.estimate
      ? html`<section id="offline-estimate">
          <p id="offline-estimate-text">${estimateText(s.estimate)}</p>
          <p class="muted small">${s.estimate.train_rows} train rows and ${s.estimate.test_cases} held-out cases
            of “${s.estimate.dataset}”, labels ${s.estimate.labels.join(", ")}. ${s.estimate.basis}.</p>
        </section>`
      : html`<p class="muted" id="offline-no-estimate">Estimate the time first; Start follows.</p>`}
    ${s.live ? liveView(s.live, a) : nothing}`;
}

export class OfflineScreen implements Screen {
  readonly id = "offline";
  readonly title = "Try it offline";
  datasetId = 0;
  private s: State = {
    datasetId: 0, datasetName: "", options: { ...DEFAULT_OPTIONS }, estimate: null, live: null, error: null, busy: false,
  };

  constructor(private readonly redraw: Redraw) {}

  async show(): Promise<void> {
    if (this.s.live) return;
    this.s = { ...this.s, datasetId: this.datasetId, estimate: null, error: null };
    try {
      const datasets = await call(commands.listDatasets());
      this.s.datasetName = datasets.find((d) => d.id === this.datasetId)?.name ?? "";
    } catch (err) {
      this.s.error = describe(err);
    }
    await this.estimateNow();
  }

  private async estimateNow(): Promise<void> {
    this.s.busy = true;
    this.s.error = null;
    this.redraw();
    try {
      this.s.estimate = await call(commands.offlineEstimate(this.s.datasetId, this.s.options));
    } catch (err) {
      this.s.estimate = null;
      this.s.error = describe(err);
    }
    this.s.busy = false;
    this.redraw();
  }

  private async startNow(): Promise<void> {
    this.s.error = null;
    this.s.live = { stages: [], training: null, run: null };
    this.redraw();
    const channel = new Channel<OfflineEvent>();
    channel.onmessage = (e) => {
      if (this.s.live) this.s.live = applyEvent(this.s.live, e);
      this.redraw();
    };
    try {
      const outcome = await call(commands.tryOffline(this.s.datasetId, this.s.options, channel));
      this.s.live = null;
      location.hash = `#/run/${outcome.run_id}`;
    } catch (err) {
      this.s.live = null;
      this.s.error = describe(err);
    }
    this.redraw();
  }

  private actions: Actions = {
    changed: (field, value) => {
      this.s.options = { ...this.s.options, [field]: value };
      this.s.estimate = null;
      this.redraw();
    },
    estimate: () => void this.estimateNow(),
    start: () => void this.startNow(),
    cancel: () => void commands.cancelRun(),
  };

  view(): TemplateResult {
    return offlineView(this.s, this.actions);
  }
}
