import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Attribution } from '../../../src/core/attribution.js';
import { deepLift } from '../../../src/attribution/propagation/deep-lift.js';
import { deepLiftShap } from '../../../src/attribution/propagation/deep-lift-shap.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { countingModel, maxAbsDiff } from '../../toy-models.js';
import { randomCnn, randomMlp, rowSums } from './deep-lift-models.js';

test('deepLiftShap(model, x, {baselines: [K, …]}) is the mean of deepLift over the K baselines, batched', async () => {
  await useBackend();
  const { model, layers } = randomCnn(7);
  const x = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 3);
  const baselines = tf.randomNormal([3, 8, 8, 2], 0, 1, 'float32', 4);
  const target = [1, 2];
  const before = tf.memory().numTensors;
  const counted = countingModel(model);
  const shap = await deepLiftShap(counted.model, x, { target, baselines, batchSize: 4 });
  // 6 pairs in batches of 4: two batches, each a recording pass and a DeepLIFT pass
  assert.equal(counted.calls(), 4);
  assert.equal(shap.meta.modelCalls, 4);
  assert.equal(shap.meta.baselines, 3);
  const singles: Attribution[] = [];
  for (let k = 0; k < 3; k++) {
    const b = tf.tidy(() => baselines.slice([k], [1]));
    singles.push(await deepLift(model, x, { target, baseline: b }));
    b.dispose();
  }
  const mean = tf.tidy(() => tf.addN(singles.map((s) => s.values)).div(3));
  assert.ok((await maxAbsDiff(shap.values, mean)) < 1e-5);
  // Σ attribution = f(x) − mean_k f(b_k)
  const [px, pb] = [await model.predict(x), await model.predict(baselines)];
  const fx = (await px.array()) as number[][];
  const fb = (await pb.array()) as number[][];
  tf.dispose([px, pb]);
  const sums = await rowSums(shap.values);
  sums.forEach((s, i) => {
    const diff = fx[i][target[i]] - fb.reduce((a, row) => a + row[target[i]], 0) / 3;
    assert.ok(Math.abs(s - diff) < 1e-4, `example ${i}: Σ = ${s}, Δf = ${diff}`);
  });
  const unbatched = await deepLiftShap(model, x, { target, baselines, batchSize: 1 });
  assert.ok((await maxAbsDiff(shap.values, unbatched.values)) < 1e-6);
  tf.dispose([mean]);
  singles.forEach((s) => s.dispose());
  shap.dispose();
  unbatched.dispose();
  tf.dispose([x, baselines]);
  assert.ok(tf.memory().numTensors <= before - 2, 'no tensor leaks');
  layers.dispose();
});

test("deepLiftShap with 'uniform' baselines draws `samples` per example, reproducibly by seed", async () => {
  await useBackend();
  const { model, layers } = randomMlp(11);
  const x = tf.randomNormal([2, 6], 0, 1, 'float32', 5);
  const a = await deepLiftShap(model, x, { target: 0, baselines: 'uniform', samples: 4, seed: 3 });
  const b = await deepLiftShap(model, x, { target: 0, baselines: 'uniform', samples: 4, seed: 3 });
  const c = await deepLiftShap(model, x, { target: 0, baselines: 'uniform', samples: 4, seed: 4 });
  assert.equal(await maxAbsDiff(a.values, b.values), 0);
  assert.ok((await maxAbsDiff(a.values, c.values)) > 1e-4);
  assert.equal(a.meta.baselines, 4);
  assert.ok((a.meta.delta ?? []).every((d) => Math.abs(d) < 1e-4), `complete against the mean baseline output: ${a.meta.delta}`);
  await assert.rejects(deepLiftShap(model, x, { target: 0, baselines: 'uniform', samples: 0 }), (e: unknown) => e instanceof LumenError && e.code === 'option');
  [a, b, c].forEach((r) => r.dispose());
  x.dispose();
  layers.dispose();
});
