//! Embeds images with an exported encoder through the library API and prints the pooled vectors.
//!
//! `cargo run --release -p ijepa-runtime --example embed -- encoder.onnx fixtures/official-tiny/image_0.png`

use ijepa_runtime::{Device, Embedder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let model = args.next().ok_or("usage: embed MODEL.onnx IMAGE...")?;
    let images = args.map(image::open).collect::<Result<Vec<_>, _>>()?;
    let embedder = Embedder::open(&model, Device::Cpu)?;
    let pooled = embedder.embed(&images)?; // [images, dim]
    println!(
        "{model}: crop {} on {}, embeddings {:?}",
        embedder.info().crop_size,
        embedder.device(),
        pooled.dim()
    );
    for (i, row) in pooled.outer_iter().enumerate() {
        let head: Vec<String> = row.iter().take(6).map(|v| format!("{v:.4}")).collect();
        println!("image {i}: [{}, ...]", head.join(", "));
    }
    Ok(())
}
