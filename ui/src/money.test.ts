import { describe, expect, it } from "vitest";
import { sliderToVolume, usd, volume, volumeToSlider } from "./money";

describe("money", () => {
  // The same table as the core's `money::tests::MONEY_TABLE`: one rule everywhere.
  const TABLE: [number, string][] = [
    [1241.0, "$1,241"], [1422.4, "$1,422"], [1234567.8, "$1,234,568"], [100.0, "$100"], [99.996, "$100"],
    [99.5, "$99.50"], [2.25, "$2.25"], [2.125, "$2.13"], [2.675, "$2.68"], [1.0, "$1.00"], [0.9996, "$1.00"], [0.999, "$0.999"], [0.5, "$0.50"], [0.5625, "$0.563"],
    [0.0831, "$0.0831"], [0.08314, "$0.0831"], [0.08, "$0.08"], [0.012345, "$0.0123"], [0.00108, "$0.00108"],
    [0.00063, "$0.00063"], [0.000001234, "$0.00000123"], [0.0, "$0.00"], [-0.0831, "-$0.0831"], [-12345.0, "-$12,345"],
  ];
  it.each(TABLE)("writes %d as %s: three figures below $1, cents above, whole dollars from $100", (x, want) => {
    expect(usd(x)).toBe(want);
  });
  it("writes no number it does not have", () => {
    expect(usd(null)).toBe("–");
  });
  it("abbreviates large volumes", () => {
    expect(volume(2419)).toBe("2,419");
    expect(volume(40_000)).toBe("40k");
    expect(volume(1_334_000)).toBe("1.33M");
  });
  it("maps the volume slider onto a log scale both ways", () => {
    expect(volumeToSlider(10)).toBe(0);
    expect(volumeToSlider(1e7)).toBe(1000);
    expect(sliderToVolume(volumeToSlider(20_000))).toBe(20_000);
    expect(sliderToVolume(500)).toBeCloseTo(10_000, -2);
  });
});
