//! Training data: an image folder (recursive PNG/JPEG, or a CLEVR_v1.0 root) decoded on worker
//! threads, augmented like the official `make_transforms` (RandomResizedCrop, optional
//! horizontal flip, normalisation) and batched together with multi-block masks.
//!
//! Every random choice is seeded by `(seed, epoch)` (the shuffle) or `(seed, step)` (crops,
//! flips, masks), so a batch depends only on its step and a resumed run sees the same data.

mod folder;
mod loader;
mod transform;

pub use folder::{find_images, resolve_image_dir};
pub use loader::{Batch, Loader, LoaderConfig, epoch_order, iterations_per_epoch};
pub use transform::{IMAGENET_MEAN, IMAGENET_STD, TransformConfig, crop_params, transform_image};

use std::path::PathBuf;

/// Errors of the data pipeline.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(
        "image folder {path} does not exist or is not a folder; set data.root_path and data.image_folder (or --data) to a folder of PNG/JPEG images"
    )]
    MissingFolder { path: PathBuf },
    #[error("no PNG/JPEG images found under {path}; point data.image_folder at a folder of images")]
    NoImages { path: PathBuf },
    #[error(
        "{path} holds {found} images, fewer than data.batch_size = {batch_size}; lower the batch size or add images"
    )]
    TooFewImages {
        path: PathBuf,
        found: usize,
        batch_size: usize,
    },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot decode image {path}: {source}")]
    Decode {
        path: PathBuf,
        source: image::ImageError,
    },
    #[error("cannot start data worker threads: {0}")]
    Threads(String),
    #[error("the data loader thread stopped unexpectedly")]
    LoaderStopped,
}
