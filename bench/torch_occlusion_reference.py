"""Occlusion in plain PyTorch (CPU), the reference of bench/perturbation.ts.

Builds the model of bench/torch_reference.py (same seeds), exports it to ONNX (so that Lumen's
onnxruntime run uses the very same weights), and times one occlusion explanation of one input:
window w×w over every channel, stride s, Captum's placement (ceil((D-w)/s)+1 starts per axis, the
last window clipped), zero baseline, the occluded copies in batches, each pixel the mean drop of the
target logit over the windows covering it. Prints one JSON line; writes the input and the attribution
(NCHW, float32 .npy) for a correctness check.

  /usr/bin/python3 bench/torch_occlusion_reference.py --model mnist --window 4 --stride 2 --batch 32 \
      --onnx /tmp/m.onnx --input-out /tmp/x.npy --attr-out /tmp/a.npy --reps 5 --threads 2
"""
import argparse, json, math, os, statistics, sys, time
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import SPECS, build  # noqa: E402


def occlusion(model, x, target, window, stride, batch):
    _, c, h, w = x.shape
    ys = [k * stride for k in range(math.ceil((h - window) / stride) + 1)]
    xs = [k * stride for k in range(math.ceil((w - window) / stride) + 1)]
    starts = [(y, xx) for y in ys for xx in xs]
    total = torch.zeros(1, c, h, w)
    count = torch.zeros(1, 1, h, w)
    calls = 0
    with torch.inference_mode():
        full = model(x)[0, target].item()
        calls += 1
        for s in range(0, len(starts), batch):
            chunk = starts[s:s + batch]
            masks = torch.ones(len(chunk), 1, h, w)
            for i, (y, xx) in enumerate(chunk):
                masks[i, :, y:y + window, xx:xx + window] = 0
            scores = model(x * masks)[:, target]
            calls += 1
            diff = (full - scores).view(-1, 1, 1, 1)
            holes = 1 - masks
            total += (diff * holes).sum(0, keepdim=True)
            count += holes.sum(0, keepdim=True)
    return total / count, calls, len(starts)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', default='mnist', choices=sorted(SPECS))
    p.add_argument('--window', type=int, required=True)
    p.add_argument('--stride', type=int, required=True)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--onnx')
    p.add_argument('--input-out')
    p.add_argument('--attr-out')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    (C, H, W), target, _ = SPECS[a.model]
    model = build(a.model)
    for q in model.parameters():
        q.requires_grad_(False)
    torch.manual_seed(1)
    x = torch.rand(1, C, H, W)
    if a.onnx:
        torch.onnx.export(model, x, a.onnx, opset_version=13, input_names=['x'], output_names=['y'],
                          dynamic_axes={'x': {0: 'n'}, 'y': {0: 'n'}})
    attr, calls, windows = occlusion(model, x, target, a.window, a.stride, a.batch)  # warm-up
    times = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        attr, calls, windows = occlusion(model, x, target, a.window, a.stride, a.batch)
        times.append((time.perf_counter() - t0) * 1000)
    if a.input_out:
        np.save(a.input_out, x.numpy().astype(np.float32))
    if a.attr_out:
        np.save(a.attr_out, attr.numpy().astype(np.float32))
    print(json.dumps(dict(engine=f'pytorch-cpu-{a.threads}t', model=a.model, workload='occlusion', window=a.window,
                          stride=a.stride, batch=a.batch, windows=windows, calls=calls,
                          median_ms=round(statistics.median(times), 2), times_ms=[round(t, 2) for t in times],
                          threads=torch.get_num_threads())), flush=True)


if __name__ == '__main__':
    main()
