import { describe, expect, it, vi } from "vitest";
import { act, type ActState } from "./act";

describe("act", () => {
  it("shows what it is doing and hides the previous error while the action runs", async () => {
    const s: ActState = { busy: null, error: "an old failure", notice: null };
    let release: () => void = () => {};
    const seen: (string | null)[] = [];
    const pending = act(s, () => seen.push(s.busy), "Estimating…", () => new Promise<string>((r) => (release = () => r("done"))));
    expect(s.busy).toBe("Estimating…");
    expect(s.error).toBeNull();
    release();
    await pending;
    expect(s.busy).toBeNull();
    expect(s.notice).toBe("done");
    expect(seen).toEqual(["Estimating…", null]);
  });

  it("turns a throw into the error and lets the caller branch on it", async () => {
    const s: ActState = { busy: null, error: null, notice: "old" };
    const failed = vi.fn();
    await act(s, () => {}, "Saving…", () => Promise.reject(new Error("no such provider")), failed);
    expect(s.error).toBe("no such provider");
    expect(s.notice).toBeNull();
    expect(failed).toHaveBeenCalledOnce();
  });

  it("ignores a second click while the first action is still running", async () => {
    const s: ActState = { busy: null, error: null, notice: null };
    const work = vi.fn(() => new Promise<null>((r) => setTimeout(() => r(null), 5)));
    const first = act(s, () => {}, "Working…", work);
    await act(s, () => {}, "Working…", work);
    await first;
    expect(work).toHaveBeenCalledOnce();
  });
});
