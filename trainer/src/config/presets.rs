//! Named ViT presets (the official `vit_tiny` ... `vit_giant`) and `custom`.

/// Encoder width, depth, heads and MLP ratio of one architecture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelPreset {
    pub embed_dim: usize,
    pub depth: usize,
    pub num_heads: usize,
    pub mlp_ratio: f64,
}

const fn p(embed_dim: usize, depth: usize, num_heads: usize, mlp_ratio: f64) -> ModelPreset {
    ModelPreset {
        embed_dim,
        depth,
        num_heads,
        mlp_ratio,
    }
}

/// The names `meta.model_name` accepts besides `custom`.
pub const PRESET_NAMES: [&str; 6] = [
    "vit_tiny",
    "vit_small",
    "vit_base",
    "vit_large",
    "vit_huge",
    "vit_giant",
];

/// The official preset called `name`, if there is one.
pub fn preset(name: &str) -> Option<ModelPreset> {
    match name {
        "vit_tiny" => Some(p(192, 12, 3, 4.0)),
        "vit_small" => Some(p(384, 12, 6, 4.0)),
        "vit_base" => Some(p(768, 12, 12, 4.0)),
        "vit_large" => Some(p(1024, 24, 16, 4.0)),
        "vit_huge" => Some(p(1280, 32, 16, 4.0)),
        "vit_giant" => Some(p(1408, 40, 16, 48.0 / 11.0)),
        _ => None,
    }
}
