//! End-to-end tests of `train`: exact resume (6 steps = 3 + resume 3), corrupt checkpoints are
//! errors, NaN/Inf stops the run keeping the last good checkpoint, logs and plots are written,
//! mask sampling is a negligible share of a step.

use ijepa_trainer::config::IjepaConfig;
use ijepa_trainer::optim::float_params;
use ijepa_trainer::train::{
    CSV_HEADER, StopReason, TrainError, TrainOptions, load_trainer_checkpoint, train,
};
use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};

/// Weight tolerance between an uninterrupted and a resumed run: both run the same f32 ops in the
/// same order, so they agree to rounding (in practice bit for bit).
const RESUME_TOL: f32 = 1e-6;
/// Mask sampling must cost less than 1% of a step (the budget).
const MASK_SHARE_MAX: f64 = 0.01;

fn make_images(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    for i in 0..n {
        let base: [u8; 3] = rng.random();
        let img = image::RgbImage::from_fn(64, 56, |x, y| {
            image::Rgb([
                base[0].wrapping_add((x * 3) as u8),
                base[1].wrapping_add((y * 4) as u8),
                base[2] ^ ((x + y) as u8),
            ])
        });
        img.save(dir.join(format!("img_{i:02}.png")))
            .expect("save png");
    }
}

fn tiny_config() -> IjepaConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs/tiny.yaml");
    let mut cfg = IjepaConfig::from_yaml_file(&path).expect("tiny config");
    cfg.data.batch_size = 2;
    cfg.data.num_workers = 1;
    cfg.data.use_horizontal_flip = true;
    cfg.optimization.epochs = 2;
    cfg
}

fn opts(out: &Path, data: &Path) -> TrainOptions {
    TrainOptions {
        output_dir: Some(out.to_path_buf()),
        data_dir: Some(data.to_path_buf()),
        no_plots: true,
        ..TrainOptions::default()
    }
}

fn max_diff(a: &Path, b: &Path) -> f32 {
    let dev = burn::tensor::Device::flex();
    let a = load_trainer_checkpoint(a, &dev).expect("load a");
    let b = load_trainer_checkpoint(b, &dev).expect("load b");
    assert_eq!(a.step, b.step);
    let mut worst = 0.0f32;
    for (pa, pb) in [
        (float_params(&a.encoder), float_params(&b.encoder)),
        (
            float_params(&a.target_encoder),
            float_params(&b.target_encoder),
        ),
        (float_params(&a.predictor), float_params(&b.predictor)),
    ] {
        assert_eq!(pa.len(), pb.len());
        for (k, va) in &pa {
            let d: f32 = (va.values.clone() - pb[k].values.clone())
                .abs()
                .max()
                .into_scalar();
            worst = worst.max(d);
        }
    }
    worst
}

#[test]
fn six_steps_equal_three_plus_resumed_three() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("images");
    make_images(&data, 8);
    let cfg = tiny_config();

    let mut full = opts(&tmp.path().join("full"), &data);
    full.max_steps = Some(6);
    full.no_plots = false;
    let a = train(&cfg, &full).expect("6 steps");
    assert_eq!(
        (a.final_step, a.steps_run, a.stop),
        (6, 6, StopReason::MaxSteps)
    );
    assert!(
        a.mask_time_fraction < MASK_SHARE_MAX,
        "mask share {}",
        a.mask_time_fraction
    );
    assert_eq!(a.plots.len(), 2);
    assert!(a.plots.iter().all(|p| p.exists()));
    let csv = std::fs::read_to_string(&a.csv).expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], CSV_HEADER);
    assert_eq!(lines.len(), 7);
    assert!(lines[1].starts_with("1,0,"), "{}", lines[1]);
    assert!(
        lines[5].starts_with("2,0,"),
        "ipe 4: step 4 opens epoch 2: {}",
        lines[5]
    );

    let half_dir = tmp.path().join("half");
    let mut first = opts(&half_dir, &data);
    first.max_steps = Some(3);
    let b = train(&cfg, &first).expect("3 steps");
    assert_eq!(b.final_step, 3);
    let mut second = opts(&half_dir, &data);
    second.max_steps = Some(6);
    second.resume = Some(b.checkpoint.clone());
    let c = train(&cfg, &second).expect("resume 3 more");
    assert_eq!((c.final_step, c.steps_run), (6, 3));

    for (i, &(step, loss)) in c.losses.iter().enumerate() {
        let (s_full, l_full) = a.losses[i + 3];
        assert_eq!(step, s_full);
        assert!(
            (loss - l_full).abs() <= 1e-6 * l_full.abs(),
            "step {step}: {loss} vs {l_full}"
        );
    }
    let diff = max_diff(&a.checkpoint, &c.checkpoint);
    eprintln!(
        "resume max |Δw| = {diff:e}; {:.1} images/s, mask share {:.5}",
        a.images_per_sec, a.mask_time_fraction
    );
    assert!(diff <= RESUME_TOL, "resumed weights differ by {diff}");
    let resumed_csv = std::fs::read_to_string(&c.csv).expect("csv");
    assert_eq!(resumed_csv.lines().count(), 7, "resume appends to the log");
}

#[test]
fn unreadable_checkpoints_are_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("images");
    make_images(&data, 4);
    let bad = tmp.path().join("bad.safetensors");
    std::fs::write(&bad, b"not a checkpoint").expect("write");
    for path in [bad, PathBuf::from("/nonexistent/ckpt.safetensors")] {
        let mut o = opts(&tmp.path().join("run"), &data);
        o.resume = Some(path.clone());
        match train(&tiny_config(), &o) {
            Err(TrainError::BadCheckpoint { .. }) => {}
            other => panic!("{}: expected BadCheckpoint, got {other:?}", path.display()),
        }
    }
}

#[test]
fn non_finite_loss_stops_and_keeps_the_last_checkpoint() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("images");
    make_images(&data, 4);
    let mut cfg = tiny_config();
    // Absurd learning rates blow the weights up within a couple of steps.
    cfg.optimization.start_lr = 1e30;
    cfg.optimization.lr = 1e30;
    cfg.optimization.final_lr = 1e30;
    cfg.optimization.epochs = 10;
    let mut o = opts(&tmp.path().join("run"), &data);
    o.checkpoint_every = Some(1);
    match train(&cfg, &o) {
        Err(TrainError::NonFiniteLoss {
            step, checkpoint, ..
        }) => {
            assert!(step >= 1, "step 0 starts from finite weights");
            let ckpt = checkpoint.expect("a checkpoint before the blow-up");
            let loaded = load_trainer_checkpoint(&ckpt, &burn::tensor::Device::flex())
                .expect("last good checkpoint loads");
            assert_eq!(loaded.step, step);
        }
        other => panic!("expected NonFiniteLoss, got {other:?}"),
    }
}
