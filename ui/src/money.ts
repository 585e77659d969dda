// Pure formatting of money and volumes for the cost screens.

/** $1,234 / $0.00108 — enough significant digits for per-query costs. */
export function usd(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const abs = Math.abs(v);
  if (abs >= 100) return `$${Math.round(v).toLocaleString("en-US")}`;
  if (abs >= 1) return `$${v.toFixed(2)}`;
  if (abs === 0) return "$0";
  return `$${v.toPrecision(3)}`;
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
