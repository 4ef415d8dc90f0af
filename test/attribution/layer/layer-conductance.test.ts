import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { integratedGradients } from '../../../src/attribution/gradient/integrated-gradients.js';
import { layerConductance } from '../../../src/attribution/layer/layer-conductance.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { countingModel, maxAbsDiff, tanhMlp } from '../../toy-models.js';

const x = (): tf.Tensor => tf.tensor2d([[1, -1, 0.5, 2], [0.3, 0.2, -2, 1]]);

test('layerConductance before a linear head is w_t ⊙ (h(x) − h(baseline)) for any number of steps (the sum telescopes)', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(3);
  const input = x();
  const baseline = tf.tensor1d([0.5, 0, -0.5, 1]);
  const attr = await layerConductance(model, input, { layer: 'tanh', target: [2, 0], baseline, steps: 3 });
  assert.deepEqual(attr.values.shape, [2, 8]);
  const kernel = layers.getLayer('fc2').getWeights()[0];
  const expected = tf.tidy(() => {
    const h = (v: tf.Tensor): tf.Tensor => model.run(v, { capture: ['tanh'] }).captured.tanh;
    return h(input).sub(h(baseline.expandDims(0).tile([2, 1]))).mul(kernel.gather([2, 0], 1).transpose());
  });
  assert.ok((await maxAbsDiff(attr.values, expected)) < 1e-5);
  // ... which is layer integrated gradients on that layer, too
  const layerIg = await integratedGradients(model, input, { layer: 'tanh', target: [2, 0], baseline, steps: 5 });
  assert.ok((await maxAbsDiff(attr.values, layerIg.values)) < 1e-5);
  tf.dispose([input, baseline, expected]);
  attr.dispose();
  layerIg.dispose();
});

test('layerConductance summed over the layer is f(x) − f(baseline) up to the reported delta, which shrinks with the steps', async () => {
  await useBackend();
  const { model } = tanhMlp(4);
  const input = x();
  const out = await model.predict(input);
  const zero = await model.predict(tf.zerosLike(input));
  const fx = await out.data();
  const fb = await zero.data();
  const gaps: number[][] = [];
  for (const steps of [25, 100]) {
    const attr = await layerConductance(model, input, { layer: 'fc1', target: 1, steps });
    const sums = await attr.values.sum(1).data();
    const delta = attr.meta.delta ?? [];
    gaps.push([0, 1].map((i) => {
      const gap = sums[i] - (fx[i * 3 + 1] - fb[i * 3 + 1]);
      assert.ok(Math.abs(gap - delta[i]) < 1e-5, `delta ${delta[i]} is the gap ${gap}`);
      return gap;
    }));
    attr.dispose();
  }
  // the trapezoid-point rule is first order: 4× the steps, about a quarter of the gap
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(gaps[1][i]) < Math.abs(gaps[0][i]) / 3, `gap ${gaps[0][i]} → ${gaps[1][i]}`);
  tf.dispose([input, out, zero]);
});

test('layerConductance batches its steps: 2 examples × (10 + 2) rows with batchSize 8 are 3 gradient calls', async () => {
  await useBackend();
  const spy = countingModel(tanhMlp(1).model);
  const input = x();
  const attr = await layerConductance(spy.model, input, { layer: 'tanh', target: 0, steps: 10, batchSize: 8 });
  // each batch: one forward for h at both ends of its segments, one gradient pass from the layer on
  assert.equal(spy.calls(), 6);
  assert.equal(attr.meta.modelCalls, 6);
  input.dispose();
  attr.dispose();
});

test('layerConductance needs a layer and leaves no tensor behind', async () => {
  await useBackend();
  const { model } = tanhMlp(2);
  const input = x();
  await assert.rejects(layerConductance(model, input, { target: 0 }), (e: unknown) => e instanceof LumenError && e.code === 'option' && /'layer'/.test(e.message));
  await assert.rejects(layerConductance(model, input, { target: 0, layer: 'nope' }), (e: unknown) => e instanceof LumenError && e.code === 'layer');
  const before = tf.memory().numTensors;
  const attr = await layerConductance(model, input, { layer: 'tanh', target: 0, steps: 7, batchSize: 5, baseline: 'mean' });
  assert.equal(tf.memory().numTensors, before + 1);
  attr.dispose();
  assert.equal(tf.memory().numTensors, before);
  input.dispose();
});
