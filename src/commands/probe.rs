//! `ijepa probe --model FILE.onnx --data DIR --task {count,dist}`: linear-probe evaluation on a
//! CLEVR v1.0-layout folder (real CLEVR or `ijepa data clevr`), with majority-class, raw-pixel and
//! extra-encoder baselines (`--baseline random-init=random.onnx`) in the same report.

use std::path::PathBuf;

use ijepa_runtime::clevr::{Task, UndefinedLabel};
use ijepa_runtime::probe::{BaselineModel, FeatureKind, ProbeConfig, ProbeProgress, run_probe};
use indicatif::{ProgressBar, ProgressStyle};

use super::embed::DeviceArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The encoder to evaluate (`ijepa export`).
    #[arg(long)]
    model: PathBuf,
    /// A CLEVR v1.0-layout folder (`images/<split>/`, `scenes/CLEVR_<split>_scenes.json`).
    #[arg(long)]
    data: PathBuf,
    /// count (objects − 3) or dist (VTAB closest-object depth bins).
    #[arg(long)]
    task: Task,
    #[arg(long, default_value = "train")]
    train_split: String,
    #[arg(long, default_value = "val")]
    eval_split: String,
    /// Use only the first N train scenes (800 = the VTAB-1k setting).
    #[arg(long)]
    train_limit: Option<usize>,
    /// Use only the first N eval scenes.
    #[arg(long)]
    eval_limit: Option<usize>,
    /// mean (the pooled embedding) or mean-max (mean and max over tokens).
    #[arg(long, default_value = "mean")]
    features: FeatureKind,
    /// An extra encoder to report beside the model, NAME=FILE.onnx (repeatable).
    #[arg(long = "baseline", value_name = "NAME=FILE.onnx")]
    baselines: Vec<BaselineModel>,
    /// Write the report as JSON here (also writes `<stem>_confusion.png` unless --confusion is given).
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the model's confusion matrix PNG here.
    #[arg(long)]
    confusion: Option<PathBuf>,
    /// Feature cache folder (default: DATA/.probe-cache).
    #[arg(long)]
    cache: Option<PathBuf>,
    /// Do not read or write cached features.
    #[arg(long)]
    no_cache: bool,
    /// Skip scenes without a label (counted) instead of failing.
    #[arg(long)]
    skip_undefined: bool,
    /// Images per model call.
    #[arg(long, default_value_t = ijepa_runtime::embedder::DEFAULT_BATCH)]
    batch: usize,
    /// Seeds the held-out split used to choose the L2 strength.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[command(flatten)]
    device: DeviceArgs,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mut config = ProbeConfig::new(args.model, args.data, args.task);
    config.train_split = args.train_split;
    config.eval_split = args.eval_split;
    config.train_limit = args.train_limit;
    config.eval_limit = args.eval_limit;
    config.features = args.features;
    config.baselines = args.baselines;
    config.session = args.device.config();
    config.batch_size = args.batch;
    config.fit.seed = args.seed;
    config.undefined = if args.skip_undefined {
        UndefinedLabel::Skip
    } else {
        UndefinedLabel::Error
    };
    if args.no_cache {
        config.cache_dir = None;
    } else if let Some(cache) = args.cache {
        config.cache_dir = Some(cache);
    }
    config.confusion_png = args.confusion.or_else(|| {
        let json = args.json.as_ref()?;
        let stem = json.file_stem()?.to_string_lossy();
        Some(json.with_file_name(format!("{stem}_confusion.png")))
    });
    config.json = args.json;

    let bar = ProgressBar::new(0);
    bar.set_style(ProgressStyle::with_template(
        "{msg:<28} {bar:40} {pos}/{len} images {elapsed}",
    )?);
    let report = run_probe(&config, &|event| match event {
        ProbeProgress::Stage { name, total } => {
            bar.set_message(name.to_string());
            bar.set_length(total as u64);
            bar.set_position(0);
        }
        ProbeProgress::Images(n) => bar.inc(n as u64),
    })?;
    bar.finish_and_clear();
    print!("{}", report.table());
    println!("total {:.1} s", report.seconds);
    if let Some(json) = &config.json {
        println!("report: {}", json.display());
    }
    if let Some(png) = &config.confusion_png {
        println!("confusion matrix: {}", png.display());
    }
    Ok(())
}
