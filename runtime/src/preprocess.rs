//! Image preprocessing, the same as the official evaluation transform in torchvision terms:
//! `Resize(crop)` (shorter side to `crop`, bilinear with antialiasing, as torchvision does for PIL
//! images), `CenterCrop(crop)`, `ToTensor()` (÷255) and `Normalize(mean, std)`.
//!
//! Any image becomes RGB 8-bit first (grey is replicated, alpha dropped, 16-bit rounded to 8-bit).
//! An image that already is `crop`×`crop` is not resampled, so fixture images pass through exactly.

use image::imageops::FilterType;
use image::{DynamicImage, RgbImage};
use ndarray::{Array4, ArrayViewMut3};
use rayon::prelude::*;

/// How one image becomes the model's input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Preprocess {
    /// Side of the square model input.
    pub crop_size: u32,
    pub mean: [f32; 3],
    pub std: [f32; 3],
}

impl Preprocess {
    /// Resizes, crops and normalizes a batch into `[batch, 3, crop, crop]` (resampling in parallel).
    pub fn batch(&self, images: &[DynamicImage]) -> Array4<f32> {
        let side = self.crop_size as usize;
        let cropped: Vec<RgbImage> = images
            .par_iter()
            .map(|image| self.resize_and_crop(image))
            .collect();
        let mut out = Array4::<f32>::zeros((images.len(), 3, side, side));
        for (slot, image) in out.outer_iter_mut().zip(&cropped) {
            self.write_normalized(image, slot);
        }
        out
    }

    /// RGB 8-bit, shorter side resized to the crop size, center-cropped to a square.
    pub fn resize_and_crop(&self, image: &DynamicImage) -> RgbImage {
        let rgb = image.to_rgb8();
        let crop = self.crop_size;
        let (w, h) = rgb.dimensions();
        if (w, h) == (crop, crop) {
            return rgb;
        }
        let (new_w, new_h) = resized_size(w, h, crop);
        let resized = if (new_w, new_h) == (w, h) {
            rgb
        } else {
            image::imageops::resize(&rgb, new_w, new_h, FilterType::Triangle)
        };
        let left = center_offset(new_w, crop);
        let top = center_offset(new_h, crop);
        image::imageops::crop_imm(&resized, left, top, crop, crop).to_image()
    }

    /// `ToTensor` then `Normalize`, in f32 and in that order (bit-for-bit what torchvision computes).
    ///
    /// # Shapes
    /// `image` is `crop`×`crop`; `out` is `[3, crop, crop]`.
    pub fn write_normalized(&self, image: &RgbImage, mut out: ArrayViewMut3<f32>) {
        for (x, y, pixel) in image.enumerate_pixels() {
            for c in 0..3 {
                let value = f32::from(pixel[c]) / 255.0;
                out[[c, y as usize, x as usize]] = (value - self.mean[c]) / self.std[c];
            }
        }
    }
}

/// torchvision `Resize(size)` with an int: the shorter side becomes `size`, the longer one
/// `int(size * long / short)` (truncated).
pub fn resized_size(w: u32, h: u32, size: u32) -> (u32, u32) {
    let long_of =
        |long: u32, short: u32| ((u64::from(size) * u64::from(long)) / u64::from(short)) as u32;
    if w <= h {
        (size, long_of(h, w))
    } else {
        (long_of(w, h), size)
    }
}

/// torchvision `CenterCrop`: `int(round((len - crop) / 2))`, Python's round (half to even).
/// A side shorter than `crop` cannot happen after [`resized_size`].
pub fn center_offset(len: u32, crop: u32) -> u32 {
    let diff = len.saturating_sub(crop);
    let half = diff / 2;
    if diff % 2 == 1 && half % 2 == 1 {
        half + 1
    } else {
        half
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Luma, Rgb, Rgba};

    const IMAGENET: Preprocess = Preprocess {
        crop_size: 4,
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225],
    };

    #[test]
    fn resize_matches_torchvision_sizes() {
        assert_eq!(resized_size(64, 48, 48), (64, 48));
        assert_eq!(resized_size(100, 50, 48), (96, 48));
        assert_eq!(resized_size(50, 77, 48), (48, 73)); // 48 * 77 / 50 = 73.92 -> 73
        assert_eq!(resized_size(24, 24, 48), (48, 48));
    }

    #[test]
    fn center_crop_rounds_half_to_even_like_python() {
        assert_eq!(center_offset(48, 48), 0);
        assert_eq!(center_offset(49, 48), 0); // round(0.5) = 0
        assert_eq!(center_offset(51, 48), 2); // round(1.5) = 2
        assert_eq!(center_offset(53, 48), 2); // round(2.5) = 2
        assert_eq!(center_offset(58, 48), 5);
    }

    #[test]
    fn same_size_rgb_is_untouched_and_normalized_in_chw() {
        let image = ImageBuffer::from_fn(4, 4, |x, y| Rgb([(x * 60) as u8, (y * 60) as u8, 255]));
        let batch = IMAGENET.batch(&[DynamicImage::ImageRgb8(image)]);
        assert_eq!(batch.shape(), &[1, 3, 4, 4]);
        let expect = |v: u8, c: usize| (f32::from(v) / 255.0 - IMAGENET.mean[c]) / IMAGENET.std[c];
        assert_eq!(batch[[0, 0, 1, 2]], expect(120, 0));
        assert_eq!(batch[[0, 1, 3, 0]], expect(180, 1));
        assert_eq!(batch[[0, 2, 0, 0]], expect(255, 2));
    }

    #[test]
    fn grey_rgba_and_16_bit_become_rgb8() {
        let grey = DynamicImage::ImageLuma8(ImageBuffer::from_pixel(4, 4, Luma([100u8])));
        let rgba =
            DynamicImage::ImageRgba8(ImageBuffer::from_pixel(4, 4, Rgba([100u8, 100, 100, 0])));
        let wide = DynamicImage::ImageRgb16(ImageBuffer::from_pixel(4, 4, Rgb([100u16 * 257; 3])));
        let batch = IMAGENET.batch(&[grey, rgba, wide]);
        let first = batch.index_axis(ndarray::Axis(0), 0).to_owned();
        for i in 1..3 {
            assert_eq!(batch.index_axis(ndarray::Axis(0), i), first);
        }
    }

    #[test]
    fn larger_images_are_resized_then_center_cropped() {
        // 8x4, left half black, right half white: shorter side 4 is already the crop, so only the crop
        // acts, and it keeps columns 2..6 (two black, two white).
        let image = ImageBuffer::from_fn(8, 4, |x, _| {
            if x < 4 {
                Rgb([0u8; 3])
            } else {
                Rgb([255u8; 3])
            }
        });
        let cropped = IMAGENET.resize_and_crop(&DynamicImage::ImageRgb8(image));
        assert_eq!(cropped.dimensions(), (4, 4));
        let row: Vec<u8> = (0..4).map(|x| cropped.get_pixel(x, 0)[0]).collect();
        assert_eq!(row, vec![0, 0, 255, 255]);
        // A uniform 16x12 image stays uniform after resampling to 5x4 and cropping.
        let flat = DynamicImage::ImageRgb8(ImageBuffer::from_pixel(16, 12, Rgb([77u8, 88, 99])));
        let out = IMAGENET.resize_and_crop(&flat);
        assert_eq!(out.dimensions(), (4, 4));
        assert!(out.pixels().all(|p| p.0 == [77, 88, 99]));
    }
}
