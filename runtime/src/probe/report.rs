//! The probe report: per-method accuracies and confusion matrices, class histograms, as a table,
//! a JSON file and a confusion-matrix PNG.

use std::path::{Path, PathBuf};

use crate::clevr::Task;
use crate::probe::error::{ProbeError, Result};

/// What produced a row of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MethodKind {
    /// The encoder under test.
    Model,
    /// An extra encoder given with `--baseline NAME=FILE.onnx` (e.g. random weights).
    BaselineModel,
    /// Always predict the most frequent training class.
    Majority,
    /// A probe on downsampled pixels.
    RawPixels,
}

/// One method's scores.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MethodResult {
    pub name: String,
    pub kind: MethodKind,
    pub model: Option<PathBuf>,
    pub model_sha256: Option<String>,
    pub feature_dim: usize,
    /// The chosen L2 strength (`None` for the majority baseline).
    pub lambda: Option<f64>,
    /// `(λ, held-out accuracy)` for each strength tried.
    pub holdout: Vec<(f64, f64)>,
    pub train_accuracy: f64,
    pub eval_accuracy: f64,
    /// Rows: true class, columns: predicted class (eval split).
    pub confusion: Vec<Vec<usize>>,
    pub seconds: f64,
}

/// Class histograms of the two splits (class 0 first).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Histograms {
    pub train: Vec<usize>,
    pub eval: Vec<usize>,
}

/// Scenes of each split left out because their label is undefined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub train: usize,
    pub eval: usize,
}

/// Everything `ijepa probe` measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProbeReport {
    pub task: Task,
    pub data: PathBuf,
    pub train_split: String,
    pub eval_split: String,
    pub train_limit: Option<usize>,
    pub features: String,
    pub classes: Vec<String>,
    pub train_images: usize,
    pub eval_images: usize,
    /// Scenes left out for undefined labels (with skipping on).
    pub skipped: Skipped,
    pub histograms: Histograms,
    /// The main model first, then extra models, then majority and raw pixels.
    pub results: Vec<MethodResult>,
    pub seconds: f64,
}

impl ProbeReport {
    /// A fixed-width table of the results.
    pub fn table(&self) -> String {
        let mut out = format!(
            "Clevr/{} probe: train {} ({} images), eval {} ({} images), features {}\n",
            capitalize(self.task.name()),
            self.train_split,
            self.train_images,
            self.eval_split,
            self.eval_images,
            self.features
        );
        out.push_str(&format!(
            "train histogram {:?}\neval histogram  {:?}\n",
            self.histograms.train, self.histograms.eval
        ));
        out.push_str(&format!(
            "{:<24} {:>6} {:>8} {:>9} {:>9} {:>9} {:>8}\n",
            "method", "dim", "lambda", "held-out", "train", "eval", "time"
        ));
        for r in &self.results {
            let lambda = r
                .lambda
                .map_or_else(|| "-".to_string(), |l| format!("{l:.0e}"));
            let held = r
                .lambda
                .and_then(|l| r.holdout.iter().find(|h| h.0 == l))
                .map(|h| h.1)
                .filter(|a| a.is_finite());
            let held = held.map_or_else(|| "-".to_string(), |a| format!("{:.1}%", 100.0 * a));
            out.push_str(&format!(
                "{:<24} {:>6} {:>8} {:>9} {:>8.1}% {:>8.1}% {:>7.1}s\n",
                r.name,
                r.feature_dim,
                lambda,
                held,
                100.0 * r.train_accuracy,
                100.0 * r.eval_accuracy,
                r.seconds
            ));
        }
        out
    }

    /// Writes the report as pretty JSON.
    pub fn write_json(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| ProbeError::InvalidArgument(format!("report JSON: {e}")))?;
        std::fs::write(path, text).map_err(|e| ProbeError::io("cannot write", path, e))
    }

    /// Draws the confusion matrix of result `index` (rows: true class) as a PNG.
    pub fn write_confusion_png(&self, index: usize, path: &Path) -> Result<()> {
        let r = self
            .results
            .get(index)
            .ok_or_else(|| ProbeError::InvalidArgument(format!("no result {index}")))?;
        let matrix: Vec<Vec<f64>> = r
            .confusion
            .iter()
            .map(|row| row.iter().map(|&v| v as f64).collect())
            .collect();
        let title = format!(
            "Clevr/{} {}: top-1 {:.1}% (rows: true, columns: predicted)",
            capitalize(self.task.name()),
            r.name,
            100.0 * r.eval_accuracy
        );
        ijepa_plots::heatmap(path, &title, &matrix, &self.classes, &self.classes)?;
        Ok(())
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
