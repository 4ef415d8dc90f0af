/**
 * Kernel gradients with optional inputs absent (issue 9): `tf.batchNorm` without scale and/or
 * offset, as a Keras BatchNormalization with `scale: false` / `center: false` calls it, crashed
 * under the tape (`reading 'dataId'` / `reading 'id'`). Every gradient Lumen registers is listed
 * here with its optional inputs; each absence is tested against the plain-op formula.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { saliency } from '../../src/attribution/gradient/saliency.js';
import { absentInputsAllowed } from '../../src/engine/absent-inputs.js';
import { isLumenKernel } from '../../src/engine/kernels/index.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { loadLayersModel } from '../../src/models/model-io.js';
import { repoPath } from '../helpers.js';
import { assertClose, onBackend, randomData } from './grad-parity.js';

/** Every gradient Lumen registers, with the inputs its kernel may be called without. */
const LUMEN_GRADIENTS: Readonly<Record<string, readonly string[]>> = {
  FusedBatchNorm: ['scale', 'offset'],
  StridedSlice: [],
  Cumsum: [],
  Conv2D: [],
  DepthwiseConv2dNative: [],
};

test('the list above is every gradient Lumen registers', async () => {
  await onBackend('cpu');
  assert.ok(absentInputsAllowed());
  for (const name of Object.keys(LUMEN_GRADIENTS)) assert.ok(isLumenKernel(tf.getGradient(name)?.gradFunc), `${name} is Lumen's`);
  for (const name of ['Relu', 'MatMul', 'Add', 'MaxPool']) assert.ok(!isLumenKernel(tf.getGradient(name)?.gradFunc), `${name} is tfjs'`);
});

const C = 4;
const t = (shape: number[], seed: number, lo = -1, hi = 1): tf.Tensor => tf.tensor(randomData(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);

for (const backend of ['cpu', 'wasm'] as const) {
  for (const [hasScale, hasOffset] of [[false, false], [false, true], [true, false], [true, true]]) {
    const what = `${hasScale ? 'scale' : 'no scale'}, ${hasOffset ? 'offset' : 'no offset'}`;
    test(`FusedBatchNorm gradient on ${backend} with ${what}: every present input's gradient equals the plain formula's`, async () => {
      await onBackend(backend);
      const before = tf.memory().numTensors;
      const x = t([2, 3, 3, C], 1);
      const mean = t([C], 2);
      const variance = t([C], 3, 0.5, 2);
      const scale = hasScale ? t([C], 4) : undefined;
      const offset = hasOffset ? t([C], 5) : undefined;
      const dy = t([2, 3, 3, C], 6);
      const eps = 1e-3;
      const present = [x, mean, variance, ...(scale ? [scale] : []), ...(offset ? [offset] : [])];
      const unpack = (xs: tf.Tensor[]) => {
        let k = 3;
        return { a: xs[0], m: xs[1], v: xs[2], s: scale ? xs[k++] : undefined, o: offset ? xs[k] : undefined };
      };
      const fused = tf.grads((...xs: tf.Tensor[]) => {
        const { a, m, v, s, o } = unpack(xs);
        return tf.batchNorm(a, m, v, o, s, eps).mul(dy);
      })(present);
      const plain = tf.grads((...xs: tf.Tensor[]) => {
        const { a, m, v, s, o } = unpack(xs);
        let y = tf.mul(tf.sub(a, m), tf.rsqrt(tf.add(v, eps)));
        if (s) y = tf.mul(y, s);
        if (o) y = tf.add(y, o);
        return y.mul(dy);
      })(present);
      assert.equal(fused.length, present.length);
      fused.forEach((g, i) => assertClose(g.dataSync() as Float32Array, plain[i].dataSync() as Float32Array, `input ${i}`));
      tf.dispose([...present, dy, ...fused, ...plain]);
      assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    });
  }
}

test('Keras BatchNormalization with scale: false and center: false: saliency through fromLayersModel equals the gradient of the formula', async () => {
  await onBackend('wasm');
  for (const config of [{ scale: false }, { center: false }, { scale: false, center: false }]) {
    const layer = tf.layers.batchNormalization({ inputShape: [3, 3, C], ...config, name: 'bn' });
    const net = tf.sequential({ layers: [layer, tf.layers.flatten(), tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })] });
    const weights = layer.getWeights().map((w, i) => (w.shape[0] === C ? t([C], 10 + i, 0.5, 1.5) : w));
    layer.setWeights(weights);
    const x = t([2, 3, 3, C], 7);
    const before = tf.memory().numTensors;
    const attribution = await saliency(fromLayersModel(net), x, { target: 1, mode: 'signed' });
    assert.equal(tf.memory().numTensors, before + 1, 'only the attribution values remain');
    const names = layer.weights.map((w) => w.originalName.split('/').pop());
    const get = (n: string) => layer.getWeights()[names.indexOf(n)];
    const factor = tf.tidy(() => {
      const gamma = names.includes('gamma') ? get('gamma') : tf.onesLike(get('moving_variance'));
      return tf.div(gamma, tf.sqrt(tf.add(get('moving_variance'), 1e-3)));
    });
    const kernel = (net.layers[2].getWeights()[0] as tf.Tensor).slice([0, 1], [-1, 1]).reshape([1, 3, 3, C]);
    const expected = tf.tidy(() => tf.mul(tf.tile(kernel, [2, 1, 1, 1]), factor));
    assertClose(attribution.values.dataSync() as Float32Array, expected.dataSync() as Float32Array, JSON.stringify(config));
    tf.dispose([attribution.values, factor, kernel, expected, x, ...weights]);
    net.dispose();
  }
});

test('InceptionV3 stem from nsfwjs (BatchNormalization scale: false): the plain gradient works, finite and non-zero', async () => {
  await onBackend('wasm');
  const layers = await loadLayersModel(repoPath('test', 'models', 'npm', 'nsfwjs-inception-v3-stem'));
  const bn = layers.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  assert.ok(bn.length > 10 && bn.every((l) => (l.getConfig() as { scale?: boolean }).scale === false), 'the real model has BatchNorm scale: false');
  const model = fromLayersModel(layers);
  const x = tf.randomUniform([1, 299, 299, 3], 0, 1, 'float32', 5);
  const before = tf.memory().numTensors;
  const attribution = await saliency(model, x, { target: 7, mode: 'signed' });
  assert.equal(tf.memory().numTensors, before + 1);
  const values = attribution.values.dataSync();
  assert.ok(values.every(Number.isFinite));
  assert.ok(tf.tidy(() => tf.abs(attribution.values).max().dataSync()[0]) > 0);
  tf.dispose([attribution.values, x]);
  layers.dispose();
});
