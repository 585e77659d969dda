// The price catalog: dated public prices seeded with the app, plus the team's own entries,
// which win over the seed. Import and export as JSON; add or delete custom entries.
import { html, nothing, type TemplateResult } from "lit-html";
import { call, describe } from "../api";
import { chooseFile, chooseSavePath } from "../files";
import { commands, type MissingPrice, type PriceEntry_Serialize as PriceEntry, type PriceKind } from "../bindings";
import type { Redraw, Screen } from "../screen";
import { errorBox } from "../widgets";
import { act, type ActState } from "../act";

export interface Draft {
  provider: string;
  model_pattern: string;
  kind: PriceKind;
  input: string;
  cached_input: string;
  cache_write: string;
  output: string;
  training: string;
  hosting_per_hour: string;
  retirement_date: string;
  source: string;
}

export const EMPTY: Draft = {
  provider: "", model_pattern: "", kind: "base", input: "", cached_input: "", cache_write: "", output: "",
  training: "", hosting_per_hour: "", retirement_date: "", source: "",
};

/** The price a link asks for: `#/prices/add/MODEL/KIND[/SELLER]` (the model URL-encoded;
 * the seller, a provider kind, empty when not known). */
export function priceFor(parts: string[]): MissingPrice | null {
  if (!parts[0]) return null;
  return {
    model: decodeURIComponent(parts[0]),
    kind: parts[1] === "fine_tuned" ? "fine_tuned" : "base",
    provider: decodeURIComponent(parts[2] ?? ""),
  };
}

/** Where the price form opens for `p`. */
export function priceHref(p: MissingPrice): string {
  const seller = p.provider ? `/${encodeURIComponent(p.provider)}` : "";
  return `#/prices/add/${encodeURIComponent(p.model)}/${p.kind === "fine_tuned" ? "fine_tuned" : "base"}${seller}`;
}

/** A link to the price form for `model`, where a cost is unknown for want of a price. */
export function priceLink(model: string, kind: string, provider = ""): TemplateResult {
  const href = priceHref({ model, kind: kind === "fine_tuned" ? "fine_tuned" : "base", provider });
  return html`<a class="price-link" href=${href} title="Add a price for ${model}">no price: add one →</a>`;
}

/** The form filled with the price asked for (the seller left to choose when not known). */
export function prefilledDraft(p: MissingPrice): Draft {
  return { ...EMPTY, model_pattern: p.model, kind: p.kind, provider: p.provider };
}

export class PricesScreen implements Screen, ActState {
  readonly id = "prices";
  readonly title = "Prices";
  /** Set by a "no price: add one" link: the form opens for this model. */
  prefill: MissingPrice | null = null;
  private entries: PriceEntry[] = [];
  busy: string | null = null;
  error: string | null = null;
  notice: string | null = null;
  private filter = "";
  private draft: Draft | null = null;

  constructor(private readonly redraw: Redraw) {}

  async show(): Promise<void> {
    this.notice = null;
    if (this.prefill) {
      this.draft = prefilledDraft(this.prefill);
      this.notice = `Add the price of ${this.prefill.model || "the model without one"}: the answers already recorded for it are priced from it, so results, the runs list and cost at scale show their cost.`;
    }
    await this.load();
  }

  private async load(): Promise<void> {
    try {
      this.entries = await call(commands.listPrices());
    } catch (err) {
      this.error = describe(err);
    }
    this.redraw();
  }

  private act(work: () => Promise<string | null>, label = "Saving…"): Promise<void> {
    return act(this, this.redraw, label, async () => {
      const said = await work();
      await this.load();
      return said;
    });
  }

  private importFile = () =>
    this.act(async () => {
      const path = await chooseFile([{ name: "JSON", extensions: ["json"] }]);
      if (path === null) return null;
      const r = await call(commands.importPrices(path));
      return `Imported ${r.imported} custom prices from ${r.file}.`;
    });

  private exportFile = () =>
    this.act(async () => {
      const path = await chooseSavePath("tunebench-prices.json", [{ name: "JSON", extensions: ["json"] }]);
      if (!path) return null;
      const n = await call(commands.exportPrices(path));
      return `Exported ${n} prices to ${path}.`;
    });

  private saveDraft = () =>
    this.act(async () => {
      const d = this.draft;
      if (!d) return null;
      const n = (v: string) => (v.trim() === "" ? null : Number(v));
      const priced = await call(
        commands.savePrice({
          provider: d.provider.trim(),
          model_pattern: d.model_pattern.trim(),
          kind: d.kind,
          input: n(d.input),
          cached_input: n(d.cached_input),
          cache_write: n(d.cache_write),
          output: n(d.output),
          batch_multiplier: null,
          training: n(d.training),
          training_unit: n(d.training) === null ? null : "per_1m_tokens",
          hosting_per_hour: n(d.hosting_per_hour),
          retirement_date: d.retirement_date.trim() || null,
          source: d.source.trim() || "entered by hand",
          as_of: new Date().toISOString().slice(0, 10),
          origin: "custom",
        }),
      );
      this.draft = null;
      return `Saved the price of ${d.model_pattern}.${priced > 0 ? ` ${priced} answers recorded without a cost are now priced from it.` : ""}`;
    });

  private remove = (e: PriceEntry) =>
    this.act(async () => {
      await call(commands.deletePrice(e.provider, e.model_pattern, e.kind));
      return `Deleted the custom price of ${e.model_pattern}.`;
    });

  view(): TemplateResult {
    const f = this.filter.toLowerCase();
    const shown = this.entries.filter(
      (e) => !f || e.model_pattern.toLowerCase().includes(f) || e.provider.toLowerCase().includes(f),
    );
    const money = (v: number | null) => (v === null ? html`<span class="muted">–</span>` : `$${v}`);
    return html`<header class="screen-head">
        <div><h1>Prices</h1><div class="muted small">USD per 1M tokens unless stated. A custom entry wins over the seed for the same model.</div></div>
        <div class="actions">
          <button class="primary" id="price-add" @click=${() => { this.draft = { ...EMPTY }; this.redraw(); }}>Add price…</button>
          <button id="price-import" @click=${this.importFile}>Import JSON…</button>
          <button id="price-export" @click=${this.exportFile}>Export JSON…</button>
        </div>
      </header>
      ${errorBox(this.error, "prices-error")}
      ${this.notice ? html`<div class="notice" id="prices-notice">${this.notice}</div>` : nothing}
      ${this.draft ? priceDraftView(this.draft, sellers(this.entries), this.saveDraft, () => { this.draft = null; this.redraw(); }) : nothing}
      <input type="search" id="prices-search" placeholder="Filter by model or provider…" .value=${this.filter}
        @input=${(e: Event) => { this.filter = (e.target as HTMLInputElement).value; this.redraw(); }} />
      <table class="grid compact" id="prices-table">
        <thead><tr><th>Provider</th><th>Model</th><th>Kind</th><th class="num">Input</th><th class="num">Cached</th>
          <th class="num">Output</th><th class="num">Training</th><th class="num">Hosting/h</th><th>Retires</th><th>Source, as of</th><th></th></tr></thead>
        <tbody>${shown.map(
          (e) => html`<tr class=${e.origin}>
            <td>${e.provider}</td><td><code>${e.model_pattern}</code></td><td>${e.kind === "fine_tuned" ? "fine-tuned" : "base"}</td>
            <td class="num">${money(e.input)}</td><td class="num">${money(e.cached_input)}</td><td class="num">${money(e.output)}</td>
            <td class="num">${e.training === null ? html`<span class="muted">–</span>` : `$${e.training}${e.training_unit === "per_hour" ? "/h" : ""}`}</td>
            <td class="num">${money(e.hosting_per_hour)}</td>
            <td>${e.retirement_date ?? ""}</td>
            <td class="small" title="${e.source}"><span class="tag">${e.origin}</span> as of ${e.as_of}
              <div class="source-text muted">${e.source}</div></td>
            <td class="nowrap">${e.origin === "custom" ? html`<button class="danger small-btn" @click=${() => this.remove(e)}>Delete</button>` : nothing}</td>
          </tr>`,
        )}</tbody>
      </table>`;
  }
}

/** Who sells a model, as the catalog names it: the provider kinds, then any other seller the
 * catalog already lists (together, fireworks, …). */
export function sellers(entries: PriceEntry[]): string[] {
  const kinds = ["openai", "azure_openai", "anthropic", "openai_compatible"];
  return [...kinds, ...[...new Set(entries.map((e) => e.provider))].filter((p) => !kinds.includes(p)).sort()];
}

/** The custom-price form. The seller is a kind (openai, anthropic, …), not a stored
 * provider's name: one price serves every provider of that kind. */
export function priceDraftView(d: Draft, sellerChoices: string[], save: () => void, cancel: () => void): TemplateResult {
  const field = (key: keyof Draft, label: string, placeholder = "") =>
    html`<label>${label}<input id="draft-${key}" placeholder=${placeholder} .value=${d[key]}
      @input=${(e: Event) => ((d as unknown as Record<string, string>)[key] = (e.target as HTMLInputElement).value)} /></label>`;
  if (d.provider === "") d.provider = sellerChoices[0] ?? "openai";
  // A seller asked for by a "no price" link that the list does not hold yet (`local`, …).
  if (!sellerChoices.includes(d.provider)) sellerChoices = [...sellerChoices, d.provider];
  return html`<section class="panel" id="price-draft">
    <h3>Custom price</h3>
    <div class="form-grid">
      <label>Provider kind (who sells the model, not a stored provider's name)<select id="draft-provider"
        @change=${(e: Event) => (d.provider = (e.target as HTMLSelectElement).value)}>
        ${sellerChoices.map((k) => html`<option value=${k} ?selected=${k === d.provider}>${k}</option>`)}
      </select></label>
      ${field("model_pattern", "Model or pattern", "e.g. ft:gpt-4.1-mini:*")}
      <label>Kind<select id="draft-kind" @change=${(e: Event) => (d.kind = (e.target as HTMLSelectElement).value as PriceKind)}>
        <option value="base" ?selected=${d.kind === "base"}>base</option>
        <option value="fine_tuned" ?selected=${d.kind === "fine_tuned"}>fine-tuned</option>
      </select></label>
      ${field("input", "Input $/1M")} ${field("cached_input", "Cached input $/1M")}
      ${field("cache_write", "Cache write $/1M", "1.25 × input if empty")} ${field("output", "Output $/1M")}
      ${field("training", "Training $/1M tokens")} ${field("hosting_per_hour", "Hosting $/hour")}
      ${field("retirement_date", "Base model retires", "YYYY-MM-DD")}
      ${field("source", "Source", "e.g. contract, quote, pricing page")}
    </div>
    <div class="actions"><button class="primary" id="draft-save" @click=${save}>Save</button>
      <button @click=${cancel}>Cancel</button></div>
  </section>`;
}
