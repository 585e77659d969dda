import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { Arm_Serialize as Arm, DatasetSummary, ExperimentDraft } from "../bindings";
import { armProblems, experimentForm, type FormActions } from "./experiment-form";

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

describe("an experiment of more than two arms", () => {
  const stored = (id: number, name: string, kind: Arm["kind"], model: string) => ({ id, name, kind, model }) as Arm;
  const ARMS = [
    stored(1, "prompting", "prompt", "base"),
    stored(2, "fine-tuned", "fine_tuned", "ft"),
    stored(3, "hybrid", "hybrid", "ft"),
    stored(4, "terse", "prompt", "base"),
  ];
  const form = (d: ExperimentDraft, a: FormActions) => {
    const el = document.createElement("div");
    render(experimentForm(d, [dataset({})], ARMS, null, a), el);
    return el;
  };

  it("adds an arm, offers the stored arms grouped by kind, and names the kind once chosen", () => {
    const a = actions();
    let el = form(draft({}), a);
    expect(el.querySelector("#exp-arm-c")).toBeNull();
    (el.querySelector("#exp-add-arm") as HTMLButtonElement).click();
    expect(a.change).toHaveBeenLastCalledWith({ more_arms: [0] });

    el = form(draft({ more_arms: [0] }), a);
    expect(el.querySelector("#exp-missing")?.textContent).toBe("Still needed: arm C.");
    const groups = [...el.querySelectorAll("#exp-arm-c optgroup")].map((g) => [
      g.getAttribute("label"), [...g.querySelectorAll("option")].map((o) => o.textContent),
    ]);
    expect(groups).toEqual([
      ["prompting", ["prompting · base", "terse · base"]],
      ["fine-tuned", ["fine-tuned · ft"]],
      ["hybrid", ["hybrid · ft"]],
    ]);
    const select = el.querySelector("#exp-arm-c") as HTMLSelectElement;
    select.value = "3";
    select.dispatchEvent(new Event("change"));
    expect(a.change).toHaveBeenLastCalledWith({ more_arms: [3] });

    el = form(draft({ more_arms: [3] }), a);
    expect(el.querySelector("[data-arm='C'] label")?.textContent?.replace(/\s+/g, " ").trim()).toMatch(/^Arm C \(hybrid\)/);
    expect(el.querySelector("#exp-missing")).toBeNull();
    expect((el.querySelector("#exp-prepare") as HTMLButtonElement).disabled).toBe(false);
    expect(el.querySelector("#exp-arms-hint")?.textContent).toContain("3 arms: each is compared with arm A");
  });

  it("removes an arm, and the later ones move up", () => {
    const a = actions();
    const el = form(draft({ more_arms: [3, 4] }), a);
    (el.querySelector("#exp-remove-c") as HTMLButtonElement).click();
    expect(a.change).toHaveBeenLastCalledWith({ more_arms: [4] });
  });

  it("stops at six arms", () => {
    let el = form(draft({ more_arms: [3, 4, 5] }), actions());
    expect((el.querySelector("#exp-add-arm") as HTMLButtonElement).disabled).toBe(false);
    el = form(draft({ more_arms: [3, 4, 5, 6] }), actions());
    expect((el.querySelector("#exp-add-arm") as HTMLButtonElement).disabled).toBe(true);
  });

  it("names an arm chosen twice and a baseline that is not a prompting arm, and holds the estimate back", () => {
    expect(armProblems(draft({ more_arms: [2] }), ARMS)).toEqual(["Arm C is arm B again; each arm takes part once."]);
    // Two arms: any kind may be arm A.
    expect(armProblems(draft({ arm_a: 2, arm_b: 1 }), ARMS)).toEqual([]);
    const el = form(draft({ arm_a: 2, arm_b: 1, more_arms: [3] }), actions());
    expect(el.querySelector("#exp-arm-problems")?.textContent?.trim()).toBe(
      "With 3 arms, arm A is the prompting baseline every other arm is compared with; “fine-tuned” is a fine-tuned arm.",
    );
    expect((el.querySelector("#exp-prepare") as HTMLButtonElement).disabled).toBe(true);
  });
});
