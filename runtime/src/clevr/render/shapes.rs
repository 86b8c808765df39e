//! Analytic ray intersections with CLEVR's three shapes resting on the ground (z = 0).
//!
//! As in CLEVR, an object of radius `r` is a sphere of radius `r`, a vertical cylinder of radius
//! `r` and height `2r`, or a cube of half-side `r / √2` (so every shape fits a vertical cylinder of
//! radius `r` about its center, which is what the no-intersection check uses).

use crate::clevr::render::math::{Ray, Vec3};
use crate::clevr::scene::Shape;

/// Smallest hit distance accepted, so rays leaving a surface do not hit it again.
pub const RAY_EPSILON: f64 = 1e-6;

/// One object's geometry.
#[derive(Debug, Clone, Copy)]
pub struct Solid {
    pub shape: Shape,
    /// Ground-plane position of the center.
    pub x: f64,
    pub y: f64,
    /// CLEVR radius (0.7 or 0.35).
    pub radius: f64,
    /// Rotation about the vertical axis, radians.
    pub angle: f64,
}

/// A ray–surface hit.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    pub t: f64,
    /// Unit outward normal.
    pub normal: Vec3,
}

impl Solid {
    /// The scale CLEVR gives the Blender primitive: `r` (cube: `r / √2`); also the center height.
    pub fn scale(&self) -> f64 {
        match self.shape {
            Shape::Cube => self.radius / std::f64::consts::SQRT_2,
            Shape::Sphere | Shape::Cylinder => self.radius,
        }
    }

    /// The center, `[x, y, scale]` as in CLEVR's `3d_coords`.
    pub fn center(&self) -> Vec3 {
        Vec3::new(self.x, self.y, self.scale())
    }

    /// The nearest hit with `t > RAY_EPSILON`.
    pub fn intersect(&self, ray: &Ray) -> Option<Hit> {
        match self.shape {
            Shape::Sphere => sphere(self.center(), self.radius, ray),
            Shape::Cylinder => cylinder(self.x, self.y, self.radius, 2.0 * self.radius, ray),
            Shape::Cube => cube(self.center(), self.scale(), self.angle, ray),
        }
    }
}

fn sphere(center: Vec3, r: f64, ray: &Ray) -> Option<Hit> {
    let oc = ray.origin - center;
    let b = oc.dot(ray.dir);
    let disc = b * b - (oc.dot(oc) - r * r);
    if disc < 0.0 {
        return None;
    }
    let s = disc.sqrt();
    let t = [-b - s, -b + s].into_iter().find(|&t| t > RAY_EPSILON)?;
    Some(Hit {
        t,
        normal: (ray.at(t) - center) * (1.0 / r),
    })
}

fn cylinder(cx: f64, cy: f64, r: f64, height: f64, ray: &Ray) -> Option<Hit> {
    let (ox, oy) = (ray.origin.x - cx, ray.origin.y - cy);
    let (dx, dy) = (ray.dir.x, ray.dir.y);
    let mut best: Option<Hit> = None;
    let mut keep = |hit: Hit| {
        if hit.t > RAY_EPSILON && best.is_none_or(|b| hit.t < b.t) {
            best = Some(hit);
        }
    };
    let a = dx * dx + dy * dy;
    if a > 0.0 {
        let b = ox * dx + oy * dy;
        let disc = b * b - a * (ox * ox + oy * oy - r * r);
        if disc >= 0.0 {
            let s = disc.sqrt();
            for t in [(-b - s) / a, (-b + s) / a] {
                let z = ray.origin.z + t * ray.dir.z;
                if (0.0..=height).contains(&z) {
                    let p = ray.at(t);
                    keep(Hit {
                        t,
                        normal: Vec3::new((p.x - cx) / r, (p.y - cy) / r, 0.0),
                    });
                }
            }
        }
    }
    if ray.dir.z != 0.0 {
        for (z, nz) in [(height, 1.0), (0.0, -1.0)] {
            let t = (z - ray.origin.z) / ray.dir.z;
            let p = ray.at(t);
            if (p.x - cx).powi(2) + (p.y - cy).powi(2) <= r * r {
                keep(Hit {
                    t,
                    normal: Vec3::new(0.0, 0.0, nz),
                });
            }
        }
    }
    best
}

fn cube(center: Vec3, half: f64, angle: f64, ray: &Ray) -> Option<Hit> {
    let o = (ray.origin - center).rotate_z(-angle);
    let d = ray.dir.rotate_z(-angle);
    let (o, d) = ([o.x, o.y, o.z], [d.x, d.y, d.z]);
    let (mut t_near, mut t_far) = (f64::NEG_INFINITY, f64::INFINITY);
    let (mut near_axis, mut far_axis) = (0, 0);
    for axis in 0..3 {
        if d[axis].abs() < 1e-12 {
            if o[axis].abs() > half {
                return None;
            }
            continue;
        }
        let (mut t0, mut t1) = ((-half - o[axis]) / d[axis], (half - o[axis]) / d[axis]);
        if t0 > t1 {
            std::mem::swap(&mut t0, &mut t1);
        }
        if t0 > t_near {
            t_near = t0;
            near_axis = axis;
        }
        if t1 < t_far {
            t_far = t1;
            far_axis = axis;
        }
    }
    if t_near > t_far {
        return None;
    }
    let (t, axis) = if t_near > RAY_EPSILON {
        (t_near, near_axis)
    } else {
        (t_far, far_axis)
    };
    if t <= RAY_EPSILON {
        return None;
    }
    let local = o[axis] + t * d[axis];
    let mut n = [0.0; 3];
    n[axis] = local.signum();
    Some(Hit {
        t,
        normal: Vec3::new(n[0], n[1], n[2]).rotate_z(angle),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn down_at(x: f64, y: f64) -> Ray {
        Ray {
            origin: Vec3::new(x, y, 10.0),
            dir: Vec3::new(0.0, 0.0, -1.0),
        }
    }

    #[test]
    fn vertical_rays_hit_the_tops() {
        for (shape, top) in [
            (Shape::Sphere, 1.4),
            (Shape::Cylinder, 1.4),
            (Shape::Cube, 0.7 * std::f64::consts::SQRT_2),
        ] {
            let solid = Solid {
                shape,
                x: 1.0,
                y: -1.0,
                radius: 0.7,
                angle: 0.3,
            };
            let hit = solid.intersect(&down_at(1.0, -1.0)).unwrap();
            assert!(
                (hit.t - (10.0 - top)).abs() < 1e-9,
                "{shape:?}: t = {}",
                hit.t
            );
            assert!((hit.normal.z - 1.0).abs() < 1e-9);
            assert!(
                solid.intersect(&down_at(1.75, -1.0)).is_none(),
                "{shape:?} must stay inside radius"
            );
        }
    }

    #[test]
    fn horizontal_ray_hits_the_side() {
        let solid = Solid {
            shape: Shape::Cube,
            x: 0.0,
            y: 0.0,
            radius: 0.7,
            angle: 0.0,
        };
        let ray = Ray {
            origin: Vec3::new(-5.0, 0.0, 0.2),
            dir: Vec3::new(1.0, 0.0, 0.0),
        };
        let hit = solid.intersect(&ray).unwrap();
        assert!((hit.t - (5.0 - solid.scale())).abs() < 1e-9);
        assert!((hit.normal.x + 1.0).abs() < 1e-9);
        let cyl = Solid {
            shape: Shape::Cylinder,
            ..solid
        };
        let hit = cyl.intersect(&ray).unwrap();
        assert!((hit.t - 4.3).abs() < 1e-9 && (hit.normal.x + 1.0).abs() < 1e-9);
    }
}
