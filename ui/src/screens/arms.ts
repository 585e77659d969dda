// The arm editor: an arm's kind (prompting, or a fine-tuned model), provider, model, system
// prompt, template and few-shot settings, with the messages it would send for a chosen test case and their token count,
// re-rendered by the core ~200 ms after each edit. Start from a stored arm, save as a new one.
import { html, nothing, type TemplateResult } from "lit-html";
import { call, describe } from "../api";
import {
  commands,
  type Arm_Serialize as Arm,
  type ArmDraft_Deserialize as ArmDraft,
  type ArmKind,
  type DatasetSummary,
  type Example,
  type FewShotStrategy,
  type PromptPreview,
  type Provider_Serialize as Provider,
} from "../bindings";
import type { Redraw, Screen } from "../screen";
import { errorBox } from "../widgets";

/** The form, every field as typed. */
export interface ArmForm {
  /** `prompt`, or `fine_tuned`: a fine-tuned arm's cost at scale includes training. */
  kind: ArmKind;
  provider_id: number;
  model: string;
  system_prompt: string;
  template: string;
  k: string;
  strategy: FewShotStrategy;
  seed: string;
  max_tokens: string;
  temperature: string;
  /** The name to save the arm under. */
  name: string;
}

export interface State {
  datasets: DatasetSummary[];
  providers: Provider[];
  arms: Arm[];
  datasetId: number;
  cases: Example[];
  exampleId: number;
  form: ArmForm;
  preview: PromptPreview | null;
  /** Why the preview could not be rendered (an unknown column, a missing train split…). */
  previewError: string | null;
  error: string | null;
  notice: string | null;
  /** The stored arm whose deletion waits for a confirmation. */
  deleting: number | null;
}

export interface Actions {
  startFrom(arm: Arm): void;
  save(): void;
  pickDataset(id: number): void;
  pickCase(id: number): void;
  edited(): void;
  /** Asks to confirm deleting `arm` (null: keep it). */
  askDelete(arm: Arm | null): void;
  remove(arm: Arm): void;
}

export function emptyForm(providerId = 0): ArmForm {
  return {
    kind: "prompt", provider_id: providerId, model: "", system_prompt: "", template: "{{input}}", k: "0", strategy: "random",
    seed: "", max_tokens: "", temperature: "", name: "",
  };
}

/** The form filled from a stored arm (a hybrid arm's edit keeps its model, not its retrieval). */
export function formOf(arm: Arm): ArmForm {
  const g = arm.params;
  const n = (v: number | null | undefined) => (v === null || v === undefined ? "" : String(v));
  return {
    kind: arm.kind === "prompt" ? "prompt" : "fine_tuned", provider_id: arm.provider_id, model: arm.model, system_prompt: arm.system_prompt, template: arm.template,
    k: String(arm.few_shot?.k ?? 0), strategy: arm.few_shot?.strategy === "similar" ? "similar" : "random",
    seed: n(arm.few_shot?.seed), max_tokens: n(g.max_tokens), temperature: n(g.temperature), name: `${arm.name} (edited)`,
  };
}

/** The draft the core renders, or a sentence naming the field that is not a number. */
export function draftOf(f: ArmForm): ArmDraft | string {
  const opt = (v: string, label: string, whole: boolean): number | null | string => {
    if (v.trim() === "") return null;
    const n = Number(v.trim());
    if (!Number.isFinite(n) || n < 0 || (whole && !Number.isInteger(n))) return `${label} must be a ${whole ? "whole " : ""}number, not “${v}”.`;
    return n;
  };
  const k = opt(f.k, "Few-shot k", true);
  const seed = opt(f.seed, "Seed", true);
  const maxTokens = opt(f.max_tokens, "Max tokens", true);
  const temperature = opt(f.temperature, "Temperature", false);
  for (const v of [k, seed, maxTokens, temperature]) if (typeof v === "string") return v;
  return {
    kind: f.kind,
    provider_id: f.provider_id,
    model: f.model.trim(),
    system_prompt: f.system_prompt,
    template: f.template,
    few_shot: k ? { k: k as number, strategy: f.strategy, seed: seed as number | null, ids: [] } : null,
    max_tokens: maxTokens as number | null,
    temperature: temperature as number | null,
  };
}

export function armsView(s: State, a: Actions): TemplateResult {
  const f = s.form;
  const withTests = s.datasets.filter((d) => d.test_rows > 0);
  const unsplit = s.datasets.filter((d) => d.test_rows === 0);
  const splitFirst = unsplit.map((d) => html`<span class="muted small unsplit" data-dataset-id=${d.id}>${d.name} has no test split:
    <a href="#/dataset/${d.id}">Split it first →</a></span>`);
  const text = (key: "model" | "k" | "seed" | "max_tokens" | "temperature", label: string, placeholder = "") =>
    html`<label>${label}<input id="arm-${key}" placeholder=${placeholder} .value=${f[key]}
      @input=${(e: Event) => { f[key] = (e.target as HTMLInputElement).value; a.edited(); }} /></label>`;
  return html`<header class="screen-head">
      <div><h1>Arms</h1><div class="muted small">Edit a prompting or fine-tuned arm and read what it sends for one held-out case.</div></div>
    </header>
    ${errorBox(s.error, "arms-error")}
    ${s.notice ? html`<div class="notice" id="arms-notice">${s.notice}</div>` : nothing}
    ${withTests.length === 0
      ? html`<p class="muted" id="arms-empty">No dataset has a test split yet. Import one and split it first.</p>${splitFirst}`
      : html`<div class="panels">
        <section class="panel" id="arm-form">
          <div class="form-grid">
            <label>Dataset<select id="arm-dataset" @change=${(e: Event) => a.pickDataset(Number((e.target as HTMLSelectElement).value))}>
              ${withTests.map((d) => html`<option value=${d.id} ?selected=${d.id === s.datasetId}>${d.name}</option>`)}
              ${unsplit.map((d) => html`<option value=${d.id} disabled>${d.name} (not split yet)</option>`)}
            </select>${splitFirst}</label>
            <label>Test case<select id="arm-case" @change=${(e: Event) => a.pickCase(Number((e.target as HTMLSelectElement).value))}>
              ${s.cases.map((c) => html`<option value=${c.id} ?selected=${c.id === s.exampleId}>#${c.ordinal + 1} ${c.input.slice(0, 60)}</option>`)}
            </select></label>
            <label>Start from<select id="arm-start" @change=${(e: Event) => {
              const arm = s.arms.find((x) => x.id === Number((e.target as HTMLSelectElement).value));
              if (arm) a.startFrom(arm);
            }}>
              <option value="0">(a new prompt arm)</option>
              ${s.arms.map((x) => html`<option value=${x.id}>${x.name} · ${x.model}</option>`)}
            </select></label>
            <label>Kind<select id="arm-kind" @change=${(e: Event) => { f.kind = (e.target as HTMLSelectElement).value as ArmKind; a.edited(); }}>
              ${([["prompt", "prompting"], ["fine_tuned", "fine-tuned model"]] as const).map(
                ([v, label]) => html`<option value=${v} ?selected=${f.kind === v}>${label}</option>`,
              )}
            </select></label>
            <label>Provider<select id="arm-provider" @change=${(e: Event) => { f.provider_id = Number((e.target as HTMLSelectElement).value); a.edited(); }}>
              <option value="0" ?selected=${f.provider_id === 0}>(none yet)</option>
              ${s.providers.map((p) => html`<option value=${p.id} ?selected=${p.id === f.provider_id}>${p.name}</option>`)}
            </select></label>
            ${text("model", "Model", "gpt-4.1-mini")}
            ${text("max_tokens", "Max tokens")} ${text("temperature", "Temperature")}
            ${text("k", "Few-shot examples (k)")}
            <label>Few-shot strategy<select id="arm-strategy" @change=${(e: Event) => { f.strategy = (e.target as HTMLSelectElement).value as FewShotStrategy; a.edited(); }}>
              ${(["random", "similar"] as const).map((v) => html`<option value=${v} ?selected=${f.strategy === v}>${v}</option>`)}
            </select></label>
            ${text("seed", "Seed")}
          </div>
          <label>System prompt<textarea id="arm-system" rows="3" .value=${f.system_prompt}
            @input=${(e: Event) => { f.system_prompt = (e.target as HTMLTextAreaElement).value; a.edited(); }}></textarea></label>
          <label>Template: {{input}} and metadata columns as {{column}}<textarea id="arm-template" rows="4" .value=${f.template}
            @input=${(e: Event) => { f.template = (e.target as HTMLTextAreaElement).value; a.edited(); }}></textarea></label>
          <div class="actions"><input id="arm-name" placeholder="Name of the new arm" .value=${f.name}
            @input=${(e: Event) => (f.name = (e.target as HTMLInputElement).value)} />
            <button class="primary" id="arm-save" @click=${a.save}>Save as new arm</button></div>
        </section>
        <section class="panel" id="arm-preview">
          <h3>What the model receives</h3>
          ${previewView(s)}
        </section>
      </div>`}
    ${armsList(s, a)}`;
}

/** The stored arms, with their kind, provider and model, each deletable after a confirmation. */
export function armsList(s: State, a: Actions): TemplateResult {
  if (s.arms.length === 0) return html`<p class="muted" id="arms-none">No arm stored yet: save one above, or run an experiment file that names some.</p>`;
  const provider = (id: number) => s.providers.find((p) => p.id === id)?.name ?? `provider ${id}`;
  return html`<section id="arms-list"><h3>Stored arms</h3>
    <table class="grid compact" id="arms-table">
      <thead><tr><th>Name</th><th>Kind</th><th>Provider</th><th>Model</th><th></th></tr></thead>
      <tbody>${s.arms.map((x) => html`<tr id="arm-row-${x.id}">
        <td>${x.name}</td><td>${x.kind === "fine_tuned" ? "fine-tuned" : x.kind === "prompt" ? "prompting" : x.kind}</td>
        <td>${provider(x.provider_id)}</td><td><code>${x.model}</code></td>
        <td class="actions">${s.deleting === x.id
          ? html`<span class="confirm-inline" id="confirm-arm-${x.id}">Delete ${x.name}?
              <button class="danger" id="confirm-arm-${x.id}-yes" @click=${() => a.remove(x)}>Delete</button>
              <button @click=${() => a.askDelete(null)}>Keep</button></span>`
          : html`<button class="small-btn" @click=${() => a.startFrom(x)}>Edit a copy</button>
              <button class="small-btn delete-arm" @click=${() => a.askDelete(x)}>Delete</button>`}</td>
      </tr>`)}</tbody>
    </table></section>`;
}

function previewView(s: State): TemplateResult {
  if (s.previewError) return html`<div class="error-box" role="alert" id="arm-preview-error">${s.previewError}</div>`;
  if (!s.preview) return html`<p class="muted">Pick a test case to see the rendered prompt.</p>`;
  return html`<div id="arm-tokens"><strong>${s.preview.tokens}</strong> prompt tokens</div>
    ${s.preview.messages.map(
      (m) => html`<div class="message ${m.role}"><span class="tag">${m.role}</span><pre class="message-text">${m.content}</pre></div>`,
    )}`;
}

export class ArmsScreen implements Screen {
  readonly id = "arms";
  readonly title = "Arms";
  private state: State = {
    datasets: [], providers: [], arms: [], datasetId: 0, cases: [], exampleId: 0, form: emptyForm(),
    preview: null, previewError: null, error: null, notice: null, deleting: null,
  };
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly redraw: Redraw) {}

  async show(): Promise<void> {
    const s = this.state;
    try {
      [s.datasets, s.providers, s.arms] = await Promise.all([
        call(commands.listDatasets()), call(commands.listProviders()), call(commands.listArms()),
      ]);
      if (s.form.provider_id === 0 && s.providers.length > 0) s.form.provider_id = s.providers[0].id;
      const first = s.datasets.find((d) => d.test_rows > 0 && (d.id === s.datasetId || s.datasetId === 0))
        ?? s.datasets.find((d) => d.test_rows > 0);
      if (first) await this.loadCases(first.id);
    } catch (err) {
      s.error = describe(err);
    }
    this.redraw();
  }

  private async loadCases(id: number): Promise<void> {
    const s = this.state;
    s.datasetId = id;
    s.cases = (await call(commands.datasetExamples(id, { offset: 0, limit: 100, search: null, split: "test" }))).rows;
    if (!s.cases.some((c) => c.id === s.exampleId)) s.exampleId = s.cases[0]?.id ?? 0;
    await this.render();
  }

  private async render(): Promise<void> {
    const s = this.state;
    if (s.exampleId === 0) return;
    const draft = draftOf(s.form);
    if (typeof draft === "string") {
      s.previewError = draft;
    } else {
      try {
        s.preview = await call(commands.previewArm(draft, s.exampleId));
        s.previewError = null;
      } catch (err) {
        s.previewError = describe(err);
      }
    }
    this.redraw();
  }

  private async save(): Promise<void> {
    const s = this.state;
    s.error = null;
    s.notice = null;
    const draft = draftOf(s.form);
    try {
      if (typeof draft === "string") throw new Error(draft);
      await call(commands.saveArm(s.form.name, draft));
      s.notice = `Saved arm ${s.form.name.trim()}.`;
      s.arms = await call(commands.listArms());
    } catch (err) {
      s.error = describe(err);
    }
    this.redraw();
  }

  private readonly actions: Actions = {
    startFrom: (arm) => { this.state.form = formOf(arm); this.state.notice = null; void this.render(); },
    save: () => void this.save(),
    pickDataset: (id) => void this.loadCases(id).catch((err) => { this.state.error = describe(err); this.redraw(); }),
    pickCase: (id) => { this.state.exampleId = id; void this.render(); },
    edited: () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.render(), 200);
    },
    askDelete: (arm) => { this.state.deleting = arm?.id ?? null; this.redraw(); },
    remove: (arm) => void this.remove(arm),
  };

  private async remove(arm: Arm): Promise<void> {
    const s = this.state;
    s.deleting = null;
    s.error = null;
    s.notice = null;
    try {
      s.notice = await call(commands.deleteArm(arm.id));
      s.arms = await call(commands.listArms());
    } catch (err) {
      s.error = describe(err);
    }
    this.redraw();
  }

  view(): TemplateResult {
    return armsView(this.state, this.actions);
  }
}
