import { describe, expect, it } from "vitest";
import { count, modelChoices, plural, timestamp, today } from "./format";
import type { PriceEntry_Serialize as PriceEntry } from "./bindings";

describe("format", () => {
  it("groups thousands", () => {
    expect(count(1234567)).toBe("1,234,567");
    expect(count(0)).toBe("0");
  });
  it("shows stored UTC times to the minute", () => {
    expect(timestamp("2026-11-29T04:20:49Z")).toBe("2026-11-29 04:20");
  });
  it("leaves text that is not a time untouched", () => {
    expect(timestamp("yesterday")).toBe("yesterday");
  });
  it("pluralises with the count", () => {
    expect(plural(1, "row")).toBe("1 row");
    expect(plural(2250, "row")).toBe("2,250 rows");
  });
  it("writes today as a date without a time", () => {
    expect(today()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
  it("lists each model a catalog prices once, by kind, globs without their wildcard", () => {
    const entry = (model_pattern: string, kind: "base" | "fine_tuned") => ({ model_pattern, kind }) as PriceEntry;
    const choices = modelChoices([
      entry("gpt-4.1-mini", "base"),
      entry("gpt-4.1-mini", "base"),
      entry("claude-*", "base"),
      entry("ft:gpt-4.1-mini:*", "fine_tuned"),
    ]);
    expect(choices).toEqual({ base: ["claude-", "gpt-4.1-mini"], tuned: ["ft:gpt-4.1-mini:"] });
  });
});
