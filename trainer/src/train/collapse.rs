//! Collapse signals of the target features: the mean per-dimension standard deviation over all
//! tokens of the batch (→ 0 when every token maps to the same vector) and the effective rank
//! (Roy & Vetterli: `exp` of the entropy of the normalised singular values) of the mean-pooled,
//! batch-centred features (→ 1 or below when images stop being told apart).

use burn::tensor::Tensor;

/// Jacobi sweeps for the small symmetric eigenproblem (converges in well under 30 for n ≤ 512).
const JACOBI_SWEEPS: usize = 50;
/// Off-diagonal mass below which the Jacobi iteration stops (relative to the trace).
const JACOBI_TOL: f64 = 1e-12;

/// The two collapse signals of one batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CollapseStats {
    pub target_std: f64,
    pub pooled_erank: f64,
}

/// Signals of target features `[batch, tokens, dim]`.
pub fn collapse_stats(features: Tensor<3>) -> CollapseStats {
    let [b, n, d] = features.dims();
    let tokens = features.clone().reshape([b * n, d]);
    let std = tokens.var(0).sqrt().mean().into_scalar_f64();
    let pooled = features.mean_dim(1).reshape([b, d]);
    let values: Vec<f32> = pooled
        .into_data()
        .convert::<f32>()
        .try_into_vec()
        .unwrap_or_default();
    CollapseStats {
        target_std: std,
        pooled_erank: effective_rank(&values, b, d),
    }
}

trait ScalarF64 {
    fn into_scalar_f64(self) -> f64;
}

impl ScalarF64 for Tensor<1> {
    fn into_scalar_f64(self) -> f64 {
        self.into_data()
            .convert::<f64>()
            .try_into_vec::<f64>()
            .ok()
            .and_then(|v| v.first().copied())
            .unwrap_or(f64::NAN)
    }
}

/// Effective rank of the row-centred `rows × cols` matrix `x` (row-major), via the eigenvalues of
/// its Gram matrix (singular values = their square roots).
pub fn effective_rank(x: &[f32], rows: usize, cols: usize) -> f64 {
    if rows < 2 || x.len() != rows * cols {
        return f64::NAN;
    }
    let mut mean = vec![0.0f64; cols];
    for r in 0..rows {
        for c in 0..cols {
            mean[c] += x[r * cols + c] as f64 / rows as f64;
        }
    }
    let centred: Vec<f64> = (0..rows * cols)
        .map(|i| x[i] as f64 - mean[i % cols])
        .collect();
    let mut gram = vec![0.0f64; rows * rows];
    for i in 0..rows {
        for j in i..rows {
            let dot: f64 = (0..cols)
                .map(|c| centred[i * cols + c] * centred[j * cols + c])
                .sum();
            gram[i * rows + j] = dot;
            gram[j * rows + i] = dot;
        }
    }
    let sv: Vec<f64> = symmetric_eigenvalues(gram, rows)
        .into_iter()
        .map(|e| e.max(0.0).sqrt())
        .collect();
    let total: f64 = sv.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let entropy: f64 = sv
        .iter()
        .map(|s| s / total)
        .filter(|&p| p > 0.0)
        .map(|p| -p * p.ln())
        .sum();
    entropy.exp()
}

/// Eigenvalues of a symmetric `n × n` matrix (cyclic Jacobi rotations).
fn symmetric_eigenvalues(mut a: Vec<f64>, n: usize) -> Vec<f64> {
    let trace: f64 = (0..n)
        .map(|i| a[i * n + i].abs())
        .sum::<f64>()
        .max(f64::MIN_POSITIVE);
    for _ in 0..JACOBI_SWEEPS {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        if off.sqrt() < JACOBI_TOL * trace {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
            }
        }
    }
    (0..n).map(|i| a[i * n + i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_rank_of_known_spectra() {
        // ±e1, ±e2, ±e3: three equal singular values → rank 3; identical rows → 0.
        let x = [
            1.0f32, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 1.0, 0.0,
            0.0, -1.0,
        ];
        let r = effective_rank(&x, 6, 3);
        assert!((r - 3.0).abs() < 1e-6, "{r}");
        let same = [0.5f32; 12];
        assert_eq!(effective_rank(&same, 4, 3), 0.0);
        // One dominant direction → close to 1.
        let x = [10.0f32, 0.0, -10.0, 0.1, 0.0, -0.1];
        let r = effective_rank(&x, 3, 2);
        assert!(r > 1.0 && r < 1.1, "{r}");
    }
}
