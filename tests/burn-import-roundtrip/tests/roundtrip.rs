//! The burn-import model of the exported target encoder reproduces the official PyTorch
//! outputs on the fixture's `input`.

use std::path::PathBuf;

use burn::tensor::{Tensor, TensorData};
use burn_import_roundtrip::fixture_target::Model;

/// Same float32 computation in another framework (burn-flex instead of PyTorch): only the
/// summation order differs (~1e-6); 1e-4 is far below any real error.
const MAX_ABS: f32 = 1e-4;

fn reference(name: &str) -> (Vec<usize>, Vec<f32>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/official-tiny/reference.safetensors");
    let bytes = std::fs::read(&path).expect("fixture reference.safetensors");
    let st = safetensors::SafeTensors::deserialize(&bytes).expect("safetensors");
    let t = st.tensor(name).expect("reference tensor");
    let data = t
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    (t.shape().to_vec(), data)
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn burn_import_model_matches_the_official_outputs() {
    let device = Default::default();
    let model = Model::default();
    let (shape, input) = reference("input");
    let pixels = Tensor::<4>::from_data(TensorData::new(input, shape), &device);
    let (embeddings, pooled) = model.forward(pixels);
    let (ref_shape, ref_emb) = reference("target_encoder_output");
    let (_, ref_pooled) = reference("target_encoder_mean_pooled");
    assert_eq!(embeddings.dims().to_vec(), ref_shape);
    let emb: Vec<f32> = embeddings
        .into_data()
        .try_to_vec::<f32>()
        .expect("f32 embeddings");
    let pooled: Vec<f32> = pooled.into_data().try_to_vec::<f32>().expect("f32 pooled");
    let (e1, e2) = (
        max_abs_diff(&emb, &ref_emb),
        max_abs_diff(&pooled, &ref_pooled),
    );
    println!("burn-import model: embeddings max abs err {e1:.2e}, pooled {e2:.2e}");
    assert!(e1 <= MAX_ABS, "embeddings differ by {e1}");
    assert!(e2 <= MAX_ABS, "pooled differs by {e2}");
}
