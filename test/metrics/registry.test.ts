import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { METRICS, metricById, type MetricRunOptions } from '../../src/metrics/registry.js';
import { layersModelRandomizer } from '../../src/metrics/model-parameter-randomisation.js';
import { runParity } from '../../src/parity/run-parity.js';
import { repoPath } from '../helpers.js';
import { linearModel, tanhMlp } from '../toy-models.js';

test('every registered metric runs through the registry on a small model: a finite score per example, their mean as aggregate, no leaks', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(11);
  const x = tf.tensor2d([[0.3, -0.2, 1, 0.5], [1, 1, -1, 0], [-0.4, 0.2, 0.1, 0.9]]);
  const masks = tf.tensor2d([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]]);
  const before = tf.memory().numTensors;
  assert.equal(new Set(METRICS.map((m) => m.id)).size, METRICS.length);
  for (const m of METRICS) {
    const options: MetricRunOptions = {
      seed: 1, samples: 4, runs: 6, steps: 4, patchSize: 1,
      ...(m.needs.includes('masks') ? { masks } : {}),
      ...(m.needs.includes('randomizer') ? { randomizer: layersModelRandomizer(layers) } : {}),
      ...(m.needs.includes('quadrants') ? { quadrants: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]] } : {}),
      ...(m.needs.includes('training') ? { layersModel: layers, train: { x, labels: [0, 1, 2] }, labels: [0, 1, 2], epochs: 1, fractions: [0.5] } : {}),
    };
    const r = await m.run(model, x, 'saliency', options);
    assert.equal(r.scores.length, 3, m.id);
    assert.equal(r.direction, m.direction, m.id);
    assert.ok(r.scores.every(Number.isFinite), `${m.id}: ${r.scores}`);
    assert.ok(Math.abs(r.aggregate - r.scores.reduce((t, v) => t + v, 0) / 3) < 1e-9, `${m.id}: aggregate ${r.aggregate}`);
  }
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => metricById('nope'), /unknown metric 'nope'/);
  tf.dispose([x, masks]);
  layers.dispose();
});

// y₀ = x·w with two dummy features; x ⊙ w is the exact attribution, its negation the worst ordering.
const w = [1.5, -2, 0.5, 0, 3, -1, 0, 2.5];

test('through the registry, x ⊙ w on a linear model beats its negation on every faithfulness metric that ranks or correlates attributions', async () => {
  await useBackend();
  const { model, layers } = linearModel(w.map((v) => [v, -v]));
  const x = tf.tensor2d([[0.5, 1, -1, 2, 0.3, 1.5, -0.7, 0.8], [1, -0.5, 0.25, 1, -1, 0.5, 2, -0.2]]);
  const exact = tf.tidy(() => x.mul(tf.tensor1d(w)));
  const worst = tf.neg(exact);
  const options: MetricRunOptions = { target: 0, seed: 1, baseline: 0, output: 'logit', samples: 20, runs: 20, steps: 8, patchSize: 1, subsetSize: 3 };
  const ids = ['pixel-flipping', 'region-perturbation', 'selectivity', 'aopc', 'deletion', 'insertion', 'sensitivity-n', 'faithfulness-correlation', 'faithfulness-estimate', 'road', 'completeness'];
  for (const id of ids) {
    const m = metricById(id);
    const good = (await m.run(model, x, exact, options)).scores;
    const bad = (await m.run(model, x, worst, options)).scores;
    good.forEach((g, i) => assert.ok(m.direction === 'higher' ? g > bad[i] : g < bad[i], `${id} (${m.direction}): exact ${g}, negated ${bad[i]}`));
  }
  // The correlations are exactly ±1 on a linear model; completeness is 0 and 2 (relative gaps).
  for (const id of ['sensitivity-n', 'faithfulness-correlation', 'faithfulness-estimate']) {
    for (const v of (await metricById(id).run(model, x, exact, options)).scores) assert.ok(Math.abs(v - 1) < 1e-5, `${id}: ${v}`);
    for (const v of (await metricById(id).run(model, x, worst, options)).scores) assert.ok(Math.abs(v + 1) < 1e-5, `${id}: ${v}`);
  }
  for (const v of (await metricById('completeness').run(model, x, worst, options)).scores) assert.ok(Math.abs(v - 2) < 1e-5, `completeness ${v}`);
  tf.dispose([x, exact, worst]);
  layers.dispose();
});

test('every Quantus, infidelity and sensitivity_max id of the fixtures passes, and they are the pinned ones', async () => {
  await useBackend();
  const fixtures = ['quantus_cnn', 'cnn', 'mlp', 'sat'];
  const pinned = JSON.parse(readFileSync(repoPath('test', 'parity', 'passing-ids.json'), 'utf8')) as Record<string, string[]>;
  const metricId = /^(quantus_|infidelity_|sensitivity_max_)/;
  const rows = (await runParity(fixtures.map((f) => repoPath('test', 'fixtures', `${f}.json`)))).filter((r) => metricId.test(r.id));
  const expected = fixtures.flatMap((f) => pinned[f].filter((id) => metricId.test(id)).map((id) => `${f}/${id}`)).sort();
  assert.ok(expected.length >= 113, `${expected.length} pinned metric ids`);
  assert.deepEqual(rows.map((r) => `${r.fixture}/${r.id}`).sort(), expected);
  assert.deepEqual(rows.filter((r) => r.status !== 'pass'), []);
});
