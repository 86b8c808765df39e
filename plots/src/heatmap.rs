//! Heatmaps with the value written in each cell, e.g. confusion matrices.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::{PlotError, Result, draw_err, font, save_rgb};

/// Side of one cell in pixels.
const CELL: u32 = 56;
/// Space for the title (top) and the row/column labels (left/top).
const TITLE_H: u32 = 40;
const LABEL_W: u32 = 110;
const LABEL_H: u32 = 30;
const MARGIN: u32 = 15;
/// Font size of the title; the image widens to fit it.
const TITLE_SIZE: u32 = 20;

/// Draws `matrix` (rows × columns) as a white-to-blue heatmap with each value written in its cell,
/// rows labelled on the left and columns on top, and writes the PNG to `path`.
///
/// Values are written with up to 3 significant decimals (integers as integers).
pub fn heatmap(
    path: &Path,
    title: &str,
    matrix: &[Vec<f64>],
    row_labels: &[String],
    col_labels: &[String],
) -> Result<()> {
    font::ensure()?;
    let input_err = |message: String| PlotError::Input {
        path: path.to_path_buf(),
        message,
    };
    let rows = matrix.len();
    let cols = matrix.first().map_or(0, Vec::len);
    if rows == 0 || cols == 0 {
        return Err(input_err("matrix is empty".into()));
    }
    if let Some(bad) = matrix.iter().position(|r| r.len() != cols) {
        return Err(input_err(format!(
            "row {bad} has {} values, row 0 has {cols}",
            matrix[bad].len()
        )));
    }
    if row_labels.len() != rows || col_labels.len() != cols {
        return Err(input_err(format!(
            "{rows}x{cols} matrix but {} row labels and {} column labels",
            row_labels.len(),
            col_labels.len()
        )));
    }
    let max = matrix
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let title_w = (font::FAMILY, TITLE_SIZE)
        .into_font()
        .box_size(title)
        .map_or(0, |(w, _)| w);
    let width = (LABEL_W + CELL * cols as u32).max(title_w) + 2 * MARGIN;
    let height = TITLE_H + LABEL_H + CELL * rows as u32 + 2 * MARGIN;
    let err = draw_err(path);
    let mut buf = vec![0u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let center = Pos::new(HPos::Center, VPos::Center);
        let title_style = TextStyle::from((font::FAMILY, TITLE_SIZE).into_font()).pos(center);
        root.draw(&Text::new(
            title.to_string(),
            ((width / 2) as i32, (MARGIN + TITLE_H / 2) as i32),
            title_style,
        ))
        .map_err(&err)?;
        let x0 = (MARGIN + LABEL_W) as i32;
        let y0 = (MARGIN + TITLE_H + LABEL_H) as i32;
        let cell = CELL as i32;
        let label_style = TextStyle::from((font::FAMILY, 14).into_font()).pos(center);
        for (c, label) in col_labels.iter().enumerate() {
            let pos = (x0 + c as i32 * cell + cell / 2, y0 - LABEL_H as i32 / 2);
            root.draw(&Text::new(label.clone(), pos, label_style.clone()))
                .map_err(&err)?;
        }
        let row_style = TextStyle::from((font::FAMILY, 14).into_font())
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (r, label) in row_labels.iter().enumerate() {
            let pos = (x0 - 8, y0 + r as i32 * cell + cell / 2);
            root.draw(&Text::new(label.clone(), pos, row_style.clone()))
                .map_err(&err)?;
        }
        for (r, row) in matrix.iter().enumerate() {
            for (c, &v) in row.iter().enumerate() {
                let t = if max > 0.0 && v.is_finite() {
                    (v / max).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let fill = RGBColor(lerp(255, 8, t), lerp(255, 48, t), lerp(255, 107, t));
                let (cx, cy) = (x0 + c as i32 * cell, y0 + r as i32 * cell);
                root.draw(&Rectangle::new(
                    [(cx, cy), (cx + cell, cy + cell)],
                    fill.filled(),
                ))
                .map_err(&err)?;
                root.draw(&Rectangle::new(
                    [(cx, cy), (cx + cell, cy + cell)],
                    RGBColor(200, 200, 200),
                ))
                .map_err(&err)?;
                let ink = if t > 0.5 { WHITE } else { BLACK };
                let style = TextStyle::from((font::FAMILY, 14).into_font())
                    .color(&ink)
                    .pos(center);
                root.draw(&Text::new(
                    format_value(v),
                    (cx + cell / 2, cy + cell / 2),
                    style,
                ))
                .map_err(&err)?;
            }
        }
        root.present().map_err(&err)?;
    }
    save_rgb(path, width, height, buf)
}

fn lerp(a: u8, b: u8, t: f64) -> u8 {
    (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8
}

/// Integers without decimals, other values with up to 3 decimals.
fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e9 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_png_with_dark_max_cell() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cm.png");
        let m = vec![vec![10.0, 0.0], vec![2.0, 5.0]];
        let labels: Vec<String> = vec!["a".into(), "b".into()];
        heatmap(&path, "confusion", &m, &labels, &labels).unwrap();
        let img = image::open(&path).unwrap().to_rgb8();
        assert_eq!(img.width(), LABEL_W + 2 * CELL + 2 * MARGIN);
        // Corner of cell (0,0), away from the text: the darkest color.
        let p = img.get_pixel(MARGIN + LABEL_W + 4, MARGIN + TITLE_H + LABEL_H + 4);
        assert_eq!(p.0, [8, 48, 107]);
        // Corner of cell (0,1) holds 0: white.
        let p = img.get_pixel(MARGIN + LABEL_W + CELL + 4, MARGIN + TITLE_H + LABEL_H + 4);
        assert_eq!(p.0, [255, 255, 255]);
    }

    #[test]
    fn long_title_widens_the_image() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wide.png");
        let title = "a long title that is much wider than two cells of the matrix";
        heatmap(&path, title, &[vec![1.0]], &["a".into()], &["b".into()]).unwrap();
        assert!(image::open(&path).unwrap().width() > 400);
    }

    #[test]
    fn rejects_ragged_matrix() {
        let dir = tempfile::tempdir().unwrap();
        let m = vec![vec![1.0, 2.0], vec![3.0]];
        let l: Vec<String> = vec!["a".into(), "b".into()];
        let err = heatmap(&dir.path().join("x.png"), "t", &m, &l, &l).unwrap_err();
        assert!(err.to_string().contains("row 1 has 1 values"), "{err}");
    }

    #[test]
    fn formats_values() {
        assert_eq!(format_value(12.0), "12");
        assert_eq!(format_value(0.5), "0.5");
        assert_eq!(format_value(0.12345), "0.123");
    }
}
