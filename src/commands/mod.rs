//! Subcommands: each file holds one clap `Args` struct and a `run` that calls a library function.

mod bench;
mod data;
mod embed;
mod export;
mod inspect;
mod pipeline;
mod probe;
mod train;

use clap::{Parser, Subcommand};

/// I-JEPA in Rust: train, export to ONNX, embed, benchmark and probe.
#[derive(Parser, Debug)]
#[command(name = "ijepa", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List what an official (or ijepa-rs) checkpoint holds and the architecture it implies.
    Inspect(inspect::Args),
    /// Write an encoder (context or target) to ONNX.
    Export(export::Args),
    /// Embed images through an exported ONNX encoder into a `.npy` file.
    Embed(embed::Args),
    /// Measure ONNX Runtime latency and throughput of an exported encoder.
    Bench(bench::Args),
    /// Make data sets (a synthetic CLEVR renderer).
    #[command(subcommand)]
    Data(data::DataCommand),
    /// Linear-probe evaluation (Clevr/Count, Clevr/Dist) of an exported encoder.
    Probe(probe::Args),
    /// Pretrain I-JEPA.
    Train(train::Args),
    /// Render data, pretrain, export, probe and write a report: the main job.
    Pipeline(pipeline::Args),
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Export(args) => export::run(args),
        Command::Embed(args) => embed::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Data(cmd) => data::run(cmd),
        Command::Probe(args) => probe::run(args),
        Command::Train(args) => train::run(args),
        Command::Pipeline(args) => pipeline::run(args),
    }
}
