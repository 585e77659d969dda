import { describe, expect, it } from "vitest";
import { sliderToVolume, usd, volume, volumeToSlider } from "./money";

describe("money", () => {
  it("shows per-query costs with three significant digits", () => {
    expect(usd(0.00108)).toBe("$0.00108");
    expect(usd(1422)).toBe("$1,422");
    expect(usd(2.25)).toBe("$2.25");
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
