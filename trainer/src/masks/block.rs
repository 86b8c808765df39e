//! Block geometry for the multi-block sampler: block sizes from a scale/aspect range and block
//! placement on the patch grid.
//!
//! Mirrors `_sample_block_size` / `_sample_block_mask` of the official
//! `src/masks/multiblock.py` (reimplemented, not copied), including its quirks: one uniform draw
//! sets both the scale and the aspect ratio, and in [`MaskMode::Official`] a block side is at most
//! `grid - 1` and its top-left corner is drawn from an exclusive range, so the last patch row and
//! column are never covered.

use rand::Rng;

pub use crate::config::MaskMode;

/// A block size in patches: `h` rows by `w` columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockSize {
    pub h: usize,
    pub w: usize,
}

impl BlockSize {
    /// Number of patches the block covers.
    pub fn area(self) -> usize {
        self.h * self.w
    }
}

/// The block size that the uniform draw `u` in `[0, 1)` gives on a `grid_h × grid_w` grid.
///
/// The same `u` interpolates both the scale and the aspect ratio (as the official code does).
pub fn block_size_from_uniform(
    u: f64,
    grid_h: usize,
    grid_w: usize,
    scale: [f64; 2],
    aspect: [f64; 2],
    mode: MaskMode,
) -> BlockSize {
    let mask_scale = scale[0] + u * (scale[1] - scale[0]);
    let max_keep = ((grid_h * grid_w) as f64 * mask_scale) as usize;
    let ratio = aspect[0] + u * (aspect[1] - aspect[0]);
    // Python's round() is half-to-even; `round_ties_even` matches it.
    let h = ((max_keep as f64) * ratio).sqrt().round_ties_even() as usize;
    let w = ((max_keep as f64) / ratio).sqrt().round_ties_even() as usize;
    let (max_h, max_w) = match mode {
        MaskMode::Official => (grid_h.saturating_sub(1), grid_w.saturating_sub(1)),
        MaskMode::Fixed => (grid_h, grid_w),
    };
    BlockSize {
        h: h.min(max_h),
        w: w.min(max_w),
    }
}

/// The smallest block any draw can give, found by scanning `u` over `[0, 1]`.
///
/// `SCAN_POINTS` is fine enough that every plateau of the piecewise-constant size function on
/// grids up to 64×64 is hit (each plateau spans at least one patch of area, i.e. a `u` interval
/// of at least `1 / (grid² · scale range)` ≫ `1 / SCAN_POINTS`).
pub fn smallest_block(
    grid_h: usize,
    grid_w: usize,
    scale: [f64; 2],
    aspect: [f64; 2],
    mode: MaskMode,
) -> BlockSize {
    const SCAN_POINTS: usize = 200_000;
    let mut best = block_size_from_uniform(0.0, grid_h, grid_w, scale, aspect, mode);
    for i in 1..SCAN_POINTS {
        let u = i as f64 / SCAN_POINTS as f64;
        let size = block_size_from_uniform(u, grid_h, grid_w, scale, aspect, mode);
        if size.area() < best.area() {
            best = size;
        }
    }
    best
}

/// Draws the top-left corner of a block of `size` (exclusive upper bound in official mode).
pub fn sample_corner(
    rng: &mut impl Rng,
    grid_h: usize,
    grid_w: usize,
    size: BlockSize,
    mode: MaskMode,
) -> (usize, usize) {
    let slack = match mode {
        MaskMode::Official => 0,
        MaskMode::Fixed => 1,
    };
    // Official: randint(0, H - h) → [0, H - h - 1]; fixed: [0, H - h].
    let top_range = (grid_h - size.h + slack).max(1);
    let left_range = (grid_w - size.w + slack).max(1);
    (
        rng.random_range(0..top_range),
        rng.random_range(0..left_range),
    )
}

/// A `grid_h × grid_w` row-major boolean mask with the block at `(top, left)` set.
pub fn block_mask(
    grid_h: usize,
    grid_w: usize,
    top: usize,
    left: usize,
    size: BlockSize,
) -> Vec<bool> {
    let mut mask = vec![false; grid_h * grid_w];
    for r in top..(top + size.h).min(grid_h) {
        for c in left..(left + size.w).min(grid_w) {
            mask[r * grid_w + c] = true;
        }
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_sizes_match_hand_computed_values() {
        // 14×14 grid, scale 0.15 at u=0: max_keep = int(196·0.15) = 29; aspect 0.75:
        // h = round(sqrt(21.75)) = 5, w = round(sqrt(38.67)) = 6.
        let s = block_size_from_uniform(0.0, 14, 14, [0.15, 0.2], [0.75, 1.5], MaskMode::Official);
        assert_eq!(s, BlockSize { h: 5, w: 6 });
        // Context at scale 1.0 is clamped to grid - 1 officially, to the grid when fixed.
        let c = block_size_from_uniform(1.0, 14, 14, [0.85, 1.0], [1.0, 1.0], MaskMode::Official);
        assert_eq!(c, BlockSize { h: 13, w: 13 });
        let f = block_size_from_uniform(1.0, 14, 14, [0.85, 1.0], [1.0, 1.0], MaskMode::Fixed);
        assert_eq!(f, BlockSize { h: 14, w: 14 });
    }

    #[test]
    fn official_corner_never_reaches_last_row_fixed_does() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let size = BlockSize { h: 2, w: 2 };
        let (mut off_max, mut fix_max) = (0, 0);
        for _ in 0..500 {
            off_max = off_max.max(sample_corner(&mut rng, 6, 6, size, MaskMode::Official).0);
            fix_max = fix_max.max(sample_corner(&mut rng, 6, 6, size, MaskMode::Fixed).0);
        }
        assert_eq!(
            off_max + size.h,
            5,
            "official blocks end before the last row"
        );
        assert_eq!(fix_max + size.h, 6, "fixed blocks reach the last row");
    }

    #[test]
    fn smallest_block_on_a_4x4_grid_is_one_patch() {
        // u = 1/3: scale 1/6 → max_keep int(2.67) = 2, aspect 1 → 1×1.
        let s = smallest_block(4, 4, [0.15, 0.2], [0.75, 1.5], MaskMode::Official);
        assert_eq!(s, BlockSize { h: 1, w: 1 });
    }
}
