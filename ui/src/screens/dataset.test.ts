import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { DatasetSummary, LeakageReport, ValidationReport_Serialize as ValidationReport } from "../bindings";
import { duplicatesView, leakageView, type Confirming, type RemovalActions } from "./dataset";

vi.mock("@tauri-apps/plugin-dialog", () => ({ ask: vi.fn(), save: vi.fn(), open: vi.fn() }));

function summary(over: Partial<DatasetSummary>): DatasetSummary {
  return {
    id: 1, name: "emails", source_file: "e.csv", source_format: "csv", imported_at: "2026-11-29T04:00:00Z",
    rows: 2250, train_rows: 2025, test_rows: 225, ...over,
  };
}

function leak(over: Partial<LeakageReport>): LeakageReport {
  return { train_rows: 2025, test_rows: 225, exact_test_rows: 5, normalised_test_rows: 2, leaked_train_rows: 9, pairs: [], ...over };
}

function actions(): RemovalActions {
  return { check: vi.fn(), ask: vi.fn(), keep: vi.fn(), remove: vi.fn() };
}

function draw(t: ReturnType<typeof leakageView>): HTMLElement {
  const el = document.createElement("div");
  render(t, el);
  return el;
}

describe("leakage panel", () => {
  it("says to split first instead of “No leakage.” when there is no test split", () => {
    const el = draw(leakageView(summary({ test_rows: 0, train_rows: 0 }), null, null, actions()));
    expect(el.querySelector("#leakage-split-first")?.textContent).toContain("Split first");
    expect(el.textContent).not.toContain("No leakage");
    expect((el.querySelector("#leakage-check") as HTMLButtonElement).disabled).toBe(true);
  });

  it("explains why it removes more train rows than there are leaked test rows", () => {
    const el = draw(leakageView(summary({}), leak({}), null, actions()));
    expect(el.querySelector("#leakage-why")?.textContent?.replace(/\s+/g, " ")).toBe(
      "Removing deletes the 9 train rows that copy these 7 test rows (a test row can have several copies in train); the test rows stay.",
    );
  });

  it("asks before removing, says how to undo, and removes only on confirmation", () => {
    const a = actions();
    let confirming: Confirming = null;
    let el = draw(leakageView(summary({}), leak({}), confirming, a));
    (el.querySelector("#leakage-remove") as HTMLButtonElement).click();
    expect(a.ask).toHaveBeenCalledWith("leaked");
    expect(a.remove).not.toHaveBeenCalled();
    confirming = "leaked";
    el = draw(leakageView(summary({}), leak({}), confirming, a));
    expect(el.querySelector("#confirm-leaked")?.textContent).toContain("import the file again");
    (el.querySelector("#confirm-leaked-no") as HTMLButtonElement).click();
    expect(a.keep).toHaveBeenCalled();
    (el.querySelector("#confirm-leaked-yes") as HTMLButtonElement).click();
    expect(a.remove).toHaveBeenCalledWith("leaked");
  });
});

describe("repeated rows", () => {
  const report = { duplicate_rows: 31 } as ValidationReport;

  it("offers to remove exact repeats, with the same confirmation", () => {
    const a = actions();
    let el = draw(duplicatesView(report, null, a));
    expect(el.textContent?.replace(/\s+/g, " ")).toContain("31 rows repeat an earlier row exactly");
    (el.querySelector("#duplicates-remove") as HTMLButtonElement).click();
    expect(a.ask).toHaveBeenCalledWith("duplicates");
    el = draw(duplicatesView(report, "duplicates", a));
    expect(el.querySelector("#confirm-duplicates")?.textContent).toContain("The first of each stays");
    expect(el.querySelector("#confirm-duplicates")?.textContent).toContain("import the file again");
    (el.querySelector("#confirm-duplicates-yes") as HTMLButtonElement).click();
    expect(a.remove).toHaveBeenCalledWith("duplicates");
  });

  it("shows nothing when no row repeats", () => {
    expect(draw(duplicatesView({ duplicate_rows: 0 } as ValidationReport, null, actions())).textContent).toBe("");
  });
});
