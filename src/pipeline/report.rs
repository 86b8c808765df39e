//! The pipeline's Markdown report (next to its PNGs).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ijepa_runtime::probe::ProbeReport;
use ijepa_trainer::train::TrainSummary;

use super::PipelineError;
use super::stages::RenderSummary;

/// How long one stage took.
#[derive(Debug, Clone)]
pub struct StageTime {
    pub name: &'static str,
    pub seconds: f64,
}

impl StageTime {
    pub fn new(name: &'static str, start: Instant) -> Self {
        let seconds = start.elapsed().as_secs_f64();
        tracing::info!(stage = name, seconds, "stage done");
        Self { name, seconds }
    }
}

/// Everything the pipeline produced.
#[derive(Debug)]
pub struct PipelineReport {
    pub config: PathBuf,
    pub out: PathBuf,
    pub render: RenderSummary,
    pub train: TrainSummary,
    pub model_onnx: PathBuf,
    pub random_onnx: PathBuf,
    pub probes: Vec<ProbeReport>,
    pub masks_png: PathBuf,
    pub probe_png: PathBuf,
    pub times: Vec<StageTime>,
}

/// A path relative to the report's folder, for Markdown links.
fn rel(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

impl PipelineReport {
    /// Top-1 (%) of a method on probe `index`.
    pub fn accuracy(&self, index: usize, method: &str) -> Option<f64> {
        let probe = self.probes.get(index)?;
        probe
            .results
            .iter()
            .find(|r| r.name == method)
            .map(|r| 100.0 * r.eval_accuracy)
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        let base = &self.out;
        let mut md = String::new();
        let _ = writeln!(md, "# I-JEPA pipeline report\n");
        let _ = writeln!(
            md,
            "Config: `{}`. Total time: {:.0} s.\n",
            self.config.display(),
            self.times.iter().map(|t| t.seconds).sum::<f64>()
        );
        let _ = writeln!(md, "| stage | seconds |\n| --- | ---: |");
        for t in &self.times {
            let _ = writeln!(md, "| {} | {:.1} |", t.name, t.seconds);
        }
        let _ = writeln!(
            md,
            "\n## Data: synthetic CLEVR (CLEVR v1.0 layout)\n\n```\n{}```\n",
            self.render.table
        );
        let _ = writeln!(
            md,
            "![contact sheet]({})\n",
            rel(&self.render.contact_sheet, base)
        );
        let t = &self.train;
        let _ = writeln!(
            md,
            "## Pretraining\n\n{} optimizer steps ({:?}), {:.1} images/s, mask sampling {:.2}% of a step. \
             Checkpoint `{}`, log `{}`.\n",
            t.steps_run,
            t.stop,
            t.images_per_sec,
            100.0 * t.mask_time_fraction,
            rel(&t.checkpoint, base),
            rel(&t.csv, base)
        );
        if let (Some(first), Some(last)) = (t.losses.first(), t.losses.last()) {
            let _ = writeln!(
                md,
                "Loss: {:.4} at step {} → {:.4} at step {}.\n",
                first.1, first.0, last.1, last.0
            );
        }
        for plot in &t.plots {
            let _ = writeln!(md, "![training plot]({})\n", rel(plot, base));
        }
        let _ = writeln!(
            md,
            "Multi-block masks drawn by the training sampler (dimmed: outside the context block; coloured: the target blocks):\n"
        );
        let _ = writeln!(md, "![masks]({})\n", rel(&self.masks_png, base));
        let _ = writeln!(md, "## Linear probes (frozen features, mean-pooled)\n");
        let _ = writeln!(
            md,
            "Encoder `{}`; random-init twin `{}`.\n",
            rel(&self.model_onnx, base),
            rel(&self.random_onnx, base)
        );
        let _ = writeln!(md, "![probe accuracy]({})\n", rel(&self.probe_png, base));
        for probe in &self.probes {
            let _ = writeln!(
                md,
                "### Clevr/{:?}\n\n```\n{}```\n",
                probe.task,
                probe.table()
            );
        }
        md
    }

    /// Writes the Markdown report.
    pub fn write_markdown(&self, path: &Path) -> Result<(), PipelineError> {
        std::fs::write(path, self.markdown()).map_err(|source| PipelineError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}
