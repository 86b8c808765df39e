//! `ijepa data clevr --out DIR --train N --val M [--test K] --seed S [--size WxH]`: render a
//! synthetic CLEVR data set in the CLEVR v1.0 layout, print its class histograms and write a
//! contact sheet (`DIR/contact_sheet.png`).

use std::path::PathBuf;

use ijepa_runtime::clevr::render::{RenderConfig, render_dataset};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(clap::Subcommand, Debug)]
pub enum DataCommand {
    /// Render a synthetic CLEVR v1.0-layout data set.
    Clevr(ClevrArgs),
}

#[derive(clap::Args, Debug)]
pub struct ClevrArgs {
    /// Output folder (gets `images/<split>/` and `scenes/`).
    #[arg(long)]
    out: PathBuf,
    /// Training images.
    #[arg(long)]
    train: usize,
    /// Validation images.
    #[arg(long)]
    val: usize,
    /// Test images (none by default).
    #[arg(long, default_value_t = 0)]
    test: usize,
    /// Seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Image size, WIDTHxHEIGHT (CLEVR v1.0 is 480x320).
    #[arg(long, default_value = "480x320", value_parser = parse_size)]
    size: (u32, u32),
}

fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("size `{text}` must look like 480x320");
    let (w, h) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    let (w, h) = (
        w.trim().parse::<u32>().map_err(|_| bad())?,
        h.trim().parse::<u32>().map_err(|_| bad())?,
    );
    if w == 0 || h == 0 {
        return Err(bad());
    }
    Ok((w, h))
}

pub fn run(cmd: DataCommand) -> anyhow::Result<()> {
    let DataCommand::Clevr(args) = cmd;
    let splits: Vec<(String, usize)> = [
        ("train", args.train),
        ("val", args.val),
        ("test", args.test),
    ]
    .into_iter()
    .filter(|&(_, n)| n > 0)
    .map(|(s, n)| (s.to_string(), n))
    .collect();
    let total: usize = splits.iter().map(|(_, n)| n).sum();
    let config = RenderConfig {
        out: args.out,
        splits,
        seed: args.seed,
        width: args.size.0,
        height: args.size.1,
    };
    let bar = ProgressBar::new(total as u64);
    bar.set_style(ProgressStyle::with_template(
        "{bar:40} {pos}/{len} images {elapsed} (eta {eta})",
    )?);
    let report = render_dataset(&config, &|| bar.inc(1))?;
    bar.finish_and_clear();
    println!(
        "rendered {total} images ({}x{}) in {:.1} s into {}",
        config.width,
        config.height,
        report.seconds,
        config.out.display()
    );
    println!("class histograms (class 0 first; count = objects - 3, dist = VTAB depth bins):");
    print!("{}", report.table());
    println!("contact sheet: {}", report.contact_sheet.display());
    Ok(())
}
