//! `burn-import-roundtrip`: the ijepa-rs ONNX export of `fixtures/official-tiny`'s target
//! encoder, turned into Burn code by burn-import at build time (see `build.rs`), as proof
//! that the exported graph is plain standard ONNX.
//!
//! Run: `cd tests/burn-import-roundtrip && CARGO_TARGET_DIR=/work/target-bir cargo test`.
//! The ONNX file is regenerated and compared by `cargo test -p ijepa-exporter --test burn_import_golden`.

/// The generated model (`Model::default()` loads the weights burn-import wrote).
#[allow(clippy::all, unused, dead_code)]
pub mod fixture_target {
    include!(concat!(env!("OUT_DIR"), "/model/fixture_target.rs"));
}
