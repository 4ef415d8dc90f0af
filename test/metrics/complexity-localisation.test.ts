import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { complexity } from '../../src/metrics/complexity.js';
import { effectiveComplexity } from '../../src/metrics/effective-complexity.js';
import { sparseness } from '../../src/metrics/sparseness.js';
import { pointingGame } from '../../src/metrics/pointing-game.js';
import { relevanceMassAccuracy } from '../../src/metrics/relevance-mass-accuracy.js';
import { relevanceRankAccuracy } from '../../src/metrics/relevance-rank-accuracy.js';
import { localisationAuc } from '../../src/metrics/localisation-auc.js';
import { topKIntersection } from '../../src/metrics/top-k-intersection.js';
import { attributionLocalisation } from '../../src/metrics/attribution-localisation.js';
import { Rng } from '../../src/core/random.js';
import { linearModel } from '../toy-models.js';

const F = 16;
const toy = (): ReturnType<typeof linearModel> => linearModel(Array.from({ length: F }, (_, i) => [i / F, 1 - i / F]));

test('complexity metrics: a one-hot map is sparse and simple, a uniform one is not', async () => {
  await useBackend();
  const { model, layers } = toy();
  const x = tf.ones([2, F]);
  const oneHot = tf.oneHot([3, 3], F).toFloat();
  const uniform = tf.ones([2, F]);
  const s1 = (await sparseness(model, x, oneHot)).scores[0];
  const s0 = (await sparseness(model, x, uniform)).scores[0];
  assert.ok(Math.abs(s1 - (F - 1) / F) < 1e-5, `gini one-hot ${s1}`);
  assert.ok(Math.abs(s0) < 1e-9);
  assert.ok(Math.abs((await complexity(model, x, oneHot)).scores[0]) < 1e-9);
  assert.ok(Math.abs((await complexity(model, x, uniform)).scores[0] - Math.log(F)) < 1e-6);
  assert.deepEqual((await effectiveComplexity(model, x, oneHot)).scores, [1, 1]);
  assert.deepEqual((await effectiveComplexity(model, x, uniform)).scores, [F, F]);
  tf.dispose([x, oneHot, uniform]);
  layers.dispose();
});

test('localisation metrics: the mask itself scores 1, its complement 0, and a random map is at chance', async () => {
  await useBackend();
  const { model, layers } = toy();
  const x = tf.ones([1, F]);
  const maskData = Array.from({ length: F }, (_, i) => (i >= 4 && i < 8 ? 1 : 0));
  const masks = tf.tensor2d([maskData]);
  const inside = tf.tensor2d([maskData.map((m, i) => m * (1 + i / 10))]);
  const outside = tf.tensor2d([maskData.map((m, i) => (1 - m) * (1 + i / 10))]);
  for (const metric of [pointingGame, relevanceMassAccuracy, relevanceRankAccuracy, localisationAuc, attributionLocalisation]) {
    assert.ok(Math.abs((await metric(model, x, inside, { masks })).scores[0] - 1) < 1e-6, metric.name);
    assert.ok(Math.abs((await metric(model, x, outside, { masks })).scores[0]) < 1e-6, metric.name);
  }
  assert.equal((await topKIntersection(model, x, inside, { masks, k: 4 })).scores[0], 1);
  let auc = 0;
  for (let s = 0; s < 30; s++) {
    const r = tf.tensor2d(new Rng(s).uniforms(F), [1, F]);
    auc += (await localisationAuc(model, x, r, { masks })).scores[0] / 30;
    r.dispose();
  }
  assert.ok(Math.abs(auc - 0.5) < 0.1, `random AUC ${auc}`);
  tf.dispose([x, masks, inside, outside]);
  layers.dispose();
});
