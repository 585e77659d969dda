import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { CaseCounts, CasePage } from "../bindings";

vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn() }));
const { firstNonEmpty, rightMeans } = await import("./results");

const counts = (over: Partial<CaseCounts>): CaseCounts => ({
  all: 225, a_only_right: 0, b_only_right: 0, both_wrong: 0, both_right: 225, errors: 0, ...over,
});

describe("case browser", () => {
  it("opens on the first filter that has cases instead of one with none", () => {
    expect(firstNonEmpty(counts({ b_only_right: 3 }), "a_only_right")).toBe("b_only_right");
    expect(firstNonEmpty(counts({ errors: 2 }), "a_only_right")).toBe("errors");
    expect(firstNonEmpty(counts({}), "a_only_right")).toBe("all");
  });

  it("keeps the chosen filter when it has cases", () => {
    expect(firstNonEmpty(counts({ a_only_right: 1, b_only_right: 3 }), "a_only_right")).toBe("a_only_right");
  });
});

describe("what a right case means", () => {
  it("is stated beside the counts, with the threshold a continuous metric is judged by", () => {
    const page = {
      run_id: 1, filter: "all", search: null, total: 0, offset: 0, counts: counts({}), arm_a: "a", arm_b: "b", cases: [],
      right_means: "Right: a case's bleu score is at least 30 (the experiment's [scenario] correct_at)",
    } as CasePage;
    const el = document.createElement("div");
    render(rightMeans(page), el);
    expect(el.querySelector("#cases-right-means")?.textContent).toBe(
      "Right: a case's bleu score is at least 30 (the experiment's [scenario] correct_at)",
    );
    render(rightMeans(null), el);
    expect(el.querySelector("#cases-right-means")).toBeNull();
  });
});
