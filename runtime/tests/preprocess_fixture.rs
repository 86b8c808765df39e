//! Preprocessing is the official one: the fixture PNGs become the fixture's `input` tensor.

mod common;

use ijepa_runtime::preprocess::Preprocess;

/// `input` was computed by torchvision in float32 with the same operation order (÷255, −mean, ÷std);
/// 1e-6 allows for a last-bit difference in division rounding only.
const PREPROCESS_TOL: f32 = 1e-6;

#[test]
fn fixture_pngs_preprocess_to_the_reference_input() -> anyhow::Result<()> {
    let preprocess = Preprocess {
        crop_size: 48,
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225],
    };
    let ours = preprocess.batch(&common::fixture_images()?);
    let reference = common::reference_input()?;
    assert_eq!(ours.shape(), reference.shape());
    let diff = common::max_abs_diff(&ours, &reference);
    assert!(
        diff <= PREPROCESS_TOL,
        "max |ours - reference input| = {diff}"
    );
    Ok(())
}

#[test]
fn mean_and_std_are_the_ones_the_fixture_used() -> anyhow::Result<()> {
    // A different normalization must not pass the same check, or the test above proves nothing.
    let other = Preprocess {
        crop_size: 48,
        mean: [0.5; 3],
        std: [0.5; 3],
    };
    let diff = common::max_abs_diff(
        &other.batch(&common::fixture_images()?),
        &common::reference_input()?,
    );
    assert!(diff > 0.01, "{diff}");
    Ok(())
}
