import { render } from "lit-html";
import { describe, expect, it } from "vitest";
import { datasetsView } from "./datasets";

function draw(state: Parameters<typeof datasetsView>[0]): HTMLElement {
  const el = document.createElement("div");
  render(datasetsView(state), el);
  return el;
}

describe("datasets screen", () => {
  it("invites an import when the store is empty", () => {
    const el = draw({ kind: "ready", datasets: [] });
    expect(el.querySelector("#datasets-empty")?.textContent).toContain("No datasets yet");
    expect(el.querySelector("#datasets-table")).toBeNull();
  });

  it("lists every dataset with grouped counts", () => {
    const el = draw({
      kind: "ready",
      datasets: [
        { id: 3, name: "tickets", source_file: "t.csv", source_format: "csv",
          imported_at: "2026-11-29T04:00:00Z", rows: 12500, train_rows: 10000, test_rows: 2500 },
      ],
    });
    const row = el.querySelector("tr[data-dataset-id='3']");
    expect(row?.querySelector(".name")?.textContent).toBe("tickets");
    expect(row?.textContent).toContain("12,500");
  });

  it("shows user text as text, never as markup", () => {
    const el = draw({
      kind: "ready",
      datasets: [
        { id: 1, name: "<img src=x onerror=alert(1)>", source_file: "x", source_format: "csv",
          imported_at: "2026-11-29T04:00:00Z", rows: 1, train_rows: 0, test_rows: 0 },
      ],
    });
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector(".name")?.textContent).toBe("<img src=x onerror=alert(1)>");
  });

  it("shows a store error in an alert", () => {
    const el = draw({ kind: "error", message: "newer build" });
    expect(el.querySelector("[role=alert]")?.textContent).toContain("newer build");
  });
});
