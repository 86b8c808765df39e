//! `ijepa bench --model FILE.onnx [--device D] [--batch 1,8,32] [--threads N]`: warm-up, then
//! median/p90 latency and images/s per batch size, printed as a table and written as JSON.

use std::path::PathBuf;

use ijepa_runtime::Embedder;
use ijepa_runtime::bench::{BenchConfig, bench};

use super::embed::DeviceArgs;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// An exported encoder (`ijepa export`).
    #[arg(long)]
    model: PathBuf,
    /// Batch sizes, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,8,32")]
    batch: Vec<usize>,
    /// Untimed runs per batch size.
    #[arg(long, default_value_t = 3)]
    warmup: usize,
    /// Timed runs per batch size.
    #[arg(long, default_value_t = 20)]
    iters: usize,
    /// Where to write the JSON report (default: `<model>.bench.json` next to the model).
    #[arg(long)]
    json: Option<PathBuf>,
    #[command(flatten)]
    device: DeviceArgs,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let embedder = Embedder::open_with(&args.model, &args.device.config())?;
    let config = BenchConfig {
        batches: args.batch,
        warmup: args.warmup,
        iters: args.iters,
    };
    let report = bench(&embedder, &config, args.device.threads)?;
    print!("{}", report.table());
    let json = args
        .json
        .unwrap_or_else(|| args.model.with_extension("bench.json"));
    report.write_json(&json)?;
    println!("wrote {}", json.display());
    Ok(())
}
