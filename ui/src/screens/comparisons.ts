// The comparisons of a run of three or more arms, after Holm's correction: each arm against
// the prompting baseline A (and each hybrid arm against its fine-tuned arm), with the
// difference and its interval, the raw and the adjusted p-value, the margin and whether
// the arm clears it; the leading comparison (the one the verdict rests on) is marked. Shared
// by the results and decision screens.
import { html, nothing, type TemplateResult } from "lit-html";
import type { ArmComparison } from "../bindings";
import { armSwatch } from "../arm-colours";

/** A figure as the report's sentences write it: three decimals, trailing zeros dropped. */
export function num(x: number): string {
  const s = x.toFixed(3).replace(/0+$/, "").replace(/\.$/, "");
  return s === "-0" ? "0" : s;
}

/** `num` with a sign: "+0.125", "-0.04", "0". */
export function signed(x: number): string {
  const s = num(x);
  return s.startsWith("-") || s === "0" ? s : `+${s}`;
}

/** A p-value: three decimals, or "< 0.001". */
export function pText(p: number): string {
  return p < 0.001 ? "< 0.001" : num(p);
}

/** `f(v)`, or "–" when the figure is missing (a NaN in the core). */
function or(v: number | null | undefined, f: (x: number) => string): string {
  return v == null ? "–" : f(v);
}

/** What the margin rule found for one comparison, in words. */
export function outcome(c: ArmComparison): string {
  switch (c.verdict_kind) {
    case "justified":
      return "clears the margin";
    case "not_justified":
      return "does not clear the margin";
    default:
      return c.cases_to_settle != null ? `inconclusive; about ${c.cases_to_settle} paired cases would settle it` : "inconclusive";
  }
}

/** The comparisons table; `arms` are the run's arm names in order (for each arm's colour).
 * The correction itself is stated by the verdict, which ends with it. */
export function comparisonsTable(comparisons: ArmComparison[], arms: string[]): TemplateResult {
  const swatch = (name: string) => {
    const i = arms.indexOf(name);
    return i >= 0 ? armSwatch(i) : nothing;
  };
  return html`<section class="panel" id="comparisons">
    <h3>Comparisons</h3>
    <table class="grid compact" id="comparisons-table">
      <thead><tr><th>Arm</th><th>against</th><th class="num">n</th><th class="num">Difference [95 % CI]</th>
        <th class="num">p</th><th class="num">Holm-adjusted p</th><th class="num">Margin</th><th>Outcome</th></tr></thead>
      <tbody>${comparisons.map(
        (c) => html`<tr class=${c.leading ? "leading" : ""} data-arm=${c.arm} data-against=${c.against} title=${c.sentence}>
          <td>${swatch(c.arm)}${c.arm} <span class="muted small">${c.kind.replace("_", "-")}</span></td>
          <td>${c.against}${c.against_baseline ? nothing : html` <span class="muted small">(its fine-tuned arm)</span>`}</td>
          <td class="num">${c.n}</td>
          <td class="num">${or(c.difference, signed)} <span class="muted small">[${or(c.interval.low, signed)}, ${or(c.interval.high, signed)}]</span></td>
          <td class="num">${or(c.p_value, pText)} <span class="muted small">${c.p_method}</span></td>
          <td class="num">${or(c.holm_p, pText)}</td>
          <td class="num">${or(c.margin_absolute, num)}</td>
          <td class="verdict-${c.verdict_kind}">${outcome(c)}${c.leading ? html` <span class="tag">the verdict's</span>` : nothing}</td>
        </tr>`,
      )}</tbody>
    </table>
  </section>`;
}
