//! The bundled font, registered once with plotters under the family name [`FAMILY`].

use std::sync::OnceLock;

use crate::{PlotError, Result};

/// Family name the bundled font is registered under.
pub(crate) const FAMILY: &str = "sans-serif";

static FONT_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
static REGISTERED: OnceLock<bool> = OnceLock::new();

/// Registers DejaVu Sans for every style plotters may ask for (idempotent, thread-safe).
pub(crate) fn ensure() -> Result<()> {
    let ok = *REGISTERED.get_or_init(|| {
        use plotters::style::FontStyle;
        [
            FontStyle::Normal,
            FontStyle::Bold,
            FontStyle::Italic,
            FontStyle::Oblique,
        ]
        .into_iter()
        .all(|style| plotters::style::register_font(FAMILY, style, FONT_BYTES).is_ok())
    });
    if ok { Ok(()) } else { Err(PlotError::Font) }
}
