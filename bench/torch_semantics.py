"""Feature visualisation and TCAV in plain PyTorch (CPU): the counterpart of bench/semantics.ts.

Reads the workload JSON written by bench/semantics.ts (the bundled MNIST CNN's weights as tfjs
tensors: conv kernels [kh, kw, cin, cout], dense kernels [in, out]; the channel, steps, transform
sizes; the TCAV images, labels and layers) and, with --serve, answers one timed rep per stdin line
("featureviz SEED" or "tcav-LAYER SEED") with one JSON line {ms, ...}; an empty line ends it.

featureviz: the same loop as Lumen's featureVisualization: a Fourier-parameterised 28x28x1 image
(Lucid's spectrum scale, decay power 1, irfft2, / 4, sigmoid), each step Lucid's standard transforms
at Lumen's 28-px sizes (pad with 0.5, jitter, one bilinear scale + rotation warp with border
clamping, jitter), the full model forward, the objective the mean of one relu2 channel, Adam (lr
0.05, eps 1e-8).

tcav: the same loop as Lumen's tcav (tensorflow/tcav's computation with the PyTorch stack): the
class logit's gradient w.r.t. the layer for every class row (one batched autograd call), the
concepts' and the random pool's activations (batched forward), then per run two disjoint random sets
drawn from the pool, one CAV per concept and one random-vs-random CAV (balanced, stratified 0.33
split, scikit-learn's LogisticRegression C=1, lbfgs, solved tightly as Lumen does: tol 1e-8,
max_iter 10000), scores and magnitudes; a two-sided scipy.stats.ttest_ind per concept.
"""
import json
import math
import random
import resource
import sys
import time

import numpy as np

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



def peak_rss():
    """Peak RSS of this process since its exec: Linux VmHWM (getrusage's ru_maxrss inherits a forking parent's peak)."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

def forward(x):
    """The bundled MNIST CNN on NCHW input; returns (relu2, logits). Flatten in NHWC order, as tfjs does."""
    acts = forward_from(x, "input", {})
    return acts["relu2"], acts["logits"]


LAYERS = ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "flatten", "dense1", "relu3", "logits"]


def forward_from(h, start, keep):
    """Runs the CNN from layer `start`'s output h ("input": the NCHW image) to the logits; every layer's
    output (conv maps NCHW) goes into `keep`, and `keep` is returned."""
    steps = {
        "conv1": lambda t: F.conv2d(t, conv1_w, W["conv1/bias"]),
        "relu1": F.relu,
        "pool1": lambda t: F.max_pool2d(t, 2),
        "conv2": lambda t: F.conv2d(t, conv2_w, W["conv2/bias"]),
        "relu2": F.relu,
        "pool2": lambda t: F.max_pool2d(t, 2),
        "flatten": lambda t: t.permute(0, 2, 3, 1).reshape(t.shape[0], -1),
        "dense1": lambda t: t @ dense1_w.t() + W["dense1/bias"],
        "relu3": F.relu,
        "logits": lambda t: t @ logits_w.t() + W["logits/bias"],
    }
    for name in LAYERS[(LAYERS.index(start) + 1 if start != "input" else 0):]:
        h = steps[name](h)
        keep[name] = h
    return keep


def flat_nhwc(t):
    """A layer's output as rows in tfjs' order (NHWC flattened), as Lumen's activation matrices are."""
    return (t.permute(0, 2, 3, 1) if t.dim() == 4 else t).reshape(t.shape[0], -1)


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


def featureviz(seed):
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



def images(key):
    return torch.tensor(T_SPEC[key], dtype=torch.float32).reshape(-1, 28, 28, 1).permute(0, 3, 1, 2).contiguous()


def activations(x, layer, batch=256):
    with torch.no_grad():
        return torch.cat([flat_nhwc(forward_from(x[i:i + batch], "input", {})[layer]) for i in range(0, x.shape[0], batch)]).double().numpy()


def class_gradients(x, layer, cls, batch=256):
    """d logit_cls / d activations of `layer` for every row, batched: the forward is split at the layer."""
    out = []
    for i in range(0, x.shape[0], batch):
        with torch.no_grad():
            a = forward_from(x[i:i + batch], "input", {})[layer]
        a = a.detach().requires_grad_(True)
        logits = forward_from(a, layer, {})["logits"]
        (g,) = torch.autograd.grad(logits[:, cls].sum(), a)
        out.append(flat_nhwc(g))
    return torch.cat(out).double().numpy()


def train_cav(concept, random_set, rng):
    n = min(concept.shape[0], random_set.shape[0])
    c = concept[np.sort(rng.permutation(concept.shape[0])[:n])]
    r = random_set[np.sort(rng.permutation(random_set.shape[0])[:n])]
    x = np.concatenate([c, r])
    y = np.concatenate([np.ones(n), np.zeros(n)])
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.33, stratify=y, random_state=int(rng.integers(2**31)))
    clf = LogisticRegression(C=1.0, tol=1e-8, max_iter=10000).fit(xtr, ytr)
    w = clf.coef_[0]
    return w / np.linalg.norm(w), clf.score(xte, yte)


def score(grads, v):
    s = grads @ v
    return float(np.mean(s > 0)), float(np.maximum(s, 0).sum() / max(np.abs(s).sum(), 1e-300))


def tcav(layer, seed):
    cls = T_SPEC["class"]
    data = images("data")
    rows = [i for i, l in enumerate(T_SPEC["dataLabels"]) if l == cls]
    grads = class_gradients(data, layer, cls)[rows]
    concepts = [activations(images(k), layer) for k in T_SPEC["conceptKeys"]]
    pool = activations(images("random"), layer)
    m = min(max(c.shape[0] for c in concepts), pool.shape[0] // 2)
    rng = np.random.default_rng(seed)
    scores = [[] for _ in concepts]
    null = []
    for _ in range(T_SPEC["runs"]):
        perm = rng.permutation(pool.shape[0])
        counterpart, other = pool[np.sort(perm[:m])], pool[np.sort(perm[m:2 * m])]
        for k, acts in enumerate(concepts):
            v, _ = train_cav(acts, counterpart, rng)
            scores[k].append(score(grads, v)[0])
        v, _ = train_cav(other, counterpart, rng)
        null.append(score(grads, v)[0])
    p = [float(ttest_ind(s, null).pvalue) for s in scores]
    return {"means": [float(np.mean(s)) for s in scores], "randomMean": float(np.mean(null)), "pValues": p, "classRows": len(rows)}


T_SPEC = spec.get("tcav", {})
if T_SPEC:
    from scipy.stats import ttest_ind
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

with torch.no_grad():
    probe = torch.tensor(spec["probe"], dtype=torch.float32).reshape(-1, 28, 28, 1).permute(0, 3, 1, 2)
    probe_max_diff = (forward(probe)[1].reshape(-1) - torch.tensor(spec["probeLogits"])).abs().max().item()
print(json.dumps({"ready": True, "threads": torch.get_num_threads(), "torch": torch.__version__, "probe_max_diff": probe_max_diff}), flush=True)
for line in sys.stdin:
    parts = line.split()
    if not parts:
        break
    workload, seed = parts[0], int(parts[1])
    t0 = time.perf_counter()
    if workload == "featureviz":
        start, end = featureviz(seed)
        extra = {"start": start, "end": end}
    elif workload.startswith("tcav-"):
        extra = tcav(workload[len("tcav-"):], seed)
    else:
        raise SystemExit(f"torch_semantics.py: unknown workload {workload}")
    ms = (time.perf_counter() - t0) * 1000
    print(json.dumps({"ms": ms, **extra, "maxRssBytes": peak_rss()}), flush=True)
