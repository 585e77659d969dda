// Providers from the window: a provider added through the form, pointing at an
// OpenAI-compatible test server (over real HTTP), answers "Test connection" with its
// latency; a provider at a closed port fails in plain words. The arm editor renders the
// prompt of a held-out case, with its token count, as the template is typed, and saves
// the edit as a new arm. A run created and estimated but never started starts from the
// Runs list.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { openApp, screenshot, tunebench } from "./session.mjs";

const sample = fileURLToPath(
  new URL("../../crates/tunebench-core/assets/sample/spamassassin_spam_ham.csv", import.meta.url),
);

let browser;
let server;
let port;
const seen = [];

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const r = JSON.parse(body);
      seen.push({ url: req.url, model: r.model, max_tokens: r.max_tokens });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({
        id: "c1", object: "chat.completion", model: r.model,
        choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "OK" } }],
        usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
      }));
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  port = server.address().port;
  tunebench("import", sample, "--name", "arm-preview");
  tunebench("split", "arm-preview", "--test-fraction", "0.1", "--seed", "3");
  browser = await openApp();
  await (await browser.$("#nav-providers")).waitForExist({ timeout: 20_000 });
});

after(async () => {
  await browser?.deleteSession();
  server?.close();
});

async function addProvider(name, baseUrl) {
  await (await browser.$("#provider-add")).click();
  await (await browser.$("#provider-name")).setValue(name);
  await (await browser.$("#provider-base_url")).setValue(baseUrl);
  await (await browser.$("#provider-max_concurrency")).setValue("2");
  await (await browser.$("#provider-timeout_s")).setValue("5");
  await (await browser.$("#provider-save")).click();
  await (await browser.$("#providers-notice")).waitForExist({ timeout: 10_000 });
}

async function testConnection(name, model) {
  const row = await browser.$(`//tr[td[1][normalize-space()="${name}"]]`);
  await row.waitForExist({ timeout: 10_000 });
  await (await row.$(".test-model")).setValue(model);
  await (await row.$(".test-connection")).click();
  const check = await row.$(".check");
  await browser.waitUntil(async () => /Connected|Failed/.test(await check.getText()), { timeout: 20_000 });
  return check;
}

test("a provider added through the form answers Test connection with its latency", async () => {
  await (await browser.$("#nav-providers")).click();
  await addProvider("local-test", `http://127.0.0.1:${port}/v1`);

  // The row comes from the store: it is still there after leaving the screen and coming back.
  await (await browser.$("#nav-prices")).click();
  await (await browser.$("#nav-providers")).click();

  const check = await testConnection("local-test", "tiny-model");
  const text = await check.getText();
  const ms = Number(/in (\d+) ms/.exec(text)?.[1]);
  assert.match(text, /^Connected in \d+ ms; the model replied “OK”\.$/);
  assert.ok(ms >= 0 && ms < 5000, `latency ${ms} ms`);
  assert.match(await check.getAttribute("class"), /good/);
  assert.deepEqual(seen, [{ url: "/v1/chat/completions", model: "tiny-model", max_tokens: 5 }]);
  await screenshot(browser, "providers-connected");
});

test("a key typed once goes to the keychain or is refused in words, and is never shown or stored", async () => {
  const secret = "sk-e2e-never-shown-4242";
  const row = await browser.$(`//tr[td[1][normalize-space()="local-test"]]`);
  await (await row.$(".edit-provider")).click();
  await (await browser.$("#provider-key")).setValue(secret);
  await (await browser.$("#provider-save-key")).click();
  await browser.waitUntil(
    async () => (await browser.$("#providers-notice").isExisting()) || (await browser.$("#providers-error").isExisting()),
    { timeout: 15_000 },
  );
  const said = (await browser.$("#providers-notice").isExisting())
    ? await browser.$("#providers-notice").getText()
    : await browser.$("#providers-error").getText();
  // With a Secret Service the key is filed; without one the core says the env var is used instead.
  assert.match(said, /Filed the key for local-test in the OS keychain|environment variable/);
  assert.equal(await browser.$("#provider-key").getValue(), "", "the key field is emptied");
  assert.ok(!(await browser.$("body").getHTML()).includes(secret), "the key is not in the page");
  for (const file of [process.env.TUNEBENCH_E2E_DB, `${process.env.TUNEBENCH_E2E_DB}-wal`]) {
    if (existsSync(file)) assert.ok(!readFileSync(file).includes(secret), `the key is not in ${file}`);
  }
  console.log(`keychain: ${said}`);
});

test("a provider at a port nobody listens on fails in plain words", async () => {
  const closed = createServer();
  await new Promise((ok) => closed.listen(0, "127.0.0.1", ok));
  const dead = closed.address().port;
  await new Promise((ok) => closed.close(ok));

  await addProvider("nobody-home", `http://127.0.0.1:${dead}/v1`);
  const check = await testConnection("nobody-home", "tiny-model");
  assert.match(await check.getText(), /^Failed in \d+ ms: /);
  assert.match(await check.getAttribute("class"), /bad/);
  assert.equal(seen.length, 1, "the dead provider's request reached no server");
});

test("the arm editor renders the held-out case as the template is typed", async () => {
  await (await browser.$("#nav-arms")).click();
  const datasetSelect = await browser.$("#arm-dataset");
  await datasetSelect.waitForExist({ timeout: 10_000 });
  await datasetSelect.selectByVisibleText("arm-preview");
  const tokens = await browser.$("#arm-tokens");
  await tokens.waitForExist({ timeout: 10_000 });
  const count = async () => Number((await tokens.getText()).replace(/\D/g, ""));
  const plain = await count();
  assert.ok(plain > 0, `tokens of the bare input: ${plain}`);
  const caseInput = await browser.$(".message.user .message-text").getText();

  await (await browser.$("#arm-system")).setValue("Answer spam or ham.");
  await (await browser.$("#arm-template")).setValue("Is this email spam? Reply spam or ham.\n\nEmail: {{input}}");
  // Re-rendering reuses elements, so each read asks for the user message afresh.
  const userText = async () => (await browser.$(".message.user .message-text")).getText();
  await browser.waitUntil(async () => (await userText()).startsWith("Is this email spam?"), { timeout: 5_000 });
  assert.ok((await userText()).endsWith(caseInput.trim()), "the case's input fills {{input}}");
  assert.equal(await browser.$(".message.system .message-text").getText(), "Answer spam or ham.");
  await browser.waitUntil(async () => (await count()) > plain + 10, { timeout: 5_000 });

  await (await browser.$("#arm-template")).setValue("{{region}} {{input}}");
  const err = await browser.$("#arm-preview-error");
  await err.waitForExist({ timeout: 5_000 });
  assert.match(await err.getText(), /region/);
  await screenshot(browser, "arm-editor");

  await (await browser.$("#arm-template")).setValue("Email: {{input}}");
  // The store is shared with the window tests before this one: name this test's provider
  // rather than take whichever the form lists first.
  await (await browser.$("#arm-provider")).selectByVisibleText("local-test");
  await (await browser.$("#arm-model")).setValue("tiny-model");
  await (await browser.$("#arm-name")).setValue("spam-prompt");
  await (await browser.$("#arm-save")).click();
  const notice = await browser.$("#arms-notice");
  await notice.waitForExist({ timeout: 5_000 });
  assert.equal(await notice.getText(), "Saved arm spam-prompt.");
  const start = await browser.$("#arm-start");
  assert.match(await start.getText(), /spam-prompt · tiny-model/);
});

test("at a 1200 px window the Providers table fits its column, with a result and a delete confirmation showing", async () => {
  await browser.setWindowSize(1200, 800);
  await (await browser.$("#nav-providers")).click();
  await testConnection("local-test", "tiny-model");
  const fits = () => browser.execute(() => {
    const table = document.querySelector("#providers-table");
    const content = table.closest(".content");
    const pad = parseFloat(getComputedStyle(content).paddingRight);
    return {
      window: window.outerWidth,
      table: Math.round(table.getBoundingClientRect().right),
      room: Math.round(content.getBoundingClientRect().right - pad),
      scroll: content.scrollWidth - content.clientWidth,
    };
  });
  const measured = await fits();
  assert.equal(measured.window, 1200, "the window is 1200 px wide");
  assert.ok(measured.table <= measured.room, `the table ends within the page: ${JSON.stringify(measured)}`);
  assert.equal(measured.scroll, 0, `nothing scrolls sideways: ${JSON.stringify(measured)}`);
  // Room is not taken from the address or the result: neither is squeezed to a word a line.
  const widths = await browser.execute(() => ({
    url: Math.round(document.querySelector("#providers-table tbody td.url").getBoundingClientRect().width),
    result: Math.round(document.querySelector("#providers-table tbody td.result").getBoundingClientRect().width),
  }));
  assert.ok(widths.url >= 100 && widths.result >= 120, `columns: ${JSON.stringify(widths)}`);
  const cramped = await browser.execute(() => [...document.querySelectorAll("#providers-table tbody td")]
    .filter((td) => td.textContent.trim() && td.getBoundingClientRect().width < 60)
    .map((td) => td.textContent.trim()));
  assert.deepEqual(cramped, [], "no column narrower than its words");
  const row = await browser.$(`//tr[td[1][normalize-space()="nobody-home"]]`);
  await (await row.$(".delete-provider")).click();
  const confirming = await fits();
  assert.ok(confirming.table <= confirming.room, `with the confirmation open: ${JSON.stringify(confirming)}`);
  assert.equal(confirming.scroll, 0, `with the confirmation open: ${JSON.stringify(confirming)}`);
  await screenshot(browser, "providers-1200");
  await (await row.$("button=Keep")).click();
});

test("a run created and estimated but never started starts from the Runs list", async () => {
  // "Create and estimate", then the app closed before Start: a pending run in the store.
  const pending = await browser.executeAsync((done) => {
    const invoke = window.__TAURI_INTERNALS__.invoke;
    (async () => {
      const provider = (await invoke("list_providers")).find((p) => p.name === "local-test");
      const dataset = (await invoke("list_datasets")).find((d) => d.name === "arm-preview");
      const prompt = (await invoke("list_arms")).find((a) => a.name === "spam-prompt");
      const tuned = await invoke("save_arm", {
        name: "spam-ft",
        draft: { kind: "fine_tuned", provider_id: provider.id, model: "tiny-ft", system_prompt: "", template: "{{input}}" },
      });
      const experiment = await invoke("create_experiment", {
        draft: {
          name: "never-started", dataset_id: dataset.id, split: "test", primary_metric: "accuracy",
          margin: { kind: "absolute", value: 0.02 }, labels: [], arm_a: prompt.id, arm_b: tuned,
        },
      });
      return (await invoke("prepare_run", { experimentId: experiment, options: {} })).run_id;
    })().then(done, (e) => done(`error: ${JSON.stringify(e)}`));
  });
  assert.equal(typeof pending, "number", `a pending run: ${pending}`);
  const calls = seen.length;

  await (await browser.$("#nav-runs")).click();
  const row = await browser.$(`tr[data-run-id="${pending}"]`);
  await row.waitForExist({ timeout: 10_000 });
  assert.match(await row.getText(), /pending/);
  const start = await row.$("button=Start");
  await start.scrollIntoView();
  await start.click();
  let said = "";
  await browser.waitUntil(async () => {
    if ((await browser.execute(() => location.hash)) === `#/run/${pending}`) return true;
    const error = await browser.$("#runs-error");
    const notice = await browser.$("#runs-notice");
    said = (await error.isExisting()) ? await error.getText() : "";
    if (await notice.isExisting()) said += ` (notice: ${await notice.getText()})`;
    const now = await browser.$(`tr[data-run-id="${pending}"]`);
    if (await now.isExisting()) said += ` (row: ${await now.getText()})`;
    said += ` (hash ${await browser.execute(() => location.hash)})`;
    return false;
  }, { timeout: 60_000 }).catch(() => {
    // The message is built after the wait, so it says what the screen showed last.
    throw new Error(`Start opened no results; the screen said: ${said || "nothing"}`);
  });
  assert.ok(seen.length > calls, "Start sent the run's calls");
  await (await browser.$("#verdict")).waitForExist({ timeout: 30_000 });
});
