import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { explanationAttack } from '../../src/adversarial/fragility/explanation-attack.js';
import { mapTopKIntersection } from '../../src/adversarial/fragility/map-top-k-intersection.js';
import { spearmanRankCorrelation } from '../../src/adversarial/fragility/spearman-rank-correlation.js';
import { centerOfMassShift } from '../../src/adversarial/fragility/center-of-mass.js';
import { withReluSurrogate } from '../../src/engine/relu-surrogate.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { loadMnist, mnistBatch, mnistSplit } from '../../src/data/mnist.js';

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

test('mapTopKIntersection, spearmanRankCorrelation and centerOfMassShift on maps with known answers', () => {
  assert.equal(mapTopKIntersection([4, 3, 2, 1], [1, 2, 3, 4], 2), 0);
  assert.equal(mapTopKIntersection([4, 3, 2, 1], [4, 1, 3, 2], 2), 0.5);
  assert.ok(Math.abs(spearmanRankCorrelation([1, 2, 3, 4], [10, 20, 30, 40]) - 1) < 1e-12);
  assert.ok(Math.abs(spearmanRankCorrelation([1, 2, 3, 4], [4, 3, 2, 1]) + 1) < 1e-12);
  // all mass at (0, 0) against all mass at (1, 1) of a 2×2 map: √2 positions
  assert.ok(Math.abs(centerOfMassShift([1, 0, 0, 0], [0, 0, 0, 1], [2, 2]) - Math.SQRT2) < 1e-12);
  assert.throws(() => mapTopKIntersection([1, 2], [1, 2], 3), LumenError);
});

test('withReluSurrogate gives ReLU the derivative σ(βz) and restores the original, also after a throw', () => {
  const z = tf.tensor1d([-1, 0.5, 2]);
  const g = withReluSurrogate({ beta: 2 }, () => tf.grad((t: tf.Tensor) => tf.relu(t).sum())(z));
  const expected = [-1, 0.5, 2].map((v) => 1 / (1 + Math.exp(-2 * v)));
  Array.from(g.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6));
  assert.throws(() => withReluSurrogate({ beta: 2 }, () => { throw new Error('x'); }));
  const plain = tf.grad((t: tf.Tensor) => tf.relu(t).sum())(z);
  assert.deepEqual(Array.from(plain.dataSync()), [0, 1, 1]);
  assert.throws(() => withReluSurrogate({ beta: -1 }, () => 0), LumenError);
  tf.dispose([z, g, plain]);
});

test('explanationAttack on the bundled MNIST CNN: top-k saliency attack keeps every prediction, lowers top-k intersection well below random noise; SmoothGrad and β-smoothing raise it', async () => {
  await useBackend();
  const { model: lm } = await loadBundledModel('mnist');
  const model = fromLayersModel(lm);
  const data = loadMnist();
  const x = mnistBatch(data, mnistSplit(data).heldOut.slice(0, 3));
  const before = tf.memory().numTensors;
  const common = { bounds: [0, 1] as const, epsilon: 0.1, stepSize: 0.01, steps: 8 };
  const plain = await explanationAttack(model, x, { ...common, explanation: { method: 'saliency' } });
  const random = await explanationAttack(model, x, { ...common, explanation: { method: 'saliency' }, attack: 'random', seed: 1 });
  const smooth = await explanationAttack(model, x, { ...common, explanation: { method: 'saliency', smoothGrad: { samples: 6, stdev: 0.15, seed: 1 } } });
  const beta = await explanationAttack(model, x, { ...common, explanation: { method: 'saliency', beta: 2 } });
  for (const r of [plain, random, smooth, beta]) {
    assert.deepEqual(r.predictions, r.originalPredictions, 'every prediction kept');
    assert.ok(Math.max(...r.linf) <= 0.1 + 1e-6);
  }
  const [p, rnd, s, b] = [plain, random, smooth, beta].map((r) => mean(r.topK));
  assert.ok(p < 0.45 && p < rnd - 0.15, `attack ${p} vs random ${rnd}`);
  assert.ok(s > p + 0.1 && b > p + 0.1, `defences: smoothgrad ${s}, β=2 ${b}, plain ${p}`);
  for (const r of [plain, random, smooth, beta]) r.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  await assert.rejects(explanationAttack(model, x, { ...common, explanation: { method: 'grad-cam' } }), LumenError);
  await assert.rejects(explanationAttack(model, x, { ...common, explanation: { method: 'saliency' }, attack: 'targeted' }), LumenError);
  x.dispose();
  lm.dispose();
});
