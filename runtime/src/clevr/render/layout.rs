//! Sampling one scene like CLEVR's `render_images.py`: a jittered camera and lights, 3–10
//! objects at uniform positions in [-3, 3]², kept apart by CLEVR's minimum gap, each one in
//! frame and visible (its own center pixel shows only it, and enough of it is unoccluded).
//! A scene that breaks a rule is resampled from the same random stream, so the result is a
//! pure function of (seed, split, index).

use image::RgbImage;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::clevr::error::{ClevrError, Result};
use crate::clevr::labels::{COUNT_CLASSES, MIN_OBJECTS};
use crate::clevr::render::camera::{CLEVR_CAMERA, Camera};
use crate::clevr::render::math::Vec3;
use crate::clevr::render::shapes::Solid;
use crate::clevr::render::trace::{Body, Lights, World};
use crate::clevr::scene::{Color, Material, Object, Scene, Shape, Size};

/// CLEVR's `--camera_jitter` and `--key_light_jitter` (and fill/back): uniform ±this per axis.
const CAMERA_JITTER: f64 = 0.5;
const LIGHT_JITTER: f64 = 1.0;
/// Light positions before jitter (key high on the right and a little behind the objects, so
/// shadows fall to the left and towards the camera; fill from the camera's left;
/// a back light behind the objects), after the three lights of CLEVR's `base_scene.blend`.
const KEY_LIGHT: Vec3 = Vec3::new(3.0, 6.0, 7.5);
const FILL_LIGHT: Vec3 = Vec3::new(-4.7, -5.0, 3.0);
const BACK_LIGHT: Vec3 = Vec3::new(-1.2, 2.6, 5.8);
/// Objects' centers are uniform in [-EXTENT, EXTENT]² (CLEVR: 3).
const EXTENT: f64 = 3.0;
/// CLEVR's `--min_dist`: the smallest gap between two objects' bounding cylinders.
const MIN_GAP: f64 = 0.25;
/// CLEVR's `--min_pixels_per_object` (200) as a fraction of its 480×320 image, with a floor
/// of a few pixels for tiny images.
const MIN_VISIBLE_FRACTION: f64 = 200.0 / (480.0 * 320.0);
const MIN_VISIBLE_PIXELS: usize = 4;
const MAX_OBJECT_TRIES: usize = 50;
const MAX_SCENE_TRIES: usize = 200;

/// One rendered image with its scene and the per-pixel object ids (row-major, `None` = floor).
#[derive(Debug, Clone)]
pub struct Rendered {
    pub image: RgbImage,
    pub scene: Scene,
    pub ids: Vec<Option<usize>>,
}

/// The seed of image `index` of `split` (splitmix64 over the set seed, the split name and the index).
pub fn image_seed(seed: u64, split: &str, index: usize) -> u64 {
    let name = split.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    splitmix(splitmix(splitmix(seed) ^ name) ^ index as u64)
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Samples and renders image `index` of `split`.
pub fn render_scene(
    seed: u64,
    split: &str,
    index: usize,
    width: u32,
    height: u32,
) -> Result<Rendered> {
    if width == 0 || height == 0 {
        return Err(ClevrError::InvalidArgument(format!(
            "image size {width}x{height} must be positive"
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(image_seed(seed, split, index));
    let image_filename = crate::clevr::reader::image_file_name(split, index);
    let objects = rng.random_range(MIN_OBJECTS..MIN_OBJECTS + COUNT_CLASSES);
    for _ in 0..MAX_SCENE_TRIES {
        let camera = Camera::look_at(
            CLEVR_CAMERA + jitter(&mut rng, CAMERA_JITTER),
            Vec3::default(),
            width,
            height,
        );
        let lights = Lights {
            key: KEY_LIGHT + jitter(&mut rng, LIGHT_JITTER),
            fill: FILL_LIGHT + jitter(&mut rng, LIGHT_JITTER),
            back: BACK_LIGHT + jitter(&mut rng, LIGHT_JITTER),
        };
        let Some(bodies) = place(&mut rng, &camera, objects) else {
            continue;
        };
        let world = World {
            camera,
            lights,
            bodies,
        };
        let ids = world.id_buffer();
        let Some(objects) = describe(&world, &ids) else {
            continue;
        };
        let scene = Scene {
            split: split.to_string(),
            image_index: index,
            image_filename,
            objects,
        };
        return Ok(Rendered {
            image: world.render(),
            scene,
            ids,
        });
    }
    Err(ClevrError::Placement {
        image: image_filename,
        objects,
        tries: MAX_SCENE_TRIES,
    })
}

fn jitter(rng: &mut ChaCha8Rng, amount: f64) -> Vec3 {
    let mut j = || rng.random_range(-amount..=amount);
    Vec3::new(j(), j(), j())
}

/// Places `count` objects apart from each other with centers in frame, or `None` if one does not fit.
fn place(rng: &mut ChaCha8Rng, camera: &Camera, count: usize) -> Option<Vec<Body>> {
    let shapes = [Shape::Cube, Shape::Sphere, Shape::Cylinder];
    let mut bodies: Vec<Body> = Vec::with_capacity(count);
    for _ in 0..count {
        let body = (0..MAX_OBJECT_TRIES).find_map(|_| {
            let size = if rng.random_bool(0.5) {
                Size::Large
            } else {
                Size::Small
            };
            let solid = Solid {
                shape: shapes[rng.random_range(0..shapes.len())],
                x: rng.random_range(-EXTENT..=EXTENT),
                y: rng.random_range(-EXTENT..=EXTENT),
                radius: size.radius(),
                angle: rng.random_range(0.0..360.0f64).to_radians(),
            };
            let color = Color::ALL[rng.random_range(0..Color::ALL.len())];
            let material = if rng.random_bool(0.5) {
                Material::Rubber
            } else {
                Material::Metal
            };
            let apart = bodies.iter().all(|b| {
                let gap = ((b.solid.x - solid.x).powi(2) + (b.solid.y - solid.y).powi(2)).sqrt();
                gap - b.solid.radius - solid.radius >= MIN_GAP
            });
            let in_frame = pixel_of(camera, &solid).is_some();
            (apart && in_frame).then_some(Body {
                solid,
                color,
                material,
            })
        })?;
        bodies.push(body);
    }
    Some(bodies)
}

/// The pixel (column, row) containing the projection of the object's center, if in frame.
fn pixel_of(camera: &Camera, solid: &Solid) -> Option<(u32, u32, f64)> {
    let p = camera.project(solid.center())?;
    let (w, h) = (f64::from(camera.width), f64::from(camera.height));
    ((0.0..w).contains(&p.x) && (0.0..h).contains(&p.y))
        .then(|| (p.x.floor() as u32, p.y.floor() as u32, p.depth))
}

/// The scene objects, or `None` if an object is not visible enough, or its center pixel is not
/// wholly covered by it (so the color at `pixel_coords` is the object's own).
fn describe(world: &World, ids: &[Option<usize>]) -> Option<Vec<Object>> {
    let (w, h) = (world.camera.width, world.camera.height);
    let min_pixels = ((f64::from(w) * f64::from(h) * MIN_VISIBLE_FRACTION).round() as usize)
        .max(MIN_VISIBLE_PIXELS);
    let mut visible = vec![0usize; world.bodies.len()];
    for id in ids.iter().flatten() {
        visible[*id] += 1;
    }
    world
        .bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let (x, y, depth) = pixel_of(&world.camera, &body.solid)?;
            let shows_itself =
                ids[(y * w + x) as usize] == Some(i) && world.pixel_covered_by(x, y, i);
            (shows_itself && visible[i] >= min_pixels).then(|| {
                let c = body.solid.center();
                Object {
                    shape: body.solid.shape,
                    color: body.color,
                    material: body.material,
                    size: if body.solid.radius > Size::Small.radius() {
                        Size::Large
                    } else {
                        Size::Small
                    },
                    coords_3d: [c.x, c.y, c.z],
                    pixel_coords: [f64::from(x), f64::from(y), depth],
                    rotation: body.solid.angle.to_degrees(),
                }
            })
        })
        .collect()
}
