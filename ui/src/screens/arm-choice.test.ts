import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type {
  CandidateScore_Serialize as CandidateScore,
  SearchOutcome_Serialize as SearchOutcome,
} from "../bindings";

const armASearch = vi.fn();
const searchChart = vi.fn();
vi.mock("../bindings", () => ({ commands: { armASearch, searchChart } }));

const { ArmChoicePanel, armChoiceView } = await import("./arm-choice");

const SENTENCE =
  "Prompting arm chosen from 18 candidates on 240 validation cases, never the held-out test cases; the chosen one (model m2, by the rule: the best) scored accuracy 0.87 [0.83, 0.91] there on 240 cases.";

function score(index: number, mean: number): CandidateScore {
  return { index, name: `A #${index + 1}`, n: 240, errors: 0, mean, interval: { low: mean - 0.04, high: mean + 0.04, confidence: 0.95 }, cost_per_query: 0.001 };
}

function outcome(over: Partial<SearchOutcome> = {}): SearchOutcome {
  return {
    search_id: 4, experiment_id: 9, run_id: 11, status: "completed", primary_metric: "accuracy", candidates: 18,
    validation_cases: 240, rule: "best", rungs: [{ rung: { candidates: 18, cases: 240 }, ranked: [score(2, 0.87)] }],
    chosen: { score: score(2, 0.87), arm_id: 22, label: "model m2" }, calls_full: 4320, calls_made: 4320, spend_usd: 0.3,
    sentence: SENTENCE, test_run_id: null, ...over,
  };
}

const ok = <T,>(data: T) => Promise.resolve({ status: "ok", data });
const settle = () => new Promise((done) => setTimeout(done, 0));

describe("how arm A was chosen", () => {
  it("states the search's own sentence word for word, the candidates closed", () => {
    const el = document.createElement("div");
    render(armChoiceView({ outcome: outcome(), open: false, svg: null, error: null }, vi.fn()), el);
    expect(el.querySelector("#arm-choice-sentence")?.textContent).toBe(SENTENCE);
    expect(el.querySelector("#arm-choice-toggle")?.textContent?.trim()).toBe("Show the 18 candidates");
    expect(el.querySelector("#arm-choice-chart")).toBeNull();
  });

  it("shows nothing when arm A was written by hand or the search stopped before choosing", () => {
    for (const o of [null, outcome({ sentence: null, chosen: null, status: "cancelled" })]) {
      const el = document.createElement("div");
      render(armChoiceView({ outcome: o, open: true, svg: "<svg></svg>", error: null }, vi.fn()), el);
      expect(el.querySelector("#arm-choice")).toBeNull();
    }
  });

  it("draws the candidates' chart the first time they are opened, and only once", async () => {
    armASearch.mockReset().mockImplementation(() => ok(outcome()));
    searchChart.mockReset().mockImplementation(() => ok("<svg><circle class='chosen'/></svg>"));
    const el = document.createElement("div");
    const panel = new ArmChoicePanel(() => render(panel.view(), el));
    await panel.load(12);
    expect(armASearch).toHaveBeenCalledWith(12);
    expect(el.querySelector("#arm-choice-sentence")?.textContent).toBe(SENTENCE);
    const toggle = () => (el.querySelector("#arm-choice-toggle") as HTMLButtonElement).click();
    toggle();
    await settle();
    expect(searchChart).toHaveBeenCalledWith(4);
    expect(el.querySelector("#arm-choice-chart circle.chosen")).not.toBeNull();
    expect(el.querySelector("#arm-choice-toggle")?.getAttribute("aria-expanded")).toBe("true");
    toggle();
    await settle();
    expect(el.querySelector("#arm-choice-chart")).toBeNull();
    toggle();
    await settle();
    expect(el.querySelector("#arm-choice-chart")).not.toBeNull();
    expect(searchChart, "the chart is drawn once").toHaveBeenCalledTimes(1);
  });

  it("keeps the sentence and names the failure when the chart cannot be drawn", async () => {
    armASearch.mockReset().mockImplementation(() => ok(outcome()));
    searchChart.mockReset().mockImplementation(() =>
      Promise.resolve({ status: "error", error: { code: "not_found", message: "search 4 not found" } }));
    const el = document.createElement("div");
    const panel = new ArmChoicePanel(() => render(panel.view(), el));
    await panel.load(12);
    (el.querySelector("#arm-choice-toggle") as HTMLButtonElement).click();
    await settle();
    expect(el.querySelector("#arm-choice-sentence")?.textContent).toBe(SENTENCE);
    expect(el.querySelector("#arm-choice-error")?.textContent).toBe("search 4 not found");
  });

  it("drops an answer for a run the screen has left", async () => {
    let answer: (o: SearchOutcome) => void = () => {};
    armASearch.mockReset()
      .mockImplementationOnce(() => new Promise((done) => { answer = (o) => done({ status: "ok", data: o }); }))
      .mockImplementationOnce(() => ok(null));
    const el = document.createElement("div");
    const panel = new ArmChoicePanel(() => render(panel.view(), el));
    const first = panel.load(12);
    await panel.load(13);
    answer(outcome());
    await first;
    expect(el.querySelector("#arm-choice"), "run 12's search is not shown on run 13").toBeNull();
  });
});
