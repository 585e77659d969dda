import { render } from "lit-html";
import { describe, expect, it } from "vitest";
import type { ValidationReport_Serialize as ValidationReport } from "./bindings";
import { reportView } from "./report";

function report(over: Partial<ValidationReport>): ValidationReport {
  const len = { min: 3, p50: 120, p95: 900, max: 1200, mean: 200, total: 4500 };
  return {
    rows: 2250, train_rows: 1800, validation_rows: 0, test_rows: 450, unassigned_rows: 0, encoding: "UTF-8",
    empty_inputs: 0, empty_expected: 0, duplicate_rows: 31, duplicate_inputs: 40,
    labelled: true, labels: [{ label: "ham", count: 1250 }, { label: "spam", count: 1000 }],
    input_chars: len, input_tokens: { ...len, total: 517167 }, token_estimate: "characters / 4",
    warnings: [], ...over,
  };
}

function draw(r: ValidationReport): HTMLElement {
  const el = document.createElement("div");
  render(reportView(r), el);
  return el;
}

describe("validation report", () => {
  it("shows counts, the split and how tokens were estimated", () => {
    const el = draw(report({}));
    expect(el.querySelector("#report-rows")?.textContent).toBe("2,250");
    expect(el.textContent).toContain("1,800 / 450");
    expect(el.textContent).toContain("517,167");
    expect(el.textContent).toContain("characters / 4");
  });

  it("shows the validation rows carved from train only when there are some", () => {
    expect(draw(report({})).querySelector("#report-validation")).toBeNull();
    const el = draw(report({ rows: 2250, train_rows: 1500, validation_rows: 300 }));
    expect(el.textContent).toContain("1,500 / 450");
    expect(el.querySelector("#report-validation")?.textContent).toBe("(+ 300 validation, carved from train)");
  });

  it("lists every warning with its code", () => {
    const el = draw(report({
      warnings: [{ code: "few_training_examples", message: "Only 240 training examples" }],
    }));
    const items = el.querySelectorAll("#report-warnings li");
    expect(items.length).toBe(1);
    expect(items[0].getAttribute("data-code")).toBe("few_training_examples");
  });

  it("draws label bars only when the expected values are labels", () => {
    expect(draw(report({})).querySelectorAll(".label-bar").length).toBe(2);
    const free = draw(report({ labelled: false, labels: [] }));
    expect(free.querySelectorAll(".label-bar").length).toBe(0);
    expect(free.textContent).toContain("free text");
  });
});
