// The prompt search from the window: an experiment file dropped on the Prompt search
// screen, a grid of three models composed in the form, the estimate read before Start, the
// search run over validation cases against an OpenAI-compatible test server (real HTTP),
// the ranking with the chosen candidate and the chart; then the held-out run of the chosen
// arm A, whose results and decision screens say how arm A was chosen in the search's words.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { dropFile, openApp, screenshot, tunebench } from "./session.mjs";

const sample = fileURLToPath(
  new URL("../../crates/tunebench-core/assets/sample/spamassassin_spam_ham.csv", import.meta.url),
);
let browser;
let server;
/** Every user message the server was sent, with its model. */
const asked = [];
/** Shared between the steps: the search's sentence and its held-out run. */
let sentence;
let testRunId;

/** Each case's label, from the dataset as the store holds it. */
const truth = new Map();

/** The rows of a split of `spam-search`, exported by the CLI. */
function rows(split) {
  const out = `${process.env.E2E_WORK}/spam-search-${split}.jsonl`;
  tunebench("export", "spam-search", "--split", split, "--format", "jsonl", "--out", out, "--force");
  return readFileSync(out, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}

/** A stable number 0–99 from the text. */
function bucket(text) {
  let h = 7;
  for (let i = 0; i < text.length; i += 1) h = (h * 31 + text.charCodeAt(i)) % 1_000_003;
  return h % 100;
}

/** `cand-good` is always right, `cand-mid` on seven cases in ten, `cand-bad` calls
 * everything spam; the fine-tuned arm's model is right on nine in ten. */
function classify(model, text) {
  const right = truth.get(text) ?? "ham";
  const wrong = right === "spam" ? "ham" : "spam";
  if (model === "cand-bad") return "spam";
  if (model === "cand-good") return right;
  return bucket(text) < (model === "cand-mid" ? 70 : 90) ? right : wrong;
}

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const r = JSON.parse(body);
      const text = r.messages.at(-1).content;
      asked.push({ model: r.model, text });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({
        id: `s${asked.length}`, object: "chat.completion", model: r.model,
        choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: classify(r.model, text) } }],
        usage: { prompt_tokens: Math.ceil(text.length / 4), completion_tokens: 1, total_tokens: Math.ceil(text.length / 4) + 1 },
      }));
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const port = server.address().port;

  // The store is shared with the other window tests: a dataset, provider and experiment
  // of this file's own names.
  tunebench("import", sample, "--name", "spam-search");
  tunebench("split", "spam-search", "--test-fraction", "0.1", "--seed", "7");
  for (const r of rows("all")) truth.set(r.input, r.expected);
  writeFileSync(`${process.env.E2E_WORK}/search.toml`, `
name = "spam-search"
dataset = "spam-search"
split = "test"
primary_metric = "accuracy"
labels = ["spam", "ham"]

[[providers]]
name = "search-test-server"
kind = "openai_compatible"
base_url = "http://127.0.0.1:${port}/v1"
max_concurrency = 8
stream = false

[[arms]]
name = "prompting"
kind = "prompt"
provider = "search-test-server"
model = "base-model"
system = "Answer spam or ham."
template = "{{input}}"
max_tokens = 4
price = { input = 0.40, output = 1.60 }

[[arms]]
name = "fine-tuned"
kind = "fine_tuned"
provider = "search-test-server"
model = "ft-model"
template = "{{input}}"
max_tokens = 4
price = { input = 0.80, output = 3.20 }
`);
  browser = await openApp();
  await (await browser.$("#nav-datasets")).waitForExist({ timeout: 20_000 });
});

after(async () => {
  await browser?.deleteSession();
  server?.close();
});

/** Puts `value` in the field `id` (a textarea's lines included) and lets the form hear it. */
async function type(id, value) {
  await (await browser.$(id)).waitForExist({ timeout: 10_000 });
  await browser.execute((sel, v) => {
    const el = document.querySelector(sel);
    el.value = v;
    el.dispatchEvent(new Event("change"));
  }, id, value);
}

test("a grid composed on the Prompt search screen shows its estimate before anything is sent", async () => {
  await browser.execute(() => (location.hash = "#/search"));
  await (await browser.$("#search-empty")).waitForExist({ timeout: 20_000 });
  await dropFile(`${process.env.E2E_WORK}/search.toml`);
  const review = await browser.$("#run-review");
  await review.waitForExist({ timeout: 20_000 });
  assert.match(await review.getText(), /Search arm A of search\.toml\?/);
  await (await browser.$("#run-review-confirm")).click();
  await (await browser.$("#search-grid")).waitForExist({ timeout: 10_000 });
  await type("#search-models", "cand-mid\ncand-good\ncand-bad");
  await type("#search-validation", "40");
  const counted = await browser.$("#search-count");
  await browser.waitUntil(async () => /^3 candidates/.test(await counted.getText()), {
    timeout: 10_000,
    timeoutMsg: "the form does not count 3 candidates",
  });
  await (await browser.$("#search-estimate")).click();
  const table = await browser.$("#search-estimate-table");
  await table.waitForExist({ timeout: 30_000 });
  const estimate = await table.getText();
  assert.match(estimate, /3 × 40 = 120 calls for the full grid/);
  // 3 candidates on 20 cases, the better 2 on all 40: 60 + 2 × 20 calls.
  assert.match(await (await browser.$("#search-halving-row")).getText(), /3 on 20 → 2 on 40: 100 calls \(17 % fewer\)/);
  assert.match(await (await browser.$("#search-carved")).getText(), /40 rows from train/);
  assert.equal(asked.length, 0, "nothing is sent before Start");
  await screenshot(browser, "search-estimate");
});

test("Start runs the candidates on validation cases only and ranks them, the best made arm A", async () => {
  await (await browser.$("#search-start")).click();
  const ranking = await browser.$("#search-ranking");
  await ranking.waitForExist({ timeout: 120_000, timeoutMsg: "the search did not finish" });
  assert.equal(asked.length, 100, "the halving schedule's calls, none repeated");
  // The sample holds a few texts twice, once on each side of the split: a text that is
  // also a train or validation row may be asked, one found only among the held-out rows
  // may not.
  const all = rows("all");
  const elsewhere = new Set(all.filter((r) => r.split !== "test").map((r) => r.input));
  const held = new Set(all.filter((r) => r.split === "test" && !elsewhere.has(r.input)).map((r) => r.input));
  assert.ok(held.size > 200, `the held-out cases are listed (${held.size})`);
  assert.ok(asked.every((a) => elsewhere.has(a.text)), "every case sent is a train or validation row");
  const leaked = asked.filter((a) => held.has(a.text));
  assert.equal(leaked.length, 0, "no held-out case was sent");
  const ranked = await browser.$$("#search-ranking tbody tr");
  assert.equal(ranked.length, 2, "the two finalists on every validation case");
  assert.match(await ranked[0].getText(), /cand-good.*chosen: arm A/s);
  assert.match(await ranked[1].getText(), /cand-mid/);
  await (await browser.$("#search-chart svg")).waitForExist({ timeout: 20_000 });
  sentence = await (await browser.$("#search-sentence")).getText();
  assert.match(sentence, /^Prompting arm chosen from 3 candidates on 40 validation cases, by successive halving \(100 of the 120 calls of the full grid\)/);
  assert.match(sentence, /scored accuracy 1\.00 \[0\.\d\d, 1\.00\] there on 40 cases\.$/);
  testRunId = Number(/run (\d+)/.exec(await (await browser.$("#search-next")).getText())?.[1]);
  assert.ok(testRunId > 0, "the held-out run waits");
  await screenshot(browser, "search-outcome");
});

test("the held-out run's results and decision say how arm A was chosen, as the report does", async () => {
  asked.length = 0;
  // Asynchronously: the test server answering its calls runs in this process.
  await promisify(execFile)(process.env.CLI_BIN, ["--db", process.env.TUNEBENCH_E2E_DB, "resume", String(testRunId)]);
  assert.ok(asked.some((a) => a.model === "cand-good"), "arm A is the chosen candidate");
  await browser.execute((id) => (location.hash = `#/run/${id}`), testRunId);
  await (await browser.$("#verdict")).waitForExist({ timeout: 60_000 });
  const said = await browser.$("#arm-choice-sentence");
  await said.waitForExist({ timeout: 20_000 });
  assert.equal(await said.getText(), sentence, "the search's sentence, word for word");
  await (await browser.$("#arm-choice-toggle")).click();
  await (await browser.$("#arm-choice-chart svg")).waitForExist({ timeout: 20_000 });
  await screenshot(browser, "results-arm-choice");

  await browser.execute((id) => (location.hash = `#/decision/${id}`), testRunId);
  await (await browser.$("#choice")).waitForExist({ timeout: 30_000 });
  const onDecision = await browser.$("#arm-choice-sentence");
  await onDecision.waitForExist({ timeout: 20_000 });
  assert.equal(await onDecision.getText(), sentence);

  const html = `${process.env.E2E_WORK}/search-report.html`;
  tunebench("report", String(testRunId), "--format", "html", "--out", html);
  assert.ok(readFileSync(html, "utf8").includes(sentence), "the exported report states the same sentence");
});
