import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { GridFile_Deserialize as GridFile } from "../bindings";
import { candidateCount, emptyDraft, gridForm, gridFromDraft, modelSpecs, type GridDraft } from "./search-grid";

function draft(over: Partial<GridDraft>): GridDraft {
  return { ...emptyDraft(), ...over };
}

function grid(over: Partial<GridDraft>): GridFile {
  const g = gridFromDraft(draft(over));
  if (typeof g === "string") throw new Error(g);
  return g;
}

describe("search grid", () => {
  it("turns the form into the grid the core checks", () => {
    const g = grid({
      systems: ["Be terse.", "  ", "Answer with the label only."], fewShotK: "0, 3 8", strategies: ["random", "similar"],
      retrievalOff: true, retrievalOn: true, topK: "3, 5", models: "small\nbig @ other\n", temperatures: "0, 0.7",
      rule: "cheapest_within_best", maxSpend: "2.5", validationRows: "240",
    });
    expect(g.system).toEqual(["Be terse.", "Answer with the label only."]);
    expect(g.few_shot_k).toEqual([0, 3, 8]);
    expect(g.few_shot_strategy).toEqual(["random", "similar"]);
    expect(g.retrieval).toEqual([false, true]);
    expect(g.top_k).toEqual([3, 5]);
    expect(g.models).toEqual(["small", { provider: "other", model: "big" }]);
    expect(g.temperature).toEqual([0, 0.7]);
    expect(g.choose).toBe("cheapest_within_best");
    expect(g.max_spend_usd).toBe(2.5);
    expect(g.validation?.rows).toBe(240);
  });

  it("leaves arm A's own settings where the form is empty", () => {
    const g = grid({});
    expect([g.system, g.few_shot_k, g.few_shot_strategy, g.retrieval, g.top_k, g.models, g.temperature]).toEqual([[], [], [], [], [], [], []]);
    expect(g.max_spend_usd).toBeNull();
    expect(g.validation).toBeNull();
  });

  it("names the field and the item that is not a number in range", () => {
    expect(gridFromDraft(draft({ fewShotK: "3, x" }))).toBe("Few-shot counts: “x” is not a whole number between 0 and 64.");
    expect(gridFromDraft(draft({ temperatures: "0.5, 3" }))).toBe("Temperatures: “3” is not a number between 0 and 2.");
    expect(gridFromDraft(draft({ maxSpend: "-1" }))).toBe("Spend ceiling: “-1” is not an amount above 0.");
    expect(gridFromDraft(draft({ fewShotK: "3", strategies: [] }))).toContain("tick at least one strategy");
  });

  it("reads a model on another provider after ' @ ', keeping slashes and colons in the model", () => {
    expect(modelSpecs("meta/llama-3:8b @ local\nqwen2.5:7b")).toEqual([{ provider: "local", model: "meta/llama-3:8b" }, "qwen2.5:7b"]);
  });

  it("counts candidates as the core expands them: k = 0 once, each k > 0 per strategy, off once, on per top-k", () => {
    // 2 systems × (1 + 2×2) few-shot × (1 + 2) retrieval × 2 models × 2 temperatures = 2 × 5 × 3 × 2 × 2
    expect(candidateCount(grid({
      systems: ["a", "b"], fewShotK: "0, 3, 8", strategies: ["random", "similar"], retrievalOff: true, retrievalOn: true,
      topK: "3, 5", models: "x\ny", temperatures: "0, 1",
    }))).toBe(120);
    expect(candidateCount(grid({}))).toBe(1);
    expect(candidateCount(grid({ models: "a\nb\nc", fewShotK: "0, 3", strategies: ["fixed", "random", "similar"] }))).toBe(12);
  });

  it("shows the count as typed and disables Estimate while the form is wrong", () => {
    const el = document.createElement("div");
    const a = { change: vi.fn(), estimate: vi.fn(), close: vi.fn() };
    render(gridForm(draft({ models: "a\nb", temperatures: "0, 0.7" }), "exp.toml", a, null), el);
    expect(el.querySelector("#search-count")?.textContent).toContain("4 candidates");
    (el.querySelector("#search-estimate") as HTMLButtonElement).click();
    expect(a.estimate).toHaveBeenCalledOnce();
    render(gridForm(draft({ temperatures: "9" }), "exp.toml", a, null), el);
    expect(el.querySelector("#search-grid-error")?.textContent).toContain("Temperatures");
    expect((el.querySelector("#search-estimate") as HTMLButtonElement).disabled).toBe(true);
  });

  it("adds a system-prompt variant and ticks a strategy through change", () => {
    const el = document.createElement("div");
    const a = { change: vi.fn(), estimate: vi.fn(), close: vi.fn() };
    render(gridForm(draft({ systems: ["one"] }), "exp.toml", a, null), el);
    (el.querySelector("#search-system-add") as HTMLButtonElement).click();
    expect(a.change).toHaveBeenLastCalledWith({ systems: ["one", ""] });
    const fixed = el.querySelector("#search-strategy-fixed") as HTMLInputElement;
    fixed.checked = true;
    fixed.dispatchEvent(new Event("change"));
    expect(a.change).toHaveBeenLastCalledWith({ strategies: ["random", "fixed"] });
  });
});
