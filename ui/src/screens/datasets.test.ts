import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { DatasetSummary, ValidationReport_Serialize as ValidationReport } from "../bindings";
import { datasetsView, type State } from "./datasets";

const actions = { pickFile: vi.fn(), importSample: vi.fn() };

function draw(state: State): HTMLElement {
  const el = document.createElement("div");
  render(datasetsView(state, actions), el);
  return el;
}

function summary(over: Partial<DatasetSummary>): DatasetSummary {
  return {
    id: 1, name: "tickets", source_file: "t.csv", source_format: "csv",
    imported_at: "2026-11-29T04:00:00Z", rows: 10, train_rows: 0, test_rows: 0, ...over,
  };
}

function report(labels: [string, number][]): ValidationReport {
  const len = { min: 1, p50: 2, p95: 3, max: 4, mean: 2, total: 20 };
  return {
    rows: 10, train_rows: 0, validation_rows: 0, test_rows: 0, unassigned_rows: 10, encoding: "UTF-8",
    empty_inputs: 0, empty_expected: 0, duplicate_rows: 0, duplicate_inputs: 0,
    labelled: labels.length > 0, labels: labels.map(([label, count]) => ({ label, count })),
    input_chars: len, input_tokens: len, token_estimate: "characters / 4", warnings: [],
  };
}

describe("datasets screen", () => {
  it("offers the built-in sample when the store is empty", () => {
    const el = draw({ kind: "ready", datasets: [] });
    expect(el.querySelector("#datasets-empty")?.textContent).toContain("No datasets yet");
    expect(el.querySelector("#datasets-table")).toBeNull();
    (el.querySelector("#import-sample") as HTMLButtonElement).click();
    expect(actions.importSample).toHaveBeenCalledOnce();
  });

  it("lists every dataset with grouped counts and its label distribution", () => {
    const el = draw({
      kind: "ready",
      datasets: [{ summary: summary({ id: 3, rows: 12500 }), report: report([["ham", 3], ["spam", 1]]) }],
    });
    const row = el.querySelector("tr[data-dataset-id='3']");
    expect(row?.querySelector(".name")?.textContent).toBe("tickets");
    expect(row?.textContent).toContain("12,500");
    const bars = row?.querySelectorAll(".label-bar") ?? [];
    expect(bars.length).toBe(2);
    expect(bars[0].textContent).toContain("75%");
  });

  it("says free text when the expected values are not labels", () => {
    const el = draw({ kind: "ready", datasets: [{ summary: summary({}), report: report([]) }] });
    expect(el.querySelector(".labels-cell")?.textContent).toContain("free text");
  });

  it("shows user text as text, never as markup", () => {
    const el = draw({
      kind: "ready",
      datasets: [{ summary: summary({ name: "<img src=x onerror=alert(1)>" }), report: null }],
    });
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector(".name")?.textContent).toBe("<img src=x onerror=alert(1)>");
  });

  it("shows a store error in an alert", () => {
    const el = draw({ kind: "error", message: "newer build" });
    expect(el.querySelector("[role=alert]")?.textContent).toContain("newer build");
  });
});
