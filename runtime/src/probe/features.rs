//! Probe inputs: encoder embeddings (cached as `.npy`) and downsampled raw pixels.
//!
//! The cache file is `<cache>/<model sha256, 16 hex>_<split>_<features>_<n>_<image-list hash>.npy`,
//! so a different model file, split, feature kind or image list (e.g. `--train-limit`) never
//! reuses stale features.

use std::io::Read;
use std::path::{Path, PathBuf};

use image::DynamicImage;
use image::imageops::FilterType;
use ndarray::{Array2, Axis};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::embedder::Embedder;
use crate::probe::error::{ProbeError, Result};

/// Raw-pixel baseline: images are resized (bilinear) to this side, RGB in [0, 1].
pub const RAW_PIXEL_SIDE: u32 = 16;
/// Images decoded and embedded per chunk (bounds memory, drives progress).
const CHUNK: usize = 256;

/// Which encoder output becomes the probe's features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeatureKind {
    /// The mean-pooled embedding (`pooled`), `[dim]`.
    #[default]
    Mean,
    /// Mean and max over the token embeddings, concatenated, `[2 · dim]`.
    MeanMax,
}

impl FeatureKind {
    pub fn name(self) -> &'static str {
        match self {
            FeatureKind::Mean => "mean",
            FeatureKind::MeanMax => "mean-max",
        }
    }
}

impl std::str::FromStr for FeatureKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "mean" => Ok(FeatureKind::Mean),
            "mean-max" => Ok(FeatureKind::MeanMax),
            other => Err(format!(
                "unknown features `{other}`: expected mean or mean-max"
            )),
        }
    }
}

impl std::fmt::Display for FeatureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// SHA-256 of a file, as hex.
pub fn file_sha256(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| ProbeError::io("cannot open", path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| ProbeError::io("cannot read", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The cache file for these features.
pub fn cache_path(
    cache_dir: &Path,
    model_sha: &str,
    split: &str,
    kind: FeatureKind,
    images: &[PathBuf],
) -> PathBuf {
    let mut hasher = Sha256::new();
    for p in images {
        hasher.update(
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
                .as_bytes(),
        );
        hasher.update(b"\n");
    }
    let list = hex(&hasher.finalize());
    let short = &model_sha[..model_sha.len().min(16)];
    cache_dir.join(format!(
        "{short}_{split}_{}_{}_{}.npy",
        kind.name(),
        images.len(),
        &list[..12]
    ))
}

/// Decodes images in parallel.
pub fn load_images(paths: &[PathBuf]) -> Result<Vec<DynamicImage>> {
    paths
        .par_iter()
        .map(|p| crate::images::load_image(p).map_err(ProbeError::from))
        .collect()
}

/// Embeds `images` (files) through `embedder`, reading/writing the cache when `cache` is given.
///
/// # Shapes
/// returns `[images.len(), dim]` (`2 · dim` for [`FeatureKind::MeanMax`]).
pub fn embed_images(
    embedder: &Embedder,
    images: &[PathBuf],
    kind: FeatureKind,
    cache: Option<&Path>,
    on_images: &(dyn Fn(usize) + Sync),
) -> Result<Array2<f32>> {
    if let Some(path) = cache.filter(|p| p.is_file()) {
        let (shape, data) = crate::npy::read_f32(path)?;
        if let [n, d] = shape[..]
            && n == images.len()
        {
            tracing::info!(cache = %path.display(), "features from cache");
            on_images(n);
            return Array2::from_shape_vec((n, d), data)
                .map_err(|e| ProbeError::Features(e.to_string()));
        }
        tracing::warn!(cache = %path.display(), ?shape, "ignoring cache of the wrong shape");
    }
    let mut parts = Vec::new();
    for chunk in images.chunks(CHUNK) {
        let decoded = load_images(chunk)?;
        let features = match kind {
            FeatureKind::Mean => embedder.embed(&decoded)?,
            FeatureKind::MeanMax => {
                let tokens = embedder.embed_tokens(&decoded)?;
                let mean = tokens
                    .mean_axis(Axis(1))
                    .ok_or_else(|| ProbeError::Features("encoder returned no tokens".into()))?;
                let max = tokens.fold_axis(Axis(1), f32::NEG_INFINITY, |&a, &b| a.max(b));
                ndarray::concatenate(Axis(1), &[mean.view(), max.view()])
                    .map_err(|e| ProbeError::Features(e.to_string()))?
            }
        };
        on_images(chunk.len());
        parts.push(features);
    }
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    let features = ndarray::concatenate(Axis(0), &views)
        .map_err(|e| ProbeError::Features(format!("no images: {e}")))?;
    if let Some(path) = cache {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| ProbeError::io("cannot create", dir, e))?;
        }
        let contiguous = features.as_standard_layout();
        let data = contiguous
            .as_slice()
            .ok_or_else(|| ProbeError::Features("non-contiguous features".into()))?;
        crate::npy::write_f32(path, &[features.nrows(), features.ncols()], data)?;
    }
    Ok(features)
}

/// Raw-pixel features: each image resized to `RAW_PIXEL_SIDE`² RGB, values in [0, 1].
///
/// # Shapes
/// returns `[images.len(), 3 · RAW_PIXEL_SIDE²]`.
pub fn raw_pixels(images: &[PathBuf], on_images: &(dyn Fn(usize) + Sync)) -> Result<Array2<f32>> {
    let dim = (3 * RAW_PIXEL_SIDE * RAW_PIXEL_SIDE) as usize;
    let rows: Vec<Vec<f32>> = images
        .par_chunks(CHUNK)
        .map(|chunk| {
            let out = load_images(chunk)?
                .iter()
                .flat_map(|img| {
                    let small = image::imageops::resize(
                        &img.to_rgb8(),
                        RAW_PIXEL_SIDE,
                        RAW_PIXEL_SIDE,
                        FilterType::Triangle,
                    );
                    small.into_raw().into_iter().map(|v| f32::from(v) / 255.0)
                })
                .collect();
            on_images(chunk.len());
            Ok(out)
        })
        .collect::<Result<_>>()?;
    let data: Vec<f32> = rows.into_iter().flatten().collect();
    Array2::from_shape_vec((images.len(), dim), data)
        .map_err(|e| ProbeError::Features(e.to_string()))
}
