//! `ijepa train --config FILE.yaml [--data DIR] [--out DIR]`: pretrain I-JEPA from scratch (or
//! `--resume` a checkpoint) on the CPU or, built with `--features cuda`, a GPU.

use std::path::PathBuf;
use std::time::Duration;

use ijepa_trainer::config::IjepaConfig;
use ijepa_trainer::train::{TrainDevice, TrainOptions, train};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Config in the official YAML layout (e.g. configs/tiny.yaml).
    #[arg(long)]
    config: PathBuf,
    /// Image folder or CLEVR_v1.0 root (overrides data.root_path/data.image_folder).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Output folder for the CSV log, checkpoints and plots (default: logging.folder).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Number of epochs (overrides optimization.epochs; the schedules follow it).
    #[arg(long)]
    epochs: Option<usize>,
    /// Stop after this many optimizer steps in total.
    #[arg(long)]
    steps: Option<u64>,
    /// Stop after this many seconds (a checkpoint is written).
    #[arg(long)]
    time_budget: Option<f64>,
    /// cpu, cuda or cuda:<index>.
    #[arg(long, default_value = "cpu")]
    device: TrainDevice,
    /// Continue from a checkpoint written by `ijepa train`.
    #[arg(long)]
    resume: Option<PathBuf>,
    /// Write a checkpoint every N steps (default: logging.checkpoint_every, epoch ends, the end).
    #[arg(long)]
    checkpoint_every: Option<u64>,
    /// Do not draw loss.png / collapse.png.
    #[arg(long)]
    no_plots: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    // A pipeline file (configs/demo.yaml) is a config plus a `pipeline:` section: train on its config.
    let config = if has_pipeline_section(&args.config) {
        ijepa::pipeline::PipelineConfig::from_yaml_file(&args.config)?.ijepa
    } else {
        IjepaConfig::from_yaml_file(&args.config)?
    };
    let bar = ProgressBar::new(0);
    bar.set_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} steps  loss {msg}  [{elapsed} < {eta}]",
    )?);
    let progress_bar = bar.clone();
    let opts = TrainOptions {
        output_dir: args.out,
        data_dir: args.data,
        epochs: args.epochs,
        max_steps: args.steps,
        time_budget: args.time_budget.map(Duration::from_secs_f64),
        device: args.device,
        resume: args.resume,
        checkpoint_every: args.checkpoint_every,
        no_plots: args.no_plots,
        progress: Some(Box::new(move |p| {
            progress_bar.set_length(p.total);
            progress_bar.set_position(p.step);
            progress_bar.set_message(format!("{:.4}", p.loss));
        })),
    };
    let summary = train(&config, &opts)?;
    bar.finish();
    println!(
        "trained {} steps (now at step {}, {:?}), {:.1} images/s; checkpoint {}; log {}",
        summary.steps_run,
        summary.final_step,
        summary.stop,
        summary.images_per_sec,
        summary.checkpoint.display(),
        summary.csv.display()
    );
    for plot in &summary.plots {
        println!("plot {}", plot.display());
    }
    Ok(())
}

/// Whether a YAML file has a top-level `pipeline:` key.
fn has_pipeline_section(path: &std::path::Path) -> bool {
    std::fs::read_to_string(path)
        .is_ok_and(|text| text.lines().any(|line| line.starts_with("pipeline:")))
}
