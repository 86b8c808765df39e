//! `ijepa embed --model FILE.onnx --images DIR|FILES... --out FILE.npy`: images to a `.npy` of
//! embeddings (`[n, dim]` with `--pool mean`, `[n, tokens, dim]` with `--pool none`) plus
//! `FILE.npy.txt` listing the images in row order (sorted paths).

use std::path::PathBuf;

use ijepa_runtime::embed_files::{EmbedFilesOptions, Pool, embed_files};
use ijepa_runtime::{BatchProfile, Device, Embedder, SessionConfig, TensorRtOptions};
use indicatif::{ProgressBar, ProgressStyle};

/// Device, threads and TensorRT options shared by `embed` and `bench`.
#[derive(clap::Args, Debug, Clone)]
pub struct DeviceArgs {
    /// cpu, cuda, tensorrt or auto (TensorRT, else CUDA, else CPU). An explicit GPU device that
    /// cannot be used is an error.
    #[arg(long, default_value = "cpu")]
    pub device: Device,
    /// Intra-op threads (default: ONNX Runtime's choice, one per physical core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// TensorRT: build fp16 engines.
    #[arg(long)]
    pub trt_fp16: bool,
    /// TensorRT: cache built engines in this directory.
    #[arg(long, value_name = "DIR")]
    pub trt_engine_cache: Option<PathBuf>,
    /// TensorRT: keep the timing cache in this directory.
    #[arg(long, value_name = "DIR")]
    pub trt_timing_cache: Option<PathBuf>,
    /// TensorRT: min,opt,max batch of the optimization profile, e.g. 1,8,32.
    #[arg(long, value_name = "MIN,OPT,MAX")]
    pub trt_profile: Option<BatchProfile>,
}

impl DeviceArgs {
    pub fn config(&self) -> SessionConfig {
        SessionConfig {
            device: self.device,
            threads: self.threads,
            tensorrt: TensorRtOptions {
                fp16: self.trt_fp16,
                engine_cache_dir: self.trt_engine_cache.clone(),
                timing_cache_dir: self.trt_timing_cache.clone(),
                batch_profile: self.trt_profile,
            },
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// An exported encoder (`ijepa export`).
    #[arg(long)]
    model: PathBuf,
    /// Image folders (searched recursively for PNG/JPEG) and/or image files.
    #[arg(long, num_args = 1.., required = true)]
    images: Vec<PathBuf>,
    /// Output `.npy` (float32); the image list goes to `<out>.txt`.
    #[arg(long)]
    out: PathBuf,
    /// `mean`: one vector per image; `none`: all tokens.
    #[arg(long, default_value = "mean")]
    pool: Pool,
    /// Images per model call.
    #[arg(long, default_value_t = ijepa_runtime::embedder::DEFAULT_BATCH)]
    batch: usize,
    /// Skip images that cannot be decoded (and list them) instead of failing.
    #[arg(long)]
    skip_bad: bool,
    #[command(flatten)]
    device: DeviceArgs,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let paths = ijepa_runtime::images::list_images(&args.images)?;
    let embedder =
        Embedder::open_with(&args.model, &args.device.config())?.with_batch_size(args.batch)?;
    tracing::info!(images = paths.len(), device = %embedder.device(), crop = embedder.info().crop_size, "embedding");
    let bar = ProgressBar::new(paths.len() as u64);
    bar.set_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} images {elapsed} (eta {eta})",
    )?);
    let options = EmbedFilesOptions {
        pool: args.pool,
        skip_bad: args.skip_bad,
    };
    let report = embed_files(&embedder, &paths, &args.out, options, &mut |n| {
        bar.inc(n as u64)
    })?;
    bar.finish_and_clear();
    for (path, reason) in &report.skipped {
        eprintln!("skipped {}: {reason}", path.display());
    }
    println!(
        "wrote {} {:?} (float32) and {} ({} images{})",
        report.npy.display(),
        report.shape,
        report.list.display(),
        report.embedded.len(),
        if report.skipped.is_empty() {
            String::new()
        } else {
            format!(", {} skipped", report.skipped.len())
        }
    );
    Ok(())
}
