import { render } from "lit-html";
import { describe, expect, it } from "vitest";
import { ARM_COLOURS } from "../arm-colours";
import { comparisonsTable, num, outcome, pText, signed } from "./comparisons";
import { comparison, THREE } from "./several-arms.fixture";

describe("figures as the report's sentences write them", () => {
  it("drops trailing zeros, signs differences and floors tiny p-values", () => {
    expect([num(0.04375), num(1), num(-0.0001), num(0.25)]).toEqual(["0.044", "1", "0", "0.25"]);
    expect([signed(0.125), signed(-0.04), signed(0)]).toEqual(["+0.125", "-0.04", "0"]);
    expect([pText(0.0000024), pText(0.012)]).toEqual(["< 0.001", "0.012"]);
  });

  it("says what the margin rule found, with the cases that would settle an open one", () => {
    expect(outcome(comparison({ verdict_kind: "not_justified" }))).toBe("does not clear the margin");
    expect(outcome(comparison({ verdict_kind: "inconclusive", cases_to_settle: 410 }))).toBe(
      "inconclusive; about 410 paired cases would settle it",
    );
  });
});

describe("comparisons table", () => {
  it("gives each comparison its difference with interval, both p-values, the margin and the outcome", () => {
    const el = document.createElement("div");
    render(comparisonsTable(THREE, ["prompting", "fine-tuned", "hybrid"]), el);
    const rows = [...el.querySelectorAll("#comparisons-table tbody tr")];
    expect(rows).toHaveLength(3);
    const cells = (r: Element) => [...r.querySelectorAll("td")].map((td) => td.textContent?.replace(/\s+/g, " ").trim());
    expect(cells(rows[1])).toEqual([
      "hybrid hybrid", "prompting", "225", "+0.25 [+0.19, +0.31]", "< 0.001 McNemar exact", "< 0.001", "0.037",
      "clears the margin the verdict's",
    ]);
    expect(cells(rows[2])).toEqual([
      "hybrid hybrid", "fine-tuned (its fine-tuned arm)", "225", "+0.125 [+0.08, +0.17]", "0.012 McNemar exact", "0.012", "0.044",
      "clears the margin",
    ]);
    expect(rows[1].classList.contains("leading")).toBe(true);
    expect(rows[0].getAttribute("title")).toContain("fine-tuned − prompting on accuracy is +0.125");
  });

  it("marks each challenger with its arm's chart colour", () => {
    const el = document.createElement("div");
    render(comparisonsTable(THREE, ["prompting", "fine-tuned", "hybrid"]), el);
    const colours = [...el.querySelectorAll("#comparisons-table tbody .swatch")].map((s) => (s as HTMLElement).style.background);
    const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(", ")})`;
    expect(colours).toEqual([rgb(ARM_COLOURS.light[1]), rgb(ARM_COLOURS.light[2]), rgb(ARM_COLOURS.light[2])]);
  });
});
