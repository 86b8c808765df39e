//! `ijepa-trainer`: the I-JEPA model in Burn (ViT context/target encoder, narrow-ViT predictor),
//! official-layout YAML configs, official `.pth.tar` checkpoint import, and pretraining.
//!
//! Run: `cargo run --release -- inspect --checkpoint fixtures/official-tiny/checkpoint.pth.tar`.

pub mod checkpoint;
pub mod config;
pub mod model;

pub mod data;
pub mod masks;
pub mod optim;
pub mod schedules;
pub mod train;
