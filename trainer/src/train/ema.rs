//! The EMA update of the target encoder: `target ← m·target + (1 − m)·context`, per parameter,
//! without gradients (the official `param_k.data.mul_(m).add_((1-m) * param_q)`).

use crate::model::VisionTransformer;
use crate::optim::{float_params, map_float_params};

/// Moves `target` toward `context` with momentum `m`. Parameters are matched by path; the fixed
/// position embedding is identical in both and stays so.
pub fn ema_update(
    target: VisionTransformer,
    context: &VisionTransformer,
    m: f64,
) -> VisionTransformer {
    let ctx = float_params(context);
    map_float_params(target, |path, _rank, t| {
        let q = ctx.get(path)?.values.clone();
        Some(t.mul_scalar(m as f32) + q.mul_scalar((1.0 - m) as f32))
    })
}
