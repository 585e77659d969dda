import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { CaseCounts, CasePage, RunReport_Serialize as RunReport } from "../bindings";
import { THREE } from "./several-arms.fixture";

vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn() }));
const { firstNonEmpty, metricsTable, rightMeans } = await import("./results");

const counts = (over: Partial<CaseCounts>): CaseCounts => ({
  all: 225, a_only_right: 0, b_only_right: 0, both_wrong: 0, both_right: 225, errors: 0, ...over,
});

describe("case browser", () => {
  it("opens on the first filter that has cases instead of one with none", () => {
    expect(firstNonEmpty(counts({ b_only_right: 3 }), "a_only_right")).toBe("b_only_right");
    expect(firstNonEmpty(counts({ errors: 2 }), "a_only_right")).toBe("errors");
    expect(firstNonEmpty(counts({}), "a_only_right")).toBe("all");
  });

  it("keeps the chosen filter when it has cases", () => {
    expect(firstNonEmpty(counts({ a_only_right: 1, b_only_right: 3 }), "a_only_right")).toBe("a_only_right");
  });
});

describe("what a right case means", () => {
  it("is stated beside the counts, with the threshold a continuous metric is judged by", () => {
    const page = {
      run_id: 1, filter: "all", search: null, total: 0, offset: 0, counts: counts({}), arm_a: "a", arm_b: "b", cases: [],
      right_means: "Right: a case's bleu score is at least 30 (the experiment's [scenario] correct_at)",
    } as CasePage;
    const el = document.createElement("div");
    render(rightMeans(page), el);
    expect(el.querySelector("#cases-right-means")?.textContent).toBe(
      "Right: a case's bleu score is at least 30 (the experiment's [scenario] correct_at)",
    );
    render(rightMeans(null), el);
    expect(el.querySelector("#cases-right-means")).toBeNull();
  });
});

type Arm = RunReport["arms"][number];

function arm(name: string, kind: string, value: number, cost: number | null): Arm {
  const interval = { low: value - 0.05, high: Math.min(1, value + 0.05), confidence: 0.95 };
  return {
    arm_id: 1, name, kind, model: `${name}-model`, n: 225, answered: 225, errors: 0, errors_by_class: [], refused: 0, truncated: 0,
    primary: { metric: "accuracy", value, interval, interval_method: "wilson" },
    metrics: [{ metric: "macro_f1", n: 225, errors: 0, mean: value - 0.01, interval, interval_method: "bootstrap" }],
    label_report: null, format_compliance: null,
    latency: {
      n: 225, errors: 0, mean_ms: 120, p50_ms: 100, p90_ms: 150, p95_ms: 180, p99_ms: 240, ttft_p50_ms: null, ttft_p95_ms: null,
      tokens_per_second: null, budget_p95_ms: null, within_budget: null, percentile_method: "nearest rank",
    },
    latency_ms_p50: 100, latency_ms_p95: 180, cost_per_query: cost, cost_note: null,
  } as unknown as Arm;
}

function report(arms: Arm[]): RunReport {
  return {
    primary_metric: "accuracy", arms, comparisons: arms.length > 2 ? THREE : [],
  } as unknown as RunReport;
}

function table(r: RunReport, budget: number | null = null): HTMLElement {
  const el = document.createElement("div");
  render(metricsTable(r, budget), el);
  return el;
}

const rowText = (el: HTMLElement, i: number) =>
  [...el.querySelectorAll("#metrics-table tbody tr")[i].querySelectorAll("td")].map((td) => td.textContent?.replace(/\s+/g, " ").trim());

describe("metrics table", () => {
  const a = arm("prompting", "prompt", 0.75, 0.0004);
  const b = arm("fine-tuned", "fine_tuned", 0.875, 0.0009);
  const c = arm("hybrid", "hybrid", 1, 0.0012);

  it("gives each of three arms its own column, in the arms' order, every row filled", () => {
    const el = table(report([a, b, c]), 500);
    const heads = [...el.querySelectorAll("#metrics-table thead th")].map((th) => th.textContent?.trim());
    expect(heads).toEqual(["Metric", "prompting", "fine-tuned", "hybrid"]);
    expect(rowText(el, 0)).toEqual([
      "accuracy (primary, wilson 95 % CI)", "0.750 [0.700, 0.800]", "0.875 [0.825, 0.925]", "1.000 [0.950, 1.000]",
    ]);
    expect(rowText(el, 1)).toEqual(["macro_f1", "0.740 [0.700, 0.800]", "0.865 [0.825, 0.925]", "0.990 [0.950, 1.000]"]);
    for (const row of el.querySelectorAll("#metrics-table tbody tr")) {
      expect(row.querySelectorAll("td")).toHaveLength(4);
    }
    expect(rowText(el, 9)).toEqual(["cost per query (measured)", "$0.0004", "$0.0009", "$0.0012"]);
  });

  it("reads as before for two arms: two columns and no swatch text", () => {
    const el = table(report([a, b]));
    const heads = [...el.querySelectorAll("#metrics-table thead th")].map((th) => th.textContent?.trim());
    expect(heads).toEqual(["Metric", "prompting", "fine-tuned"]);
    expect(rowText(el, 2)).toEqual(["errors after retries (not wrong answers)", "0", "0"]);
    expect(el.querySelector("#budget-row")).toBeNull();
  });
});
