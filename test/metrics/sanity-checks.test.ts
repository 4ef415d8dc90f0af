import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { makeAttribution } from '../../src/core/attribution.js';
import type { LocalMethod } from '../../src/core/options.js';
import { Rng } from '../../src/core/random.js';
import { loadMnist, mnistBatch, mnistSplit } from '../../src/data/mnist.js';
import { deletion } from '../../src/metrics/deletion.js';
import { layersModelRandomizer, modelParameterRandomisation } from '../../src/metrics/model-parameter-randomisation.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { linearModel } from '../toy-models.js';

/** An edge detector (|Sobel| of the input): an "explanation" that ignores the model. */
const edges: LocalMethod = async (_m, x) => makeAttribution('edges', tf.tidy(() => {
  const kx = tf.tensor4d([-1, 0, 1, -2, 0, 2, -1, 0, 1], [3, 3, 1, 1]);
  const ky = tf.tensor4d([-1, -2, -1, 0, 0, 0, 1, 2, 1], [3, 3, 1, 1]);
  const x4 = x as tf.Tensor4D;
  return tf.sqrt(tf.add(tf.square(tf.conv2d(x4, kx, 1, 'same')), tf.square(tf.conv2d(x4, ky, 1, 'same'))));
}), null);

test('model parameter randomisation on the bundled CNN: saliency changes under SSIM, Spearman and HOG; an edge detector does not', async () => {
  await useBackend();
  const { model: lm } = await loadBundledModel('mnist');
  const model = fromLayersModel(lm);
  const data = loadMnist();
  const x = mnistBatch(data, mnistSplit(data).heldOut.slice(0, 3));
  const randomizer = layersModelRandomizer(lm);
  for (const similarity of ['ssim', 'spearman', 'hog'] as const) {
    // Spearman on signed gradients: on |gradients| the architecture alone (valid convolutions see
    // border pixels less) keeps a rank correlation near 0.7 after full randomisation.
    const grad = await modelParameterRandomisation(model, x, 'saliency', { randomizer, similarity, seed: 1, abs: similarity !== 'spearman', explainOptions: { mode: 'signed' } });
    const edge = await modelParameterRandomisation(model, x, edges, { randomizer, similarity, seed: 1 });
    for (const v of edge.scores) assert.ok(Math.abs(v - 1) < 1e-9, `${similarity}: edge detector ${v}`);
    // HOG of |gradients| keeps part of the digit's outline (measured 0.51–0.54; Adebayo et al. see the same).
    const bound = { ssim: 0.5, spearman: 0.5, hog: 0.75 }[similarity];
    assert.ok(grad.aggregate < bound, `${similarity}: saliency after randomising every layer ${grad.aggregate}`);
    assert.equal(grad.curves?.[0].length, 4, 'one point per layer with weights (logits, dense1, conv2, conv1)');
  }
  x.dispose();
  lm.dispose();
});

test('deletion of random attributions is at chance: on a linear model the mean curve is f(x)·(1 − k/F)', async () => {
  await useBackend();
  const F = 8;
  const w = [1.5, -2, 0.5, 0.7, 3, -1, 1.2, 2.5];
  const { model, layers } = linearModel(w.map((v) => [v]));
  const x = tf.tensor2d([[0.5, 1, -1, 2, 0.3, 1.5, -0.7, 0.8]]);
  const fx = [0.5, 1, -1, 2, 0.3, 1.5, -0.7, 0.8].reduce((s, v, i) => s + v * w[i], 0);
  const runs = 300;
  const sum = new Float64Array(F + 1);
  const sq = new Float64Array(F + 1);
  for (let s = 0; s < runs; s++) {
    const a = tf.tensor2d(new Rng(s).uniforms(F), [1, F]);
    const curve = (await deletion(model, x, a, { target: 0, output: 'logits', baseline: 0, steps: F })).curves![0];
    a.dispose();
    curve.forEach((v, k) => { sum[k] += v; sq[k] += v * v; });
  }
  for (let k = 0; k <= F; k++) {
    const mean = sum[k] / runs;
    const se = Math.sqrt(Math.max(0, sq[k] / runs - mean * mean) / runs);
    // Removing k of F features uniformly at random keeps each with probability 1 − k/F.
    assert.ok(Math.abs(mean - fx * (1 - k / F)) <= 4 * se + 1e-6, `k=${k}: mean ${mean}, expected ${fx * (1 - k / F)} ± ${4 * se}`);
  }
  x.dispose();
  layers.dispose();
});
