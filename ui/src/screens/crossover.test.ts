import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { ScenarioView_Serialize as ScenarioView } from "../bindings";
import { crossoverView, initialState, type CrossoverActions, type CrossoverState } from "./crossover";

// A run whose arm the catalog cannot price: the scenario never arrives.
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn() }));
vi.mock("../bindings", () => ({
  commands: {
    listPrices: () => Promise.resolve({ status: "ok", data: [] }),
    listDatasets: () => Promise.resolve({ status: "ok", data: [] }),
    runScenario: () =>
      Promise.resolve({
        status: "error",
        error: {
          code: "no_price", message: "no price for model my-llama: add one in the price catalog",
          detail: { kind: "missing_price", price: { model: "my-llama", provider: "openai_compatible", kind: "base" } },
        },
      }),
  },
}));

const { CrossoverScreen, figuresView, slidePackNotice } = await import("./crossover");

function actions(): CrossoverActions {
  return {
    setRequest: vi.fn(), tweak: vi.fn(), countFrom: vi.fn(), setChart: vi.fn(), export: vi.fn(), slidePack: vi.fn(), copy: vi.fn(),
    saveWithRun: vi.fn(),
  };
}

function draw(s: CrossoverState, a: CrossoverActions): HTMLElement {
  const el = document.createElement("div");
  render(crossoverView(s, a), el);
  return el;
}

function type(el: HTMLElement, id: string, text: string): HTMLInputElement {
  const input = el.querySelector(`#${id}`) as HTMLInputElement;
  input.value = text;
  input.dispatchEvent(new Event("input"));
  input.dispatchEvent(new Event("change"));
  return input;
}

/** The figures of a scenario whose fine-tuned arm's training is `note`, as the core wrote it. */
function figures(note: string | null): HTMLElement {
  const money = { mean: 0.001, low: 0.001, high: 0.001 };
  const arm = (name: string, training_note: string | null) => ({
    name, model: "m", per_query: money, error_cost_per_query: 0, hosting_monthly: 0, training_per_run: 0.12,
    amortisation_months: 3, training_monthly: 0.04, training_note, monthly_at_volume: money,
    cost_per_correct_answer: null, retired_on: null,
  });
  const view = {
    svg: "<svg></svg>",
    report: {
      queries_per_day: 1000, arm_a: arm("prompting", null), arm_b: arm("tuned", note),
      payback: { months: null, month: null, note: null }, warnings: [], sensitivity: [], headline: "h",
    },
  } as unknown as ScenarioView;
  const el = document.createElement("div");
  render(figuresView(view), el);
  return el;
}

describe("cost at scale screen", () => {
  it("says under the cost table which fine-tune job measured the training cost, in the core's words", () => {
    const note = "tuned: training $0.12 a run, measured by fine-tune job 1 (24,000 trained tokens × $5.00 per 1M)";
    expect(figures(note).querySelector("#training-basis")?.textContent).toBe(`${note}.`);
    expect(figures(null).querySelector("#training-basis")).toBeNull();
  });

  it("shows why there is no chart instead of loading forever when the scenario fails", async () => {
    const el = document.createElement("div");
    const screen = new CrossoverScreen(() => render(screen.view(), el));
    screen.runId = 7;
    await screen.show();
    const chart = el.querySelector("#crossover-chart");
    expect(chart?.textContent).not.toContain("Loading");
    expect(chart?.textContent).toContain("no price for model my-llama");
    expect(el.querySelector("#crossover-add-price")?.getAttribute("href")).toBe("#/prices/add/my-llama/base/openai_compatible");
  });

  it("names a token count that is not a number next to its field and keeps the last good one", () => {
    const a = actions();
    const el = draw(initialState(), a);
    type(el, "prompt-input", "lots");
    expect(el.querySelector("#prompt-input-error")?.textContent).toBe("Input tokens: “lots” is not a number of at least 0.");
    expect(a.setRequest).not.toHaveBeenCalled();
    type(el, "prompt-input", "1200");
    expect(el.querySelector("#prompt-input-error")?.textContent).toBe("");
    expect(a.setRequest).toHaveBeenCalledWith({ prompt_tokens: { input: 1200, cached_input: 1500, output: 100 } });
  });

  it("clears a field's error as soon as it is edited, before it is committed", () => {
    const el = draw(initialState(), actions());
    const input = type(el, "epochs", "2.5");
    expect(el.querySelector("#epochs-error")?.textContent).toContain("is not a whole number");
    input.value = "2";
    input.dispatchEvent(new Event("input"));
    expect(el.querySelector("#epochs-error")?.textContent).toBe("");
    expect(input.hasAttribute("aria-invalid")).toBe(false);
  });

  it("links a run's cost at scale to its decision", () => {
    const el = draw({ ...initialState(), runId: 4 }, actions());
    expect(el.querySelector("#crossover-decision")?.getAttribute("href")).toBe("#/decision/4");
    expect(draw(initialState(), actions()).querySelector("#crossover-decision")).toBeNull();
  });

  it("says it is counting tokens and holds the export buttons meanwhile", () => {
    const el = draw({ ...initialState(), busy: "Counting tokens…" }, actions());
    expect(el.querySelector("#crossover-busy")?.textContent).toBe("Counting tokens…");
    expect((el.querySelector("#export-png") as HTMLButtonElement).disabled).toBe(true);
  });

  it("offers a run's slide pack and says what it wrote and what it left out", () => {
    const a = actions();
    const el = draw({ ...initialState(), runId: 4 }, a);
    (el.querySelector("#slide-pack") as HTMLButtonElement).click();
    expect(a.slidePack).toHaveBeenCalled();
    (el.querySelector("#copy-chart") as HTMLButtonElement).click();
    expect(a.copy).not.toHaveBeenCalled(); // no chart drawn yet: nothing to copy
    expect(draw(initialState(), actions()).querySelector("#slide-pack")).toBeNull();
    const notice = slidePackNotice({
      dir: "/tmp/run-4-slides",
      files: ["01-crossover.png", "02-metric.png", "captions.md"],
      left_out: ["confusion: this experiment's outputs are not labels"],
    });
    expect(notice).toBe(
      "Saved 2 charts and captions.md to /tmp/run-4-slides. Not drawn: confusion: this experiment's outputs are not labels.",
    );
  });

  it("draws linear axes unless log–log is asked for", () => {
    expect(initialState().logX).toBe(false);
    const a = actions();
    const box = draw(initialState(), a).querySelector("#log-x") as HTMLInputElement;
    expect(box.parentElement?.textContent).toContain("Log–log axes");
    box.checked = true;
    box.dispatchEvent(new Event("change"));
    expect(a.setChart).toHaveBeenCalledWith({ logX: true });
  });
});

describe("cost at scale of three arms", () => {
  it("gives each arm its costs and colour and names the volumes where each is cheapest", async () => {
    const { armsFiguresView } = await import("./crossover");
    const est = (mean: number) => ({ mean, low: mean, high: mean });
    const cost = (name: string, model: string, perQuery: number, training: number) => ({
      name, model, per_query: est(perQuery), error_cost_per_query: 0, hosting_monthly: 0, training_per_run: training * 3,
      amortisation_months: 3, training_monthly: training, training_note: null, monthly_at_volume: est(perQuery * 30 * 20000 + training),
      cost_per_correct_answer: null, retired_on: null,
    });
    const view = {
      svg: "<svg></svg>",
      report: {
        queries_per_day: 20000,
        arms: [cost("prompting", "base", 0.0012, 0), cost("fine-tuned", "ft", 0.0004, 40), cost("hybrid", "ft", 0.0006, 40)],
        pairs: [], cheapest: [{ from: 0, to: 1667, arms: [0] }, { from: 1667, to: null, arms: [1] }], cheapest_at_volume: [1],
        never_cheapest: [2], warnings: [],
        headline: "prompting is cheapest up to 1,667/day; fine-tuned is cheapest from 1,667/day.",
      },
    } as unknown as Parameters<typeof armsFiguresView>[0];
    const el = document.createElement("div");
    render(armsFiguresView(view), el);
    expect(el.querySelector("#crossover-headline")?.textContent).toBe(view.report.headline);
    const rows = [...el.querySelectorAll("#cost-table tbody tr")];
    expect(rows.map((r) => r.getAttribute("data-arm"))).toEqual(["A", "B", "C"]);
    expect(rows[2].textContent).toContain("hybrid");
    expect(rows[2].querySelector(".swatch")?.getAttribute("data-arm")).toBe("C");
    const ranges = [...el.querySelectorAll("#cheapest-ranges li")].map((li) => li.textContent?.replace(/\s+/g, " ").trim());
    expect(ranges).toEqual(["prompting cheapest up to 1,667/day", "fine-tuned cheapest from 1,667/day up"]);
    expect(el.querySelector("#never-cheapest")?.textContent).toBe("Cheapest at no volume: hybrid.");
  });
});
