//! The VTAB labels of CLEVR (google-research/task_adaptation, `data/clevr.py`).
//!
//! - **Clevr/Count**: `label = number of objects − 3` (8 classes for 3–10 objects).
//! - **Clevr/Dist** (closest object distance): `d = min over objects of pixel_coords[2]`, and
//!   `label = max { i : t[i] < d }` for `t = [0, 8, 8.5, 9, 9.5, 10, 100]`, which is VTAB's
//!   `tf.reduce_max(tf.where((thrs - dist) < 0))`. The bins are therefore open on the left and
//!   closed on the right: `(0, 8] → 0, (8, 8.5] → 1, …, (9.5, 10] → 4, (10, 100] → 5`; a depth of
//!   exactly 8.0 is class 0 and exactly 10.0 is class 4. `d ≤ 0` or `d > 100` has no label.

use crate::clevr::scene::Scene;

/// Fewest objects a CLEVR scene has (count label 0).
pub const MIN_OBJECTS: usize = 3;
/// Number of Clevr/Count classes (3–10 objects).
pub const COUNT_CLASSES: usize = 8;
/// VTAB's closest-object-distance thresholds.
pub const DIST_THRESHOLDS: [f64; 7] = [0.0, 8.0, 8.5, 9.0, 9.5, 10.0, 100.0];
/// Number of Clevr/Dist classes.
pub const DIST_CLASSES: usize = DIST_THRESHOLDS.len() - 1;

/// A VTAB CLEVR task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Number of objects − 3.
    Count,
    /// Bin of the closest object's depth.
    Dist,
}

impl Task {
    /// Number of classes.
    pub fn num_classes(self) -> usize {
        match self {
            Task::Count => COUNT_CLASSES,
            Task::Dist => DIST_CLASSES,
        }
    }

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Task::Count => "count",
            Task::Dist => "dist",
        }
    }

    /// Human-readable class names (`"3"`…`"10"` objects; depth bins like `"8-8.5"`).
    pub fn class_names(self) -> Vec<String> {
        match self {
            Task::Count => (0..COUNT_CLASSES)
                .map(|c| (c + MIN_OBJECTS).to_string())
                .collect(),
            Task::Dist => DIST_THRESHOLDS
                .windows(2)
                .map(|w| format!("{}-{}", w[0], w[1]))
                .collect(),
        }
    }

    /// The label of `scene`, or why it has none.
    pub fn label(self, scene: &Scene) -> Result<usize, String> {
        match self {
            Task::Count => count_label(scene.objects.len()),
            Task::Dist => {
                let depth = scene
                    .objects
                    .iter()
                    .map(|o| o.pixel_coords[2])
                    .fold(f64::INFINITY, f64::min);
                if scene.objects.is_empty() {
                    Err("the scene has no objects".into())
                } else {
                    dist_label(depth)
                }
            }
        }
    }
}

impl std::str::FromStr for Task {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "count" => Ok(Task::Count),
            "dist" => Ok(Task::Dist),
            other => Err(format!("unknown task `{other}`: expected count or dist")),
        }
    }
}

impl std::fmt::Display for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What to do with a scene whose label is undefined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UndefinedLabel {
    /// Fail, naming the scene.
    #[default]
    Error,
    /// Leave the scene out and count it.
    Skip,
}

/// Clevr/Count: `objects − 3`, defined for 3–10 objects.
pub fn count_label(objects: usize) -> Result<usize, String> {
    let label = objects
        .checked_sub(MIN_OBJECTS)
        .filter(|&l| l < COUNT_CLASSES);
    label.ok_or_else(|| {
        format!(
            "{objects} objects, outside {MIN_OBJECTS}..={}",
            MIN_OBJECTS + COUNT_CLASSES - 1
        )
    })
}

/// Clevr/Dist: `max { i : t[i] < depth }` (see the module docs), defined for `0 < depth ≤ 100`.
pub fn dist_label(depth: f64) -> Result<usize, String> {
    let label = DIST_THRESHOLDS.iter().rposition(|&t| t < depth);
    match label {
        Some(l) if l < DIST_CLASSES => Ok(l),
        _ => Err(format!(
            "closest depth {depth} is outside ({}, {}]",
            DIST_THRESHOLDS[0], DIST_THRESHOLDS[DIST_CLASSES]
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dist_bins_follow_vtab() {
        let cases = [
            (7.9, 0),
            (8.0, 0),
            (8.0001, 1),
            (8.5, 1),
            (8.7, 2),
            (9.25, 3),
            (9.5, 3),
            (9.9, 4),
            (10.0, 4),
            (10.01, 5),
            (13.7, 5),
            (100.0, 5),
        ];
        for (depth, want) in cases {
            assert_eq!(dist_label(depth), Ok(want), "depth {depth}");
        }
        for depth in [0.0, -1.0, 100.5, f64::NAN, f64::INFINITY] {
            assert!(
                dist_label(depth).is_err(),
                "depth {depth} must be undefined"
            );
        }
    }

    #[test]
    fn count_bins() {
        assert_eq!(count_label(3), Ok(0));
        assert_eq!(count_label(10), Ok(7));
        assert!(count_label(2).unwrap_err().contains("2 objects"));
        assert!(count_label(11).is_err());
        assert!(count_label(0).is_err());
    }

    #[test]
    fn class_names() {
        assert_eq!(Task::Count.class_names()[0], "3");
        assert_eq!(Task::Dist.class_names()[1], "8-8.5");
        assert_eq!(Task::Dist.class_names().len(), DIST_CLASSES);
    }
}
