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
