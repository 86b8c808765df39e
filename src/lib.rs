//! `ijepa`: the CLI crate. Besides dispatching subcommands (`src/commands/`), it owns the one job
//! that spans every crate: [`pipeline`] (render data → pretrain → export → probe → report).
//!
//! Run: `cargo run --release -- pipeline --config configs/demo.yaml`.

pub mod pipeline;
