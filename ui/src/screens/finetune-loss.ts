// A fine-tune job's training-loss chart under its row: the SVG the core draws with plotters
// (like every chart), fetched again whenever the poller brings the job a new loss.
import { html, nothing, type TemplateResult } from "lit-html";
import { unsafeSVG } from "lit-html/directives/unsafe-svg.js";
import type { FineTuneJob_Serialize as Job } from "../bindings";

/** A drawn chart and how many losses it was drawn from. */
export interface LossChart {
  losses: number;
  svg: string;
}

/** How many of job `j`'s events carry a training loss. */
export function lossCount(j: Job): number {
  return (j.events ?? []).filter((e) => typeof e.loss === "number" && Number.isFinite(e.loss)).length;
}

/** The ids of the jobs with losses whose chart is missing or drawn from fewer losses. */
export function staleCharts(jobs: Job[], charts: Record<number, LossChart>): number[] {
  return jobs.filter((j) => lossCount(j) > 0 && (charts[j.id]?.losses ?? -1) !== lossCount(j)).map((j) => j.id);
}

/** The row under job `j`'s row holding its chart, once drawn. */
export function lossRow(j: Job, chart: LossChart | undefined): TemplateResult | typeof nothing {
  return chart
    ? html`<tr class="ft-loss-row" data-loss=${j.id}><td colspan="8"><div class="chart ft-loss">${unsafeSVG(chart.svg)}</div></td></tr>`
    : nothing;
}
