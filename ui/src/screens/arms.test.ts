import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { Arm_Serialize as Arm, DatasetSummary } from "../bindings";
import { armsView, draftOf, emptyForm, formOf, type Actions, type State } from "./arms";

function actions(): Actions {
  return {
    pickDataset: vi.fn(), pickCase: vi.fn(), edited: vi.fn(), startFrom: vi.fn(), save: vi.fn(), askDelete: vi.fn(),
    remove: vi.fn(),
  };
}

function dataset(over: Partial<DatasetSummary>): DatasetSummary {
  return {
    id: 1, name: "tickets", source_file: "t.csv", source_format: "csv", imported_at: "2026-11-29T04:00:00Z",
    rows: 10, train_rows: 8, test_rows: 2, ...over,
  };
}

function state(over: Partial<State>): State {
  return {
    datasets: [dataset({})], providers: [], arms: [], datasetId: 1, exampleId: 5, form: emptyForm(7),
    cases: [{ id: 5, ordinal: 4, external_id: null, input: "Refund please", expected: "billing", metadata: [], split: "test" }],
    preview: null, previewError: null, error: null, notice: null, deleting: null, ...over,
  };
}

function draw(s: State, a: Actions): HTMLElement {
  const el = document.createElement("div");
  render(armsView(s, a), el);
  return el;
}

function stored(over: Partial<Arm>): Arm {
  return {
    id: 4, name: "tuned", kind: "fine_tuned", provider_id: 7, model: "ft-model", system_prompt: "",
    template: "{{input}}", few_shot: null, retrieval: null,
    params: { max_tokens: null, temperature: null, top_p: null, stop: [], seed: null, response_format: null, price: null },
    ...over,
  };
}

describe("stored arms", () => {
  it("are listed with their kind, provider and model", () => {
    const el = draw(state({
      arms: [stored({}), stored({ id: 5, name: "prompt", kind: "prompt", model: "base-model" })],
      providers: [{ id: 7, name: "local" } as State["providers"][number]],
    }), actions());
    const rows = [...el.querySelectorAll("#arms-table tbody tr")].map((tr) =>
      [...tr.querySelectorAll("td")].slice(0, 4).map((td) => td.textContent?.trim()));
    expect(rows).toEqual([["tuned", "fine-tuned", "local", "ft-model"], ["prompt", "prompting", "local", "base-model"]]);
  });

  it("are deleted only after a confirmation in the row", () => {
    const a = actions();
    const arm = stored({});
    let el = draw(state({ arms: [arm] }), a);
    (el.querySelector(".delete-arm") as HTMLButtonElement).click();
    expect(a.askDelete).toHaveBeenCalledWith(arm);
    expect(a.remove).not.toHaveBeenCalled();
    el = draw(state({ arms: [arm], deleting: 4 }), a);
    (el.querySelector("#confirm-arm-4-yes") as HTMLButtonElement).click();
    expect(a.remove).toHaveBeenCalledWith(arm);
  });
});

describe("arm editor", () => {
  it("lists a dataset without a split greyed, with a link to split it", () => {
    const el = draw(state({ datasets: [dataset({}), dataset({ id: 3, name: "raw", test_rows: 0, train_rows: 0 })] }), actions());
    const option = [...el.querySelectorAll("#arm-dataset option")].find((o) => o.textContent?.includes("raw")) as HTMLOptionElement;
    expect(option.textContent).toBe("raw (not split yet)");
    expect(option.disabled).toBe(true);
    expect(el.querySelector(".unsplit a")?.getAttribute("href")).toBe("#/dataset/3");
    const none = draw(state({ datasets: [dataset({ id: 3, test_rows: 0 })] }), actions());
    expect(none.querySelector(".unsplit a")?.textContent).toBe("Split it first →");
  });

  it("asks for a split dataset when none has held-out cases", () => {
    const el = draw(state({ datasets: [dataset({ test_rows: 0 })] }), actions());
    expect(el.querySelector("#arms-empty")?.textContent).toContain("No dataset has a test split");
    expect(el.querySelector("#arm-form")).toBeNull();
  });

  it("shows each rendered message escaped, with the token count", () => {
    const el = draw(state({
      preview: { tokens: 23, messages: [
        { role: "system", content: "Answer <b>one</b> word." },
        { role: "user", content: "Refund please" },
      ] },
    }), actions());
    expect(el.querySelector("#arm-tokens")?.textContent).toBe("23 prompt tokens");
    const texts = [...el.querySelectorAll(".message-text")].map((m) => m.textContent);
    expect(texts).toEqual(["Answer <b>one</b> word.", "Refund please"]);
    expect(el.querySelector("#arm-preview b")).toBeNull();
  });

  it("shows why the preview failed instead of a stale one", () => {
    const el = draw(state({ previewError: "template: unknown column `region`" }), actions());
    expect(el.querySelector("#arm-preview-error")?.textContent).toContain("unknown column `region`");
    expect(el.querySelector("#arm-tokens")).toBeNull();
  });

  it("makes a fine-tuned arm when the kind is picked, and keeps a stored arm's kind", () => {
    const a = actions();
    const s = state({});
    const el = draw(s, a);
    const kind = el.querySelector("#arm-kind") as HTMLSelectElement;
    expect([...kind.options].map((o) => o.value)).toEqual(["prompt", "fine_tuned"]);
    kind.value = "fine_tuned";
    kind.dispatchEvent(new Event("change"));
    expect(s.form.kind).toBe("fine_tuned");
    expect(a.edited).toHaveBeenCalledOnce();
    const saved: Arm = {
      id: 4, name: "tuned", kind: "fine_tuned", provider_id: 3, model: "ft:gpt-4.1-mini:acme::1", system_prompt: "",
      template: "{{input}}", few_shot: null, retrieval: null,
      params: { max_tokens: null, temperature: null, top_p: null, stop: [], seed: null, response_format: null, price: null },
    };
    expect(formOf(saved).kind).toBe("fine_tuned");
  });

  it("reports each template edit to the screen", () => {
    const a = actions();
    const s = state({});
    const el = draw(s, a);
    const t = el.querySelector("#arm-template") as HTMLTextAreaElement;
    t.value = "Ticket: {{input}}";
    t.dispatchEvent(new Event("input"));
    expect(s.form.template).toBe("Ticket: {{input}}");
    expect(a.edited).toHaveBeenCalledOnce();
  });

  it("turns the form into a draft, with few-shot only when k is above 0", () => {
    const f = { ...emptyForm(3), model: " m ", k: "2", strategy: "similar" as const, max_tokens: "16", temperature: "0.5" };
    expect(draftOf(f)).toEqual({
      kind: "prompt", provider_id: 3, model: "m", system_prompt: "", template: "{{input}}",
      few_shot: { k: 2, strategy: "similar", seed: null, ids: [] }, max_tokens: 16, temperature: 0.5,
    });
    expect(draftOf({ ...f, k: "0" })).toMatchObject({ few_shot: null });
    expect(draftOf({ ...f, kind: "fine_tuned" })).toMatchObject({ kind: "fine_tuned", model: "m" });
    expect(draftOf({ ...f, max_tokens: "1.5" })).toBe("Max tokens must be a whole number, not “1.5”.");
  });

  it("starts from a stored arm picked in the list, filling the form from it", () => {
    const arm: Arm = {
      id: 9, name: "baseline", kind: "prompt", provider_id: 3, model: "gpt-4.1-mini", system_prompt: "Be brief.",
      template: "Q: {{input}}", few_shot: { k: 3, strategy: "similar", seed: 11, ids: [] }, retrieval: null,
      params: { max_tokens: 8, temperature: 0, top_p: null, stop: [], seed: null, response_format: null, price: null },
    };
    const a = actions();
    const el = draw(state({ arms: [arm] }), a);
    const select = el.querySelector("#arm-start") as HTMLSelectElement;
    expect(select.textContent).toContain("baseline · gpt-4.1-mini");
    select.value = "9";
    select.dispatchEvent(new Event("change"));
    expect(a.startFrom).toHaveBeenCalledWith(arm);
    expect(formOf(arm)).toEqual({
      kind: "prompt", provider_id: 3, model: "gpt-4.1-mini", system_prompt: "Be brief.", template: "Q: {{input}}", k: "3",
      strategy: "similar", seed: "11", max_tokens: "8", temperature: "0", name: "baseline (edited)",
    });
  });
});
