// What every screen provides to the shell. A screen owns its state and re-renders itself
// into the element the shell gives it; the shell owns navigation.
import type { TemplateResult } from "lit-html";

export interface Screen {
  /** Stable id used in the URL hash and in end-to-end tests. */
  readonly id: string;
  /** The label in the navigation. */
  readonly title: string;
  /** Called each time the screen is shown; loads fresh data. */
  show(): Promise<void>;
  /** The screen's current view. */
  view(): TemplateResult;
}

/** Asks the shell to draw again after a screen's state changed. */
export type Redraw = () => void;
