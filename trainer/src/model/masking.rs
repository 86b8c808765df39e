//! Token gathering by patch index, as the official `apply_masks` and `repeat_interleave_batch`.

use burn::prelude::*;

/// Keeps, for each mask, the listed tokens of every image, and stacks the results mask-major.
///
/// # Shapes
/// - x: `[batch, tokens, dim]`
/// - each mask: `[batch, keep]` patch indices (all masks share `keep`)
/// - output: `[batch * masks.len(), keep, dim]` (mask 0 for every image, then mask 1, ...)
pub fn apply_masks(x: Tensor<3>, masks: &[Tensor<2, Int>]) -> Tensor<3> {
    let [batch, tokens, dim] = x.dims();
    let device = x.device();
    let flat = x.reshape([batch * tokens, dim]);
    let offsets = Tensor::<1, Int>::arange(0..batch as i64, &device)
        .mul_scalar(tokens as i64)
        .reshape([batch, 1]);
    let gathered: Vec<Tensor<3>> = masks
        .iter()
        .map(|mask| {
            let [mask_batch, keep] = mask.dims();
            assert_eq!(
                mask_batch, batch,
                "apply_masks: a mask has {mask_batch} rows for a batch of {batch}"
            );
            let index = (mask.clone() + offsets.clone()).reshape([batch * keep]);
            flat.clone().select(0, index).reshape([batch, keep, dim])
        })
        .collect();
    Tensor::cat(gathered, 0)
}

/// Repeats each block of `batch` rows `repeat` times in place (official `repeat_interleave_batch`).
///
/// # Shapes
/// - x: `[n * batch, k, dim]` → `[n * repeat * batch, k, dim]`
pub fn repeat_interleave_batch(x: Tensor<3>, batch: usize, repeat: usize) -> Tensor<3> {
    let [rows, k, dim] = x.dims();
    let n = rows / batch;
    x.reshape([n, 1, batch, k, dim])
        .repeat_dim(1, repeat)
        .reshape([n * repeat * batch, k, dim])
}

/// One mask tensor `[batch, keep]` from per-image index lists of equal length.
pub fn masks_from_rows(rows: &[Vec<i64>], device: &Device) -> Tensor<2, Int> {
    let keep = rows.first().map_or(0, Vec::len);
    let flat: Vec<i64> = rows.iter().flatten().copied().collect();
    Tensor::<1, Int>::from_data(TensorData::new(flat, [rows.len() * keep]), device)
        .reshape([rows.len(), keep])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathers_mask_major_and_repeats_blocks() {
        let device = Device::flex();
        // x[b, t, 0] = 10 * b + t
        let values: Vec<f32> = (0..2)
            .flat_map(|b| (0..4).map(move |t| (10 * b + t) as f32))
            .collect();
        let x = Tensor::<1>::from_data(TensorData::new(values, [8]), &device).reshape([2, 4, 1]);
        let m0 = masks_from_rows(&[vec![3, 1], vec![0, 2]], &device);
        let m1 = masks_from_rows(&[vec![2, 2], vec![1, 3]], &device);
        let out = apply_masks(x, &[m0, m1]);
        let got: Vec<f32> = out.clone().into_data().try_to_vec().expect("f32");
        assert_eq!(got, vec![3., 1., 10., 12., 2., 2., 11., 13.]);
        let rep = repeat_interleave_batch(out, 2, 2);
        let got: Vec<f32> = rep.into_data().try_to_vec().expect("f32");
        assert_eq!(
            got,
            vec![
                3., 1., 10., 12., 3., 1., 10., 12., 2., 2., 11., 13., 2., 2., 11., 13.
            ]
        );
    }
}
