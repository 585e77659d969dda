// Small view pieces shared by screens: label bars, progress bar, modal frame, error box.
// Each is a pure function of its arguments.
import { html, nothing, type TemplateResult } from "lit-html";
import { count } from "./format";

export interface LabelShare {
  label: string;
  count: number;
}

/** A horizontal bar per label, widths relative to the total. */
export function labelBars(labels: LabelShare[], max = 8): TemplateResult {
  const total = labels.reduce((s, l) => s + l.count, 0) || 1;
  const shown = labels.slice(0, max);
  const rest = labels.length - shown.length;
  return html`<div class="label-bars">
    ${shown.map(
      (l) => html`<div class="label-bar" title="${l.label}: ${count(l.count)}">
        <span class="label-name">${l.label}</span>
        <span class="bar"><span style="width:${((100 * l.count) / total).toFixed(1)}%"></span></span>
        <span class="label-count">${count(l.count)} · ${((100 * l.count) / total).toFixed(0)}%</span>
      </div>`,
    )}
    ${rest > 0 ? html`<div class="muted small">and ${rest} more labels</div>` : nothing}
  </div>`;
}

export function progressBar(percent: number, id = "progress"): TemplateResult {
  const p = Math.max(0, Math.min(100, percent));
  return html`<div class="progress" id=${id} role="progressbar" aria-valuemin="0"
    aria-valuemax="100" aria-valuenow=${p.toFixed(0)}>
    <span style="width:${p.toFixed(1)}%"></span>
  </div>`;
}

export function errorBox(message: string | null, id = "error"): TemplateResult {
  return message
    ? html`<div class="error-box" role="alert" id=${id}>${message}</div>`
    : html``;
}

/** A modal dialog frame; `onClose` runs on the close button and on Escape. */
export function modal(
  title: string,
  body: TemplateResult,
  footer: TemplateResult,
  onClose: (() => void) | null,
  id = "modal",
): TemplateResult {
  const key = (e: KeyboardEvent) => {
    if (e.key === "Escape" && onClose) onClose();
  };
  return html`<div class="modal-backdrop" @keydown=${key}>
    <div class="modal" role="dialog" aria-modal="true" aria-labelledby="${id}-title" id=${id}>
      <header>
        <h2 id="${id}-title">${title}</h2>
        ${onClose ? html`<button class="icon" aria-label="Close" @click=${onClose}>×</button>` : nothing}
      </header>
      <div class="modal-body">${body}</div>
      <footer>${footer}</footer>
    </div>
  </div>`;
}

/** What a number field accepts. */
export interface NumberRule {
  /** The field's name as the label shows it, used in the message. */
  label: string;
  min?: number;
  max?: number;
  /** Whole numbers only. */
  whole?: boolean;
  /** Greater than 0 (a margin, a fraction). */
  positive?: boolean;
  /** An empty field is allowed and means `null`. */
  optional?: boolean;
}

/** The number typed into a field, or the sentence that says why it is not one (quoting it). */
export function parseNumber(text: string, r: NumberRule): number | null | string {
  const t = text.trim().replace(/,/g, "");
  if (t === "") return r.optional ? null : `${r.label} is empty: type a number.`;
  const n = Number(t);
  const range =
    r.min !== undefined && r.max !== undefined
      ? ` between ${r.min} and ${r.max}`
      : r.min !== undefined
        ? r.min > 0 ? " above 0" : ` of at least ${r.min}`
        : r.positive ? " above 0" : "";
  const kind = r.whole ? "a whole number" : "a number";
  if (!Number.isFinite(n) || (r.whole && !Number.isInteger(n)) || (r.min !== undefined && n < r.min) || (r.max !== undefined && n > r.max) || (r.positive && n <= 0)) {
    return `${r.label}: “${text.trim()}” is not ${kind}${range}.`;
  }
  return n;
}

/** A number field that checks what is typed as it is typed: a mistake is named next to the
 * field (quoting the text) and cleared by the next edit; `onValue` gets only valid numbers,
 * when the field is committed. Typed as text so the app sees exactly what was entered. */
export function numberField(
  id: string,
  value: number | null,
  rule: NumberRule,
  onValue: (v: number | null) => void,
): TemplateResult {
  const check = (e: Event, commit: boolean) => {
    const input = e.target as HTMLInputElement;
    const parsed = parseNumber(input.value, rule);
    const note = input.parentElement?.querySelector(`#${id}-error`);
    const bad = typeof parsed === "string";
    input.toggleAttribute("aria-invalid", bad);
    if (note) note.textContent = bad ? parsed : "";
    if (!bad && commit) onValue(parsed);
  };
  return html`<input type="text" inputmode="decimal" id=${id} autocomplete="off"
      .value=${value === null ? "" : String(value)}
      @input=${(e: Event) => check(e, false)} @change=${(e: Event) => check(e, true)}
    /><span class="field-error" id="${id}-error" role="alert"></span>`;
}
