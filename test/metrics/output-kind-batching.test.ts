import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { makeAttribution } from '../../src/core/attribution.js';
import { budgetBatchSize } from '../../src/core/batching.js';
import type { Model } from '../../src/core/model.js';
import { useBackend } from '../../src/engine/backend.js';
import { deletion } from '../../src/metrics/deletion.js';
import { infidelity } from '../../src/metrics/infidelity.js';
import { pixelFlipping } from '../../src/metrics/pixel-flipping.js';
import { reportCard } from '../../src/metrics/report-card.js';
import { fromFunction } from '../../src/models/from-function.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';

/** A seeded dense classifier on 4×4×1 images ending in softmax: its outputs are probabilities. */
function softmaxClassifier(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape: [4, 4, 1] }));
  m.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }), biasInitializer: tf.initializers.constant({ value: 0.5 }) }));
  m.add(tf.layers.softmax());
  return m;
}

test('deletion on a model ending in softmax starts at the probability the model gives, not at a softmax of it', async () => {
  await useBackend();
  const layers = softmaxClassifier();
  const x = tf.tensor4d(Array.from({ length: 32 }, (_, i) => ((i * 7) % 11) / 5 - 1), [2, 4, 4, 1]);
  const a = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 5);
  const probs = await (layers.predict(x) as tf.Tensor).array() as number[][];
  const target = [0, 2];
  // The adapter detects the final softmax (Model.outputKind = 'probabilities').
  const model = fromLayersModel(layers);
  assert.equal(model.outputKind, 'probabilities');
  const curves = (await deletion(model, x, a, { target, steps: 4 })).curves as number[][];
  for (let i = 0; i < 2; i++) {
    assert.ok(Math.abs(curves[i][0] - probs[i][target[i]]) < 1e-6, `curve ${i} starts at p = ${probs[i][target[i]]}; found ${curves[i][0]}`);
    const doubled = Math.exp(probs[i][target[i]]) / probs[i].reduce((s, p) => s + Math.exp(p), 0);
    assert.ok(Math.abs(curves[i][0] - doubled) > 1e-3, 'a softmax of the probabilities would start elsewhere');
  }
  // The same network declared as returning logits: the metric applies its softmax.
  const asLogits = fromLayersModel(layers, { outputKind: 'logits' });
  const logitCurves = (await deletion(asLogits, x, a, { target, steps: 4 })).curves as number[][];
  const soft = await tf.softmax(layers.predict(x) as tf.Tensor).array() as number[][];
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(logitCurves[i][0] - soft[i][target[i]]) < 1e-6);
  // output: 'logits' reads the raw outputs: here the probabilities themselves.
  const raw = (await pixelFlipping(model, x, a, { target, output: 'logits', featuresPerStep: 8 })).curves as number[][];
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(raw[i][0] - probs[i][target[i]]) < 1e-6);
  // The metric's outputKind option overrides the model's ('auto' detects it from the outputs).
  for (const outputKind of ['probabilities', 'auto'] as const) {
    const told = (await deletion(asLogits, x, a, { target, steps: 4, outputKind })).curves as number[][];
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(told[i][0] - probs[i][target[i]]) < 1e-6, `outputKind ${outputKind}`);
  }
  tf.dispose([x, a]);
});

/** A black box on `shape` whose layers say each row keeps `floats` floats; it records the rows of every predict call. */
function instrumented(shape: number[], floats: number): { model: Model; rows: number[] } {
  const rows: number[] = [];
  const base = fromFunction((x) => {
    rows.push(x.shape[0]);
    return tf.tidy(() => tf.concat([x.reshape([x.shape[0], -1]).mean(1, true), tf.zeros([x.shape[0], 1])], 1));
  }, { inputShape: shape, outputShape: [2] });
  return { model: { ...base, layers: [{ name: 'big', kind: 'Conv2D', outputShape: [floats] }] }, rows };
}

test('metrics and the report card batch by the memory budget (budgetBatchSize), not by a fixed 64 rows', async () => {
  await useBackend();
  // One row keeps ~3.2M floats (a 224×224×64 activation): the budget allows 10 rows per call.
  const { model, rows } = instrumented([8, 8, 1], 224 * 224 * 64);
  const budget = budgetBatchSize(model);
  assert.equal(budget, 10);
  const x = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 2);
  const a = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 4);
  await deletion(model, x, a, { target: 0, steps: 20 });
  assert.ok(rows.length > 1 && Math.max(...rows) === budget, `deletion: rows per call ${rows}`);
  rows.length = 0;
  await infidelity(model, x, a, { target: 0 });
  assert.ok(Math.max(...rows) === budget, `infidelity: rows per call ${rows}`);
  rows.length = 0;
  const method = async (_m: Model, v: tf.Tensor) => makeAttribution('constant', tf.onesLike(v), null);
  const card = await reportCard(model, x, makeAttribution('constant', a.clone(), [0, 0, 0]), method);
  assert.ok(Math.max(...rows) === budget, `reportCard: rows per call ${rows}`);
  assert.ok(card.deletion.modelCalls >= Math.ceil((3 * 51) / budget));
  // An explicit batchSize still wins.
  rows.length = 0;
  await deletion(model, x, a, { target: 0, steps: 20, batchSize: 7 });
  assert.equal(Math.max(...rows), 7);
  tf.dispose([x, a]);
});
