//! `ijepa inspect --checkpoint FILE.pth.tar`: entries, tensors and the inferred architecture.

use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// An official `.pth.tar` checkpoint (or any PyTorch file holding an I-JEPA state dict).
    #[arg(long)]
    checkpoint: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let report = ijepa_trainer::checkpoint::inspect(&args.checkpoint)?;
    print!("{report}");
    Ok(())
}
