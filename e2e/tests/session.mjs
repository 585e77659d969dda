// Starts one WebDriver session on the real app (through tauri-driver) and the helpers the
// end-to-end tests share.
import { execFileSync, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

export async function openApp() {
  return remote({
    hostname: "127.0.0.1",
    port: Number(process.env.DRIVER_PORT),
    logLevel: "warn",
    connectionRetryTimeout: 60_000,
    connectionRetryCount: 0,
    capabilities: {
      browserName: "wry",
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: process.env.APP_BIN },
    },
  });
}

/** Runs the `tunebench` CLI against the store the app uses and returns its stdout. */
export function tunebench(...args) {
  return execFileSync(process.env.CLI_BIN, ["--db", process.env.TUNEBENCH_E2E_DB, ...args], {
    encoding: "utf8",
  });
}

/** Saves a screenshot of the window under e2e/out/NAME.png. */
export async function screenshot(browser, name) {
  await browser.saveScreenshot(`${process.env.E2E_OUT}/${name}.png`);
}

const dragSource = fileURLToPath(new URL("../drag_source.py", import.meta.url));

/**
 * Drags `file` onto the app window as a person does from a file manager: a GTK window at
 * the right edge of the screen offers it over XDND, and xdotool moves the pointer.
 */
export async function dropFile(file) {
  const source = spawn("/usr/bin/python3", [dragSource, "1350", "100", file], { stdio: "ignore" });
  try {
    await sleep(2500); // let the source window map
    const x = (...args) => execFileSync("xdotool", args);
    x("mousemove", "1420", "170");
    await sleep(300);
    x("mousedown", "1");
    for (const px of [1400, 1350, 1250, 1100, 950, 800, 700, 600, 500, 450]) {
      x("mousemove", String(px), "300");
      await sleep(60);
    }
    // XDND needs the target's status replies before the drop: linger with small moves.
    for (const [px, py] of [[440, 310], [430, 320]]) {
      await sleep(300);
      x("mousemove", String(px), String(py));
    }
    await sleep(300);
    x("mouseup", "1");
  } finally {
    await sleep(500);
    source.kill();
  }
}
