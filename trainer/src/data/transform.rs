//! Augmentations of the official `make_transforms`: torchvision's `RandomResizedCrop` (scale
//! `crop_scale`, ratio 3/4–4/3, bilinear resize), an optional horizontal flip, `ToTensor` and
//! `Normalize`. Colour distortion and blur (off in every official config) are not implemented.

use image::{RgbImage, imageops::FilterType};
use rand::Rng;

/// ImageNet channel means (the official normalisation).
pub const IMAGENET_MEAN: [f32; 3] = [0.485, 0.456, 0.406];
/// ImageNet channel standard deviations.
pub const IMAGENET_STD: [f32; 3] = [0.229, 0.224, 0.225];
/// torchvision's default aspect-ratio range of `RandomResizedCrop`.
const RATIO: [f64; 2] = [3.0 / 4.0, 4.0 / 3.0];
/// Attempts before torchvision falls back to a centre crop.
const CROP_ATTEMPTS: usize = 10;

/// Augmentation settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TransformConfig {
    pub crop_size: usize,
    pub crop_scale: [f64; 2],
    pub horizontal_flip: bool,
    pub mean: [f32; 3],
    pub std: [f32; 3],
}

/// torchvision `RandomResizedCrop.get_params`: `(top, left, height, width)` of the crop.
pub fn crop_params(rng: &mut impl Rng, height: u32, width: u32, scale: [f64; 2]) -> [u32; 4] {
    let area = height as f64 * width as f64;
    let (lo, hi) = (RATIO[0].ln(), RATIO[1].ln());
    for _ in 0..CROP_ATTEMPTS {
        let target_area = area * rng.random_range(scale[0]..=scale[1]);
        let aspect = rng.random_range(lo..=hi).exp();
        let w = (target_area * aspect).sqrt().round() as u32;
        let h = (target_area / aspect).sqrt().round() as u32;
        if 0 < w && w <= width && 0 < h && h <= height {
            let top = rng.random_range(0..=height - h);
            let left = rng.random_range(0..=width - w);
            return [top, left, h, w];
        }
    }
    let in_ratio = width as f64 / height as f64;
    let (h, w) = if in_ratio < RATIO[0] {
        ((width as f64 / RATIO[0]).round() as u32, width)
    } else if in_ratio > RATIO[1] {
        (height, (height as f64 * RATIO[1]).round() as u32)
    } else {
        (height, width)
    };
    let (h, w) = (h.min(height), w.min(width));
    [(height - h) / 2, (width - w) / 2, h, w]
}

/// Crops, resizes, maybe flips and normalises `img` into `out` (`[3, crop, crop]`, CHW).
pub fn transform_image(img: &RgbImage, cfg: &TransformConfig, rng: &mut impl Rng, out: &mut [f32]) {
    let [top, left, h, w] = crop_params(rng, img.height(), img.width(), cfg.crop_scale);
    let crop = image::imageops::crop_imm(img, left, top, w, h).to_image();
    let size = cfg.crop_size as u32;
    let resized = image::imageops::resize(&crop, size, size, FilterType::Triangle);
    let flip = cfg.horizontal_flip && rng.random_bool(0.5);
    let n = cfg.crop_size * cfg.crop_size;
    for (x, y, px) in resized.enumerate_pixels() {
        let col = if flip { size - 1 - x } else { x } as usize;
        let idx = y as usize * cfg.crop_size + col;
        for c in 0..3 {
            out[c * n + idx] = (px[c] as f32 / 255.0 - cfg.mean[c]) / cfg.std[c];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn crops_stay_inside_and_cover_the_scale_range() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        let (mut min_frac, mut max_frac) = (1.0f64, 0.0f64);
        for _ in 0..2000 {
            let [t, l, h, w] = crop_params(&mut rng, 60, 80, [0.3, 1.0]);
            assert!(t + h <= 60 && l + w <= 80 && h > 0 && w > 0);
            let frac = (h * w) as f64 / 4800.0;
            min_frac = min_frac.min(frac);
            max_frac = max_frac.max(frac);
            let r = w as f64 / h as f64;
            assert!(r > 0.7 && r < 1.45, "aspect {r} near 3/4..4/3");
        }
        assert!(min_frac < 0.33 && max_frac > 0.9, "{min_frac} {max_frac}");
    }

    #[test]
    fn full_crop_without_flip_is_to_tensor_then_normalize() {
        let img = RgbImage::from_fn(4, 4, |x, y| image::Rgb([(x * 60) as u8, (y * 60) as u8, 7]));
        let cfg = TransformConfig {
            crop_size: 4,
            crop_scale: [1.0, 1.0],
            horizontal_flip: false,
            mean: IMAGENET_MEAN,
            std: IMAGENET_STD,
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut out = vec![0.0; 48];
        transform_image(&img, &cfg, &mut rng, &mut out);
        // Pixel (x=2, y=1): R = 120 → channel 0 at index 1·4 + 2.
        let want = (120.0 / 255.0 - 0.485) / 0.229;
        assert!((out[6] - want).abs() < 1e-6, "{} vs {want}", out[6]);
        let want_g = (60.0 / 255.0 - 0.456) / 0.224;
        assert!((out[16 + 6] - want_g).abs() < 1e-6);
    }
}
