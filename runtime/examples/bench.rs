//! `ijepa bench` without the rest of the CLI (no Burn to compile): latency and images/s per batch.
//!
//! `cargo run --release -p ijepa-runtime --example bench -- MODEL.onnx [BATCHES=1,8,32] [THREADS] [JSON] [ITERS=20]`

use ijepa_runtime::bench::{BenchConfig, bench};
use ijepa_runtime::{Embedder, SessionConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let model = args
        .first()
        .ok_or("usage: bench MODEL.onnx [BATCHES] [THREADS] [JSON]")?;
    let batches = args
        .get(1)
        .map_or("1,8,32", String::as_str)
        .split(',')
        .map(str::parse)
        .collect::<Result<Vec<usize>, _>>()?;
    let threads = args.get(2).map(|t| t.parse::<usize>()).transpose()?;
    let config = SessionConfig {
        threads,
        ..SessionConfig::default()
    };
    let embedder = Embedder::open_with(model, &config)?;
    let iters = args
        .get(4)
        .map_or(Ok(BenchConfig::default().iters), |i| i.parse::<usize>())?;
    let report = bench(
        &embedder,
        &BenchConfig {
            batches,
            iters,
            ..BenchConfig::default()
        },
        threads,
    )?;
    print!("{}", report.table());
    if let Some(json) = args.get(3) {
        report.write_json(std::path::Path::new(json))?;
    }
    Ok(())
}
