// "Try it offline" from the window with real models, sized tiny: the built-in sample
// imported, its dataset screen's Try it offline, a few train rows and held-out cases, the
// estimated time read before Start, then a real local fine-tune (llama.cpp) and a run of
// the prompting and the fine-tuned arm, ending on the results. Needs llama.cpp's tools and
// the default model built by `scripts/local-llm.sh ensure` (run-e2e.sh points the app at
// that cache).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { openApp, screenshot, tunebench } from "./session.mjs";

const sample = fileURLToPath(
  new URL("../../crates/tunebench-core/assets/sample/spamassassin_spam_ham.csv", import.meta.url),
);

let browser;

before(async () => {
  browser = await openApp();
  await (await browser.$("#nav-datasets")).waitForExist({ timeout: 20_000 });
});

after(async () => {
  await browser?.deleteSession();
});

test("the sample's dataset screen offers the offline test, which estimates its time first", async () => {
  // The store is shared with the other window tests, so the sample goes in under its own
  // name rather than through the empty store's "Try the sample dataset".
  const imported = JSON.parse(tunebench("--json", "import", sample, "--name", "offline-sample"));
  await browser.execute((id) => (location.hash = `#/dataset/${id}`), imported.dataset_id);
  const offline = await browser.$("#dataset-offline");
  await offline.waitForExist({ timeout: 20_000 });
  await offline.click();
  const start = await browser.$("#offline-start");
  await start.waitForExist({ timeout: 20_000 });
  // Tiny: 8 train rows (a few 256-token windows), 4 held-out cases.
  for (const [id, value] of [["#offline-train-rows", "8"], ["#offline-test-cases", "4"]]) {
    const field = await browser.$(id);
    await field.setValue(value);
    await browser.execute((sel) => document.querySelector(sel).dispatchEvent(new Event("change")), id);
  }
  assert.equal(await start.isEnabled(), false, "Start waits for the estimate");
  await (await browser.$("#offline-estimate-button")).click();
  const estimate = await browser.$("#offline-estimate-text");
  await estimate.waitForExist({ timeout: 20_000 });
  assert.match(await estimate.getText(), /^About .+ on this machine's \d+ cores?: training .+ both arms over 4 held-out cases/);
  assert.match(await (await browser.$("#offline-estimate")).getText(), /8 train rows and 4 held-out cases/);
  await screenshot(browser, "offline-estimate");
});

test("Start fine-tunes locally, runs both arms and opens the results", async () => {
  await (await browser.$("#offline-start")).click();
  const stages = await browser.$("#offline-stages");
  await stages.waitForExist({ timeout: 30_000 });
  const training = await browser.$("#offline-training");
  await training.waitForExist({ timeout: 600_000 });
  assert.match(await training.getText(), /Training window \d+ of \d+, loss \d+\.\d{3}/);
  await screenshot(browser, "offline-training");
  const verdict = await browser.$("#verdict");
  await verdict.waitForExist({ timeout: 1_200_000 });
  const runId = Number((await browser.getUrl()).match(/#\/run\/(\d+)/)[1]);
  assert.ok(runId > 0);
  await screenshot(browser, "offline-results");
  const report = JSON.parse(tunebench("--json", "report", String(runId)));
  assert.equal(report.arms.length, 2);
  assert.ok(report.arms.every((a) => a.n === 4), JSON.stringify(report.arms));
  assert.match(report.arms[1].name, /fine-tuned locally/);
  const jobs = JSON.parse(tunebench("--json", "finetune", "list"));
  const job = (jobs.jobs ?? jobs).find((j) => j.trainer === "llama_cpp");
  assert.equal(job?.status, "succeeded", JSON.stringify(jobs));
});
