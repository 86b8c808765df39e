//! `ijepa pipeline --config configs/demo.yaml`: render → pretrain → export → probe → report.

use std::path::PathBuf;

use ijepa::pipeline::{PipelineConfig, run_pipeline};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A config in the official layout plus a `pipeline:` section (see configs/demo.yaml).
    #[arg(long, default_value = "configs/demo.yaml")]
    config: PathBuf,
    /// Override `pipeline.out`.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Override `pipeline.train_seconds`.
    #[arg(long)]
    train_seconds: Option<u64>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mut config = PipelineConfig::from_yaml_file(&args.config)?;
    if let Some(out) = args.out {
        config.pipeline.out = out.display().to_string();
    }
    if let Some(seconds) = args.train_seconds {
        config.pipeline.train_seconds = seconds;
    }
    let report = run_pipeline(&config)?;
    println!("report: {}", report.out.join("report.md").display());
    for (index, task) in ["Clevr/Count", "Clevr/Dist"].iter().enumerate() {
        if let (Some(trained), Some(random)) = (
            report.accuracy(index, "I-JEPA (pretrained)"),
            report.accuracy(index, "random init"),
        ) {
            println!(
                "{task}: pretrained {trained:.1}% vs random init {random:.1}% ({:+.1} points)",
                trained - random
            );
        }
    }
    Ok(())
}
