"""PyTorch CPU reference for bench/onnx.ts: torchvision's MobileNetV2 (random weights, seeded, eval
mode — the architecture of test/fixtures/models/mobilenet_v2.onnx) on a batch of 224×224 inputs.

  /usr/bin/python3 bench/torch_onnx_reference.py [--batch 8] [--reps 5] [--threads 2]

Prints one JSON line per workload: {"engine": "torch", "workload": "fwd"|"grad", "median_ms", "times_ms"}.
fwd: forward pass under no_grad; grad: gradient of logit 394 (summed over the batch) w.r.t. the input.
"""
import argparse, json, statistics, time
import torch, torchvision


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--batch', type=int, default=8)
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(7002)
    net = torchvision.models.mobilenet_v2(weights=None).eval()
    x = torch.randn(a.batch, 3, 224, 224)

    def fwd():
        with torch.no_grad():
            net(x)

    def grad():
        xi = x.clone().requires_grad_(True)
        net(xi)[:, 394].sum().backward()

    for name, fn in (('fwd', fwd), ('grad', grad)):
        fn()
        times = []
        for _ in range(a.reps):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({'engine': 'torch', 'workload': name, 'median_ms': statistics.median(times), 'times_ms': times}), flush=True)


if __name__ == '__main__':
    main()
