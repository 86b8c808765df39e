//! Reading a CLEVR v1.0-layout folder: `scenes/CLEVR_<split>_scenes.json` plus
//! `images/<split>/CLEVR_<split>_<6 digits>.png`, and labelling its scenes for a task.
//!
//! Scenes are decoded one at a time, so a malformed scene is reported by index and file name.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::clevr::error::{ClevrError, Result};
use crate::clevr::labels::{Task, UndefinedLabel};
use crate::clevr::scene::{Object, Scene};

/// `CLEVR_<split>_scenes.json`.
pub fn scenes_file_name(split: &str) -> String {
    format!("CLEVR_{split}_scenes.json")
}

/// `CLEVR_<split>_<index as 6 digits>.png`.
pub fn image_file_name(split: &str, index: usize) -> String {
    format!("CLEVR_{split}_{index:06}.png")
}

/// One split of a CLEVR-layout folder.
#[derive(Debug, Clone)]
pub struct ClevrSplit {
    /// The data set root (holding `images/` and `scenes/`).
    pub root: PathBuf,
    pub split: String,
    /// The scenes file read.
    pub scenes_path: PathBuf,
    pub scenes: Vec<Scene>,
}

/// The image paths and labels of a split for one task.
#[derive(Debug, Clone, PartialEq)]
pub struct LabeledSplit {
    pub images: Vec<PathBuf>,
    pub labels: Vec<usize>,
    /// Scenes left out because their label was undefined (only with [`UndefinedLabel::Skip`]).
    pub skipped: usize,
}

impl ClevrSplit {
    /// Reads `root/scenes/CLEVR_<split>_scenes.json`.
    pub fn open(root: &Path, split: &str) -> Result<Self> {
        let scenes_path = root.join("scenes").join(scenes_file_name(split));
        let text = std::fs::read_to_string(&scenes_path)
            .map_err(|e| ClevrError::io("cannot read", &scenes_path, e))?;
        let scenes = parse_scenes(&scenes_path, &text)?;
        Ok(Self {
            root: root.to_path_buf(),
            split: split.to_string(),
            scenes_path,
            scenes,
        })
    }

    /// Where the image of `scene` lives: `root/images/<split>/<image_filename>`.
    pub fn image_path(&self, scene: &Scene) -> PathBuf {
        self.root
            .join("images")
            .join(&self.split)
            .join(&scene.image_filename)
    }

    /// Labels of the first `limit` (or all) scenes for `task`; checks that each image exists.
    pub fn labeled(
        &self,
        task: Task,
        undefined: UndefinedLabel,
        limit: Option<usize>,
    ) -> Result<LabeledSplit> {
        let mut out = LabeledSplit {
            images: Vec::new(),
            labels: Vec::new(),
            skipped: 0,
        };
        for (index, scene) in self.scenes.iter().enumerate() {
            if limit.is_some_and(|l| out.labels.len() >= l) {
                break;
            }
            let label = match task.label(scene) {
                Ok(label) => label,
                Err(_) if undefined == UndefinedLabel::Skip => {
                    out.skipped += 1;
                    continue;
                }
                Err(reason) => {
                    return Err(ClevrError::UndefinedLabel {
                        path: self.scenes_path.clone(),
                        index,
                        name: scene.image_filename.clone(),
                        task: task.name(),
                        reason,
                    });
                }
            };
            let image = self.image_path(scene);
            if !image.is_file() {
                return Err(ClevrError::MissingImage {
                    path: self.scenes_path.clone(),
                    index,
                    image,
                });
            }
            out.images.push(image);
            out.labels.push(label);
        }
        if out.skipped > 0 {
            tracing::warn!(split = %self.split, task = %task, skipped = out.skipped, "skipped scenes with undefined labels");
        }
        Ok(out)
    }
}

/// Decodes a scenes file, one scene at a time so errors name the scene.
pub(crate) fn parse_scenes(path: &Path, text: &str) -> Result<Vec<Scene>> {
    let file_err = |reason: String| ClevrError::ScenesFile {
        path: path.to_path_buf(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| file_err(format!("not valid JSON: {e}")))?;
    let scenes = match value.get("scenes") {
        Some(serde_json::Value::Array(scenes)) => scenes,
        Some(other) => return Err(file_err(format!("`scenes` is {}, not a list", kind(other)))),
        None => return Err(file_err("missing key `scenes`".into())),
    };
    scenes
        .iter()
        .enumerate()
        .map(|(index, raw)| {
            Scene::deserialize(raw).map_err(|e| ClevrError::Scene {
                path: path.to_path_buf(),
                index,
                name: raw
                    .get("image_filename")
                    .and_then(|n| n.as_str())
                    .unwrap_or("no image_filename")
                    .to_string(),
                reason: object_error(raw).unwrap_or_else(|| e.to_string()),
            })
        })
        .collect()
}

/// The first object of a scene that does not decode, as `objects[j]: reason`.
fn object_error(raw: &serde_json::Value) -> Option<String> {
    let objects = raw.get("objects")?.as_array()?;
    objects.iter().enumerate().find_map(|(j, object)| {
        Object::deserialize(object)
            .err()
            .map(|e| format!("objects[{j}]: {e}"))
    })
}

fn kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Counts of each class `0..num_classes` (class 0 first).
pub fn histogram(labels: &[usize], num_classes: usize) -> Vec<usize> {
    let mut counts = vec![0; num_classes];
    for &l in labels {
        if let Some(c) = counts.get_mut(l) {
            *c += 1;
        }
    }
    counts
}
