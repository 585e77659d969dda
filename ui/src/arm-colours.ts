// The colour of each arm, as every chart draws its series (crates/tunebench-core/src/chart/
// palette.rs): Okabe and Ito's palette for colour-blind readers, arm A, B, C, … in order,
// six per theme. A swatch beside an arm's name ties a column to its line in a chart.
import { html, type TemplateResult } from "lit-html";

export const ARM_COLOURS = {
  light: ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00"],
  dark: ["#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#F0E442", "#D55E00"],
} as const;

/** The letters of arms A to F. */
export const LETTERS = "ABCDEF";

/** The colour of the arm at `position` (0 is arm A) in `theme`. */
export function armColour(position: number, theme: "light" | "dark" = "light"): string {
  const palette = ARM_COLOURS[theme];
  return palette[position % palette.length];
}

/** A small square in the arm's chart colour; decorative, so screen readers skip it. */
export function armSwatch(position: number, theme: "light" | "dark" = "light"): TemplateResult {
  return html`<span class="swatch" aria-hidden="true" data-arm=${LETTERS[position] ?? ""} style="background: ${armColour(position, theme)}"></span>`;
}
