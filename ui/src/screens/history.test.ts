import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { HistoryRun, RunHistory } from "../bindings";
import { historyView, rerunForm, verdictWords, type RerunState } from "./history";

function run(id: number, ft: string, b: number): HistoryRun {
  const arm = (name: string, model: string, value: number, p95: number, cost: number | null) => ({
    name, model, n: 100, errors: 0, value, low: value - 0.05, high: value + 0.05, latency_p95_ms: p95, cost_per_query: cost,
  });
  return {
    run_id: id, experiment_id: id, started_at: `2026-0${id}-01T10:00:00Z`, status: "completed",
    verdict_kind: "justified", verdict: `Verdict of run ${id}`,
    arms: [arm("prompting", "base", 0.8, 900, 0.002), arm("fine-tuned", ft, b, 400, null)],
  };
}

function history(runs: HistoryRun[]): RunHistory {
  return { experiment: "tickets", dataset: "support", primary_metric: "accuracy", runs, left_out: [] };
}

function draw(t: ReturnType<typeof historyView>): HTMLElement {
  const el = document.createElement("div");
  render(t, el);
  return el;
}

describe("history", () => {
  it("lists each run's arms with model, interval, p95 and cost, marking the run on screen", () => {
    const exportPng = vi.fn();
    const el = draw(historyView(history([run(1, "ft-v1", 0.86), run(2, "ft-v2", 0.91)]), 2, "<svg></svg>", exportPng));
    const rows = [...el.querySelectorAll("#history-table tbody tr")];
    expect(rows).toHaveLength(4);
    expect(rows[3].textContent).toContain("ft-v2");
    expect(rows[3].textContent).toContain("0.910 [0.860, 0.960]");
    expect(rows[2].textContent).toContain("fine-tuning justified");
    expect(rows[2].querySelector(".tag.verdict-justified")?.getAttribute("title")).toBe("Verdict of run 2");
    expect(rows[2].classList.contains("current")).toBe(true);
    expect(rows[0].classList.contains("current")).toBe(false);
    expect(rows[3].textContent).toContain("–");
    expect(rows[2].textContent).toContain("$0.002");
    (el.querySelector("#export-trend") as HTMLButtonElement).click();
    expect(exportPng).toHaveBeenCalledOnce();
  });

  it("says how to get a trend when the run is the experiment's only one", () => {
    const el = draw(historyView(history([run(1, "ft-v1", 0.86)]), 1, null, vi.fn()));
    expect(el.querySelector("#history-table")).toBeNull();
    expect(el.textContent).toContain("only run of tickets");
  });

  it("offers an estimate, then the changes, notes and the start button", () => {
    const state: RerunState = {
      current: [{ name: "prompting", model: "base" }, { name: "fine-tuned", model: "ft-v1" }],
      models: ["base", "ft-v1"],
      suggestions: ["gpt-4.1-mini"],
      prepared: null,
    };
    const actions = { setModel: vi.fn(), prepare: vi.fn(), start: vi.fn(), close: vi.fn() };
    let el = draw(rerunForm(state, actions));
    expect(el.querySelector("#rerun-prepare")?.textContent).toContain("same models");
    state.models[1] = "ft-v2";
    el = draw(rerunForm(state, actions));
    expect(el.querySelector("#rerun-prepare")?.textContent).toContain("Create and estimate");
    state.prepared = {
      rerun: { experiment_id: 2, changes: ["fine-tuned: ft-v1 → ft-v2"], notes: ["price not carried over"] },
      prepared: {
        run_id: 7,
        estimate: { calls: 20, cost_usd: 0.5, unpriced_arms: [], arms: [] } as never,
        batch: null,
      },
    };
    el = draw(rerunForm(state, actions));
    expect(el.querySelector("#rerun-changes")?.textContent).toContain("ft-v1 → ft-v2");
    expect(el.textContent).toContain("price not carried over");
    expect((el.querySelector("#rerun-model-1") as HTMLInputElement).disabled).toBe(true);
    (el.querySelector("#run-start") as HTMLButtonElement).click();
    expect(actions.start).toHaveBeenCalledWith(null, null);
  });
});

describe("history of a run of three arms", () => {
  function three(verdict_kind: HistoryRun["verdict_kind"], best_arm: string | null): HistoryRun {
    const r = run(3, "ft-v1", 0.875);
    return {
      ...r, verdict_kind, best_arm,
      arms: [...r.arms, { ...r.arms[1], name: "hybrid", model: "ft-v1", value: 1, low: 0.95, high: 1 }],
    };
  }

  it("lists every arm and names the best one in the verdict's tag, never fine-tuning as such", () => {
    const el = draw(historyView(history([run(1, "ft-v1", 0.86), three("justified", "hybrid")]), 3, null, vi.fn()));
    const rows = [...el.querySelectorAll("#history-table tbody tr")];
    expect(rows).toHaveLength(5);
    expect(rows[4].textContent).toContain("hybrid");
    expect(rows[2].querySelector(".tag.verdict-justified")?.textContent).toBe("hybrid clears the margin");
    expect(rows[0].querySelector(".tag.verdict-justified")?.textContent).toBe("fine-tuning justified");
    expect(verdictWords(three("not_justified", null))).toBe("no arm clears the margin");
    expect(verdictWords(three("inconclusive", null))).toBe("inconclusive");
  });

  it("offers a model for each arm of a re-run, lettered A to C", () => {
    const state: RerunState = {
      current: [{ name: "prompting", model: "base" }, { name: "fine-tuned", model: "ft-v1" }, { name: "hybrid", model: "ft-v1" }],
      models: ["base", "ft-v1", "ft-v1"],
      suggestions: [],
      prepared: null,
    };
    const el = draw(rerunForm(state, { setModel: vi.fn(), prepare: vi.fn(), start: vi.fn(), close: vi.fn() }));
    const labels = [...el.querySelectorAll("#rerun-form label")].map((l) => l.textContent?.replace(/\s+/g, " ").trim());
    expect(labels).toEqual(["Arm A · prompting (now base)", "Arm B · fine-tuned (now ft-v1)", "Arm C · hybrid (now ft-v1)"]);
  });
});
