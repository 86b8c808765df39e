//! Shading: a key area light with soft shadows, fill and back lights, Lambert rubber and
//! Blinn-Phong metal with one mirror bounce, 2×2 supersampling, in linear light then sRGB.

use image::RgbImage;

use crate::clevr::render::camera::Camera;
use crate::clevr::render::math::{Ray, Vec3};
use crate::clevr::render::shapes::{Hit, RAY_EPSILON, Solid};
use crate::clevr::scene::{Color, Material};

/// Subsamples per pixel side (2 → 2×2 supersampling).
const SUPERSAMPLE: u32 = 2;
/// Shadow rays per subsample, stratified over the key light's disk (so 16 per pixel).
const SHADOW_SAMPLES: usize = 4;
/// Radius of the key light's disk: the size of the penumbra.
const KEY_RADIUS: f64 = 0.9;
const KEY_INTENSITY: f64 = 0.95;
const FILL_INTENSITY: f64 = 0.3;
const BACK_INTENSITY: f64 = 0.25;
const AMBIENT: f64 = 0.12;
/// Linear albedo of the ground and the linear radiance of rays that hit nothing.
const GROUND_ALBEDO: f64 = 0.32;
const BACKGROUND: f64 = 0.3;
/// Metal: diffuse share, mirror share and Blinn-Phong exponent. Rubber: a faint sheen.
const METAL_DIFFUSE: f64 = 0.3;
const METAL_MIRROR: f64 = 0.6;
const METAL_SHININESS: f64 = 80.0;
const RUBBER_SPECULAR: f64 = 0.04;
const RUBBER_SHININESS: f64 = 6.0;

/// A rendered object: geometry plus appearance.
#[derive(Debug, Clone, Copy)]
pub struct Body {
    pub solid: Solid,
    pub color: Color,
    pub material: Material,
}

/// The lights of one scene (positions jittered per image like CLEVR's).
#[derive(Debug, Clone, Copy)]
pub struct Lights {
    pub key: Vec3,
    pub fill: Vec3,
    pub back: Vec3,
}

/// Everything needed to render one image.
#[derive(Debug, Clone)]
pub struct World {
    pub camera: Camera,
    pub lights: Lights,
    pub bodies: Vec<Body>,
}

/// What a primary ray hit.
#[derive(Debug, Clone, Copy)]
enum Target {
    Body(usize, Hit),
    Ground(f64),
    Nothing,
}

impl World {
    fn nearest(&self, ray: &Ray) -> Target {
        let mut best = Target::Nothing;
        let mut best_t = f64::INFINITY;
        if ray.dir.z < 0.0 {
            let t = -ray.origin.z / ray.dir.z;
            if t > RAY_EPSILON {
                best_t = t;
                best = Target::Ground(t);
            }
        }
        for (i, body) in self.bodies.iter().enumerate() {
            if let Some(hit) = body.solid.intersect(ray).filter(|h| h.t < best_t) {
                best_t = hit.t;
                best = Target::Body(i, hit);
            }
        }
        best
    }

    /// Whether anything blocks the segment from `p` to `light`.
    fn occluded(&self, p: Vec3, light: Vec3) -> bool {
        let to = light - p;
        let dist = to.length();
        let ray = Ray {
            origin: p,
            dir: to * (1.0 / dist),
        };
        self.bodies
            .iter()
            .any(|b| b.solid.intersect(&ray).is_some_and(|h| h.t < dist))
    }

    /// Fraction of the key light's disk visible from `p`, from stratified samples rotated by `phase`.
    fn key_visibility(&self, p: Vec3, phase: f64) -> f64 {
        let axis = (self.lights.key - p).normalized();
        let u = axis.cross(Vec3::new(0.0, 0.0, 1.0)).normalized();
        let v = axis.cross(u);
        let visible = (0..SHADOW_SAMPLES)
            .filter(|&k| {
                let radius = KEY_RADIUS * ((k as f64 + 0.5) / SHADOW_SAMPLES as f64).sqrt();
                let angle = phase + std::f64::consts::TAU * (k as f64 * 0.618_033_988_75);
                let sample =
                    self.lights.key + u * (radius * angle.cos()) + v * (radius * angle.sin());
                !self.occluded(p, sample)
            })
            .count();
        visible as f64 / SHADOW_SAMPLES as f64
    }

    /// Linear RGB radiance along `ray`; `phase` decorrelates shadow samples; `bounce` allows a mirror ray.
    fn radiance(&self, ray: &Ray, phase: f64, bounce: bool) -> Vec3 {
        match self.nearest(ray) {
            Target::Nothing => Vec3::new(BACKGROUND, BACKGROUND, BACKGROUND),
            Target::Ground(t) => {
                let p = ray.at(t);
                let n = Vec3::new(0.0, 0.0, 1.0);
                let albedo = Vec3::new(GROUND_ALBEDO, GROUND_ALBEDO, GROUND_ALBEDO);
                let key_vis = if bounce {
                    self.key_visibility(p, phase)
                } else {
                    1.0
                };
                albedo * self.diffuse_light(p, n, key_vis)
            }
            Target::Body(i, hit) => {
                let body = &self.bodies[i];
                let p = ray.at(hit.t) + hit.normal * (10.0 * RAY_EPSILON);
                let n = hit.normal;
                let albedo = linear(body.color.srgb());
                let key_dir = (self.lights.key - p).normalized();
                let facing = n.dot(key_dir) > 0.0;
                let key_vis = if bounce && facing {
                    self.key_visibility(p, phase)
                } else {
                    f64::from(u8::from(facing))
                };
                let light = self.diffuse_light(p, n, key_vis);
                let half = (key_dir - ray.dir).normalized();
                match body.material {
                    Material::Rubber => {
                        let spec =
                            RUBBER_SPECULAR * n.dot(half).max(0.0).powf(RUBBER_SHININESS) * key_vis;
                        albedo * light + Vec3::new(spec, spec, spec)
                    }
                    Material::Metal => {
                        let spec =
                            KEY_INTENSITY * n.dot(half).max(0.0).powf(METAL_SHININESS) * key_vis;
                        let tint = albedo * 0.5 + Vec3::new(0.5, 0.5, 0.5);
                        let mirror = if bounce {
                            let reflected = Ray {
                                origin: p,
                                dir: ray.dir.reflect(n),
                            };
                            self.radiance(&reflected, phase, false)
                        } else {
                            Vec3::new(BACKGROUND, BACKGROUND, BACKGROUND)
                        };
                        albedo * (light * METAL_DIFFUSE)
                            + mirror.mul_elem(albedo) * METAL_MIRROR
                            + tint * spec
                    }
                }
            }
        }
    }

    /// Diffuse irradiance at `p` with normal `n`, the key light seen by the fraction `key_vis`.
    fn diffuse_light(&self, p: Vec3, n: Vec3, key_vis: f64) -> f64 {
        let lambert = |light: Vec3| n.dot((light - p).normalized()).max(0.0);
        AMBIENT
            + KEY_INTENSITY * lambert(self.lights.key) * key_vis
            + FILL_INTENSITY * lambert(self.lights.fill)
            + BACK_INTENSITY * lambert(self.lights.back)
    }

    /// Renders the image (2×2 supersampled, sRGB).
    pub fn render(&self) -> RgbImage {
        let (w, h) = (self.camera.width, self.camera.height);
        let step = 1.0 / f64::from(SUPERSAMPLE);
        RgbImage::from_fn(w, h, |px, py| {
            let mut sum = Vec3::default();
            for sy in 0..SUPERSAMPLE {
                for sx in 0..SUPERSAMPLE {
                    let x = f64::from(px) + (f64::from(sx) + 0.5) * step;
                    let y = f64::from(py) + (f64::from(sy) + 0.5) * step;
                    let phase = pixel_phase(px, py, sx + SUPERSAMPLE * sy);
                    sum = sum + self.radiance(&self.camera.ray(x, y), phase, true);
                }
            }
            let mean = sum * (1.0 / f64::from(SUPERSAMPLE * SUPERSAMPLE));
            image::Rgb([srgb(mean.x), srgb(mean.y), srgb(mean.z)])
        })
    }

    /// Whether every supersample ray of pixel (`px`, `py`) hits body `index` first.
    pub fn pixel_covered_by(&self, px: u32, py: u32, index: usize) -> bool {
        let step = 1.0 / f64::from(SUPERSAMPLE);
        (0..SUPERSAMPLE * SUPERSAMPLE).all(|s| {
            let x = f64::from(px) + (f64::from(s % SUPERSAMPLE) + 0.5) * step;
            let y = f64::from(py) + (f64::from(s / SUPERSAMPLE) + 0.5) * step;
            matches!(self.nearest(&self.camera.ray(x, y)), Target::Body(i, _) if i == index)
        })
    }

    /// For each pixel center (row-major), the index of the body seen there, or `None`.
    pub fn id_buffer(&self) -> Vec<Option<usize>> {
        let (w, h) = (self.camera.width, self.camera.height);
        (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| {
                match self.nearest(&self.camera.ray(f64::from(x) + 0.5, f64::from(y) + 0.5)) {
                    Target::Body(i, _) => Some(i),
                    Target::Ground(_) | Target::Nothing => None,
                }
            })
            .collect()
    }
}

/// A deterministic per-subsample rotation of the shadow pattern (a hash, no RNG state).
fn pixel_phase(x: u32, y: u32, sub: u32) -> f64 {
    let mut h = u64::from(x).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ u64::from(y).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    h ^= u64::from(sub).wrapping_mul(0x1656_67B1_9E37_79F9);
    h ^= h >> 29;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 32;
    (h >> 11) as f64 / (1u64 << 53) as f64 * std::f64::consts::TAU
}

fn linear(c: [u8; 3]) -> Vec3 {
    let f = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.04045 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    Vec3::new(f(c[0]), f(c[1]), f(c[2]))
}

fn srgb(v: f64) -> u8 {
    let v = v.clamp(0.0, 1.0);
    let s = if v <= 0.003_130_8 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    };
    (s * 255.0).round() as u8
}
