//! The linear probe: the logistic regression on synthetic features, and `run_probe` end to end on
//! a rendered set with small test encoders (`tests/make_test_model.py`).

#![allow(clippy::unwrap_used)]

mod common;

use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use ijepa_runtime::clevr::Task;
use ijepa_runtime::clevr::render::{RenderConfig, render_dataset};
use ijepa_runtime::probe::{
    BaselineModel, FitConfig, MethodKind, ProbeConfig, fit_probe, run_probe,
};

/// Gaussian clusters: class c has mean `separation * e_c` in `dim` dimensions, unit noise.
fn clusters(
    rng: &mut ChaCha8Rng,
    n: usize,
    classes: usize,
    dim: usize,
    separation: f32,
) -> (Array2<f32>, Vec<usize>) {
    let labels: Vec<usize> = (0..n).map(|i| i % classes).collect();
    let x = Array2::from_shape_fn((n, dim), |(i, j)| {
        let noise: f32 = rng.random_range(-1.0..1.0) + rng.random_range(-1.0..1.0);
        noise + if j == labels[i] { separation } else { 0.0 }
    });
    (x, labels)
}

#[test]
fn separable_classes_are_learned_exactly() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let (train_x, train_y) = clusters(&mut rng, 300, 5, 20, 8.0);
    let (eval_x, eval_y) = clusters(&mut rng, 200, 5, 20, 8.0);
    let fit = fit_probe(
        train_x.view(),
        &train_y,
        eval_x.view(),
        &eval_y,
        5,
        &FitConfig::default(),
    )
    .unwrap();
    assert_eq!(fit.eval_accuracy, 1.0);
    assert_eq!(fit.train_accuracy, 1.0);
    assert_eq!(fit.holdout.len(), FitConfig::default().lambdas.len());
    assert_eq!(
        fit.confusion
            .iter()
            .map(|r| r.iter().sum::<usize>())
            .sum::<usize>(),
        200
    );
}

#[test]
fn random_labels_stay_at_chance() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let classes = 4;
    let (n, dim) = (600, 40);
    let x =
        |rng: &mut ChaCha8Rng| Array2::from_shape_fn((n, dim), |_| rng.random_range(-1.0f32..1.0));
    let (train_x, eval_x) = (x(&mut rng), x(&mut rng));
    let train_y: Vec<usize> = (0..n).map(|_| rng.random_range(0..classes)).collect();
    let eval_y: Vec<usize> = (0..n).map(|_| rng.random_range(0..classes)).collect();
    let fit = fit_probe(
        train_x.view(),
        &train_y,
        eval_x.view(),
        &eval_y,
        classes,
        &FitConfig::default(),
    )
    .unwrap();
    // Chance is 0.25; the binomial sd for 600 samples is 0.018, so 0.08 is > 4 sd.
    assert!(
        (fit.eval_accuracy - 0.25).abs() < 0.08,
        "eval accuracy {}",
        fit.eval_accuracy
    );
}

#[test]
fn bad_inputs_are_clear_errors() {
    let x = Array2::<f32>::zeros((4, 3));
    let err = fit_probe(
        x.view(),
        &[0, 1, 2],
        x.view(),
        &[0, 1, 2, 0],
        3,
        &FitConfig::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("4 feature rows but 3 labels"),
        "{err}"
    );
    let err = fit_probe(
        x.view(),
        &[0, 1, 5, 0],
        x.view(),
        &[0, 1, 2, 0],
        3,
        &FitConfig::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("label 5"), "{err}");
    assert!("nameonly".parse::<BaselineModel>().is_err());
    assert_eq!(
        "rand=a/b.onnx".parse::<BaselineModel>().unwrap().path,
        std::path::PathBuf::from("a/b.onnx")
    );
}

#[test]
fn run_probe_end_to_end_with_baselines_cache_and_files() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("clevr");
    let render = RenderConfig {
        out: data.clone(),
        splits: vec![("train".into(), 60), ("val".into(), 30)],
        seed: 5,
        width: 48,
        height: 48,
    };
    render_dataset(&render, &|| {})?;
    let model = common::make_model(dir.path(), "model.onnx", &["--seed", "1"])?;
    let random = common::make_model(dir.path(), "random.onnx", &["--seed", "2"])?;
    let mut config = ProbeConfig::new(model, data.clone(), Task::Dist);
    config.baselines.push(BaselineModel {
        name: "random-init".into(),
        path: random,
    });
    config.train_limit = Some(50);
    config.json = Some(dir.path().join("probe.json"));
    config.confusion_png = Some(dir.path().join("confusion.png"));
    let report = run_probe(&config, &|_| {})?;
    let kinds: Vec<MethodKind> = report.results.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            MethodKind::Model,
            MethodKind::BaselineModel,
            MethodKind::Majority,
            MethodKind::RawPixels
        ]
    );
    assert_eq!(report.train_images, 50);
    assert_eq!(report.histograms.train.iter().sum::<usize>(), 50);
    assert_eq!(report.histograms.eval.iter().sum::<usize>(), 30);
    let majority = &report.results[2];
    // Every eval image is predicted as the one majority class.
    let majority_class = majority
        .confusion
        .iter()
        .find_map(|r| r.iter().position(|&v| v > 0))
        .unwrap();
    assert!(majority.confusion.iter().all(|r| {
        r.iter()
            .enumerate()
            .all(|(c, &v)| v == 0 || c == majority_class)
    }));
    assert_eq!(
        majority.eval_accuracy,
        report.histograms.eval[majority_class] as f64 / 30.0
    );
    for r in &report.results {
        assert!((0.0..=1.0).contains(&r.eval_accuracy));
        assert_eq!(
            r.confusion.iter().flatten().sum::<usize>(),
            30,
            "{}",
            r.name
        );
    }
    assert_eq!(report.results[0].feature_dim, 64);
    assert_eq!(report.results[3].feature_dim, 3 * 16 * 16);

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("probe.json"))?)?;
    assert_eq!(
        json["histograms"]["train"].as_array().unwrap().len(),
        Task::Dist.num_classes()
    );
    assert_eq!(json["results"][0]["kind"], "model");
    assert!(json["results"][1]["eval_accuracy"].is_f64());
    assert!(image::open(dir.path().join("confusion.png")).is_ok());

    let cached: Vec<_> = std::fs::read_dir(data.join(".probe-cache"))?.collect();
    assert_eq!(cached.len(), 4, "two models x two splits");
    let again = run_probe(&config, &|_| {})?;
    for (a, b) in report.results.iter().zip(&again.results) {
        assert_eq!(
            a.eval_accuracy, b.eval_accuracy,
            "{} must be deterministic (and cached)",
            a.name
        );
    }
    Ok(())
}
