// Starts one WebDriver session on the real app (through tauri-driver) and the helpers the
// end-to-end tests share.
import { execFileSync } from "node:child_process";
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
