// Pure formatting of numbers, dates and catalog model ids for display; no DOM.
import type { PriceEntry_Serialize as PriceEntry } from "./bindings";

const grouped = new Intl.NumberFormat("en-US");

/** 1234567 → "1,234,567". */
export function count(n: number): string {
  return grouped.format(n);
}

/** "2026-11-29T04:20:49Z" → "2026-11-29 04:20" (UTC, as stored); unparseable text is shown as is. */
export function timestamp(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return d.toISOString().slice(0, 16).replace("T", " ");
}

/** Singular or plural noun with its count: plural(1, "row") → "1 row". */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${count(n)} ${n === 1 ? noun : nouns}`;
}

/** Today's date, YYYY-MM-DD (UTC): the "as of" of a projection. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The model ids a catalog can price, split by kind (globs shown without their `*`). */
export function modelChoices(catalog: PriceEntry[]): { base: string[]; tuned: string[] } {
  const ids = (kind: string) =>
    [...new Set(catalog.filter((e) => e.kind === kind).map((e) => e.model_pattern.replace(/[*?]+$/, "")))].sort();
  return { base: ids("base"), tuned: ids("fine_tuned") };
}
