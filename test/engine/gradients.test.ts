/**
 * Input gradients of every op the attribution methods and training go through agree on cpu and
 * wasm (wasm with Lumen's kernels), within 1e-4 relative; no tensor leaks across a gradient call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { isLumenKernel, originalWasmConv2DBackpropInput } from '../../src/engine/kernels/index.js';
import { assertClose, compareBackends, gradsOf, onBackend, randomData, type GradCase } from './grad-parity.js';

const int = (values: number[]) => tf.tensor1d(values, 'int32');

const cases: GradCase[] = [
  // gather (its gradient is UnsortedSegmentSum)
  { name: 'gather axis 0', inputs: [{ shape: [5, 4] }], fn: (x) => tf.gather(x, int([3, 1, 3, 0, 4])) },
  { name: 'gather axis 1', inputs: [{ shape: [2, 6, 3] }], fn: (x) => tf.gather(x, int([5, 0, 0, 2]), 1) },
  { name: 'gather 2-d indices', inputs: [{ shape: [6, 3] }], fn: (x) => tf.gather(x, tf.tensor2d([1, 5, 1, 2], [2, 2], 'int32')) },
  // conv2d: x and filter gradients (Conv2DBackpropInput, Conv2DBackpropFilter)
  { name: 'conv2d valid s1', inputs: [{ shape: [2, 7, 6, 3] }, { shape: [3, 3, 3, 4] }], fn: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid') },
  { name: 'conv2d same s1', inputs: [{ shape: [2, 6, 6, 2] }, { shape: [3, 3, 2, 5] }], fn: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same') },
  { name: 'conv2d same s2', inputs: [{ shape: [2, 7, 8, 3] }, { shape: [3, 3, 3, 4] }], fn: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same') },
  { name: 'conv2d valid s2 odd', inputs: [{ shape: [1, 9, 8, 2] }, { shape: [4, 3, 2, 3] }], fn: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, [2, 3], 'valid') },
  { name: 'conv2d same 5x5 s1', inputs: [{ shape: [1, 6, 5, 2] }, { shape: [5, 5, 2, 3] }], fn: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same') },
  { name: 'conv2d explicit pad', inputs: [{ shape: [1, 6, 6, 2] }, { shape: [3, 3, 2, 2] }], fn: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, [[0, 0], [1, 2], [0, 1], [0, 0]]) },
  { name: 'conv2d dilation 2 valid', inputs: [{ shape: [2, 9, 8, 2] }, { shape: [3, 3, 2, 3] }], fn: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid', 'NHWC', 2) },
  { name: 'conv2d dilation [2,3] same', inputs: [{ shape: [1, 8, 9, 2] }, { shape: [3, 2, 2, 3] }], fn: (x, f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same', 'NHWC', [2, 3]) },
  { name: 'fused conv2d linear + bias', inputs: [{ shape: [2, 6, 6, 2] }, { shape: [3, 3, 2, 4] }, { shape: [4] }], fn: (x, f, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b, strides: 1, pad: 'same' }) },
  { name: 'fused conv2d relu + bias', inputs: [{ shape: [2, 6, 6, 2] }, { shape: [3, 3, 2, 4] }, { shape: [4] }], fn: (x, f, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b, strides: 2, pad: 'same', activation: 'relu' }) },
  // depthwise conv2d (DepthwiseConv2dNativeBackpropInput / -Filter)
  { name: 'depthwise m1 same s1', inputs: [{ shape: [2, 6, 7, 3] }, { shape: [3, 3, 3, 1] }], fn: (x, f) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same') },
  { name: 'depthwise m1 same s2', inputs: [{ shape: [2, 7, 6, 3] }, { shape: [3, 3, 3, 1] }], fn: (x, f) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'same') },
  { name: 'depthwise m2 valid s2', inputs: [{ shape: [1, 8, 7, 2] }, { shape: [3, 2, 2, 2] }], fn: (x, f) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 2, 'valid') },
  { name: 'depthwise m1 dilation 2', inputs: [{ shape: [1, 7, 7, 2] }, { shape: [3, 3, 2, 1] }], fn: (x, f) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same', 'NHWC', 2) },
  { name: 'fused depthwise linear + bias', inputs: [{ shape: [2, 5, 5, 3] }, { shape: [3, 3, 3, 1] }, { shape: [3] }], fn: (x, f, b) => tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, bias: b, strides: 1, pad: 'same' }) },
  // pooling
  { name: 'maxPool 2x2 s2', inputs: [{ shape: [2, 6, 6, 3] }], fn: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') },
  { name: 'maxPool 2x2 s2 odd', inputs: [{ shape: [2, 7, 5, 2] }], fn: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') },
  { name: 'maxPool 3x3 s1 same', inputs: [{ shape: [1, 5, 6, 2] }], fn: (x) => tf.maxPool(x as tf.Tensor4D, 3, 1, 'same') },
  { name: 'maxPool 3x3 s2 same', inputs: [{ shape: [2, 7, 7, 2] }], fn: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same') },
  { name: 'avgPool 2x2 s2', inputs: [{ shape: [2, 6, 6, 3] }], fn: (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid') },
  { name: 'avgPool 3x3 s1 same', inputs: [{ shape: [1, 5, 6, 2] }], fn: (x) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same') },
  // batch norm: all of x, mean, variance, offset, scale
  {
    name: 'batchNorm', inputs: [{ shape: [2, 3, 3, 4] }, { shape: [4] }, { shape: [4], lo: 0.5, hi: 2 }, { shape: [4] }, { shape: [4] }],
    fn: (x, m, v, o, s) => tf.batchNorm(x, m as tf.Tensor1D, v as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3),
  },
  // shape ops
  { name: 'concat axis 0', inputs: [{ shape: [2, 3] }, { shape: [4, 3] }], fn: (a, b) => tf.concat([a, b], 0) },
  { name: 'concat axis -1', inputs: [{ shape: [2, 3, 2] }, { shape: [2, 3, 5] }, { shape: [2, 3, 1] }], fn: (a, b, c) => tf.concat([a, b, c], -1) },
  { name: 'slice', inputs: [{ shape: [4, 5, 3] }], fn: (x) => tf.slice(x, [1, 0, 1], [2, 4, 2]) },
  { name: 'pad', inputs: [{ shape: [3, 4] }], fn: (x) => tf.pad(x, [[1, 2], [0, 3]], 0.5) },
  { name: 'transpose', inputs: [{ shape: [2, 3, 4] }], fn: (x) => tf.transpose(x, [2, 0, 1]) },
  { name: 'stridedSlice', inputs: [{ shape: [5, 6, 3] }], fn: (x) => tf.stridedSlice(x, [1, 0, 0], [5, 6, 2], [2, 2, 1]) },
  { name: 'stridedSlice masks, negative stride', inputs: [{ shape: [4, 6, 3] }], fn: (x) => tf.stridedSlice(x, [0, 5, 1], [0, 0, 0], [1, -2, 1], 1, 0, 0, 0, 4) },
  { name: 'cumsum axis 0', inputs: [{ shape: [4, 3] }], fn: (x) => tf.cumsum(x, 0) },
  { name: 'cumsum axis 1 exclusive reverse', inputs: [{ shape: [2, 5, 3] }], fn: (x) => tf.cumsum(x, 1, true, true) },
  // resizing (Lumen replaces the cpu gradient kernels, wrong in tfjs 4.22)
  { name: 'resizeBilinear', inputs: [{ shape: [2, 4, 5, 3] }], fn: (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [7, 9]) },
  { name: 'resizeBilinear alignCorners', inputs: [{ shape: [1, 4, 3, 2] }], fn: (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [6, 8], true) },
  { name: 'resizeBilinear halfPixel', inputs: [{ shape: [1, 5, 4, 2] }], fn: (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [3, 7], false, true) },
  { name: 'resizeNearestNeighbor', inputs: [{ shape: [2, 4, 5, 3] }], fn: (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [8, 7]) },
  { name: 'resizeNearestNeighbor halfPixel', inputs: [{ shape: [1, 3, 4, 2] }], fn: (x) => tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [7, 5], false, true) },
  // activations
  { name: 'relu6', inputs: [{ shape: [3, 7], lo: -3, hi: 9 }], fn: (x) => tf.relu6(x) },
  { name: 'leakyRelu', inputs: [{ shape: [3, 7] }], fn: (x) => tf.leakyRelu(x, 0.1) },
  { name: 'elu', inputs: [{ shape: [3, 7] }], fn: (x) => tf.elu(x) },
  { name: 'sigmoid', inputs: [{ shape: [3, 7], lo: -4, hi: 4 }], fn: (x) => tf.sigmoid(x) },
  { name: 'tanh', inputs: [{ shape: [3, 7], lo: -3, hi: 3 }], fn: (x) => tf.tanh(x) },
  { name: 'softmax', inputs: [{ shape: [3, 7], lo: -3, hi: 3 }], fn: (x) => tf.softmax(x) },
  // dense
  { name: 'matMul', inputs: [{ shape: [4, 6] }, { shape: [6, 5] }], fn: (a, b) => tf.matMul(a, b) },
  { name: 'matMul transposed', inputs: [{ shape: [6, 4] }, { shape: [5, 6] }], fn: (a, b) => tf.matMul(a, b, true, true) },
  { name: 'fused matMul linear + bias', inputs: [{ shape: [4, 6] }, { shape: [6, 5] }, { shape: [5] }], fn: (a, b, c) => tf.fused.matMul({ a, b, bias: c }) },
];

for (const c of cases) {
  test(`cpu and wasm agree on the gradient of ${c.name}`, async () => {
    await compareBackends(c);
  });
}

test('batchNormalization layer (inference) gradient agrees on cpu and wasm', async () => {
  const run = async (backend: 'cpu' | 'wasm') => {
    await onBackend(backend);
    const layer = tf.layers.batchNormalization({ axis: -1, inputShape: [4, 4, 3] });
    layer.build([null, 4, 4, 3]);
    layer.setWeights([
      tf.tensor1d(randomData(3, 1), 'float32'), tf.tensor1d(randomData(3, 2), 'float32'),
      tf.tensor1d(randomData(3, 3), 'float32'), tf.tensor1d(randomData(3, 4, 0.5, 2), 'float32'),
    ]);
    return gradsOf({ name: 'bn layer', inputs: [{ shape: [2, 4, 4, 3] }], fn: (x) => layer.apply(x, { training: false }) as tf.Tensor }, 11);
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  assertClose(cpu.grads[0], wasm.grads[0], 'batchNormalization layer');
});

test('the dilated conv2d gradient equals the gradient of the conv with a zero-spread filter', async () => {
  await onBackend('wasm');
  const x = tf.tensor4d(randomData(2 * 9 * 8 * 2, 3), [2, 9, 8, 2], 'float32');
  const f = tf.tensor4d(randomData(3 * 2 * 2 * 3, 4), [3, 2, 2, 3], 'float32');
  const r = tf.tensor4d(randomData(2 * 5 * 5 * 3, 5), [2, 5, 5, 3], 'float32');
  // dilation [2, 3]: the spread filter is 5×4 with zeros between taps
  const spread = tf.tidy(() => {
    const v = f.arraySync();
    const s = Array.from({ length: 5 }, (_, i) => Array.from({ length: 4 }, (_, j) => (i % 2 === 0 && j % 3 === 0 ? v[i / 2][j / 3] : [[0, 0, 0], [0, 0, 0]])));
    return tf.tensor4d(s, [5, 4, 2, 3], 'float32');
  });
  const [dx1, df1] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid', 'NHWC', [2, 3]), r)))([x, f]);
  const [dx2, dfs] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid'), r)))([x, spread]);
  assertClose(dx1.dataSync() as Float32Array, dx2.dataSync() as Float32Array, 'dilated conv dx');
  const df2 = tf.tidy(() => tf.stridedSlice(dfs, [0, 0, 0, 0], [5, 4, 2, 3], [2, 3, 1, 1]));
  assertClose(df1.dataSync() as Float32Array, df2.dataSync() as Float32Array, 'dilated conv dW');
  tf.dispose([x, f, r, spread, dx1, df1, dx2, dfs, df2]);
});

test('a gradient call leaves no tensors (nor wasm heap entries) behind', async () => {
  await onBackend('wasm');
  const x = tf.tensor4d(randomData(2 * 8 * 8 * 3, 1), [2, 8, 8, 3], 'float32');
  const f = tf.tensor4d(randomData(3 * 3 * 3 * 4, 2), [3, 3, 3, 4], 'float32');
  const dw = tf.tensor4d(randomData(3 * 3 * 4 * 1, 3), [3, 3, 4, 1], 'float32');
  const idx = tf.tensor1d([0, 2, 1, 2], 'int32');
  const g = (a: tf.Tensor) => {
    const h = tf.relu(tf.conv2d(a as tf.Tensor4D, f, 2, 'same'));
    const d = tf.depthwiseConv2d(h, dw, 1, 'same');
    return tf.sum(tf.gather(tf.reshape(d, [2, 4, 4, 4]), idx, 3));
  };
  const gf = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid'));
  tf.grad(g)(x).dispose(); // warm-up
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const tensors = tf.memory().numTensors;
  const ids = backend.numDataIds();
  for (let i = 0; i < 3; ++i) {
    tf.grad(g)(x).dispose();
    tf.grads(gf)([x, f]).forEach((t) => t.dispose());
  }
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(backend.numDataIds(), ids);
  tf.dispose([x, f, dw, idx]);
});

/** Σ resize(x) · r for one-hot images x: the exact adjoint of the forward op, row by row. */
async function adjointOfForward(backend: 'cpu' | 'wasm', shape: [number, number, number, number], resize: (x: tf.Tensor4D) => tf.Tensor4D): Promise<{ adjoint: Float32Array; grad: Float32Array }> {
  await onBackend(backend);
  return tf.tidy(() => {
    const [n, h, w, c] = shape;
    const size = h * w * c;
    const probe = resize(tf.zeros([1, h, w, c]) as tf.Tensor4D);
    const r = tf.tensor(randomData(n * probe.size, 99), [n, ...probe.shape.slice(1)], 'float32');
    const eye = new Float32Array(size * size);
    for (let i = 0; i < size; ++i) eye[i * size + i] = 1;
    const basis = tf.tensor4d(eye, [size, h, w, c], 'float32');
    const images = resize(basis).reshape([size, -1]);
    const adjoint = tf.matMul(r.reshape([n, -1]), images, false, true).reshape(shape);
    const x = tf.tensor4d(randomData(n * size, 5), shape, 'float32');
    const grad = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(resize(a as tf.Tensor4D), r)))(x);
    return { adjoint: adjoint.dataSync() as Float32Array, grad: grad.dataSync() as Float32Array };
  });
}

for (const backend of ['cpu', 'wasm'] as const) {
  const resizes: Array<[string, (x: tf.Tensor4D) => tf.Tensor4D]> = [
    ['bilinear', (x) => tf.image.resizeBilinear(x, [7, 4])],
    ['bilinear alignCorners', (x) => tf.image.resizeBilinear(x, [5, 8], true)],
    ['bilinear halfPixelCenters', (x) => tf.image.resizeBilinear(x, [2, 7], false, true)],
    ['nearest', (x) => tf.image.resizeNearestNeighbor(x, [7, 4])],
    ['nearest alignCorners', (x) => tf.image.resizeNearestNeighbor(x, [5, 8], true)],
    ['nearest halfPixelCenters', (x) => tf.image.resizeNearestNeighbor(x, [2, 7], false, true)],
  ];
  for (const [name, resize] of resizes) {
    test(`${backend}: the ${name} resize gradient is the adjoint of the forward resize`, async () => {
      const { adjoint, grad } = await adjointOfForward(backend, [2, 3, 5, 2], resize);
      assertClose(adjoint, grad, `${backend} ${name}`);
    });
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  test(`${backend}: the maxPool gradient routes dy to each window's maximum`, async () => {
    await onBackend(backend);
    const x = tf.tensor4d(Array.from({ length: 36 }, (_, i) => Math.sin(i * 7.3)), [1, 6, 6, 1], 'float32');
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(x);
    const v = x.dataSync();
    const expected = new Float32Array(36);
    for (let r = 0; r < 3; ++r) {
      for (let c = 0; c < 3; ++c) {
        const idx = [0, 1, 6, 7].map((o) => 12 * r + 2 * c + o);
        expected[idx.reduce((m, i) => (v[i] > v[m] ? i : m))] += 1;
      }
    }
    assert.deepEqual(Array.from(g.dataSync()), Array.from(expected));
    tf.dispose([x, g]);
  });
}

test("Lumen's wasm Conv2DBackpropInput equals wasm's own within 1e-5 relative", async () => {
  await onBackend('wasm');
  const own = originalWasmConv2DBackpropInput();
  assert.ok(own != null);
  const ours = tf.getKernel('Conv2DBackpropInput', 'wasm')!;
  const shapes: Array<[number[], number[], number | [number, number], 'same' | 'valid']> = [
    [[3, 12, 11, 5], [3, 3, 5, 8], 1, 'same'],
    [[2, 13, 12, 4], [3, 3, 4, 6], 2, 'same'],
    [[2, 9, 10, 3], [5, 4, 3, 2], [2, 3], 'valid'],
  ];
  for (const [xShape, fShape, strides, pad] of shapes) {
    const run = () => tf.tidy(() => {
      const x = tf.tensor4d(randomData(xShape.reduce((p, q) => p * q, 1), 1), xShape as [number, number, number, number], 'float32');
      const f = tf.tensor4d(randomData(fShape.reduce((p, q) => p * q, 1), 2), fShape as [number, number, number, number], 'float32');
      return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, f, strides, pad), tf.conv2d(x, f, strides, pad).sin())))(x).dataSync() as Float32Array;
    });
    const fast = run();
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel(own);
    let slow: Float32Array;
    try {
      slow = run();
    } finally {
      tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
      tf.registerKernel(ours);
    }
    assertClose(slow, fast, `Conv2DBackpropInput ${xShape} ${fShape} ${strides} ${pad}`, 1e-5);
  }
});

test("Lumen's FusedBatchNorm gradient equals autodiff of the unfused formula for x, mean, variance, scale and offset", async () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    await onBackend(backend);
    assert.ok(isLumenKernel(tf.getGradient('FusedBatchNorm')?.gradFunc), "Lumen's gradient is the one registered");
    const x = tf.tensor4d(randomData(2 * 3 * 3 * 4, 21), [2, 3, 3, 4]);
    const mean = tf.tensor1d(randomData(4, 22));
    const variance = tf.tensor1d(randomData(4, 23, 0.5, 2));
    const scale = tf.tensor1d(randomData(4, 24));
    const offset = tf.tensor1d(randomData(4, 25));
    const dy = tf.tensor4d(randomData(2 * 3 * 3 * 4, 26), [2, 3, 3, 4]);
    const eps = 1e-3;
    const fused = tf.grads((a, m, v, s, o) => tf.batchNorm(a, m, v, o, s, eps).mul(dy))([x, mean, variance, scale, offset]);
    const plain = tf.grads((a, m, v, s, o) => a.sub(m).mul(v.add(eps).rsqrt()).mul(s).add(o).mul(dy))([x, mean, variance, scale, offset]);
    const names = ['x', 'mean', 'variance', 'scale', 'offset'];
    for (let i = 0; i < 5; i++) assertClose(await fused[i].data() as Float32Array, await plain[i].data() as Float32Array, `${backend} d${names[i]}`);
    tf.dispose([x, mean, variance, scale, offset, dy, ...fused, ...plain]);
  }
});
