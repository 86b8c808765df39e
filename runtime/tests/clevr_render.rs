//! The synthetic CLEVR renderer: determinism, `pixel_coords` on the drawn objects, labels that
//! match what is drawn, and populated label histograms.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;

use ijepa_runtime::clevr::render::{RenderConfig, render_dataset, render_scene};
use ijepa_runtime::clevr::{COUNT_CLASSES, ClevrSplit, Color, DIST_CLASSES, MIN_OBJECTS, Task};

fn config(out: &Path, seed: u64, train: usize, val: usize, size: (u32, u32)) -> RenderConfig {
    RenderConfig {
        out: out.to_path_buf(),
        splits: vec![("train".into(), train), ("val".into(), val)],
        seed,
        width: size.0,
        height: size.1,
    }
}

/// Every file under `dir` (relative path, bytes), sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn same_seed_same_bytes_other_seed_other_images() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    render_dataset(&config(a.path(), 7, 6, 3, (48, 32)), &|| {}).unwrap();
    render_dataset(&config(b.path(), 7, 6, 3, (48, 32)), &|| {}).unwrap();
    render_dataset(&config(c.path(), 8, 6, 3, (48, 32)), &|| {}).unwrap();
    let (fa, fb, fc) = (files(a.path()), files(b.path()), files(c.path()));
    // 9 images, 2 scenes files, the contact sheet.
    assert_eq!(
        fa.len(),
        12,
        "{:?}",
        fa.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert!(
        fa.iter()
            .any(|f| f.0 == "images/train/CLEVR_train_000005.png")
    );
    assert!(fa.iter().any(|f| f.0 == "scenes/CLEVR_val_scenes.json"));
    assert!(fa == fb, "same seed must give the same bytes");
    let image = |f: &[(String, Vec<u8>)]| {
        f.iter()
            .find(|x| x.0 == "images/train/CLEVR_train_000000.png")
            .unwrap()
            .1
            .clone()
    };
    assert_ne!(
        image(&fa),
        image(&fc),
        "another seed must give another image"
    );
}

#[test]
fn written_layout_reads_back_with_consistent_labels() {
    let dir = tempfile::tempdir().unwrap();
    let report = render_dataset(&config(dir.path(), 3, 12, 4, (64, 48)), &|| {}).unwrap();
    let split = ClevrSplit::open(dir.path(), "train").unwrap();
    assert_eq!(split.scenes.len(), 12);
    let counts = split
        .labeled(Task::Count, Default::default(), None)
        .unwrap();
    assert_eq!(
        counts.labels.iter().sum::<usize>() + 12 * MIN_OBJECTS,
        split.scenes.iter().map(|s| s.objects.len()).sum::<usize>()
    );
    assert_eq!(
        report.splits[0].count_histogram,
        ijepa_runtime::clevr::histogram(&counts.labels, COUNT_CLASSES)
    );
    for (scene, path) in split.scenes.iter().zip(&counts.images) {
        let img = image::open(path).unwrap();
        assert_eq!((img.width(), img.height()), (64, 48), "{}", path.display());
        assert_eq!(scene.split, "train");
    }
    let sheet = image::open(&report.contact_sheet).unwrap();
    assert!(sheet.width() > 64 * 4, "contact sheet has 4 columns");
}

/// The CLEVR color whose hue is nearest to the pixel's (chromatic colors only).
fn nearest_hue(rgb: [u8; 3]) -> Color {
    let hue = |c: [u8; 3]| {
        let [r, g, b] = c.map(f64::from);
        let (max, min) = (r.max(g).max(b), r.min(g).min(b));
        let d = (max - min).max(1e-9);
        let h = if max == r {
            ((g - b) / d).rem_euclid(6.0)
        } else if max == g {
            (b - r) / d + 2.0
        } else {
            (r - g) / d + 4.0
        };
        h * 60.0
    };
    let dist = |a: f64, b: f64| {
        let d = (a - b).abs() % 360.0;
        d.min(360.0 - d)
    };
    let h = hue(rgb);
    let chromatic = Color::ALL.into_iter().filter(|&c| c != Color::Gray);
    chromatic
        .min_by(|&a, &b| dist(h, hue(a.srgb())).total_cmp(&dist(h, hue(b.srgb()))))
        .unwrap()
}

/// Largest minus smallest channel: low for gray, whatever the brightness.
fn chroma(rgb: [u8; 3]) -> u8 {
    rgb.iter().max().unwrap() - rgb.iter().min().unwrap()
}

/// Gray objects may mirror colored neighbours (metal), but stay far less colored than any
/// CLEVR color, whose chroma is at least 85 levels (green).
const GRAY_MAX_CHROMA: u8 = 40;

#[test]
fn pixel_coords_land_on_their_object_and_counts_match_what_is_drawn() {
    let mut chromatic = 0;
    for (size, scenes) in [((64, 64), 40), ((120, 80), 15), ((480, 320), 2)] {
        for index in 0..scenes {
            let r = render_scene(11, "val", index, size.0, size.1).unwrap();
            let objects = &r.scene.objects;
            assert!((MIN_OBJECTS..MIN_OBJECTS + COUNT_CLASSES).contains(&objects.len()));
            // Every object shows up in the image, and nothing else does.
            let drawn: BTreeSet<usize> = r.ids.iter().flatten().copied().collect();
            assert_eq!(
                drawn,
                (0..objects.len()).collect(),
                "scene {index} at {size:?}"
            );
            assert_eq!(Task::Count.label(&r.scene), Ok(objects.len() - MIN_OBJECTS));
            for (j, object) in objects.iter().enumerate() {
                let [x, y, depth] = object.pixel_coords;
                assert!(x >= 0.0 && y >= 0.0 && x < f64::from(size.0) && y < f64::from(size.1));
                assert!(depth > 0.0);
                let (x, y) = (x as u32, y as u32);
                assert_eq!(
                    r.ids[(y * size.0 + x) as usize],
                    Some(j),
                    "scene {index} object {j}"
                );
                let pixel = r.image.get_pixel(x, y).0;
                let ground = [
                    r.image.get_pixel(0, size.1 - 1).0,
                    r.image.get_pixel(size.0 - 1, size.1 - 1).0,
                ];
                if object.color == Color::Gray {
                    assert!(
                        chroma(pixel) <= GRAY_MAX_CHROMA,
                        "gray object {j} of scene {index} looks {pixel:?}"
                    );
                } else {
                    chromatic += 1;
                    assert_eq!(
                        nearest_hue(pixel),
                        object.color,
                        "scene {index} object {j}: pixel {pixel:?}, ground {ground:?}"
                    );
                }
            }
        }
    }
    assert!(
        chromatic > 100,
        "only {chromatic} chromatic objects checked"
    );
}

#[test]
fn both_tasks_have_every_class_populated() {
    let dir = tempfile::tempdir().unwrap();
    let report = render_dataset(&config(dir.path(), 0, 400, 1, (32, 24)), &|| {}).unwrap();
    let train = &report.splits[0];
    assert_eq!(train.count_histogram.len(), COUNT_CLASSES);
    assert_eq!(train.dist_histogram.len(), DIST_CLASSES);
    assert!(
        train.count_histogram.iter().all(|&c| c > 20),
        "count {:?}",
        train.count_histogram
    );
    assert!(
        train.dist_histogram.iter().all(|&c| c > 10),
        "dist {:?}",
        train.dist_histogram
    );
    let largest = *train.dist_histogram.iter().max().unwrap();
    assert!(
        largest < 400 / 2,
        "one dist class dominates: {:?}",
        train.dist_histogram
    );
    assert_eq!(
        train.dist_histogram.iter().sum::<usize>(),
        400,
        "every scene has a dist label"
    );
}
