import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { FileReview_Serialize as FileReview, RunListEntry, RunStatus } from "../bindings";
import { liveView, outcomeText, reviewView, runsTable, spendText, type Live } from "./runs";

function entry(id: number, status: RunStatus, errors: [number, number]): RunListEntry {
  const arm = (arm_id: number, name: string, e: number) => ({
    arm_id, name, model: `${name}-model-${id}`, total: 10, n: 10, answered: 10 - e, errors: e,
    errors_by_class: e > 0 ? [{ class: "timeout", count: e }] : [],
    metric: 0.8, latency_ms_p50: 100, latency_ms_p95: 200, ttft_ms_p50: null,
    prompt_tokens_mean: 10, completion_tokens_mean: 1, cost_per_query: 0.001, from_cache: 0,
  });
  return {
    experiment: "tickets", started_at: "2026-11-29T07:00:00Z", batch: [],
    summary: { run_id: id, status, primary_metric: "accuracy", arms: [arm(1, "prompting", errors[0]), arm(2, "fine-tuned", errors[1])] },
  };
}

describe("runs table", () => {
  it("offers to retry a run's errors, and to resume one that did not finish", () => {
    const resume = vi.fn();
    const retry = vi.fn();
    const el = document.createElement("div");
    render(runsTable([entry(1, "completed", [2, 1]), entry(2, "running", [1, 0]), entry(3, "interrupted", [0, 0])], true, resume, retry), el);
    const button = el.querySelector("#retry-errors-1") as HTMLButtonElement;
    expect(button.textContent).toContain("Retry 3 errors");
    expect(el.querySelector("tr[data-run-id='2']")?.textContent).toContain("fine-tuned-model-2");
    button.click();
    expect(retry).toHaveBeenCalledWith(1);
    expect(el.querySelector("#retry-errors-2")).toBeNull();
    expect(el.querySelector("#retry-errors-3")).toBeNull();
    const row3 = el.querySelector("tr[data-run-id='3']");
    expect(row3?.textContent).toContain("Resume");
    expect(el.querySelector("tr[data-run-id='1']")?.textContent).not.toContain("Resume");
    render(runsTable([entry(4, "pending", [0, 0])], true, resume, retry), el);
    (el.querySelector("tr[data-run-id='4'] button") as HTMLButtonElement).click();
    expect(el.querySelector("tr[data-run-id='4'] button")?.textContent).toBe("Start");
    expect(resume).toHaveBeenCalledWith(4);
  });

  it("says next to a run why its Start failed, where the person clicked", () => {
    const el = document.createElement("div");
    const failed = { runId: 4, message: "provider `local` could not start its server" };
    render(runsTable([entry(3, "interrupted", [0, 0]), entry(4, "pending", [0, 0])], true, vi.fn(), vi.fn(), null, null, failed), el);
    expect(el.querySelector("tr[data-run-id='4'] .row-error")?.textContent).toBe(
      "Run 4 did not start: provider `local` could not start its server",
    );
    expect(el.querySelector("tr[data-run-id='3'] .row-error")).toBeNull();
    render(runsTable([entry(3, "interrupted", [0, 0])], true, vi.fn(), vi.fn(), null, null, { runId: 3, message: "no key" }), el);
    expect(el.querySelector("tr[data-run-id='3'] .row-error")?.textContent).toBe("Run 3 did not resume: no key");
  });
});

describe("experiment file review", () => {
  it("lists each provider's URL and key source and each folder, and runs only on confirm", () => {
    const confirm = vi.fn();
    const cancel = vi.fn();
    const el = document.createElement("div");
    const review: FileReview = {
      file: "/home/me/Downloads/shared.toml",
      fingerprint: "abc",
      needs_confirmation: true,
      providers: [
        {
          name: "openai", stored_name: "openai (evil.example:8080)", status: "differs", kind: "openai",
          base_url: "http://evil.example:8080/v1", api_key_env: "GITHUB_TOKEN", key_env_known: false,
        },
      ],
      paths: [{ arm: "a", used_as: "context", path: "/home/me/.ssh", inside_file_folder: false, known: false }],
    };
    render(reviewView(review, confirm, cancel), el);
    const text = el.querySelector("#run-review")?.textContent ?? "";
    expect(text).toContain("Run shared.toml?");
    expect(text).toContain("http://evil.example:8080/v1");
    expect(text).toContain("$GITHUB_TOKEN");
    expect(text).toContain("no stored provider reads it");
    expect(text).toContain("the stored “openai” sends elsewhere");
    expect(el.querySelector("#run-review-paths")?.textContent).toContain("outside the file's folder");
    expect(confirm).not.toHaveBeenCalled();
    (el.querySelector("#run-review-cancel") as HTMLButtonElement).click();
    expect(cancel).toHaveBeenCalled();
    (el.querySelector("#run-review-confirm") as HTMLButtonElement).click();
    expect(confirm).toHaveBeenCalled();
  });
});

function progress(runId: number, done: [number, number], spend: number | null) {
  return {
    run_id: runId, elapsed_s: 12, eta_s: null, spend_usd: spend, metric_name: "accuracy",
    arms: [
      { arm_id: 1, name: "prompting", done: done[0], total: 450, errors: 0, from_cache: 0, metric: null },
      { arm_id: 2, name: "fine-tuned", done: done[1], total: 450, errors: 0, from_cache: 0, metric: null },
    ],
  };
}

describe("a run while it runs and when it ends", () => {
  it("names a resumed run once, not as “run 1 (run 1)”", () => {
    const el = document.createElement("div");
    render(liveView({ progress: progress(1, [10, 10], 0.5), cancelling: false, label: "run 1" }, vi.fn()), el);
    expect(el.querySelector("#run-live-title")?.textContent?.trim()).toBe("Running run 1");
    render(liveView({ progress: progress(2, [10, 10], 0.5), cancelling: false, label: "tickets.toml" }, vi.fn()), el);
    expect(el.querySelector("#run-live-title")?.textContent?.replace(/\s+/g, " ").trim()).toBe("Running tickets.toml (run 2)");
  });

  it("says the cost is unknown instead of $0 when an arm has no price", () => {
    expect(spendText(0, ["fine-tuned"])).toBe("cost unknown (no price for fine-tuned)");
    expect(spendText(0.25, ["fine-tuned"])).toBe("cost unknown (no price for fine-tuned); $0.25 on the priced arm");
    expect(spendText(0.25, [])).toBe("$0.25 spent");
    const el = document.createElement("div");
    render(liveView({ progress: progress(1, [10, 10], 0), cancelling: false, label: "run 1", unpriced: ["fine-tuned"] }, vi.fn()), el);
    expect(el.querySelector("#run-live-text")?.textContent).toContain("cost unknown (no price for fine-tuned)");
    expect(el.querySelector("#run-live-text")?.textContent).not.toContain("$0");
  });

  it("counts a resumed run's results over the whole run and this resume apart", () => {
    const text = outcomeText({ run_id: 1, status: "completed", written: 733, spend_usd: 0.5 }, progress(1, [450, 450], 0.5), [], []);
    expect(text).toBe("Run 1 completed: 900 of 900 results; 733 in this resume, $0.50 spent.");
    const fresh = outcomeText({ run_id: 2, status: "completed", written: 900, spend_usd: 0.5 }, progress(2, [450, 450], 0.5), [], []);
    expect(fresh).toBe("Run 2 completed: 900 of 900 results written, $0.50 spent.");
  });

  it("shows the followed run as running in the list, and no “No runs yet” under a running run", () => {
    const live: Live = { progress: null, cancelling: false, label: "run 3", runId: 3 };
    const el = document.createElement("div");
    render(runsTable([entry(3, "interrupted", [0, 0])], false, vi.fn(), vi.fn(), live), el);
    const row = el.querySelector("tr[data-run-id='3']");
    expect(row?.textContent).toContain("running");
    expect(row?.textContent).not.toContain("interrupted");
    expect(row?.textContent).not.toContain("Resume");
    render(runsTable([], false, vi.fn(), vi.fn(), { progress: null, cancelling: false, label: "tickets.toml" }), el);
    expect(el.querySelector("#runs-empty")).toBeNull();
  });
});

describe("deleting a run", () => {
  it("asks in the row first, and offers no delete for the run that is running", () => {
    const del = { deleting: null as number | null, ask: vi.fn(), remove: vi.fn() };
    const el = document.createElement("div");
    render(runsTable([entry(1, "pending", [0, 0]), entry(2, "interrupted", [0, 0])], true, vi.fn(), vi.fn(), null, del), el);
    (el.querySelector("tr[data-run-id='1'] .delete-run") as HTMLButtonElement).click();
    expect(del.ask).toHaveBeenCalledWith(1);
    expect(del.remove).not.toHaveBeenCalled();
    del.deleting = 1;
    render(runsTable([entry(1, "pending", [0, 0])], true, vi.fn(), vi.fn(), null, del), el);
    expect(el.querySelector("#confirm-run-1")?.textContent).toContain("Delete run 1 and its results?");
    (el.querySelector("#confirm-run-1-yes") as HTMLButtonElement).click();
    expect(del.remove).toHaveBeenCalledWith(1);
    const live: Live = { progress: null, cancelling: false, label: "run 2", runId: 2 };
    render(runsTable([entry(2, "interrupted", [0, 0])], false, vi.fn(), vi.fn(), live, { ...del, deleting: null }), el);
    expect(el.querySelector("tr[data-run-id='2'] .delete-run")).toBeNull();
  });
});
