// The window opens on the dataset list, backed by the real SQLite store.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, test } from "node:test";
import { openApp, screenshot, tunebench } from "./session.mjs";

let browser;

before(async () => {
  // Create the store where the app will look for it (XDG_DATA_HOME), and put a dataset in it.
  tunebench("datasets");
  execFileSync("sqlite3", [
    process.env.TUNEBENCH_E2E_DB,
    "INSERT INTO dataset (name, source_file, source_format, imported_at, row_count) " +
      "VALUES ('support-tickets', 'tickets.csv', 'csv', '2026-11-29T04:00:00Z', 2250);",
  ]);
  browser = await openApp();
});

after(async () => {
  await browser?.deleteSession();
});

test("the window opens on the dataset list with the app's navigation", async () => {
  const nav = await browser.$("#nav-datasets");
  await nav.waitForExist({ timeout: 20_000 });
  assert.equal(await nav.getText(), "Datasets");
  assert.equal(await browser.getTitle(), "Tunebench");
});

test("the dataset list shows what the store holds", async () => {
  const table = await browser.$("#datasets-table");
  await table.waitForExist({ timeout: 20_000 });
  const names = await browser.$$("#datasets-table tr[data-dataset-id] .name").map((n) => n.getText());
  assert.ok(names.includes("support-tickets"), `listed: ${names}`);
  assert.match(await table.getText(), /2,250/);
  await screenshot(browser, "datasets");
});

test("the footer names the store file the app opened", async () => {
  const footer = await browser.$(".store code");
  await footer.waitForExist({ timeout: 10_000 });
  assert.equal(await footer.getText(), process.env.TUNEBENCH_E2E_DB);
});
