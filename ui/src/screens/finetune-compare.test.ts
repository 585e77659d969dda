import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { FineTuneJob_Serialize as Job, PreparedComparison_Serialize as PreparedComparison } from "../bindings";
import { compareButton, comparisonView } from "./finetune-compare";

const job = (over: Partial<Job>): Job =>
  ({ id: 4, status: "succeeded", result_arm_id: 9, source_arm_id: 2, ...over }) as unknown as Job;

describe("run the comparison", () => {
  it("offers the button only once the job succeeded with its arm", () => {
    const compare = vi.fn();
    const el = document.createElement("div");
    render(compareButton(job({}), compare), el);
    (el.querySelector("button.compare") as HTMLButtonElement).click();
    expect(compare).toHaveBeenCalledWith(4);
    for (const over of [{ status: "running" }, { result_arm_id: null }, { source_arm_id: null }] as Partial<Job>[]) {
      const none = document.createElement("div");
      render(compareButton(job(over), compare), none);
      expect(none.querySelector("button.compare")).toBeNull();
    }
  });

  it("names the experiment and starts the prepared run with the ceiling given", () => {
    const c = {
      experiment_id: 3, reused: true,
      prepared: { run_id: 11, estimate: { calls: 6, arms: [], cost_usd: 0.012, unpriced_arms: [] } },
    } as unknown as PreparedComparison;
    const start = vi.fn();
    const el = document.createElement("div");
    render(comparisonView(c, start, vi.fn()), el);
    expect(el.textContent).toContain("Experiment 3 (made earlier, reused)");
    expect(el.querySelector("#run-estimate")?.textContent).toContain("Run 11");
    const budget = el.querySelector("#run-budget") as HTMLInputElement;
    budget.value = "0.5";
    budget.dispatchEvent(new Event("change"));
    (el.querySelector("#run-start") as HTMLButtonElement).click();
    expect(start).toHaveBeenCalledWith(0.5, null);
  });
});
