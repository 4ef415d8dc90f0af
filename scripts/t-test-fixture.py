#!/usr/bin/env python3
"""Reference numbers for src/concepts/t-test.ts, computed by SciPy (Debian python3-scipy).

Run: /usr/bin/python3 scripts/t-test-fixture.py > test/fixtures/concepts/t-test-scipy.json
Samples are seeded (numpy default_rng(7)); each case records scipy.stats.ttest_ind with
equal_var=True (Student, pooled) and equal_var=False (Welch), and t CDF values by scipy.stats.t.cdf.
"""
import json
import numpy as np
import scipy
import scipy.stats as st
from scipy.special import betainc

rng = np.random.default_rng(7)
cases = []
def add(name, a, b):
    a = [float(v) for v in a]; b = [float(v) for v in b]
    s = st.ttest_ind(a, b, equal_var=True)
    w = st.ttest_ind(a, b, equal_var=False)
    cases.append({"name": name, "a": a, "b": b,
                  "student": {"statistic": float(s.statistic), "pValue": float(s.pvalue)},
                  "welch": {"statistic": float(w.statistic), "pValue": float(w.pvalue)}})

add("tcav-like-10-runs", rng.uniform(0.6, 0.9, 10), rng.uniform(0.3, 0.7, 10))
add("equal-means-small", rng.normal(0, 1, 5), rng.normal(0, 1, 7))
add("unequal-sizes-variances", rng.normal(1, 0.2, 4), rng.normal(0.5, 2.0, 15))
add("far-apart", rng.normal(10, 0.1, 10), rng.normal(0, 0.1, 10))
add("two-each", [0.1, 0.3], [0.2, 0.9])
add("scores-in-grid", [0.5, 0.55, 0.6, 0.45, 0.5], [0.5, 0.4, 0.45, 0.5, 0.35])

cdf = []
for t, df in [(0.0, 3), (1.0, 1), (-2.5, 4), (2.0, 18), (0.3, 1.5), (-7.0, 10), (12.0, 2.2), (1e-3, 50), (4.0, 200), (-1.7, 9.3)]:
    cdf.append({"t": t, "df": df, "cdf": float(st.t.cdf(t, df)), "twoSided": float(2 * st.t.sf(abs(t), df))})

beta = []
for x, a, b in [(0.3, 2.0, 3.0), (0.9, 0.5, 0.5), (0.01, 5.0, 0.5), (0.5, 10.0, 10.0), (0.99, 1.5, 30.0), (0.2, 100.0, 0.5)]:
    beta.append({"x": x, "a": a, "b": b, "value": float(betainc(a, b, x))})

print(json.dumps({"origin": f"scripts/t-test-fixture.py, scipy {scipy.__version__}, numpy {np.__version__}, float64",
                  "ttest": cases, "tCdf": cdf, "incompleteBeta": beta}, indent=1))
