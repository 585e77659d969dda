// The validation report of a dataset, as a view: counts, lengths, labels and warnings.
import { html, nothing, type TemplateResult } from "lit-html";
import type { ValidationReport_Serialize as ValidationReport } from "./bindings";
import { count } from "./format";
import { labelBars } from "./widgets";

export function reportView(r: ValidationReport): TemplateResult {
  return html`<section class="report" id="report">
    ${r.warnings.length > 0
      ? html`<ul class="warnings" id="report-warnings">
          ${r.warnings.map((w) => html`<li data-code=${w.code}>${w.message}</li>`)}
        </ul>`
      : nothing}
    <dl class="facts">
      <div><dt>Rows</dt><dd id="report-rows">${count(r.rows)}</dd></div>
      <div><dt>Train / test</dt><dd>${count(r.train_rows)} / ${count(r.test_rows)}${
        r.unassigned_rows > 0 ? html` <span class="muted">(${count(r.unassigned_rows)} unassigned)</span>` : nothing
      }${
        r.validation_rows > 0
          ? html` <span class="muted" id="report-validation">(+ ${count(r.validation_rows)} validation, carved from train)</span>`
          : nothing
      }</dd></div>
      <div><dt>Empty inputs</dt><dd>${count(r.empty_inputs)}</dd></div>
      <div><dt>Empty expected</dt><dd>${count(r.empty_expected)}</dd></div>
      <div><dt>Duplicate rows</dt><dd>${count(r.duplicate_rows)}</dd></div>
      <div><dt>Encoding</dt><dd>${r.encoding}</dd></div>
      <div><dt>Input length</dt><dd>median ${count(r.input_chars.p50)} chars, p95 ${count(r.input_chars.p95)}, max ${count(r.input_chars.max)}</dd></div>
      <div><dt>Input tokens</dt><dd>median ${count(r.input_tokens.p50)}, total ${count(r.input_tokens.total ?? 0)}
        <span class="muted small">(${r.token_estimate})</span></dd></div>
    </dl>
    ${r.labelled && r.labels.length > 0
      ? html`<h3>Label distribution</h3>${labelBars(r.labels)}`
      : html`<p class="muted small">The expected values are free text, not labels.</p>`}
  </section>`;
}
