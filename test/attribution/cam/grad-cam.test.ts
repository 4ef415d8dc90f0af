import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { gradCam } from '../../../src/attribution/cam/grad-cam.js';
import { gradCamPlusPlus } from '../../../src/attribution/cam/grad-cam-plus-plus.js';
import { layerCam } from '../../../src/attribution/cam/layer-cam.js';
import { scoreCam } from '../../../src/attribution/cam/score-cam.js';
import type { Model } from '../../../src/core/model.js';
import { fromLayersModel } from '../../../src/models/from-layers-model.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { countingModel, maxAbsDiff, tanhMlp } from '../../toy-models.js';
import { denseColumn, flatCnn, gapCnn, images, torchInterpolate } from './cam-models.js';

test('gradCam on a GAP → dense model is Σ_c (w_tc / hw) A_c: the gradient average is the class weight over h·w', async () => {
  await useBackend();
  const { model, layers } = gapCnn({ seed: 4 });
  const x = images(2, 9);
  const attr = await gradCam(model, x, { target: 1, layer: 'conv', relu: false, upsample: 'none' });
  assert.deepEqual(attr.values.shape, [2, 8, 8, 1]);
  const expected = tf.tidy(() => model.run(x, { capture: ['conv'] }).captured.conv.mul(tf.tensor1d(denseColumn(layers, 'fc', 1)).div(64)).sum(-1, true));
  assert.ok((await maxAbsDiff(attr.values, expected)) < 1e-6);
  tf.dispose([x, expected]);
  attr.dispose();
});

test('gradCam({relu: true}) is ReLU of gradCam({relu: false})', async () => {
  await useBackend();
  const { model } = flatCnn();
  const x = images(2);
  const raw = await gradCam(model, x, { target: [0, 3], layer: 'conv2', relu: false, upsample: 'none' });
  const relu = await gradCam(model, x, { target: [0, 3], layer: 'conv2', upsample: 'none' });
  const min = (await raw.values.min().data())[0];
  assert.ok(min < 0, 'the raw map has negative evidence to remove');
  const expected = tf.relu(raw.values);
  assert.equal(await maxAbsDiff(relu.values, expected), 0);
  tf.dispose([x, expected]);
  raw.dispose();
  relu.dispose();
});

for (const mode of ['nearest', 'bilinear'] as const) {
  test(`gradCam({upsample: '${mode}'}) resizes the layer map [4×4] to the input [8×8] as torch's F.interpolate`, async () => {
    await useBackend();
    const { model } = flatCnn();
    const x = images(2);
    const small = await gradCam(model, x, { target: 1, layer: 'conv2', relu: false, upsample: 'none' });
    const big = await gradCam(model, x, { target: 1, layer: 'conv2', relu: false, upsample: mode });
    assert.deepEqual(small.values.shape, [2, 4, 4, 1]);
    assert.deepEqual(big.values.shape, [2, 8, 8, 1]);
    const s = (await small.values.data()) as Float32Array;
    const expected = new Float32Array(2 * 64);
    for (let i = 0; i < 2; i++) expected.set(torchInterpolate(s.subarray(i * 16, i * 16 + 16), 4, 4, 8, 8, mode), i * 64);
    assert.ok((await maxAbsDiff(big.values, expected)) < 1e-6);
    x.dispose();
    small.dispose();
    big.dispose();
  });
}

test('gradCam defaults to the last spatial layer, ReLU and bilinear upsampling', async () => {
  await useBackend();
  const { model } = flatCnn();
  const x = images(1);
  const attr = await gradCam(model, x, { target: 2 });
  assert.equal(attr.meta.layer, 'relu2');
  assert.equal(attr.meta.relu, true);
  assert.equal(attr.meta.upsample, 'bilinear');
  assert.deepEqual(attr.values.shape, [1, 8, 8, 1]);
  x.dispose();
  attr.dispose();
});

test('gradCam takes one gradient call per batch and one forward pass for the activations', async () => {
  await useBackend();
  const spy = countingModel(flatCnn().model);
  const x = images(5);
  const attr = await gradCam(spy.model, x, { target: 0, layer: 'conv2', batchSize: 2 });
  assert.equal(spy.calls(), 1 + 3);
  assert.equal(attr.meta.modelCalls, 4);
  x.dispose();
  attr.dispose();
});

test('gradCam on a layer that is not a spatial feature map is a LumenError naming the layer and its shape', async () => {
  await useBackend();
  const x = images(1);
  await assert.rejects(gradCam(flatCnn().model, x, { layer: 'fc' }), (e: unknown) =>
    e instanceof LumenError && e.code === 'layer' && /'fc' is not a spatial feature map/.test(e.message) && /\[4\]/.test(e.message));
  await assert.rejects(gradCam(flatCnn().model, x, { layer: 'nope' }), (e: unknown) => e instanceof LumenError && e.code === 'layer');
  await assert.rejects(gradCam(flatCnn().model, x, { upsample: 'cubic' as 'nearest' }), (e: unknown) => e instanceof LumenError && e.code === 'option');
  await assert.rejects(gradCam(tanhMlp().model, tf.zeros([1, 4])), (e: unknown) =>
    e instanceof LumenError && e.code === 'layer' && /needs a convolutional feature map/.test(e.message));
  x.dispose();
});

test('gradCam leaves no tensor behind', async () => {
  await useBackend();
  const { model } = flatCnn();
  const x = images(3);
  const before = tf.memory().numTensors;
  const attr = await gradCam(model, x, { target: [0, 1, 2], batchSize: 2, upsample: 'bilinear' });
  assert.equal(tf.memory().numTensors, before + 1);
  attr.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

/** Conv [8×8×3] → max pool to [1×1×3] → flatten → dense: the last spatial layer is a pooled 1×1 map. */
function pooledToOne(): { model: Model; layers: tf.LayersModel } {
  const layers = tf.sequential({ name: 'pooled-cnn' });
  layers.add(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [8, 8, 2], name: 'conv', kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }) }));
  layers.add(tf.layers.maxPooling2d({ poolSize: 8, name: 'pool' }));
  layers.add(tf.layers.flatten({ name: 'flatten' }));
  layers.add(tf.layers.dense({ units: 3, name: 'fc', kernelInitializer: tf.initializers.glorotNormal({ seed: 6 }) }));
  return { model: fromLayersModel(layers), layers };
}

for (const [name, method] of [['gradCam', gradCam], ['gradCamPlusPlus', gradCamPlusPlus], ['layerCam', layerCam], ['scoreCam', scoreCam]] as const) {
  test(`${name} passes over a pooled 1×1 layer by default, and warns when asked for its constant map`, async () => {
    await useBackend();
    const { model, layers } = pooledToOne();
    const x = images(2);
    const byDefault = await method(model, x, { target: 1, upsample: 'none' });
    assert.equal(byDefault.meta.layer, 'conv');
    assert.deepEqual(byDefault.values.shape, [2, 8, 8, 1]);
    assert.equal(byDefault.meta.warnings, undefined);
    const pooled = await method(model, x, { target: 1, layer: 'pool' });
    const warnings = pooled.meta.warnings ?? [];
    assert.ok(warnings.length >= 1, 'a flat map comes with a warning');
    for (const w of warnings) assert.match(w, new RegExp(`^${name}: the map of examples? [0-9, ]+ (is all zero|is constant) at layer 'pool'`));
    byDefault.dispose();
    pooled.dispose();
    x.dispose();
    layers.dispose();
  });
}
