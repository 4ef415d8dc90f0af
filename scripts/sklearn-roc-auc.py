"""Writes test/fixtures/sklearn/roc_auc.json: scikit-learn's roc_auc_score on seeded cases.

Run with Debian's Python (python3-sklearn 1.2.1, installed by .ci/run):
/usr/bin/python3 scripts/sklearn-roc-auc.py
Cases: continuous scores, scores rounded to a few values (many ties), all-tied scores,
a perfectly separating and a perfectly inverted detector, and unbalanced classes.
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.metrics import roc_auc_score

rng = np.random.default_rng(20261203)
cases = []


def add(name, scores, labels):
    scores = [float(s) for s in scores]
    labels = [int(l) for l in labels]
    cases.append({"name": name, "scores": scores, "labels": labels, "auc": float(roc_auc_score(labels, scores))})


for n, shift in [(20, 0.5), (57, 1.0), (200, 0.2)]:
    y = rng.integers(0, 2, n)
    y[0], y[1] = 0, 1
    add(f"normal n={n} shift={shift}", rng.normal(size=n) + shift * y, y)
for n, levels in [(30, 3), (101, 5), (64, 2)]:
    y = rng.integers(0, 2, n)
    y[0], y[1] = 0, 1
    add(f"ties n={n} levels={levels}", rng.integers(0, levels, n) + 0.25 * y * rng.integers(0, 2, n), y)
add("all tied", [0.3] * 9, [0, 1, 0, 1, 1, 0, 0, 1, 0])
add("separating", [0.1, 0.2, 0.3, 0.8, 0.9], [0, 0, 0, 1, 1])
add("inverted", [0.9, 0.8, 0.3, 0.2, 0.1], [0, 0, 0, 1, 1])
y = (rng.random(150) < 0.1).astype(int)
y[0] = 1
add("unbalanced 10 %", np.round(rng.normal(size=150) + 0.8 * y, 1), y)

out = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "sklearn" / "roc_auc.json"
out.write_text(json.dumps({"source": f"scikit-learn {sklearn.__version__} sklearn.metrics.roc_auc_score", "script": "scripts/sklearn-roc-auc.py", "cases": cases}, indent=1) + "\n")
print(out, len(cases))
