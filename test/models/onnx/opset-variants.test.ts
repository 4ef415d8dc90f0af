import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { LumenError } from '../../../src/core/errors.js';
import { Rng } from '../../../src/core/random.js';
import { useBackend } from '../../../src/engine/backend.js';
import { fromOnnxRuntime } from '../../../src/models/onnx/from-onnx-runtime.js';
import { loadOnnxBytes } from '../../../src/models/onnx/load-onnx.js';
import { onnxBytes, type TestGraph, type TestNode, type TestTensor } from './build.js';

// ONNX's backend node tests (conformance.test.ts) exercise each op at the opset it was last
// changed in. Models exported at older opsets use the older definitions (attributes that later
// became inputs, Softmax's 2-D coercion, Upsample, …): each case here is one op at an old and a
// new opset, run by Lumen and by onnxruntime on the same bytes.

interface Case {
  readonly name: string;
  readonly opset: number;
  readonly shape: readonly number[];
  readonly nodes: readonly TestNode[];
  readonly initializers?: readonly TestTensor[];
}

const ints = (name: string, data: number[]): TestTensor => ({ name, dims: [data.length], data, type: 'int64' });
const floats = (name: string, dims: number[], data: number[]): TestTensor => ({ name, dims, data });
const one = (op: string, inputs: string[], attrs?: TestNode['attrs']): TestNode[] => [{ op, inputs: ['x', ...inputs], outputs: ['y'], attrs }];

const cases: Case[] = [
  { name: 'Softmax-11 (coerced to 2-D at axis 1)', opset: 11, shape: [3, 4], nodes: one('Softmax', [], { axis: 1 }) },
  { name: 'Softmax-11 (default axis 1)', opset: 11, shape: [2, 2, 3], nodes: one('Softmax', []) },
  { name: 'Softmax-13 (one axis)', opset: 13, shape: [3, 4], nodes: one('Softmax', [], { axis: 1 }) },
  { name: 'LogSoftmax-7', opset: 7, shape: [3, 4], nodes: one('LogSoftmax', [], { axis: 1 }) },
  { name: 'Split-7 (split attribute) reordered by Concat', opset: 7, shape: [7], nodes: [
    { op: 'Split', inputs: ['x'], outputs: ['a', 'b'], attrs: { axis: 1, split: [2, 5] } },
    { op: 'Concat', inputs: ['b', 'a'], outputs: ['y'], attrs: { axis: 1 } },
  ] },
  { name: 'Split-13 (split input)', opset: 13, shape: [7], initializers: [ints('s', [4, 3])], nodes: [
    { op: 'Split', inputs: ['x', 's'], outputs: ['a', 'b'], attrs: { axis: 1 } },
    { op: 'Concat', inputs: ['b', 'a'], outputs: ['y'], attrs: { axis: 1 } },
  ] },
  { name: 'Split-18 (num_outputs, uneven)', opset: 18, shape: [7], nodes: [
    { op: 'Split', inputs: ['x'], outputs: ['a', 'b', 'c'], attrs: { axis: 1, num_outputs: 3 } },
    { op: 'Concat', inputs: ['c', 'a', 'b'], outputs: ['y'], attrs: { axis: 1 } },
  ] },
  { name: 'Squeeze-11 / Unsqueeze-11 (axes attribute)', opset: 11, shape: [1, 5], nodes: [
    { op: 'Squeeze', inputs: ['x'], outputs: ['s'], attrs: { axes: [1] } },
    { op: 'Unsqueeze', inputs: ['s'], outputs: ['y'], attrs: { axes: [1, 3] } },
  ] },
  { name: 'Squeeze-13 / Unsqueeze-13 (axes input)', opset: 13, shape: [1, 5], initializers: [ints('a', [1]), ints('b', [1, 3])], nodes: [
    { op: 'Squeeze', inputs: ['x', 'a'], outputs: ['s'] },
    { op: 'Unsqueeze', inputs: ['s', 'b'], outputs: ['y'] },
  ] },
  { name: 'ReduceSum-11 (axes attribute)', opset: 11, shape: [3, 4], nodes: one('ReduceSum', [], { axes: [2], keepdims: 0 }) },
  { name: 'ReduceSum-13 (axes input, noop_with_empty_axes)', opset: 13, shape: [3, 4], initializers: [ints('a', [1])], nodes: one('ReduceSum', ['a'], { keepdims: 1 }) },
  { name: 'ReduceMean-13 (axes attribute)', opset: 13, shape: [2, 3, 4], nodes: one('ReduceMean', [], { axes: [2, 3] }) },
  { name: 'ReduceMean-18 (axes input)', opset: 18, shape: [2, 3, 4], initializers: [ints('a', [2, 3])], nodes: one('ReduceMean', ['a'], { keepdims: 0 }) },
  { name: 'ReduceMax-12 (axes attribute)', opset: 12, shape: [3, 4], nodes: one('ReduceMax', [], { axes: [1] }) },
  { name: 'ReduceMax-18 (axes input)', opset: 18, shape: [3, 4], initializers: [ints('a', [-1])], nodes: one('ReduceMax', ['a']) },
  { name: 'Pad-7 (pads attribute, reflect)', opset: 7, shape: [2, 4, 4], nodes: one('Pad', [], { pads: [0, 0, 1, 2, 0, 0, 2, 1], mode: 'reflect' }) },
  { name: 'Pad-7 (constant value attribute)', opset: 7, shape: [2, 3, 3], nodes: one('Pad', [], { pads: [0, 0, 1, 0, 0, 0, 0, 2], value: { f: 1.5 } }) },
  { name: 'Pad-11 (pads input, edge)', opset: 11, shape: [2, 4, 4], initializers: [ints('p', [0, 0, 2, 1, 0, 0, 1, 2])], nodes: one('Pad', ['p'], { mode: 'edge' }) },
  { name: 'Pad-18 (axes input)', opset: 18, shape: [2, 4, 4], initializers: [ints('p', [1, 2, 0, 3]), ints('a', [2, 3])], nodes: one('Pad', ['p', '', 'a']) },
  { name: 'Slice-7 (attributes)', opset: 7, shape: [6, 5], nodes: one('Slice', [], { starts: [1, -4], ends: [5, 1000], axes: [1, 2] }) },
  { name: 'Slice-13 (inputs with steps)', opset: 13, shape: [6, 5], initializers: [ints('s', [5, 0]), ints('e', [0, 5]), ints('a', [1, 2]), ints('t', [-2, 2])], nodes: one('Slice', ['s', 'e', 'a', 't']) },
  { name: 'Clip-7 (min/max attributes)', opset: 7, shape: [8], nodes: one('Clip', [], { min: { f: -0.5 }, max: { f: 0.75 } }) },
  { name: 'Clip-12 (min/max inputs)', opset: 12, shape: [8], initializers: [floats('lo', [], [-0.25]), floats('hi', [], [0.5])], nodes: one('Clip', ['lo', 'hi']) },
  { name: 'Dropout-7 (inference: identity)', opset: 7, shape: [5], nodes: one('Dropout', [], { ratio: { f: 0.3 } }) },
  { name: 'Dropout-12 (ratio input)', opset: 12, shape: [5], initializers: [floats('r', [], [0.3])], nodes: one('Dropout', ['r']) },
  { name: 'BatchNormalization-7', opset: 7, shape: [3, 2, 2], initializers: [
    floats('g', [3], [1, 0.5, 2]), floats('b', [3], [0, 1, -1]), floats('m', [3], [0.1, -0.2, 0.3]), floats('v', [3], [1, 2, 0.5]),
  ], nodes: one('BatchNormalization', ['g', 'b', 'm', 'v'], { epsilon: { f: 1e-3 } }) },
  { name: 'Gemm-7 (transB, alpha, beta, broadcast C)', opset: 7, shape: [4], initializers: [floats('w', [3, 4], Array.from({ length: 12 }, (_, i) => (i % 5) - 2)), floats('c', [3], [0.5, -1, 2])],
    nodes: one('Gemm', ['w', 'c'], { transB: 1, alpha: { f: 0.5 }, beta: { f: 2 } }) },
  { name: 'Upsample-7 (scales attribute, nearest)', opset: 7, shape: [2, 3, 3], nodes: one('Upsample', [], { scales: { floats: [1, 1, 2, 3] }, mode: 'nearest' }) },
  { name: 'Upsample-9 (scales input, linear)', opset: 9, shape: [2, 3, 3], initializers: [floats('s', [4], [1, 1, 2, 2])], nodes: one('Upsample', ['s'], { mode: 'linear' }) },
  { name: 'Resize-10 (scales input, nearest)', opset: 10, shape: [2, 3, 3], initializers: [floats('s', [4], [1, 1, 2, 1.5])], nodes: one('Resize', ['s']) },
  { name: 'Resize-11 (scales, linear, align_corners)', opset: 11, shape: [2, 4, 4], initializers: [floats('roi', [0], []), floats('s', [4], [1, 1, 1.5, 1.75])],
    nodes: one('Resize', ['roi', 's'], { mode: 'linear', coordinate_transformation_mode: 'align_corners' }) },
  { name: 'Reshape-7 (0 and -1)', opset: 7, shape: [2, 3, 4], initializers: [ints('s', [0, -1, 2])], nodes: one('Reshape', ['s']) },
  { name: 'Flatten-7', opset: 7, shape: [2, 3, 4], nodes: one('Flatten', []) },
  { name: 'MaxPool-7 (auto_pad SAME_UPPER, strides)', opset: 7, shape: [2, 5, 5], nodes: one('MaxPool', [], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }) },
  { name: 'AveragePool-7 (count_include_pad)', opset: 7, shape: [2, 5, 5], nodes: one('AveragePool', [], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 }) },
  { name: 'Conv-7 (auto_pad SAME_LOWER, group 2)', opset: 7, shape: [4, 5, 5], initializers: [floats('w', [2, 2, 3, 3], Array.from({ length: 36 }, (_, i) => Math.sin(i)))],
    nodes: one('Conv', ['w'], { auto_pad: 'SAME_LOWER', group: 2, strides: [2, 2] }) },
  { name: 'PRelu-7 (slope per channel)', opset: 7, shape: [3, 2, 2], initializers: [floats('s', [3, 1, 1], [0.1, -0.5, 2])], nodes: one('PRelu', ['s']) },
  { name: 'Elu-6 (an op unchanged since opset 6, model at opset 6)', opset: 6, shape: [5], nodes: one('Elu', [], { alpha: { f: 0.7 } }) },
  { name: 'Cast-7 (to int32 and back truncates)', opset: 7, shape: [5], nodes: [
    { op: 'Cast', inputs: ['x'], outputs: ['i'], attrs: { to: 6 } },
    { op: 'Cast', inputs: ['i'], outputs: ['y'], attrs: { to: 1 } },
  ] },
];

function graphOf(c: Case): TestGraph {
  return { opset: c.opset, inputs: [{ name: 'x', shape: ['N', ...c.shape] }], outputs: ['y'], initializers: [...(c.initializers ?? [])], nodes: [...c.nodes] };
}

test('loadOnnx gives onnxruntime\'s outputs for ops at old and new opsets (attributes that became inputs, Softmax-11, Upsample, …)', async () => {
  await useBackend();
  const rng = new Rng(31);
  const before = tf.memory().numTensors;
  const failures: string[] = [];
  for (const c of cases) {
    const bytes = onnxBytes(graphOf(c));
    const reference = await fromOnnxRuntime(await ort.InferenceSession.create(bytes), { batchSize: 8 });
    const size = c.shape.reduce((a, b) => a * b, 1);
    const x = tf.tensor(Array.from({ length: 2 * size }, () => rng.normal() * 2), [2, ...c.shape]);
    const b = await reference.predict(x);
    try {
      const model = loadOnnxBytes(bytes);
      const a = await model.predict(x);
      model.dispose();
      const [da, db] = [await a.data(), await b.data()];
      a.dispose();
      if (a.shape.join() !== b.shape.join()) failures.push(`${c.name}: shape [${a.shape}], onnxruntime [${b.shape}]`);
      else {
        const bad = Array.from(db).findIndex((v, i) => !(Math.abs(da[i] - v) <= 1e-5 + 1e-5 * Math.abs(v)));
        if (bad >= 0) failures.push(`${c.name}: element ${bad} is ${da[bad]}, onnxruntime ${db[bad]}`);
      }
    } catch (e) {
      failures.push(`${c.name}: ${(e as Error).message}`);
    }
    tf.dispose([x, b]);
  }
  assert.deepEqual(failures, []);
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
});

test('loadOnnx refuses a model older than opset 7 whose ops changed at 7, naming them', async () => {
  await useBackend();
  const old: TestGraph = { opset: 6, inputs: [{ name: 'x', shape: ['N', 4] }], outputs: ['y'], nodes: [
    { op: 'Elu', inputs: ['x'], outputs: ['e'] },
    { op: 'Add', inputs: ['e', 'x'], outputs: ['y'] },
  ] };
  assert.throws(() => loadOnnxBytes(onnxBytes(old)), (e: unknown) => e instanceof LumenError && /opset 6, where Add differs from opset 7/.test(e.message));
  const unchanged = loadOnnxBytes(onnxBytes({ ...old, nodes: [{ op: 'Elu', inputs: ['x'], outputs: ['y'] }] }));
  assert.deepEqual(unchanged.outputShape, [4]);
  unchanged.dispose();
  assert.throws(() => loadOnnxBytes(onnxBytes({ ...old, opset: 5, nodes: [{ op: 'Elu', inputs: ['x'], outputs: ['y'] }] })), /opset 5, where Elu differs/);
});
