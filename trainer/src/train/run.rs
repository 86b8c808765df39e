//! The training loop behind [`train`].

use super::checkpoint::{TrainerState, load_trainer_state, save_checkpoint};
use super::collapse::collapse_stats;
use super::ema::ema_update;
use super::log::{CsvLog, LogRow, write_plots};
use super::step::forward_loss;
use super::{Progress, StopReason, TrainDevice, TrainError, TrainOptions, TrainSummary};
use crate::config::IjepaConfig;
use crate::data::{
    Loader, LoaderConfig, TransformConfig, find_images, iterations_per_epoch, resolve_image_dir,
};
use crate::masks::{MultiBlockConfig, MultiBlockSampler};
use crate::optim::{AdamW, GradStore, float_params};
use crate::schedules::{ScheduleConfig, Schedules};
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Serialises seeded weight initialisation (see [`initial_state`]).
static INIT_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The plain device for `d` (bf16 defaults configured where asked and possible).
fn make_device(d: TrainDevice, use_bfloat16: bool) -> Result<Device, TrainError> {
    match d {
        TrainDevice::Cpu => {
            if use_bfloat16 {
                tracing::warn!("meta.use_bfloat16 is ignored on the CPU backend (float32 is used)");
            }
            Ok(Device::flex())
        }
        #[cfg(feature = "cuda")]
        TrainDevice::Cuda(i) => {
            let mut device = Device::cuda(i);
            if use_bfloat16 && let Err(e) = device.configure(burn::tensor::FloatDType::BF16) {
                return Err(TrainError::Device(format!(
                    "cannot switch CUDA:{i} to bf16: {e:?}"
                )));
            }
            Ok(device)
        }
        #[cfg(not(feature = "cuda"))]
        TrainDevice::Cuda(_) => Err(TrainError::Device(
            "this build has no CUDA backend; rebuild with `--features cuda`".into(),
        )),
    }
}

fn schedule_config(cfg: &IjepaConfig) -> ScheduleConfig {
    let o = &cfg.optimization;
    ScheduleConfig {
        start_lr: o.start_lr,
        lr: o.lr,
        final_lr: o.final_lr,
        warmup: o.warmup,
        weight_decay: o.weight_decay,
        final_weight_decay: o.final_weight_decay,
        ema: o.ema,
        epochs: o.epochs,
        ipe_scale: o.ipe_scale,
    }
}

fn f32_tensor<const D: usize>(values: Vec<f32>, shape: [usize; D], device: &Device) -> Tensor<D> {
    let n = values.len();
    Tensor::<1>::from_data(TensorData::new(values, [n]), device).reshape(shape)
}

/// The starting state: a checkpoint to resume, or fresh weights (seeded by `meta.seed`).
fn initial_state(
    cfg: &IjepaConfig,
    resume: Option<&Path>,
    plain: &Device,
) -> Result<TrainerState, TrainError> {
    if let Some(path) = resume {
        let state = load_trainer_state(path, plain)?;
        let mismatch = |what: &str| TrainError::ResumeMismatch {
            path: path.to_path_buf(),
            message: format!(
                "the checkpoint's `{what}` section differs from the config given; resume with the \
                 config the run started with (it is stored in the checkpoint and in params-ijepa.yaml)"
            ),
        };
        if state.config.meta != cfg.meta {
            return Err(mismatch("meta"));
        }
        if state.config.mask != cfg.mask {
            return Err(mismatch("mask"));
        }
        if state.config.optimization != cfg.optimization {
            return Err(mismatch("optimization"));
        }
        if state.config.data.crop_size != cfg.data.crop_size
            || state.config.data.batch_size != cfg.data.batch_size
        {
            return Err(mismatch("data"));
        }
        tracing::info!(step = state.step, path = %path.display(), "resuming");
        return Ok(state);
    }
    // The device RNG is shared by the process: hold a lock from seeding to the last draw, so
    // concurrent runs (tests, pipelines) cannot interleave and change each other's init.
    let (encoder, predictor) = {
        let _guard = INIT_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        plain.seed(cfg.meta.seed);
        // Built on the plain device, then switched to training (autodiff): initialising on an
        // autodiff device directly would track the init-time rescaling.
        let encoder = cfg.encoder_config()?.init(plain);
        let predictor = cfg.predictor_config()?.init(plain);
        // Parameters initialise lazily: draw them all now, in a fixed order, under the lock.
        let _ = (float_params(&encoder), float_params(&predictor));
        (encoder, predictor)
    };
    // The target encoder starts as a copy of the context encoder, without autodiff.
    let target_encoder = encoder.clone();
    let (encoder, predictor) = (encoder.train(), predictor.train());
    Ok(TrainerState {
        config: cfg.clone(),
        encoder,
        target_encoder,
        predictor,
        optimizer: AdamW::new(),
        step: 0,
        seed: cfg.meta.seed,
    })
}

/// Trains I-JEPA as `config` describes, with the run-time choices in `opts`.
pub fn train(config: &IjepaConfig, opts: &TrainOptions) -> Result<TrainSummary, TrainError> {
    let mut cfg = config.clone();
    if let Some(epochs) = opts.epochs {
        cfg.optimization.epochs = epochs;
    }
    if let Some(dir) = &opts.data_dir {
        cfg.data.root_path = String::new();
        cfg.data.image_folder = dir.display().to_string();
    }
    cfg.validate()?;
    let out_dir = opts
        .output_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&cfg.logging.folder));
    let tag = cfg.logging.write_tag.clone();
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| TrainError::Io { path, source }
    };
    std::fs::create_dir_all(&out_dir).map_err(io(&out_dir))?;
    let params_path = out_dir.join("params-ijepa.yaml");
    std::fs::write(&params_path, cfg.to_yaml_string()).map_err(io(&params_path))?;

    let sampler = MultiBlockSampler::new(MultiBlockConfig::from_config(&cfg))?;
    let image_dir = resolve_image_dir(
        Path::new(&cfg.data.root_path),
        Path::new(&cfg.data.image_folder),
        cfg.data.split.as_deref(),
    )?;
    let images = find_images(&image_dir)?;
    let batch_size = cfg.data.batch_size;
    let accum = cfg.optimization.grad_accum_steps.max(1) as u64;
    let loader_ipe = iterations_per_epoch(images.len(), batch_size) as u64;
    let ipe = cfg
        .optimization
        .iterations_per_epoch
        .map(|n| n as u64)
        .unwrap_or(loader_ipe / accum)
        .max(1);
    let schedules = Schedules::new(schedule_config(&cfg), ipe as usize);
    let total = cfg.optimization.epochs as u64 * ipe;
    let stop_at = opts.max_steps.map_or(total, |m| m.min(total));

    let plain = make_device(opts.device, cfg.meta.use_bfloat16)?;
    let train_device = plain.clone().autodiff();
    let mut st = initial_state(&cfg, opts.resume.as_deref(), &plain)?;
    st.config = cfg.clone();
    tracing::info!(
        images = images.len(),
        folder = %image_dir.display(),
        ipe,
        total,
        start = st.step,
        stop_at,
        "training"
    );

    let loader = Loader::start(
        LoaderConfig {
            images,
            batch_size,
            num_workers: cfg.data.num_workers,
            seed: st.seed,
            transform: TransformConfig {
                crop_size: cfg.data.crop_size,
                crop_scale: cfg.data.crop_scale,
                horizontal_flip: cfg.data.use_horizontal_flip,
                mean: cfg.data.mean.map(|v| v as f32),
                std: cfg.data.std.map(|v| v as f32),
            },
        },
        sampler,
        st.step * accum,
    )?;
    let csv_path = out_dir.join(format!("{tag}_r0.csv"));
    let mut csv = CsvLog::open(&csv_path, opts.resume.is_some())?;
    let ckpt_path = out_dir.join(format!("{tag}-latest.safetensors"));
    let every = opts
        .checkpoint_every
        .unwrap_or(cfg.logging.checkpoint_every as u64);
    let log_every = cfg.logging.log_every.max(1) as u64;
    let mut last_good: Option<PathBuf> = opts.resume.clone();
    let mut saved_at = st.step;

    let started = Instant::now();
    let start_step = st.step;
    let mut rows: Vec<LogRow> = Vec::new();
    let mut mask_time = Duration::ZERO;
    let mut step_time = Duration::ZERO;
    let crop = cfg.data.crop_size;
    let mut stop = StopReason::Finished;
    while st.step < stop_at {
        if opts.time_budget.is_some_and(|b| started.elapsed() >= b) {
            stop = StopReason::TimeBudget;
            break;
        }
        let itr = st.step;
        let v = schedules.at(itr);
        let t0 = Instant::now();
        let mut grads = GradStore::new();
        let mut loss_sum = 0.0f64;
        let mut masks_len = (0, 0);
        let mut features = None;
        let mut waited = Duration::ZERO;
        for _ in 0..accum {
            let tw = Instant::now();
            let batch = loader.next_batch()?;
            waited += tw.elapsed();
            mask_time += batch.mask_time;
            let b = batch.pixels.len() / (3 * crop * crop);
            let imgs = f32_tensor(batch.pixels, [b, 3, crop, crop], &train_device);
            let (masks_enc, masks_pred) = batch.masks.to_tensors(&train_device);
            masks_len = (batch.masks.enc[0].len, batch.masks.pred[0].len);
            let out = forward_loss(
                &st.encoder,
                &st.target_encoder,
                &st.predictor,
                imgs,
                &masks_enc,
                &masks_pred,
                cfg.optimization.loss,
            );
            let loss = out.loss.clone().into_scalar::<f32>() as f64;
            if !loss.is_finite() {
                return Err(TrainError::NonFiniteLoss {
                    step: itr,
                    loss,
                    checkpoint: last_good,
                });
            }
            loss_sum += loss;
            let g = out.loss.backward();
            grads.accumulate("encoder.", &st.encoder, &g);
            grads.accumulate("predictor.", &st.predictor, &g);
            grads.finish_micro_batch();
            features = Some(out.target_features);
        }
        st.encoder = st
            .optimizer
            .step("encoder.", st.encoder, &grads, v.lr, v.weight_decay);
        st.predictor = st
            .optimizer
            .step("predictor.", st.predictor, &grads, v.lr, v.weight_decay);
        st.target_encoder = ema_update(st.target_encoder, &st.encoder, v.momentum);
        st.step += 1;
        let loss = loss_sum / accum as f64;
        let collapse = (itr % log_every == 0)
            .then(|| features.map(collapse_stats))
            .flatten();
        // Compute time of the step (waiting for the loader excluded, as the official timer).
        let dt = t0.elapsed().saturating_sub(waited);
        step_time += dt;
        let row = LogRow {
            epoch: itr / ipe + 1,
            itr: itr % ipe,
            step: itr,
            loss,
            mask_a: masks_len.0,
            mask_b: masks_len.1,
            time_ms: dt.as_secs_f64() * 1e3,
            lr: v.lr,
            wd: v.weight_decay,
            momentum: v.momentum,
            collapse,
        };
        csv.write(&row)?;
        if itr % log_every == 0 {
            tracing::debug!(step = itr, loss, lr = v.lr, "step");
        }
        rows.push(row);
        if let Some(p) = opts.progress.as_ref() {
            p(&Progress {
                step: st.step,
                total: stop_at,
                loss,
            });
        }
        let epoch_end = st.step % ipe == 0;
        if (every > 0 && st.step % every == 0) || epoch_end {
            save_checkpoint(&st, &ckpt_path)?;
            last_good = Some(ckpt_path.clone());
            saved_at = st.step;
        }
    }
    if stop == StopReason::Finished && st.step < total {
        stop = StopReason::MaxSteps;
    }
    if saved_at != st.step || last_good.is_none() {
        save_checkpoint(&st, &ckpt_path)?;
    }
    drop(loader);
    let plots = if opts.no_plots || rows.is_empty() {
        Vec::new()
    } else {
        write_plots(&out_dir, &rows)?
    };
    let steps_run = st.step - start_step;
    let secs = step_time.as_secs_f64().max(f64::MIN_POSITIVE);
    Ok(TrainSummary {
        checkpoint: ckpt_path,
        csv: csv_path,
        plots,
        losses: rows.iter().map(|r| (r.step, r.loss)).collect(),
        final_step: st.step,
        steps_run,
        images_per_sec: (steps_run * accum * batch_size as u64) as f64 / secs,
        mask_time_fraction: mask_time.as_secs_f64() / secs,
        stop,
    })
}
