//! Sampler tests: official statistics (fixtures/multiblock-mask-stats.json), no overlap, the
//! fail-fast checks, and the fixed mode's reach.

use super::*;

/// Relative tolerance on mean context lengths against the official statistics (the brief's 3%).
/// Block sizes are the official ones step for step; only positions come from our generator.
const MEAN_REL_TOL: f64 = 0.03;
/// Target lengths are exactly the official block areas (same size generator, same steps).
const EXACT_TOL: f64 = 1e-9;
/// Position seeds averaged over, to shrink our side's sampling error on the context length.
const POSITION_SEEDS: u64 = 5;

fn config(crop: usize, patch: usize, min_keep: usize, mode: MaskMode) -> MultiBlockConfig {
    MultiBlockConfig {
        crop_size: crop,
        patch_size: patch,
        enc_mask_scale: [0.85, 1.0],
        pred_mask_scale: [0.15, 0.2],
        aspect_ratio: [0.75, 1.5],
        num_enc_masks: 1,
        num_pred_masks: 4,
        min_keep,
        allow_overlap: false,
        mode,
    }
}

#[derive(Debug, Default)]
struct Stats {
    ctx: Vec<usize>,
    tgt: Vec<usize>,
    overlap: usize,
    last_in_target: bool,
    last_in_context: bool,
}

fn stats(sampler: &MultiBlockSampler, batch: usize, batches: usize, seed: u64) -> Stats {
    let g = sampler.grid() as i64;
    let is_last = |i: i64| i / g == g - 1 || i % g == g - 1;
    let mut s = Stats::default();
    for step in 0..batches as u64 {
        let m = sampler.sample(batch, seed, step);
        s.ctx.push(m.enc[0].len);
        s.tgt.push(m.pred[0].len);
        for b in 0..batch {
            for e in &m.enc {
                s.last_in_context |= e.row(b).iter().any(|&i| is_last(i));
                for p in &m.pred {
                    s.overlap += e.row(b).iter().filter(|i| p.row(b).contains(i)).count();
                }
            }
            for p in &m.pred {
                s.last_in_target |= p.row(b).iter().any(|&i| is_last(i));
            }
        }
    }
    s
}

fn mean(v: &[usize]) -> f64 {
    v.iter().sum::<usize>() as f64 / v.len() as f64
}

fn fixture() -> Vec<serde_json::Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/multiblock-mask-stats.json"
    );
    let text = std::fs::read_to_string(path).expect("read mask stats fixture");
    serde_json::from_str(&text).expect("parse mask stats fixture")
}

#[test]
fn official_mode_matches_official_statistics() {
    for entry in fixture() {
        let get = |k: &str| entry[k].as_f64().expect(k);
        let (crop, patch) = (get("crop_size") as usize, get("patch_size") as usize);
        let (min_keep, batch) = (get("min_keep") as usize, get("batch_size") as usize);
        let batches = get("batches") as usize;
        let sampler = MultiBlockSampler::new(config(crop, patch, min_keep, MaskMode::Official))
            .expect("valid settings");
        let name = format!("{crop}/{patch} batch {batch}");
        let mut all = Stats::default();
        for seed in 0..POSITION_SEEDS {
            let s = stats(&sampler, batch, batches, seed);
            // Steps 0..batches are the fixture's batch counters: identical target lengths.
            assert!(
                (mean(&s.tgt) - get("target_len_mean")).abs() < EXACT_TOL,
                "{name}: mean target length {} vs official {}",
                mean(&s.tgt),
                get("target_len_mean")
            );
            all.ctx.extend(s.ctx);
            all.tgt.extend(s.tgt);
            all.overlap += s.overlap;
            all.last_in_target |= s.last_in_target;
            all.last_in_context |= s.last_in_context;
        }
        let s = all;
        let (ours, theirs) = (mean(&s.ctx), get("context_len_mean"));
        let rel = (ours - theirs).abs() / theirs;
        assert!(
            rel < MEAN_REL_TOL,
            "{name}: mean context length {ours:.3} vs official {theirs:.3} ({rel:.4})"
        );
        let tmin = *s.tgt.iter().min().expect("non-empty");
        let tmax = *s.tgt.iter().max().expect("non-empty");
        assert_eq!(tmin as f64, get("target_len_min"), "{name}: target min");
        assert_eq!(tmax as f64, get("target_len_max"), "{name}: target max");
        let cmin = *s.ctx.iter().min().expect("non-empty");
        let cmax = *s.ctx.iter().max().expect("non-empty");
        // Official context blocks are at most (grid − 1)² and always keep more than min_keep.
        let grid = crop / patch;
        assert!(
            cmin > min_keep && cmax <= (grid - 1) * (grid - 1),
            "{name}: [{cmin}, {cmax}]"
        );
        eprintln!(
            "{name}: ctx {ours:.2} [{cmin}, {cmax}] vs {theirs} [{}, {}]",
            get("context_len_min"),
            get("context_len_max"),
        );
        assert_eq!(s.overlap, 0, "{name}: context/target overlap");
        assert!(
            !s.last_in_target && !s.last_in_context,
            "{name}: last row/col used"
        );
    }
}

#[test]
fn settings_that_hang_the_official_sampler_are_errors() {
    // 4×4 grids (32/8, 48/12): some draw gives a 1×1 target block, never > min_keep ≥ 1.
    for (crop, patch) in [(32, 8), (48, 12)] {
        for mode in [MaskMode::Official, MaskMode::Fixed] {
            let err = MultiBlockSampler::new(config(crop, patch, 1, mode)).expect_err("must fail");
            let msg = err.to_string();
            assert!(msg.contains("4×4") && msg.contains("min_keep = 1"), "{msg}");
            assert!(msg.contains("target"), "{msg}");
        }
    }
    // 96/16 with min_keep 4: the smallest target block is 2×2 = 4.
    let err = MultiBlockSampler::new(config(96, 16, 4, MaskMode::Official)).expect_err("fail");
    assert!(err.to_string().contains("2×2 = 4 patches"), "{err}");
    // ... and min_keep 3 is fine.
    assert!(MultiBlockSampler::new(config(96, 16, 3, MaskMode::Official)).is_ok());
    let mut bad = config(224, 16, 10, MaskMode::Official);
    bad.pred_mask_scale = [0.3, 0.2];
    assert!(matches!(
        MultiBlockSampler::new(bad),
        Err(MaskError::Invalid(_))
    ));
}

#[test]
fn fixed_mode_reaches_the_last_row_and_column_without_overlap() {
    let sampler = MultiBlockSampler::new(config(96, 16, 3, MaskMode::Fixed)).expect("valid");
    let s = stats(&sampler, 1, 400, 3);
    assert!(s.last_in_target && s.last_in_context);
    assert_eq!(s.overlap, 0);
}

#[test]
fn masks_are_a_function_of_seed_and_step() {
    let sampler = MultiBlockSampler::new(config(224, 16, 10, MaskMode::Official)).expect("ok");
    assert_eq!(sampler.sample(4, 9, 17), sampler.sample(4, 9, 17));
    assert_ne!(sampler.sample(4, 9, 17), sampler.sample(4, 9, 18));
    let m = sampler.sample(4, 9, 17);
    assert_eq!((m.enc.len(), m.pred.len()), (1, 4));
    assert!(
        m.pred
            .iter()
            .all(|p| p.batch == 4 && p.indices.len() == 4 * p.len)
    );
    // Rows are sorted patch indices (raster order, as torch.nonzero gives).
    assert!(m.enc[0].row(2).windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn allow_overlap_leaves_the_context_block_whole() {
    let mut cfg = config(224, 16, 10, MaskMode::Official);
    cfg.allow_overlap = true;
    let sampler = MultiBlockSampler::new(cfg).expect("ok");
    let s = stats(&sampler, 1, 200, 1);
    assert!(
        s.overlap > 0,
        "targets fall inside the context when overlap is allowed"
    );
    // Without subtraction the context is a full 12×12 or 13×13 square.
    assert!(
        s.ctx.iter().all(|&n| n == 144 || n == 169),
        "{:?}",
        &s.ctx[..5]
    );
}
