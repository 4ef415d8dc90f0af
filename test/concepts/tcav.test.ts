import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { activationMatrix } from '../../src/concepts/activation-matrix.js';
import { trainCav } from '../../src/concepts/cav.js';
import { classGradients } from '../../src/concepts/class-gradients.js';
import { fitLinearSvm } from '../../src/concepts/linear-svm.js';
import { fitLogisticRegression } from '../../src/concepts/logistic-regression.js';
import { fromRowSpace, rowSpace } from '../../src/concepts/row-space.js';
import { tcav, tcavScore } from '../../src/concepts/tcav.js';
import { datasetFromTensors } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { useBackend } from '../../src/engine/backend.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { methodById } from '../../src/methods.js';
import type { GlobalMethodInfo } from '../../src/core/method-info.js';
import { repoPath } from '../helpers.js';

// scikit-learn 1.2.1 LinearSVC optima (scripts/linear-svm-fixture.py; origin in the file).
const svc = JSON.parse(readFileSync(repoPath('test', 'fixtures', 'concepts', 'linear-svc-sklearn.json'), 'utf8')) as {
  origin: string; cases: { name: string; C: number; x: number[][]; y: number[]; coef: number[]; intercept: number }[];
};

test("fitLinearSvm reaches scikit-learn LinearSVC's optimum (squared hinge, penalised intercept)", () => {
  assert.match(svc.origin, /LinearSVC/);
  for (const c of svc.cases) {
    const m = fitLinearSvm(activationMatrix(c.x), c.y, { C: c.C });
    const scale = Math.max(...c.coef.map(Math.abs), Math.abs(c.intercept));
    m.coef[0].forEach((w, j) => assert.ok(Math.abs(w - c.coef[j]) < 1e-5 * scale, `${c.name} coef ${j}: ${w} vs ${c.coef[j]}`));
    assert.ok(Math.abs(m.intercept[0] - c.intercept) < 1e-5 * scale, `${c.name} intercept ${m.intercept[0]} vs ${c.intercept}`);
  }
  assert.throws(() => fitLinearSvm(activationMatrix([[0], [1], [2]]), [0, 1, 2]), LumenError);
});

test('the row-space reduction solves the same problem: equal weights to the full fit when units outnumber rows', () => {
  const rng = new Rng(4);
  const n = 14;
  const d = 40;
  const x = activationMatrix(rng.normals(n * d), [n, d]);
  const y = Array.from({ length: n }, (_, i) => i % 2);
  const r = rowSpace(x);
  assert.equal(r.rank, n);
  for (const fit of [(m: typeof x) => fitLogisticRegression(m, y, { C: 0.5 }), (m: typeof x) => fitLinearSvm(m, y, { C: 0.5 })]) {
    const full = fit(x);
    const small = fit(r.z);
    const w = fromRowSpace(r.v, small.coef[0], d);
    w.forEach((v, j) => assert.ok(Math.abs(v - full.coef[0][j]) < 1e-6, `unit ${j}: ${v} vs ${full.coef[0][j]}`));
    assert.ok(Math.abs(small.intercept[0] - full.intercept[0]) < 1e-6);
  }
});

test('trainCav: a planted direction is found (accuracy 1, cosine > 0.9), balanced and stratified; unequal widths are refused', () => {
  const rng = new Rng(9);
  const d = 6;
  const dir = [1, -2, 0, 0.5, 0, 1];
  const nd = Math.hypot(...dir);
  const rand = activationMatrix(rng.normals(60 * d), [60, d]);
  const conc = activationMatrix(Float64Array.from(rng.normals(40 * d), (v, i) => v + (5 * dir[i % d]) / nd), [40, d]);
  for (const classifier of ['logistic', 'svm'] as const) {
    const cav = trainCav(conc, rand, { classifier, seed: 1 });
    const cos = dir.reduce((s, v, j) => s + (v / nd) * cav.direction[j], 0);
    assert.ok(cos > 0.9, `${classifier} cosine ${cos}`);
    assert.ok(cav.accuracy >= 0.9, `${classifier} accuracy ${cav.accuracy}`);
    assert.equal(cav.trainRows + cav.testRows, 80); // balanced: 40 + 40
    assert.ok(Math.abs(Math.hypot(...cav.direction) - 1) < 1e-12);
  }
  assert.throws(() => trainCav(conc, activationMatrix(rng.normals(20), [10, 2])), LumenError);
});

test('tcavScore: share of positive derivatives and the magnitude Σ max(S,0) / Σ|S|, by hand', () => {
  const g = activationMatrix([[1, 0], [0, 1], [-1, -1], [2, 0]]);
  const s = tcavScore(g, [1, 0]);
  assert.deepEqual(Array.from(s.derivatives), [1, 0, -1, 2]);
  assert.equal(s.score, 0.5);
  assert.equal(s.magnitude, 3 / 4);
});

/** logits = W₂ (W₁ x + b₁) + b₂: 'hidden' is linear, so ∇_hidden logit_k = W₂[:, k] for every x. */
function linearNet(seed: number) {
  const rng = new Rng(seed);
  const net = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 4, name: 'hidden' }), tf.layers.dense({ units: 3, name: 'out' })] });
  const w1 = Array.from(rng.normals(20));
  const w2 = Array.from(rng.normals(12));
  net.layers[0].setWeights([tf.tensor2d(w1, [5, 4]), tf.zeros([4])]);
  net.layers[1].setWeights([tf.tensor2d(w2, [4, 3]), tf.tensor1d([0.1, -0.2, 0.3])]);
  return { model: fromLayersModel(net), w1, w2 };
}

test('closed form: on a linear model the directional derivative is w·v exactly, at the input and at a linear layer, so TCAV scores are 0 or 1', async () => {
  await useBackend('cpu');
  const { model, w1, w2 } = linearNet(3);
  const rng = new Rng(5);
  const x = tf.tensor2d(rng.normals(30 * 5), [30, 5]);
  const data = datasetFromTensors(x);
  const cls = 2;
  // Input: ∇_x logit_2 = W₁ W₂[:, 2].
  const gIn = await classGradients(model, data, 'input', cls);
  const wIn = Array.from({ length: 5 }, (_, i) => [0, 1, 2, 3].reduce((s, h) => s + w1[i * 4 + h] * w2[h * 3 + cls], 0));
  const gHid = await classGradients(model, data, 'hidden', cls);
  const wHid = [0, 1, 2, 3].map((h) => w2[h * 3 + cls]);
  for (const [g, w] of [[gIn, wIn], [gHid, wHid]] as const) {
    for (let i = 0; i < g.rows; i++) for (let j = 0; j < g.cols; j++) assert.ok(Math.abs(g.data[i * g.cols + j] - w[j]) < 1e-5);
    const v = Array.from(rng.normals(w.length));
    const s = tcavScore(g, v);
    const wv = w.reduce((t, wj, j) => t + wj * v[j], 0);
    for (const dv of s.derivatives) assert.ok(Math.abs(dv - wv) < 1e-5);
    assert.equal(s.score, wv > 0 ? 1 : 0);
  }
  // A concept planted along ∇ (concept = random + 2·ŵ) scores 1 in every run and is significant;
  // a concept drawn like the random pool is not.
  const nw = Math.hypot(...wIn);
  const pool = tf.tensor2d(rng.normals(120 * 5), [120, 5]);
  const planted = tf.tensor2d(Float32Array.from(rng.normals(30 * 5), (v, i) => v + (2 * wIn[i % 5]) / nw), [30, 5]);
  const plain = tf.tensor2d(rng.normals(30 * 5), [30, 5]);
  const r = await tcav(model, data, { layer: 'input', class: cls, concepts: [{ name: 'planted', data: datasetFromTensors(planted) }, { name: 'plain', data: datasetFromTensors(plain) }], random: datasetFromTensors(pool), runs: 10, seed: 2, correction: 'holm' });
  const [p, q] = r.concepts;
  assert.deepEqual(p.scores, Array(10).fill(1));
  assert.ok(p.cavAccuracyMean > 0.8, `planted CAV accuracy ${p.cavAccuracyMean}`);
  assert.ok(p.significant && p.pValueCorrected < 0.05, `planted p ${p.pValueCorrected}`);
  assert.ok(r.random.scores.every((s) => s === 0 || s === 1));
  assert.ok(!q.significant, `plain p ${q.pValueCorrected}`);
  assert.ok(q.pValueCorrected >= q.pValue);
  // The registry entry gives the same numbers.
  const e = await (methodById('tcav') as GlobalMethodInfo).run(model, data, { layer: 'input', class: cls, concepts: [{ name: 'planted', data: datasetFromTensors(planted) }, { name: 'plain', data: datasetFromTensors(plain) }], random: datasetFromTensors(pool), runs: 10, seed: 2, correction: 'holm' });
  assert.equal(e.kind, 'concepts');
  if (e.kind === 'concepts') {
    assert.deepEqual(e.scores.map((s) => s.score), [p.mean, q.mean]);
    assert.deepEqual(e.scores.map((s) => s.pValue), [p.pValueCorrected, q.pValueCorrected]);
  }
  await assert.rejects(() => tcav(model, data, { layer: 'input', class: cls, concepts: [{ name: 'a', data: datasetFromTensors(plain) }], random: datasetFromTensors(plain.slice(0, 3)), runs: 10 }), LumenError);
  await assert.rejects(() => tcav(model, data, { layer: 'input', class: cls, concepts: [{ name: 'a', data: datasetFromTensors(plain) }], random: datasetFromTensors(pool), runs: 1 }), LumenError);
  await assert.rejects(() => classGradients(model, data, 'nope', 0), LumenError);
  await assert.rejects(() => classGradients(model, data, 'input', 3), LumenError);
  tf.dispose([x, pool, planted, plain]);
  model.dispose?.();
});
