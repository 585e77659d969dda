// One dataset: its validation report, split, leakage check, export, delete, and a row
// browser with search and paging that asks the store for one page at a time.
import { ask } from "@tauri-apps/plugin-dialog";
import { html, nothing, type TemplateResult } from "lit-html";
import { ApiError, call, describe } from "../api";
import { chooseSavePath } from "../files";
import {
  commands,
  type DatasetSummary,
  type ExamplePage_Serialize as ExamplePage,
  type ExportFormat,
  type LeakageReport,
  type SplitFilter,
  type ValidationReport_Serialize as ValidationReport,
} from "../bindings";
import { count, plural } from "../format";
import { reportView } from "../report";
import type { Redraw, Screen } from "../screen";
import { errorBox, numberField } from "../widgets";
import { act, type ActState } from "../act";

const PAGE = 50;

interface Browser {
  search: string;
  split: SplitFilter | null;
  offset: number;
  page: ExamplePage | null;
  loading: boolean;
}

export class DatasetScreen implements Screen, ActState {
  readonly id = "dataset";
  readonly title = "Dataset";
  datasetId = 0;
  private summary: DatasetSummary | null = null;
  private report: ValidationReport | null = null;
  busy: string | null = null;
  error: string | null = null;
  notice: string | null = null;
  private leakage: LeakageReport | null = null;
  private confirming: Confirming = null;
  private splitForm = { test_fraction: 0.2, seed: 42, stratify: true, force: false, refused: false };
  private exportForm: { split: SplitFilter; format: ExportFormat; system: string; raw_values: boolean } = {
    split: "test",
    format: "jsonl",
    system: "",
    raw_values: false,
  };
  private browser: Browser = { search: "", split: null, offset: 0, page: null, loading: false };
  private searchTimer: number | undefined;
  private pageRequest = 0;

  constructor(private readonly redraw: Redraw) {}

  async show(): Promise<void> {
    this.error = null;
    this.notice = null;
    this.leakage = null;
    this.confirming = null;
    this.browser = { search: "", split: null, offset: 0, page: null, loading: false };
    await this.reload();
    await this.loadPage();
  }

  private async reload(): Promise<void> {
    try {
      const all = await call(commands.listDatasets());
      this.summary = all.find((d) => d.id === this.datasetId) ?? null;
      if (!this.summary) throw new Error(`There is no dataset with id ${this.datasetId}.`);
      this.report = await call(commands.datasetReport(this.datasetId));
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  }

  private async loadPage(): Promise<void> {
    const b = this.browser;
    const ticket = ++this.pageRequest;
    b.loading = true;
    this.redraw();
    try {
      const page = await call(
        commands.datasetExamples(this.datasetId, {
          offset: b.offset,
          limit: PAGE,
          search: b.search.trim() || null,
          split: b.split,
        }),
      );
      if (ticket !== this.pageRequest) return; // a newer request superseded this one
      b.page = page;
    } catch (err) {
      this.error = describe(err);
    }
    b.loading = false;
    this.redraw();
  }

  private onSearch = (e: Event): void => {
    this.browser.search = (e.target as HTMLInputElement).value;
    this.browser.offset = 0;
    window.clearTimeout(this.searchTimer);
    this.searchTimer = window.setTimeout(() => void this.loadPage(), 200);
  };

  private act(work: () => Promise<string | null>, label = "Working…"): Promise<void> {
    this.confirming = null;
    return act(this, this.redraw, label, work, (err) => {
      if (err instanceof ApiError && err.code === "in_use") this.splitForm.refused = true;
    });
  }

  private split = () =>
    this.act(async () => {
      const f = this.splitForm;
      const mistyped = document.querySelector("#split-panel .field-error:not(:empty)")?.textContent;
      if (mistyped) throw new Error(mistyped);
      const r = await call(
        commands.splitDataset(this.datasetId, {
          test_fraction: f.test_fraction,
          seed: f.seed,
          stratify: f.stratify,
          force: f.force,
        }),
      );
      this.splitForm.refused = false;
      this.leakage = null;
      await this.reload();
      this.browser.offset = 0;
      await this.loadPage();
      return `Split into ${count(r.train_rows)} train and ${count(r.test_rows)} test rows${r.stratified ? ", stratified by label" : ""}.`;
    }, "Splitting…");

  private checkLeakage = () =>
    this.act(async () => {
      this.leakage = await call(commands.datasetLeakage(this.datasetId));
      return null;
    }, "Checking leakage…");

  private removeLeaked = () =>
    this.act(async () => {
      const n = await call(commands.removeLeaked(this.datasetId));
      this.leakage = await call(commands.datasetLeakage(this.datasetId));
      await this.reload();
      await this.loadPage();
      return `Removed ${plural(n, "row")} from train. To get them back, import the file again.`;
    }, "Removing rows…");

  private removeDuplicates = () =>
    this.act(async () => {
      const n = await call(commands.removeDuplicates(this.datasetId));
      this.leakage = null;
      await this.reload();
      await this.loadPage();
      return `Removed ${plural(n, "repeated row")}; the first of each stays. To get them back, import the file again.`;
    }, "Removing rows…");

  private readonly removals: RemovalActions = {
    check: () => void this.checkLeakage(),
    ask: (what) => {
      this.confirming = what;
      this.notice = null;
      this.redraw();
    },
    keep: () => {
      this.confirming = null;
      this.redraw();
    },
    remove: (what) => void (what === "leaked" ? this.removeLeaked() : this.removeDuplicates()),
  };

  private export = () =>
    this.act(async () => {
      const f = this.exportForm;
      const ext = f.format === "csv" ? "csv" : "jsonl";
      const path = await chooseSavePath(`${this.summary?.name ?? "dataset"}-${f.split}.${ext}`, [
        { name: ext.toUpperCase(), extensions: [ext] },
      ]);
      if (!path) return null;
      const r = await call(
        commands.exportDataset(
          this.datasetId,
          { split: f.split, format: f.format, system: f.system || null, raw_values: f.raw_values },
          path,
        ),
      );
      return `Exported ${plural(r.rows, "row")} to ${r.path}.`;
    }, "Exporting…");

  private remove = () =>
    this.act(async () => {
      const name = this.summary?.name ?? "this dataset";
      const yes = await ask(`Delete “${name}” and all its rows? This cannot be undone.`, {
        title: "Delete dataset",
        kind: "warning",
      });
      if (!yes) return null;
      await call(commands.deleteDataset(this.datasetId));
      location.hash = "#/datasets";
      return null;
    }, "Deleting…");

  view(): TemplateResult {
    const d = this.summary;
    const head = html`<header class="screen-head">
      <div><a href="#/datasets" class="back">← Datasets</a><h1 id="dataset-name">${d?.name ?? "Dataset"}</h1>
        ${d ? html`<div class="muted small">${d.source_file} · ${d.source_format} · ${plural(d.rows, "row")}</div>` : nothing}</div>
      <div class="actions">
        ${d && this.report?.labelled
          ? html`<a class="button primary-link" id="dataset-offline" href="#/offline/${d.id}"
              title="A local model prompted and fine-tuned on this machine, compared: no API key">Try it offline</a>`
          : nothing}
        <button class="danger" id="dataset-delete" ?disabled=${!d} @click=${this.remove}>Delete</button></div>
    </header>`;
    if (!d || !this.report) return html`${head}${errorBox(this.error, "dataset-error")}`;
    return html`${head}
      ${errorBox(this.error, "dataset-error")}
      ${this.busy ? html`<div class="notice busy" id="dataset-busy">${this.busy}</div>` : nothing}
      ${this.notice ? html`<div class="notice" id="dataset-notice">${this.notice}</div>` : nothing}
      <div class="panels">
        <section class="panel">${reportView(this.report)}</section>
        <div class="panel-stack">
          ${this.splitPanel()} ${leakageView(d, this.leakage, this.confirming, this.removals)}
          ${duplicatesView(this.report, this.confirming, this.removals)} ${this.exportPanel()}
        </div>
      </div>
      ${this.browserView()}`;
  }

  private splitPanel(): TemplateResult {
    const f = this.splitForm;
    return html`<section class="panel" id="split-panel">
      <h3>Train / test split</h3>
      <div class="form-row">
        <label>Test fraction ${numberField("split-fraction", f.test_fraction, { label: "Test fraction", min: 0.01, max: 0.99 },
          (v) => (f.test_fraction = v ?? f.test_fraction))}</label>
        <label>Seed ${numberField("split-seed", f.seed, { label: "Seed", min: 0, whole: true }, (v) => (f.seed = v ?? f.seed))}</label>
      </div>
      <label class="check"><input type="checkbox" .checked=${f.stratify}
        @change=${(e: Event) => (f.stratify = (e.target as HTMLInputElement).checked)} /> Stratify by label</label>
      ${f.refused
        ? html`<label class="check warn"><input type="checkbox" id="split-force" .checked=${f.force}
            @change=${(e: Event) => (f.force = (e.target as HTMLInputElement).checked)} />
            Re-split anyway (results of earlier runs will no longer match this test set)</label>`
        : nothing}
      <button class="primary" id="split-run" @click=${this.split}>Split</button>
    </section>`;
  }

  private exportPanel(): TemplateResult {
    const f = this.exportForm;
    return html`<section class="panel" id="export-panel">
      <h3>Export</h3>
      <div class="form-row">
        <label>Rows <select id="export-split" @change=${(e: Event) => {
          f.split = (e.target as HTMLSelectElement).value as SplitFilter;
          this.redraw();
        }}>
          ${(["test", "train", "all"] as SplitFilter[]).map((s) => html`<option value=${s} ?selected=${s === f.split}>${s}</option>`)}
        </select></label>
        <label>Format <select id="export-format" @change=${(e: Event) => {
          f.format = (e.target as HTMLSelectElement).value as ExportFormat;
          this.redraw();
        }}>
          <option value="jsonl" ?selected=${f.format === "jsonl"}>JSONL</option>
          <option value="csv" ?selected=${f.format === "csv"}>CSV</option>
          <option value="openai-chat" ?selected=${f.format === "openai-chat"}>OpenAI fine-tuning JSONL</option>
        </select></label>
      </div>
      ${f.format === "openai-chat"
        ? html`<label>System prompt (optional)<textarea id="export-system" rows="2" .value=${f.system}
            @input=${(e: Event) => (f.system = (e.target as HTMLTextAreaElement).value)}></textarea></label>`
        : nothing}
      ${f.format === "csv"
        ? html`<label class="check"><input type="checkbox" id="export-raw" .checked=${f.raw_values}
            @change=${(e: Event) => (f.raw_values = (e.target as HTMLInputElement).checked)}>
            Keep cells starting with = + - @ as they are (by default they get a leading ' so a spreadsheet shows them as text instead of running them as formulas)</label>`
        : nothing}
      <button id="export-run" @click=${this.export}>Export…</button>
    </section>`;
  }

  private browserView(): TemplateResult {
    const b = this.browser;
    const page = b.page;
    const first = page && page.rows.length > 0 ? b.offset + 1 : 0;
    const last = page ? b.offset + page.rows.length : 0;
    const go = (offset: number) => {
      b.offset = Math.max(0, offset);
      void this.loadPage();
    };
    return html`<section class="browser" id="row-browser">
      <div class="browser-bar">
        <h3>Rows</h3>
        <input type="search" id="rows-search" placeholder="Search input or expected…" .value=${b.search} @input=${this.onSearch} />
        <select id="rows-split" @change=${(e: Event) => {
          const v = (e.target as HTMLSelectElement).value;
          b.split = v ? (v as SplitFilter) : null;
          go(0);
        }}>
          <option value="" ?selected=${b.split === null}>all splits</option>
          <option value="train" ?selected=${b.split === "train"}>train</option>
          <option value="test" ?selected=${b.split === "test"}>test</option>
        </select>
        <span class="muted small" id="rows-range">${page
          ? `${count(first)}–${count(last)} of ${count(page.total)}${page.total_capped ? "+" : ""}`
          : ""}</span>
        <button id="rows-prev" ?disabled=${b.offset === 0 || b.loading} @click=${() => go(b.offset - PAGE)}>‹ Prev</button>
        <button id="rows-next" ?disabled=${!page || last >= page.total || b.loading} @click=${() => go(b.offset + PAGE)}>Next ›</button>
      </div>
      <table class="grid compact rows" id="rows-table">
        <thead><tr><th class="num">#</th><th>Split</th><th>Input</th><th>Expected</th></tr></thead>
        <tbody>
          ${page?.rows.map(
            (r) => html`<tr data-example-id=${r.id}>
              <td class="num muted">${r.ordinal + 1}</td>
              <td><span class="tag ${r.split}">${r.split}</span></td>
              <td class="text">${r.input.length > 300 ? `${r.input.slice(0, 300)}…` : r.input}</td>
              <td>${r.expected}</td>
            </tr>`,
          ) ?? nothing}
        </tbody>
      </table>
      ${page && page.rows.length === 0 ? html`<p class="muted">No rows match.</p>` : nothing}
    </section>`;
  }
}

/** Which removal waits for its confirmation. */
export type Confirming = "leaked" | "duplicates" | null;

export interface RemovalActions {
  check(): void;
  /** Shows what a removal would delete, with how to undo it, before anything goes. */
  ask(what: "leaked" | "duplicates"): void;
  keep(): void;
  remove(what: "leaked" | "duplicates"): void;
}

const UNDO = "This cannot be undone here: to get the rows back, import the file again.";

function confirmBox(what: "leaked" | "duplicates", text: string, button: string, a: RemovalActions): TemplateResult {
  return html`<div class="confirm" id="confirm-${what}" role="alertdialog">
    <p>${text} ${UNDO}</p>
    <div class="actions"><button class="danger" id="confirm-${what}-yes" @click=${() => a.remove(what)}>${button}</button>
      <button id="confirm-${what}-no" @click=${a.keep}>Keep them</button></div>
  </div>`;
}

/** The leakage check: before a split there is nothing to compare; removal is confirmed first
 * and says why it deletes more train rows than there are leaked test rows. */
export function leakageView(d: DatasetSummary, l: LeakageReport | null, confirming: Confirming, a: RemovalActions): TemplateResult {
  if (d.test_rows === 0) {
    return html`<section class="panel" id="leakage-panel">
      <h3>Leakage between train and test</h3>
      <p class="muted" id="leakage-split-first">Split first: leakage is a test case that also sits in train, and this dataset has no test split yet.</p>
      <button id="leakage-check" disabled>Check</button>
    </section>`;
  }
  const leakedTest = l ? l.exact_test_rows + l.normalised_test_rows : 0;
  return html`<section class="panel" id="leakage-panel">
    <h3>Leakage between train and test</h3>
    ${l
      ? html`<p id="leakage-summary">${count(l.exact_test_rows)} test rows appear exactly in train,
            ${count(l.normalised_test_rows)} more after folding case, spaces and punctuation.</p>
          ${l.pairs.length > 0
            ? html`<ul class="leaks">${l.pairs.slice(0, 5).map(
                (p) => html`<li><span class="tag">${p.kind}</span> ${p.input}</li>`,
              )}</ul>`
            : nothing}
          ${l.leaked_train_rows > 0
            ? html`<p class="small" id="leakage-why">Removing deletes the ${plural(l.leaked_train_rows, "train row")} that copy
                  ${leakedTest === 1 ? "this test row" : `these ${count(leakedTest)} test rows`}${l.leaked_train_rows > leakedTest
                  ? " (a test row can have several copies in train)" : ""}; the test rows stay.</p>
                ${confirming === "leaked"
                  ? confirmBox("leaked", `Delete ${plural(l.leaked_train_rows, "train row")} that copy test rows?`, `Remove ${plural(l.leaked_train_rows, "row")}`, a)
                  : html`<button class="danger" id="leakage-remove" @click=${() => a.ask("leaked")}>
                      Remove ${plural(l.leaked_train_rows, "row")} from train…</button>`}`
            : html`<p class="good">No leakage.</p>`}`
      : html`<p class="muted small">Test cases that also sit in train inflate every score.</p>`}
    <button id="leakage-check" @click=${a.check}>Check</button>
  </section>`;
}

/** Rows that repeat an earlier row exactly, with their removal (confirmed first). */
export function duplicatesView(r: ValidationReport, confirming: Confirming, a: RemovalActions): TemplateResult {
  if (r.duplicate_rows === 0) return html``;
  return html`<section class="panel" id="duplicates-panel">
    <h3>Repeated rows</h3>
    <p class="small">${plural(r.duplicate_rows, "row repeats", "rows repeat")} an earlier row exactly (same input and expected output).</p>
    ${confirming === "duplicates"
      ? confirmBox("duplicates", `Delete the ${plural(r.duplicate_rows, "repeated row")}? The first of each stays.`, `Remove ${plural(r.duplicate_rows, "row")}`, a)
      : html`<button class="danger" id="duplicates-remove" @click=${() => a.ask("duplicates")}>Remove ${plural(r.duplicate_rows, "repeated row")}…</button>`}
  </section>`;
}
