//! The training log: a CSV with the official columns (`epoch,itr,loss,mask-A,mask-B,time (ms)`)
//! followed by `lr,wd,momentum,target_std,pooled_erank`, and the loss/collapse plots.

use super::TrainError;
use super::collapse::CollapseStats;
use ijepa_plots::{Series, line_chart};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The header line.
pub const CSV_HEADER: &str =
    "epoch,itr,loss,mask-A,mask-B,time (ms),lr,wd,momentum,target_std,pooled_erank";

/// One logged iteration.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRow {
    /// 1-based epoch (as the official log) and 0-based iteration within it.
    pub epoch: u64,
    pub itr: u64,
    /// Global 0-based iteration.
    pub step: u64,
    pub loss: f64,
    pub mask_a: usize,
    pub mask_b: usize,
    pub time_ms: f64,
    pub lr: f64,
    pub wd: f64,
    pub momentum: f64,
    pub collapse: Option<CollapseStats>,
}

impl LogRow {
    fn csv(&self) -> String {
        let (std, erank) = match self.collapse {
            Some(c) => (
                format!("{:.5}", c.target_std),
                format!("{:.5}", c.pooled_erank),
            ),
            None => (String::new(), String::new()),
        };
        format!(
            "{},{},{:.5},{:.5},{:.5},{},{:.6e},{:.6e},{:.6},{std},{erank}",
            self.epoch,
            self.itr,
            self.loss,
            self.mask_a as f64,
            self.mask_b as f64,
            self.time_ms.round() as u64,
            self.lr,
            self.wd,
            self.momentum
        )
    }
}

/// Appends rows to the CSV, flushing each one.
pub struct CsvLog {
    path: PathBuf,
    file: std::fs::File,
}

impl CsvLog {
    /// Opens `path`: a fresh file with a header, or (when `append`) the existing file.
    pub fn open(path: &Path, append: bool) -> Result<Self, TrainError> {
        let io = |source| TrainError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let exists = path.exists();
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(path)
            .map_err(io)?;
        if !append || !exists {
            writeln!(file, "{CSV_HEADER}").map_err(io)?;
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
        })
    }

    pub fn write(&mut self, row: &LogRow) -> Result<(), TrainError> {
        writeln!(self.file, "{}", row.csv())
            .and_then(|_| self.file.flush())
            .map_err(|source| TrainError::Io {
                path: self.path.clone(),
                source,
            })
    }
}

/// Writes `loss.png` (loss per iteration) and `collapse.png` (target std and pooled effective
/// rank) into `dir`; returns their paths.
pub fn write_plots(dir: &Path, rows: &[LogRow]) -> Result<Vec<PathBuf>, TrainError> {
    let plot_err = |e: ijepa_plots::PlotError| TrainError::Plot(e.to_string());
    let loss = dir.join("loss.png");
    line_chart(
        &loss,
        "I-JEPA training loss",
        "iteration",
        "loss",
        &[Series {
            name: "loss".into(),
            points: rows.iter().map(|r| (r.step as f64, r.loss)).collect(),
        }],
    )
    .map_err(plot_err)?;
    let mut out = vec![loss];
    let with: Vec<_> = rows
        .iter()
        .filter_map(|r| r.collapse.map(|c| (r.step as f64, c)))
        .collect();
    if !with.is_empty() {
        let collapse = dir.join("collapse.png");
        line_chart(
            &collapse,
            "Collapse signals of the target features",
            "iteration",
            "value",
            &[
                Series {
                    name: "per-dim std of target tokens".into(),
                    points: with.iter().map(|(x, c)| (*x, c.target_std)).collect(),
                },
                Series {
                    name: "effective rank of pooled features".into(),
                    points: with.iter().map(|(x, c)| (*x, c.pooled_erank)).collect(),
                },
            ],
        )
        .map_err(plot_err)?;
        out.push(collapse);
    }
    Ok(out)
}
