import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { datasetFromTensors } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { nonNegativeQuadratic, protoDash } from '../../src/examples/protodash.js';
import { loadFixture } from '../../src/models/fixture.js';
import { methodById } from '../../src/methods.js';
import { repoPath } from '../helpers.js';

await useBackend();

const gauss = (a: number[], b: number[], sigma = 2): number => Math.exp(-a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / (2 * sigma * sigma));

test('ProtoDash: the first prototype maximises the mean kernel value, with weight μ/K; KKT conditions hold; the objective grows', async () => {
  const fx = loadFixture(repoPath('test', 'fixtures', 'wave2', 'examples_tanh_mlp.json'));
  const rows = (fx.json.dataset as { X_train: { data: number[][] } }).X_train.data;
  const x = tf.tensor2d(rows);
  try {
    const data = datasetFromTensors(x);
    const mu = rows.map((r) => rows.reduce((s, q) => s + gauss(r, q), 0) / rows.length);
    const one = await protoDash(null, data, { prototypes: 1, batchSize: 7 });
    assert.equal(one.prototypes[0], mu.indexOf(Math.max(...mu)));
    assert.ok(Math.abs(one.weights[0] - Math.max(...mu)) < 1e-12, 'w = μ_p / K_pp with K_pp = 1');
    const r = await protoDash(null, data, { prototypes: 8 });
    assert.equal(new Set(r.prototypes).size, r.prototypes.length);
    r.objective.forEach((v, i) => i > 0 && assert.ok(v >= r.objective[i - 1] - 1e-12, `objective step ${i}`));
    // KKT at the optimum over the chosen set: gradient μ − K w is 0 where w > 0 and ≤ 0 where w = 0.
    r.prototypes.forEach((p, a) => {
      const g = mu[p] - r.prototypes.reduce((s, q, b) => s + gauss(rows[p], rows[q]) * r.weights[b], 0);
      assert.ok(r.weights[a] >= 0);
      if (r.weights[a] > 1e-9) assert.ok(Math.abs(g) < 1e-9, `stationary at ${p}: ${g}`);
      else assert.ok(g < 1e-9, `no gain at ${p}`);
    });
    // The same selection through the hidden layer of the model differs from the input space's, and is deterministic.
    const h1 = await protoDash(fx.model, data, { prototypes: 4, layer: 'act1', sigma: 1 });
    const h2 = await protoDash(fx.model, data, { prototypes: 4, layer: 'act1', sigma: 1 });
    assert.deepEqual(h1, h2);
    await assert.rejects(protoDash(null, data, { prototypes: 49 }), (e: unknown) => e instanceof LumenError && /prototypes must be an integer from 1 to the 48 candidate rows; found 49/.test(e.message));
    await assert.rejects(protoDash(null, data, { prototypes: 2, sigma: -1 }), (e: unknown) => e instanceof LumenError && /sigma must be a positive number/.test(e.message));
  } finally {
    x.dispose();
    fx.dispose();
  }
});

test('ProtoDash on a target with two clusters picks one prototype in each, the larger cluster weighted more', async () => {
  const a = Array.from({ length: 10 }, (_, i) => [0.05 * (i % 3), 0.05 * Math.floor(i / 3)]);
  const b = Array.from({ length: 30 }, (_, i) => [6 + 0.05 * (i % 5), 6 + 0.05 * Math.floor(i / 5)]);
  const x = tf.tensor2d([...a, ...b]);
  const cand = tf.tensor2d([[0.05, 0.05], [6.1, 6.1], [3, 3], [-4, 5]]);
  try {
    const r = await protoDash(null, datasetFromTensors(cand), { prototypes: 3, target: datasetFromTensors(x), sigma: 1 });
    assert.deepEqual(r.prototypes.slice(0, 2).sort(), [0, 1]);
    const wa = r.weights[r.prototypes.indexOf(0)];
    const wb = r.weights[r.prototypes.indexOf(1)];
    assert.ok(wb > 2 * wa, `weights ${wa} (10 rows) and ${wb} (30 rows)`);
    // The exact non-negative QP on two well-separated points: w = μ (K ≈ I).
    const w = nonNegativeQuadratic(Float64Array.from([1, 0.5, 0.5, 1]), Float64Array.from([1, -1]), 2);
    assert.deepEqual(Array.from(w), [1, 0], 'the negative coordinate is clipped at 0 and the other solves its equation');
    const m = methodById('protodash');
    if (m.scope !== 'global') return;
    const e = await m.run(null as never, datasetFromTensors(x), { prototypes: 2, sigma: 1 });
    assert.equal(e.kind === 'examples' && e.examples.filter((r) => r.role === 'prototype').length, 2);
  } finally {
    tf.dispose([x, cand]);
  }
});
