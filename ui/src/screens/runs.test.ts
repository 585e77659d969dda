import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { FileReview_Serialize as FileReview, RunListEntry, RunStatus } from "../bindings";
import { reviewView, runsTable } from "./runs";

function entry(id: number, status: RunStatus, errors: [number, number]): RunListEntry {
  const arm = (arm_id: number, name: string, e: number) => ({
    arm_id, name, model: `${name}-model-${id}`, total: 10, n: 10, answered: 10 - e, errors: e,
    errors_by_class: e > 0 ? [{ class: "timeout", count: e }] : [],
    metric: 0.8, latency_ms_p50: 100, latency_ms_p95: 200, ttft_ms_p50: null,
    prompt_tokens_mean: 10, completion_tokens_mean: 1, cost_per_query: 0.001, from_cache: 0,
  });
  return {
    experiment: "tickets", started_at: "2026-11-29T07:00:00Z",
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
