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
