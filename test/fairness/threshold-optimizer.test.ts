import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyThresholdOptimizer, fitThresholdOptimizer, positiveProbabilities } from '../../src/fairness/threshold-optimizer.js';
import { thresholdTradeoff } from '../../src/fairness/fairness-tradeoff.js';
import { groupRoc } from '../../src/fairness/roc-hull.js';
import { LumenError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';

const close = (a: number, b: number, tol = 1e-9): void => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);

// Group A (8 rows): 4 positives scored 0.9, 4 negatives scored 0.1 — its scores separate perfectly,
// ROC hull (0,0), (0,1), (1,1). Group B (8 rows): 3 positives, 5 negatives, all scored 0.5 — its
// ROC is the diagonal. Accuracies in closed form (16 rows; A at (f_A, t_A), B at (x, x)):
// A: 4 t_A + 4 (1 − f_A), B: 3x + 5(1 − x).
const o = {
  groups: Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]),
  groupNames: ['A', 'B'],
  labels: Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0]),
  scores: Float64Array.from([0.9, 0.9, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]),
};

test('groupRoc keeps the vertices of the convex hull of the threshold rules', () => {
  const a = groupRoc(o.scores, o.labels, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(a.vertices.map((v) => [v.fp, v.tp, v.threshold]), [[0, 0, Infinity], [0, 4, 0.9], [4, 4, 0.1]]);
  const b = groupRoc(o.scores, o.labels, [8, 9, 10, 11, 12, 13, 14, 15]);
  assert.deepEqual(b.vertices.map((v) => [v.fp, v.tp]), [[0, 0], [5, 3]]);
});

test('equal opportunity (ε = 0): common TPR t, accuracy (9 + 2t)/16 → t = 1, 11/16; with ε: (11 + 2ε)/16', () => {
  const t = fitThresholdOptimizer(o, { constraint: 'equal-opportunity' });
  close(t.accuracy, 11 / 16);
  close(t.rules[0].truePositiveRate, 1);
  close(t.rules[0].falsePositiveRate, 0);
  close(t.rules[1].truePositiveRate, 1);
  close(t.disparity, 0);
  for (const eps of [0.25, 0.5]) close(fitThresholdOptimizer(o, { constraint: 'equal-opportunity', tolerance: eps }).accuracy, (11 + 2 * eps) / 16);
});

test('equalised odds (ε = 0) puts both groups on the diagonal at x = 0: accuracy 9/16; with ε ≤ ½: (9 + 6ε)/16', () => {
  const t = fitThresholdOptimizer(o);
  close(t.accuracy, 9 / 16);
  for (const r of t.rules) { close(r.truePositiveRate, 0); close(r.falsePositiveRate, 0); }
  for (const eps of [0.25, 0.5]) {
    const f = fitThresholdOptimizer(o, { tolerance: eps });
    close(f.accuracy, (9 + 6 * eps) / 16);
    assert.ok(f.disparity <= eps + 1e-9);
  }
});

test('demographic parity (ε = 0): selection ½ in both groups, accuracy 12/16; B mixes "never" and "always" half and half', () => {
  const t = fitThresholdOptimizer(o, { constraint: 'demographic-parity' });
  close(t.accuracy, 12 / 16);
  close(t.rules[0].selectionRate, 0.5);
  close(t.rules[1].selectionRate, 0.5);
  assert.deepEqual(t.rules[1].thresholds, [Infinity, 0.5]);
  t.rules[1].weights.forEach((w) => close(w, 0.5));
  const p = positiveProbabilities(t, o.scores, o.groups);
  assert.deepEqual([...p.subarray(0, 8)], [1, 1, 1, 1, 0, 0, 0, 0]);
  p.subarray(8).forEach((q) => close(q, 0.5));
  const d1 = applyThresholdOptimizer(t, o.scores, o.groups, 3);
  assert.deepEqual(d1, applyThresholdOptimizer(t, o.scores, o.groups, 3), 'same seed, same decisions');
  assert.deepEqual([...d1.subarray(0, 8)], [1, 1, 1, 1, 0, 0, 0, 0]);
});

test('thresholdTradeoff: the equal-opportunity curve is (11 + 2ε)/16 from ε = 0 to the unconstrained 13/16 at ε = 1', () => {
  const c = thresholdTradeoff(o, { constraint: 'equal-opportunity', points: 3, predicted: Uint8Array.from(o.scores, (s) => Number(s >= 0.5)) });
  assert.equal(c.kind, 'curve');
  assert.deepEqual(c.curves[0].x, [0, 0.5, 1]);
  c.curves[0].y.forEach((y, k) => close(y, [11, 12, 13][k] / 16));
  // the model's own rule "score ≥ 0.5": A perfect, B all positive → TPR gap 0, accuracy 11/16
  assert.deepEqual(c.curves[1].x, [0]);
  close(c.curves[1].y[0], 11 / 16);
  close(c.meta!.unconstrainedAccuracy as number, 13 / 16);
});

test('on random scores the fitted rules equalise the expected rates, and the probabilities reproduce them', () => {
  const rng = new Rng(11);
  const n = 600;
  const groups = Int32Array.from({ length: n }, () => rng.int(3));
  const labels = Uint8Array.from(groups, (g) => Number(rng.uniform() < 0.3 + 0.2 * g));
  const scores = Float64Array.from(labels, (y, i) => Math.min(1, Math.max(0, 0.5 + (y ? 0.15 : -0.15) * (1 + groups[i]) + 0.25 * rng.normal())));
  const data = { groups, groupNames: ['a', 'b', 'c'], labels, scores };
  const free = fitThresholdOptimizer(data, { constraint: 'none' });
  for (const constraint of ['equalised-odds', 'equal-opportunity', 'demographic-parity'] as const) {
    const t = fitThresholdOptimizer(data, { constraint });
    assert.ok(t.disparity < 1e-9, `${constraint}: disparity ${t.disparity}`);
    assert.ok(t.accuracy <= free.accuracy + 1e-12, 'a constraint never raises accuracy');
    const p = positiveProbabilities(t, scores, groups);
    t.rules.forEach((r, g) => {
      let tp = 0, pos = 0, fp = 0, neg = 0;
      for (let i = 0; i < n; i++) {
        if (groups[i] !== g) continue;
        if (labels[i]) { tp += p[i]; pos++; } else { fp += p[i]; neg++; }
      }
      close(tp / pos, r.truePositiveRate, 1e-9);
      close(fp / neg, r.falsePositiveRate, 1e-9);
    });
  }
  const loose = fitThresholdOptimizer(data, { constraint: 'equalised-odds', tolerance: 0.1 });
  const exact = fitThresholdOptimizer(data, { constraint: 'equalised-odds' });
  assert.ok(loose.accuracy >= exact.accuracy - 1e-12 && loose.disparity <= 0.1 + 1e-9);
});

test('bad input is a LumenError', () => {
  assert.throws(() => fitThresholdOptimizer(o, { constraint: 'parity' as never }), LumenError);
  assert.throws(() => fitThresholdOptimizer(o, { tolerance: -1 }), LumenError);
  assert.throws(() => fitThresholdOptimizer({ ...o, groupNames: ['A', 'B', 'C'] }), /group 'C' has no rows/);
  assert.throws(() => thresholdTradeoff(o, { points: 1 }), LumenError);
});
