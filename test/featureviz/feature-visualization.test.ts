import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { LumenError } from '../../src/core/errors.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { featureVisualization } from '../../src/featureviz/feature-visualization.js';
import { channelObjective, classObjective, directionObjective, diversityObjective, layerObjective, neuronObjective, sumObjectives, type Objective } from '../../src/featureviz/objective.js';
import { blurRegulariser, l1Regulariser, l2Regulariser, totalVariationRegulariser } from '../../src/featureviz/regularisers.js';
import { randomTransform, scaledTransforms } from '../../src/featureviz/transforms.js';
import { Rng } from '../../src/core/random.js';
import type { Model } from '../../src/core/model.js';

async function conceptsModel(): Promise<Model> {
  await useBackend('wasm');
  const { model } = await loadBundledModel('concepts');
  return fromLayersModel(model);
}

test('featureVisualization: each objective is higher after 32 steps than at its start (bundled:concepts)', async () => {
  const model = await conceptsModel();
  const direction = Array.from({ length: 32 }, (_, i) => (i % 3) - 1);
  const cases: [Objective, number][] = [
    [neuronObjective('conv3', 3), 1], [channelObjective('conv3', 3), 1], [layerObjective('conv3'), 1],
    [classObjective(1), 1], [directionObjective('conv3', direction), 1], [diversityObjective('conv3'), 3],
    [sumObjectives([[channelObjective('conv2', 5), 1], [totalVariationRegulariser(), -1e-3], [l1Regulariser(), -1e-4], [l2Regulariser(), -1e-3], [blurRegulariser(), -1e-2]]), 1],
  ];
  for (const [objective, batch] of cases) {
    const before = tf.memory().numTensors;
    const r = await featureVisualization(model, objective, { steps: 32, batch, seed: 7 });
    const [[s0, start], [s1, end]] = [r.values[0], r.values[r.values.length - 1]];
    assert.deepEqual([s0, s1], [0, 32]);
    assert.ok(end > start, `${objective.name}: ${start} → ${end}`);
    assert.deepEqual(r.images.shape, [batch, 32, 32, 3]);
    r.dispose();
    assert.equal(tf.memory().numTensors, before, `${objective.name} leaks`);
  }
});

test('featureVisualization of the deciding class (striped) raises its logit above the other (512 steps, defaults)', async () => {
  const model = await conceptsModel();
  const r = await featureVisualization(model, classObjective(1), { seed: 1 });
  const logits = await model.predict(r.images);
  const [other, striped] = Array.from(await logits.data());
  tf.dispose([logits]);
  r.dispose();
  assert.ok(striped > other, `striped ${striped}, unstriped ${other}`);
});

test('featureVisualization is reproducible for a seed and differs across seeds', async () => {
  const model = await conceptsModel();
  const run = async (seed: number) => {
    const r = await featureVisualization(model, channelObjective('conv2', 1), { steps: 4, seed });
    const d = await r.images.data();
    r.dispose();
    return d;
  };
  assert.deepEqual(await run(3), await run(3));
  assert.notDeepEqual(await run(3), await run(4));
});

test('featureVisualization refuses an unknown layer and bad steps with a LumenError', async () => {
  const model = await conceptsModel();
  await assert.rejects(featureVisualization(model, channelObjective('conv9', 0)), (e: unknown) => e instanceof LumenError && /reads layer 'conv9'/.test(e.message));
  await assert.rejects(featureVisualization(model, classObjective(1), { steps: 0 }), /steps must be a positive integer; found 0/);
});

test('scaledTransforms scales Lucid\'s pixel sizes by side/224 (at least 1) and randomTransform keeps the size', () => {
  assert.deepEqual([scaledTransforms(224, 224).pad, scaledTransforms(224, 224).jitter1, scaledTransforms(224, 224).jitter2], [12, 8, 4]);
  const t = scaledTransforms(32, 32);
  assert.deepEqual([t.pad, t.jitter1, t.jitter2], [2, 1, 1]);
  assert.equal(Math.min(...t.scales), 0.9);
  assert.equal(Math.max(...t.angles), 10);
  const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = randomTransform(x, t, new Rng(1));
  assert.deepEqual(y.shape, [2, 32, 32, 3]);
  // identity sizes: no pad, no jitter, scale 1, angle 0 give the image back
  const same = randomTransform(x, { pad: 0, jitter1: 0, jitter2: 0, scales: [1], angles: [0] }, new Rng(1));
  assert.ok(tf.max(tf.abs(tf.sub(same, x))).dataSync()[0] < 1e-5);
  tf.dispose([x, y, same]);
});
