//! `ijepa bench`: latency and throughput of an encoder per batch size, as a table and as JSON.
//!
//! Each batch size gets `warmup` untimed runs, then `iters` timed runs of the model alone (random
//! normalized pixels prepared once; no image decoding), the same protocol as
//! `scripts/bench_python_ort.py`, so images/s of the two can be divided.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use ndarray::Array4;
use rand::{Rng, SeedableRng};

use crate::embedder::Embedder;
use crate::error::{Result, RuntimeError};

/// Seed of the random input pixels.
const PIXEL_SEED: u64 = 0;

/// What to measure.
#[derive(Clone, Debug)]
pub struct BenchConfig {
    pub batches: Vec<usize>,
    pub warmup: usize,
    pub iters: usize,
}

impl Default for BenchConfig {
    fn default() -> Self {
        Self {
            batches: vec![1, 8, 32],
            warmup: 3,
            iters: 20,
        }
    }
}

/// One batch size's measurements.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BenchRow {
    pub batch: usize,
    pub iters: usize,
    pub median_ms: f64,
    pub p90_ms: f64,
    pub mean_ms: f64,
    /// `batch / median latency`.
    pub images_per_s: f64,
}

/// A whole benchmark run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BenchReport {
    pub runtime: String,
    pub model: String,
    pub device: String,
    /// Intra-op threads (`null`: ONNX Runtime's default).
    pub threads: Option<usize>,
    pub library: String,
    pub crop_size: usize,
    pub warmup: usize,
    pub rows: Vec<BenchRow>,
}

/// Runs the benchmark on an opened embedder (`threads` is only recorded).
pub fn bench(
    embedder: &Embedder,
    config: &BenchConfig,
    threads: Option<usize>,
) -> Result<BenchReport> {
    if config.batches.is_empty() || config.batches.contains(&0) || config.iters == 0 {
        return Err(RuntimeError::InvalidArgument(
            "bench needs batch sizes >= 1 and at least one iteration".into(),
        ));
    }
    let info = embedder.info();
    if let Some(fixed) = info.fixed_batch
        && let Some(other) = config.batches.iter().find(|&&b| b != fixed)
    {
        return Err(RuntimeError::InvalidArgument(format!(
            "{} has a fixed batch of {fixed}; cannot bench batch {other} (use --batch {fixed})",
            info.path.display()
        )));
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(PIXEL_SEED);
    let side = info.crop_size;
    let mut rows = Vec::new();
    for &batch in &config.batches {
        let pixels =
            Array4::from_shape_simple_fn((batch, 3, side, side), || rng.random_range(-2.0f32..2.0));
        for _ in 0..config.warmup {
            embedder.embed_pixels(pixels.view())?;
        }
        let mut times_ms = Vec::with_capacity(config.iters);
        for _ in 0..config.iters {
            let start = Instant::now();
            embedder.embed_pixels(pixels.view())?;
            times_ms.push(start.elapsed().as_secs_f64() * 1e3);
        }
        let row = summarize(batch, &mut times_ms);
        tracing::info!(
            batch,
            median_ms = row.median_ms,
            images_per_s = row.images_per_s,
            "bench"
        );
        rows.push(row);
    }
    Ok(BenchReport {
        runtime: "ijepa-rs (ort)".into(),
        model: info.path.display().to_string(),
        device: embedder.device().to_string(),
        threads,
        library: embedder.library().display().to_string(),
        crop_size: side,
        warmup: config.warmup,
        rows,
    })
}

/// Median, p90 (nearest rank) and mean of one batch size's latencies.
pub fn summarize(batch: usize, times_ms: &mut [f64]) -> BenchRow {
    times_ms.sort_by(f64::total_cmp);
    let n = times_ms.len();
    let median_ms = if n % 2 == 1 {
        times_ms[n / 2]
    } else {
        (times_ms[n / 2 - 1] + times_ms[n / 2]) / 2.0
    };
    let p90_ms = times_ms[((0.9 * n as f64).ceil() as usize).clamp(1, n) - 1];
    let mean_ms = times_ms.iter().sum::<f64>() / n as f64;
    BenchRow {
        batch,
        iters: n,
        median_ms,
        p90_ms,
        mean_ms,
        images_per_s: batch as f64 / (median_ms / 1e3),
    }
}

impl BenchReport {
    /// A plain-text table, one row per batch size.
    pub fn table(&self) -> String {
        let threads = self
            .threads
            .map_or("default".to_string(), |t| t.to_string());
        let mut out = format!("{} on {} (threads: {threads})\n", self.model, self.device);
        let _ = writeln!(
            out,
            "{:>6} {:>12} {:>12} {:>12}",
            "batch", "median ms", "p90 ms", "images/s"
        );
        for row in &self.rows {
            let _ = writeln!(
                out,
                "{:>6} {:>12.3} {:>12.3} {:>12.1}",
                row.batch, row.median_ms, row.p90_ms, row.images_per_s
            );
        }
        out
    }

    /// Writes the report as pretty JSON.
    pub fn write_json(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(|e| {
            RuntimeError::InvalidArgument(format!("cannot serialize the bench report: {e}"))
        })?;
        std::fs::write(path, text + "\n").map_err(|e| RuntimeError::io("cannot write", path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_statistics() {
        let mut times: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let row = summarize(4, &mut times);
        assert_eq!(row.median_ms, 5.5);
        assert_eq!(row.p90_ms, 9.0);
        assert_eq!(row.mean_ms, 5.5);
        assert!((row.images_per_s - 4.0 / 0.0055).abs() < 1e-9);
        let one = summarize(1, &mut [2.0]);
        assert_eq!((one.median_ms, one.p90_ms), (2.0, 2.0));
    }
}
