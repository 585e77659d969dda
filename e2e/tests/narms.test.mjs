// Three arms through the window: the sample test set dropped on the window imports, an
// experiment file of a prompting, a fine-tuned and a hybrid arm (the fine-tuned model fed
// retrieved passages) runs each held-out case once per arm against an OpenAI-compatible
// server started here (real HTTP), the results show a column per arm and every comparison
// after Holm's correction, the same three arms composed on the Runs screen run again from
// the response cache, the decision states the verdict naming the hybrid arm with its
// figures above the recommendation, cost at scale draws a line per arm and names where
// each is cheapest, and a re-run joins the history of three-arm runs.
//
// The server knows every e-mail's label and makes each arm wrong on a fixed share of cases
// picked by a hash of the text (every 4th for the prompting arm, every 8th for the
// fine-tuned one, every 64th for the hybrid one), so every figure the window shows is
// checked against what the server really answered.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { dropFile, openApp, screenshot, tunebench } from "./session.mjs";

const sample = fileURLToPath(
  new URL("../../crates/tunebench-core/assets/sample/spamassassin_spam_ham.csv", import.meta.url),
);
const work = process.env.E2E_WORK;
const WRONG_EVERY = { A: 4, B: 8, C: 64 };
const NAMES = { A: "narms-prompting", B: "narms-fine-tuned", C: "narms-hybrid" };
/** The passage the hybrid arm retrieves; the server checks that it arrives. */
const PASSAGE = "Spam offers money, prizes or credit; ham is ordinary correspondence.";

/** Every e-mail of the sample and its label, as the server's answer key. */
const labels = new Map();
/** Each case the server answered: arm letter, e-mail, whether right, the message sent. */
const answered = [];
/** Requests that were not a case of the sample. */
const unknown = [];
let browser;
let server;
let runId;

function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const r = JSON.parse(body);
      const last = r.messages.at(-1).content;
      // Each arm's template marks the e-mail with the arm's letter.
      const m = /\[(A|B|C)\]\n([\s\S]*)$/.exec(last);
      const email = m && labels.has(m[2]) ? m[2] : null;
      let content = "OK";
      if (email === null) {
        unknown.push({ model: r.model, content: last.slice(0, 80) });
      } else {
        const arm = m[1];
        const truth = labels.get(email);
        const right = fnv1a(email) % WRONG_EVERY[arm] !== 0;
        content = right ? truth : truth === "spam" ? "ham" : "spam";
        answered.push({ arm, model: r.model, email, right, last });
      }
      const chars = r.messages.reduce((n, x) => n + x.content.length, 0);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({
        id: "n", object: "chat.completion", model: r.model,
        choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content } }],
        usage: { prompt_tokens: Math.ceil(chars / 4), completion_tokens: 1, total_tokens: Math.ceil(chars / 4) + 1 },
      }));
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const port = server.address().port;
  mkdirSync(`${work}/narms-docs`, { recursive: true });
  writeFileSync(`${work}/narms-docs/policy.md`, `# Mail policy\n\n${PASSAGE}\n`);
  writeFileSync(`${work}/narms.toml`, `
name = "narms-three"
dataset = "narms-emails"
split = "test"
primary_metric = "accuracy"
labels = ["spam", "ham"]

[[providers]]
name = "narms-server"
kind = "openai_compatible"
base_url = "http://127.0.0.1:${port}/v1"
max_concurrency = 8
stream = false

[[arms]]
name = "${NAMES.A}"
kind = "prompt"
provider = "narms-server"
model = "base-model"
system = "Answer spam or ham."
template = "[A]\\n{{input}}"
max_tokens = 4
price = { input = 0.40, cached_input = 0.10, output = 1.60 }

[[arms]]
name = "${NAMES.B}"
kind = "fine_tuned"
provider = "narms-server"
model = "ft-model"
template = "[B]\\n{{input}}"
max_tokens = 4
price = { input = 0.80, output = 3.20, training = 8.00 }

[[arms]]
name = "${NAMES.C}"
kind = "hybrid"
provider = "narms-server"
model = "ft-model"
context = { dir = "narms-docs", top_k = 1 }
template = "{{context}}\\n\\n[C]\\n{{input}}"
max_tokens = 4
price = { input = 0.80, output = 3.20, training = 8.00 }
`);
  browser = await openApp();
  await (await browser.$("#nav-datasets")).waitForExist({ timeout: 20_000 });
});

after(async () => {
  await browser?.deleteSession();
  server?.close();
});

/** A screenshot once the window has painted what the checks just read. */
async function shot(name) {
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  await sleep(300);
  await screenshot(browser, name);
}

/** Picks the option of `select` whose text is `text`, as a person clicks it. */
async function choose(selector, text) {
  const select = await browser.$(selector);
  await select.waitForExist({ timeout: 10_000 });
  await select.selectByVisibleText(text);
  const picked = await browser.execute((s) => document.querySelector(s).selectedOptions[0]?.textContent.trim(), selector);
  assert.equal(picked, text, `${selector} shows the picked option`);
}

const textOf = async (selector) => (await browser.$(selector)).getText();

/** The text of each cell of each row of a table's body. */
const cellsOf = (selector) =>
  browser.execute(
    (s) => [...document.querySelectorAll(`${s} tbody tr`)].map((tr) =>
      [...tr.querySelectorAll("td")].map((td) => td.textContent.replace(/\s+/g, " ").trim())),
    selector,
  );

/** A figure as the report writes it: three decimals, trailing zeros dropped. */
const num = (x) => {
  const s = x.toFixed(3).replace(/0+$/, "").replace(/\.$/, "");
  return s === "-0" ? "0" : s;
};
const signed = (x) => (num(x).startsWith("-") || num(x) === "0" ? num(x) : `+${num(x)}`);

/** The share of the held-out cases arm `letter` answered right, as the server decided. */
function accuracy(letter) {
  const mine = answered.filter((a) => a.arm === letter);
  return mine.filter((a) => a.right).length / mine.length;
}

/** The results screen shows a column per arm, each arm's accuracy as the server scored it,
 * and the three corrected comparisons with the hybrid arm's figures. */
async function threeColumns() {
  const head = await browser.execute(() => [...document.querySelectorAll("#metrics-table thead th")].map((th) => th.textContent));
  assert.deepEqual(head, ["Metric", NAMES.A, NAMES.B, NAMES.C]);
  const [primary] = await cellsOf("#metrics-table");
  assert.equal(primary.length, 4, `a cell per arm: ${primary}`);
  for (const [cell, letter] of [[primary[1], "A"], [primary[2], "B"], [primary[3], "C"]]) {
    assert.ok(cell.startsWith(`${accuracy(letter).toFixed(3)} [`), `${NAMES[letter]}: ${cell} vs ${accuracy(letter)}`);
  }
  const colours = await browser.execute(() =>
    [...document.querySelectorAll("#metrics-table thead .swatch")].map((s) => getComputedStyle(s).backgroundColor));
  assert.deepEqual(colours, ["rgb(0, 114, 178)", "rgb(213, 94, 0)", "rgb(0, 158, 115)"], "Okabe–Ito, as the charts draw the arms");
  const rows = await cellsOf("#comparisons-table");
  assert.deepEqual(rows.map((r) => [r[0].split(" ")[0], r[1]]), [
    [NAMES.B, NAMES.A], [NAMES.C, NAMES.A], [NAMES.C, `${NAMES.B} (its fine-tuned arm)`],
  ]);
  const [a, b, c] = ["A", "B", "C"].map(accuracy);
  assert.ok(rows[1][3].startsWith(`${signed(c - a)} [`), `hybrid − prompting: ${rows[1][3]}`);
  assert.ok(rows[2][3].startsWith(`${signed(c - b)} [`), `hybrid − fine-tuned: ${rows[2][3]}`);
  for (const r of rows) assert.equal(r[2], "225", "paired cases");
}

test("the sample dropped on the window imports, and a split holds 225 cases out", async () => {
  const file = `${work}/narms-emails.csv`;
  copyFileSync(sample, file);
  await dropFile(file);
  await (await browser.$("#import-preview")).waitForExist({ timeout: 20_000 });
  await (await browser.$("#import-start")).click();
  const done = await browser.$("#import-done");
  await done.waitForExist({ timeout: 60_000 });
  assert.match(await done.getText(), /^2,250 rows stored as CSV\./);
  tunebench("split", "narms-emails", "--test-fraction", "0.1", "--seed", "7");
  tunebench("export", "narms-emails", "--split", "all", "--format", "jsonl", "--out", `${work}/narms-all.jsonl`);
  for (const line of readFileSync(`${work}/narms-all.jsonl`, "utf8").trim().split("\n")) {
    const row = JSON.parse(line);
    labels.set(row.input, row.expected);
  }
  assert.ok(labels.size > 2000, `distinct e-mails: ${labels.size}`);
  // The import's report closes onto the dataset it made.
  await (await browser.$("#import-open")).click();
  await (await browser.$("#dataset-name")).waitForExist({ timeout: 20_000 });
});

test("an experiment file of a prompting, a fine-tuned and a hybrid arm runs each case once per arm", async () => {
  await dropFile(`${work}/narms.toml`);
  const review = await browser.$("#run-review");
  await review.waitForExist({ timeout: 20_000 });
  assert.match(await review.getText(), /narms-docs/, "the hybrid arm's folder is shown before anything runs");
  assert.equal(answered.length, 0);
  await (await browser.$("#run-review-confirm")).click();
  const verdict = await browser.$("#verdict");
  await verdict.waitForExist({ timeout: 180_000 });
  runId = Number(/^#\/run\/(\d+)$/.exec(await browser.execute(() => location.hash))?.[1]);
  assert.ok(runId > 0, "the finished run opens its results");
  assert.deepEqual(unknown, [], "every request was a held-out case");
  for (const letter of ["A", "B", "C"]) {
    assert.equal(answered.filter((x) => x.arm === letter).length, 225, `every held-out case once for arm ${letter}`);
  }
  assert.ok(answered.filter((x) => x.arm === "C").every((x) => x.last.includes(PASSAGE)), "the hybrid arm sends the retrieved passage");
  assert.ok(answered.filter((x) => x.arm !== "C").every((x) => !x.last.includes(PASSAGE)), "and only it");
  const [a, b, c] = ["A", "B", "C"].map(accuracy);
  assert.ok(a < b && b < c, `the hybrid arm is the best, the prompting one the worst: ${a} ${b} ${c}`);

  const said = await verdict.getText();
  assert.ok(
    said.startsWith(`${NAMES.C} is the best arm that clears the margin of ${num(0.05 * a)} against ${NAMES.A}: `
      + `${NAMES.C} − ${NAMES.A} on accuracy is ${signed(c - a)} (${num(c)} vs ${num(a)}; 95 % CI`),
    said,
  );
  assert.match(said, /Holm's correction over 3 comparisons/);
  await threeColumns();
  assert.match(await textOf("#cases-arms"), /arm A \(narms-prompting\) and arm B \(narms-fine-tuned\)/);
  await (await browser.$("#latency-chart svg")).waitForExist({ timeout: 20_000 });
  const lines = await browser.execute(() => {
    const svg = document.querySelector("#latency-chart svg");
    const strokes = [...svg.querySelectorAll("polyline, path")].map((e) => (e.getAttribute("stroke") ?? "").toUpperCase());
    return ["#0072B2", "#D55E00", "#009E73"].map((c) => strokes.includes(c));
  });
  assert.deepEqual(lines, [true, true, true], "the latency chart draws a line per arm in the arm's colour");
  await shot("narms-results");
});

test("the same three arms composed on the Runs screen run again from the response cache", async () => {
  await (await browser.$("#nav-runs")).click();
  await (await browser.$("#exp-new")).waitForClickable({ timeout: 20_000 });
  await (await browser.$("#exp-new")).click();
  await (await browser.$("#exp-name")).waitForExist({ timeout: 10_000 });
  await (await browser.$("#exp-name")).setValue("narms-composed");
  await choose("#exp-dataset", "narms-emails (225 test)");
  await choose("#exp-arm-a", `${NAMES.A} · base-model`);
  await choose("#exp-arm-b", `${NAMES.B} · ft-model`);
  await (await browser.$("#exp-add-arm")).click();
  await choose("#exp-arm-c", `${NAMES.C} · ft-model`);
  assert.match(await textOf("[data-arm='C'] label"), /Arm C \(hybrid\)/);
  assert.equal(await (await browser.$("#exp-missing")).isExisting(), false, "nothing is missing");
  await shot("narms-form");
  await (await browser.$("#exp-prepare")).click();
  const estimate = await browser.$("#run-estimate");
  await estimate.waitForExist({ timeout: 30_000 }).catch(async (e) => {
    throw new Error(`no estimate: ${(await browser.$("#runs-error").isExisting()) ? await textOf("#runs-error") : e}`);
  });
  const text = await estimate.getText();
  assert.match(text, /Run \d+: 675 calls, estimated cost up to \$[\d.]+/, "225 held-out cases × 3 arms, priced");
  assert.match(text, new RegExp(`${NAMES.C}: 225 calls`));
  const composed = Number(/^Run (\d+):/.exec(text)?.[1]);
  const before = answered.length;
  await (await browser.$("#run-start")).click();
  await browser.waitUntil(async () => (await browser.execute(() => location.hash)) === `#/run/${composed}`, {
    timeout: 180_000, timeoutMsg: "the finished run opens its results",
  });
  await (await browser.$("#comparisons-table")).waitForExist({ timeout: 60_000 });
  assert.equal(answered.length, before, "every answer came from the response cache");
  await threeColumns();
});

test("the decision states the verdict naming the hybrid arm, with its figures, above the recommendation", async () => {
  await browser.execute((id) => (location.hash = `#/decision/${id}`), runId);
  const verdict = await browser.$("#arms-verdict");
  await verdict.waitForExist({ timeout: 30_000 });
  const [a, b, c] = ["A", "B", "C"].map(accuracy);
  const said = await verdict.getText();
  assert.ok(said.startsWith(`${NAMES.C} is the best arm that clears the margin`), said);
  assert.ok(said.includes(`${NAMES.C} − ${NAMES.A} on accuracy is ${signed(c - a)} (${num(c)} vs ${num(a)}`), said);
  assert.ok(said.includes(`${NAMES.C} − ${NAMES.B} on accuracy is ${signed(c - b)} (${num(c)} vs ${num(b)}`), said);
  const rows = await cellsOf("#comparisons-table");
  const hybrid = rows.find((r) => r[1] === NAMES.A && r[0].startsWith(NAMES.C));
  assert.ok(hybrid[3].startsWith(signed(c - a)), `the hybrid arm's difference: ${hybrid}`);
  assert.match(hybrid[7], /^clears the margin the verdict's$/);
  assert.match(
    await textOf("#recommendation-scope"),
    new RegExp(`^The recommendation below weighs C: ${NAMES.C} against A: ${NAMES.A}, the best arm that clears the margin after Holm's correction\\.$`),
  );
  await (await browser.$("#choice")).waitForExist({ timeout: 10_000 });
  await shot("narms-decision");
});

test("cost at scale of the three arms draws a line per arm and names where each is cheapest", async () => {
  await browser.execute((id) => (location.hash = `#/crossover/${id}`), runId);
  const ranges = await browser.$("#cheapest-ranges");
  await ranges.waitForExist({ timeout: 30_000 });
  const rows = await cellsOf("#cost-table");
  assert.deepEqual(rows.map((r) => r[0].split(" ")[0]), [NAMES.A, NAMES.B, NAMES.C], "a row per arm");
  const said = await browser.execute(() => [...document.querySelectorAll("#cheapest-ranges li")].map((li) => li.textContent.replace(/\s+/g, " ").trim()));
  assert.ok(said.length > 0, "at least one volume range");
  for (const range of said) assert.match(range, /^narms-\S+( and narms-\S+)* (cheapest|cost the same) (at every volume|up to [\d,.kM]+\/day|from [\d,.kM]+ to [\d,.kM]+\/day|from [\d,.kM]+\/day up)$/, range);
  const lines = await browser.execute(() => {
    const svg = document.querySelector("#crossover-chart svg");
    const strokes = [...svg.querySelectorAll("polyline, path")].map((e) => (e.getAttribute("stroke") ?? "").toUpperCase());
    return ["#0072B2", "#D55E00", "#009E73"].map((c) => strokes.filter((x) => x === c).length);
  });
  assert.ok(lines.every((n) => n > 0), `a line in each arm's colour: ${lines}`);
  assert.match(await textOf("#measured-c"), /^narms-hybrid \(ft-model\): [\d,]+ in .* out per query, mean of 225 answered cases$/);
  await shot("narms-crossover");
});

test("a re-run of the three arms joins the history, each run's tag naming its best arm", async () => {
  await browser.execute((id) => (location.hash = `#/run/${id}`), runId);
  // The results of this run, not those still on screen from before.
  await browser.waitUntil(
    () => browser.execute((id) => document.querySelector("h1")?.textContent?.startsWith(`Run ${id} · narms-three`)
      && document.querySelector("#verdict") !== null && document.querySelector("#rerun-form") === null, runId),
    { timeout: 60_000, timeoutMsg: "the results of the three-arm run" },
  );
  const open = await browser.$("#open-rerun");
  await open.waitForClickable({ timeout: 60_000 });
  await open.click();
  await (await browser.$("#rerun-model-2")).waitForExist({ timeout: 10_000 });
  const labels = await browser.execute(() => [...document.querySelectorAll("#rerun-form label")].map((l) => l.textContent.replace(/\s+/g, " ").trim()));
  assert.deepEqual(labels, [
    `Arm A · ${NAMES.A} (now base-model)`, `Arm B · ${NAMES.B} (now ft-model)`, `Arm C · ${NAMES.C} (now ft-model)`,
  ]);
  await (await browser.$("#rerun-prepare")).click();
  await (await browser.$("#run-estimate")).waitForExist({ timeout: 30_000 });
  assert.match(await textOf("#run-estimate"), /675 calls/);
  const before = answered.length;
  await (await browser.$("#run-start")).click();
  const table = await browser.$("#history-table");
  await table.waitForExist({ timeout: 180_000 });
  assert.equal(answered.length, before, "the same models again: every answer from the cache");
  const rows = await browser.$$("#history-table tbody tr");
  assert.equal(rows.length, 6, "two runs × three arms");
  const tags = await browser.execute(() => [...document.querySelectorAll("#history-table .tag[class*='verdict-']")].map((t) => t.textContent));
  assert.deepEqual(tags, [`${NAMES.C} clears the margin`, `${NAMES.C} clears the margin`]);
  await (await browser.$("#trend-chart svg")).waitForExist({ timeout: 20_000 });
  await (await browser.$("#history")).scrollIntoView();
  await shot("narms-history");
});
