//! The CLEVR scene reader and VTAB labels on the hand-written scenes in `fixtures/clevr-scenes/`.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use ijepa_runtime::clevr::{ClevrError, ClevrSplit, Shape, Size, Task, UndefinedLabel, histogram};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/clevr-scenes")
}

/// (count, dist) labels from `valid/expected_labels.json`, `None` = undefined.
fn expected() -> Vec<(Option<usize>, Option<usize>)> {
    let text = std::fs::read_to_string(fixtures().join("valid/expected_labels.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let label = |v: &serde_json::Value| v.as_u64().map(|l| l as usize);
    json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (label(&c["count"]), label(&c["dist"])))
        .collect()
}

/// A copy of the valid fixture with (tiny) images for every scene, as `labeled` checks they exist.
fn valid_root_with_images() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("scenes")).unwrap();
    std::fs::create_dir_all(dir.path().join("images/val")).unwrap();
    let name = "scenes/CLEVR_val_scenes.json";
    std::fs::copy(fixtures().join("valid").join(name), dir.path().join(name)).unwrap();
    let split = ClevrSplit::open(dir.path(), "val").unwrap();
    for scene in &split.scenes {
        image::RgbImage::new(4, 4)
            .save(split.image_path(scene))
            .unwrap();
    }
    dir
}

#[test]
fn reads_objects_of_the_real_layout() {
    let split = ClevrSplit::open(&fixtures().join("valid"), "val").unwrap();
    assert_eq!(split.scenes.len(), 7);
    let first = &split.scenes[0];
    assert_eq!(first.image_filename, "CLEVR_val_000000.png");
    assert_eq!(first.objects.len(), 3);
    assert_eq!(first.objects[1].shape, Shape::Cube);
    assert_eq!(first.objects[1].size, Size::Small);
    assert_eq!(first.objects[0].pixel_coords, [100.0, 120.0, 8.0]);
    assert_eq!(first.objects[0].coords_3d[2], 0.7);
    assert!(
        split
            .image_path(first)
            .ends_with("images/val/CLEVR_val_000000.png")
    );
}

#[test]
fn labels_match_the_hand_computed_ones_including_bin_edges() {
    let split = ClevrSplit::open(&fixtures().join("valid"), "val").unwrap();
    for (scene, (count, dist)) in split.scenes.iter().zip(expected()) {
        assert_eq!(
            Task::Count.label(scene).ok(),
            count,
            "count of {}",
            scene.image_filename
        );
        assert_eq!(
            Task::Dist.label(scene).ok(),
            dist,
            "dist of {}",
            scene.image_filename
        );
    }
    // The edges explicitly: min depth 8.0 -> 0, 10.0 -> 4, 9.5 -> 3.
    assert_eq!(Task::Dist.label(&split.scenes[0]), Ok(0));
    assert_eq!(Task::Dist.label(&split.scenes[1]), Ok(4));
    assert_eq!(Task::Dist.label(&split.scenes[3]), Ok(3));
}

#[test]
fn undefined_label_is_an_error_naming_the_scene_or_skipped() {
    let root = valid_root_with_images();
    let split = ClevrSplit::open(root.path(), "val").unwrap();
    let err = split
        .labeled(Task::Count, UndefinedLabel::Error, None)
        .unwrap_err();
    assert!(
        matches!(err, ClevrError::UndefinedLabel { index: 5, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("CLEVR_val_000005.png") && text.contains("2 objects"),
        "{text}"
    );

    let labeled = split
        .labeled(Task::Count, UndefinedLabel::Skip, None)
        .unwrap();
    assert_eq!(labeled.skipped, 2);
    assert_eq!(labeled.labels, vec![0, 7, 1, 2, 3]);
    assert_eq!(
        histogram(&labeled.labels, Task::Count.num_classes()),
        vec![1, 1, 1, 1, 0, 0, 0, 1]
    );

    let dist = split
        .labeled(Task::Dist, UndefinedLabel::Error, None)
        .unwrap();
    assert_eq!(dist.labels, vec![0, 4, 1, 3, 5, 2, 0]);
    assert_eq!(dist.images[2], split.image_path(&split.scenes[2]));
    let limited = split
        .labeled(Task::Dist, UndefinedLabel::Error, Some(3))
        .unwrap();
    assert_eq!(limited.labels, vec![0, 4, 1]);
}

#[test]
fn missing_image_is_an_error() {
    let split = ClevrSplit::open(&fixtures().join("valid"), "val").unwrap();
    let err = split
        .labeled(Task::Dist, UndefinedLabel::Error, None)
        .unwrap_err();
    assert!(
        matches!(err, ClevrError::MissingImage { index: 0, .. }),
        "{err:?}"
    );
}

#[test]
fn malformed_files_give_clear_errors() {
    let root = fixtures().join("malformed");
    let cases = [
        ("notjson", "not valid JSON"),
        ("noscenes", "missing key `scenes`"),
        ("scenesnotlist", "`scenes` is an object, not a list"),
        ("noobjects", "missing field `objects`"),
        ("missingkey", "objects[1]: missing field `pixel_coords`"),
        (
            "wrongtype",
            "objects[1]: invalid type: string \"100,120,9.0\"",
        ),
        ("shortcoords", "objects[1]: invalid length 2"),
        ("unknownshape", "objects[1]: unknown variant `cone`"),
    ];
    for (case, want) in cases {
        let err = ClevrSplit::open(&root, case).unwrap_err().to_string();
        assert!(err.contains(want), "{case}: {err}");
        assert!(
            err.contains(&format!("CLEVR_{case}_scenes.json")),
            "{case} must name the file: {err}"
        );
        if !matches!(case, "notjson" | "noscenes" | "scenesnotlist") {
            assert!(
                err.contains("scene 0 (CLEVR_bad_000000.png)"),
                "{case} must name the scene: {err}"
            );
        }
    }
    let err = ClevrSplit::open(&root, "nosuchsplit")
        .unwrap_err()
        .to_string();
    assert!(err.contains("CLEVR_nosuchsplit_scenes.json"), "{err}");
}
