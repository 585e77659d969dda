import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { DatasetSummary, ExperimentDraft } from "../bindings";
import { experimentForm, type FormActions } from "./experiment-form";

function dataset(over: Partial<DatasetSummary>): DatasetSummary {
  return {
    id: 1, name: "tickets", source_file: "t.csv", source_format: "csv", imported_at: "2026-11-29T04:00:00Z",
    rows: 10, train_rows: 8, test_rows: 2, ...over,
  };
}

function draft(over: Partial<ExperimentDraft>): ExperimentDraft {
  return {
    name: "spam", dataset_id: 1, split: "test", primary_metric: "accuracy", margin: { kind: "relative", value: 0.05 },
    labels: [], arm_a: 1, arm_b: 2, ...over,
  };
}

function actions(): FormActions {
  return { change: vi.fn(), prepare: vi.fn(), start: vi.fn(), close: vi.fn() };
}

function draw(d: ExperimentDraft, a: FormActions, datasets = [dataset({})], busy: string | null = null): HTMLElement {
  const el = document.createElement("div");
  render(experimentForm(d, datasets, [], null, a, busy), el);
  return el;
}

describe("new experiment form", () => {
  it("names a margin that is not a number next to the field, quoting it, and keeps the draft's", () => {
    const a = actions();
    const el = draw(draft({}), a);
    const margin = el.querySelector("#exp-margin") as HTMLInputElement;
    margin.value = "five";
    margin.dispatchEvent(new Event("input"));
    margin.dispatchEvent(new Event("change"));
    expect(el.querySelector("#exp-margin-error")?.textContent).toBe("Margin: “five” is not a number above 0.");
    expect(a.change).not.toHaveBeenCalled();
    margin.value = "0.1";
    margin.dispatchEvent(new Event("input"));
    expect(el.querySelector("#exp-margin-error")?.textContent).toBe("");
    margin.dispatchEvent(new Event("change"));
    expect(a.change).toHaveBeenCalledWith({ margin: { kind: "relative", value: 0.1 } });
  });

  it("names what is still missing, and nothing once every field is filled", () => {
    let el = draw(draft({ name: "", arm_b: 0 }), actions());
    expect(el.querySelector("#exp-missing")?.textContent).toBe("Still needed: a name and arm B.");
    expect((el.querySelector("#exp-prepare") as HTMLButtonElement).disabled).toBe(true);
    el = draw(draft({}), actions());
    expect(el.querySelector("#exp-missing")).toBeNull();
    expect((el.querySelector("#exp-prepare") as HTMLButtonElement).disabled).toBe(false);
  });

  it("shows that it is estimating and refuses a second click meanwhile", () => {
    const el = draw(draft({}), actions(), [dataset({})], "Estimating…");
    const button = el.querySelector("#exp-prepare") as HTMLButtonElement;
    expect(button.textContent).toBe("Estimating…");
    expect(button.disabled).toBe(true);
  });

  it("lists a dataset without a split greyed, with a link to split it", () => {
    const el = draw(draft({}), actions(), [dataset({}), dataset({ id: 2, name: "raw", train_rows: 0, test_rows: 0 })]);
    const option = [...el.querySelectorAll("#exp-dataset option")].find((o) => o.textContent?.includes("raw")) as HTMLOptionElement;
    expect(option.textContent).toBe("raw (not split yet)");
    expect(option.disabled).toBe(true);
    const link = el.querySelector(".unsplit a") as HTMLAnchorElement;
    expect(link.textContent).toBe("Split it first →");
    expect(link.getAttribute("href")).toBe("#/dataset/2");
  });

  it("explains what the labels are for and what an empty field means", () => {
    const el = draw(draft({}), actions());
    expect(el.querySelector("#exp-labels-hint")?.textContent).toContain("Left empty, the dataset's distinct expected values are used");
  });
});
