//! The one font of every chart: DejaVu Sans, embedded in the binary and registered with
//! plotters once, so output is identical on every machine and needs no system font.
//! Licence: `assets/fonts/DejaVuSans.COPYRIGHT` (Bitstream Vera licence + public domain).

use std::sync::Once;

use plotters::style::FontStyle;

/// The family name charts ask for.
pub(crate) const FAMILY: &str = "sans-serif";

static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Registers the embedded font under [`FAMILY`]; later calls do nothing.
pub(crate) fn register() {
    REGISTER.call_once(|| {
        // The bytes are compiled in and known to parse (a unit test renders text with them),
        // so failure here is a broken build, not bad input.
        let registered = plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS);
        assert!(registered.is_ok(), "embedded DejaVu Sans failed to parse");
    });
}
