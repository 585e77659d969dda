// One way for a screen to run a slow action: it clears the last error and notice, says what
// it is doing while it works (so a button can show "Estimating…" and refuse a second click),
// and ends with either a notice or the error in plain words.
import { describe } from "./api";
import type { Redraw } from "./screen";

/** The part of a screen's state an action reports into. */
export interface ActState {
  /** What is being done right now ("Estimating…"), or null when idle. */
  busy: string | null;
  error: string | null;
  notice: string | null;
}

/** Runs `work` with `s.busy = label`; a string it returns becomes the notice, a throw the error.
 * `failed` sees the thrown value (to branch on its `ErrorCode`). A second call while one is
 * running is ignored. */
export async function act(
  s: ActState,
  redraw: Redraw,
  label: string,
  work: () => Promise<string | null | void>,
  failed?: (err: unknown) => void,
): Promise<void> {
  if (s.busy !== null) return;
  s.error = null;
  s.notice = null;
  s.busy = label;
  redraw();
  try {
    const notice = await work();
    if (typeof notice === "string") s.notice = notice;
  } catch (err) {
    s.error = describe(err);
    failed?.(err);
  } finally {
    s.busy = null;
    redraw();
  }
}
