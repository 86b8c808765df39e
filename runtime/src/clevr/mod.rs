//! CLEVR v1.0 data: the scene-JSON reader, the VTAB labels (Clevr/Count, Clevr/Dist) and a small
//! CPU ray tracer that renders synthetic data sets in the same layout:
//!
//! ```text
//! DIR/images/{train,val,test}/CLEVR_<split>_<6 digits>.png
//! DIR/scenes/CLEVR_<split>_scenes.json
//! ```
//!
//! Render a set: `cargo run --release -- data clevr --out data/clevr --train 2000 --val 500 --seed 0 --size 64x64`.

mod error;
mod labels;
mod reader;
pub mod render;
mod scene;

pub use error::{ClevrError, Result};
pub use labels::{
    COUNT_CLASSES, DIST_CLASSES, DIST_THRESHOLDS, MIN_OBJECTS, Task, UndefinedLabel, count_label,
    dist_label,
};
pub use reader::{ClevrSplit, LabeledSplit, histogram, image_file_name, scenes_file_name};
pub use scene::{Color, Material, Object, Scene, ScenesFile, Shape, Size};
