// The dataset list: the first screen, backed by the store.
import { html, type TemplateResult } from "lit-html";
import { call, describe } from "../api";
import { commands, type DatasetSummary } from "../bindings";
import { count, timestamp } from "../format";
import type { Redraw, Screen } from "../screen";

type State =
  | { kind: "loading" }
  | { kind: "error"; message: string }
  | { kind: "ready"; datasets: DatasetSummary[] };

export class DatasetsScreen implements Screen {
  readonly id = "datasets";
  readonly title = "Datasets";
  private state: State = { kind: "loading" };

  constructor(private readonly redraw: Redraw) {}

  async show(): Promise<void> {
    try {
      const datasets = await call(commands.listDatasets());
      this.state = { kind: "ready", datasets };
    } catch (err) {
      this.state = { kind: "error", message: describe(err) };
    }
    this.redraw();
  }

  view(): TemplateResult {
    return datasetsView(this.state);
  }
}

export function datasetsView(state: State): TemplateResult {
  const header = html`<header class="screen-head"><h1>Datasets</h1></header>`;
  switch (state.kind) {
    case "loading":
      return html`${header}<p class="muted" id="datasets-loading">Loading…</p>`;
    case "error":
      return html`${header}<div class="error-box" role="alert" id="datasets-error">${state.message}</div>`;
    case "ready":
      if (state.datasets.length === 0) {
        return html`${header}
          <section class="empty" id="datasets-empty">
            <h2>No datasets yet</h2>
            <p>Your held-out test set is where every decision starts.</p>
            <p class="muted">
              Import one from the command line with <code>tunebench import FILE</code>.
            </p>
          </section>`;
      }
      return html`${header}
        <table class="grid" id="datasets-table">
          <thead>
            <tr>
              <th>Name</th><th>Source</th><th class="num">Rows</th>
              <th class="num">Train</th><th class="num">Test</th><th>Imported (UTC)</th>
            </tr>
          </thead>
          <tbody>
            ${state.datasets.map(
              (d) => html`<tr data-dataset-id=${d.id}>
                <td class="name">${d.name}</td>
                <td class="muted">${d.source_file}</td>
                <td class="num">${count(d.rows)}</td>
                <td class="num">${count(d.train_rows)}</td>
                <td class="num">${count(d.test_rows)}</td>
                <td>${timestamp(d.imported_at)}</td>
              </tr>`,
            )}
          </tbody>
        </table>`;
  }
}
