//! The optimizer of the official recipe (AdamW with per-group weight decay on a per-step
//! schedule) and the parameter-path utilities it shares with the EMA and checkpoints.

mod adamw;
mod params;

pub use adamw::{AdamW, BETA1, BETA2, EPS, Moments, is_no_decay};
pub use params::{FlatTensor, GradStore, float_params, map_float_params};
