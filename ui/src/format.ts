// Pure formatting of numbers and dates for display; no DOM.

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
