import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { FineTuneJob_Serialize as Job, PreflightReport_Serialize as Report } from "../bindings";
import { estimateText, finetuneView, preflightRequest, type Actions, type Form, type State } from "./finetune";

const form: Form = {
  dataset_id: 1, arm_id: 2, provider_id: 3, trainer: "openai", base_model: "gpt-4.1-mini-2025-04-14",
  epochs: "3", learning_rate_multiplier: "", lora_rank: "16", ceiling: "20", fireworks_account: "", azure_deployment: "",
};

function actions(): Actions {
  return {
    changed: vi.fn(), preflight: vi.fn(), start: vi.fn(), refresh: vi.fn(), cancel: vi.fn(),
    compare: vi.fn(), startComparison: vi.fn(), closeComparison: vi.fn(),
  };
}

function state(over: Partial<State>): State {
  return { datasets: [], arms: [], providers: [], form, report: null, jobs: [], error: null, busy: false, ...over };
}

function report(ok: boolean): Report {
  return {
    trainer: "openai", base_model: "gpt-4.1-mini-2025-04-14", examples: 600, token_method: "o200k_base",
    max_example_tokens: 410, file_bytes: 250000,
    rules: { min_examples: 10, max_example_tokens: 65536, max_file_bytes: 512e6, default_epochs: null },
    labels: [],
    findings: ok ? [] : [{ severity: "error", code: "over_ceiling", message: "the estimate ($30.00) is above the spend ceiling of $20.00", rows: [] }],
    estimate: {
      tokens_per_epoch: 2_000_000, epochs: 3, trained_tokens: 6_000_000, price_per_1m: 5, price_source: "x",
      training_cost: 30, hosting_per_hour: null, missing: null, provider_estimate: null, spend_ceiling: 20,
    },
    ok,
  };
}

function draw(s: State, a: Actions): HTMLElement {
  const el = document.createElement("div");
  render(finetuneView(s, a), el);
  return el;
}

describe("fine-tune screen", () => {
  it("says when OpenAI closes new jobs and sends only the trainer's own knobs", () => {
    const el = draw(state({}), actions());
    expect(el.querySelector("#ft-openai-note")?.textContent).toContain("2027-01-06");
    const req = preflightRequest(form);
    expect(req.hyperparameters).toEqual({ epochs: 3, learning_rate_multiplier: null, lora_rank: null });
    expect(req.spend_ceiling).toBe(20);
    const together = draw(state({ form: { ...form, trainer: "together" } }), actions());
    expect(together.querySelector("#ft-openai-note")).toBeNull();
    expect(preflightRequest({ ...form, trainer: "together" }).hyperparameters.lora_rank).toBe(16);
  });

  it("states the estimate with its numbers and keeps Start off while preflight refuses", () => {
    expect(estimateText(report(true))).toBe(
      "2,000,000 tokens × 3 epochs = 6,000,000 trained tokens × $5.00 per 1M = $30.00.",
    );
    const refused = draw(state({ report: report(false) }), actions());
    expect((refused.querySelector("#ft-start") as HTMLButtonElement).disabled).toBe(true);
    expect(refused.querySelector("#ft-findings")?.textContent).toContain("above the spend ceiling");
    const ready = draw(state({ report: report(true) }), actions());
    expect((ready.querySelector("#ft-start") as HTMLButtonElement).disabled).toBe(false);
  });

  it("lists jobs with their measured cost, the arm they became, and cancel for live ones", () => {
    const base = { trainer: "openai", base_model: "m", status: "succeeded", poll_failures: 0, wall_seconds: 1830,
      training_cost: 0.6, estimated_cost: 1, result_arm_id: 9, error_message: null, events: [] } as unknown as Job;
    const live = { ...base, id: 2, status: "running", poll_failures: 2, training_cost: null, result_arm_id: null, wall_seconds: null } as Job;
    const a = actions();
    const el = draw(state({ jobs: [{ ...base, id: 1 } as Job, live] }), a);
    const done = el.querySelector('tr[data-job="1"]')!;
    expect(done.textContent).toContain("$0.60 measured");
    expect(done.textContent).toContain("arm 9");
    expect(done.textContent).toContain("1,830 s");
    expect(done.querySelector("button.cancel")).toBeNull();
    const running = el.querySelector('tr[data-job="2"]')!;
    expect(running.textContent).toContain("2 polls failed, retrying");
    (running.querySelector("button.cancel") as HTMLButtonElement).click();
    expect(a.cancel).toHaveBeenCalledWith(2);
  });

  it("shows a finished job's loss chart under its row and its comparison one click away", () => {
    const j = { id: 5, trainer: "openai", base_model: "m", status: "succeeded", poll_failures: 0, wall_seconds: 60,
      training_cost: 0.6, estimated_cost: 1, result_arm_id: 9, source_arm_id: 2, error_message: null,
      events: [{ at: "t", level: "info", message: "s1", step: 1, loss: 1.5 }, { at: "t", level: "info", message: "s2", step: 2, loss: 0.8 }],
    } as unknown as Job;
    const a = actions();
    expect(draw(state({ jobs: [j] }), a).querySelector('tr[data-loss="5"]')).toBeNull();
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>Training loss, fine-tune job 5</text></svg>';
    const el = draw(state({ jobs: [j], charts: { 5: { losses: 2, svg } } }), a);
    expect(el.querySelector('tr[data-loss="5"] svg')?.textContent).toBe("Training loss, fine-tune job 5");
    (el.querySelector('tr[data-job="5"] button.compare') as HTMLButtonElement).click();
    expect(a.compare).toHaveBeenCalledWith(5);
  });
});
