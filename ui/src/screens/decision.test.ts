import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { DecisionView_Serialize as DecisionView, Questions_Serialize as Questions } from "../bindings";

// `decide` answers only when the test says so, like a recompute that takes a while.
const calls: {
  runId: number;
  questions: Questions | null;
  answer: (v: DecisionView) => void;
  fail: (message: string) => void;
}[] = [];
// Run 5's arm A came from a prompt search; no other run's did.
const SENTENCE = "Prompting arm chosen from 18 candidates on 240 validation cases; the chosen one scored 0.87 [0.83, 0.91] there.";
vi.mock("../bindings", () => ({
  commands: {
    armASearch: (runId: number) =>
      Promise.resolve({ status: "ok", data: runId === 5 ? { search_id: 2, candidates: 18, sentence: SENTENCE } : null }),
    decide: (runId: number, _today: string, questions: Questions | null) =>
      new Promise((resolve) => {
        calls.push({
          runId,
          questions,
          answer: (data) => resolve({ status: "ok", data }),
          fail: (message) => resolve({ status: "error", error: { code: "invalid_input", message } }),
        });
      }),
  },
}));

const { DecisionScreen } = await import("./decision");

const saved: Questions = {
  format: "none", domain_language: false, latency_budget_p95_ms: null, queries_per_day: 1000, monthly_growth: 0,
  knowledge_change: "quarterly", portability_needed: false, new_information: false, labelled_examples: 0,
  quality_parity_enough: false,
};

function view(questions: Questions, runId = 3): DecisionView {
  return {
    run_id: runId, questions, cost_note: null, evidence: {} as DecisionView["evidence"],
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

  it("never shows the previous run's decision on a run whose decision failed or is still coming", async () => {
    calls.length = 0;
    const el = document.createElement("div");
    const screen = new DecisionScreen(() => render(screen.view(), el));
    screen.runId = 3;
    const first = screen.show();
    await settle();
    calls[0].answer(view(saved, 3));
    await first;
    expect(el.querySelector("#recommendation"), "run 3's decision is shown on run 3").not.toBeNull();

    screen.runId = 4;
    const second = screen.show();
    render(screen.view(), el);
    expect(el.querySelector("#recommendation"), "no decision while run 4's is computed").toBeNull();
    await settle();
    calls[1].fail("run 4 has no case answered by both arms yet; nothing to report");
    await second;
    expect(el.querySelector("#recommendation"), "run 3's decision is not shown under run 4's error").toBeNull();
    expect(el.querySelector("#decision-error")?.textContent).toContain("run 4 has no case answered");
  });

  it("drops a decision that arrives for a run the screen has left", async () => {
    calls.length = 0;
    const el = document.createElement("div");
    const screen = new DecisionScreen(() => render(screen.view(), el));
    screen.runId = 3;
    const first = screen.show();
    await settle();
    screen.runId = 4;
    calls[0].answer(view(saved, 3));
    await first;
    render(screen.view(), el);
    expect(el.querySelector("#recommendation")).toBeNull();
  });
});

describe("decision screen, arm A from a search", () => {
  it("states how arm A was chosen beside the recommendation, and nothing for a hand-written arm A", async () => {
    calls.length = 0;
    const el = document.createElement("div");
    const screen = new DecisionScreen(() => render(screen.view(), el));
    screen.runId = 5;
    const shown = screen.show();
    await settle();
    calls[0].answer(view(saved, 5));
    await shown;
    expect(el.querySelector("#recommendation")).not.toBeNull();
    expect(el.querySelector("#arm-choice-sentence")?.textContent).toBe(SENTENCE);

    screen.runId = 3;
    const other = screen.show();
    await settle();
    calls[1].answer(view(saved, 3));
    await other;
    expect(el.querySelector("#recommendation")).not.toBeNull();
    expect(el.querySelector("#arm-choice")).toBeNull();
  });
});

describe("decision questions", () => {
  it("names a volume that is not a number next to the field and keeps the saved one", async () => {
    const { questionsView } = await import("./decision");
    const answer = vi.fn();
    const el = document.createElement("div");
    render(questionsView(saved, answer), el);
    const input = el.querySelector("#q-volume") as HTMLInputElement;
    input.value = "lots";
    input.dispatchEvent(new Event("input"));
    input.dispatchEvent(new Event("change"));
    expect(el.querySelector("#q-volume-error")?.textContent).toBe("Queries per day: “lots” is not a number of at least 0.");
    expect(answer).not.toHaveBeenCalled();
    input.value = "50,000";
    input.dispatchEvent(new Event("input"));
    expect(el.querySelector("#q-volume-error")?.textContent).toBe("");
    input.dispatchEvent(new Event("change"));
    expect(answer).toHaveBeenCalledWith({ queries_per_day: 50000 });
  });
});

describe("decision of a run of three arms", () => {
  it("states the verdict over every arm and its comparisons above the recommendation, and what that weighs", async () => {
    const { THREE } = await import("./several-arms.fixture");
    calls.length = 0;
    const el = document.createElement("div");
    const screen = new DecisionScreen(() => render(screen.view(), el));
    screen.runId = 3;
    const shown = screen.show();
    await settle();
    const verdict =
      "hybrid is the best arm that clears the margin of 0.037 against prompting: hybrid − prompting on accuracy is +0.25 (1 vs 0.75; 95 % CI +0.19 to +0.31; Holm-adjusted p < 0.001)";
    calls[0].answer({
      ...view(saved),
      several_arms: {
        verdict, verdict_kind: "justified", comparisons: THREE,
        recommendation_scope: "weighs C: hybrid against A: prompting, the best arm that clears the margin after Holm's correction",
      },
    });
    await shown;
    expect(el.querySelector("#arms-verdict")?.textContent).toBe(verdict);
    const rows = [...el.querySelectorAll("#comparisons-table tbody tr")];
    expect(rows.map((r) => `${r.getAttribute("data-arm")} vs ${r.getAttribute("data-against")}`)).toEqual([
      "fine-tuned vs prompting", "hybrid vs prompting", "hybrid vs fine-tuned",
    ]);
    expect(el.querySelector("#recommendation-scope")?.textContent).toBe(
      "The recommendation below weighs C: hybrid against A: prompting, the best arm that clears the margin after Holm's correction.",
    );
    // The verdict over every arm comes first, then the recommendation it frames.
    const order = [...el.querySelectorAll("#arms-verdict, #comparisons, #recommendation")].map((x) => x.id);
    expect(order).toEqual(["arms-verdict", "comparisons", "recommendation"]);
  });

  it("shows nothing of the kind for two arms", async () => {
    const { severalArmsView } = await import("./decision");
    const el = document.createElement("div");
    render(severalArmsView(view(saved)), el);
    expect(el.innerHTML.replace(/<!--.*?-->/g, "")).toBe("");
  });
});
