// The import flow: a file dropped anywhere on the window (or picked, or the built-in sample)
// → the mapping dialog with a preview of the first rows → import with progress and cancel
// → the validation report. Owned by the app shell, shown as a modal over any screen.
import { Channel } from "@tauri-apps/api/core";
import { html, nothing, type TemplateResult } from "lit-html";
import { ApiError, call, describe } from "./api";
import {
  commands,
  type Format,
  type ImportOptions_Deserialize as ImportOptions,
  type ImportOutcome_Serialize as ImportOutcome,
  type Preview_Serialize as Preview,
  type ImportProgress,
} from "./bindings";
import { count, plural } from "./format";
import { reportView } from "./report";
import type { Redraw } from "./screen";
import { errorBox, modal, progressBar } from "./widgets";

type Step =
  | { kind: "closed" }
  | { kind: "previewing"; path: string }
  | { kind: "mapping"; path: string; preview: Preview }
  | { kind: "importing"; label: string; progress: ImportProgress | null; cancelling: boolean }
  | { kind: "done"; outcome: ImportOutcome }
  | { kind: "failed"; title: string; message: string; path: string | null };

const FORMATS: Format[] = ["csv", "tsv", "jsonl", "json", "xlsx", "xls", "ods", "openai-chat"];

export class Importer {
  step: Step = { kind: "closed" };
  private options: ImportOptions = {};

  constructor(
    private readonly redraw: Redraw,
    private readonly onImported: (outcome: ImportOutcome) => void,
  ) {}

  get open(): boolean {
    return this.step.kind !== "closed";
  }

  /** Starts the flow for a file: reads its preview and shows the mapping dialog. */
  async start(path: string): Promise<void> {
    if (this.step.kind === "importing") return;
    this.options = {};
    await this.loadPreview(path);
  }

  async importSample(): Promise<void> {
    await this.run(null, "the built-in sample (SpamAssassin spam/ham, 2,250 e-mails)");
  }

  close = (): void => {
    if (this.step.kind === "importing") return;
    this.step = { kind: "closed" };
    this.redraw();
  };

  private async loadPreview(path: string): Promise<void> {
    this.step = { kind: "previewing", path };
    this.redraw();
    try {
      const preview = await call(commands.previewImport(path, this.options));
      this.step = { kind: "mapping", path, preview };
    } catch (err) {
      this.step = { kind: "failed", title: "Cannot read this file", message: describe(err), path };
    }
    this.redraw();
  }

  private async run(path: string | null, label: string): Promise<void> {
    this.step = { kind: "importing", label, progress: null, cancelling: false };
    this.redraw();
    const channel = new Channel<ImportProgress>();
    channel.onmessage = (p) => {
      if (this.step.kind === "importing") {
        this.step = { ...this.step, progress: p };
        this.redraw();
      }
    };
    try {
      const outcome = await call(commands.importDataset(channel, path, path ? this.options : {}));
      this.step = { kind: "done", outcome };
      this.onImported(outcome);
    } catch (err) {
      this.step =
        err instanceof ApiError && err.code === "cancelled"
          ? { kind: "failed", title: "Import cancelled", message: "The import was cancelled; nothing was stored.", path }
          : { kind: "failed", title: "Import failed — nothing was stored", message: describe(err), path };
    }
    this.redraw();
  }

  private cancel = async (): Promise<void> => {
    if (this.step.kind !== "importing") return;
    this.step = { ...this.step, cancelling: true };
    this.redraw();
    await commands.cancelImport();
  };

  private setOption(patch: Partial<ImportOptions>, path: string, reload: boolean): void {
    this.options = { ...this.options, ...patch };
    if (reload) void this.loadPreview(path);
  }

  view(): TemplateResult {
    const s = this.step;
    switch (s.kind) {
      case "closed":
        return html``;
      case "previewing":
        return modal("Reading file…", html`<p class="muted">${s.path}</p>`, html``, this.close, "import-dialog");
      case "mapping":
        return this.mappingView(s.path, s.preview);
      case "importing": {
        const p = s.progress;
        return modal(
          "Importing",
          html`<p>Importing ${s.label}</p>
            ${progressBar(p?.percent ?? 0, "import-progress")}
            <p class="muted" id="import-progress-text">
              ${p ? html`${plural(p.rows, "row")} · ${mib(p.bytes ?? 0)} of ${mib(p.total_bytes ?? 0)} · ${(p.percent ?? 0).toFixed(0)}%` : "Starting…"}
            </p>`,
          html`<button id="import-cancel" ?disabled=${s.cancelling} @click=${this.cancel}>
            ${s.cancelling ? "Cancelling…" : "Cancel"}</button>`,
          null,
          "import-dialog",
        );
      }
      case "done":
        return modal(
          `Imported “${s.outcome.name}”`,
          html`<p id="import-done">${plural(s.outcome.rows, "row")} stored as ${s.outcome.format.toUpperCase()}.
              Input column <code>${s.outcome.column_map.input}</code>${s.outcome.column_map.expected
                ? html`, expected column <code>${s.outcome.column_map.expected}</code>`
                : nothing}.</p>
            ${reportView(s.outcome.report)}`,
          html`<button class="primary" id="import-open" @click=${() => {
            location.hash = `#/dataset/${s.outcome.dataset_id}`;
            this.close();
          }}>Open dataset</button>`,
          this.close,
          "import-dialog",
        );
      case "failed":
        return modal(
          s.title,
          errorBox(s.message, "import-error"),
          html`<button class="primary" id="import-error-close" @click=${this.close}>Close</button>`,
          this.close,
          "import-dialog",
        );
    }
  }

  private mappingView(path: string, p: Preview): TemplateResult {
    const o = this.options;
    const cols = p.columns;
    const map = p.mapping;
    const select = (
      id: string,
      value: string | null | undefined,
      optional: boolean,
      onChange: (v: string | null) => void,
    ) => html`<select id=${id} @change=${(e: Event) => onChange((e.target as HTMLSelectElement).value || null)}>
      ${optional ? html`<option value="" ?selected=${!value}>(none)</option>` : nothing}
      ${cols.map((c) => html`<option value=${c} ?selected=${c === value}>${c}</option>`)}
    </select>`;
    const body = html`
      <p class="muted small">${p.file} · ${p.format.toUpperCase()} · ${p.encoding}</p>
      <div class="form-grid">
        <label>Name <input id="import-name" placeholder=${stem(p.file)} .value=${o.name ?? ""}
          @input=${(e: Event) => this.setOption({ name: (e.target as HTMLInputElement).value || null }, path, false)} /></label>
        <label>Format <select id="import-format" @change=${(e: Event) =>
          this.setOption({ format: ((e.target as HTMLSelectElement).value || null) as Format | null }, path, true)}>
          <option value="" ?selected=${!o.format}>Detect (${p.format})</option>
          ${FORMATS.map((f) => html`<option value=${f} ?selected=${o.format === f}>${f}</option>`)}
        </select></label>
        ${p.sheets.length > 0
          ? html`<label>Sheet <select id="import-sheet" @change=${(e: Event) =>
              this.setOption({ sheet: (e.target as HTMLSelectElement).value }, path, true)}>
              ${p.sheets.map((sh) => html`<option value=${sh} ?selected=${sh === p.sheet}>${sh}</option>`)}
            </select></label>`
          : nothing}
        <label>Input column ${select("import-input", o.input_col ?? map?.input, false, (v) =>
          this.setOption({ input_col: v }, path, true))}</label>
        <label>Expected column ${select("import-expected", o.expected_col ?? map?.expected, true, (v) =>
          this.setOption({ expected_col: v }, path, true))}</label>
        <label>ID column ${select("import-id", o.id_col ?? map?.id, true, (v) =>
          this.setOption({ id_col: v }, path, true))}</label>
        ${p.format === "csv" || p.format === "tsv"
          ? html`<label class="check"><input type="checkbox" id="import-no-header" .checked=${o.no_header ?? false}
              @change=${(e: Event) => this.setOption({ no_header: (e.target as HTMLInputElement).checked }, path, true)} />
              The first row is data, not a header</label>`
          : nothing}
      </div>
      ${p.mapping_error ? errorBox(p.mapping_error, "import-mapping-error") : nothing}
      ${map && map.metadata.length > 0
        ? html`<p class="muted small">Kept as metadata for prompt templates: ${map.metadata.join(", ")}</p>`
        : nothing}
      <div class="preview-wrap">
        <table class="grid compact" id="import-preview">
          <thead><tr>${cols.map((c) => html`<th class=${roleClass(c, map)}>${c}</th>`)}</tr></thead>
          <tbody>${p.rows.map((r) => html`<tr>${r.map((v) => html`<td>${clip(v)}</td>`)}</tr>`)}</tbody>
        </table>
      </div>`;
    const footer = html`<button @click=${this.close}>Cancel</button>
      <button class="primary" id="import-start" ?disabled=${!map}
        @click=${() => void this.run(path, path.split(/[\\/]/).pop() ?? path)}>Import</button>`;
    return modal("Import a test set", body, footer, this.close, "import-dialog");
  }
}

function roleClass(col: string, map: Preview["mapping"]): string {
  if (!map) return "";
  if (col === map.input) return "role-input";
  if (col === map.expected) return "role-expected";
  if (col === map.id || col === map.split) return "role-id";
  return "";
}

function clip(v: string): string {
  return v.length > 160 ? `${v.slice(0, 160)}…` : v;
}

function stem(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.[^.]+$/, "");
}

function mib(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${count(Math.round(bytes / 1024))} KB`;
}
