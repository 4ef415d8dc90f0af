"""Feature visualisation in plain PyTorch (CPU): the counterpart of bench/featureviz.ts.

Reads the workload JSON written by bench/featureviz.ts (the bundled MNIST CNN's weights as tfjs
tensors: conv kernels [kh, kw, cin, cout], dense kernels [in, out]; the channel, steps, reps and the
transform sizes) and runs the same loop as Lumen's featureVisualization: a Fourier-parameterised
28x28x1 image (Lucid's spectrum scale, decay power 1, irfft2, / 4, sigmoid), each step Lucid's
standard transforms at Lumen's 28-px sizes (pad with 0.5, jitter, one bilinear scale + rotation
warp with border clamping, jitter), the full model forward, the objective the mean of one relu2
channel, Adam (lr 0.05, eps 1e-8). Prints JSON: {median_ms, times_ms, start, end, threads,
probe_max_diff (the largest |logit difference| from Lumen's on the probe inputs: the same function)}.
"""
import json
import math
import random
import statistics
import sys
import time

import torch
import torch.nn.functional as F

spec = json.load(open(sys.argv[1]))
torch.set_num_threads(spec.get("threads", 2))
W = {k: torch.tensor(v["values"], dtype=torch.float32).reshape(v["shape"]) for k, v in spec["weights"].items()}
conv1_w = W["conv1/kernel"].permute(3, 2, 0, 1).contiguous()
conv2_w = W["conv2/kernel"].permute(3, 2, 0, 1).contiguous()
dense1_w = W["dense1/kernel"].t().contiguous()
logits_w = W["logits/kernel"].t().contiguous()
CH = spec["channel"]
H = Wd = 28
T = spec["transforms"]


def forward(x):
    """The bundled MNIST CNN on NCHW input; returns (relu2, logits). Flatten in NHWC order, as tfjs does."""
    r1 = F.relu(F.conv2d(x, conv1_w, W["conv1/bias"]))
    p1 = F.max_pool2d(r1, 2)
    r2 = F.relu(F.conv2d(p1, conv2_w, W["conv2/bias"]))
    p2 = F.max_pool2d(r2, 2)
    flat = p2.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
    d1 = F.relu(flat @ dense1_w.t() + W["dense1/bias"])
    return r2, d1 @ logits_w.t() + W["logits/bias"]


def spectrum_scale(h, w, decay=1.0):
    fy = torch.fft.fftfreq(h)[:, None]
    fx = torch.fft.rfftfreq(w)[None, :]
    f = torch.sqrt(fx * fx + fy * fy)
    return math.sqrt(h * w) / torch.clamp(f, min=1.0 / max(h, w)) ** decay


def jitter(t, j, rng):
    if j <= 0:
        return t
    dy, dx = rng.randrange(j + 1), rng.randrange(j + 1)
    return t[:, :, dy:t.shape[2] - j + dy, dx:t.shape[3] - j + dx]


def warp(t, s, deg, out_h, out_w):
    """Scale by s and rotate by deg about the centre, sampling an out_h x out_w image (bilinear, border)."""
    a = math.radians(deg)
    in_h, in_w = t.shape[2], t.shape[3]
    # normalised output coords -> normalised input coords, pixel-for-pixel (inverse map: rotate by -a, shrink by s)
    theta = torch.tensor([[math.cos(a) / s * out_w / in_w, math.sin(a) / s * out_h / in_w, 0.0],
                          [-math.sin(a) / s * out_w / in_h, math.cos(a) / s * out_h / in_h, 0.0]], dtype=torch.float32)[None]
    grid = F.affine_grid(theta.expand(t.shape[0], 2, 3), [t.shape[0], t.shape[1], out_h, out_w], align_corners=False)
    return F.grid_sample(t, grid, mode="bilinear", padding_mode="border", align_corners=False)


def run(seed):
    g = torch.Generator().manual_seed(seed)
    rng = random.Random(seed + 1)
    wf = Wd // 2 + 1
    re = (torch.randn(1, 1, H, wf, generator=g) * 4).requires_grad_(True)
    im = (torch.randn(1, 1, H, wf, generator=g) * 4).requires_grad_(True)
    scale = spectrum_scale(H, Wd)
    opt = torch.optim.Adam([re, im], lr=spec["learningRate"], eps=1e-8)

    def image():
        return torch.sigmoid(torch.fft.irfft2(torch.complex(re * scale, im * scale), s=(H, Wd)) / 4)

    def objective(x):
        r2, _ = forward(x)
        return r2[:, CH].mean()

    with torch.no_grad():
        start = objective(image()).item()
    for _ in range(spec["steps"]):
        opt.zero_grad()
        x = image()
        x = F.pad(x, [T["pad"]] * 4, value=0.5)
        x = jitter(x, T["jitter1"], rng)
        x = warp(x, rng.choice(T["scales"]), rng.choice(T["angles"]), H + T["jitter2"], Wd + T["jitter2"])
        x = jitter(x, T["jitter2"], rng)
        loss = -objective(x)
        loss.backward()
        opt.step()
    with torch.no_grad():
        end = objective(image()).item()
    return start, end


with torch.no_grad():
    probe = torch.tensor(spec["probe"], dtype=torch.float32).reshape(-1, 28, 28, 1).permute(0, 3, 1, 2)
    probe_max_diff = (forward(probe)[1].reshape(-1) - torch.tensor(spec["probeLogits"])).abs().max().item()

run(0)  # warm-up
times, start, end = [], None, None
for r in range(spec["reps"]):
    t0 = time.perf_counter()
    start, end = run(r)
    times.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"median_ms": statistics.median(times), "times_ms": times, "start": start, "end": end, "threads": torch.get_num_threads(), "probe_max_diff": probe_max_diff}))
