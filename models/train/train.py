#!/usr/bin/python3
"""Train restore4k's compact super-resolution models (SRVGG-style) on CPU and export them to ONNX.

Architecture (per model): conv3x3(3->C) + PReLU(C), N x [conv3x3(C->C) + PReLU(C)], conv3x3(C->3*s*s),
PixelShuffle(s) (ONNX DepthToSpace), plus the input upsampled by nearest neighbour (ONNX Resize) added to the
output. RGB in [0,1], NCHW float32.

Subcommands:
  train   train (or continue: it resumes from --ckpt-dir/<name>.pt when present) a model
  export  export a checkpoint to ONNX (opset 13, dynamic height/width)
  eval    Set5/Set14 Y-PSNR in PyTorch (monitoring only; the product's numbers come from the C++ engine)
  flops   print parameters and FLOPs per input pixel of an architecture
  flatcheck  film-degraded flat fields in, texture (std) out: checks that no texture is hallucinated

Only Debian packages are needed: apt-get install -y python3-torch python3-numpy python3-pil
"""
import argparse
import io
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageFilter

HERE = os.path.dirname(os.path.abspath(__file__))
Image.MAX_IMAGE_PIXELS = None


# ----------------------------------------------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------------------------------------------
class CompactSR(nn.Module):
    def __init__(self, scale, channels=32, body=8):
        super().__init__()
        self.scale = scale
        layers = [nn.Conv2d(3, channels, 3, padding=1), nn.PReLU(channels)]
        for _ in range(body):
            layers += [nn.Conv2d(channels, channels, 3, padding=1), nn.PReLU(channels)]
        layers += [nn.Conv2d(channels, 3 * scale * scale, 3, padding=1)]
        self.body = nn.Sequential(*layers)
        self.shuffle = nn.PixelShuffle(scale)

    def forward(self, x):
        out = self.shuffle(self.body(x))
        return out + F.interpolate(x, scale_factor=self.scale, mode="nearest")


def flops_per_input_pixel(scale, channels, body):
    macs = 9 * (3 * channels + body * channels * channels + channels * 3 * scale * scale)
    return 2 * macs


def n_params(model):
    return sum(p.numel() for p in model.parameters())


# ----------------------------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------------------------
def read_list(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(line)
    return out


def bicubic_down(img, scale, kernel=Image.BICUBIC):
    w, h = img.size
    return img.resize((w // scale, h // scale), kernel)


def film_degrade(hr, scale, rng):
    """Degrade an HR uint8 PIL patch into a film-like LR patch (the target stays the clean HR patch)."""
    img = hr
    # 1. optical blur before sampling
    if rng.random() < 0.8:
        img = img.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.2, 1.5)))
    # 2. random downscaling kernel
    kernel = rng.choice([Image.BICUBIC, Image.BILINEAR, Image.BOX, Image.LANCZOS])
    img = bicubic_down(img, scale, kernel)
    a = np.asarray(img, dtype=np.float32) / 255.0
    h, w, _ = a.shape
    # 3. Gaussian noise (sometimes per channel, sometimes luminance only)
    sigma = rng.uniform(0.0, 0.03) if rng.random() < 0.8 else 0.0
    if sigma > 0:
        if rng.random() < 0.5:
            n = rng.standard_normal((h, w, 3))
        else:
            n = np.repeat(rng.standard_normal((h, w, 1)), 3, axis=2)
        a = a + sigma * n.astype(np.float32)
    # 4. film grain: spatially correlated, strongest in the mid-tones
    if rng.random() < 0.6:
        g = rng.standard_normal((h, w)).astype(np.float32)
        gi = Image.fromarray(((g * 32) + 128).clip(0, 255).astype(np.uint8))
        gi = gi.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.4, 1.2)))
        g = (np.asarray(gi, dtype=np.float32) - 128.0) / 32.0
        g = g / (g.std() + 1e-6)
        lum = a.mean(axis=2, keepdims=True).clip(0, 1)
        amp = rng.uniform(0.005, 0.04)
        a = a + amp * g[..., None] * (4.0 * lum * (1.0 - lum) + 0.25)
    # 5. slight blur after sampling (soft telecine scan)
    img = Image.fromarray((a.clip(0, 1) * 255.0 + 0.5).astype(np.uint8))
    if rng.random() < 0.2:
        img = img.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.2, 0.6)))
    # 6. JPEG compression (stands in for JPEG/MPEG-style block coding)
    if rng.random() < 0.85:
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=int(rng.integers(40, 91)))
        buf.seek(0)
        img = Image.open(buf).convert("RGB")
    return img


def build_bank(images, scale, patch, count, seed, degrade, flat_keep=0.25):
    """Extract `count` HR patches (uint8) from the images and their LR counterparts, deterministic in `seed`."""
    rng = np.random.default_rng(seed)
    per_image = int(math.ceil(count / len(images)))
    hr_list, lr_list = [], []
    for idx, path in enumerate(images):
        src = Image.open(path).convert("RGB")
        # several scales of the source (wallpapers are large, often soft): full-size details and denser details
        versions = []
        for f in (1.0, 0.75, 0.5, 0.35):
            if f == 1.0:
                versions.append(src)
            else:
                w, h = src.size
                versions.append(src.resize((int(w * f), int(h * f)), Image.BICUBIC))
        got = 0
        tries = 0
        while got < per_image and tries < per_image * 20:
            tries += 1
            v = versions[int(rng.integers(0, len(versions)))]
            w, h = v.size
            if w < patch or h < patch:
                continue
            x = int(rng.integers(0, w - patch + 1))
            y = int(rng.integers(0, h - patch + 1))
            hr = v.crop((x, y, x + patch, y + patch))
            arr = np.asarray(hr)
            if arr.astype(np.float32).std() < 6.0 and rng.random() > flat_keep:
                continue  # mostly skip flat patches (bokeh, sky); keep some so flat areas stay flat
            if degrade == "film":
                lr = film_degrade(hr, scale, rng)
            else:
                lr = bicubic_down(hr, scale)
            hr_list.append(arr.copy())
            lr_list.append(np.asarray(lr).copy())
            got += 1
        print(f"  bank: {path}: {got} patches", flush=True)
    hr = torch.from_numpy(np.stack(hr_list)).permute(0, 3, 1, 2).contiguous()  # uint8 N,3,P,P
    lr = torch.from_numpy(np.stack(lr_list)).permute(0, 3, 1, 2).contiguous()
    return hr, lr


def augment(lr, hr, g):
    """Same random flip / rot90 for the whole batch pair (cheap) -- different per batch."""
    k = int(torch.randint(0, 4, (1,), generator=g))
    if k:
        lr = torch.rot90(lr, k, (2, 3))
        hr = torch.rot90(hr, k, (2, 3))
    if int(torch.randint(0, 2, (1,), generator=g)):
        lr = torch.flip(lr, (3,))
        hr = torch.flip(hr, (3,))
    return lr, hr


# ----------------------------------------------------------------------------------------------------------------
# Evaluation (PyTorch, for monitoring)
# ----------------------------------------------------------------------------------------------------------------
def to_y(a):
    """a: float array H,W,3 in [0,255] -> MATLAB rgb2ycbcr Y in [16,235] scale (0..255)."""
    a = a / 255.0
    return 16.0 + 65.481 * a[..., 0] + 128.553 * a[..., 1] + 24.966 * a[..., 2]


def psnr_y(sr, hr, shave):
    y1 = to_y(sr.astype(np.float64))
    y2 = to_y(hr.astype(np.float64))
    if shave:
        y1 = y1[shave:-shave, shave:-shave]
        y2 = y2[shave:-shave, shave:-shave]
    mse = np.mean((y1 - y2) ** 2)
    return 10 * math.log10(255.0 ** 2 / mse)


def eval_set(model, root, scale, degrade="clean", seed=1234):
    """Mean Y-PSNR over a benchmark folder. degrade="film": the LR input is a film-degraded version of the HR
    image (fixed seed per image), the target is the clean HR image."""
    folder = os.path.join(root, f"image_SRF_{scale}")
    names = sorted(n for n in os.listdir(folder) if n.endswith("_HR.png"))
    res_model, res_bic = [], []
    model.eval()
    with torch.no_grad():
        for i, n in enumerate(names):
            hr_img = Image.open(os.path.join(folder, n)).convert("RGB")
            lr_path = os.path.join(folder, n.replace("_HR.png", "_LR.png"))
            if degrade == "film":
                lr_img = film_degrade(hr_img, scale, np.random.default_rng(seed + i))
            else:
                lr_img = Image.open(lr_path).convert("RGB") if os.path.exists(lr_path) else bicubic_down(hr_img, scale)
            hr = np.asarray(hr_img)
            x = torch.from_numpy(np.asarray(lr_img, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]
            y = model(x).clamp(0, 1)[0].permute(1, 2, 0).numpy()
            sr = np.floor(y * 255.0 + 0.5)
            h, w = min(sr.shape[0], hr.shape[0]), min(sr.shape[1], hr.shape[1])
            res_model.append(psnr_y(sr[:h, :w], hr[:h, :w], scale))
            bic = np.asarray(lr_img.resize((lr_img.size[0] * scale, lr_img.size[1] * scale), Image.BICUBIC))
            res_bic.append(psnr_y(bic[:h, :w], hr[:h, :w], scale))
    model.train()
    return float(np.mean(res_model)), float(np.mean(res_bic)), res_model


# ----------------------------------------------------------------------------------------------------------------
# Train
# ----------------------------------------------------------------------------------------------------------------
def lr_at(step, total, base, warmup=200, floor=0.02):
    if step < warmup:
        return base * (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)
    return base * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(1.0, t))))


def cmd_train(a):
    torch.set_num_threads(a.threads)
    os.makedirs(a.ckpt_dir, exist_ok=True)
    ckpt_path = os.path.join(a.ckpt_dir, a.name + ".pt")
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)

    model = CompactSR(a.scale, a.channels, a.body)
    print(f"{a.name}: scale {a.scale}, C={a.channels}, N={a.body}, params {n_params(model)}, "
          f"{flops_per_input_pixel(a.scale, a.channels, a.body)} FLOPs/input pixel", flush=True)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    g = torch.Generator().manual_seed(a.seed + 1)
    step = 0
    elapsed = 0.0
    log = []

    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        g.set_state(ck["gen"])
        step, elapsed, log = ck["step"], ck["elapsed"], ck.get("log", [])
        print(f"resumed from {ckpt_path} at step {step} ({elapsed / 60:.1f} min trained)", flush=True)
    elif a.init:
        ck = torch.load(a.init)
        model.load_state_dict(ck["model"])
        print(f"initialised from {a.init} (step {ck['step']})", flush=True)

    images = read_list(a.images)
    t0 = time.time()
    bank_hr, bank_lr = build_bank(images, a.scale, a.patch, a.bank, a.seed, a.degrade, a.flat_keep)
    print(f"bank: {bank_hr.shape[0]} patches of {a.patch}px in {time.time() - t0:.0f}s", flush=True)

    def save():
        tmp = ckpt_path + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "gen": g.get_state(), "step": step,
                    "elapsed": elapsed, "log": log, "args": vars(a)}, tmp)
        os.replace(tmp, ckpt_path)

    model.train()
    t_last = time.time()
    run_l1 = 0.0
    n_l1 = 0
    deadline = time.time() + a.minutes * 60 if a.minutes > 0 else None
    while step < a.steps:
        idx = torch.randint(0, bank_hr.shape[0], (a.batch,), generator=g)
        lr_b = bank_lr[idx].float().div_(255.0)
        hr_b = bank_hr[idx].float().div_(255.0)
        lr_b, hr_b = augment(lr_b, hr_b, g)
        for pg in opt.param_groups:
            pg["lr"] = lr_at(step, a.steps, a.lr)
        out = model(lr_b)
        loss = F.l1_loss(out, hr_b)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        run_l1 += float(loss)
        n_l1 += 1
        now = time.time()
        elapsed += now - t_last
        t_last = now
        if step % a.log_every == 0:
            print(f"step {step}/{a.steps} l1 {run_l1 / n_l1:.5f} lr {opt.param_groups[0]['lr']:.2e} "
                  f"{elapsed / 60:.1f} min", flush=True)
            run_l1, n_l1 = 0.0, 0
        if step % a.eval_every == 0 or step == a.steps:
            p, pb, _ = eval_set(model, os.path.join(a.bench, "Set5"), a.scale)
            entry = {"step": step, "min": round(elapsed / 60, 2), "set5_psnr_y": round(p, 3)}
            msg = f"  eval step {step}: Set5 Y-PSNR {p:.3f} dB (bicubic {pb:.3f})"
            if a.degrade == "film":
                pf, pfb, _ = eval_set(model, os.path.join(a.bench, "Set5"), a.scale, "film")
                entry["set5_film_psnr_y"] = round(pf, 3)
                msg += f"; film-degraded Set5 {pf:.3f} dB (bicubic {pfb:.3f})"
            log.append(entry)
            print(msg, flush=True)
            t_last = time.time()
        if step % a.ckpt_every == 0:
            save()
        if deadline and time.time() > deadline:
            print("time budget reached, stopping (run again to continue)", flush=True)
            break
    save()
    print(f"done: step {step}, {elapsed / 60:.1f} min", flush=True)


def load_model(ckpt):
    ck = torch.load(ckpt)
    ar = ck["args"]
    model = CompactSR(ar["scale"], ar["channels"], ar["body"])
    model.load_state_dict(ck["model"])
    model.eval()
    return model, ck


def cmd_export(a):
    torch.set_num_threads(a.threads)
    model, ck = load_model(a.ckpt)
    x = torch.rand(1, 3, 64, 64)
    torch.onnx.export(model, x, a.out, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {2: "height", 3: "width"}, "output": {2: "height", 3: "width"}},
                      do_constant_folding=True)
    print(f"exported {a.out} ({os.path.getsize(a.out)} bytes) from step {ck['step']}")


def cmd_eval(a):
    torch.set_num_threads(a.threads)
    model, ck = load_model(a.ckpt)
    scale = ck["args"]["scale"]
    out = {"step": ck["step"], "train_minutes": round(ck["elapsed"] / 60, 1)}
    for s in a.sets:
        p, pb, per = eval_set(model, os.path.join(a.bench, s), scale, a.degrade)
        out[s] = {"model": round(p, 3), "bicubic": round(pb, 3), "per_image": [round(v, 3) for v in per]}
    print(json.dumps(out, indent=1))


def cmd_flatcheck(a):
    """Flat-area test: film-degrade flat HR fields (several grey levels and colours), upscale them, and compare
    the output's standard deviation (texture added) with the degraded input's (bicubic-upscaled)."""
    torch.set_num_threads(a.threads)
    model, ck = load_model(a.ckpt)
    s = ck["args"]["scale"]
    rng = np.random.default_rng(7)
    rows = []
    for col in [(40, 40, 40), (128, 128, 128), (200, 200, 200), (90, 140, 200), (200, 170, 120)]:
        hr = Image.new("RGB", (256, 256), col)
        lr = film_degrade(hr, s, rng)
        x = torch.from_numpy(np.asarray(lr, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]
        with torch.no_grad():
            y = model(x).clamp(0, 1)[0].permute(1, 2, 0).numpy() * 255.0
        bic = np.asarray(lr.resize((lr.size[0] * s, lr.size[1] * s), Image.BICUBIC), dtype=np.float32)
        m = 8 * s  # ignore borders

        def sd(v):  # per-channel spatial standard deviation, averaged over channels
            return float(v.reshape(-1, 3).std(axis=0).mean())
        rows.append((col, sd(np.asarray(lr, dtype=np.float32)[8:-8, 8:-8]), sd(bic[m:-m, m:-m]), sd(y[m:-m, m:-m])))
    print("flat colour        LR std  bicubic std  model std  (0..255; HR std is 0)")
    for col, a1, b1, c1 in rows:
        print(f"{str(col):18s} {a1:6.2f}  {b1:11.2f}  {c1:9.2f}")
    print(f"mean               {np.mean([r[1] for r in rows]):6.2f}  {np.mean([r[2] for r in rows]):11.2f}  "
          f"{np.mean([r[3] for r in rows]):9.2f}")


def cmd_flops(a):
    m = CompactSR(a.scale, a.channels, a.body)
    print(f"params {n_params(m)}, FLOPs per input pixel {flops_per_input_pixel(a.scale, a.channels, a.body)}")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--name", required=True)
    t.add_argument("--scale", type=int, required=True)
    t.add_argument("--channels", type=int, default=32)
    t.add_argument("--body", type=int, default=8)
    t.add_argument("--degrade", choices=["clean", "film"], default="clean")
    t.add_argument("--images", default=os.path.join(HERE, "images.txt"))
    t.add_argument("--bench", default=os.path.join(HERE, "..", "..", "..", "shared", "data", "sr-bench"))
    t.add_argument("--patch", type=int, default=96, help="HR patch size")
    t.add_argument("--bank", type=int, default=4000, help="number of pre-extracted patches")
    t.add_argument("--flat-keep", type=float, default=0.25, help="share of flat patches kept in the bank")
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--steps", type=int, default=6000)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--init", default="", help="checkpoint to start from (fine-tuning)")
    t.add_argument("--ckpt-dir", default="/tmp/r4k-train")
    t.add_argument("--ckpt-every", type=int, default=250)
    t.add_argument("--eval-every", type=int, default=1000)
    t.add_argument("--log-every", type=int, default=100)
    t.add_argument("--minutes", type=float, default=0, help="stop (resumably) after this wall time")
    t.add_argument("--threads", type=int, default=2)
    e = sub.add_parser("export")
    e.add_argument("ckpt")
    e.add_argument("out")
    e.add_argument("--threads", type=int, default=2)
    v = sub.add_parser("eval")
    v.add_argument("ckpt")
    v.add_argument("--sets", nargs="+", default=["Set5", "Set14"])
    v.add_argument("--degrade", choices=["clean", "film"], default="clean",
                   help="film: LR = film-degraded HR (fixed seeds), target = clean HR")
    v.add_argument("--bench", default=os.path.join(HERE, "..", "..", "..", "shared", "data", "sr-bench"))
    v.add_argument("--threads", type=int, default=2)
    fc = sub.add_parser("flatcheck")
    fc.add_argument("ckpt")
    fc.add_argument("--threads", type=int, default=2)
    f = sub.add_parser("flops")
    f.add_argument("--scale", type=int, required=True)
    f.add_argument("--channels", type=int, default=32)
    f.add_argument("--body", type=int, default=8)
    a = ap.parse_args()
    {"train": cmd_train, "export": cmd_export, "eval": cmd_eval, "flops": cmd_flops,
     "flatcheck": cmd_flatcheck}[a.cmd](a)


if __name__ == "__main__":
    main()
