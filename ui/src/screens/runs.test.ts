import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { RunListEntry, RunStatus } from "../bindings";
import { runsTable } from "./runs";

function entry(id: number, status: RunStatus, errors: [number, number]): RunListEntry {
  const arm = (arm_id: number, name: string, e: number) => ({
    arm_id, name, model: `${name}-model-${id}`, total: 10, n: 10, answered: 10 - e, errors: e,
    errors_by_class: e > 0 ? [{ class: "timeout", count: e }] : [],
    metric: 0.8, latency_ms_p50: 100, latency_ms_p95: 200, ttft_ms_p50: null,
    prompt_tokens_mean: 10, completion_tokens_mean: 1, cost_per_query: 0.001, from_cache: 0,
  });
  return {
    experiment: "tickets", started_at: "2026-11-29T07:00:00Z",
    summary: { run_id: id, status, primary_metric: "accuracy", arms: [arm(1, "prompting", errors[0]), arm(2, "fine-tuned", errors[1])] },
  };
}

describe("runs table", () => {
  it("offers to retry a run's errors, and to resume one that did not finish", () => {
    const resume = vi.fn();
    const retry = vi.fn();
    const el = document.createElement("div");
    render(runsTable([entry(1, "completed", [2, 1]), entry(2, "running", [1, 0]), entry(3, "interrupted", [0, 0])], true, resume, retry), el);
    const button = el.querySelector("#retry-errors-1") as HTMLButtonElement;
    expect(button.textContent).toContain("Retry 3 errors");
    expect(el.querySelector("tr[data-run-id='2']")?.textContent).toContain("fine-tuned-model-2");
    button.click();
    expect(retry).toHaveBeenCalledWith(1);
    expect(el.querySelector("#retry-errors-2")).toBeNull();
    expect(el.querySelector("#retry-errors-3")).toBeNull();
    const row3 = el.querySelector("tr[data-run-id='3']");
    expect(row3?.textContent).toContain("Resume");
    expect(el.querySelector("tr[data-run-id='1']")?.textContent).not.toContain("Resume");
    render(runsTable([entry(4, "pending", [0, 0])], true, resume, retry), el);
    (el.querySelector("tr[data-run-id='4'] button") as HTMLButtonElement).click();
    expect(el.querySelector("tr[data-run-id='4'] button")?.textContent).toBe("Start");
    expect(resume).toHaveBeenCalledWith(4);
  });
});
