//! Writes one of each plot to a folder: `cargo run --release -p ijepa-plots --example demo -- OUT_DIR`.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let series = vec![
        ijepa_plots::Series {
            name: "train".into(),
            points: (0..100)
                .map(|i| (i as f64, (-(i as f64) / 30.0).exp()))
                .collect(),
        },
        ijepa_plots::Series {
            name: "val".into(),
            points: (0..10)
                .map(|i| (i as f64 * 10.0, 0.1 + (-(i as f64) / 3.0).exp()))
                .collect(),
        },
    ];
    ijepa_plots::line_chart(&out.join("line.png"), "Loss", "step", "loss", &series)?;
    let m = vec![
        vec![50.0, 3.0, 0.0],
        vec![4.0, 40.0, 9.0],
        vec![0.0, 12.0, 33.0],
    ];
    let l: Vec<String> = ["0", "1", "2"].iter().map(|s| s.to_string()).collect();
    ijepa_plots::heatmap(&out.join("heat.png"), "Confusion (rows: true)", &m, &l, &l)?;
    let imgs: Vec<image::RgbImage> = (0..6u8)
        .map(|i| image::RgbImage::from_pixel(64, 64, image::Rgb([i * 40, 100, 200])))
        .collect();
    let caps: Vec<String> = (0..6).map(|i| format!("count {i} dist 2")).collect();
    ijepa_plots::image_grid(&out.join("grid.png"), &imgs, &caps, 4)?;
    Ok(())
}
