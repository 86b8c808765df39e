//! The CLEVR v1.0 scene-JSON schema (the parts the labels and the renderer use).
//!
//! Objects hold `shape`, `color`, `material`, `size`, `3d_coords` ([x, y, z] world units),
//! `pixel_coords` ([x, y, depth]: pixel column, row, and camera-space depth) and `rotation`
//! (degrees about the vertical axis). Unknown keys (`directions`, `relationships`, ...) are ignored.

use serde::{Deserialize, Serialize};

/// The whole `CLEVR_<split>_scenes.json` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenesFile {
    #[serde(default)]
    pub info: serde_json::Value,
    pub scenes: Vec<Scene>,
}

/// One image's scene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scene {
    pub split: String,
    pub image_index: usize,
    pub image_filename: String,
    pub objects: Vec<Object>,
}

/// One object of a scene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Object {
    pub shape: Shape,
    pub color: Color,
    pub material: Material,
    pub size: Size,
    #[serde(rename = "3d_coords")]
    pub coords_3d: [f64; 3],
    /// `[x, y, depth]`: column and row in pixels (origin top-left), camera-space depth.
    pub pixel_coords: [f64; 3],
    /// Degrees about the vertical axis.
    pub rotation: f64,
}

/// The three CLEVR shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    Cube,
    Sphere,
    Cylinder,
}

/// The two CLEVR materials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Material {
    /// Matte (Lambertian).
    Rubber,
    /// Specular and reflective.
    Metal,
}

/// The two CLEVR sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    Large,
    Small,
}

impl Size {
    /// CLEVR's `properties.json` radius: large 0.7, small 0.35.
    pub fn radius(self) -> f64 {
        match self {
            Size::Large => 0.7,
            Size::Small => 0.35,
        }
    }
}

/// The eight CLEVR colors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Color {
    Gray,
    Red,
    Blue,
    Green,
    Brown,
    Purple,
    Cyan,
    Yellow,
}

impl Color {
    /// All colors, in CLEVR's `properties.json` order.
    pub const ALL: [Color; 8] = [
        Color::Gray,
        Color::Red,
        Color::Blue,
        Color::Green,
        Color::Brown,
        Color::Purple,
        Color::Cyan,
        Color::Yellow,
    ];

    /// The sRGB value from CLEVR's `properties.json`.
    pub fn srgb(self) -> [u8; 3] {
        match self {
            Color::Gray => [87, 87, 87],
            Color::Red => [173, 35, 35],
            Color::Blue => [42, 75, 215],
            Color::Green => [29, 105, 20],
            Color::Brown => [129, 74, 25],
            Color::Purple => [129, 38, 192],
            Color::Cyan => [41, 208, 208],
            Color::Yellow => [255, 238, 51],
        }
    }

    /// The lowercase name used in scene files.
    pub fn name(self) -> &'static str {
        match self {
            Color::Gray => "gray",
            Color::Red => "red",
            Color::Blue => "blue",
            Color::Green => "green",
            Color::Brown => "brown",
            Color::Purple => "purple",
            Color::Cyan => "cyan",
            Color::Yellow => "yellow",
        }
    }
}
