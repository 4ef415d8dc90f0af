# Copied verbatim from /work/shared/bench/torch_reference.py (the shared reference of Lumen's
# benchmark issue); bench/run.ts runs this copy, never the shared one. Keep the two in sync —
# except lrp32 and deeplift32, added here (issue 16), which the shared copy does not have.
"""Reference timings in plain PyTorch (CPU) for Lumen's benchmarks, to run side by side with them.

Needs Debian's PyTorch: `apt-get install -y python3-torch`, then run with /usr/bin/python3.
Prints one JSON line per workload: {"engine", "model", "workload", "median_ms", "times_ms", "threads"}.

Models (random weights, seeded; NCHW here, NHWC in TF.js — the same functions up to layout):
  mnist       Conv(1→32,3×3) ReLU Conv(32→64,3×3) ReLU MaxPool2 Flatten Dense(9216→128) ReLU Dense(128→10); 28×28×1
  mobilenet96 MobileNet v1 (α=1): Conv 3×3/2 (32) BN ReLU6, then 13 depthwise-separable blocks
              (64,1)(128,2)(128,1)(256,2)(256,1)(512,2)(512,1)×5(1024,2)(1024,1), each
              DWConv3×3 BN ReLU6 Conv1×1 BN ReLU6; global average pool; Dense(1024→1000); 96×96×3
Workloads (target class 3 for mnist, 281 for mobilenet96):
  fwd32     forward pass, batch 32
  grad32    gradient of the target logit w.r.t. a batch of 32 inputs
  ig50      integrated gradients, 50 steps in ONE batch, one input, zero baseline
  occ200b32 200 occluded copies of one input (4×4 patches for mnist, 12×12 for mobilenet96), batches of 32
  lrp32     LRP-ε (ε = 1e-6) on every Conv/Linear, Pass on activations and batch norm, the gradient
            through max pooling and flatten, Norm on average pooling; batch 32 (Lumen only: not in shared/)
  deeplift32 DeepLIFT rescale against a zero reference (Captum's rules: Δy/Δx at ReLU/ReLU6, its
            max-pool rule, the gradient elsewhere); batch 32 (Lumen only: not in shared/)
"""
import argparse, json, os, statistics, sys, time
import torch, torch.nn as nn

MB_BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
             (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]
SPECS = {'mnist': ((1, 28, 28), 3, 4), 'mobilenet96': ((3, 96, 96), 281, 12)}


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

def build(name):
    if name == 'mnist':
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(12 * 12 * 64, 128), nn.ReLU(), nn.Linear(128, 10)).eval()
    layers, c = [nn.Conv2d(3, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32, eps=1e-3), nn.ReLU6()], 32
    for f, s in MB_BLOCKS:
        layers += [nn.Conv2d(c, c, 3, s, 1, groups=c, bias=False), nn.BatchNorm2d(c, eps=1e-3), nn.ReLU6(),
                   nn.Conv2d(c, f, 1, bias=False), nn.BatchNorm2d(f, eps=1e-3), nn.ReLU6()]
        c = f
    m = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1024, 1000))
    for mod in m.modules():
        if isinstance(mod, nn.Conv2d):
            nn.init.kaiming_normal_(mod.weight, nonlinearity='relu')
    return m.eval()

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', default='mnist', choices=sorted(SPECS))
    p.add_argument('--workloads', default='fwd32,grad32,ig50,occ200b32')
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--memory-ig', type=int, default=0, help='memory mode: IG of x1 with this many Riemann steps; prints {"memory": {rssBefore, rssPeak, ms}}')
    p.add_argument('--memory-batch', type=int, default=0, help='rows per model call in memory mode (0: all steps in one call)')
    p.add_argument('--serve', action='store_true', help='interleaved mode: read a workload name per stdin line, run it once, print {workload, ms}')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    (C, H, W), target, patch = SPECS[a.model]
    model = build(a.model)
    for q in model.parameters():
        q.requires_grad_(False)
    x32, x1 = torch.rand(32, C, H, W), torch.rand(1, C, H, W)

    def grad_of(x):
        x = x.detach().requires_grad_(True)
        g, = torch.autograd.grad(model(x)[:, target].sum(), x)
        return g

    def occluded(start, n, total=200):
        side = int(total ** 0.5 + 0.999999)
        step = (W - patch) / (side - 1)
        m = torch.ones(n, 1, H, W)
        for i in range(n):
            k = start + i
            py, px = round((k // side) * step), round((k % side) * step)
            m[i, :, py:py + patch, px:px + patch] = 0
        return x1 * m

    def fwd32():
        with torch.inference_mode():
            model(x32)

    def grad32():
        grad_of(x32)

    def ig50():
        alphas = torch.linspace(1 / 50, 1, 50).view(50, 1, 1, 1)
        (grad_of(alphas * x1).mean(0, keepdim=True) * x1).sum()

    def occ200b32():
        with torch.inference_mode():
            for s in range(0, 200, 32):
                model(occluded(s, min(32, 200 - s)))[:, target].tolist()

    mods = list(model)

    def inputs_of(x):
        xs = []
        for m in mods:
            xs.append(x)
            x = m(x)
        return xs, x

    def vjp(m, x, v):
        x = x.detach().requires_grad_(True)
        g, = torch.autograd.grad(m(x), x, v)
        return g

    def stab(z, eps=1e-6):
        return z + eps * (2 * (z >= 0).float() - 1)

    def lrp32():
        xs, y = inputs_of(x32)
        r = torch.zeros_like(y)
        r[:, target] = y[:, target]
        for m, x in zip(reversed(mods), reversed(xs)):
            if isinstance(m, (nn.Conv2d, nn.Linear, nn.AdaptiveAvgPool2d)):
                x = x.detach().requires_grad_(True)
                z = m(x)
                g, = torch.autograd.grad(z, x, r / stab(z.detach()))
                r = x.detach() * g
            elif isinstance(m, (nn.MaxPool2d, nn.Flatten)):
                r = vjp(m, x, r)
        r.sum().item()

    def deeplift32():
        ref = torch.zeros_like(x32)
        xs, _ = inputs_of(x32)
        rs, _ = inputs_of(ref)
        mult = torch.zeros(32, 10 if a.model == 'mnist' else 1000)
        mult[:, target] = 1
        for m, x, b in zip(reversed(mods), reversed(xs), reversed(rs)):
            if isinstance(m, (nn.ReLU, nn.ReLU6)):
                dx = x - b
                mult = torch.where(dx.abs() < 1e-10, vjp(m, x, mult), mult * (m(x) - m(b)) / dx)
            elif isinstance(m, nn.MaxPool2d):
                y, yb = m(x), m(b)
                shares = vjp(m, x, mult * torch.relu(y - yb)) - vjp(m, b, mult * torch.relu(yb - y))
                dx = x - b
                mult = torch.where(dx.abs() < 1e-10, vjp(m, x, mult), shares / dx)
            else:
                mult = vjp(m, x, mult)
        (mult * (x32 - ref)).sum().item()

    if a.memory_ig:
        # Memory mode (bench/memory.ts): RSS now (model built, nothing run), then IG in batches, then the process's peak RSS.
        import resource
        with open('/proc/self/statm') as f:
            rss_before = int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
        steps = a.memory_ig
        batch = a.memory_batch or steps
        t0 = time.perf_counter()
        total = torch.zeros_like(x1)
        for s in range(0, steps, batch):
            alphas = torch.arange(s + 1, min(steps, s + batch) + 1, dtype=torch.float32).div(steps).view(-1, 1, 1, 1)
            total += grad_of(alphas * x1).sum(0, keepdim=True)
        (total / steps * x1).sum().item()
        ms = (time.perf_counter() - t0) * 1000
        peak = peak_rss()
        print(json.dumps(dict(memory=dict(steps=steps, batch=batch, ms=round(ms, 1), rssBefore=rss_before, rssPeak=peak))), flush=True)
        return

    fns = dict(fwd32=fwd32, grad32=grad32, ig50=ig50, occ200b32=occ200b32, lrp32=lrp32, deeplift32=deeplift32)
    if a.serve:
        print(json.dumps(dict(ready=True, threads=torch.get_num_threads())), flush=True)
        for line in sys.stdin:
            w = line.strip()
            if not w:
                break
            t0 = time.perf_counter(); fns[w](); ms = (time.perf_counter() - t0) * 1000
            print(json.dumps(dict(workload=w, ms=round(ms, 3))), flush=True)
        return
    for w in a.workloads.split(','):
        fns[w]()  # warm-up
        times = []
        for _ in range(a.reps):
            t0 = time.perf_counter(); fns[w](); times.append((time.perf_counter() - t0) * 1000)
        print(json.dumps(dict(engine=f'pytorch-cpu-{a.threads}t', model=a.model, workload=w,
                              median_ms=round(statistics.median(times), 2),
                              times_ms=[round(t, 2) for t in times], threads=torch.get_num_threads())), flush=True)

if __name__ == '__main__':
    main()
