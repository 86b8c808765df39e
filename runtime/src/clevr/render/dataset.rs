//! Rendering whole splits into the CLEVR v1.0 layout, with class histograms and a contact sheet.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::clevr::error::{ClevrError, Result};
use crate::clevr::labels::Task;
use crate::clevr::reader::{histogram, scenes_file_name};
use crate::clevr::render::layout::{Rendered, render_scene};
use crate::clevr::scene::{Scene, ScenesFile};

/// Images on the contact sheet, and its columns.
const CONTACT_IMAGES: usize = 16;
const CONTACT_COLUMNS: usize = 4;

/// What to render.
#[derive(Debug, Clone)]
pub struct RenderConfig {
    /// The data set root; `images/` and `scenes/` are created under it.
    pub out: PathBuf,
    /// `(split name, number of images)`, e.g. `[("train", 2000), ("val", 500)]`.
    pub splits: Vec<(String, usize)>,
    pub seed: u64,
    pub width: u32,
    pub height: u32,
}

/// What one split got.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SplitReport {
    pub split: String,
    pub images: usize,
    /// Clevr/Count and Clevr/Dist class counts, class 0 first.
    pub count_histogram: Vec<usize>,
    pub dist_histogram: Vec<usize>,
    pub scenes_file: PathBuf,
}

/// What [`render_dataset`] wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RenderReport {
    pub splits: Vec<SplitReport>,
    /// The first images of the first split with their labels.
    pub contact_sheet: PathBuf,
    pub seconds: f64,
}

impl RenderReport {
    /// The histograms as a small table.
    pub fn table(&self) -> String {
        let mut out = String::new();
        for s in &self.splits {
            out.push_str(&format!(
                "{:<6} {:>6} images  count {:?}  dist {:?}\n",
                s.split, s.images, s.count_histogram, s.dist_histogram
            ));
        }
        out
    }
}

/// Renders every split of `config` (images in parallel), writing the PNGs, the scenes files and
/// `contact_sheet.png`; `on_image` is called once per finished image (for progress bars).
pub fn render_dataset(config: &RenderConfig, on_image: &(dyn Fn() + Sync)) -> Result<RenderReport> {
    let start = Instant::now();
    if config.width == 0 || config.height == 0 {
        return Err(ClevrError::InvalidArgument(format!(
            "image size {}x{} must be positive",
            config.width, config.height
        )));
    }
    let mut splits = Vec::new();
    let mut sheet: Vec<(image::RgbImage, String)> = Vec::new();
    for (split, count) in &config.splits {
        if split.is_empty() || split.contains(['/', '\\']) {
            return Err(ClevrError::InvalidArgument(format!(
                "split name {split:?} must be a plain, non-empty name"
            )));
        }
        let image_dir = config.out.join("images").join(split);
        let scene_dir = config.out.join("scenes");
        for dir in [&image_dir, &scene_dir] {
            std::fs::create_dir_all(dir).map_err(|e| ClevrError::io("cannot create", dir, e))?;
        }
        let rendered: Vec<Rendered> = (0..*count)
            .into_par_iter()
            .map(|index| {
                let r = render_scene(config.seed, split, index, config.width, config.height)?;
                let path = image_dir.join(&r.scene.image_filename);
                r.image.save(&path).map_err(|e| ClevrError::Image {
                    path,
                    reason: e.to_string(),
                })?;
                on_image();
                Ok(r)
            })
            .collect::<Result<_>>()?;
        for r in rendered
            .iter()
            .take(CONTACT_IMAGES.saturating_sub(sheet.len()))
        {
            sheet.push((r.image.clone(), caption(&r.scene)));
        }
        let scenes: Vec<Scene> = rendered.into_iter().map(|r| r.scene).collect();
        let report = split_report(split, &scenes, scene_dir.join(scenes_file_name(split)));
        write_scenes(&report.scenes_file, split, config, scenes)?;
        tracing::info!(split = %split, images = count, count = ?report.count_histogram, dist = ?report.dist_histogram, "rendered");
        if let Some(empty) = report
            .dist_histogram
            .iter()
            .position(|&c| c == 0)
            .filter(|_| *count >= 500)
        {
            tracing::warn!(split = %split, class = empty, "a Clevr/Dist class got no images");
        }
        splits.push(report);
    }
    let contact_sheet = config.out.join("contact_sheet.png");
    if !sheet.is_empty() {
        let (images, captions): (Vec<_>, Vec<_>) = sheet.into_iter().unzip();
        ijepa_plots::image_grid(&contact_sheet, &images, &captions, CONTACT_COLUMNS)?;
    }
    Ok(RenderReport {
        splits,
        contact_sheet,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// `count N dist D` as on the contact sheet (labels, not raw values).
fn caption(scene: &Scene) -> String {
    let label = |task: Task| {
        task.label(scene)
            .map_or_else(|_| "-".to_string(), |l| l.to_string())
    };
    format!("count {} dist {}", label(Task::Count), label(Task::Dist))
}

fn split_report(split: &str, scenes: &[Scene], scenes_file: PathBuf) -> SplitReport {
    let labels =
        |task: Task| -> Vec<usize> { scenes.iter().filter_map(|s| task.label(s).ok()).collect() };
    SplitReport {
        split: split.to_string(),
        images: scenes.len(),
        count_histogram: histogram(&labels(Task::Count), Task::Count.num_classes()),
        dist_histogram: histogram(&labels(Task::Dist), Task::Dist.num_classes()),
        scenes_file,
    }
}

fn write_scenes(path: &Path, split: &str, config: &RenderConfig, scenes: Vec<Scene>) -> Result<()> {
    let info = serde_json::json!({
        "split": split,
        "version": "1.0",
        "license": "Creative Commons Attribution (CC-BY 4.0)",
        "renderer": "ijepa-rs synthetic CLEVR (ijepa data clevr)",
        "seed": config.seed,
        "width": config.width,
        "height": config.height,
    });
    let file = ScenesFile { info, scenes };
    let text = serde_json::to_string(&file)
        .map_err(|e| ClevrError::InvalidArgument(format!("scene JSON: {e}")))?;
    std::fs::write(path, text).map_err(|e| ClevrError::io("cannot write", path, e))
}
