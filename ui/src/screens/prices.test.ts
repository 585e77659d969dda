import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { PriceEntry_Serialize as PriceEntry } from "../bindings";

vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn(), open: vi.fn() }));
const { EMPTY, priceDraftView, sellers } = await import("./prices");

describe("custom price form", () => {
  it("asks for the provider's kind from a list, saying it is not a stored provider's name", () => {
    const entries = [{ provider: "together" }, { provider: "openai" }] as PriceEntry[];
    const d = { ...EMPTY };
    const el = document.createElement("div");
    render(priceDraftView(d, sellers(entries), vi.fn(), vi.fn()), el);
    const select = el.querySelector("#draft-provider") as HTMLSelectElement;
    expect(select.tagName).toBe("SELECT");
    expect([...select.options].map((o) => o.value)).toEqual(["openai", "azure_openai", "anthropic", "openai_compatible", "together"]);
    expect(select.closest("label")?.textContent).toContain("Provider kind (who sells the model, not a stored provider's name)");
    select.value = "anthropic";
    select.dispatchEvent(new Event("change"));
    expect(d.provider).toBe("anthropic");
  });
});

describe("where a cost is unknown for want of a price", () => {
  it("links to the price form for exactly that model and kind", async () => {
    const { priceFor, priceLink } = await import("./prices");
    const el = document.createElement("div");
    render(priceLink("ft:my model", "fine_tuned"), el);
    const a = el.querySelector("a.price-link") as HTMLAnchorElement;
    expect(a.textContent).toBe("no price: add one →");
    expect(a.getAttribute("href")).toBe("#/prices/add/ft%3Amy%20model/fine_tuned");
    const parts = a.getAttribute("href")!.split("/").slice(3);
    expect(priceFor(parts)).toEqual({ model: "ft:my model", kind: "fine_tuned", provider: "" });
    expect(priceFor([])).toBeNull();
  });

  it("opens the form on the model, kind and seller an error asked for", async () => {
    const { priceFor, priceHref, prefilledDraft } = await import("./prices");
    const href = priceHref({ model: "my/llama", kind: "base", provider: "openai_compatible" });
    expect(href).toBe("#/prices/add/my%2Fllama/base/openai_compatible");
    const asked = priceFor(href.split("/").slice(3))!;
    expect(asked).toEqual({ model: "my/llama", kind: "base", provider: "openai_compatible" });
    const d = prefilledDraft(asked);
    expect([d.model_pattern, d.kind, d.provider]).toEqual(["my/llama", "base", "openai_compatible"]);
    const el = document.createElement("div");
    render(priceDraftView(prefilledDraft({ model: "ft-x", kind: "fine_tuned", provider: "local" }), sellers([]), vi.fn(), vi.fn()), el);
    expect((el.querySelector("#draft-provider") as HTMLSelectElement).value).toBe("local");
    expect((el.querySelector("#draft-model_pattern") as HTMLInputElement).value).toBe("ft-x");
    expect((el.querySelector("#draft-kind") as HTMLSelectElement).value).toBe("fine_tuned");
  });

  it("links each unpriced arm of an estimate to its model's price form", async () => {
    const { estimateView } = await import("./experiment-form");
    const el = document.createElement("div");
    const prepared = {
      run_id: 3,
      estimate: {
        calls: 450, cost_usd: null, unpriced_arms: ["journey-ft"],
        arms: [
          { arm_id: 1, name: "journey-prompt", calls: 225, input_tokens: 1000, max_output_tokens: 900, cost_usd: 0.1 },
          { arm_id: 2, name: "journey-ft", calls: 225, input_tokens: 500, max_output_tokens: 900, cost_usd: null },
        ],
      },
    } as unknown as Parameters<typeof estimateView>[0];
    const arms = [{ id: 2, name: "journey-ft", model: "ft-model", kind: "fine_tuned" }] as Parameters<typeof estimateView>[3];
    render(estimateView(prepared, vi.fn(), vi.fn(), arms), el);
    expect(el.querySelector("#run-estimate")?.textContent).toContain("cost unknown");
    expect(el.querySelector("#estimate-unpriced a")?.getAttribute("href")).toBe("#/prices/add/ft-model/fine_tuned");
  });
});
