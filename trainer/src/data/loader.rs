//! The batch loader: a producer thread that builds batches in step order (images decoded and
//! augmented in parallel on a pool of `num_workers` threads, masks sampled alongside) and hands
//! them to the training thread through a bounded channel.

use super::{DataError, TransformConfig, transform_image};
use crate::masks::{MaskBatch, MultiBlockSampler};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// Batches prepared ahead of the training thread.
const PREFETCH: usize = 2;
/// Stream offsets keep the shuffle, augmentation and mask generators independent.
const SHUFFLE_STREAM: u64 = 1 << 40;
const AUGMENT_STREAM: u64 = 2 << 40;

/// What the loader needs.
#[derive(Debug, Clone)]
pub struct LoaderConfig {
    pub images: Vec<PathBuf>,
    pub batch_size: usize,
    pub num_workers: usize,
    pub seed: u64,
    pub transform: TransformConfig,
}

/// One training batch.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Global iteration index (0-based).
    pub step: u64,
    /// Epoch (0-based) and iteration within it.
    pub epoch: u64,
    pub itr: u64,
    /// `[batch, 3, crop, crop]` normalised pixels, row-major.
    pub pixels: Vec<f32>,
    pub masks: MaskBatch,
    /// Time spent sampling this batch's masks (off the training thread).
    pub mask_time: std::time::Duration,
}

/// Iterations per epoch with `drop_last` (as the official loader).
pub fn iterations_per_epoch(n_images: usize, batch_size: usize) -> usize {
    n_images / batch_size.max(1)
}

/// The running loader: receive batches with [`Loader::next_batch`].
pub struct Loader {
    rx: Receiver<Result<Batch, DataError>>,
    handle: Option<JoinHandle<()>>,
}

impl Loader {
    /// Starts producing batches from step `start_step` on.
    pub fn start(
        cfg: LoaderConfig,
        sampler: MultiBlockSampler,
        start_step: u64,
    ) -> Result<Self, DataError> {
        if cfg.images.len() < cfg.batch_size {
            return Err(DataError::TooFewImages {
                path: cfg
                    .images
                    .first()
                    .and_then(|p| p.parent())
                    .map(|p| p.to_path_buf())
                    .unwrap_or_default(),
                found: cfg.images.len(),
                batch_size: cfg.batch_size,
            });
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(cfg.num_workers.max(1))
            .thread_name(|i| format!("ijepa-data-{i}"))
            .build()
            .map_err(|e| DataError::Threads(e.to_string()))?;
        let (tx, rx) = sync_channel(PREFETCH);
        let handle = std::thread::Builder::new()
            .name("ijepa-loader".into())
            .spawn(move || produce(cfg, sampler, start_step, pool, tx))
            .map_err(|e| DataError::Threads(e.to_string()))?;
        Ok(Self {
            rx,
            handle: Some(handle),
        })
    }

    /// The next batch in step order.
    pub fn next_batch(&self) -> Result<Batch, DataError> {
        self.rx.recv().map_err(|_| DataError::LoaderStopped)?
    }
}

impl Drop for Loader {
    fn drop(&mut self) {
        // Closing the channel stops the producer at its next send.
        let (_, dummy) = sync_channel(0);
        drop(std::mem::replace(&mut self.rx, dummy));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn produce(
    cfg: LoaderConfig,
    sampler: MultiBlockSampler,
    start_step: u64,
    pool: rayon::ThreadPool,
    tx: SyncSender<Result<Batch, DataError>>,
) {
    let ipe = iterations_per_epoch(cfg.images.len(), cfg.batch_size) as u64;
    let mut order: Vec<usize> = Vec::new();
    let mut order_epoch = u64::MAX;
    for step in start_step.. {
        let (epoch, itr) = (step / ipe, step % ipe);
        if epoch != order_epoch {
            order = epoch_order(cfg.images.len(), cfg.seed, epoch);
            order_epoch = epoch;
        }
        let idx = &order[itr as usize * cfg.batch_size..(itr as usize + 1) * cfg.batch_size];
        let batch = build_batch(&cfg, &sampler, &pool, idx, step, epoch, itr);
        let failed = batch.is_err();
        if tx.send(batch).is_err() || failed {
            return;
        }
    }
}

/// The shuffled image order of `epoch`.
pub fn epoch_order(n: usize, seed: u64, epoch: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(SHUFFLE_STREAM + epoch);
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rng);
    order
}

fn build_batch(
    cfg: &LoaderConfig,
    sampler: &MultiBlockSampler,
    pool: &rayon::ThreadPool,
    idx: &[usize],
    step: u64,
    epoch: u64,
    itr: u64,
) -> Result<Batch, DataError> {
    let crop = cfg.transform.crop_size;
    let per_image = 3 * crop * crop;
    let mut pixels = vec![0.0f32; idx.len() * per_image];
    pool.install(|| {
        pixels
            .par_chunks_mut(per_image)
            .zip(idx.par_iter())
            .enumerate()
            .try_for_each(|(b, (out, &i))| {
                let path = &cfg.images[i];
                let img = image::open(path)
                    .map_err(|source| DataError::Decode {
                        path: path.clone(),
                        source,
                    })?
                    .to_rgb8();
                let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
                rng.set_stream(AUGMENT_STREAM + step * cfg.batch_size as u64 + b as u64);
                transform_image(&img, &cfg.transform, &mut rng, out);
                Ok::<(), DataError>(())
            })
    })?;
    let t = std::time::Instant::now();
    let masks = sampler.sample(idx.len(), cfg.seed, step);
    Ok(Batch {
        step,
        epoch,
        itr,
        pixels,
        masks,
        mask_time: t.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::MaskMode;
    use crate::masks::MultiBlockConfig;

    fn setup(dir: &std::path::Path) -> (LoaderConfig, MultiBlockSampler) {
        let mut images = Vec::new();
        for i in 0..5u8 {
            let p = dir.join(format!("{i}.png"));
            image::RgbImage::from_fn(40, 30, |x, y| {
                image::Rgb([i * 40, x as u8 * 6, y as u8 * 8])
            })
            .save(&p)
            .expect("save");
            images.push(p);
        }
        let cfg = LoaderConfig {
            images,
            batch_size: 2,
            num_workers: 2,
            seed: 4,
            transform: TransformConfig {
                crop_size: 16,
                crop_scale: [0.3, 1.0],
                horizontal_flip: true,
                mean: super::super::IMAGENET_MEAN,
                std: super::super::IMAGENET_STD,
            },
        };
        let sampler = MultiBlockSampler::new(MultiBlockConfig {
            crop_size: 16,
            patch_size: 4,
            enc_mask_scale: [0.85, 1.0],
            pred_mask_scale: [0.3, 0.4],
            aspect_ratio: [0.75, 1.5],
            num_enc_masks: 1,
            num_pred_masks: 2,
            min_keep: 1,
            allow_overlap: false,
            mode: MaskMode::Fixed,
        })
        .expect("sampler");
        (cfg, sampler)
    }

    #[test]
    fn a_batch_depends_only_on_its_step() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (cfg, sampler) = setup(tmp.path());
        assert_eq!(iterations_per_epoch(cfg.images.len(), cfg.batch_size), 2);
        let from_start = Loader::start(cfg.clone(), sampler.clone(), 0).expect("loader");
        let batches: Vec<Batch> = (0..5)
            .map(|_| from_start.next_batch().expect("batch"))
            .collect();
        assert_eq!(
            batches.iter().map(|b| (b.epoch, b.itr)).collect::<Vec<_>>(),
            [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0)]
        );
        let resumed = Loader::start(cfg, sampler, 3).expect("loader");
        let b3 = resumed.next_batch().expect("batch");
        assert_eq!(b3.step, 3);
        assert_eq!(b3.pixels, batches[3].pixels);
        assert_eq!(b3.masks, batches[3].masks);
        assert_ne!(
            batches[0].pixels, batches[2].pixels,
            "epochs are reshuffled/re-cropped"
        );
        assert_eq!(b3.pixels.len(), 2 * 3 * 16 * 16);
    }
}
