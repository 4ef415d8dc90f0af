"""PyTorch (CPU) reference timings for bench/examples.ts: TracInCP and exact influence functions
computed as Captum 0.8 computes them, on the weights and rows that bench/examples.ts writes to a
JSON file (so both engines run the same numbers).

Run with Debian's PyTorch (`apt-get install -y python3-torch`, /usr/bin/python3):
  python3 bench/torch_examples.py SPEC.json --reps 3 --threads 2
Prints one JSON line per workload: {"workload", "median_ms", "times_ms", "threads", "scores"}.
With --serve it answers one rep per stdin line instead (bench/examples.ts interleaves them with
its own reps).

Per-example gradients as Captum's default path (`sample_wise_grads_per_batch=False`:
`_compute_jacobian_wrt_params` calls torch.autograd.grad once per row); TracInCP sums
lr_c * G_test G_train^T over checkpoints (Pruthi et al. 2020, Captum's TracInCP); exact influence
is Captum's NaiveInfluenceFunction: H the Hessian of the SUM of per-row losses w.r.t. the
parameters, eigenvalues <= hessian_inverse_tol dropped, scores = G_test H^-1 G_train^T.
"""
import argparse, json, statistics, time
import torch, torch.nn as nn, torch.nn.functional as F


def tanh_mlp(spec):
    """The wave-2 fixture's TanhMLP: Linear(6,8) Tanh Linear(8,3); weights in PyTorch layout."""
    return nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3))


class MnistCnn(nn.Module):
    """Lumen's bundled MNIST CNN on NHWC input with tfjs-layout weights (conv [kh,kw,in,out], dense [in,out])."""

    def __init__(self, w):
        super().__init__()
        t = lambda k: torch.tensor(w[k]['data'], dtype=torch.float32).reshape(w[k]['shape'])
        self.c1w = nn.Parameter(t('conv1/kernel').permute(3, 2, 0, 1).contiguous(), requires_grad=False)
        self.c1b = nn.Parameter(t('conv1/bias'), requires_grad=False)
        self.c2w = nn.Parameter(t('conv2/kernel').permute(3, 2, 0, 1).contiguous(), requires_grad=False)
        self.c2b = nn.Parameter(t('conv2/bias'), requires_grad=False)
        self.dense1 = nn.Linear(400, 64)
        self.logits = nn.Linear(64, 10)
        with torch.no_grad():
            self.dense1.weight.copy_(t('dense1/kernel').t())
            self.dense1.bias.copy_(t('dense1/bias'))
            self.logits.weight.copy_(t('logits/kernel').t())
            self.logits.bias.copy_(t('logits/bias'))

    def features(self, x):
        """The logits layer's input: relu(dense1(...))."""
        h = x.permute(0, 3, 1, 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, self.c1w, self.c1b)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, self.c2w, self.c2b)), 2)
        h = h.permute(0, 2, 3, 1).reshape(x.shape[0], -1)  # NHWC flatten, as tfjs
        return F.relu(self.dense1(h))

    def forward(self, x):
        return self.logits(self.features(x))


def per_example_grads(model, params, x, y, batch):
    """[N, P]: the gradient of each row's cross-entropy w.r.t. params, one autograd.grad per row (Captum's default)."""
    rows = []
    for s in range(0, x.shape[0], batch):
        out = model(x[s:s + batch])
        losses = F.cross_entropy(out, y[s:s + batch], reduction='none')
        for i in range(losses.shape[0]):
            g = torch.autograd.grad(losses[i], params, retain_graph=True)
            rows.append(torch.cat([t.reshape(-1) for t in g]))
    return torch.stack(rows)


def load_fixture_weights(model, weights):
    with torch.no_grad():
        for name, p in model.named_parameters():
            layer, kind = {'0.weight': ('fc1', 'weight'), '0.bias': ('fc1', 'bias'), '2.weight': ('fc2', 'weight'), '2.bias': ('fc2', 'bias')}[name]
            p.copy_(torch.tensor(weights[f'{layer}.{kind}']['data'], dtype=torch.float32))


def tracin_fixture(spec):
    fx = spec['fixture']
    model = tanh_mlp(fx)
    d = fx['dataset']
    xtr, ytr = torch.tensor(d['X_train']['data'], dtype=torch.float32), torch.tensor(d['y_train'])
    xte, yte = torch.tensor(d['X_test']['data'], dtype=torch.float32), torch.tensor(d['y_test'])

    def run():
        scores = torch.zeros(xte.shape[0], xtr.shape[0])
        for c in fx['checkpoints']:
            load_fixture_weights(model, c['weights'])
            params = list(model.parameters())
            scores += c['learning_rate'] * per_example_grads(model, params, xte, yte, 16) @ per_example_grads(model, params, xtr, ytr, 16).T
        return scores
    return run


def influence_fixture(spec):
    fx = spec['fixture']
    model = tanh_mlp(fx)
    load_fixture_weights(model, fx['checkpoints'][-1]['weights'])
    d = fx['dataset']
    xtr, ytr = torch.tensor(d['X_train']['data'], dtype=torch.float32), torch.tensor(d['y_train'])
    xte, yte = torch.tensor(d['X_test']['data'], dtype=torch.float32), torch.tensor(d['y_test'])
    params = list(model.parameters())
    shapes = [p.shape for p in params]

    def summed_loss(flat):
        ws, k = [], 0
        for s in shapes:
            n = int(torch.tensor(s).prod())
            ws.append(flat[k:k + n].reshape(s))
            k += n
        h = torch.tanh(xtr @ ws[0].T + ws[1])
        return F.cross_entropy(h @ ws[2].T + ws[3], ytr, reduction='sum')

    def run():
        flat = torch.cat([p.detach().reshape(-1) for p in params])
        inv = inverse_hessian(torch.autograd.functional.hessian(summed_loss, flat), spec)
        gte = per_example_grads(model, params, xte, yte, 16).double()
        gtr = per_example_grads(model, params, xtr, ytr, 16).double()
        return (gte @ inv @ gtr.T).float()
    return run


def tracin_mnist(spec):
    m = spec['mnist']
    model = MnistCnn(m['weights'])
    x = torch.tensor(m['x'], dtype=torch.float32).reshape(-1, 28, 28, 1)
    y = torch.tensor(m['y'])
    qx = torch.tensor(m['qx'], dtype=torch.float32).reshape(-1, 28, 28, 1)
    qy = torch.tensor(m['qy'])
    params = [model.dense1.weight, model.dense1.bias, model.logits.weight, model.logits.bias]

    def run():
        return per_example_grads(model, params, qx, qy, 64) @ per_example_grads(model, params, x, y, 64).T
    return run


def inverse_hessian(hess, spec):
    """Captum's NaiveInfluenceFunction: (H + reg I)^-1 over the eigenvalues above hessian_inverse_tol, float64."""
    hess = hess.double() + spec.get('hessian_reg', 1e-6) * torch.eye(hess.shape[0], dtype=torch.float64)
    evals, evecs = torch.linalg.eigh(hess)
    keep = evals > spec.get('hessian_inverse_tol', 1e-5)
    return evecs[:, keep] @ torch.diag(1 / evals[keep]) @ evecs[:, keep].T


def influence_mnist(spec):
    """Exact influence on the CNN's logits layer (650 parameters) over the N training digits: the
    Hessian of the summed loss by torch.autograd.functional.hessian on the layer's flat parameters
    (the frozen layers' features computed once), per-row gradients as Captum's default path."""
    m = spec['mnist']
    model = MnistCnn(m['weights'])
    x = torch.tensor(m['x'], dtype=torch.float32).reshape(-1, 28, 28, 1)
    y = torch.tensor(m['y'])
    qx = torch.tensor(m['qx'], dtype=torch.float32).reshape(-1, 28, 28, 1)
    qy = torch.tensor(m['qy'])
    params = [model.logits.weight, model.logits.bias]

    def run():
        with torch.no_grad():
            f = model.features(x)
        flat = torch.cat([p.detach().reshape(-1) for p in params])

        def summed_loss(w):
            return F.cross_entropy(f @ w[:640].reshape(10, 64).T + w[640:], y, reduction='sum')
        inv = inverse_hessian(torch.autograd.functional.hessian(summed_loss, flat), spec)
        gte = per_example_grads(model, params, qx, qy, 64).double()
        gtr = per_example_grads(model, params, x, y, 64).double()
        return (gte @ inv @ gtr.T).float()
    return run


WORKLOADS = {'tracin-fixture': tracin_fixture, 'influence-fixture': influence_fixture, 'tracin-mnist': tracin_mnist, 'influence-mnist': influence_mnist}


def serve(spec):
    """One rep per request line "<workload>" (timed) or "<workload> scores" (timed, with the scores),
    for bench/examples.ts's interleaved runs; an empty line ends it."""
    runs = {}
    print(json.dumps({'ready': True}), flush=True)
    for line in iter(input, ''):
        name, *extra = line.split()
        run = runs.get(name) or runs.setdefault(name, WORKLOADS[name](spec))
        t0 = time.perf_counter()
        scores = run()
        out = {'ms': (time.perf_counter() - t0) * 1000}
        if extra == ['scores']:
            out['scores'] = scores.reshape(-1).tolist()
        print(json.dumps(out), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('spec')
    p.add_argument('--workloads', default=','.join(WORKLOADS))
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--serve', action='store_true')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    spec = json.load(open(a.spec))
    if a.serve:
        try:
            serve(spec)
        except EOFError:
            pass
        return
    for name in a.workloads.split(','):
        run = WORKLOADS[name](spec)
        scores = run()  # warm-up
        times = []
        for _ in range(a.reps):
            t0 = time.perf_counter()
            scores = run()
            times.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({'workload': name, 'median_ms': statistics.median(times), 'times_ms': times, 'threads': a.threads,
                          'scores': scores.reshape(-1).tolist()}), flush=True)


if __name__ == '__main__':
    main()
