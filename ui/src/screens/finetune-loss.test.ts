import { render } from "lit-html";
import { describe, expect, it } from "vitest";
import type { FineTuneJob_Serialize as Job, JobEvent_Serialize as JobEvent } from "../bindings";
import { lossCount, lossRow, staleCharts } from "./finetune-loss";

const ev = (step: number | undefined, loss: number | null | undefined): JobEvent =>
  ({ at: "2026-11-30T10:00:00Z", level: "info", message: "m", step, loss }) as JobEvent;
const job = (id: number, events: JobEvent[]): Job => ({ id, events }) as unknown as Job;

describe("loss chart", () => {
  it("counts only events that carry a finite loss", () => {
    expect(lossCount(job(1, [ev(1, 1.5), ev(2, null), ev(undefined, undefined), ev(3, Number.NaN), ev(4, 0.7)]))).toBe(2);
  });

  it("asks for a chart when a job has losses it was not drawn from", () => {
    const jobs = [job(1, [ev(1, 1.5), ev(2, 0.8)]), job(2, []), job(3, [ev(1, 2)])];
    expect(staleCharts(jobs, {})).toEqual([1, 3]);
    expect(staleCharts(jobs, { 1: { losses: 2, svg: "" }, 3: { losses: 0, svg: "" } })).toEqual([3]);
  });

  it("shows the core's SVG under the job's row, and nothing before it is drawn", () => {
    const el = document.createElement("table");
    render(lossRow(job(7, []), { losses: 1, svg: '<svg xmlns="http://www.w3.org/2000/svg"><text>Training loss</text></svg>' }), el);
    expect(el.querySelector('tr[data-loss="7"] svg text')?.textContent).toBe("Training loss");
    const none = document.createElement("table");
    render(lossRow(job(7, []), undefined), none);
    expect(none.querySelector("tr")).toBeNull();
  });
});
