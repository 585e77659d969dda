// Fine-tuning from the window against an OpenAI-shaped fake (real HTTP, in this test's
// process): preflight and estimate, Start, the background poller carrying the job from
// validating to succeeded with its loss chart (no Refresh pressed), the fine-tuned arm, and
// "Run the comparison" running both arms on the held-out split to the results screen, and
// its cost at scale priced with the job's measured training cost, not the estimate.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { openApp, screenshot, tunebench } from "./session.mjs";

let browser;
let server;
/** What the fake saw: the upload's form fields, the job body, the polls. */
const seen = { upload: null, job: null, polls: 0, chats: 0, tunedChats: 0, violations: [] };
const script = ["validating_files", "running", "succeeded"];
/** What the fake's finished job reports it trained on. */
const TRAINED_TOKENS = 24000;
/** The preflight's catalog estimate as the screen showed it: price per 1M and total, $. */
const estimated = { per1m: null, total: null };

/** "$1,241" or "$0.0831" as a number. */
const dollars = (text) => Number(text.replace(/[$,]/g, ""));

const topics = ["invoice", "password", "delivery", "refund", "login", "printer", "upgrade", "contract",
  "warranty", "shipment", "coupon", "battery", "screen", "account", "subscription", "address"];
const words = ["blue", "quickly", "tuesday", "seven", "garden", "orbit", "velvet", "engine", "lemon",
  "harbor", "pencil", "thunder", "marble", "falcon", "cactus", "violin", "saddle", "glacier"];

/** 40 distinct tickets: the topic decides the label, the other words keep rows apart. */
function tickets() {
  const rows = ["id,input,expected"];
  for (let i = 0; i < 40; i++) {
    const topic = topics[i % topics.length];
    const filler = Array.from({ length: 6 }, (_, k) => words[(i * 5 + k * 7 + k * k) % words.length]);
    const label = ["invoice", "refund", "coupon", "contract", "subscription"].includes(topic) ? "billing" : "support";
    rows.push(`t${i},"Ticket ${i * 37 + 11}: my ${topic} ${filler.join(" ")} case ${i}",${label}`);
  }
  return rows.join("\n") + "\n";
}

function answer(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function fineTuning(req, body, res) {
  const path = req.url;
  if (req.method === "POST" && path === "/v1/files") {
    const text = body.toString("utf8");
    const purpose = /name="purpose"\r\n\r\n([^\r]*)/.exec(text)?.[1];
    const file = /name="file"; filename="([^"]+)"/.exec(text)?.[1];
    if (purpose !== "fine-tune" || !file?.endsWith(".jsonl")) seen.violations.push(`upload: purpose ${purpose}, file ${file}`);
    seen.upload = { purpose, file, lines: text.split("\n").filter((l) => l.includes('"messages"')).length };
    return answer(res, 200, { id: "file-e2e", object: "file", purpose: "fine-tune", filename: file });
  }
  if (req.method === "POST" && path === "/v1/fine_tuning/jobs") {
    const b = JSON.parse(body.toString("utf8"));
    if (b.training_file !== "file-e2e" || b.method?.type !== "supervised") seen.violations.push(`job body ${JSON.stringify(b)}`);
    seen.job = b;
    return answer(res, 200, { id: "ftjob-e2e", object: "fine_tuning.job", status: "validating_files", model: b.model });
  }
  if (req.method === "GET" && path === "/v1/fine_tuning/jobs/ftjob-e2e") {
    const status = script[Math.min(seen.polls, script.length - 1)];
    seen.polls += 1;
    const done = status === "succeeded";
    return answer(res, 200, {
      id: "ftjob-e2e", object: "fine_tuning.job", status,
      fine_tuned_model: done ? "ft:gpt-4.1-mini-2025-04-14:acme::e2e" : null,
      trained_tokens: done ? TRAINED_TOKENS : null,
    });
  }
  if (req.method === "GET" && path.startsWith("/v1/fine_tuning/jobs/ftjob-e2e/events")) {
    const data = seen.polls < 2 ? [] : [
      { id: "e3", created_at: 1764500180, level: "info", message: "Step 3/3: training loss=0.41", type: "metrics", data: { step: 3, train_loss: 0.41 } },
      { id: "e2", created_at: 1764500120, level: "info", message: "Step 2/3: training loss=0.90", type: "metrics", data: { step: 2, train_loss: 0.9 } },
      { id: "e1", created_at: 1764500060, level: "info", message: "Step 1/3: training loss=1.70", type: "metrics", data: { step: 1, train_loss: 1.7 } },
    ];
    return answer(res, 200, { object: "list", has_more: false, data });
  }
  seen.violations.push(`no such endpoint: ${req.method} ${path}`);
  return answer(res, 404, { error: { message: `no such endpoint: ${req.method} ${path}` } });
}

/** Chat completions: the fine-tune knows that billing words mean billing. */
function chat(body, res) {
  seen.chats += 1;
  const r = JSON.parse(body.toString("utf8"));
  const text = r.messages.at(-1).content;
  const tuned = r.model.startsWith("ft:");
  if (tuned) seen.tunedChats += 1;
  const label = (tuned ? /invoice|refund|coupon|contract|subscription/ : /invoice|refund/).test(text) ? "billing" : "support";
  answer(res, 200, {
    id: `c${seen.chats}`, object: "chat.completion", model: r.model,
    choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: label } }],
    usage: { prompt_tokens: Math.ceil(text.length / 4), completion_tokens: 1, total_tokens: Math.ceil(text.length / 4) + 1 },
  });
}

before(async () => {
  server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (req.url === "/v1/chat/completions") chat(body, res);
      else fineTuning(req, body, res);
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const port = server.address().port;
  const work = process.env.E2E_WORK;
  writeFileSync(`${work}/tickets.csv`, tickets());
  tunebench("import", `${work}/tickets.csv`, "--name", "ft-tickets");
  tunebench("split", "ft-tickets", "--test-fraction", "0.25", "--seed", "3");
  // The experiment file makes the provider and the prompting arm the fine-tune starts from.
  writeFileSync(`${work}/tickets.toml`, `
name = "ticket-routing"
dataset = "ft-tickets"
split = "test"
primary_metric = "accuracy"
labels = ["billing", "support"]

[[providers]]
name = "fake-openai"
kind = "openai_compatible"
base_url = "http://127.0.0.1:${port}/v1"
max_concurrency = 4
stream = false

[[arms]]
name = "prompting"
kind = "prompt"
provider = "fake-openai"
model = "gpt-4.1-mini-2025-04-14"
system = "Answer billing or support."
template = "{{input}}"
max_tokens = 4
price = { input = 0.40, cached_input = 0.10, output = 1.60 }

[[arms]]
name = "terse"
kind = "prompt"
provider = "fake-openai"
model = "gpt-4.1-mini-2025-04-14"
system = "billing or support?"
template = "{{input}}"
max_tokens = 4
price = { input = 0.40, cached_input = 0.10, output = 1.60 }
`);
  // Not execFileSync: the fake answering the run's calls lives in this process.
  await promisify(execFile)(process.env.CLI_BIN, ["--db", process.env.TUNEBENCH_E2E_DB, "run", `${work}/tickets.toml`, "--yes"]);
  seen.chats = 0;
  browser = await openApp();
  await (await browser.$("#nav-finetune")).waitForExist({ timeout: 20_000 });
});

after(async () => {
  await browser?.deleteSession();
  server?.close();
});

/** Picks the option of select `name` whose text contains `text`. */
async function pick(name, text) {
  await browser.execute((name, text) => {
    const el = document.querySelector(`#ft-form select[name="${name}"]`);
    const option = [...el.options].find((o) => o.textContent.includes(text));
    el.value = option.value;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }, name, text);
}

test("the preflight of the train split shows the estimate and allows Start", async () => {
  await (await browser.$("#nav-finetune")).click();
  await (await browser.$("#ft-form")).waitForExist({ timeout: 20_000 });
  await pick("dataset_id", "ft-tickets");
  await pick("arm_id", "prompting");
  await pick("trainer", "OpenAI");
  await pick("provider_id", "fake-openai");
  const ceiling = await browser.$('#ft-form input[name="ceiling"]');
  await ceiling.setValue("5");
  assert.match(await (await browser.$("#ft-openai-note")).getText(), /2027-01-06/);
  await (await browser.$("#ft-preflight")).click();
  const estimate = await browser.$("#ft-estimate");
  await estimate.waitForExist({ timeout: 30_000 });
  const sentence = /trained tokens × \$(\d[\d,]*(?:\.\d+)?) per 1M = \$(\d[\d,]*(?:\.\d+)?)/.exec(await estimate.getText());
  assert.ok(sentence, `no estimate sentence in: ${await estimate.getText()}`);
  estimated.per1m = dollars(sentence[1]);
  estimated.total = dollars(sentence[2]);
  assert.equal(await (await browser.$("#ft-verdict")).getText(), "Ready to start.");
  assert.equal(seen.upload, null, "nothing is uploaded before Start");
});

test("Start uploads and creates the job; the poller carries it to succeeded with its loss chart", async () => {
  await (await browser.$("#ft-start")).click();
  const row = await browser.$("#ft-jobs tr[data-job]");
  await row.waitForExist({ timeout: 30_000 });
  assert.equal(seen.upload?.purpose, "fine-tune");
  assert.equal(seen.upload?.lines, 30, "the 30 train rows, no held-out row");
  assert.equal(seen.job?.model, "gpt-4.1-mini-2025-04-14");
  // No Refresh: the background poller sends each change to the screen.
  const status = await browser.$("#ft-jobs tr[data-job] td.status");
  await browser.waitUntil(async () => (await status.getText()).startsWith("succeeded"), {
    timeout: 120_000, interval: 500, timeoutMsg: "the job did not reach succeeded",
  });
  assert.ok(seen.polls >= 3, `polled ${seen.polls} times`);
  const chart = await browser.$("#ft-jobs tr[data-loss] svg");
  await chart.waitForExist({ timeout: 20_000 });
  const svg = await chart.getHTML();
  assert.match(svg, /Training loss, fine-tune job \d+/);
  assert.match(svg, /3 steps reported by OpenAI/);
  assert.match(await row.getText(), /arm \d+/);
  assert.match(await row.getText(), /measured/, "the job's trained tokens priced");
  assert.deepEqual(seen.violations, []);
  await screenshot(browser, "finetune-succeeded");
});

test("Run the comparison is one click from the finished job and runs both arms", async () => {
  await (await browser.$("#ft-jobs button.compare")).click();
  const estimate = await browser.$("#ft-compare #run-estimate");
  await estimate.waitForExist({ timeout: 30_000 });
  assert.match(await (await browser.$("#ft-compare")).getText(), /compares the prompting arm/);
  await (await browser.$("#run-start")).click();
  const verdict = await browser.$("#verdict");
  await verdict.waitForExist({ timeout: 120_000 });
  // The prompting arm may answer from the cache the experiment run filled.
  assert.equal(seen.tunedChats, 10, "the fine-tune answered each of the 10 held-out rows once");
  const table = await (await browser.$("#metrics-table")).getText();
  assert.match(table, /accuracy/);
  await screenshot(browser, "finetune-comparison");
});

test("the comparison's cost at scale uses the job's measured training cost, not the estimate", async () => {
  await (await browser.$("#open-crossover")).click();
  const basis = await browser.$("#training-basis");
  await basis.waitForExist({ timeout: 30_000 });
  const text = await basis.getText();
  const note = /training \$(\d[\d,]*(?:\.\d+)?) a run, measured by fine-tune job \d+ \(([\d,]+) trained tokens × \$(\d[\d,]*(?:\.\d+)?) per 1M\); \$(\d[\d,]*(?:\.\d+)?) was estimated before it started/.exec(text);
  console.log(`crossover: ${text}`);
  assert.ok(note, `the crossover does not say the training was measured: ${text}`);
  assert.equal(Number(note[2].replace(/,/g, "")), TRAINED_TOKENS, "the job's trained tokens");
  assert.equal(dollars(note[3]), estimated.per1m, "priced at the catalog's training price");
  const measured = (TRAINED_TOKENS * estimated.per1m) / 1e6;
  assert.ok(Math.abs(dollars(note[1]) - measured) <= measured * 0.005, `training ${note[1]} a run, expected ${measured}`);
  assert.equal(dollars(note[4]), estimated.total, "the estimate it replaces is the one shown before Start");
  assert.ok(Math.abs(measured - estimated.total) > measured * 0.05, `measured ${measured} is no different from the estimate ${estimated.total}`);
  // The table spreads that run over the retraining cadence (3 months unless saved otherwise).
  const row = await (await browser.$("#cost-table tbody tr:nth-child(2)")).getText();
  assert.match(row, /fine-tuned/);
  const cells = await browser.execute(() => [...document.querySelectorAll("#cost-table tbody tr:nth-child(2) td")].map((td) => td.textContent.trim()));
  assert.ok(Math.abs(dollars(cells[3]) - measured / 3) <= (measured / 3) * 0.01, `training per month ${cells[3]}`);
  await screenshot(browser, "finetune-crossover");
});
