// Pure formatting of money and volumes for the cost screens.

/**
 * US dollars by the one money rule of the app, its reports and the CLI (the core's
 * `money::usd`): whole dollars with thousands separators from $100 up ($1,234), cents from
 * $1 ($2.25), and below $1 three significant figures, trailing zeros dropped but never fewer
 * than two decimals ($0.0831, $0.50, $0.00108). Rounding is `Math.round(a * 10 ** d)`, the
 * core's arithmetic too, so both write $2.13 for 2.125.
 */
export function usd(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const sign = v < 0 ? "-" : "";
  const a = Math.abs(v);
  if (a > 0 && a < 1) {
    // The fewest decimals that hold three significant figures.
    let d = 2;
    while (a * 10 ** d < 100 && d < 20) d++;
    const k = Math.round(a * 10 ** d);
    // Rounding can carry 0.9996 up to a whole dollar: cents then.
    if (k < 10 ** d) return `${sign}$0.${String(k).padStart(d, "0").replace(/0+$/, "").padEnd(2, "0")}`;
  }
  const cents = Math.round(a * 100);
  if (cents >= 10000) return `${sign}$${Math.round(a).toLocaleString("en-US")}`;
  return `${sign}$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

/** 2,419 / 1.33M / 12.5k queries per day. */
export function volume(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  if (v >= 1e6) return `${(v / 1e6).toFixed(v >= 1e7 ? 0 : 2)}M`;
  if (v >= 1e4) return `${Math.round(v / 1e3).toLocaleString("en-US")}k`;
  return Math.round(v).toLocaleString("en-US");
}

/** Slider position 0..1000 ↔ volume on a log scale from 10 to 10,000,000 a day. */
export const VOLUME_MIN = 10;
export const VOLUME_MAX = 1e7;
export function volumeToSlider(v: number): number {
  const t = Math.log10(Math.min(VOLUME_MAX, Math.max(VOLUME_MIN, v)) / VOLUME_MIN) / Math.log10(VOLUME_MAX / VOLUME_MIN);
  return Math.round(t * 1000);
}
export function sliderToVolume(s: number): number {
  const v = VOLUME_MIN * Math.pow(VOLUME_MAX / VOLUME_MIN, s / 1000);
  // Round to two significant digits so the field shows a number a person would type.
  const p = Math.pow(10, Math.floor(Math.log10(v)) - 1);
  return Math.round(v / p) * p;
}
