// A person's first act: drop a test-set file onto the window, check the mapping, import,
// read the report, then split the dataset and browse its rows. The drop is a real XDND drag
// from another X client (a GTK drag source moved by xdotool), not a simulated event.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { dropFile, openApp, screenshot, tunebench } from "./session.mjs";

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

test("a file dropped onto the window opens the mapping dialog with a preview", async () => {
  const file = `${process.env.E2E_WORK}/support-emails.csv`;
  copyFileSync(sample, file);
  await dropFile(file);
  const preview = await browser.$("#import-preview");
  await preview.waitForExist({ timeout: 20_000 });
  const header = await preview.$$("thead th").map((th) => th.getText());
  assert.deepEqual(
    header.map((h) => h.toLowerCase()),
    ["id", "input", "expected", "group", "md5", "suggested_split"],
  );
  assert.equal(await (await browser.$("#import-input")).getValue(), "input");
  assert.equal(await (await browser.$("#import-expected")).getValue(), "expected");
  await screenshot(browser, "import-mapping");
});

test("importing shows the validation report, and the dataset is in the store", async () => {
  await (await browser.$("#import-start")).click();
  const done = await browser.$("#import-done");
  await done.waitForExist({ timeout: 60_000 });
  assert.match(await done.getText(), /2,250 rows/);
  const rows = await browser.$("#report-rows");
  assert.equal(await rows.getText(), "2,250");
  const bars = await browser.$$(".modal .label-bar");
  assert.equal(bars.length, 2, "spam and ham");
  await screenshot(browser, "import-report");
  const listed = JSON.parse(tunebench("datasets", "--json")).datasets;
  const mine = listed.find((d) => d.name === "support-emails");
  assert.ok(mine, `support-emails should be stored, got ${JSON.stringify(listed)}`);
  assert.equal(mine.rows, 2250);
});

test("the dataset screen splits the rows and browses them by page and search", async () => {
  await (await browser.$("#import-open")).click();
  const name = await browser.$("#dataset-name");
  await name.waitUntil(async () => (await name.getText()) === "support-emails", { timeout: 20_000 });
  const fraction = await browser.$("#split-fraction");
  await fraction.setValue("0.2");
  await (await browser.$("#split-run")).click();
  const notice = await browser.$("#dataset-notice");
  await notice.waitForExist({ timeout: 20_000 });
  assert.match(await notice.getText(), /1,800 train and 450 test rows, stratified/);

  const range = await browser.$("#rows-range");
  await range.waitUntil(async () => /of 2,250/.test(await range.getText()), { timeout: 10_000 });
  assert.match(await range.getText(), /^1–50 of 2,250/);
  await (await browser.$("#rows-next")).click();
  await range.waitUntil(async () => (await range.getText()).startsWith("51–100"), { timeout: 10_000 });

  await (await browser.$("#rows-search")).setValue("razor-users");
  await range.waitUntil(async () => !/of 2,250$/.test(await range.getText()), { timeout: 10_000 });
  const matched = Number((await range.getText()).match(/of ([\d,]+)/)[1].replace(/,/g, ""));
  assert.ok(matched > 0 && matched < 2250, `search narrowed the rows to ${matched}`);
  await screenshot(browser, "dataset");
});

test("a file that is not a test set gets an error naming the file, and nothing is stored", async () => {
  await (await browser.$("#nav-datasets")).click();
  const before = JSON.parse(tunebench("datasets", "--json")).datasets.length;
  const bad = `${process.env.E2E_WORK}/broken.jsonl`;
  execFileSync("sh", ["-c", `printf '{"input":"a","expected":"b"}\\n{not json\\n' > ${bad}`]);
  await dropFile(bad);
  const err = await browser.$("#import-error");
  await err.waitForExist({ timeout: 20_000 });
  const text = await err.getText();
  assert.match(text, /broken\.jsonl/);
  assert.match(text, /line 2/);
  await (await browser.$("#import-error-close")).click();
  assert.equal(JSON.parse(tunebench("datasets", "--json")).datasets.length, before);
});
