//! `ijepa`: one CLI for I-JEPA — train, export to ONNX, embed, benchmark and probe.
//!
//! Each subcommand is a thin wrapper over a library function (see `src/commands/`).
//! Try: `cargo run --release -- inspect --checkpoint fixtures/official-tiny/checkpoint.pth.tar`.

mod commands;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = commands::Cli::parse();
    match commands::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
