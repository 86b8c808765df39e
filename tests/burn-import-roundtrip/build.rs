//! Turns the committed ONNX export of the fixture's target encoder into Burn code with
//! burn-import's `ModelGen` (the ONNX → Burn code generator), at build time.

fn main() {
    let onnx = "model/fixture_target.onnx";
    println!("cargo:rerun-if-changed={onnx}");
    #[allow(deprecated)]
    burn_import::onnx::ModelGen::new()
        .input(onnx)
        .out_dir("model/")
        .run_from_script();
}
