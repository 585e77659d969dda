import { describe, expect, it } from "vitest";
import { count, plural, timestamp } from "./format";

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
});
