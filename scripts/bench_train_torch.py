#!/usr/bin/env python3
"""Training throughput (images/s) of `ijepa train` vs the official PyTorch `train_step` on the
same tiny config and the same number of CPU threads. A benchmark, not a test.

    cargo build --release
    git -C /work/.mirror/facebookresearch+ijepa/repo archive HEAD | tar -x -C /tmp/ijepa-src
    python scripts/bench_train_torch.py --config configs/tiny.yaml --threads 2 \
        --ijepa-src /tmp/ijepa-src --steps 30

Ours: `target/release/ijepa train ... --steps N` on generated PNGs; it prints images/s of step
compute time (loader waits excluded). Official: the classes and helpers of facebookresearch/ijepa
imported from --ijepa-src (VisionTransformer, vit_predictor, MaskCollator, apply_masks,
repeat_interleave_batch, init_opt), driven by the body of `train_step` from its src/train.py
(target forward without grad + layer_norm, context forward, smooth-L1, backward, AdamW step, EMA),
timed the same way. Without torch (or --ijepa-src) only our number is printed.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import struct
import zlib

import numpy as np


def load_config(path):
    """The two-level official YAML layout (`section:` then `  key: value`), without PyYAML."""
    cfg, section = {}, None
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        key, _, value = line.strip().partition(":")
        value = value.strip()
        if not raw.startswith(" "):
            section = cfg.setdefault(key, {})
            continue
        if value.startswith("["):
            section[key] = [float(v) for v in value.strip("[]").split(",")]
        elif value in ("true", "false"):
            section[key] = value == "true"
        else:
            try:
                section[key] = int(value)
            except ValueError:
                try:
                    section[key] = float(value)
                except ValueError:
                    section[key] = value
    return cfg


def write_png(path, rgb):
    """A minimal RGB PNG writer (no Pillow needed)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
                     + chunk(b"IEND", b""))


def make_images(folder, n, size=64, seed=0):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        write_png(folder / f"{i:04d}.png", rng.integers(0, 256, (size, size, 3), dtype=np.uint8))


def ours(binary, config, data, steps, threads):
    with tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
        cmd = [str(binary), "train", "--config", str(config), "--data", str(data), "--out", out,
               "--steps", str(steps), "--no-plots"]
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        m = re.search(r"([0-9.]+) images/s", res.stdout)
        if not m:
            sys.exit(f"could not parse images/s from: {res.stdout}\n{res.stderr}")
        return float(m.group(1))


def official(src, cfg, steps, threads):
    import torch  # noqa: PLC0415
    import torch.nn.functional as F  # noqa: PLC0415

    sys.path.insert(0, str(src))
    from src.helper import init_opt  # noqa: PLC0415
    from src.masks.multiblock import MaskCollator  # noqa: PLC0415
    from src.masks.utils import apply_masks  # noqa: PLC0415
    from src.models.vision_transformer import VisionTransformer, vit_predictor  # noqa: PLC0415
    from src.utils.tensors import repeat_interleave_batch  # noqa: PLC0415

    torch.set_num_threads(threads)
    d, m, meta, opt_cfg = cfg["data"], cfg["mask"], cfg["meta"], cfg["optimization"]
    crop, patch, batch = d["crop_size"], m["patch_size"], d["batch_size"]
    encoder = VisionTransformer(img_size=[crop], patch_size=patch, embed_dim=meta["embed_dim"],
                                depth=meta["depth"], num_heads=meta["num_heads"], qkv_bias=True)
    predictor = vit_predictor(num_patches=encoder.patch_embed.num_patches, embed_dim=meta["embed_dim"],
                              predictor_embed_dim=meta["pred_emb_dim"], depth=meta["pred_depth"],
                              num_heads=meta["num_heads"])
    target = VisionTransformer(img_size=[crop], patch_size=patch, embed_dim=meta["embed_dim"],
                               depth=meta["depth"], num_heads=meta["num_heads"], qkv_bias=True)
    target.load_state_dict(encoder.state_dict())
    for p in target.parameters():
        p.requires_grad = False
    ipe = 1000
    optimizer, _, scheduler, wd_scheduler = init_opt(
        encoder, predictor, ipe, opt_cfg["start_lr"], opt_cfg["lr"], opt_cfg["warmup"], opt_cfg["epochs"],
        wd=opt_cfg["weight_decay"], final_wd=opt_cfg["final_weight_decay"], final_lr=opt_cfg["final_lr"],
        ipe_scale=opt_cfg["ipe_scale"])
    collator = MaskCollator(input_size=crop, patch_size=patch, enc_mask_scale=tuple(m["enc_mask_scale"]),
                            pred_mask_scale=tuple(m["pred_mask_scale"]), aspect_ratio=tuple(m["aspect_ratio"]),
                            nenc=m["num_enc_masks"], npred=m["num_pred_masks"], min_keep=m["min_keep"],
                            allow_overlap=m["allow_overlap"])
    ema = opt_cfg["ema"]

    def train_step(imgs, masks_enc, masks_pred, itr):
        scheduler.step()
        wd_scheduler.step()
        with torch.no_grad():
            h = target(imgs)
            h = F.layer_norm(h, (h.size(-1),))
            h = apply_masks(h, masks_pred)
            h = repeat_interleave_batch(h, len(imgs), repeat=len(masks_enc))
        z = predictor(encoder(imgs, masks_enc), masks_enc, masks_pred)
        loss = F.smooth_l1_loss(z, h)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        mom = ema[0] + itr * (ema[1] - ema[0]) / (ipe * opt_cfg["epochs"] * opt_cfg["ipe_scale"])
        with torch.no_grad():
            for q, k in zip(encoder.parameters(), target.parameters()):
                k.data.mul_(mom).add_((1.0 - mom) * q.detach().data)
        return float(loss)

    batches = []
    for _ in range(steps + 3):
        imgs, enc, pred = collator([(torch.randn(3, crop, crop),) for _ in range(batch)])
        batches.append((imgs[0], enc, pred))
    for i in range(3):
        train_step(*batches[i], i)
    total = 0.0
    for i in range(3, steps + 3):
        t = time.perf_counter()
        train_step(*batches[i], i)
        total += time.perf_counter() - t
    return steps * batch / total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", type=Path, default=Path("configs/tiny.yaml"))
    ap.add_argument("--binary", type=Path, default=Path("target/release/ijepa"))
    ap.add_argument("--ijepa-src", type=Path, help="a checkout of facebookresearch/ijepa")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=30)
    args = ap.parse_args()
    cfg = load_config(args.config)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "images"
        # Enough images that the config's epochs cover --steps.
        make_images(data, cfg["data"]["batch_size"] * (args.steps // max(cfg["optimization"]["epochs"], 1) + 2))
        ours_ips = ours(args.binary, args.config, data, args.steps, args.threads)
    print(f"ours:     {ours_ips:9.1f} images/s ({args.threads} threads)")
    try:
        import torch  # noqa: F401, PLC0415
    except ImportError:
        print("official: skipped (torch is not installed)")
        return
    if args.ijepa_src is None:
        print("official: skipped (pass --ijepa-src)")
        return
    off = official(args.ijepa_src, cfg, args.steps, args.threads)
    print(f"official: {off:9.1f} images/s ({args.threads} threads)")
    print(f"ratio ours/official: {ours_ips / off:.2f}")


if __name__ == "__main__":
    main()
