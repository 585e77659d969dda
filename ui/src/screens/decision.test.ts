import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { DecisionView_Serialize as DecisionView, Questions_Serialize as Questions } from "../bindings";

// `decide` answers only when the test says so, like a recompute that takes a while.
const calls: { questions: Questions | null; answer: (v: DecisionView) => void }[] = [];
vi.mock("../bindings", () => ({
  commands: {
    decide: (_runId: number, _today: string, questions: Questions | null) =>
      new Promise((resolve) => {
        calls.push({ questions, answer: (data) => resolve({ status: "ok", data }) });
      }),
  },
}));

const { DecisionScreen } = await import("./decision");

const saved: Questions = {
  format: "none", domain_language: false, latency_budget_p95_ms: null, queries_per_day: 1000, monthly_growth: 0,
  knowledge_change: "quarterly", portability_needed: false, new_information: false, labelled_examples: 0,
};

function view(questions: Questions): DecisionView {
  return {
    run_id: 3, questions, cost_note: null, evidence: {} as DecisionView["evidence"],
    recommendation: { choice: "keep_prompting", headline: "Keep prompting", reasons: [], conflicts: [] } as unknown as DecisionView["recommendation"],
  };
}

const settle = () => new Promise((ok) => setTimeout(ok, 0));

describe("decision screen", () => {
  it("keeps every answer given while an earlier one is still being recomputed", async () => {
    const el = document.createElement("div");
    const screen = new DecisionScreen(() => render(screen.view(), el));
    screen.runId = 3;
    const shown = screen.show();
    await settle();
    calls[0].answer(view(saved));
    await shown;

    const tick = (id: string) => {
      const box = el.querySelector(id) as HTMLInputElement;
      box.checked = true;
      box.dispatchEvent(new Event("change"));
    };
    tick("#q-domain");
    tick("#q-new-info");
    await settle();
    expect((el.querySelector("#q-domain") as HTMLInputElement).checked, "the form shows both answers at once").toBe(true);
    expect((el.querySelector("#q-new-info") as HTMLInputElement).checked).toBe(true);
    expect(calls.length, "one recompute at a time").toBe(2);
    expect(calls[1].questions).toMatchObject({ domain_language: true, new_information: false });

    calls[1].answer(view(calls[1].questions as Questions));
    await settle();
    expect(calls.length).toBe(3);
    expect(calls[2].questions, "the later answer carries the earlier one").toMatchObject({
      domain_language: true, new_information: true,
    });
    calls[2].answer(view(calls[2].questions as Questions));
    await settle();
    expect((el.querySelector("#q-domain") as HTMLInputElement).checked).toBe(true);
    expect((el.querySelector("#q-new-info") as HTMLInputElement).checked).toBe(true);
  });
});
