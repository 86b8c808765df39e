//! `ijepa export --checkpoint FILE --config FILE.yaml --out FILE.onnx`: an encoder to ONNX.

use std::path::PathBuf;
use std::time::Duration;

use ijepa_exporter::export::{ExportRequest, export_encoder};
use ijepa_exporter::{DEFAULT_OPSET, EncoderKind, ExportOptions, GraphOptions};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Encoder {
    /// The context encoder (`encoder`): the design's exported model.
    Context,
    /// The EMA target encoder (`target_encoder`): what the paper evaluates.
    Target,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// An official `.pth.tar` checkpoint or one written by `ijepa train`.
    #[arg(long)]
    checkpoint: PathBuf,
    /// The YAML config the checkpoint was trained with (official layout).
    #[arg(long)]
    config: PathBuf,
    /// Which encoder to export.
    #[arg(long, value_enum, default_value = "context")]
    encoder: Encoder,
    /// Output file; weights over 2 GB go to `<out>.data` next to it.
    #[arg(long)]
    out: PathBuf,
    /// Input size to bake in (interpolates the position embedding); default the crop size.
    #[arg(long)]
    image_size: Option<usize>,
    /// Float16 weights and compute (float32 input/outputs, LayerNorm/Softmax in float32).
    #[arg(long)]
    fp16: bool,
    /// ONNX opset: 17, 18, 19 or 20.
    #[arg(long, default_value_t = DEFAULT_OPSET)]
    opset: i64,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let request = ExportRequest {
        checkpoint: args.checkpoint,
        config: args.config,
        encoder: match args.encoder {
            Encoder::Context => EncoderKind::Context,
            Encoder::Target => EncoderKind::Target,
        },
        out: args.out,
        image_size: args.image_size,
        options: ExportOptions {
            graph: GraphOptions {
                opset: args.opset,
                fp16: args.fp16,
            },
            ..Default::default()
        },
    };
    let spinner = ProgressBar::new_spinner()
        .with_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")?)
        .with_message(format!("exporting {}", request.out.display()));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let written = export_encoder(&request);
    spinner.finish_and_clear();
    let written = written?;
    println!(
        "wrote {} ({:.1} MB of weights{})",
        written.model.display(),
        written.weight_bytes as f64 / 1e6,
        match &written.external_data {
            Some(p) => format!(", external data in {}", p.display()),
            None => String::new(),
        }
    );
    Ok(())
}
