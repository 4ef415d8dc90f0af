import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { saliency } from '../../../src/attribution/gradient/saliency.js';
import { LumenError } from '../../../src/core/errors.js';
import { Rng } from '../../../src/core/random.js';
import { useBackend } from '../../../src/engine/backend.js';
import { loadFixture } from '../../../src/models/fixture.js';
import { loadOnnx, loadOnnxBytes } from '../../../src/models/onnx/load-onnx.js';
import { fromOnnxRuntime } from '../../../src/models/onnx/from-onnx-runtime.js';
import { repoPath } from '../../helpers.js';
import { onnxBytes, type TestGraph } from './build.js';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const name of ['mlp', 'cnn', 'sat', 'bn_cnn']) {
  test(`loadOnnx('${name}.onnx') gives the fixture's float32 logits in both input layouts`, async () => {
    await useBackend();
    const fx = loadFixture(repoPath('test', 'fixtures', `${name}.json`));
    const want = fx.json.logits.float32.flat();
    const scale = Math.max(...want.map(Math.abs));
    for (const layout of ['nhwc', 'nchw'] as const) {
      const model = await loadOnnx(repoPath('test', 'fixtures', `${name}.onnx`), { inputLayout: layout });
      const x = layout === 'nchw' && fx.inputs.rank === 4 ? tf.transpose(fx.inputs, [0, 3, 1, 2]) : fx.inputs.clone();
      const y = await model.predict(x);
      assert.deepEqual(model.outputShape, [want.length / fx.inputs.shape[0]]);
      assert.ok(maxAbsDiff(await y.data(), want) <= 1e-5 * scale + 1e-6, `${layout}: logits differ`);
      assert.ok(model.layers.every((l) => l.name.startsWith('/')), 'layer names are the ONNX node names');
      tf.dispose([x, y]);
      model.dispose();
    }
    fx.dispose();
  });
}

test("loadOnnx: saliency of an NCHW model is the NHWC model's saliency transposed", async () => {
  await useBackend();
  const fx = loadFixture(repoPath('test', 'fixtures', 'cnn.json'));
  const nhwc = await loadOnnx(repoPath('test', 'fixtures', 'cnn.onnx'), { inputLayout: 'nhwc' });
  const nchw = await loadOnnx(repoPath('test', 'fixtures', 'cnn.onnx'));
  assert.deepEqual(nchw.inputShape, [1, 12, 12]);
  assert.deepEqual(nhwc.inputShape, [12, 12, 1]);
  const x = tf.transpose(fx.inputs, [0, 3, 1, 2]);
  const a = await saliency(nhwc, fx.inputs, { target: [...fx.targets], mode: 'signed' });
  const b = await saliency(nchw, x, { target: [...fx.targets], mode: 'signed' });
  const bt = tf.transpose(b.values, [0, 2, 3, 1]);
  assert.ok(maxAbsDiff(await a.values.data(), await bt.data()) < 1e-6);
  tf.dispose([x, bt]);
  a.dispose();
  b.dispose();
  nhwc.dispose();
  nchw.dispose();
  fx.dispose();
});

test('loadOnnx: predict, run with capture and gradients leak no tensors; dispose frees the weights', async () => {
  await useBackend();
  const before = tf.memory().numTensors;
  const model = await loadOnnx(repoPath('test', 'fixtures', 'cnn.onnx'));
  const x = tf.randomNormal([2, 1, 12, 12], 0, 1, 'float32', 3);
  const loaded = tf.memory().numTensors;
  const y = await model.predict(x);
  y.dispose();
  tf.tidy(() => {
    model.run(x, { capture: ['/conv2/Conv'] });
    tf.grad((z: tf.Tensor) => tf.sum(model.run(z).output))(x);
  });
  assert.equal(tf.memory().numTensors, loaded);
  x.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

/** A graph exercising layout changes: grouped/dilated/depthwise convs, BN, residual Add, pools, Concat, Resize, Pad, ConvTranspose, Softmax. */
function layoutGraph(rng: Rng): TestGraph {
  const w = (name: string, dims: number[]): { name: string; dims: number[]; data: number[] } => ({
    name, dims, data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.normal() * 0.3),
  });
  const pos = (name: string, dims: number[]): { name: string; dims: number[]; data: number[] } => ({ name, dims, data: Array.from({ length: dims[0] }, () => 0.5 + rng.uniform()) });
  return {
    inputs: [{ name: 'x', shape: ['N', 4, 10, 10] }],
    outputs: ['y'],
    initializers: [
      w('w1', [8, 2, 3, 3]), w('b1', [8]), pos('g', [8]), w('beta', [8]), w('mean', [8]), pos('var', [8]),
      w('wd', [8, 1, 3, 3]), w('w2', [8, 4, 1, 1]), w('wt', [16, 4, 3, 3]), w('fc', [4, 5]), w('slope', [8, 1, 1]),
      { name: 'scales', dims: [4], data: [1, 1, 2, 1.5] }, { name: 'pads', dims: [8], data: [0, 0, 1, 2, 0, 0, 2, 1], type: 'int64' },
      { name: 'empty', dims: [0], data: [] },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { group: 2, dilations: [2, 1], pads: [2, 1, 1, 0], strides: [1, 1] } },
      { op: 'BatchNormalization', inputs: ['c1', 'g', 'beta', 'mean', 'var'], outputs: ['bn'], attrs: { epsilon: 1e-3 } },
      { op: 'PRelu', inputs: ['bn', 'slope'], outputs: ['r1'] },
      { op: 'Conv', inputs: ['r1', 'wd'], outputs: ['dw'], attrs: { group: 8, pads: [1, 1, 1, 1], strides: [2, 2] } },
      { op: 'Conv', inputs: ['x', 'w2'], outputs: ['skip'], attrs: { strides: [2, 2] } },
      { op: 'Add', inputs: ['dw', 'skip'], outputs: ['sum'] },
      { op: 'Clip', inputs: ['sum', '', ''], outputs: ['clip'] },
      { op: 'MaxPool', inputs: ['clip'], outputs: ['mp'], attrs: { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 } },
      { op: 'AveragePool', inputs: ['clip'], outputs: ['ap'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 0 } },
      { op: 'Concat', inputs: ['mp', 'ap'], outputs: ['cat'], attrs: { axis: 1 } },
      { op: 'Resize', inputs: ['cat', 'empty', 'scales'], outputs: ['rs'], attrs: { mode: 'linear' } },
      { op: 'Pad', inputs: ['rs', 'pads'], outputs: ['pd'], attrs: { mode: 'reflect' } },
      { op: 'ConvTranspose', inputs: ['pd', 'wt'], outputs: ['ct'], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] } },
      { op: 'Sigmoid', inputs: ['ct'], outputs: ['sg'] },
      { op: 'GlobalAveragePool', inputs: ['sg'], outputs: ['gp'] },
      { op: 'Flatten', inputs: ['gp'], outputs: ['fl'] },
      { op: 'MatMul', inputs: ['fl', 'fc'], outputs: ['mm'] },
      { op: 'Softmax', inputs: ['mm'], outputs: ['y'], attrs: { axis: -1 } },
    ],
  };
}

test('loadOnnx matches onnxruntime on a graph of convolutions, pools, resizes and pads, with few transposes', async () => {
  await useBackend();
  const bytes = onnxBytes(layoutGraph(new Rng(7)));
  const model = loadOnnxBytes(bytes);
  const session = await ort.InferenceSession.create(bytes);
  const reference = await fromOnnxRuntime(session);
  const x = tf.randomNormal([3, 4, 10, 10], 0, 1, 'float32', 11);
  const [a, b] = [await model.predict(x), await reference.predict(x)];
  assert.deepEqual(a.shape, b.shape);
  assert.ok(maxAbsDiff(await a.data(), await b.data()) < 1e-5, 'Lumen and onnxruntime agree');
  const profile = await tf.profile(() => model.run(x).output);
  const transposes = profile.kernels.filter((k) => k.name === 'Transpose').length;
  assert.ok(transposes <= 3, `a conv stack is transposed once in and once out (found ${transposes} transposes)`);
  const s = await saliency(model, x, { target: 2 });
  assert.ok(Array.from(await s.values.data()).every(Number.isFinite));
  tf.dispose([x, a, b]);
  s.dispose();
  model.dispose();
});

test('loadOnnx fails at load with every unsupported op type and the nodes using it', async () => {
  await useBackend();
  const bytes = onnxBytes({
    inputs: [{ name: 'x', shape: ['N', 3] }],
    outputs: ['z'],
    nodes: [
      { op: 'Relu', inputs: ['x'], outputs: ['a'], name: 'ok' },
      { op: 'Acos', inputs: ['a'], outputs: ['b'], name: 'trig1' },
      { op: 'Acos', inputs: ['b'], outputs: ['c'], name: 'trig2' },
      { op: 'FusedGemm', domain: 'com.microsoft', inputs: ['c'], outputs: ['z'], name: 'msft' },
    ],
  });
  assert.throws(() => loadOnnxBytes(bytes), (e: unknown) => {
    assert.ok(e instanceof LumenError);
    assert.match(e.message, /Acos \(nodes trig1, trig2\)/);
    assert.match(e.message, /com\.microsoft\.FusedGemm \(node msft\)/);
    return true;
  });
});

test('fromOnnxRuntime: a session as a batched black box with the importer\'s numbers', async () => {
  await useBackend();
  const session = await ort.InferenceSession.create(readFileSync(repoPath('test', 'fixtures', 'cnn.onnx')));
  const calls: number[] = [];
  const spy = { ...session, inputNames: session.inputNames, outputNames: session.outputNames, inputMetadata: session.inputMetadata,
    run: (feeds: Record<string, ort.Tensor>) => { calls.push(feeds.input.dims[0]); return session.run(feeds); } } as unknown as ort.InferenceSession;
  const model = await fromOnnxRuntime(spy, { batchSize: 4, inputLayout: 'nhwc' });
  assert.equal(model.differentiable, false);
  assert.deepEqual(model.inputShape, [12, 12, 1]);
  const imported = await loadOnnx(repoPath('test', 'fixtures', 'cnn.onnx'), { inputLayout: 'nhwc' });
  const x = tf.randomNormal([10, 12, 12, 1], 0, 1, 'float32', 5);
  calls.length = 0;
  const [a, b] = [await model.predict(x), await imported.predict(x)];
  assert.deepEqual(calls, [4, 4, 2]);
  assert.ok(maxAbsDiff(await a.data(), await b.data()) < 1e-5);
  assert.throws(() => model.run(x), LumenError);
  tf.dispose([x, a, b]);
  imported.dispose();
});
