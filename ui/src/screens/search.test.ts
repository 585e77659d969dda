import { render, type TemplateResult } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type {
  CandidateScore_Serialize as CandidateScore,
  PreparedSearch_Serialize as PreparedSearch,
  SearchOutcome_Serialize as SearchOutcome,
} from "../bindings";
import { estimateView, outcomeView } from "./search";

function draw(t: TemplateResult): HTMLElement {
  const el = document.createElement("div");
  render(t, el);
  return el;
}

function prepared(over: Partial<PreparedSearch>): PreparedSearch {
  return {
    search_id: 4, experiment_id: 9, search_experiment_id: 10, run_id: 11, primary_metric: "accuracy",
    candidates: [0, 1, 2, 3].map((i) => ({ index: i, arm_id: 20 + i, name: `A #${i + 1}`, label: `model m${i}` })),
    validation_cases: 240, carved: null, rungs: [{ candidates: 4, cases: 240 }], rule: "best", max_spend_usd: null,
    estimate: {
      calls_full: 960, calls_planned: 960, input_tokens_full: 123456.4, max_output_tokens_full: 61440,
      cost_full_usd: 0.42, cost_planned_max_usd: 0.42, unpriced_candidates: [],
    },
    ...over,
  };
}

function score(index: number, mean: number, cost: number | null): CandidateScore {
  return { index, name: `A #${index + 1}`, n: 240, errors: 0, mean, interval: { low: mean - 0.04, high: mean + 0.04, confidence: 0.95 }, cost_per_query: cost };
}

function outcome(over: Partial<SearchOutcome>): SearchOutcome {
  return {
    search_id: 4, experiment_id: 9, run_id: 11, status: "completed", primary_metric: "accuracy", candidates: 4,
    validation_cases: 240, rule: "best",
    rungs: [{ rung: { candidates: 4, cases: 60 }, ranked: [] }, { rung: { candidates: 2, cases: 240 }, ranked: [score(2, 0.87, 0.002), score(0, 0.83, 0.0004)] }],
    chosen: { score: score(2, 0.87, 0.002), arm_id: 22, label: "model m2" },
    calls_full: 960, calls_made: 600, spend_usd: 0.31,
    sentence: "Prompting arm chosen from 4 candidates on 240 validation cases; the chosen one scored 0.87 [0.83, 0.91] there.",
    test_run_id: 12, ...over,
  };
}

describe("search estimate", () => {
  it("states candidates × validation cases, tokens and cost before Start", () => {
    const start = vi.fn();
    const el = draw(estimateView(prepared({}), start, vi.fn(), false));
    const t = el.querySelector("#search-estimate-table")?.textContent ?? "";
    expect(t).toContain("4 × 240 = 960 calls");
    expect(t).toContain("~123,456 input, ≤ 61,440 output");
    expect(t).toContain("≤ $0.42");
    expect(el.querySelector("#search-halving-row")).toBeNull();
    expect(el.querySelector("#search-ceiling")?.textContent).toContain("none");
    (el.querySelector("#search-start") as HTMLButtonElement).click();
    expect(start).toHaveBeenCalledOnce();
  });

  it("shows the halving schedule with the calls it saves, the spend ceiling and the carved split", () => {
    const el = draw(estimateView(prepared({
      rungs: [{ candidates: 4, cases: 60 }, { candidates: 2, cases: 240 }], max_spend_usd: 0.25,
      estimate: { ...prepared({}).estimate, calls_planned: 600, cost_planned_max_usd: 0.3 },
      carved: { train_rows: 960, validation_rows: 240, test_rows: 300, stratified: true },
    }), vi.fn(), vi.fn(), false));
    // 960 → 600 calls: 37.5 % fewer, shown rounded.
    expect(el.querySelector("#search-halving-row")?.textContent).toContain("4 on 60 → 2 on 240: 600 calls (38 % fewer), ≤ $0.30");
    expect(el.querySelector("#search-ceiling")?.textContent).toBe("stops at $0.25");
    expect(el.querySelector("#search-carved")?.textContent).toContain("240 rows from train (960 train rows left; the 300 test rows untouched, stratified by label)");
  });

  it("says the cost is unknown without prices", () => {
    const el = draw(estimateView(prepared({ estimate: { ...prepared({}).estimate, cost_full_usd: null, cost_planned_max_usd: null, unpriced_candidates: ["A #1"] } }), vi.fn(), vi.fn(), false));
    expect(el.querySelector("#search-estimate-table")?.textContent).toContain("cost unknown (no price)");
    expect(el.querySelector("#search-unpriced")).toBeNull();
  });
});

describe("search outcome", () => {
  it("ranks the finalists best first, marks the chosen arm A and says what halving saved", () => {
    const el = draw(outcomeView(outcome({}), prepared({}), "<svg id='s'></svg>"));
    const rows = [...el.querySelectorAll("#search-ranking tbody tr")];
    expect(rows.map((r) => r.getAttribute("data-index"))).toEqual(["2", "0"]);
    expect(rows[0].textContent).toContain("model m2");
    expect(rows[0].querySelector("#search-chosen-tag")?.textContent).toBe("chosen: arm A");
    expect(rows[1].querySelector("#search-chosen-tag")).toBeNull();
    expect(rows[0].textContent).toContain("[0.830, 0.910]");
    expect(el.querySelector("#search-calls")?.textContent).toContain("600 of the 960 calls of the full grid (successive halving saved 38 %)");
    expect(el.querySelector("#search-sentence")?.textContent).toContain("chosen from 4 candidates on 240 validation cases");
    expect(el.querySelector("#search-chart svg")).not.toBeNull();
    expect(el.querySelector("#search-next")?.textContent).toContain("run 12");
  });

  it("marks the cheaper candidate when the rule chose it, and a stopped search as stopped", () => {
    const cheap = outcome({ rule: "cheapest_within_best", chosen: { score: score(0, 0.83, 0.0004), arm_id: 20, label: "model m0" } });
    const el = draw(outcomeView(cheap, prepared({}), null));
    const rows = [...el.querySelectorAll("#search-ranking tbody tr")];
    expect(rows[1].querySelector("#search-chosen-tag")).not.toBeNull();
    expect(rows[0].querySelector("#search-chosen-tag")).toBeNull();
    const stopped = draw(outcomeView(outcome({ status: "budget_stopped", chosen: null, sentence: null, test_run_id: null }), prepared({}), null));
    expect(stopped.querySelector("#search-stopped")).not.toBeNull();
    expect(stopped.querySelector("#search-next")).toBeNull();
    expect(stopped.querySelector("#search-chosen-tag")).toBeNull();
  });
});
