// The dataset list: the first screen, backed by the store. Each dataset shows its row
// counts and label distribution; the empty store offers the built-in sample.
import { html, nothing, type TemplateResult } from "lit-html";
import { call, describe } from "../api";
import { commands, type DatasetSummary, type ValidationReport_Serialize as ValidationReport } from "../bindings";
import { count, timestamp } from "../format";
import type { Redraw, Screen } from "../screen";
import { errorBox, labelBars } from "../widgets";

export interface DatasetRow {
  summary: DatasetSummary;
  report: ValidationReport | null;
}

export type State =
  | { kind: "loading" }
  | { kind: "error"; message: string }
  | { kind: "ready"; datasets: DatasetRow[] };

export interface Actions {
  pickFile(): void;
  importSample(): void;
}

export class DatasetsScreen implements Screen {
  readonly id = "datasets";
  readonly title = "Datasets";
  private state: State = { kind: "loading" };

  constructor(
    private readonly redraw: Redraw,
    private readonly actions: Actions,
  ) {}

  async show(): Promise<void> {
    try {
      const summaries = await call(commands.listDatasets());
      const reports = await Promise.all(
        summaries.map((d) => call(commands.datasetReport(d.id)).catch(() => null)),
      );
      this.state = {
        kind: "ready",
        datasets: summaries.map((summary, i) => ({ summary, report: reports[i] })),
      };
    } catch (err) {
      this.state = { kind: "error", message: describe(err) };
    }
    this.redraw();
  }

  view(): TemplateResult {
    return datasetsView(this.state, this.actions);
  }
}

export function datasetsView(state: State, actions: Actions): TemplateResult {
  const header = html`<header class="screen-head">
    <h1>Datasets</h1>
    <div class="actions">
      <button class="primary" id="pick-file" @click=${() => actions.pickFile()}>Import file…</button>
    </div>
  </header>`;
  switch (state.kind) {
    case "loading":
      return html`${header}<p class="muted" id="datasets-loading">Loading…</p>`;
    case "error":
      return html`${header}${errorBox(state.message, "datasets-error")}`;
    case "ready":
      if (state.datasets.length === 0) {
        return html`${header}
          <section class="empty" id="datasets-empty">
            <h2>No datasets yet</h2>
            <p>Drop a labelled test set anywhere on this window: CSV, TSV, JSONL, JSON,
              Excel/ODS, or OpenAI chat fine-tuning JSONL.</p>
            <p><button class="primary" id="import-sample" @click=${() => actions.importSample()}>
              Try the sample dataset</button></p>
            <p class="muted small">2,250 e-mails labelled spam or ham (SpamAssassin public corpus).</p>
          </section>`;
      }
      return html`${header}
        <p class="muted small">Drop another file anywhere on the window to import it.</p>
        <table class="grid" id="datasets-table">
          <thead>
            <tr>
              <th>Name</th><th class="num">Rows</th><th class="num">Train</th>
              <th class="num">Test</th><th>Labels</th><th>Imported (UTC)</th>
            </tr>
          </thead>
          <tbody>
            ${state.datasets.map(
              ({ summary: d, report }) => html`<tr data-dataset-id=${d.id} class="clickable"
                @click=${() => (location.hash = `#/dataset/${d.id}`)}>
                <td><a class="name" href="#/dataset/${d.id}">${d.name}</a>
                  <div class="muted small">${d.source_file}</div></td>
                <td class="num">${count(d.rows)}</td>
                <td class="num">${count(d.train_rows)}</td>
                <td class="num">${count(d.test_rows)}</td>
                <td class="labels-cell">${report?.labelled ? labelBars(report.labels, 4) : html`<span class="muted">free text</span>`}</td>
                <td>${timestamp(d.imported_at)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${nothing}`;
  }
}
