/**
 * withInputGradientsOnly: input gradients of conv layers (fused ops included) are right on wasm
 * inside the scope, no filter gradient is computed there, and the real filter-gradient kernels
 * are back afterwards (training works), also when the scoped function throws.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { assertClose, onBackend, randomData } from './grad-parity.js';
import { filterGradientKernels, inputGradientsOnlyActive, withInputGradientsOnly } from '../../src/engine/input-gradients-only.js';

/** conv(bias, relu) → conv(bias, linear: fused under tf.grad) → batchNorm → relu → depthwise → dense. */
function buildModel(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [8, 8, 2], filters: 4, kernelSize: 3, activation: 'relu', useBias: true }));
  model.add(tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', useBias: true }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.reLU());
  model.add(tf.layers.depthwiseConv2d({ kernelSize: 2, useBias: true }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 3 }));
  const weights = model.weights.map((w, i) => {
    const variance = w.name.includes('variance');
    const size = w.shape.reduce((p: number, q) => p * (q ?? 1), 1);
    return tf.tensor(randomData(size, 100 + i, variance ? 0.5 : -0.5, variance ? 1.5 : 0.5), w.shape as number[], 'float32');
  });
  model.setWeights(weights);
  tf.dispose(weights);
  return model;
}

const x = () => tf.tensor4d(randomData(4 * 8 * 8 * 2, 3), [4, 8, 8, 2], 'float32');
const r = () => tf.tensor2d(randomData(4 * 3, 4), [4, 3], 'float32');

function inputGradient(model: tf.LayersModel): Float32Array {
  return tf.tidy(() => {
    const weights = r();
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(model.apply(a) as tf.Tensor, weights)))(x());
    return g.dataSync() as Float32Array;
  });
}

function weightGradients(model: tf.LayersModel): Float32Array[] {
  return tf.tidy(() => {
    const input = x();
    const weights = r();
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(input) as tf.Tensor, weights)) as tf.Scalar);
    return model.trainableWeights.map((w) => grads[w.originalName].dataSync() as Float32Array);
  });
}

function kernelFuncs(): Array<tf.KernelFunc | undefined> {
  return filterGradientKernels.map((k) => tf.getKernel(k, 'wasm')?.kernelFunc);
}

test('input gradients inside withInputGradientsOnly match cpu, skip filter gradients, and the kernels come back', async () => {
  await onBackend('cpu');
  const cpuModel = buildModel();
  const cpuGrad = inputGradient(cpuModel);
  const cpuWeights = weightGradients(cpuModel);
  cpuModel.dispose();

  await onBackend('wasm');
  const model = buildModel();
  const before = kernelFuncs();
  assert.ok(before.every((f) => f != null), 'wasm has the filter-gradient kernels');

  let calls = 0;
  const realFilterGrad = tf.getKernel('Conv2DBackpropFilter', 'wasm')!;
  tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel({ ...realFilterGrad, kernelFunc: (args) => { calls++; return realFilterGrad.kernelFunc(args); } });
  const counting = tf.getKernel('Conv2DBackpropFilter', 'wasm')!.kernelFunc;
  inputGradient(model);
  assert.ok(calls > 0, 'outside the scope the fused conv computes the filter gradient');
  calls = 0;
  const wasmGrad = withInputGradientsOnly(() => {
    assert.ok(inputGradientsOnlyActive());
    return withInputGradientsOnly(() => inputGradient(model)); // scopes nest
  });
  assert.equal(calls, 0, 'inside the scope no filter gradient is computed');
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm')!.kernelFunc, counting, 'restored after the scope');
  tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
  tf.registerKernel(realFilterGrad);

  assertClose(cpuGrad, wasmGrad, 'input gradient, wasm in scope vs cpu');
  assert.ok(!inputGradientsOnlyActive());
  assert.deepEqual(kernelFuncs(), before);

  assert.throws(() => withInputGradientsOnly(() => {
    inputGradient(model);
    throw new Error('boom');
  }), /boom/);
  assert.deepEqual(kernelFuncs(), before, 'restored after a throw');
  await assert.rejects(withInputGradientsOnly(async () => {
    await Promise.resolve();
    throw new Error('async boom');
  }), /async boom/);
  assert.deepEqual(kernelFuncs(), before, 'restored after a rejected promise');

  // training works after the scopes: weight gradients equal cpu's
  const wasmWeights = weightGradients(model);
  assert.equal(wasmWeights.length, cpuWeights.length);
  wasmWeights.forEach((g, i) => assertClose(cpuWeights[i], g, `weight gradient ${model.trainableWeights[i].name}`));
  assert.ok(wasmWeights[0].some((v) => v !== 0));

  // inside the scope, filter gradients are zeros (documented behaviour)
  const zeroed = withInputGradientsOnly(() => weightGradients(model));
  assert.ok(zeroed[0].every((v) => v === 0));
  model.dispose();
});
