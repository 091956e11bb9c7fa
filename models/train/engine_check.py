#!/usr/bin/python3
"""Check an exported model through restore4k's own engine against the PyTorch checkpoint.

For every Set5 image: run `restore4k image LR.png OUT.png --model MODEL.onnx`, compare OUT with the PyTorch
output of the checkpoint (8-bit, max abs difference) and report both Y-PSNRs (MATLAB Y, shave = scale).
This is a sanity check of the export (operators, colour order, range); the model cards' official figures
come from the product's evaluation.

usage: engine_check.py CKPT ONNX [--restore4k build/apps/restore4k] [--set Set5] [--threads 1]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ckpt")
    ap.add_argument("onnx")
    ap.add_argument("--restore4k", default=os.path.join(HERE, "..", "..", "build", "apps", "restore4k"))
    ap.add_argument("--bench", default=os.path.join(HERE, "..", "..", "..", "shared", "data", "sr-bench"))
    ap.add_argument("--set", default="Set5")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model, ck = train.load_model(a.ckpt)
    s = ck["args"]["scale"]
    folder = os.path.join(a.bench, a.set, f"image_SRF_{s}")
    names = sorted(n for n in os.listdir(folder) if n.endswith("_HR.png"))
    pe, pt, diffs = [], [], []
    with tempfile.TemporaryDirectory() as td:
        for n in names:
            lr_path = os.path.join(folder, n.replace("_HR.png", "_LR.png"))
            hr = np.asarray(Image.open(os.path.join(folder, n)).convert("RGB"))
            out = os.path.join(td, "out.png")
            subprocess.run([a.restore4k, "image", lr_path, out, "--model", a.onnx, "--threads", str(a.threads)],
                           check=True, stdout=subprocess.DEVNULL)
            eng = np.asarray(Image.open(out).convert("RGB")).astype(np.float64)
            x = torch.from_numpy(np.asarray(Image.open(lr_path).convert("RGB"), dtype=np.float32) / 255.0)
            with torch.no_grad():
                y = model(x.permute(2, 0, 1)[None]).clamp(0, 1)[0].permute(1, 2, 0).numpy()
            ref = np.floor(y * 255.0 + 0.5)
            h, w = min(eng.shape[0], hr.shape[0]), min(eng.shape[1], hr.shape[1])
            diffs.append(float(np.abs(eng[:h, :w] - ref[:h, :w]).max()))
            pe.append(train.psnr_y(eng[:h, :w], hr[:h, :w], s))
            pt.append(train.psnr_y(ref[:h, :w], hr[:h, :w], s))
            print(f"{n}: engine {pe[-1]:.3f} dB, PyTorch {pt[-1]:.3f} dB, max |engine - PyTorch| = {diffs[-1]:.0f}/255")
    print(f"{a.set} x{s}: engine {np.mean(pe):.3f} dB, PyTorch {np.mean(pt):.3f} dB, max diff {max(diffs):.0f}/255")


if __name__ == "__main__":
    main()
