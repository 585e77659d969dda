import { describe, expect, it, vi } from "vitest";
import type { CaseCounts } from "../bindings";

vi.mock("@tauri-apps/plugin-dialog", () => ({ save: vi.fn() }));
const { firstNonEmpty } = await import("./results");

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
