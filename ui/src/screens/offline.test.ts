import { render } from "lit-html";
import { describe, expect, it, vi } from "vitest";
import type { OfflineEstimate, OfflineEvent } from "../bindings";
import { applyEvent, DEFAULT_OPTIONS, duration, estimateText, offlineView, type Actions, type Live, type State } from "./offline";

function actions(): Actions {
  return { changed: vi.fn(), estimate: vi.fn(), start: vi.fn(), cancel: vi.fn() };
}

const estimate: OfflineEstimate = {
  dataset: "spamassassin_spam_ham", train_rows: 32, test_cases: 60, labels: ["ham", "spam"],
  training_tokens: 3700, windows: 27, training_s: 1147.5, evaluation_s: 95, total_s: 1282.5, cores: 2,
  basis: "SmolLM2-135M measured on 2 idle cores",
};

function state(over: Partial<State>): State {
  return {
    datasetId: 3, datasetName: "spamassassin_spam_ham", options: { ...DEFAULT_OPTIONS }, estimate: null,
    live: null, error: null, busy: false, ...over,
  };
}

function draw(s: State, a: Actions): HTMLElement {
  const el = document.createElement("div");
  render(offlineView(s, a), el);
  return el;
}

describe("try it offline screen", () => {
  it("says durations in seconds, minutes or hours", () => {
    expect([duration(45), duration(1282.5), duration(9000)]).toEqual(["45 s", "21 min", "2.5 h"]);
  });

  it("shows the estimated time before Start, which stays off until there is one", () => {
    const a = actions();
    const before = draw(state({}), a);
    expect(before.querySelector("#offline-no-estimate")).not.toBeNull();
    expect((before.querySelector("#offline-start") as HTMLButtonElement).disabled).toBe(true);

    const el = draw(state({ estimate }), a);
    expect(el.querySelector("#offline-estimate-text")?.textContent).toBe(
      "About 21 min on this machine's 2 cores: training 19 min (3,700 tokens, 27 windows), both arms over 60 held-out cases 95 s.",
    );
    expect(estimateText(estimate)).toContain("About 21 min");
    expect(el.querySelector("#offline-estimate")?.textContent).toContain("labels ham, spam");
    const start = el.querySelector("#offline-start") as HTMLButtonElement;
    expect(start.disabled).toBe(false);
    start.click();
    expect(a.start).toHaveBeenCalledOnce();
  });

  it("hands a changed field over as a number and refuses one out of range", () => {
    const a = actions();
    const el = draw(state({ estimate }), a);
    const rows = el.querySelector("#offline-train-rows") as HTMLInputElement;
    expect(rows.value).toBe("32");
    rows.value = "8";
    rows.dispatchEvent(new Event("change"));
    expect(a.changed).toHaveBeenCalledWith("train_rows", 8);
    rows.value = "1";
    rows.dispatchEvent(new Event("change"));
    expect(a.changed).toHaveBeenCalledTimes(1);
    expect(el.querySelector("#offline-train-rows-error")?.textContent).toContain("between 2 and 5000");
  });

  it("follows the stages, the training loss and the run, with Start off and Cancel on", () => {
    let live: Live = { stages: [], training: null, run: null };
    const events: OfflineEvent[] = [
      { kind: "stage", stage: "subset", detail: "32 train rows and 60 held-out cases of `spam`" },
      { kind: "stage", stage: "fine_tune", detail: "1 epoch(s)" },
      { kind: "fine_tune", event: { type: "step", step: "train", detail: "llama-finetune" } },
      {
        kind: "fine_tune",
        event: {
          type: "progress", epoch: 0,
          progress: { train: true, done: 3, total: 27, loss: 2.1234, loss_unc: 0.01, accuracy_pct: 50, elapsed_s: 30, eta_s: 240 },
        },
      },
      // A validation line does not replace the training figures.
      {
        kind: "fine_tune",
        event: {
          type: "progress", epoch: 0,
          progress: { train: false, done: 1, total: 2, loss: 9, loss_unc: 0, accuracy_pct: 0, elapsed_s: 1, eta_s: 1 },
        },
      },
      { kind: "stage", stage: "run", detail: "run 4" },
      {
        kind: "run",
        progress: {
          run_id: 4, elapsed_s: 10, eta_s: 50, spend_usd: 0, metric_name: "accuracy",
          arms: [
            { arm_id: 1, name: "few-shot", done: 20, total: 60, errors: 0, from_cache: 0, metric: 0.6 },
            { arm_id: 2, name: "fine-tuned", done: 10, total: 60, errors: 0, from_cache: 0, metric: 0.5 },
          ],
        },
      },
    ];
    for (const e of events) live = applyEvent(live, e);
    expect(live.training).toEqual({ done: 3, total: 27, loss: 2.1234, eta_s: 240 });
    expect(live.run).toEqual({ done: 30, total: 120, eta_s: 50 });
    const a = actions();
    const el = draw(state({ estimate, live }), a);
    const stages = [...el.querySelectorAll("#offline-stages li")];
    expect(stages.map((li) => li.getAttribute("data-stage"))).toEqual(["subset", "fine_tune", "run"]);
    expect(stages[2].className).toBe("current");
    expect(el.querySelector("#offline-training")?.textContent?.replace(/\s+/g, " ")).toBe(
      "Training window 3 of 27, loss 2.123, 4 min left.",
    );
    expect(el.querySelector("#offline-run")?.textContent).toBe("30 of 120 answers, 50 s left.");
    expect((el.querySelector("#offline-start") as HTMLButtonElement).disabled).toBe(true);
    (el.querySelector("#offline-cancel") as HTMLButtonElement).click();
    expect(a.cancel).toHaveBeenCalledOnce();
  });

  it("shows a refusal from the core as it is", () => {
    const el = draw(state({ error: "llama-server (llama.cpp) not found; build it with `scripts/local-llm.sh ensure`" }), actions());
    expect(el.querySelector("#offline-error")?.textContent).toContain("llama-server (llama.cpp) not found");
  });
});
