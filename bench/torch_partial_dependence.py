"""scikit-learn's partial_dependence (brute, kind 'both') on a PyTorch MLP: the counterpart of
bench/partial-dependence.ts. Reads the workload JSON (weights as tf dense kernels [in, out], rows,
grid, reps) and prints {seconds (median), times, average (PD curves, class-major)} as JSON."""
import json
import statistics
import sys
import time

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.inspection import partial_dependence

torch.set_num_threads(2)
spec = json.load(open(sys.argv[1]))
layers = []
for i, w in enumerate(spec["weights"]):
    lin = torch.nn.Linear(w["in"], w["out"])
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(np.array(w["kernel"], dtype=np.float32).reshape(w["in"], w["out"]).T))
        lin.bias.copy_(torch.tensor(np.array(w["bias"], dtype=np.float32)))
    layers.append(lin)
    if i < len(spec["weights"]) - 1:
        layers.append(torch.nn.ReLU())
net = torch.nn.Sequential(*layers).eval()


class TorchClassifier(ClassifierMixin, BaseEstimator):
    """The net as a fitted scikit-learn classifier (predict_proba = softmax of its logits)."""

    def fit(self, X, y):
        self.classes_ = np.arange(3)
        return self

    def predict_proba(self, X):
        with torch.no_grad():
            return torch.softmax(net(torch.tensor(np.asarray(X, dtype=np.float32))), 1).numpy()


X = np.array(spec["rows"], dtype=np.float32)
clf = TorchClassifier().fit(X, np.zeros(len(X)))
times = []
for r in range(spec["reps"] + 1):
    t0 = time.perf_counter()
    pd = partial_dependence(clf, X, [0], kind="both", grid_resolution=spec["grid"], method="brute")
    if r > 0:
        times.append(time.perf_counter() - t0)
print(json.dumps({"seconds": statistics.median(times), "times": times, "average": pd["average"].reshape(-1).tolist()}))
