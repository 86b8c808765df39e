//! `run_probe`: the whole evaluation — labels, features of every method, probes, report files.

use std::path::PathBuf;
use std::time::Instant;

use ndarray::Array2;

use crate::clevr::{ClevrSplit, LabeledSplit, Task, UndefinedLabel, histogram};
use crate::embedder::Embedder;
use crate::probe::error::{ProbeError, Result};
use crate::probe::features::{FeatureKind, cache_path, embed_images, file_sha256, raw_pixels};
use crate::probe::fit::{FitConfig, fit_probe};
use crate::probe::metrics::{accuracy, confusion_matrix, majority_class};
use crate::probe::report::{Histograms, MethodKind, MethodResult, ProbeReport, Skipped};
use crate::session::SessionConfig;

/// An extra encoder to probe beside the main one (`--baseline NAME=FILE.onnx`).
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineModel {
    pub name: String,
    pub path: PathBuf,
}

impl std::str::FromStr for BaselineModel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('=') {
            Some((name, path)) if !name.is_empty() && !path.is_empty() => Ok(Self {
                name: name.to_string(),
                path: PathBuf::from(path),
            }),
            _ => Err(format!(
                "baseline `{s}` must look like NAME=FILE.onnx, e.g. random-init=random.onnx"
            )),
        }
    }
}

/// What to probe and how.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    /// The encoder under test (ONNX, the exporter's contract).
    pub model: PathBuf,
    /// Its name in the report.
    pub model_name: String,
    /// A CLEVR v1.0-layout folder.
    pub data: PathBuf,
    pub task: Task,
    pub train_split: String,
    pub eval_split: String,
    /// Use only the first N labelled train scenes (800: the VTAB-1k setting).
    pub train_limit: Option<usize>,
    pub eval_limit: Option<usize>,
    pub features: FeatureKind,
    pub baselines: Vec<BaselineModel>,
    pub session: SessionConfig,
    pub batch_size: usize,
    /// Where cached features go (`None`: no cache).
    pub cache_dir: Option<PathBuf>,
    pub undefined: UndefinedLabel,
    pub fit: FitConfig,
    /// Write the report JSON here.
    pub json: Option<PathBuf>,
    /// Write the main model's confusion matrix PNG here.
    pub confusion_png: Option<PathBuf>,
}

impl ProbeConfig {
    /// Defaults for a model and a data folder: train→val, mean features, CPU, cache in `DATA/.probe-cache`.
    pub fn new(model: PathBuf, data: PathBuf, task: Task) -> Self {
        Self {
            model_name: "model".into(),
            cache_dir: Some(data.join(".probe-cache")),
            model,
            data,
            task,
            train_split: "train".into(),
            eval_split: "val".into(),
            train_limit: None,
            eval_limit: None,
            features: FeatureKind::Mean,
            baselines: Vec::new(),
            session: SessionConfig::new(crate::Device::Cpu),
            batch_size: crate::embedder::DEFAULT_BATCH,
            undefined: UndefinedLabel::Error,
            fit: FitConfig::default(),
            json: None,
            confusion_png: None,
        }
    }
}

/// Progress of [`run_probe`]: a stage starts with `total` images, then images finish.
#[derive(Debug, Clone, Copy)]
pub enum ProbeProgress<'a> {
    Stage { name: &'a str, total: usize },
    Images(usize),
}

/// Runs the probe of `config` and every baseline; writes the JSON and PNG when asked.
pub fn run_probe(
    config: &ProbeConfig,
    progress: &(dyn Fn(ProbeProgress<'_>) + Sync),
) -> Result<ProbeReport> {
    let start = Instant::now();
    let classes = config.task.num_classes();
    let train = ClevrSplit::open(&config.data, &config.train_split)?.labeled(
        config.task,
        config.undefined,
        config.train_limit,
    )?;
    let eval = ClevrSplit::open(&config.data, &config.eval_split)?.labeled(
        config.task,
        config.undefined,
        config.eval_limit,
    )?;
    if train.labels.is_empty() || eval.labels.is_empty() {
        return Err(ProbeError::Features(format!(
            "{} train and {} eval images have labels: nothing to probe",
            train.labels.len(),
            eval.labels.len()
        )));
    }
    let images = |n: usize| move |done: usize| progress(ProbeProgress::Images(done.min(n)));
    let mut results = Vec::new();
    let encoders = std::iter::once((
        config.model_name.clone(),
        config.model.clone(),
        MethodKind::Model,
    ))
    .chain(
        config
            .baselines
            .iter()
            .map(|b| (b.name.clone(), b.path.clone(), MethodKind::BaselineModel)),
    );
    for (name, path, kind) in encoders {
        let t0 = Instant::now();
        let sha = file_sha256(&path)?;
        let embedder =
            Embedder::open_with(&path, &config.session)?.with_batch_size(config.batch_size)?;
        let embed = |split: &str, labeled: &LabeledSplit| -> Result<Array2<f32>> {
            progress(ProbeProgress::Stage {
                name: &format!("{name}: embed {split}"),
                total: labeled.images.len(),
            });
            let cache = config
                .cache_dir
                .as_ref()
                .map(|d| cache_path(d, &sha, split, config.features, &labeled.images));
            embed_images(
                &embedder,
                &labeled.images,
                config.features,
                cache.as_deref(),
                &images(labeled.images.len()),
            )
        };
        let train_x = embed(&config.train_split, &train)?;
        let eval_x = embed(&config.eval_split, &eval)?;
        let mut result = probe(
            &name,
            kind,
            &train_x,
            &train,
            &eval_x,
            &eval,
            classes,
            &config.fit,
        )?;
        result.model = Some(path);
        result.model_sha256 = Some(sha);
        result.seconds = t0.elapsed().as_secs_f64();
        results.push(result);
    }
    results.push(majority(&train, &eval, classes));
    let t0 = Instant::now();
    progress(ProbeProgress::Stage {
        name: "raw pixels",
        total: train.images.len() + eval.images.len(),
    });
    let raw_train = raw_pixels(&train.images, &images(train.images.len()))?;
    let raw_eval = raw_pixels(&eval.images, &images(eval.images.len()))?;
    let mut raw = probe(
        "raw pixels 16x16",
        MethodKind::RawPixels,
        &raw_train,
        &train,
        &raw_eval,
        &eval,
        classes,
        &config.fit,
    )?;
    raw.seconds = t0.elapsed().as_secs_f64();
    results.push(raw);

    let report = ProbeReport {
        task: config.task,
        data: config.data.clone(),
        train_split: config.train_split.clone(),
        eval_split: config.eval_split.clone(),
        train_limit: config.train_limit,
        features: config.features.name().to_string(),
        classes: config.task.class_names(),
        train_images: train.labels.len(),
        eval_images: eval.labels.len(),
        skipped: Skipped {
            train: train.skipped,
            eval: eval.skipped,
        },
        histograms: Histograms {
            train: histogram(&train.labels, classes),
            eval: histogram(&eval.labels, classes),
        },
        results,
        seconds: start.elapsed().as_secs_f64(),
    };
    if let Some(path) = &config.json {
        report.write_json(path)?;
    }
    if let Some(path) = &config.confusion_png {
        report.write_confusion_png(0, path)?;
    }
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
fn probe(
    name: &str,
    kind: MethodKind,
    train_x: &Array2<f32>,
    train: &LabeledSplit,
    eval_x: &Array2<f32>,
    eval: &LabeledSplit,
    classes: usize,
    fit: &FitConfig,
) -> Result<MethodResult> {
    let fitted = fit_probe(
        train_x.view(),
        &train.labels,
        eval_x.view(),
        &eval.labels,
        classes,
        fit,
    )?;
    tracing::info!(
        method = name,
        lambda = fitted.lambda,
        eval = fitted.eval_accuracy,
        converged = fitted.converged,
        "probe"
    );
    Ok(MethodResult {
        name: name.to_string(),
        kind,
        model: None,
        model_sha256: None,
        feature_dim: train_x.ncols(),
        lambda: Some(fitted.lambda),
        holdout: fitted.holdout,
        train_accuracy: fitted.train_accuracy,
        eval_accuracy: fitted.eval_accuracy,
        confusion: fitted.confusion,
        seconds: 0.0,
    })
}

/// The majority-class baseline: the most frequent train class, always.
pub fn majority(train: &LabeledSplit, eval: &LabeledSplit, classes: usize) -> MethodResult {
    let class = majority_class(&train.labels, classes);
    let predict = |n: usize| vec![class; n];
    MethodResult {
        name: format!("majority (class {class})"),
        kind: MethodKind::Majority,
        model: None,
        model_sha256: None,
        feature_dim: 0,
        lambda: None,
        holdout: Vec::new(),
        train_accuracy: accuracy(&predict(train.labels.len()), &train.labels),
        eval_accuracy: accuracy(&predict(eval.labels.len()), &eval.labels),
        confusion: confusion_matrix(&predict(eval.labels.len()), &eval.labels, classes),
        seconds: 0.0,
    }
}
