import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { withEngine } from '../../src/engine/ort/with-engine.js';
import type { OrtExecutor } from '../../src/engine/ort/ort-executor.js';
import { saliency } from '../../src/attribution/gradient/saliency.js';
import { integratedGradients } from '../../src/attribution/gradient/integrated-gradients.js';
import type { Model } from '../../src/core/model.js';
import { guidedBackprop } from '../../src/attribution/propagation/guided-backprop.js';
import { deconvolution } from '../../src/attribution/propagation/deconvolution.js';
import { lrp } from '../../src/attribution/propagation/lrp/lrp.js';

import { relativeError } from '../helpers.js';

await useBackend();

const stats = (m: Model): OrtExecutor['stats'] => (m.executor as OrtExecutor).stats;

async function maxRelError(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  return relativeError(await a.data(), await b.data());
}

function uniform(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, 0, 1, 'float32', seed);
}

test('MNIST CNN: predict, saliency and IG through onnxruntime equal tfjs, and onnxruntime ran them', async () => {
  const { model: layers } = await loadBundledModel('mnist');
  const tfjs = fromLayersModel(layers);
  const ort = fromLayersModel(layers, { engine: 'onnxruntime' });
  assert.ok(ort.executor, 'the onnxruntime engine is attached');
  const x = uniform([4, 28, 28, 1], 1);
  const [p1, p2] = [await tfjs.predict(x), await ort.predict(x)];
  assert.ok((await maxRelError(p2, p1)) < 1e-5);
  const s1 = await saliency(tfjs, x, { target: [0, 3, 5, 7], mode: 'signed' });
  const s2 = await saliency(ort, x, { target: [0, 3, 5, 7], mode: 'signed' });
  assert.ok((await maxRelError(s2.values, s1.values)) < 1e-5);
  const i1 = await integratedGradients(tfjs, x, { target: 'predicted', steps: 16, batchSize: 20 });
  const i2 = await integratedGradients(ort, x, { target: 'predicted', steps: 16, batchSize: 20 });
  assert.ok((await maxRelError(i2.values, i1.values)) < 1e-5);
  const st = stats(ort);
  assert.ok(st.forwardRuns >= 2, `forward runs ${st.forwardRuns}`);
  assert.ok(st.backwardRuns >= 1 + 4, `backward runs ${st.backwardRuns}`);
  // A function target: its gradient w.r.t. the output comes from tfjs, the rest from onnxruntime.
  const fn = (o: tf.Tensor): tf.Tensor => o.slice([0, 2], [-1, 2]).sum(1).square();
  const f1 = await saliency(tfjs, x, { target: fn, mode: 'signed' });
  const f2 = await saliency(ort, x, { target: fn, mode: 'signed' });
  assert.ok((await maxRelError(f2.values, f1.values)) < 1e-5);
  tf.dispose([x, p1, p2, s1.values, s2.values, i1.values, i2.values, f1.values, f2.values]);
  ort.dispose?.();
  layers.dispose();
});

test('layer gradients (IG in a layer space) run through onnxruntime and equal tfjs', async () => {
  const { model: layers } = await loadBundledModel('mnist');
  const tfjs = fromLayersModel(layers);
  const ort = fromLayersModel(layers, { engine: 'onnxruntime' });
  const layer = tfjs.layers[3].name;
  const x = uniform([2, 28, 28, 1], 2);
  const before = stats(ort).backwardRuns;
  const a = await integratedGradients(tfjs, x, { target: 1, steps: 8, layer });
  const b = await integratedGradients(ort, x, { target: 1, steps: 8, layer });
  assert.ok(stats(ort).backwardRuns > before);
  assert.ok((await maxRelError(b.values, a.values)) < 1e-5);
  tf.dispose([x, a.values, b.values]);
  ort.dispose?.();
  layers.dispose();
});

test('no tensor leaks and bit-identical repeats on both executors', async () => {
  const { model: layers } = await loadBundledModel('mnist');
  for (const engine of ['tfjs', 'onnxruntime'] as const) {
    const model = fromLayersModel(layers, { engine });
    const x = uniform([3, 28, 28, 1], 3);
    const first = await integratedGradients(model, x, { target: 2, steps: 10 });
    const start = tf.memory().numTensors;
    const again = await integratedGradients(model, x, { target: 2, steps: 10 });
    const values = Array.from(await again.values.data());
    again.values.dispose();
    assert.equal(tf.memory().numTensors, start, `${engine}: no tensor left behind`);
    assert.deepEqual(values, Array.from(await first.values.data()), `${engine}: same bits twice`);
    tf.dispose([x, first.values]);
    model.dispose?.();
  }
  layers.dispose();
});

test('an op form without a backward rule falls back to tfjs with one warning naming the op', async () => {
  const seq = tf.sequential();
  seq.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  seq.add(tf.layers.maxPooling2d({ poolSize: 3, strides: 1 })); // overlapping windows
  seq.add(tf.layers.flatten());
  seq.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  const tfjs = fromLayersModel(seq);
  const ort = withEngine(tfjs, 'onnxruntime');
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (m: string) => warnings.push(m);
  const x = uniform([2, 8, 8, 1], 4);
  try {
    const a = await saliency(tfjs, x, { target: 1, mode: 'signed' });
    const b = await saliency(ort, x, { target: 1, mode: 'signed' });
    const c = await saliency(ort, x, { target: 1, mode: 'signed' });
    assert.deepEqual(Array.from(await b.values.data()), Array.from(await a.values.data()));
    tf.dispose([a.values, b.values, c.values]);
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /MaxPool with overlapping windows/);
  // auto keeps tfjs for a layer onnxruntime cannot translate at all
  const gmp = tf.sequential();
  gmp.add(tf.layers.globalMaxPooling2d({ inputShape: [4, 4, 2] }));
  assert.equal(fromLayersModel(gmp, { engine: 'auto' }).executor, undefined);
  tf.dispose(x);
  ort.dispose?.();
  seq.dispose();
  gmp.dispose();
});

test('guided backprop and deconvnet run their rules in the onnxruntime backward graph and equal tfjs; so does LRP (ort-propagation.test.ts)', async () => {
  const { model: layers } = await loadBundledModel('mnist');
  const tfjs = fromLayersModel(layers);
  const ort = fromLayersModel(layers, { engine: 'onnxruntime' });
  const x = uniform([3, 28, 28, 1], 5);
  for (const method of [guidedBackprop, deconvolution]) {
    const before = stats(ort).backwardRuns;
    const a = await method(tfjs, x, { target: [1, 4, 9] });
    const b = await method(ort, x, { target: [1, 4, 9] });
    assert.ok(stats(ort).backwardRuns > before, `${method.name}: onnxruntime ran the pass`);
    assert.ok((await maxRelError(b.values, a.values)) < 1e-5, method.name);
    // The rules change the pass: neither equals the plain gradient.
    const g = await saliency(tfjs, x, { target: [1, 4, 9], mode: 'signed' });
    assert.ok((await maxRelError(b.values, g.values)) > 1e-2, `${method.name} differs from the gradient`);
    tf.dispose([a.values, b.values, g.values]);
  }
  const before = stats(ort).backwardRuns;
  const l1 = await lrp(tfjs, x, { target: 2 });
  const l2 = await lrp(ort, x, { target: 2 });
  assert.ok(stats(ort).backwardRuns > before, 'LRP runs in onnxruntime');
  assert.ok((await maxRelError(l2.values, l1.values)) < 1e-5);
  tf.dispose([x, l1.values, l2.values]);
  ort.dispose?.();
  layers.dispose();
});
