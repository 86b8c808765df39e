//! Image grids: tiles of RGB images, each with a caption underneath (contact sheets).

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::{PlotError, Result, draw_err, font, save_rgb};

/// Gap between tiles and height of the caption band, in pixels.
const GAP: u32 = 6;
const CAPTION_H: u32 = 20;
/// Tiles narrower than this are upscaled (nearest neighbour) so captions fit.
const MIN_TILE_W: u32 = 128;

/// Lays `images` out in rows of `columns`, each tile with its caption below, and writes a PNG.
///
/// Every tile gets the size of the largest image (smaller images are centered); tiles narrower
/// than 128 px are upscaled by an integer factor with nearest-neighbour sampling.
pub fn image_grid(
    path: &Path,
    images: &[image::RgbImage],
    captions: &[String],
    columns: usize,
) -> Result<()> {
    font::ensure()?;
    let input_err = |message: String| PlotError::Input {
        path: path.to_path_buf(),
        message,
    };
    if images.is_empty() || columns == 0 {
        return Err(input_err(format!(
            "{} images in {columns} columns",
            images.len()
        )));
    }
    if captions.len() != images.len() {
        return Err(input_err(format!(
            "{} images but {} captions",
            images.len(),
            captions.len()
        )));
    }
    let max_w = images.iter().map(|i| i.width()).max().unwrap_or(1).max(1);
    let max_h = images.iter().map(|i| i.height()).max().unwrap_or(1).max(1);
    let scale = MIN_TILE_W.div_ceil(max_w).max(1);
    let (tile_w, tile_h) = (max_w * scale, max_h * scale);
    let cols = columns.min(images.len()) as u32;
    let rows = images.len().div_ceil(columns) as u32;
    let cell_w = tile_w + GAP;
    let cell_h = tile_h + CAPTION_H + GAP;
    let width = cols * cell_w + GAP;
    let height = rows * cell_h + GAP;
    let mut canvas = image::RgbImage::from_pixel(width, height, image::Rgb([255, 255, 255]));
    for (i, img) in images.iter().enumerate() {
        let (col, row) = (i as u32 % cols, i as u32 / cols);
        let ox = GAP + col * cell_w + (tile_w - img.width() * scale) / 2;
        let oy = GAP + row * cell_h + (tile_h - img.height() * scale) / 2;
        for y in 0..img.height() * scale {
            for x in 0..img.width() * scale {
                canvas.put_pixel(ox + x, oy + y, *img.get_pixel(x / scale, y / scale));
            }
        }
    }
    let mut buf = canvas.into_raw();
    let err = draw_err(path);
    {
        let root = BitMapBackend::with_buffer(&mut buf, (width, height)).into_drawing_area();
        let style = TextStyle::from((font::FAMILY, 14).into_font())
            .pos(Pos::new(HPos::Center, VPos::Center));
        for (i, caption) in captions.iter().enumerate() {
            let (col, row) = (i as u32 % cols, i as u32 / cols);
            let x = GAP + col * cell_w + tile_w / 2;
            let y = GAP + row * cell_h + tile_h + CAPTION_H / 2;
            root.draw(&Text::new(
                caption.clone(),
                (x as i32, y as i32),
                style.clone(),
            ))
            .map_err(&err)?;
        }
        root.present().map_err(&err)?;
    }
    save_rgb(path, width, height, buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_keep_their_pixels() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grid.png");
        let red = image::RgbImage::from_pixel(200, 100, image::Rgb([255, 0, 0]));
        let green = image::RgbImage::from_pixel(200, 100, image::Rgb([0, 255, 0]));
        let imgs = vec![red.clone(), green, red];
        let caps: Vec<String> = vec!["a".into(), "b".into(), "c".into()];
        image_grid(&path, &imgs, &caps, 2).unwrap();
        let out = image::open(&path).unwrap().to_rgb8();
        assert_eq!(
            out.dimensions(),
            (2 * (200 + GAP) + GAP, 2 * (100 + CAPTION_H + GAP) + GAP)
        );
        assert_eq!(out.get_pixel(GAP + 10, GAP + 10).0, [255, 0, 0]);
        assert_eq!(out.get_pixel(2 * GAP + 200 + 10, GAP + 10).0, [0, 255, 0]);
        // Caption band holds dark text pixels.
        let band_y = GAP + 100..GAP + 100 + CAPTION_H;
        let dark = band_y
            .flat_map(|y| (GAP..GAP + 200).map(move |x| (x, y)))
            .filter(|&(x, y)| out.get_pixel(x, y).0[0] < 128)
            .count();
        assert!(dark > 5, "caption not drawn ({dark} dark pixels)");
    }

    #[test]
    fn small_images_are_upscaled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("small.png");
        let img = image::RgbImage::from_pixel(32, 32, image::Rgb([0, 0, 255]));
        image_grid(&path, &[img], &["x".into()], 4).unwrap();
        let out = image::open(&path).unwrap().to_rgb8();
        assert_eq!(out.width(), 128 + 2 * GAP);
    }

    #[test]
    fn caption_count_must_match() {
        let dir = tempfile::tempdir().unwrap();
        let img = image::RgbImage::new(4, 4);
        let err = image_grid(&dir.path().join("x.png"), &[img], &[], 1).unwrap_err();
        assert!(err.to_string().contains("1 images but 0 captions"), "{err}");
    }
}
