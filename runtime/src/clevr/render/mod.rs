//! A small CPU ray tracer for synthetic CLEVR: CLEVR's shapes, sizes, colors and materials on a
//! ground plane, seen by a jittered CLEVR-like camera, written in the CLEVR v1.0 layout.
//!
//! Deterministic: image `i` of split `s` depends only on (seed, s, i) (see [`image_seed`]);
//! images render in parallel with rayon.

mod camera;
mod dataset;
mod layout;
mod math;
mod shapes;
mod trace;

pub use camera::{CLEVR_CAMERA, TAN_HALF_FOV_X};
pub use dataset::{RenderConfig, RenderReport, SplitReport, render_dataset};
pub use layout::{Rendered, image_seed, render_scene};
