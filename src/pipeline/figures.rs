//! The report's own figures: multi-block masks over images (like the paper's Figure 4) and a
//! probe-accuracy table as a heatmap.

use std::path::{Path, PathBuf};

use ijepa_runtime::preprocess::Preprocess;
use ijepa_trainer::config::IjepaConfig;
use ijepa_trainer::masks::{MultiBlockConfig, MultiBlockSampler};
use image::{Rgb, RgbImage, imageops::FilterType};

use super::PipelineError;

/// Pixels per patch side in the figure.
const FIGURE_PATCH_PIXELS: u32 = 24;
/// Colours of the target blocks (as in the paper: one colour per block).
const TARGET_COLOURS: [[u8; 3]; 4] = [[230, 60, 60], [60, 120, 230], [60, 200, 90], [240, 200, 40]];

/// The sampler the trainer uses for this config.
pub fn sampler_for(config: &IjepaConfig) -> Result<MultiBlockSampler, PipelineError> {
    MultiBlockSampler::new(MultiBlockConfig::from_config(config)).map_err(|err| {
        PipelineError::Step {
            step: "masks",
            message: err.to_string(),
        }
    })
}

/// Draws, for each image, the context block (kept patches bright, the rest dimmed) and the target
/// blocks (coloured), with masks drawn by the training sampler; writes one PNG grid.
pub fn masks_figure(
    images: &[PathBuf],
    config: &IjepaConfig,
    seed: u64,
    out: &Path,
) -> Result<(), PipelineError> {
    let sampler = sampler_for(config)?;
    let grid = sampler.grid() as u32;
    let batch = sampler.sample(images.len(), seed, 0);
    let side = grid * FIGURE_PATCH_PIXELS;
    // The probe's resize + centre crop (mean/std are not used for drawing).
    let preprocess = Preprocess {
        crop_size: config.data.crop_size as u32,
        mean: [0.0; 3],
        std: [1.0; 3],
    };
    let mut tiles = Vec::new();
    let mut captions = Vec::new();
    for (i, path) in images.iter().enumerate() {
        let image = image::open(path).map_err(|err| PipelineError::Step {
            step: "masks figure",
            message: format!("{}: {err}", path.display()),
        })?;
        let crop = preprocess.resize_and_crop(&image);
        let mut tile = image::imageops::resize(&crop, side, side, FilterType::Nearest);
        let context: std::collections::HashSet<i64> = batch.enc[0].row(i).iter().copied().collect();
        for patch in 0..(grid * grid) as i64 {
            if !context.contains(&patch) {
                paint_patch(&mut tile, patch, grid, |p| {
                    Rgb(p.0.map(|c| (c as f32 * 0.3) as u8))
                });
            }
        }
        for (j, set) in batch.pred.iter().enumerate() {
            let colour = TARGET_COLOURS[j % TARGET_COLOURS.len()];
            for &patch in set.row(i) {
                paint_patch(&mut tile, patch, grid, |p| {
                    Rgb([0, 1, 2].map(|c| ((p.0[c] as u16 + colour[c] as u16 * 2) / 3) as u8))
                });
            }
        }
        tiles.push(tile);
        captions.push(format!(
            "context {} / targets {}x{}",
            batch.enc[0].len,
            batch.pred.len(),
            batch.pred[0].len
        ));
    }
    ijepa_plots::image_grid(out, &tiles, &captions, 4.min(tiles.len().max(1))).map_err(|err| {
        PipelineError::Step {
            step: "masks figure",
            message: err.to_string(),
        }
    })
}

fn paint_patch(tile: &mut RgbImage, patch: i64, grid: u32, f: impl Fn(&Rgb<u8>) -> Rgb<u8>) {
    let (row, col) = (patch as u32 / grid, patch as u32 % grid);
    for y in row * FIGURE_PATCH_PIXELS..(row + 1) * FIGURE_PATCH_PIXELS {
        for x in col * FIGURE_PATCH_PIXELS..(col + 1) * FIGURE_PATCH_PIXELS {
            let p = *tile.get_pixel(x, y);
            tile.put_pixel(x, y, f(&p));
        }
    }
}

/// Top-1 accuracy (%) per method (rows) and task (columns) as an annotated heatmap.
pub fn accuracy_table(
    out: &Path,
    methods: &[String],
    tasks: &[String],
    accuracy: &[Vec<f64>],
) -> Result<(), PipelineError> {
    ijepa_plots::heatmap(
        out,
        "Linear-probe top-1 accuracy (%)",
        accuracy,
        methods,
        tasks,
    )
    .map_err(|err| PipelineError::Step {
        step: "probe figure",
        message: err.to_string(),
    })
}
