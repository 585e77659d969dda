//! The colours of the arms' series: Okabe and Ito's palette for colour-blind readers, six
//! hues per theme (one per arm of the largest experiment), in an order that reads on the
//! theme's background (darker hues first on white, lighter ones on the dark background),
//! each theme leaving out the hues that fade into it (yellow and sky blue on white; black
//! and blue on dark). Arms A, B, … take them in order in every chart, and the window's
//! swatches (`ui/src/arm-colours.ts`) repeat them.

use plotters::style::RGBColor;

/// On the light background: blue, vermillion, bluish green, reddish purple, black, orange.
/// The first five reach 3:1 contrast against white; orange, for a sixth arm only, 2.25:1.
pub(crate) const LIGHT: [RGBColor; 6] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x00, 0x00, 0x00),
    RGBColor(0xE6, 0x9F, 0x00),
];

/// On the dark background: sky blue, orange, bluish green, reddish purple, yellow, vermillion.
pub(crate) const DARK: [RGBColor; 6] = [
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0xD5, 0x5E, 0x00),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Okabe & Ito (2008), "Color Universal Design": the eight colours.
    const OKABE_ITO: [(u8, u8, u8); 8] = [
        (0x00, 0x00, 0x00),
        (0xE6, 0x9F, 0x00),
        (0x56, 0xB4, 0xE9),
        (0x00, 0x9E, 0x73),
        (0xF0, 0xE4, 0x42),
        (0x00, 0x72, 0xB2),
        (0xD5, 0x5E, 0x00),
        (0xCC, 0x79, 0xA7),
    ];

    /// Machado, Oliveira & Fernandes (2009), severity 1.0, in linear RGB.
    const PROTAN: [[f64; 3]; 3] = [
        [0.152_286, 1.052_583, -0.204_868],
        [0.114_503, 0.786_281, 0.099_216],
        [-0.003_882, -0.048_116, 1.051_998],
    ];
    const DEUTAN: [[f64; 3]; 3] = [
        [0.367_322, 0.860_646, -0.227_968],
        [0.280_085, 0.672_501, 0.047_413],
        [-0.011_820, 0.042_940, 0.968_881],
    ];
    const TRITAN: [[f64; 3]; 3] = [
        [1.255_528, -0.076_749, -0.178_779],
        [-0.078_411, 0.930_809, 0.147_602],
        [0.004_733, 0.691_367, 0.303_900],
    ];

    fn linear(c: u8) -> f64 {
        let c = f64::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }

    fn encoded(c: f64) -> f64 {
        let c = c.clamp(0.0, 1.0);
        255.0
            * if c <= 0.003_130_8 {
                12.92 * c
            } else {
                1.055 * c.powf(1.0 / 2.4) - 0.055
            }
    }

    /// `c` as a reader with the colour vision deficiency `m` sees it, in sRGB.
    fn seen(c: RGBColor, m: &[[f64; 3]; 3]) -> [f64; 3] {
        let l = [linear(c.0), linear(c.1), linear(c.2)];
        m.map(|row| encoded(row[0] * l[0] + row[1] * l[1] + row[2] * l[2]))
    }

    /// WCAG's contrast ratio of two colours.
    fn contrast(a: RGBColor, b: RGBColor) -> f64 {
        let lum = |c: RGBColor| 0.2126 * linear(c.0) + 0.7152 * linear(c.1) + 0.0722 * linear(c.2);
        let (x, y) = (lum(a), lum(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    /// The least sRGB distance between two series of `palette` as a reader sees them.
    fn closest(palette: &[RGBColor], m: &[[f64; 3]; 3]) -> f64 {
        let seen: Vec<[f64; 3]> = palette.iter().map(|&c| seen(c, m)).collect();
        let mut least = f64::INFINITY;
        for (i, a) in seen.iter().enumerate() {
            for b in &seen[i + 1..] {
                let d = a
                    .iter()
                    .zip(b)
                    .map(|(x, y)| (x - y).powi(2))
                    .sum::<f64>()
                    .sqrt();
                least = least.min(d);
            }
        }
        least
    }

    #[test]
    fn six_arms_take_six_different_okabe_ito_colours_in_each_theme() {
        for palette in [LIGHT, DARK] {
            for (i, c) in palette.iter().enumerate() {
                assert!(OKABE_ITO.contains(&(c.0, c.1, c.2)), "series {i}: {c:?}");
                assert!(!palette[..i].contains(c), "series {i} repeats {c:?}");
            }
        }
    }

    #[test]
    fn the_series_stay_apart_for_protan_deutan_and_tritan_readers() {
        // Distances in sRGB units (0–255 per channel). The previous palette (blue, red,
        // green, purple) came within 9 for a deutan reader: its blue and purple merged.
        for (theme, palette) in [("light", LIGHT), ("dark", DARK)] {
            for (who, m) in [("protan", PROTAN), ("deutan", DEUTAN), ("tritan", TRITAN)] {
                let d = closest(&palette, &m);
                assert!(d > 25.0, "{theme}, {who}: two series {d:.1} apart");
            }
        }
    }

    #[test]
    fn every_series_stands_out_from_its_background() {
        for (bg, palette) in [
            (RGBColor(255, 255, 255), LIGHT),
            (RGBColor(13, 17, 23), DARK),
        ] {
            for c in palette {
                // Orange and sky blue on white are the palette's faintest (2.3:1); the
                // series are drawn 4 px wide at slide size.
                assert!(
                    contrast(c, bg) > 2.2,
                    "{c:?} on {bg:?}: {:.2}",
                    contrast(c, bg)
                );
            }
        }
    }
}
