#!/usr/bin/env python3
"""Reference optimum of scikit-learn's LinearSVC for src/concepts/linear-svm.ts (Debian python3-sklearn).

Run: /usr/bin/python3 scripts/linear-svm-fixture.py > test/fixtures/concepts/linear-svc-sklearn.json
Seeded overlapping blobs (numpy default_rng(3)); LinearSVC defaults (squared hinge, L2,
intercept_scaling=1) solved to tol=1e-9 so coef_/intercept_ are the exact optimum.
"""
import json
import numpy as np
import sklearn
from sklearn.svm import LinearSVC

rng = np.random.default_rng(3)
cases = []
for name, n, d, C, sep in [("overlap-5d", 60, 5, 1.0, 1.0), ("separable-3d-C0.1", 40, 3, 0.1, 4.0), ("wide-12d", 30, 12, 2.0, 0.5)]:
    y = np.array([0] * (n // 2) + [1] * (n - n // 2))
    x = rng.normal(0, 1, (n, d)) + sep * y[:, None] * rng.normal(0, 1, d)[None, :]
    m = LinearSVC(C=C, tol=1e-9, max_iter=1_000_000, dual=True).fit(x, y)
    cases.append({"name": name, "C": C, "x": x.tolist(), "y": y.tolist(), "coef": m.coef_[0].tolist(), "intercept": float(m.intercept_[0])})
print(json.dumps({"origin": f"scripts/linear-svm-fixture.py, scikit-learn {sklearn.__version__} LinearSVC (liblinear), float64", "cases": cases}))
