import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { meaningfulPerturbation } from '../../../src/attribution/perturbation/meaningful-perturbation.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { fromLayersModel } from '../../../src/models/from-layers-model.js';
import { maxAbsDiff } from '../../toy-models.js';
import { linearBlackBox } from './perturbation-models.js';

/** flatten → dense(2, softmax) on [8, 8, 1] whose class-0 logit is 3 · (sum of the 2 × 2 block at rows 5–6, columns 1–2) − 2. */
function regionModel(): { model: ReturnType<typeof fromLayersModel>; layers: tf.LayersModel } {
  const layers = tf.sequential();
  layers.add(tf.layers.flatten({ inputShape: [8, 8, 1] }));
  const dense = tf.layers.dense({ units: 2, activation: 'softmax' });
  layers.add(dense);
  const k = new Float32Array(64 * 2);
  for (const [y, x] of [[5, 1], [5, 2], [6, 1], [6, 2]]) k[(y * 8 + x) * 2] = 3;
  dense.setWeights([tf.tensor2d(k, [64, 2]), tf.tensor1d([-2, 0])]);
  return { model: fromLayersModel(layers), layers };
}

test('meaningfulPerturbation deletes where the evidence is: the deletion map peaks on the block the model reads', async () => {
  await useBackend();
  const { model, layers } = regionModel();
  const x = tf.ones([1, 8, 8, 1]);
  const before = tf.memory().numTensors;
  const a = await meaningfulPerturbation(model, x, { target: 0, perturbation: 'constant', baseline: 'zeros', steps: 60, maskSize: 8, areaWeight: 0.05, tvWeight: 0 });
  assert.deepEqual(a.values.shape, [1, 8, 8, 1]);
  const v = await a.values.data();
  const inside = [5 * 8 + 1, 5 * 8 + 2, 6 * 8 + 1, 6 * 8 + 2];
  const outside = Array.from({ length: 64 }, (_, j) => j).filter((j) => !inside.includes(j));
  const minInside = Math.min(...inside.map((j) => v[j]));
  const maxOutside = Math.max(...outside.map((j) => v[j]));
  assert.ok(minInside > 0.5 && maxOutside < 0.1, `inside ≥ ${minInside}, outside ≤ ${maxOutside}`);
  const p0 = 1 / (1 + Math.exp(-(12 - 2)));
  assert.ok((a.meta.finalScore as number[])[0] < 0.5 * p0, 'the deletion removed most of the class probability');
  assert.equal(a.meta.modelCalls, 61);
  a.dispose();
  assert.equal(tf.memory().numTensors, before, 'no leak');
  x.dispose();
  layers.dispose();
});

test('meaningfulPerturbation with noise is reproducible from its seed; blur and constant run; options are checked', async () => {
  await useBackend();
  const { model, layers } = regionModel();
  const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 3);
  const opts = { target: 0, perturbation: 'noise' as const, steps: 8, seed: 4 };
  const a = await meaningfulPerturbation(model, x, opts);
  const b = await meaningfulPerturbation(model, x, opts);
  const c = await meaningfulPerturbation(model, x, { ...opts, seed: 5 });
  assert.equal(await maxAbsDiff(a.values, b.values), 0);
  assert.ok((await maxAbsDiff(a.values, c.values)) > 0);
  const d = await meaningfulPerturbation(model, x, { target: 0, steps: 4, batchSize: 1 });
  assert.deepEqual(d.values.shape, [2, 8, 8, 1]);
  [a, b, c, d].forEach((r) => r.dispose());
  await assert.rejects(meaningfulPerturbation(model, x, { perturbation: 'smudge' as never }), (e: unknown) => e instanceof LumenError && /'blur', 'constant' or 'noise'/.test(e.message));
  await assert.rejects(meaningfulPerturbation(model, x, { maskSize: 9 }), /maskSize must be an integer in 1…8/);
  x.dispose();
  layers.dispose();
});

test('meaningfulPerturbation needs gradients: a black box is a not-differentiable LumenError', async () => {
  await useBackend();
  const { model } = linearBlackBox([8, 8, 1], 2);
  const x = tf.ones([1, 8, 8, 1]);
  await assert.rejects(meaningfulPerturbation(model, x), (e: unknown) => e instanceof LumenError && e.code === 'not-differentiable');
  x.dispose();
});
