// The app shell: navigation, the current screen, the import flow that a file dropped
// anywhere on the window starts, and the footer with the store's location.
// Only screens that work are listed in the navigation.
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { html, nothing, render } from "lit-html";
import { call } from "./api";
import { commands, type AppInfo } from "./bindings";
import { chooseFile } from "./files";
import { Importer } from "./importer";
import type { Screen } from "./screen";
import { ArmsScreen } from "./screens/arms";
import { CrossoverScreen } from "./screens/crossover";
import { DatasetScreen } from "./screens/dataset";
import { DecisionScreen } from "./screens/decision";
import { DatasetsScreen } from "./screens/datasets";
import { FinetuneScreen } from "./screens/finetune";
import { OfflineScreen } from "./screens/offline";
import { PricesScreen, priceFor } from "./screens/prices";
import { ProvidersScreen } from "./screens/providers";
import { ResultsScreen } from "./screens/results";
import { RunsScreen } from "./screens/runs";
import { SearchScreen } from "./screens/search";

const IMPORTABLE = ["csv", "tsv", "txt", "jsonl", "json", "xlsx", "xls", "ods"];

export class App {
  private readonly nav: Screen[];
  private readonly datasets: DatasetsScreen;
  private readonly dataset: DatasetScreen;
  private readonly offline: OfflineScreen;
  private readonly runs: RunsScreen;
  private readonly results: ResultsScreen;
  private readonly crossover: CrossoverScreen;
  private readonly decision: DecisionScreen;
  private readonly search: SearchScreen;
  private readonly importer: Importer;
  private current: Screen;
  private info: AppInfo | null = null;
  private dragging = false;

  constructor(private readonly root: HTMLElement) {
    const redraw = () => this.draw();
    this.importer = new Importer(redraw, () => void this.current.show());
    this.datasets = new DatasetsScreen(redraw, {
      pickFile: () => void this.pickFile(),
      importSample: () => void this.importer.importSample(),
    });
    this.dataset = new DatasetScreen(redraw);
    this.offline = new OfflineScreen(redraw);
    this.runs = new RunsScreen(redraw);
    this.results = new ResultsScreen(redraw, (runId, budget, batch) => {
      location.hash = "#/runs";
      void this.runs.startPrepared(runId, budget, batch);
    });
    this.crossover = new CrossoverScreen(redraw);
    this.decision = new DecisionScreen(redraw);
    this.search = new SearchScreen(redraw);
    this.nav = [
      this.datasets,
      this.runs,
      this.search,
      new ProvidersScreen(redraw),
      new ArmsScreen(redraw),
      new FinetuneScreen(redraw, (runId, budget, batch) => {
        location.hash = "#/runs";
        void this.runs.startPrepared(runId, budget, batch);
      }),
      this.crossover,
      new PricesScreen(redraw),
    ];
    this.current = this.datasets;
  }

  start(): void {
    window.addEventListener("hashchange", () => void this.route());
    call(commands.appInfo())
      .then((info) => {
        this.info = info;
        this.draw();
      })
      .catch(() => undefined);
    void getCurrentWebview().onDragDropEvent((event) => {
      const p = event.payload;
      this.dragging = p.type === "enter" || p.type === "over";
      if (p.type === "drop" && p.paths.length > 0) void this.dropped(p.paths[0]);
      this.draw();
    });
    void this.route();
  }

  /** A dropped experiment file shows what it would do, to run once confirmed (on the
   * Prompt search screen, to search its arm A); anything else is a test set to import. */
  private async dropped(path: string): Promise<void> {
    if (/\.toml$/i.test(path) && this.current === this.search) {
      await this.search.review(path);
    } else if (/\.toml$/i.test(path)) {
      location.hash = "#/runs";
      await this.runs.start(path);
    } else {
      await this.importer.start(path);
    }
  }

  private async pickFile(): Promise<void> {
    const path = await chooseFile([{ name: "Test sets", extensions: IMPORTABLE }]);
    if (path !== null) await this.importer.start(path);
  }

  private async route(): Promise<void> {
    const [name, arg, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
    const prices = this.nav.find((s): s is PricesScreen => s instanceof PricesScreen);
    if (prices) prices.prefill = name === "prices" && arg === "add" ? priceFor(rest) ?? { model: "", kind: "base", provider: "" } : null;
    if (name === "dataset" && Number(arg) > 0) {
      this.dataset.datasetId = Number(arg);
      this.current = this.dataset;
    } else if (name === "offline" && Number(arg) > 0) {
      this.offline.datasetId = Number(arg);
      this.current = this.offline;
    } else if (name === "crossover") {
      this.crossover.runId = Number(arg) > 0 ? Number(arg) : 0;
      this.current = this.crossover;
    } else if (name === "decision" && Number(arg) > 0) {
      this.decision.runId = Number(arg);
      this.current = this.decision;
    } else if (name === "run" && Number(arg) > 0) {
      this.results.runId = Number(arg);
      this.current = this.results;
    } else {
      this.current = this.nav.find((s) => s.id === name) ?? this.datasets;
    }
    this.draw();
    await this.current.show();
  }

  private draw(): void {
    const section =
      this.current === this.dataset || this.current === this.offline
        ? this.datasets
        : this.current === this.results || this.current === this.decision
          ? this.runs
          : this.current;
    render(
      html`<div class="shell">
          <nav class="sidebar" aria-label="Main">
            <div class="brand">Tunebench</div>
            <ul>
              ${this.nav.map(
                (s) => html`<li>
                  <a href="#/${s.id}" id="nav-${s.id}" class=${s === section ? "active" : ""}
                    aria-current=${s === section ? "page" : "false"}>${s.title}</a>
                </li>`,
              )}
            </ul>
            <footer class="store" title=${this.info?.db_path ?? ""}>
              ${this.info ? html`v${this.info.version} · store: <code>${this.info.db_path}</code>` : ""}
            </footer>
          </nav>
          <main class="content" id="screen-${this.current.id}">${this.current.view()}</main>
        </div>
        ${this.dragging && !this.importer.open
          ? html`<div class="drop-hint" id="drop-hint">Drop the file to import it</div>`
          : nothing}
        ${this.importer.view()}`,
      this.root,
    );
  }
}
