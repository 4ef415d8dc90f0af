"""KernelSHAP in plain PyTorch (CPU), the same computation as bench/kernel-shap.ts times in Lumen.

Reads a plan written by kernel-shap.ts (JSON): the input x (NHWC, flattened), the feature mask
(one label per pixel), the coalitions z (rows of 0/1, ∅ and F first) with their Shapley-kernel
weights, the target class and the batch size. Times, per explanation: building the masked inputs
x·m (zero baseline) in batches, the forward passes, reading the target scores, and the weighted
least-squares fit with the efficiency constraint (float64). Prints one JSON line with the median.

  /usr/bin/python3 bench/torch_kernel_shap.py --model mnist|mobilenet96 --plan plan.json [--reps 3] [--threads 2]
  /usr/bin/python3 bench/torch_kernel_shap.py --model mobilenet96 --export-onnx out.onnx   # for onnxruntime

Models: mnist is the bundled CNN (models/mnist) rebuilt as scripts/export-mnist-onnx.py does;
mobilenet96 is bench/torch_reference.py's MobileNet v1 at 96×96 (random weights, seeded).
"""
import argparse, importlib.util, json, os, statistics, sys, time
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def build(name):
    if name == 'mnist':
        exp = load_module(os.path.join(ROOT, 'scripts', 'export-mnist-onnx.py'), 'export_mnist_onnx')
        w = exp.read_weights()
        model = exp.MnistCnn()
        with torch.no_grad():
            for n in ('conv1', 'conv2'):
                getattr(model, n).weight.copy_(torch.from_numpy(w[f'{n}/kernel'].transpose(3, 2, 0, 1).copy()))
                getattr(model, n).bias.copy_(torch.from_numpy(w[f'{n}/bias']))
            for n in ('dense1', 'logits'):
                getattr(model, n).weight.copy_(torch.from_numpy(w[f'{n}/kernel'].T.copy()))
                getattr(model, n).bias.copy_(torch.from_numpy(w[f'{n}/bias']))
        return model.eval(), (1, 28, 28)
    ref = load_module(os.path.join(HERE, 'torch_reference.py'), 'torch_reference')
    torch.manual_seed(0)
    return ref.build('mobilenet96'), (3, 96, 96)


def kernel_shap(model, x, mask, z, w, target, batch):
    """φ from the coalitions z (∅, F, then the weighted rows): masked forwards in batches, then the constrained WLS."""
    m = z[:, mask].view(z.shape[0], 1, x.shape[2], x.shape[3])  # [rows, 1, H, W]
    scores = []
    with torch.inference_mode():
        for s in range(0, z.shape[0], batch):
            scores += model(x * m[s:s + batch])[:, target].tolist()
    v = torch.tensor(scores, dtype=torch.float64)
    v0, vf = v[0], v[1]
    zz = z[2:].double()
    y = v[2:] - v0 - zz[:, -1] * (vf - v0)
    a = zz[:, :-1] - zz[:, -1:]
    aw = a * w[:, None]
    phi = torch.linalg.solve(a.T @ aw, aw.T @ y)
    return torch.cat([phi, (vf - v0 - phi.sum()).view(1)])


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--model', required=True, choices=['mnist', 'mobilenet96'])
    p.add_argument('--plan')
    p.add_argument('--export-onnx')
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model, (C, H, W) = build(a.model)
    for q in model.parameters():
        q.requires_grad_(False)
    if a.export_onnx:
        torch.onnx.export(model, torch.rand(2, C, H, W), a.export_onnx, input_names=['input'], output_names=['logits'],
                          dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=13)
        return
    with open(a.plan) as f:
        plan = json.load(f)
    x = torch.tensor(plan['x'], dtype=torch.float32).view(1, H, W, C).permute(0, 3, 1, 2).contiguous()
    mask = torch.tensor(plan['mask'], dtype=torch.long)
    k = plan['features']
    z = torch.tensor(plan['coalitions'], dtype=torch.float32).view(-1, k)
    w = torch.tensor(plan['weights'], dtype=torch.float64)
    run = lambda: kernel_shap(model, x, mask, z, w, plan['target'], plan['batch'])
    phi = run()  # warm-up
    times = []
    for _ in range(a.reps):
        t0 = time.perf_counter(); run(); times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps(dict(engine=f'pytorch-cpu-{a.threads}t', model=a.model, rows=int(z.shape[0]), median_ms=round(statistics.median(times), 2),
                          times_ms=[round(t, 2) for t in times], phi=phi.tolist())), flush=True)


if __name__ == '__main__':
    main()
