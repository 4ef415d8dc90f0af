import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { integratedGradients } from '../../../src/attribution/gradient/integrated-gradients.js';
import { neuronConductance } from '../../../src/attribution/layer/neuron-conductance.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { countingModel, maxAbsDiff, tanhMlp } from '../../toy-models.js';

const x = (): tf.Tensor => tf.tensor2d([[1, -1, 0.5, 2], [0.3, 0.2, -2, 1]]);

test('neuron conductances of every unit of a layer add up to integrated gradients (all paths pass the layer)', async () => {
  await useBackend();
  const { model } = tanhMlp(6);
  const input = x();
  const options = { layer: 'tanh', target: [1, 2], steps: 20, rule: 'riemann-trapezoid' as const };
  const parts = [];
  for (let n = 0; n < 8; n++) parts.push(await neuronConductance(model, input, { ...options, neuron: n }));
  const total = tf.addN(parts.map((p) => p.values));
  const ig = await integratedGradients(model, input, { target: [1, 2], steps: 20, rule: 'riemann-trapezoid' });
  assert.deepEqual(parts[0].values.shape, [2, 4]);
  assert.ok((await maxAbsDiff(total, ig.values)) < 1e-5);
  tf.dispose([input, total]);
  parts.forEach((p) => p.dispose());
  ig.dispose();
});

test('neuronConductance takes a flat index or one index per axis, and checks it', async () => {
  await useBackend();
  const { model } = tanhMlp(6);
  const input = x();
  const flat = await neuronConductance(model, input, { layer: 'fc1', target: 0, neuron: 5, steps: 8 });
  const multi = await neuronConductance(model, input, { layer: 'fc1', target: 0, neuron: [5], steps: 8 });
  assert.equal(await maxAbsDiff(flat.values, multi.values), 0);
  await assert.rejects(neuronConductance(model, input, { layer: 'fc1', target: 0, neuron: 8 }), (e: unknown) => e instanceof LumenError && e.code === 'option' && /out of range/.test(e.message));
  await assert.rejects(neuronConductance(model, input, { layer: 'fc1', target: 0 }), (e: unknown) => e instanceof LumenError && /'neuron'/.test(e.message));
  await assert.rejects(neuronConductance(model, input, { target: 0, neuron: 1 }), (e: unknown) => e instanceof LumenError && /'layer'/.test(e.message));
  flat.dispose();
  multi.dispose();
  input.dispose();
});

test('neuronConductance batches its path points and leaves no tensor behind', async () => {
  await useBackend();
  const spy = countingModel(tanhMlp(2).model);
  const input = x();
  const before = tf.memory().numTensors;
  const attr = await neuronConductance(spy.model, input, { layer: 'tanh', neuron: 3, target: 0, steps: 10, batchSize: 8 });
  assert.equal(tf.memory().numTensors, before + 1);
  // 20 rows in 3 batches; each batch runs the model twice (∂h_n/∂x with h, then ∂f/∂h from the layer on)
  assert.equal(spy.calls(), 6);
  assert.equal(attr.meta.modelCalls, spy.calls());
  attr.dispose();
  assert.equal(tf.memory().numTensors, before);
  input.dispose();
});
