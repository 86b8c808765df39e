//! The ONNX file tests/burn-import-roundtrip/ turns into Burn code is what the exporter writes
//! today: a fresh export of the fixture's target encoder must equal the committed file byte
//! for byte. Regenerate with `IJEPA_UPDATE_GOLDEN=1 cargo test -p ijepa-exporter --test burn_import_golden`.

mod common;

use anyhow::Result;
use common::*;
use ijepa_exporter::EncoderKind;
use ijepa_exporter::export::{ExportRequest, export_encoder};

#[test]
fn committed_burn_import_model_is_a_fresh_export() -> Result<()> {
    let committed = repo_root().join("tests/burn-import-roundtrip/model/fixture_target.onnx");
    let dir = tempfile::tempdir()?;
    let fresh = dir.path().join("fixture_target.onnx");
    export_encoder(&ExportRequest {
        checkpoint: fixture("checkpoint.pth.tar"),
        config: repo_root().join("configs/tiny.yaml"),
        encoder: EncoderKind::Target,
        out: fresh.clone(),
        image_size: None,
        options: Default::default(),
    })?;
    let fresh_bytes = std::fs::read(&fresh)?;
    if std::env::var("IJEPA_UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::write(&committed, &fresh_bytes)?;
    }
    let committed_bytes = std::fs::read(&committed)?;
    assert!(
        committed_bytes == fresh_bytes,
        "{} differs from a fresh export; rerun with IJEPA_UPDATE_GOLDEN=1 and rerun the \
         tests/burn-import-roundtrip crate",
        committed.display()
    );
    // The committed file is itself a valid, correct export.
    python_check(&[&committed], &[])?;
    Ok(())
}
