// Providers: where each model answers from, how hard to push it, and where its key lives.
// Add or edit one, file its key in the OS keychain (never in the store), and test the
// connection with one tiny request, reading the latency or the failure in plain words.
import { html, nothing, type TemplateResult } from "lit-html";
import { call, describe } from "../api";
import {
  commands,
  type ConnectionCheck_Serialize as ConnectionCheck,
  type KeySource,
  type Provider_Serialize as Provider,
  type ProviderKind,
} from "../bindings";
import type { Redraw, Screen } from "../screen";
import { errorBox } from "../widgets";
import { act, type ActState } from "../act";

/** The add/edit form, every field as typed. */
export interface ProviderDraft {
  name: string;
  kind: ProviderKind;
  base_url: string;
  api_key_env: string;
  max_concurrency: string;
  requests_per_minute: string;
  timeout_s: string;
  max_attempts: string;
  api_version: string;
  /** Typed once, sent to the keychain, then cleared. */
  key: string;
}

export interface State extends ActState {
  providers: Provider[];
  draft: ProviderDraft | null;
  /** Per provider id: the model to test with, and the last check. */
  testModel: Record<number, string>;
  checks: Record<number, ConnectionCheck | "testing">;
  /** Per provider id: where its key would come from now. */
  keys: Record<number, KeySource>;
  /** The provider whose deletion waits for a confirmation. */
  deleting: number | null;
  error: string | null;
  notice: string | null;
}

export interface Actions {
  add(): void;
  edit(p: Provider): void;
  cancel(): void;
  save(): void;
  saveKey(): void;
  test(p: Provider): void;
  changed(): void;
  /** Asks to confirm deleting `p` (null: keep it). */
  askDelete(p: Provider | null): void;
  remove(p: Provider): void;
}

/** Where a provider's key comes from, in the words of the table. */
export function keyText(k: KeySource | undefined): TemplateResult {
  if (!k) return html`<span class="muted">…</span>`;
  if (k.kind === "env") return html`<code>$${k.var}</code>`;
  if (k.kind === "keychain") return html`keychain`;
  return html`<span class="muted" title=${k.note}>none</span>`;
}

const KINDS: [ProviderKind, string][] = [
  ["openai", "OpenAI"],
  ["azure_openai", "Azure OpenAI"],
  ["anthropic", "Anthropic"],
  ["openai_compatible", "OpenAI-compatible (Ollama, vLLM, …)"],
];

/** A kind's name in the table: its label without the examples in brackets. */
export function kindName(kind: ProviderKind): string {
  return (KINDS.find(([k]) => k === kind)?.[1] ?? kind).replace(/ \(.*\)$/, "");
}

/** Each kind's real default base URL; Azure has none (every resource has its own host). */
export const DEFAULT_BASE_URL: Record<ProviderKind, string> = {
  openai: "https://api.openai.com/v1",
  azure_openai: "",
  anthropic: "https://api.anthropic.com/v1",
  openai_compatible: "http://localhost:11434/v1",
  // A GGUF file Tunebench serves itself: no address until a run starts its server.
  local: "local",
};

/** The base URL field's hint: the shape of the address when there is no default. */
const BASE_URL_HINT: Record<ProviderKind, string> = {
  ...DEFAULT_BASE_URL,
  azure_openai: "https://YOUR-RESOURCE.openai.azure.com (or …/openai/v1)",
};

/** Switches the draft's kind; a base URL still empty or at the old kind's default becomes
 * the new kind's default, one the user typed is kept. */
export function setKind(d: ProviderDraft, kind: ProviderKind): void {
  if (d.base_url.trim() === "" || d.base_url === DEFAULT_BASE_URL[d.kind]) d.base_url = DEFAULT_BASE_URL[kind];
  d.kind = kind;
}

export function emptyDraft(): ProviderDraft {
  return {
    name: "", kind: "openai_compatible", base_url: DEFAULT_BASE_URL.openai_compatible, api_key_env: "", max_concurrency: "8",
    requests_per_minute: "0", timeout_s: "60", max_attempts: "5", api_version: "", key: "",
  };
}

export function draftOf(p: Provider): ProviderDraft {
  const s = p.settings;
  return {
    name: p.name, kind: p.kind, base_url: p.base_url, api_key_env: p.api_key_env ?? "",
    max_concurrency: String(s.max_concurrency), requests_per_minute: String(s.requests_per_minute),
    timeout_s: String(s.timeout_s), max_attempts: String(s.max_attempts),
    api_version: s.api_version ?? "", key: "",
  };
}

/** One sentence for a connection check. */
export function checkText(c: ConnectionCheck): string {
  const ms = c.latency_ms === null ? "" : ` in ${Math.round(c.latency_ms)} ms`;
  return c.ok ? `Connected${ms}; the model replied “${c.message.trim()}”.` : `Failed${ms}: ${c.message}`;
}

export function providersView(s: State, a: Actions): TemplateResult {
  return html`<header class="screen-head">
      <div><h1>Providers</h1><div class="muted small">Keys live in environment variables or the OS keychain, never in the store.</div></div>
      <div class="actions"><button class="primary" id="provider-add" @click=${a.add}>Add provider…</button></div>
    </header>
    ${errorBox(s.error, "providers-error")}
    ${s.notice ? html`<div class="notice" id="providers-notice">${s.notice}</div>` : nothing}
    ${s.draft ? draftView(s.draft, a) : nothing}
    ${s.providers.length === 0
      ? html`<p class="muted" id="providers-empty">No providers yet. Add one, or run an experiment file that names one.</p>`
      : html`<table class="grid compact" id="providers-table">
          <thead><tr><th>Name</th><th>Kind</th><th>Base URL</th><th>Key from</th><th class="num" title="The most requests sent at once">At once</th>
            <th class="num">Req/min</th><th>Test with model</th><th></th><th>Result</th></tr></thead>
          <tbody>${s.providers.map((p) => row(p, s, a))}</tbody>
        </table>`}`;
}

function row(p: Provider, s: State, a: Actions): TemplateResult {
  const check = s.checks[p.id];
  return html`<tr id="provider-${p.id}">
    <td class="nowrap">${p.name}</td><td class="nowrap">${kindName(p.kind)}</td><td class="url"><code>${p.base_url}</code></td>
    <td class="key-source">${keyText(s.keys[p.id])}</td>
    <td class="num">${p.settings.max_concurrency}</td>
    <td class="num">${p.settings.requests_per_minute === 0 ? "no limit" : p.settings.requests_per_minute}</td>
    <td><input class="test-model" placeholder="latest arm's model" .value=${s.testModel[p.id] ?? ""}
      @input=${(e: Event) => (s.testModel[p.id] = (e.target as HTMLInputElement).value)} /></td>
    <td><button class="test-connection" ?disabled=${check === "testing"} @click=${() => a.test(p)}>Test connection</button>
      <button class="edit-provider" @click=${() => a.edit(p)}>Edit</button>
      ${s.deleting === p.id
        ? html`<span class="confirm-inline" id="confirm-provider-${p.id}">Delete ${p.name}?${keyFate(s.keys[p.id])}
            <button class="danger" id="confirm-provider-${p.id}-yes" @click=${() => a.remove(p)}>Delete</button>
            <button @click=${() => a.askDelete(null)}>Keep</button></span>`
        : html`<button class="delete-provider" @click=${() => a.askDelete(p)}>Delete</button>`}</td>
    <td class="check result ${check && check !== "testing" ? (check.ok ? "good" : "bad") : ""}">${
      check === "testing" ? "Testing…" : check ? checkText(check) : ""
    }</td>
  </tr>`;
}

/** What deleting a provider does to its key: a keychain entry goes with it, an environment
 * variable is never touched. */
function keyFate(k: KeySource | undefined): string {
  if (k?.kind === "keychain") return " Its API key is removed from the OS keychain too.";
  if (k?.kind === "env") return ` The environment variable $${k.var} is left as it is.`;
  return "";
}

function draftView(d: ProviderDraft, a: Actions): TemplateResult {
  const field = (key: keyof ProviderDraft, label: string, placeholder = "", type = "text") =>
    html`<label>${label}<input id="provider-${key}" type=${type} placeholder=${placeholder} .value=${d[key]}
      autocomplete="off" @input=${(e: Event) => {
        (d as unknown as Record<string, string>)[key] = (e.target as HTMLInputElement).value;
        a.changed();
      }} /></label>`;
  return html`<section class="panel" id="provider-draft">
    <h3>Provider</h3>
    <div class="form-grid">
      ${field("name", "Name", "e.g. local")}
      <label>Kind<select id="provider-kind" @change=${(e: Event) => {
        setKind(d, (e.target as HTMLSelectElement).value as ProviderKind);
        a.changed();
      }}>${KINDS.map(([k, label]) => html`<option value=${k} ?selected=${d.kind === k}>${label}</option>`)}</select></label>
      ${field("base_url", "Base URL", `e.g. ${BASE_URL_HINT[d.kind] || DEFAULT_BASE_URL.openai}`)}
      ${field("api_key_env", "Environment variable holding the key (optional)", "e.g. OPENAI_API_KEY")}
      ${field("max_concurrency", "Max concurrent requests")}
      ${field("requests_per_minute", "Requests per minute (0 = no limit)")}
      ${field("timeout_s", "Timeout (seconds)")}
      ${field("max_attempts", "Attempts per request")}
      ${d.kind === "azure_openai" ? field("api_version", "api-version", "e.g. 2024-10-21") : nothing}
    </div>
    <div class="actions"><button class="primary" id="provider-save" @click=${a.save}>Save</button>
      <button @click=${a.cancel}>Cancel</button></div>
    <div class="form-grid">
      ${field("key", "API key (filed in the OS keychain, not shown again)", "", "password")}
    </div>
    <div class="actions"><button id="provider-save-key" ?disabled=${d.name.trim() === "" || d.key === ""}
      @click=${a.saveKey}>Save key to keychain</button></div>
  </section>`;
}

/** A whole number from the form, or a message naming the field. */
function whole(v: string, label: string): number {
  const n = Number(v.trim());
  if (v.trim() === "" || !Number.isInteger(n) || n < 0) throw new Error(`${label} must be a whole number, not “${v}”.`);
  return n;
}

export class ProvidersScreen implements Screen {
  readonly id = "providers";
  readonly title = "Providers";
  private state: State = { providers: [], draft: null, testModel: {}, checks: {}, keys: {}, deleting: null, busy: null, error: null, notice: null };

  constructor(private readonly redraw: Redraw) {}

  async show(): Promise<void> {
    await this.load();
  }

  private async load(): Promise<void> {
    try {
      this.state.providers = await call(commands.listProviders());
      const sources = await Promise.all(
        this.state.providers.map((p) => call(commands.providerKeySource(p.name, p.api_key_env ?? null))),
      );
      this.state.keys = Object.fromEntries(this.state.providers.map((p, i) => [p.id, sources[i]]));
    } catch (err) {
      this.state.error = describe(err);
    }
    this.redraw();
  }

  private act(work: () => Promise<string | null>, label = "Saving…"): Promise<void> {
    return act(this.state, this.redraw, label, async () => {
      const said = await work();
      await this.load();
      return said;
    });
  }

  private readonly actions: Actions = {
    add: () => { this.state.draft = emptyDraft(); this.redraw(); },
    edit: (p) => { this.state.draft = draftOf(p); this.redraw(); },
    cancel: () => { this.state.draft = null; this.redraw(); },
    changed: () => this.redraw(),
    askDelete: (p) => { this.state.deleting = p?.id ?? null; this.redraw(); },
    remove: (p) =>
      this.act(async () => {
        this.state.deleting = null;
        return await call(commands.deleteProvider(p.id));
      }),
    save: () =>
      this.act(async () => {
        const d = this.state.draft;
        if (!d) return null;
        if (d.name.trim() === "" || d.base_url.trim() === "") throw new Error("A provider needs a name and a base URL.");
        const timeout = Number(d.timeout_s.trim());
        if (!(timeout > 0)) throw new Error(`Timeout must be a number of seconds above 0, not “${d.timeout_s}”.`);
        // Settings the form does not show (streaming, backoff, tokens per minute) are kept.
        const kept = this.state.providers.find((p) => p.name === d.name.trim())?.settings ?? {};
        const saved = await call(
          commands.saveProvider(d.name.trim(), d.kind, d.base_url.trim(), d.api_key_env.trim() || null, {
            ...kept,
            max_concurrency: Math.max(1, whole(d.max_concurrency, "Max concurrent requests")),
            requests_per_minute: whole(d.requests_per_minute, "Requests per minute"),
            timeout_s: timeout,
            max_attempts: Math.max(1, whole(d.max_attempts, "Attempts per request")),
            api_version: d.kind === "azure_openai" && d.api_version.trim() ? d.api_version.trim() : null,
          }),
        );
        this.state.draft = null;
        return `Saved provider ${saved.name}.`;
      }),
    saveKey: () =>
      this.act(async () => {
        const d = this.state.draft;
        if (!d) return null;
        const key = d.key;
        d.key = "";
        await call(commands.saveProviderKey(d.name.trim(), key));
        return `Filed the key for ${d.name.trim()} in the OS keychain.`;
      }),
    test: async (p) => {
      this.state.checks[p.id] = "testing";
      this.redraw();
      try {
        this.state.checks[p.id] = await call(commands.testProvider(p.id, this.state.testModel[p.id] ?? ""));
      } catch (err) {
        this.state.checks[p.id] = { ok: false, latency_ms: null, message: describe(err), error_class: null, http_status: null };
      }
      this.redraw();
    },
  };

  view(): TemplateResult {
    return providersView(this.state, this.actions);
  }
}
