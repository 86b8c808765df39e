//! Official checkpoint → our ONNX export → our runtime's `embed` job on the fixture PNGs gives the
//! official mean-pooled features: preprocessing, export and runtime are the official model.

use ijepa_exporter::{EncoderKind, ExportOptions, ExportRequest, export_encoder};
use ijepa_runtime::embed_files::{EmbedFilesOptions, embed_files};
use ijepa_runtime::{Device, Embedder};
use ijepa_tests::{max_abs_diff, official_tiny, reference};

/// PNG decode + ÷255 + normalize in f32, then a float32 ONNX Runtime forward: ~1e-6 typical.
const POOLED_TOL: f32 = 1e-4;

#[test]
fn embed_of_the_fixture_pngs_equals_the_official_pooled_features() {
    let dir = tempfile::tempdir().expect("tempdir");
    let refs = reference();
    let images: Vec<_> = (0..3)
        .map(|i| official_tiny().join(format!("image_{i}.png")))
        .collect();
    for (kind, key) in [
        (EncoderKind::Target, "target_encoder_mean_pooled"),
        (EncoderKind::Context, "context_encoder_mean_pooled"),
    ] {
        let onnx = dir.path().join(format!("{}.onnx", kind.as_str()));
        export_encoder(&ExportRequest {
            checkpoint: official_tiny().join("checkpoint.pth.tar"),
            config: official_tiny().join("config.yaml"),
            encoder: kind,
            out: onnx.clone(),
            image_size: None,
            options: ExportOptions::default(),
        })
        .expect("export");
        let embedder = Embedder::open(&onnx, Device::Cpu).expect("open ONNX");
        let npy = dir.path().join(format!("{key}.npy"));
        let report = embed_files(
            &embedder,
            &images,
            &npy,
            EmbedFilesOptions::default(),
            &mut |_| {},
        )
        .expect("embed");
        assert_eq!(report.shape, vec![3, 64]);
        let (shape, values) = ijepa_runtime::npy::read_f32(&npy).expect("read npy");
        assert_eq!(shape, vec![3, 64]);
        let err = max_abs_diff(&values, &refs[key].f32);
        assert!(err <= POOLED_TOL, "{key}: max abs error {err:e}");
        eprintln!("{key}: max abs error {err:e}");
        let listed = std::fs::read_to_string(&report.list).expect("path list");
        assert_eq!(listed.lines().count(), 3);
    }
}
