//! The pipeline's stages, in order; each logs what it did and how long it took.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use burn::prelude::Device;
use ijepa_exporter::export::source_tag;
use ijepa_exporter::from_module::spec_from_config;
use ijepa_exporter::{EncoderKind, EncoderWeights, ExportOptions, Provenance, write_encoder};
use ijepa_runtime::clevr::Task;
use ijepa_runtime::clevr::render::{RenderConfig, render_dataset};
use ijepa_runtime::probe::{BaselineModel, ProbeConfig, ProbeProgress, ProbeReport, run_probe};
use ijepa_trainer::model::VisionTransformer;
use ijepa_trainer::train::{TrainOptions, TrainSummary, load_trainer_checkpoint, train};
use indicatif::{ProgressBar, ProgressStyle};

use super::figures::{accuracy_table, masks_figure};
use super::report::{PipelineReport, StageTime};
use super::{PipelineConfig, PipelineError};

fn step_error(step: &'static str) -> impl Fn(String) -> PipelineError {
    move |message| PipelineError::Step { step, message }
}

fn bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    let style =
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} ({elapsed}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style.progress_chars("=> "));
    bar.set_message(what.to_string());
    bar
}

/// Runs every stage and writes `<out>/report.md`.
pub fn run_pipeline(config: &PipelineConfig) -> Result<PipelineReport, PipelineError> {
    let p = &config.pipeline;
    let out = PathBuf::from(&p.out);
    std::fs::create_dir_all(&out).map_err(|source| PipelineError::Io {
        path: out.clone(),
        source,
    })?;
    let mut times = Vec::new();
    let data = out.join("clevr");

    let start = Instant::now();
    let render = render_data(config, &data)?;
    times.push(StageTime::new("render synthetic CLEVR", start));

    let start = Instant::now();
    let summary = pretrain(config, &data, &out.join("run"))?;
    times.push(StageTime::new("pretrain", start));

    let start = Instant::now();
    let (model, random) = export_encoders(config, &summary.checkpoint, &out)?;
    times.push(StageTime::new("export ONNX", start));

    let start = Instant::now();
    let probes = [Task::Count, Task::Dist]
        .into_iter()
        .map(|task| probe(config, task, &model, &random, &data, &out))
        .collect::<Result<Vec<_>, _>>()?;
    times.push(StageTime::new("linear probes", start));

    let first_images: Vec<PathBuf> = (0..8)
        .map(|i| {
            data.join("images/train")
                .join(ijepa_runtime::clevr::image_file_name("train", i))
        })
        .filter(|p| p.exists())
        .collect();
    let masks_png = out.join("masks.png");
    masks_figure(
        &first_images,
        &config.ijepa,
        config.ijepa.meta.seed,
        &masks_png,
    )?;
    let (methods, accuracy) = accuracy_rows(&probes);
    let probe_png = out.join("probe-accuracy.png");
    accuracy_table(
        &probe_png,
        &methods,
        &["Clevr/Count".into(), "Clevr/Dist".into()],
        &accuracy,
    )?;

    let report = PipelineReport {
        config: config.path.clone(),
        out: out.clone(),
        render,
        train: summary,
        model_onnx: model,
        random_onnx: random,
        probes,
        masks_png,
        probe_png,
        times,
    };
    report.write_markdown(&out.join("report.md"))?;
    Ok(report)
}

/// Renders train/val unless the same data set is already there (same counts, size and seed).
fn render_data(config: &PipelineConfig, data: &Path) -> Result<RenderSummary, PipelineError> {
    let p = &config.pipeline;
    let stamp = format!(
        "train {} val {} size {}x{} seed {}",
        p.train_images, p.val_images, p.image_size[0], p.image_size[1], p.data_seed
    );
    let stamp_file = data.join("rendered-with.txt");
    if std::fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp) {
        tracing::info!(data = %data.display(), "synthetic CLEVR already rendered, reusing it");
        return Ok(RenderSummary {
            table: format!("(reused) {stamp}\n"),
            contact_sheet: data.join("contact_sheet.png"),
        });
    }
    let render = RenderConfig {
        out: data.to_path_buf(),
        splits: vec![
            ("train".into(), p.train_images),
            ("val".into(), p.val_images),
        ],
        seed: p.data_seed,
        width: p.image_size[0],
        height: p.image_size[1],
    };
    let progress = bar((p.train_images + p.val_images) as u64, "render");
    let report = render_dataset(&render, &|| progress.inc(1))
        .map_err(|e| step_error("render")(e.to_string()))?;
    progress.finish_and_clear();
    print!("{}", report.table());
    std::fs::write(&stamp_file, &stamp).map_err(|source| PipelineError::Io {
        path: stamp_file,
        source,
    })?;
    Ok(RenderSummary {
        table: report.table(),
        contact_sheet: report.contact_sheet,
    })
}

/// What the report says about the data.
#[derive(Debug, Clone)]
pub struct RenderSummary {
    pub table: String,
    pub contact_sheet: PathBuf,
}

fn pretrain(
    config: &PipelineConfig,
    data: &Path,
    run: &Path,
) -> Result<TrainSummary, PipelineError> {
    let p = &config.pipeline;
    let progress = bar(0, "pretrain");
    let reporter = progress.clone();
    let options = TrainOptions {
        output_dir: Some(run.to_path_buf()),
        data_dir: Some(data.join("images/train")),
        max_steps: p.max_steps,
        time_budget: Some(Duration::from_secs(p.train_seconds)),
        progress: Some(Box::new(move |step| {
            reporter.set_length(step.total);
            reporter.set_position(step.step);
            reporter.set_message(format!("loss {:.4}", step.loss));
        })),
        ..TrainOptions::default()
    };
    let summary =
        train(&config.ijepa, &options).map_err(|e| step_error("pretrain")(e.to_string()))?;
    progress.finish_and_clear();
    tracing::info!(
        steps = summary.steps_run,
        images_per_sec = summary.images_per_sec,
        "pretraining done"
    );
    Ok(summary)
}

fn write_onnx(
    model: &VisionTransformer,
    config: &PipelineConfig,
    kind: EncoderKind,
    source: String,
    out: &Path,
) -> Result<PathBuf, PipelineError> {
    let err = step_error("export");
    let vit = config
        .ijepa
        .encoder_config()
        .map_err(|e| err(e.to_string()))?;
    let weights = EncoderWeights::from_module(model, spec_from_config(&vit, vit.img_size))
        .map_err(|e| err(e.to_string()))?;
    let data = &config.ijepa.data;
    let prov = Provenance {
        encoder: kind,
        mean: data.mean.map(|v| v as f32),
        std: data.std.map(|v| v as f32),
        source,
    };
    let written = write_encoder(weights, &prov, &ExportOptions::default(), out)
        .map_err(|e| err(e.to_string()))?;
    Ok(written.model)
}

/// The trained encoder and a random-init encoder of the same architecture (seeded).
fn export_encoders(
    config: &PipelineConfig,
    checkpoint: &Path,
    out: &Path,
) -> Result<(PathBuf, PathBuf), PipelineError> {
    let err = step_error("export");
    let device = Device::flex();
    let trained = load_trainer_checkpoint(checkpoint, &device).map_err(|e| err(e.to_string()))?;
    let (kind, encoder) = match config.pipeline.encoder.as_str() {
        "context" => (EncoderKind::Context, &trained.encoder),
        _ => (EncoderKind::Target, &trained.target_encoder),
    };
    let source = source_tag(checkpoint).map_err(|e| err(e.to_string()))?;
    let model = write_onnx(encoder, config, kind, source, &out.join("encoder.onnx"))?;
    device.seed(config.ijepa.meta.seed.wrapping_add(1));
    let vit = config
        .ijepa
        .encoder_config()
        .map_err(|e| err(e.to_string()))?;
    let random_model = vit.init(&device);
    let random = write_onnx(
        &random_model,
        config,
        kind,
        format!(
            "random init (seed {})",
            config.ijepa.meta.seed.wrapping_add(1)
        ),
        &out.join("random-init.onnx"),
    )?;
    Ok((model, random))
}

fn probe(
    config: &PipelineConfig,
    task: Task,
    model: &Path,
    random: &Path,
    data: &Path,
    out: &Path,
) -> Result<ProbeReport, PipelineError> {
    let name = match task {
        Task::Count => "count",
        Task::Dist => "dist",
    };
    let mut probe = ProbeConfig::new(model.to_path_buf(), data.to_path_buf(), task);
    probe.model_name = "I-JEPA (pretrained)".into();
    probe.baselines = vec![BaselineModel {
        name: "random init".into(),
        path: random.to_path_buf(),
    }];
    probe.train_limit = config.pipeline.probe_train_limit;
    probe.cache_dir = Some(out.join("probe-cache"));
    probe.json = Some(out.join(format!("probe-{name}.json")));
    probe.confusion_png = Some(out.join(format!("confusion-{name}.png")));
    let progress = bar(0, name);
    let report = run_probe(&probe, &|event| match event {
        ProbeProgress::Stage { name, total } => {
            progress.set_message(name.to_string());
            progress.set_length(total as u64);
            progress.set_position(0);
        }
        ProbeProgress::Images(n) => progress.inc(n as u64),
    })
    .map_err(|e| step_error("probe")(e.to_string()))?;
    progress.finish_and_clear();
    print!("{}", report.table());
    Ok(report)
}

/// Method names (rows) and accuracy in % per task (columns), in the order of the first report.
fn accuracy_rows(probes: &[ProbeReport]) -> (Vec<String>, Vec<Vec<f64>>) {
    let methods: Vec<String> = probes.first().map_or(Vec::new(), |p| {
        p.results.iter().map(|r| r.name.clone()).collect()
    });
    let accuracy = methods
        .iter()
        .map(|m| {
            probes
                .iter()
                .map(|p| {
                    p.results
                        .iter()
                        .find(|r| &r.name == m)
                        .map_or(f64::NAN, |r| 100.0 * r.eval_accuracy)
                })
                .collect()
        })
        .collect();
    (methods, accuracy)
}
