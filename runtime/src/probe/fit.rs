//! Fitting a probe: standardize, pick the L2 strength on a held-out part of train, refit on all
//! of train, and score.

use ndarray::{ArrayView2, Axis};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::probe::error::{ProbeError, Result};
use crate::probe::logreg::{LogisticRegression, Standardizer};
use crate::probe::metrics::{accuracy, confusion_matrix};

/// L2 strengths tried, strongest first (the search warm-starts each fit from the previous one).
pub const LAMBDA_GRID: [f64; 6] = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 1e-4];
/// Share of train held out to choose the strength.
pub const HOLDOUT_FRACTION: f64 = 0.2;
/// L-BFGS iteration budget per fit.
pub const MAX_ITERATIONS: usize = 300;

/// Probe settings.
#[derive(Debug, Clone)]
pub struct FitConfig {
    pub lambdas: Vec<f64>,
    pub holdout_fraction: f64,
    pub max_iterations: usize,
    /// Seeds the train/held-out split.
    pub seed: u64,
}

impl Default for FitConfig {
    fn default() -> Self {
        Self {
            lambdas: LAMBDA_GRID.to_vec(),
            holdout_fraction: HOLDOUT_FRACTION,
            max_iterations: MAX_ITERATIONS,
            seed: 0,
        }
    }
}

/// A fitted probe and its scores.
#[derive(Debug, Clone)]
pub struct FittedProbe {
    pub lambda: f64,
    /// Held-out accuracy of each strength, in grid order.
    pub holdout: Vec<(f64, f64)>,
    pub train_accuracy: f64,
    pub eval_accuracy: f64,
    /// Rows: true class, columns: predicted class.
    pub confusion: Vec<Vec<usize>>,
    pub eval_predictions: Vec<usize>,
    pub converged: bool,
}

/// Fits a probe on (`train_x`, `train_y`) and scores it on (`eval_x`, `eval_y`).
///
/// # Shapes
/// `train_x`: `[n_train, dim]`, `eval_x`: `[n_eval, dim]`.
pub fn fit_probe(
    train_x: ArrayView2<f32>,
    train_y: &[usize],
    eval_x: ArrayView2<f32>,
    eval_y: &[usize],
    classes: usize,
    config: &FitConfig,
) -> Result<FittedProbe> {
    check(train_x, train_y, classes, "train")?;
    check(eval_x, eval_y, classes, "eval")?;
    if train_x.ncols() != eval_x.ncols() {
        return Err(ProbeError::Features(format!(
            "train has {} features but eval has {}",
            train_x.ncols(),
            eval_x.ncols()
        )));
    }
    if config.lambdas.is_empty() {
        return Err(ProbeError::Features("the L2 strength grid is empty".into()));
    }
    let (fit_idx, held_idx) = holdout_split(train_y.len(), config.holdout_fraction, config.seed);
    let holdout = if held_idx.is_empty() || config.lambdas.len() == 1 {
        vec![(config.lambdas[0], f64::NAN)]
    } else {
        let part_x = train_x.select(Axis(0), &fit_idx);
        let held_x = train_x.select(Axis(0), &held_idx);
        let part_y: Vec<usize> = fit_idx.iter().map(|&i| train_y[i]).collect();
        let held_y: Vec<usize> = held_idx.iter().map(|&i| train_y[i]).collect();
        let scaler = Standardizer::fit(part_x.view());
        let (xs, hs) = (scaler.apply(part_x.view()), scaler.apply(held_x.view()));
        let mut previous: Option<LogisticRegression> = None;
        let mut scores = Vec::new();
        for &lambda in &config.lambdas {
            let model = LogisticRegression::fit(
                &xs,
                &part_y,
                classes,
                lambda,
                config.max_iterations,
                previous.as_ref(),
            );
            scores.push((lambda, accuracy(&model.predict(&hs), &held_y)));
            previous = Some(model);
        }
        scores
    };
    // The best held-out accuracy; ties go to the stronger (earlier) strength.
    let lambda = holdout
        .iter()
        .fold((f64::NAN, f64::NEG_INFINITY), |b, &(l, a)| {
            if a > b.1 || b.0.is_nan() { (l, a) } else { b }
        })
        .0;
    let scaler = Standardizer::fit(train_x);
    let xs = scaler.apply(train_x);
    let model = LogisticRegression::fit(&xs, train_y, classes, lambda, config.max_iterations, None);
    let eval_predictions = model.predict(&scaler.apply(eval_x));
    tracing::debug!(
        lambda,
        iterations = model.iterations,
        converged = model.converged,
        "probe fitted"
    );
    Ok(FittedProbe {
        lambda,
        holdout,
        train_accuracy: accuracy(&model.predict(&xs), train_y),
        eval_accuracy: accuracy(&eval_predictions, eval_y),
        confusion: confusion_matrix(&eval_predictions, eval_y, classes),
        eval_predictions,
        converged: model.converged,
    })
}

fn check(x: ArrayView2<f32>, y: &[usize], classes: usize, what: &str) -> Result<()> {
    if x.nrows() != y.len() {
        return Err(ProbeError::Features(format!(
            "{what}: {} feature rows but {} labels",
            x.nrows(),
            y.len()
        )));
    }
    if y.is_empty() {
        return Err(ProbeError::Features(format!("{what}: no samples")));
    }
    if let Some(&bad) = y.iter().find(|&&l| l >= classes) {
        return Err(ProbeError::Features(format!(
            "{what}: label {bad} is not below {classes} classes"
        )));
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(ProbeError::Features(format!(
            "{what}: features contain NaN or infinity"
        )));
    }
    Ok(())
}

/// A seeded shuffle of `0..n` cut into (fit, held-out).
fn holdout_split(n: usize, fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let held = ((n as f64 * fraction).round() as usize).min(n.saturating_sub(1));
    let fit = idx.split_off(held);
    let (mut fit, mut held) = (fit, idx);
    fit.sort_unstable();
    held.sort_unstable();
    (fit, held)
}
