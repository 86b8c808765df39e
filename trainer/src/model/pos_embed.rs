//! Fixed 2D sin-cos position embeddings (official layout) and their bicubic interpolation.
//!
//! Layout, as the official `get_2d_sincos_pos_embed`: token `t = row * grid + col`; channels
//! `[0, D/2)` encode the column and `[D/2, D)` the row; within each half, `sin` then `cos` with
//! frequencies `1 / 10000^(i / (D/4))`. Computed in f64 (as numpy) and rounded to f32.

/// `[grid * grid, embed_dim]` row-major. `embed_dim` must be divisible by 4 (the config checks it).
pub fn sincos_2d(embed_dim: usize, grid: usize) -> Vec<f32> {
    let half = embed_dim / 2;
    let quarter = half / 2;
    let omega: Vec<f64> = (0..quarter)
        .map(|i| 1.0 / 10000f64.powf(i as f64 / quarter as f64))
        .collect();
    let mut out = vec![0f32; grid * grid * embed_dim];
    for row in 0..grid {
        for col in 0..grid {
            let token = &mut out[(row * grid + col) * embed_dim..][..embed_dim];
            for (half_index, pos) in [(0, col), (1, row)] {
                let part = &mut token[half_index * half..][..half];
                for (i, w) in omega.iter().enumerate() {
                    let angle = pos as f64 * w;
                    part[i] = angle.sin() as f32;
                    part[quarter + i] = angle.cos() as f32;
                }
            }
        }
    }
    out
}

/// Cubic convolution weights of PyTorch's bicubic mode (A = -0.75) for a fractional offset `t`.
fn cubic_weights(t: f64) -> [f64; 4] {
    const A: f64 = -0.75;
    let near = |x: f64| ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0;
    let far = |x: f64| ((A * x - 5.0 * A) * x + 8.0 * A) * x - 4.0 * A;
    [far(t + 1.0), near(t), near(1.0 - t), far(2.0 - t)]
}

/// Resamples a `[from_grid^2, dim]` embedding to `[to_grid^2, dim]` with bicubic interpolation
/// (`align_corners=False`, border-clamped, as `F.interpolate(mode='bicubic', size=...)`).
/// `from_grid == to_grid` returns the input unchanged. There is no cls token (I-JEPA has none),
/// which is exactly where the official `interpolate_pos_encoding` breaks.
pub fn interpolate_pos_embed(
    embed: &[f32],
    dim: usize,
    from_grid: usize,
    to_grid: usize,
) -> Vec<f32> {
    if from_grid == to_grid {
        return embed.to_vec();
    }
    let scale = from_grid as f64 / to_grid as f64;
    // For each output coordinate: the four source indices (clamped) and their weights.
    let taps: Vec<([usize; 4], [f64; 4])> = (0..to_grid)
        .map(|o| {
            let src = (o as f64 + 0.5) * scale - 0.5;
            let base = src.floor();
            let weights = cubic_weights(src - base);
            let idx =
                [-1i64, 0, 1, 2].map(|d| (base as i64 + d).clamp(0, from_grid as i64 - 1) as usize);
            (idx, weights)
        })
        .collect();
    let mut out = vec![0f32; to_grid * to_grid * dim];
    for (orow, (rows, wr)) in taps.iter().enumerate() {
        for (ocol, (cols, wc)) in taps.iter().enumerate() {
            let target = &mut out[(orow * to_grid + ocol) * dim..][..dim];
            for (c, value) in target.iter_mut().enumerate() {
                let mut acc = 0f64;
                for (r, wr) in rows.iter().zip(wr) {
                    for (k, wc) in cols.iter().zip(wc) {
                        acc += wr * wc * embed[(r * from_grid + k) * dim + c] as f64;
                    }
                }
                *value = acc as f32;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_half_encodes_the_column() {
        let (dim, grid) = (8, 3);
        let e = sincos_2d(dim, grid);
        // token (row 2, col 0): column half is sin(0)=0, cos(0)=1; row half is not.
        let t = &e[(2 * grid) * dim..][..dim];
        assert_eq!(&t[..4], &[0.0, 0.0, 1.0, 1.0]);
        assert!((t[4] - 2f32.sin()).abs() < 1e-7);
    }

    #[test]
    fn same_grid_is_identity_and_constant_is_kept() {
        let e = sincos_2d(16, 4);
        assert_eq!(interpolate_pos_embed(&e, 16, 4, 4), e);
        let flat = vec![0.5f32; 4 * 4 * 3];
        let up = interpolate_pos_embed(&flat, 3, 4, 7);
        assert_eq!(up.len(), 7 * 7 * 3);
        // Bicubic weights sum to one: a constant field stays constant.
        assert!(up.iter().all(|v| (v - 0.5).abs() < 1e-6));
    }
}
