// A whole run from the window: an experiment file dropped onto the window runs both arms
// against an OpenAI-compatible test server (in this test, over real HTTP), the progress
// shows, and the results screen reads the verdict, the metric table and the disagreements.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { dropFile, openApp, screenshot, tunebench } from "./session.mjs";

const sample = fileURLToPath(
  new URL("../../crates/tunebench-core/assets/sample/spamassassin_spam_ham.csv", import.meta.url),
);
let browser;
let server;
let calls = 0;
/** The run this file starts (other test files may have run experiments before it). */
let runId;

/** Spam words decide the label; the "fine-tuned" model knows more of them. */
function classify(model, text) {
  const base = /free|money|\$|click here|offer|viagra|credit/i;
  const more = /free|money|\$|click|offer|viagra|credit|unsubscribe|remove|order now|mortgage|sex|win/i;
  return (model.startsWith("ft-model") ? more : base).test(text) ? "spam" : "ham";
}

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      calls += 1;
      const r = JSON.parse(body);
      const text = r.messages.at(-1).content;
      const label = classify(r.model, text);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({
        id: `c${calls}`, object: "chat.completion", model: r.model,
        choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: label } }],
        usage: { prompt_tokens: Math.ceil(text.length / 4), completion_tokens: 1, total_tokens: Math.ceil(text.length / 4) + 1 },
      }));
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const port = server.address().port;

  tunebench("import", sample, "--name", "spam-run");
  tunebench("split", "spam-run", "--test-fraction", "0.1", "--seed", "7");
  writeFileSync(`${process.env.E2E_WORK}/spam.toml`, `
name = "spam-filter"
dataset = "spam-run"
split = "test"
primary_metric = "accuracy"
labels = ["spam", "ham"]

[[providers]]
name = "test-server"
kind = "openai_compatible"
base_url = "http://127.0.0.1:${port}/v1"
max_concurrency = 8
stream = false

[[arms]]
name = "prompting"
kind = "prompt"
provider = "test-server"
model = "base-model"
system = "Answer spam or ham."
template = "{{input}}"
max_tokens = 4
price = { input = 0.40, cached_input = 0.10, output = 1.60 }

[[arms]]
name = "fine-tuned"
kind = "fine_tuned"
provider = "test-server"
model = "ft-model"
template = "{{input}}"
max_tokens = 4
price = { input = 0.80, output = 3.20, training = 8.00 }
`);
  browser = await openApp();
  await (await browser.$("#nav-runs")).waitForExist({ timeout: 20_000 });
});

after(async () => {
  await browser?.deleteSession();
  server?.close();
});

test("an experiment file dropped on the window runs both arms over real HTTP", async () => {
  await dropFile(`${process.env.E2E_WORK}/spam.toml`);
  // Nothing runs until the file's providers and URLs have been shown and confirmed.
  const review = await browser.$("#run-review");
  await review.waitForExist({ timeout: 20_000 });
  assert.match(await review.getText(), /http:\/\/127\.0\.0\.1/);
  assert.equal(calls, 0, "no call before the review is confirmed");
  await (await browser.$("#run-review-confirm")).click();
  const verdict = await browser.$("#verdict");
  await verdict.waitForExist({ timeout: 120_000 });
  runId = Number(/^#\/run\/(\d+)$/.exec(await browser.execute(() => location.hash))?.[1]);
  assert.ok(runId > 0, "the finished run opens its results");
  assert.equal(calls, 2 * 225, "every held-out case once per arm, nothing repeated");
  assert.match(await verdict.getText(), /fine-tuned|prompting/);
  const table = await browser.$("#metrics-table");
  const text = await table.getText();
  assert.match(text, /accuracy/);
  assert.match(text, /\$0\.000\d+/, "measured cost per query from recorded usage and the arm's price");
  const latency = await browser.$("#latency-chart svg");
  await latency.waitForExist({ timeout: 20_000 });
  await (await browser.$("#latency-budget")).setValue("60000");
  await browser.keys("Tab");
  const budget = await browser.$("#budget-row");
  await budget.waitForExist({ timeout: 20_000 });
  assert.match(await budget.getText(), /pass\s*pass/, "a local test server answers well within a minute");
  await screenshot(browser, "results");
});

test("the case browser shows the disagreements between the arms", async () => {
  await (await browser.$("#cases-b_only_right")).click();
  const rows = await browser.$$("#cases-table tbody tr");
  assert.ok(rows.length > 0, "the fine-tuned model's extra spam words flip some cases");
  const first = await rows[0].getText();
  assert.match(first, /spam|ham/);
});

test("the run's measured tokens drive its crossover, and the scenario saves with the run", async () => {
  await (await browser.$("#open-crossover")).click();
  const measured = await browser.$("#measured-a");
  await measured.waitForExist({ timeout: 20_000 });
  assert.match(await measured.getText(), /mean of 225 answered cases/);
  const headline = await browser.$("#crossover-headline");
  await headline.waitForExist({ timeout: 20_000 });
  assert.match(await headline.getText(), /cheaper|No break-even/);
  await (await browser.$("#save-scenario")).click();
  const notice = await browser.$("#crossover-notice");
  await notice.waitForExist({ timeout: 10_000 });
  assert.match(await notice.getText(), /Saved with run/);
  await screenshot(browser, "crossover-run");
});

test("answering the questions gives a recommendation whose reasons cite their numbers", async () => {
  await browser.execute((id) => (location.hash = `#/decision/${id}`), runId);
  const choice = await browser.$("#choice");
  await choice.waitForExist({ timeout: 30_000 });
  const reasons = await browser.$$("#reasons li");
  assert.ok(reasons.length > 0, "at least one reason");
  assert.match(await (await browser.$("#reasons")).getText(), /\d/, "reasons cite numbers");
  await (await browser.$("#q-portability")).click();
  const portability = await browser.$("#reasons li[data-kind='portability']");
  await portability.waitForExist({ timeout: 20_000, timeoutMsg: "the portability answer is a reason" });
  assert.equal(await choice.getText(), "Keep prompting", "needing portability keeps prompting");
  await screenshot(browser, "decision");
});

test("the decision report exports as one self-contained HTML file", async () => {
  const path = `${process.env.E2E_WORK}/decision.html`;
  const files = await browser.executeAsync((runId, path, done) => {
    const invoke = window.__TAURI_INTERNALS__.invoke;
    invoke("choose_save_path", { fileName: path.split("/").pop(), filters: [] })
      .then((chosen) => invoke("export_report", { runId, today: "2026-11-29", format: "html", path: chosen }))
      .then(done, (e) => done(`error: ${JSON.stringify(e)}`));
  }, runId, path);
  assert.deepEqual(files, [path]);
  const page = readFileSync(path, "utf8");
  assert.match(page, /<svg/, "charts inlined");
  assert.doesNotMatch(page, /<script|src="http|href="http/, "no scripts, no external assets");
  assert.match(page, /Keep prompting/, "the saved answers drive the report's recommendation");
});

test("the runs screen lists the completed run with its per-arm figures", async () => {
  await (await browser.$("#nav-runs")).click();
  const row = await browser.$("#runs-table tr[data-run-id]");
  await row.waitForExist({ timeout: 20_000 });
  const text = await row.getText();
  assert.match(text, /spam-filter/);
  assert.match(text, /completed/);
  assert.match(text, /225\/225/);
});

test("an experiment composed in the window shows its estimate, then runs from the cache", async () => {
  await browser.execute(() => (location.hash = "#/runs"));
  await (await browser.$("#exp-new")).waitForClickable({ timeout: 20_000 });
  await (await browser.$("#exp-new")).click();
  await (await browser.$("#exp-name")).waitForExist({ timeout: 10_000 });
  await (await browser.$("#exp-name")).setValue("composed in the window");
  await browser.execute(() => {
    const pick = (id, text) => {
      const el = document.querySelector(id);
      const option = [...el.options].find((o) => o.textContent.includes(text));
      el.value = option.value;
      el.dispatchEvent(new Event("change", { bubbles: true }));
    };
    pick("#exp-dataset", "spam-run");
    pick("#exp-arm-a", "prompting");
    pick("#exp-arm-b", "fine-tuned");
  });
  await (await browser.$("#exp-prepare")).click();
  const estimate = await browser.$("#run-estimate");
  await estimate.waitForExist({ timeout: 30_000 });
  assert.match(await estimate.getText(), /450 calls/, "225 held-out cases × 2 arms");
  assert.match(await estimate.getText(), /\$\d/, "priced before any call");
  const before = calls;
  await (await browser.$("#run-start")).click();
  const verdict = await browser.$("#verdict");
  await verdict.waitForExist({ timeout: 120_000 });
  assert.equal(calls, before, "an unchanged arm re-run is answered from the response cache");
});

test("a re-run on a new model joins the experiment's history, with its trend chart", async () => {
  await browser.execute((id) => (location.hash = `#/run/${id}`), runId);
  const open = await browser.$("#open-rerun");
  await open.waitForClickable({ timeout: 30_000 });
  await open.click();
  const model = await browser.$("#rerun-model-1");
  await model.waitForExist({ timeout: 10_000 });
  await model.setValue("ft-model-v2");
  await (await browser.$("#rerun-prepare")).click();
  const changes = await browser.$("#rerun-changes");
  await changes.waitForExist({ timeout: 30_000 });
  assert.match(await changes.getText(), /fine-tuned: ft-model → ft-model-v2/);
  assert.match(await changes.getText(), /not carried over/, "the old model's price is not reused silently");
  assert.match(await (await browser.$("#run-estimate")).getText(), /450 calls/);
  await screenshot(browser, "rerun");
  const before = calls;
  await (await browser.$("#run-start")).click();
  const table = await browser.$("#history-table");
  await table.waitForExist({ timeout: 120_000 });
  assert.equal(calls, before + 225, "only the arm on the new model calls the server; arm A comes from the cache");
  const rows = await browser.$$("#history-table tbody tr");
  assert.equal(rows.length, 4, "two runs × two arms");
  const text = await table.getText();
  assert.match(text, /ft-model-v2/);
  assert.match(text, /ft-model\b/);
  const current = await browser.$("#history-table tr.current");
  assert.match(await current.getText(), /this run/i);
  await (await browser.$("#trend-chart svg")).waitForExist({ timeout: 20_000 });
  await (await browser.$("#history")).scrollIntoView();
  await screenshot(browser, "history");

  const rerunId = Number((await browser.execute(() => location.hash)).split("/").pop());
  assert.ok(rerunId > runId, "the re-run's results are open");
  const path = `${process.env.E2E_WORK}/trend.png`;
  const written = await browser.executeAsync((id, path, done) => {
    const invoke = window.__TAURI_INTERNALS__.invoke;
    invoke("choose_save_path", { fileName: path.split("/").pop(), filters: [] })
      .then((chosen) => invoke("trend_chart", { runId: id, style: { theme: "light", width: 1920, height: 1080 }, path: chosen }))
      .then(done, (e) => done(`error: ${JSON.stringify(e)}`));
  }, rerunId, path);
  assert.equal(written, path);
  const png = readFileSync(path);
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1920, 1080]);
});
