//! `ijepa-plots`: PNG plots shared by the trainer and the runtime — line charts (loss curves),
//! heatmaps (confusion matrices) and captioned image grids (contact sheets, mask visualizations).
//!
//! Drawing uses `plotters` with the bundled DejaVu Sans font (no system fonts needed); PNGs are
//! encoded by the `image` crate from an RGB buffer.
//!
//! Run its tests: `cargo test -p ijepa-plots`; see every plot: `cargo run -p ijepa-plots --example demo -- OUT_DIR`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod font;
mod grid;
mod heatmap;
mod line;

pub use grid::image_grid;
pub use heatmap::heatmap;
pub use line::{Series, line_chart};

use std::path::PathBuf;

/// Errors from drawing or writing a plot.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The bundled font could not be registered with plotters.
    #[error("could not register the bundled font plots/assets/DejaVuSans.ttf with plotters")]
    Font,
    /// Drawing failed inside plotters.
    #[error("drawing {path}: {message}")]
    Draw { path: PathBuf, message: String },
    /// Encoding or writing the PNG failed.
    #[error("writing PNG {path}: {source} (check that the folder exists and is writable)")]
    Write {
        path: PathBuf,
        #[source]
        source: image::ImageError,
    },
    /// The inputs do not make a plot (empty, mismatched lengths, ...).
    #[error("bad input for {path}: {message}")]
    Input { path: PathBuf, message: String },
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, PlotError>;

/// Turns any plotters error into [`PlotError::Draw`] naming the output file.
pub(crate) fn draw_err<E: std::fmt::Display>(
    path: &std::path::Path,
) -> impl Fn(E) -> PlotError + '_ {
    move |e| PlotError::Draw {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Writes an RGB buffer of `width × height` pixels as a PNG.
pub(crate) fn save_rgb(
    path: &std::path::Path,
    width: u32,
    height: u32,
    buf: Vec<u8>,
) -> Result<()> {
    let img = image::RgbImage::from_raw(width, height, buf).ok_or_else(|| PlotError::Input {
        path: path.to_path_buf(),
        message: format!("RGB buffer does not hold {width}x{height} pixels"),
    })?;
    img.save(path).map_err(|source| PlotError::Write {
        path: path.to_path_buf(),
        source,
    })
}
