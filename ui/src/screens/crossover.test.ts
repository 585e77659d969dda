import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";

// A run whose arm the catalog cannot price: the scenario never arrives.
vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn() }));
vi.mock("../bindings", () => ({
  commands: {
    listPrices: () => Promise.resolve({ status: "ok", data: [] }),
    listDatasets: () => Promise.resolve({ status: "ok", data: [] }),
    runScenario: () =>
      Promise.resolve({
        status: "error",
        error: { code: "no_price", message: "no price for model my-llama: add one in the price catalog" },
      }),
  },
}));

const { CrossoverScreen } = await import("./crossover");

describe("cost at scale screen", () => {
  it("shows why there is no chart instead of loading forever when the scenario fails", async () => {
    const el = document.createElement("div");
    const screen = new CrossoverScreen(() => render(screen.view(), el));
    screen.runId = 7;
    await screen.show();
    const chart = el.querySelector("#crossover-chart");
    expect(chart?.textContent).not.toContain("Loading");
    expect(chart?.textContent).toContain("no price for model my-llama");
  });
});
