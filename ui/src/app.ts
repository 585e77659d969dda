// The app shell: navigation, the current screen, and the footer with the store's location.
// Only screens that work are listed here; each new screen is one entry in `screens`.
import { html, render } from "lit-html";
import { call } from "./api";
import { commands, type AppInfo } from "./bindings";
import type { Screen } from "./screen";
import { DatasetsScreen } from "./screens/datasets";

export class App {
  private readonly screens: Screen[];
  private current: Screen;
  private info: AppInfo | null = null;

  constructor(private readonly root: HTMLElement) {
    const redraw = () => this.draw();
    this.screens = [new DatasetsScreen(redraw)];
    this.current = this.screens[0];
  }

  start(): void {
    window.addEventListener("hashchange", () => void this.route());
    call(commands.appInfo())
      .then((info) => {
        this.info = info;
        this.draw();
      })
      .catch(() => undefined);
    void this.route();
  }

  private async route(): Promise<void> {
    const id = location.hash.replace(/^#\/?/, "");
    this.current = this.screens.find((s) => s.id === id) ?? this.screens[0];
    this.draw();
    await this.current.show();
  }

  private draw(): void {
    render(
      html`<div class="shell">
        <nav class="sidebar" aria-label="Main">
          <div class="brand">Tunebench</div>
          <ul>
            ${this.screens.map(
              (s) => html`<li>
                <a href="#/${s.id}" id="nav-${s.id}" class=${s === this.current ? "active" : ""}
                  aria-current=${s === this.current ? "page" : "false"}>${s.title}</a>
              </li>`,
            )}
          </ul>
          <footer class="store" title=${this.info?.db_path ?? ""}>
            ${this.info ? html`v${this.info.version} · store: <code>${this.info.db_path}</code>` : ""}
          </footer>
        </nav>
        <main class="content" id="screen-${this.current.id}">${this.current.view()}</main>
      </div>`,
      this.root,
    );
  }
}
