//! A pinhole camera placed like CLEVR's Blender camera (35 mm lens on a 32 mm-wide sensor).
//!
//! The horizontal field of view is fixed, so a square image sees CLEVR's 3:2 view plus more floor.
//! Depth is camera-space depth, the distance along the optical axis, which is what CLEVR's
//! `pixel_coords[2]` holds (Blender's `world_to_camera_view`).

use crate::clevr::render::math::{Ray, Vec3};

/// CLEVR's camera location in `base_scene.blend`.
pub const CLEVR_CAMERA: Vec3 = Vec3::new(7.358891487121582, -6.925790786743164, 4.958309173583984);
/// tan(horizontal half field of view) of a 35 mm lens on a 32 mm sensor: 16 / 35.
pub const TAN_HALF_FOV_X: f64 = 16.0 / 35.0;

/// A camera looking at a point, with an image size in pixels.
#[derive(Debug, Clone, Copy)]
pub struct Camera {
    pub position: Vec3,
    forward: Vec3,
    right: Vec3,
    up: Vec3,
    tan_x: f64,
    tan_y: f64,
    pub width: u32,
    pub height: u32,
}

/// Where a world point lands in the image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    /// Column and row in pixels (continuous, origin at the image's top-left corner).
    pub x: f64,
    pub y: f64,
    /// Camera-space depth.
    pub depth: f64,
}

impl Camera {
    /// A camera at `position` looking at `target`, with the world z axis up.
    pub fn look_at(position: Vec3, target: Vec3, width: u32, height: u32) -> Self {
        let forward = (target - position).normalized();
        let right = forward.cross(Vec3::new(0.0, 0.0, 1.0)).normalized();
        let up = right.cross(forward);
        let tan_y = TAN_HALF_FOV_X * f64::from(height) / f64::from(width);
        Self {
            position,
            forward,
            right,
            up,
            tan_x: TAN_HALF_FOV_X,
            tan_y,
            width,
            height,
        }
    }

    /// The ray through image position (`x`, `y`) in pixels (pixel centers are at +0.5).
    pub fn ray(&self, x: f64, y: f64) -> Ray {
        let u = (2.0 * x / f64::from(self.width) - 1.0) * self.tan_x;
        let v = (1.0 - 2.0 * y / f64::from(self.height)) * self.tan_y;
        Ray {
            origin: self.position,
            dir: (self.forward + self.right * u + self.up * v).normalized(),
        }
    }

    /// Projects a world point; `None` when it is behind the camera.
    pub fn project(&self, p: Vec3) -> Option<Projection> {
        let d = p - self.position;
        let depth = d.dot(self.forward);
        if depth <= 0.0 {
            return None;
        }
        let u = d.dot(self.right) / (depth * self.tan_x);
        let v = d.dot(self.up) / (depth * self.tan_y);
        Some(Projection {
            x: (u + 1.0) * 0.5 * f64::from(self.width),
            y: (1.0 - v) * 0.5 * f64::from(self.height),
            depth,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn projection_inverts_the_ray() {
        let cam = Camera::look_at(CLEVR_CAMERA, Vec3::default(), 480, 320);
        for (x, y) in [(0.5, 0.5), (240.0, 160.0), (400.25, 17.75)] {
            let ray = cam.ray(x, y);
            let p = cam.project(ray.at(7.0)).unwrap();
            assert!(
                (p.x - x).abs() < 1e-9 && (p.y - y).abs() < 1e-9,
                "{p:?} vs ({x}, {y})"
            );
        }
        let origin = cam.project(Vec3::default()).unwrap();
        assert!((origin.x - 240.0).abs() < 1e-9 && (origin.y - 160.0).abs() < 1e-9);
        assert!((origin.depth - CLEVR_CAMERA.length()).abs() < 1e-9);
    }
}
