//! A named preset at a crop and patch unlike the fixture's, from seeded random weights: the
//! ONNX export matches the Burn forward, so nothing is special-cased to the fixture's shapes.

mod common;

use anyhow::Result;
use burn::tensor::{Device, Tensor};
use common::*;
use ijepa_exporter::from_module::spec_from_config;
use ijepa_exporter::onnx_file::{IMAGENET_MEAN, IMAGENET_STD};
use ijepa_exporter::{
    EncoderKind, EncoderWeights, ExportOptions, GraphOptions, Provenance, write_encoder,
};
use ijepa_trainer::config::preset;
use ijepa_trainer::model::VitConfig;

#[test]
fn vit_tiny_at_crop_40_patch_4_matches_the_burn_forward() -> Result<()> {
    let arch = preset("vit_tiny").ok_or_else(|| anyhow::anyhow!("no vit_tiny preset"))?;
    let config = VitConfig {
        img_size: 40,
        patch_size: 4,
        in_chans: 3,
        embed_dim: arch.embed_dim,
        depth: arch.depth,
        num_heads: arch.num_heads,
        mlp_ratio: arch.mlp_ratio,
        qkv_bias: true,
    };
    let device = Device::flex();
    device.seed(17);
    let model = config.init(&device);

    let shape = [3usize, 3, 40, 40];
    let x = Tensor::<4>::random(shape, burn::tensor::Distribution::Normal(0.0, 1.0), &device);
    let pixels: Vec<f32> = x
        .clone()
        .into_data()
        .try_to_vec::<f32>()
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let want: Vec<f32> = model
        .forward(x, None)
        .into_data()
        .try_to_vec::<f32>()
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;

    let weights = EncoderWeights::from_module(&model, spec_from_config(&config, 40))?;
    let prov = Provenance {
        encoder: EncoderKind::Context,
        mean: IMAGENET_MEAN,
        std: IMAGENET_STD,
        source: "random sha256:none".into(),
    };
    let dir = tempfile::tempdir()?;
    for opset in [17, 20] {
        let out = dir.path().join(format!("vit_tiny-{opset}.onnx"));
        let opts = ExportOptions {
            graph: GraphOptions { opset, fp16: false },
            ..Default::default()
        };
        write_encoder(weights.clone(), &prov, &opts, &out)?;
        let (eshape, got, pooled) = run_encoder(&out, &shape, &pixels)?;
        assert_eq!(eshape, [3, 100, 192]);
        let err = max_abs_diff(&got, &want);
        println!("vit_tiny 40/4 opset {opset}: max abs err vs Burn {err:.2e}");
        assert!(err <= MAX_ABS_F32, "{err}");
        // pooled is the mean over tokens of embeddings.
        let mean: Vec<f32> = (0..3)
            .flat_map(|b| {
                let got = &got;
                (0..192).map(move |c| {
                    (0..100).map(|t| got[(b * 100 + t) * 192 + c]).sum::<f32>() / 100.0
                })
            })
            .collect();
        assert!(max_abs_diff(&pooled, &mean) <= 1e-5);
    }
    Ok(())
}
