import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type {
  ArmBatchProgress_Serialize as ArmBatchProgress,
  BatchEstimate_Serialize as BatchEstimate,
  PreparedRun_Serialize as PreparedRun,
  RunEstimate_Serialize as Estimate,
  RunListEntry,
} from "../bindings";
import { armBatchLine, batchChoice } from "./batch";
import { estimateView } from "./experiment-form";
import { runsTable } from "./runs";

const live = {
  calls: 40, cost_usd: 2, unpriced_arms: [],
  arms: [
    { arm_id: 1, name: "prompting", calls: 20, input_tokens: 2000, max_output_tokens: 80, cost_usd: 1.5 },
    { arm_id: 2, name: "fine-tuned", calls: 20, input_tokens: 2000, max_output_tokens: 80, cost_usd: 0.5 },
  ],
} as unknown as Estimate;

// 4 of 20 cases per arm live for latency, 16 batched at half price: 1.5 × (4 + 16 × 0.5) / 20 = 0.9,
// 0.5 × 12 / 20 = 0.3; the fine-tuned arm's catalog entry gives no batch price (priced live).
const batch: BatchEstimate = {
  live,
  arms: [
    { arm_id: 1, name: "prompting", sample_calls: 4, batch_calls: 16, multiplier: 0.5, live_cost_usd: 1.5, batch_cost_usd: 0.9 },
    { arm_id: 2, name: "fine-tuned", sample_calls: 4, batch_calls: 16, multiplier: null, live_cost_usd: 0.5, batch_cost_usd: 0.5 },
  ],
  batch_cost_usd: 1.4,
  settings: { on_failure: "live", latency_sample: 4 },
};

describe("live or batch before Start", () => {
  it("shows both estimates and hands back the batch settings only when Batch is picked", () => {
    const pick = vi.fn();
    const el = document.createElement("div");
    render(batchChoice(live, batch, pick), el);
    expect(el.querySelector("#run-mode-live-cost")?.textContent).toBe("$2.00");
    expect(el.querySelector("#run-mode-batch-cost")?.textContent).toBe("$1.40");
    const text = el.querySelector("#run-mode")?.textContent?.replace(/\s+/g, " ") ?? "";
    expect(text).toContain("Batch (cheaper, up to 24 h)");
    expect(text).toContain("32 calls batched and 8 sent live to measure latency");
    expect(text).toContain("prompting: $0.90 batched (50 % of the live price) vs $1.50 live");
    expect(text).toContain("fine-tuned: $0.50 batched (the catalog gives no batch price: priced live)");
    const batchRadio = el.querySelector("#run-mode-batch") as HTMLInputElement;
    batchRadio.checked = true;
    batchRadio.dispatchEvent(new Event("change"));
    expect(pick).toHaveBeenLastCalledWith({ on_failure: "live", latency_sample: 4 });
    const liveRadio = el.querySelector("#run-mode-live") as HTMLInputElement;
    liveRadio.checked = true;
    liveRadio.dispatchEvent(new Event("change"));
    expect(pick).toHaveBeenLastCalledWith(null);
  });

  it("offers no batch choice when an arm's provider has no batch API", () => {
    const el = document.createElement("div");
    render(batchChoice(live, null, vi.fn()), el);
    expect(el.querySelector("#run-mode")).toBeNull();
  });

  it("starts the prepared run live by default and as a batch run once Batch is picked", () => {
    const start = vi.fn();
    const prepared = { run_id: 7, estimate: live, batch } as PreparedRun;
    const el = document.createElement("div");
    render(estimateView(prepared, start, vi.fn()), el);
    (el.querySelector("#run-start") as HTMLButtonElement).click();
    expect(start).toHaveBeenLastCalledWith(null, null);
    const radio = el.querySelector("#run-mode-batch") as HTMLInputElement;
    radio.checked = true;
    radio.dispatchEvent(new Event("change"));
    (el.querySelector("#run-start") as HTMLButtonElement).click();
    expect(start).toHaveBeenLastCalledWith(null, batch.settings);
  });
});

describe("batch progress in the Runs list", () => {
  const progress = (p: Partial<ArmBatchProgress>): ArmBatchProgress => ({
    arm_id: 1, parts: 2, submitted: 20000, in_progress: 12000, completed: 7900, failed: 100,
    state: "in_progress", provider_status: "in_progress", ...p,
  });

  it("shows each arm's submitted, in-progress, completed and failed counts with the provider's state", () => {
    const el = document.createElement("div");
    render(armBatchLine(progress({ state: "finalizing", provider_status: "finalizing" })), el);
    expect(el.textContent?.replace(/\s+/g, " ").trim()).toBe(
      "batch: 20,000 submitted in 2 batches · 12,000 in progress · 7,900 completed · 100 failed · finalizing",
    );
    render(armBatchLine(progress({ parts: 1, state: "completed", provider_status: "ended" })), el);
    expect(el.textContent).toContain("1 batch ·");
    expect(el.querySelector(".tag")?.textContent).toBe("completed (provider: ended)");
  });

  it("puts the line under the arm it belongs to, and none under a live run's arms", () => {
    const arm = (arm_id: number, name: string) => ({
      arm_id, name, model: `${name}-model`, total: 10, n: 4, answered: 4, errors: 0, errors_by_class: [],
      metric: 0.8, latency_ms_p50: 100, latency_ms_p95: 200, ttft_ms_p50: null,
      prompt_tokens_mean: 10, completion_tokens_mean: 1, cost_per_query: 0.001, from_cache: 0,
    });
    const entry = (run_id: number, b: ArmBatchProgress[]): RunListEntry => ({
      experiment: "tickets", started_at: "2026-11-29T07:00:00Z", batch: b,
      summary: { run_id, status: "interrupted", primary_metric: "accuracy", arms: [arm(1, "prompting"), arm(2, "fine-tuned")] },
    });
    const el = document.createElement("div");
    render(runsTable([entry(1, [progress({ arm_id: 2, submitted: 6, in_progress: 0, completed: 5, failed: 1, parts: 1, state: "ingested", provider_status: "completed" })]), entry(2, [])], true, vi.fn(), vi.fn()), el);
    const lines = el.querySelectorAll("tr[data-run-id='1'] .batch-progress");
    expect(lines.length).toBe(1);
    expect(lines[0].getAttribute("data-arm-id")).toBe("2");
    expect(lines[0].textContent).toContain("5 completed");
    expect(lines[0].textContent).toContain("ingested (provider: completed)");
    expect(el.querySelectorAll("tr[data-run-id='2'] .batch-progress").length).toBe(0);
  });
});
