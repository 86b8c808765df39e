//! Multinomial logistic regression with L2, fit by full-batch L-BFGS (deterministic), and the
//! feature standardization the probe applies first.
//!
//! Objective: `mean_i CE(softmax(x_i W + b), y_i) + λ/2 ‖W‖²` (the bias is not penalized).

use ndarray::{Array1, Array2, ArrayView2, Axis};

/// L-BFGS history length.
const HISTORY: usize = 10;
/// Stop when the largest gradient entry is below this (the loss is a mean, so this is scale-free).
const GRAD_TOLERANCE: f64 = 1e-5;
/// Armijo sufficient-decrease constant and backtracking factor of the line search.
const ARMIJO: f64 = 1e-4;
const BACKTRACK: f64 = 0.5;
const MAX_LINE_STEPS: usize = 40;
/// Features whose standard deviation is below this are constant: they are centered, not scaled.
const MIN_STD: f64 = 1e-8;

/// Per-feature mean and standard deviation, fit on the training features.
#[derive(Debug, Clone)]
pub struct Standardizer {
    mean: Array1<f64>,
    std: Array1<f64>,
}

impl Standardizer {
    /// # Shapes
    /// `x`: `[samples, features]`.
    pub fn fit(x: ArrayView2<f32>) -> Self {
        let x = x.mapv(f64::from);
        let mean = x
            .mean_axis(Axis(0))
            .unwrap_or_else(|| Array1::zeros(x.ncols()));
        let std = x
            .std_axis(Axis(0), 0.0)
            .mapv(|s| if s < MIN_STD { 1.0 } else { s });
        Self { mean, std }
    }

    /// `(x − mean) / std` in f64.
    pub fn apply(&self, x: ArrayView2<f32>) -> Array2<f64> {
        (x.mapv(f64::from) - &self.mean) / &self.std
    }
}

/// A fitted linear classifier: `argmax(x W + b)`.
#[derive(Debug, Clone)]
pub struct LogisticRegression {
    /// `[features, classes]`.
    pub weights: Array2<f64>,
    /// `[classes]`.
    pub bias: Array1<f64>,
    /// L-BFGS iterations used, and whether the gradient tolerance was reached.
    pub iterations: usize,
    pub converged: bool,
}

impl LogisticRegression {
    /// Fits on standardized `x` (`[samples, features]`) and labels `< classes`, starting from
    /// `init` (warm start) or zeros.
    pub fn fit(
        x: &Array2<f64>,
        y: &[usize],
        classes: usize,
        lambda: f64,
        max_iterations: usize,
        init: Option<&LogisticRegression>,
    ) -> Self {
        let (d, k) = (x.ncols(), classes);
        let onehot = one_hot(y, k);
        let mut params = match init {
            Some(m) => pack(&m.weights, &m.bias),
            None => Array1::zeros(d * k + k),
        };
        let objective = |p: &Array1<f64>| loss_and_grad(x, &onehot, p, d, k, lambda);
        let (mut loss, mut grad) = objective(&params);
        let mut steps: Vec<(Array1<f64>, Array1<f64>, f64)> = Vec::new();
        let mut iterations = 0;
        let mut converged = max_abs(&grad) < GRAD_TOLERANCE;
        while !converged && iterations < max_iterations {
            iterations += 1;
            let mut dir = -two_loop(&grad, &steps);
            let mut slope = dir.dot(&grad);
            if slope >= 0.0 {
                dir = -grad.clone();
                slope = dir.dot(&grad);
                steps.clear();
            }
            let mut step = if steps.is_empty() {
                1.0 / grad.dot(&grad).sqrt().max(1.0)
            } else {
                1.0
            };
            let mut accepted = None;
            for _ in 0..MAX_LINE_STEPS {
                let trial = &params + &(&dir * step);
                let (trial_loss, trial_grad) = objective(&trial);
                if trial_loss <= loss + ARMIJO * step * slope {
                    accepted = Some((trial, trial_loss, trial_grad));
                    break;
                }
                step *= BACKTRACK;
            }
            let Some((next, next_loss, next_grad)) = accepted else {
                break;
            };
            let s = &next - &params;
            let g_diff = &next_grad - &grad;
            let curvature = s.dot(&g_diff);
            if curvature > 1e-12 {
                if steps.len() == HISTORY {
                    steps.remove(0);
                }
                steps.push((s, g_diff, 1.0 / curvature));
            }
            params = next;
            loss = next_loss;
            grad = next_grad;
            converged = max_abs(&grad) < GRAD_TOLERANCE;
        }
        let (weights, bias) = unpack(&params, d, k);
        Self {
            weights,
            bias,
            iterations,
            converged,
        }
    }

    /// Class scores `x W + b`.
    ///
    /// # Shapes
    /// `x`: `[samples, features]` → `[samples, classes]`.
    pub fn logits(&self, x: &Array2<f64>) -> Array2<f64> {
        x.dot(&self.weights) + &self.bias
    }

    /// The arg-max class of each row (ties go to the lower class).
    pub fn predict(&self, x: &Array2<f64>) -> Vec<usize> {
        self.logits(x)
            .rows()
            .into_iter()
            .map(|row| {
                row.iter()
                    .enumerate()
                    .fold(
                        (0, f64::NEG_INFINITY),
                        |b, (i, &v)| if v > b.1 { (i, v) } else { b },
                    )
                    .0
            })
            .collect()
    }
}

fn one_hot(y: &[usize], k: usize) -> Array2<f64> {
    let mut out = Array2::zeros((y.len(), k));
    for (i, &c) in y.iter().enumerate() {
        out[[i, c]] = 1.0;
    }
    out
}

fn pack(w: &Array2<f64>, b: &Array1<f64>) -> Array1<f64> {
    w.iter().chain(b.iter()).copied().collect()
}

fn unpack(p: &Array1<f64>, d: usize, k: usize) -> (Array2<f64>, Array1<f64>) {
    let w = Array2::from_shape_fn((d, k), |(i, j)| p[i * k + j]);
    let b = Array1::from_shape_fn(k, |j| p[d * k + j]);
    (w, b)
}

fn max_abs(v: &Array1<f64>) -> f64 {
    v.iter().fold(0.0, |m, &x| m.max(x.abs()))
}

/// Mean cross-entropy plus L2 and its gradient, with a max-shifted softmax.
fn loss_and_grad(
    x: &Array2<f64>,
    onehot: &Array2<f64>,
    p: &Array1<f64>,
    d: usize,
    k: usize,
    lambda: f64,
) -> (f64, Array1<f64>) {
    let n = x.nrows().max(1) as f64;
    let (w, b) = unpack(p, d, k);
    let mut probs = x.dot(&w) + &b;
    let mut ce = 0.0;
    for (mut row, target) in probs.rows_mut().into_iter().zip(onehot.rows()) {
        let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        row.mapv_inplace(|v| (v - max).exp());
        let sum = row.sum();
        let log_sum = sum.ln();
        ce -= row
            .iter()
            .zip(target.iter())
            .map(|(&e, &t)| t * (e.ln() - log_sum))
            .sum::<f64>();
        row.mapv_inplace(|e| e / sum);
    }
    let residual = (probs - onehot) / n;
    let grad_w = x.t().dot(&residual) + &w * lambda;
    let grad_b = residual.sum_axis(Axis(0));
    let loss = ce / n + 0.5 * lambda * w.iter().map(|v| v * v).sum::<f64>();
    (loss, pack(&grad_w, &grad_b))
}

/// The L-BFGS two-loop recursion: an approximation of `H⁻¹ g`.
fn two_loop(grad: &Array1<f64>, steps: &[(Array1<f64>, Array1<f64>, f64)]) -> Array1<f64> {
    let mut q = grad.clone();
    let mut alphas = Vec::with_capacity(steps.len());
    for (s, y, rho) in steps.iter().rev() {
        let a = rho * s.dot(&q);
        q = q - y * a;
        alphas.push(a);
    }
    if let Some((s, y, _)) = steps.last() {
        q *= s.dot(y) / y.dot(y);
    }
    for ((s, y, rho), a) in steps.iter().zip(alphas.into_iter().rev()) {
        let beta = rho * y.dot(&q);
        q = q + s * (a - beta);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Central-difference step and the agreement required with the analytic gradient.
    const FD_STEP: f64 = 1e-6;
    const FD_TOLERANCE: f64 = 1e-6;

    #[test]
    fn gradient_matches_finite_differences() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let (n, d, k) = (7, 3, 4);
        let x = Array2::from_shape_fn((n, d), |_| rng.random_range(-1.0..1.0));
        let y: Vec<usize> = (0..n).map(|i| i % k).collect();
        let onehot = one_hot(&y, k);
        let p = Array1::from_shape_fn(d * k + k, |_| rng.random_range(-0.5..0.5));
        let (_, grad) = loss_and_grad(&x, &onehot, &p, d, k, 0.1);
        for i in 0..p.len() {
            let mut plus = p.clone();
            plus[i] += FD_STEP;
            let mut minus = p.clone();
            minus[i] -= FD_STEP;
            let fd = (loss_and_grad(&x, &onehot, &plus, d, k, 0.1).0
                - loss_and_grad(&x, &onehot, &minus, d, k, 0.1).0)
                / (2.0 * FD_STEP);
            assert!(
                (fd - grad[i]).abs() < FD_TOLERANCE,
                "param {i}: fd {fd} vs {}",
                grad[i]
            );
        }
    }

    #[test]
    fn strong_l2_shrinks_weights() {
        let x = Array2::from_shape_fn((20, 2), |(i, j)| {
            (i as f64 - 10.0) * if j == 0 { 1.0 } else { -0.5 }
        });
        let y: Vec<usize> = (0..20).map(|i| usize::from(i >= 10)).collect();
        let weak = LogisticRegression::fit(&x, &y, 2, 1e-4, 500, None);
        let strong = LogisticRegression::fit(&x, &y, 2, 10.0, 500, None);
        let norm = |m: &LogisticRegression| m.weights.iter().map(|v| v * v).sum::<f64>();
        assert!(norm(&strong) < 0.1 * norm(&weak));
        assert!(strong.converged);
        assert_eq!(weak.predict(&x), y);
    }
}
