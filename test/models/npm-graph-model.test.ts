/**
 * The real tfjs graph model of nsfwjs (MobileNetV2 converted from a SavedModel, ending in Softmax):
 * layer and CAM methods by node name, guided backprop on its activation kernels (issue 9).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { classActivationMap } from '../../src/attribution/cam/class-activation-map.js';
import { gradCam } from '../../src/attribution/cam/grad-cam.js';
import { gradCamPlusPlus } from '../../src/attribution/cam/grad-cam-plus-plus.js';
import { guidedGradCam } from '../../src/attribution/cam/guided-grad-cam.js';
import { layerCam } from '../../src/attribution/cam/layer-cam.js';
import { integratedGradients } from '../../src/attribution/gradient/integrated-gradients.js';
import { saliency } from '../../src/attribution/gradient/saliency.js';
import { layerConductance } from '../../src/attribution/layer/layer-conductance.js';
import { lrp } from '../../src/attribution/propagation/lrp/lrp.js';
import type { Attribution } from '../../src/core/attribution.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadModelFile } from '../../src/models/load-model-file.js';
import { repoPath } from '../helpers.js';

const LAST_CONV = 'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/MobilenetV2/Conv_1/Relu6';

async function stats(a: Attribution): Promise<{ min: number; max: number; finite: boolean }> {
  const data = await a.values.data();
  let min = Infinity;
  let max = -Infinity;
  for (const v of data) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { min, max, finite: data.every(Number.isFinite) };
}

test('nsfwjs MobileNetV2 graph model: Grad-CAM, Grad-CAM++, Layer-CAM, guided Grad-CAM, layer saliency / IG / conductance by node name', async () => {
  await useBackend();
  const model = await loadModelFile(repoPath('test', 'models', 'npm', 'nsfwjs-mobilenet-v2-mid'));
  const layer = model.layers.find((l) => l.name === LAST_CONV);
  assert.deepEqual(layer?.outputShape, [7, 7, 1792]);
  const x = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 11);
  const before = tf.memory().numTensors;
  const maps: [string, () => Promise<Attribution>, number[]][] = [
    ['grad-cam', () => gradCam(model, x, { target: 2, layer: LAST_CONV, upsample: 'none' }), [1, 7, 7, 1]],
    ['grad-cam++', () => gradCamPlusPlus(model, x, { target: 2, layer: LAST_CONV, upsample: 'none' }), [1, 7, 7, 1]],
    ['layer-cam', () => layerCam(model, x, { target: 2, layer: LAST_CONV, upsample: 'none' }), [1, 7, 7, 1]],
    ['guided grad-cam', () => guidedGradCam(model, x, { target: 2, layer: LAST_CONV }), [1, 224, 224, 3]],
    ['layer saliency', () => saliency(model, x, { target: 2, layer: LAST_CONV }), [1, 7, 7, 1792]],
  ];
  for (const [what, call, shape] of maps) {
    const a = await call();
    assert.deepEqual(a.values.shape, shape, what);
    const { min, max, finite } = await stats(a);
    assert.ok(finite, `${what}: finite`);
    assert.ok(max > min, `${what}: not a constant map`);
    a.dispose();
  }
  // Layer IG is complete at the node: Σ attributions = f(x) − f(x with the node's value at the baseline's).
  const ig = await integratedGradients(model, x, { target: 2, layer: LAST_CONV, steps: 16, rule: 'gauss-legendre' });
  const total = tf.tidy(() => tf.sum(ig.values).dataSync()[0]);
  const gap = tf.tidy(() => {
    const atZero = model.run(tf.zerosLike(x), { capture: [LAST_CONV] }).captured[LAST_CONV];
    const f = model.run(x).output.slice([0, 2], [1, 1]);
    const f0 = model.run(x, { replace: { [LAST_CONV]: atZero } }).output.slice([0, 2], [1, 1]);
    return tf.sub(f, f0).dataSync()[0];
  });
  assert.ok(Math.abs(total - gap) < 2e-2 * Math.max(1e-2, Math.abs(gap)), `layer IG: Σ ${total} vs f(x) − f(baseline at the node) ${gap}`);
  ig.dispose();
  const conductance = await layerConductance(model, x, { target: 2, layer: LAST_CONV, steps: 8 });
  assert.deepEqual(conductance.values.shape, [1, 7, 7, 1792]);
  assert.ok((await stats(conductance)).finite);
  conductance.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  await assert.rejects(lrp(model, x, { target: 2 }), (e: unknown) => e instanceof LumenError && /tfjs graph model/.test(e.message));
  // CAM's refusal points to grad-cam, which (above) works on this graph model.
  await assert.rejects(classActivationMap(model, x, { target: 2 }), (e: unknown) => e instanceof LumenError && /use grad-cam, which works on any convolutional model/.test(e.message));
  x.dispose();
  model.dispose();
});

test("@vladmandic/human's emotion.json (graph model, residual AddV2, Softmax): loaded by its file name; CAMs, layer IG and guided backprop by node name", async () => {
  await useBackend();
  const model = await loadModelFile(repoPath('test', 'models', 'npm', 'human-emotion', 'emotion.json'));
  assert.equal(model.name, 'emotion');
  assert.deepEqual(model.inputShape, [64, 64, 1]);
  assert.deepEqual(model.outputShape, [7]);
  assert.equal(model.outputKind, 'probabilities');
  const node = 'StatefulPartitionedCall/model_1/add_2/add';
  assert.equal(model.layers.find((l) => l.name === node)?.kind, 'AddV2');
  const x = tf.randomUniform([2, 64, 64, 1], 0, 1, 'float32', 13);
  const y = await model.predict(x);
  tf.tidy(() => tf.sum(y, 1).dataSync()).forEach((v) => assert.ok(Math.abs(v - 1) < 1e-4));
  y.dispose();
  const before = tf.memory().numTensors;
  for (const [what, call] of [
    ['grad-cam', () => gradCam(model, x, { target: 3, layer: node })],
    ['grad-cam++', () => gradCamPlusPlus(model, x, { target: 3, layer: node })],
    ['layer-cam', () => layerCam(model, x, { target: 3, layer: node })],
    ['guided grad-cam', () => guidedGradCam(model, x, { target: 3, layer: node })],
    ['layer conductance', () => layerConductance(model, x, { target: 3, layer: node, steps: 8 })],
  ] as const) {
    const a = await call();
    const { min, max, finite } = await stats(a);
    assert.ok(finite && max > min, `${what}: a finite, non-constant map`);
    a.dispose();
  }
  const ig = await integratedGradients(model, x, { target: 3, layer: node, steps: 32, rule: 'gauss-legendre' });
  const sums = tf.tidy(() => tf.sum(ig.values, [1, 2, 3]).dataSync());
  const gaps = tf.tidy(() => {
    const atZero = model.run(tf.zerosLike(x), { capture: [node] }).captured[node];
    return tf.sub(model.run(x).output, model.run(x, { replace: { [node]: atZero } }).output).slice([0, 3], [-1, 1]).reshape([-1]).dataSync();
  });
  sums.forEach((s, i) => assert.ok(Math.abs(s - gaps[i]) < 2e-2 * Math.max(1e-2, Math.abs(gaps[i])), `layer IG example ${i}: Σ ${s} vs ${gaps[i]}`));
  ig.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  x.dispose();
  model.dispose();
});
