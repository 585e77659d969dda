// The crossover screen: the chart appears from catalog prices, follows the volume slider,
// and exports a slide-ready PNG through the same command the Export button calls.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { openApp, screenshot } from "./session.mjs";

let browser;

before(async () => {
  browser = await openApp();
  await (await browser.$("#nav-crossover")).waitForExist({ timeout: 20_000 });
});

after(async () => {
  await browser?.deleteSession();
});

test("the crossover chart and break-even come from the seeded price catalog", async () => {
  await (await browser.$("#nav-crossover")).click();
  const svg = await browser.$("#crossover-chart svg");
  await svg.waitForExist({ timeout: 20_000 });
  const headline = await browser.$("#crossover-headline");
  assert.match(await headline.getText(), /cheaper from [\d,.]+[kM]? queries\/day|No break-even/);
  const table = await browser.$("#cost-table");
  assert.match(await table.getText(), /gpt-4\.1-mini/);
});

test("moving the volume slider redraws the chart", async () => {
  const before = await (await browser.$("#volume-value")).getText();
  const firstSvg = await browser.execute(() => document.querySelector("#crossover-chart svg")?.outerHTML);
  await browser.execute(() => {
    const slider = document.querySelector("#volume-slider");
    slider.value = "900";
    slider.dispatchEvent(new Event("input", { bubbles: true }));
  });
  const value = await browser.$("#volume-value");
  await value.waitUntil(async () => (await value.getText()) !== before, { timeout: 10_000 });
  assert.match(await value.getText(), /M$/, "900 of 1000 on the log slider is millions a day");
  await browser.waitUntil(
    async () =>
      (await browser.execute(() => document.querySelector("#crossover-chart svg")?.outerHTML)) !== firstSvg,
    { timeout: 10_000, timeoutMsg: "the chart did not change" },
  );
  const ms = await (await browser.$("#redraw-ms")).getText();
  console.log(`# slider redraw: ${ms}`);
  assert.match(ms, /Redrawn in \d+ ms/);
  await screenshot(browser, "crossover");
});

test("the chart copies to the clipboard as a picture", async () => {
  await (await browser.$("#copy-chart")).click();
  await browser.waitUntil(
    async () => (await browser.$("#crossover-notice").isExisting()) || (await browser.$("#crossover-error").isExisting()),
    { timeout: 10_000 },
  );
  const error = await browser.$("#crossover-error");
  assert.ok(!(await error.isExisting()), `copy failed: ${await error.isExisting() ? await error.getText() : ""}`);
  assert.match(await (await browser.$("#crossover-notice")).getText(), /copied/);
});

test("the export command writes a 1920×1080 PNG to the chosen path", async () => {
  const path = `${process.env.E2E_WORK}/crossover.png`;
  const written = await browser.executeAsync((path, done) => {
    const invoke = window.__TAURI_INTERNALS__.invoke;
    const request = {
      queries_per_day: 20000, today: "2026-11-29", prompt_model: "gpt-4.1-mini",
      prompt_tokens: { input: 2300, cached_input: 1500, output: 100 },
      fine_tuned_model: "ft:gpt-4.1-mini", fine_tuned_tokens: { input: 350, cached_input: 0, output: 100 },
      training_tokens: 1500000, epochs: 3, retrain_every_months: 3,
    };
    // The path comes from the save dialog, as a person's does (commands refuse any other).
    Promise.all([invoke("estimate_scenario", { request }), invoke("choose_save_path", { fileName: "crossover.png", filters: [] })])
      .then(([scenario, chosen]) => invoke("export_crossover", {
        scenario, source: "e2e", logX: true, theme: "light", width: 1920, height: 1080, path: chosen,
      }))
      .then(done, (e) => done(`error: ${JSON.stringify(e)}`));
  }, path);
  assert.equal(written, path);
  const png = readFileSync(path);
  assert.equal(png.subarray(1, 4).toString("ascii"), "PNG");
  assert.equal(png.readUInt32BE(16), 1920);
  assert.equal(png.readUInt32BE(20), 1080);
});

test("the price catalog lists the seeded prices with their dates", async () => {
  await (await browser.$("#nav-prices")).click();
  const table = await browser.$("#prices-table");
  await table.waitForExist({ timeout: 20_000 });
  const text = await table.getText();
  assert.match(text, /gpt-4\.1-mini/);
  assert.match(text, /2026-08-21/);
  await screenshot(browser, "prices");
});
