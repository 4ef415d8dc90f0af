import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { METRICS, metricById, type MetricRunOptions } from '../../src/metrics/registry.js';
import { layersModelRandomizer } from '../../src/metrics/model-parameter-randomisation.js';
import { runParity } from '../../src/parity/run-parity.js';
import { repoPath } from '../helpers.js';
import { tanhMlp } from '../toy-models.js';

test('every registered metric runs through the registry on a small model, with finite or NaN scores per example and no leaks', async () => {
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
    assert.ok(r.scores.every((v) => typeof v === 'number'), m.id);
  }
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => metricById('nope'), /unknown metric 'nope'/);
  tf.dispose([x, masks]);
  layers.dispose();
});

test('every Quantus, infidelity and sensitivity_max id of the fixtures passes', async () => {
  await useBackend();
  const rows = await runParity(['quantus_cnn', 'cnn', 'mlp', 'sat'].map((f) => repoPath('test', 'fixtures', `${f}.json`)));
  const metricRows = rows.filter((r) => /^(quantus_|infidelity_|sensitivity_max_)/.test(r.id));
  assert.ok(metricRows.length >= 113, `found ${metricRows.length} metric ids`);
  assert.deepEqual(metricRows.filter((r) => r.status !== 'pass'), []);
});
