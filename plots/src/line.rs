//! Line charts: one or more named series of (x, y) points, e.g. loss curves.

use std::path::Path;

use plotters::prelude::*;

use crate::{PlotError, Result, draw_err, font, save_rgb};

/// Size of a line chart in pixels.
const SIZE: (u32, u32) = (800, 500);

/// One named curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// Draws `series` as lines (with a legend) and writes an 800×500 PNG to `path`.
///
/// Non-finite points are dropped; at least one finite point in total is required.
pub fn line_chart(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
) -> Result<()> {
    font::ensure()?;
    let finite: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect()
        })
        .collect();
    let all = finite.iter().flatten();
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in all {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if !x0.is_finite() {
        return Err(PlotError::Input {
            path: path.to_path_buf(),
            message: "no finite points in any series".into(),
        });
    }
    let (x0, x1) = widen(x0, x1);
    let (y0, y1) = widen(y0, y1);
    let err = draw_err(path);
    let mut buf = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (font::FAMILY, 24))
            .margin(15)
            .x_label_area_size(45)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(&err)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .label_style((font::FAMILY, 14))
            .draw()
            .map_err(&err)?;
        for (i, (s, pts)) in series.iter().zip(&finite).enumerate() {
            let color = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))
                .map_err(&err)?
                .label(s.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font((font::FAMILY, 14))
            .draw()
            .map_err(&err)?;
        root.present().map_err(&err)?;
    }
    save_rgb(path, SIZE.0, SIZE.1, buf)
}

/// Makes a degenerate range (all values equal) drawable and pads real ranges by 5 %.
fn widen(lo: f64, hi: f64) -> (f64, f64) {
    if hi - lo <= f64::EPSILON * lo.abs().max(1.0) {
        (lo - 1.0, hi + 1.0)
    } else {
        let pad = (hi - lo) * 0.05;
        (lo - pad, hi + pad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_png_with_curve_pixels() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loss.png");
        let series = vec![
            Series {
                name: "train".into(),
                points: (0..50)
                    .map(|i| (i as f64, (-(i as f64) / 10.0).exp()))
                    .collect(),
            },
            Series {
                name: "val".into(),
                points: vec![(0.0, 1.0), (49.0, 0.2), (10.0, f64::NAN)],
            },
        ];
        line_chart(&path, "loss", "step", "loss", &series).unwrap();
        let img = image::open(&path).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), SIZE);
        let colored = img
            .pixels()
            .filter(|p| !(p[0] == p[1] && p[1] == p[2]))
            .count();
        assert!(
            colored > 200,
            "expected colored curve pixels, got {colored}"
        );
    }

    #[test]
    fn rejects_empty_input() {
        let dir = tempfile::tempdir().unwrap();
        let err = line_chart(&dir.path().join("x.png"), "t", "x", "y", &[]).unwrap_err();
        assert!(err.to_string().contains("no finite points"), "{err}");
    }

    #[test]
    fn constant_series_is_drawable() {
        let dir = tempfile::tempdir().unwrap();
        let s = Series {
            name: "c".into(),
            points: vec![(1.0, 3.0), (1.0, 3.0)],
        };
        line_chart(&dir.path().join("c.png"), "t", "x", "y", &[s]).unwrap();
    }
}
