/**
 * Model.outputKind in every adapter (issue 9): detected from the final layer / node, overridable
 * by the `outputKind` option; `outputs` names the outputs and `output` chooses one; `dispose()`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { saliency } from '../../src/attribution/gradient/saliency.js';
import { LumenError } from '../../src/core/errors.js';
import { outputKindOf } from '../../src/core/model.js';
import { useBackend } from '../../src/engine/backend.js';
import { fromDifferentiable } from '../../src/models/from-differentiable.js';
import { fromFunction } from '../../src/models/from-function.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { loadModelFile } from '../../src/models/load-model-file.js';
import { loadOnnxBytes } from '../../src/models/onnx/load-onnx.js';
import { repoPath } from '../helpers.js';
import { onnxBytes } from './onnx/build.js';

const dense = (activation?: 'softmax' | 'sigmoid' | 'relu') =>
  tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, ...(activation ? { activation } : {}) })] });

test('fromLayersModel detects a final softmax or sigmoid: fused activation, Activation layer, Softmax layer', async () => {
  await useBackend();
  const cases: [string, () => tf.LayersModel, 'logits' | 'probabilities'][] = [
    ['Dense(softmax)', () => dense('softmax'), 'probabilities'],
    ['Dense(sigmoid)', () => dense('sigmoid'), 'probabilities'],
    ['Dense(linear)', () => dense(), 'logits'],
    ['Dense(relu)', () => dense('relu'), 'logits'],
    ['Activation(softmax)', () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 }), tf.layers.activation({ activation: 'softmax' })] }), 'probabilities'],
    ['Softmax layer', () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 }), tf.layers.softmax()] }), 'probabilities'],
    ['softmax, then a Dense', () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' }), tf.layers.dense({ units: 2 })] }), 'logits'],
  ];
  for (const [what, make, kind] of cases) {
    const net = make();
    const model = fromLayersModel(net);
    assert.equal(model.outputKind, kind, what);
    assert.equal(fromLayersModel(net, { outputKind: kind === 'logits' ? 'probabilities' : 'logits' }).outputKind, kind === 'logits' ? 'probabilities' : 'logits', `${what}: overridden`);
    net.dispose();
  }
  const net = dense();
  assert.throws(() => fromLayersModel(net, { outputKind: 'probs' as never }), (e: unknown) => e instanceof LumenError && /outputKind must be 'logits' or 'probabilities'; found "probs"/.test(e.message));
  net.dispose();
});

test('fromLayersModel on a two-output model: outputs names both, output chooses one, none chosen is a LumenError naming them', async () => {
  await useBackend();
  const input = tf.input({ shape: [4] });
  const hidden = tf.layers.dense({ units: 5, activation: 'relu', name: 'hidden' }).apply(input) as tf.SymbolicTensor;
  const scores = tf.layers.dense({ units: 3, name: 'scores', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(hidden) as tf.SymbolicTensor;
  const probs = tf.layers.dense({ units: 2, activation: 'softmax', name: 'probs', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(hidden) as tf.SymbolicTensor;
  const net = tf.model({ inputs: input, outputs: [scores, probs] });
  assert.throws(() => fromLayersModel(net), (e: unknown) => e instanceof LumenError && /2 outputs \(scores, probs\); choose one with the output option \(--output-node NAME\)/.test(e.message));
  assert.throws(() => fromLayersModel(net, { output: 'hidden' }), (e: unknown) => e instanceof LumenError && /no output 'hidden'; the model's outputs are scores, probs/.test(e.message));
  const x = tf.randomNormal([2, 4], 0, 1, 'float32', 3);
  const expected = net.predict(x) as tf.Tensor[];
  for (const [i, name, kind] of [[0, 'scores', 'logits'], [1, 'probs', 'probabilities']] as const) {
    const model = fromLayersModel(net, { output: name });
    assert.deepEqual(model.outputs, ['scores', 'probs']);
    assert.equal(model.outputKind, kind);
    assert.deepEqual(model.outputShape, [i === 0 ? 3 : 2]);
    const y = await model.predict(x);
    assert.deepEqual(Array.from(y.dataSync()), Array.from(expected[i].dataSync()), `${name}: the chosen output's values`);
    const s = await saliency(model, x, { target: 1 });
    assert.deepEqual(s.values.shape, [2, 4]);
    tf.dispose([y, s.values]);
  }
  tf.dispose([x, ...expected]);
  net.dispose();
});

test('loadOnnx detects a final Softmax or Sigmoid (through Identity), LogSoftmax counts as logits; outputs and output', async () => {
  await useBackend();
  const initializers = [{ name: 'W', dims: [4, 3], data: Array.from({ length: 12 }, (_, i) => (i - 6) / 10) }];
  const graph = (tail: string[]) => onnxBytes({
    inputs: [{ name: 'x', shape: [1, 4] }],
    initializers,
    nodes: [
      { op: 'MatMul', inputs: ['x', 'W'], outputs: ['z'] },
      ...tail.map((op, i) => ({ op, inputs: [i === 0 ? 'z' : `t${i - 1}`], outputs: [`t${i}`], ...(op.includes('Softmax') ? { attrs: { axis: -1 } } : {}) })),
    ],
    outputs: tail.length ? [`t${tail.length - 1}`, 'z'] : ['z'],
  });
  const cases: [string[], 'logits' | 'probabilities'][] = [[[], 'logits'], [['Softmax'], 'probabilities'], [['Sigmoid', 'Identity'], 'probabilities'], [['LogSoftmax'], 'logits'], [['Relu'], 'logits']];
  for (const [tail, kind] of cases) {
    const model = loadOnnxBytes(graph(tail));
    assert.equal(model.outputKind, kind, tail.join(' → ') || 'MatMul');
    assert.deepEqual(model.outputs, tail.length ? [`t${tail.length - 1}`, 'z'] : ['z']);
    model.dispose();
  }
  const chosen = loadOnnxBytes(graph(['Softmax']), { output: 'z' });
  assert.equal(chosen.outputKind, 'logits', 'the chosen output z is the MatMul');
  chosen.dispose();
  const overridden = loadOnnxBytes(graph(['Softmax']), { outputKind: 'logits' });
  assert.equal(overridden.outputKind, 'logits');
  overridden.dispose();
});

test('fromFunction takes outputKind (left out: unknown, detected by the methods that need it) and fromDifferentiable runs gradient methods on a plain tfjs function', async () => {
  await useBackend();
  const box = fromFunction((x) => tf.softmax(x), { inputShape: [3], outputShape: [3] });
  assert.equal(box.outputKind, undefined);
  assert.equal(outputKindOf(box), 'logits');
  assert.equal(fromFunction((x) => tf.softmax(x), { inputShape: [3], outputShape: [3], outputKind: 'probabilities' }).outputKind, 'probabilities');
  const w = tf.tensor2d([[1, -2], [0.5, 3], [-1, 1]]);
  let disposed = 0;
  const model = fromDifferentiable((x) => tf.matMul(tf.square(x), w), { inputShape: [3], outputShape: [2], name: 'squares', dispose: () => disposed++ });
  assert.equal(model.differentiable, true);
  assert.deepEqual(model.layers, []);
  assert.equal(model.outputKind, 'logits');
  const x = tf.tensor2d([[1, 2, 3], [-1, 0.5, 2]]);
  const before = tf.memory().numTensors;
  const s = await saliency(model, x, { target: 1, mode: 'signed' });
  // ∂/∂x_i Σ_j x_j² W_j1 = 2 x_i W_i1
  const expected = [[-4, 12, 6], [4, 3, 4]].flat();
  Array.from(s.values.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `${v} vs ${expected[i]}`));
  s.values.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  await assert.rejects(saliency(model, x, { target: 0, layer: 'l' }), (e: unknown) => e instanceof LumenError);
  assert.throws(() => model.run(x, { capture: ['h'] }), (e: unknown) => e instanceof LumenError && /without layers; cannot capture or replace 'h'/.test(e.message));
  assert.throws(() => model.run(x, { replace: { h: x } }), (e: unknown) => e instanceof LumenError && /cannot capture or replace 'h'/.test(e.message));
  assert.throws(() => model.run(x, { rules: () => null }), (e: unknown) => e instanceof LumenError && /gradient rules/.test(e.message));
  assert.throws(() => model.run(tf.zeros([1, 4])), (e: unknown) => e instanceof LumenError && /expects input \[N, 3\]; found \[1, 4\]/.test(e.message));
  const wrong = fromDifferentiable((v) => tf.sum(v), { inputShape: [3], outputShape: [2] });
  assert.throws(() => wrong.run(x), (e: unknown) => e instanceof LumenError && /must return a tensor \[2, 2\]/.test(e.message));
  model.dispose?.();
  assert.equal(disposed, 1);
  tf.dispose([w, x]);
});

test('the real models of nsfwjs: outputKind probabilities (Dense softmax, graph Softmax), outputs named, dispose frees the weights', async () => {
  await useBackend();
  for (const [folder, outputs] of [['nsfwjs-mobilenet-v2', ['dense_3']], ['nsfwjs-mobilenet-v2-mid', ['Identity']]] as const) {
    const before = tf.memory().numTensors;
    const model = await loadModelFile(repoPath('test', 'models', 'npm', folder));
    assert.equal(model.outputKind, 'probabilities', folder);
    assert.deepEqual(model.outputs, outputs);
    assert.deepEqual(model.outputShape, [5]);
    const logits = await loadModelFile(repoPath('test', 'models', 'npm', folder), { outputKind: 'logits' });
    assert.equal(logits.outputKind, 'logits');
    logits.dispose();
    const x = tf.randomUniform([2, 224, 224, 3], 0, 1, 'float32', 8);
    const y = await model.predict(x);
    const rows = tf.tidy(() => tf.sum(y, 1).dataSync());
    rows.forEach((v) => assert.ok(Math.abs(v - 1) < 1e-4, `${folder}: rows are probabilities (sum ${v})`));
    tf.dispose([x, y]);
    model.dispose();
    assert.equal(tf.memory().numTensors, before, `${folder}: dispose frees every weight`);
  }
});

test('loadModelFile takes a tfjs model JSON whatever its name, and a folder holding one', async () => {
  await useBackend();
  const { cpSync, mkdtempSync, renameSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-json-'));
  try {
    cpSync(repoPath('test', 'models', 'npm', 'nsfwjs-mobilenet-v2-mid'), dir, { recursive: true });
    renameSync(path.join(dir, 'model.json'), path.join(dir, 'nsfw.json'));
    for (const spec of [path.join(dir, 'nsfw.json'), dir]) {
      const model = await loadModelFile(spec);
      assert.equal(model.outputKind, 'probabilities', spec);
      assert.deepEqual(model.outputShape, [5]);
      model.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
