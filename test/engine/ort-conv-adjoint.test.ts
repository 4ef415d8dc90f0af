import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { useBackend } from '../../src/engine/backend.js';
import { backwardGraph, GRAD, SEED } from '../../src/engine/ort/backward.js';
import { encodeOnnx } from '../../src/engine/ort/encode-onnx.js';
import type { OrtAttribute, OrtGraph, OrtNode, OrtTensor } from '../../src/engine/ort/ort-graph.js';
import type { OrtExecutor } from '../../src/engine/ort/ort-executor.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { saliency } from '../../src/attribution/gradient/saliency.js';
import { integratedGradients } from '../../src/attribution/gradient/integrated-gradients.js';
import { relativeError } from '../helpers.js';

await useBackend();

/** A seeded uniform generator on [−1, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

interface ConvCase {
  readonly name: string;
  readonly x: readonly number[];
  readonly w: readonly number[];
  readonly attrs: Record<string, OrtAttribute>;
  readonly op?: 'Conv' | 'AveragePool';
}

/** The output size of a window op along one axis (explicit pads or auto_pad). */
function outSize(size: number, k: number, s: number, d: number, pb: number, pe: number): number {
  return Math.floor((size + pb + pe - d * (k - 1) - 1) / s) + 1;
}

/** Explicit pads of a case, from `pads` or auto_pad (ONNX's definition: SAME_UPPER puts the odd one at the end). */
function casePads(c: ConvCase, kernel: readonly number[], strides: readonly number[], dil: readonly number[]): number[] {
  const n = kernel.length;
  const a = c.attrs.auto_pad;
  if (!a || !('s' in a)) return c.attrs.pads && 'ints' in c.attrs.pads ? [...c.attrs.pads.ints] : new Array<number>(2 * n).fill(0);
  const pads = new Array<number>(2 * n).fill(0);
  for (let i = 0; i < n; i++) {
    const size = c.x[2 + i];
    const total = Math.max((Math.ceil(size / strides[i]) - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - size, 0);
    pads[i] = a.s === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
    pads[n + i] = total - pads[i];
  }
  return pads;
}

/**
 * The input gradient of ⟨seed, conv(x)⟩ by brute force: every output element scatters
 * seed·w back to the input elements its window read (an implementation independent of the rules).
 */
function referenceGradient(c: ConvCase, w: Float32Array, seed: Float32Array, y: readonly number[]): Float32Array {
  const [n, cin, ...xs] = c.x;
  const [cout, cinG, ...kernel] = c.w;
  const rank = kernel.length;
  const ints = (name: string, fallback: number[]): number[] => {
    const a = c.attrs[name];
    return a && 'ints' in a ? [...a.ints] : fallback;
  };
  const strides = ints('strides', new Array<number>(rank).fill(1));
  const dil = ints('dilations', new Array<number>(rank).fill(1));
  const pads = casePads(c, kernel, strides, dil);
  const g = c.op === 'AveragePool' ? cin : c.attrs.group && 'i' in c.attrs.group ? c.attrs.group.i : 1;
  const coutG = cout / g;
  const dx = new Float32Array(c.x.reduce((a, b) => a * b, 1));
  const ys = y.slice(2);
  const yCount = ys.reduce((a, b) => a * b, 1);
  const kCount = kernel.reduce((a, b) => a * b, 1);
  const xCount = xs.reduce((a, b) => a * b, 1);
  const coords = (flat: number, dims: readonly number[]): number[] => {
    const out: number[] = [];
    for (let i = dims.length - 1; i >= 0; i--) {
      out.unshift(flat % dims[i]);
      flat = Math.floor(flat / dims[i]);
    }
    return out;
  };
  for (let b = 0; b < n; b++) for (let o = 0; o < cout; o++) for (let p = 0; p < yCount; p++) {
    const dy = seed[(b * cout + o) * yCount + p];
    const op = coords(p, ys);
    for (let i = 0; i < cinG; i++) for (let k = 0; k < kCount; k++) {
      const kk = coords(k, kernel);
      const pos = op.map((q, a) => q * strides[a] + kk[a] * dil[a] - pads[a]);
      if (pos.some((v, a) => v < 0 || v >= xs[a])) continue;
      const flat = pos.reduce((acc, v, a) => acc * xs[a] + v, 0);
      const ci = Math.floor(o / coutG) * cinG + i;
      dx[(b * cin + ci) * xCount + flat] += dy * w[((o * cinG + i) * kCount) + k];
    }
  }
  return dx;
}

const CASES: ConvCase[] = [
  { name: '3×3 stride 1 pad 1', x: [2, 3, 7, 6], w: [4, 3, 3, 3], attrs: { pads: { ints: [1, 1, 1, 1] } } },
  { name: '3×3 stride 1 valid', x: [2, 3, 7, 6], w: [4, 3, 3, 3], attrs: {} },
  { name: '5×3 stride 1 asymmetric pads, dilation 2', x: [1, 2, 11, 9], w: [3, 2, 5, 3], attrs: { pads: { ints: [3, 0, 1, 2] }, dilations: { ints: [2, 2] } } },
  { name: '3×3 stride 1 pad 2 (wider than the kernel reaches: cropped)', x: [1, 2, 5, 5], w: [2, 2, 3, 3], attrs: { pads: { ints: [3, 2, 2, 3] } } },
  { name: '3×3 stride 2 SAME_UPPER even', x: [2, 3, 8, 8], w: [5, 3, 3, 3], attrs: { strides: { ints: [2, 2] }, auto_pad: { s: 'SAME_UPPER' } } },
  { name: '3×3 stride 2 pad 1 odd', x: [2, 3, 9, 7], w: [5, 3, 3, 3], attrs: { strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] } } },
  { name: '3×3 stride 2 valid odd (last row unread)', x: [1, 2, 8, 10], w: [3, 2, 3, 3], attrs: { strides: { ints: [2, 2] } } },
  { name: '4×4 stride 3 SAME_LOWER', x: [1, 2, 10, 11], w: [3, 2, 4, 4], attrs: { strides: { ints: [3, 3] }, auto_pad: { s: 'SAME_LOWER' } } },
  { name: 'depthwise 3×3 stride 2 SAME_UPPER', x: [2, 4, 8, 8], w: [4, 1, 3, 3], attrs: { strides: { ints: [2, 2] }, auto_pad: { s: 'SAME_UPPER' }, group: { i: 4 } } },
  { name: 'depthwise ×2 3×3 stride 1 pad 1', x: [2, 3, 6, 5], w: [6, 1, 3, 3], attrs: { pads: { ints: [1, 1, 1, 1] }, group: { i: 3 } } },
  { name: 'grouped (2) 3×3 stride 2 pad 1', x: [1, 4, 9, 9], w: [6, 2, 3, 3], attrs: { strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, group: { i: 2 } } },
  { name: '1×1 stride 2', x: [2, 6, 7, 8], w: [5, 6, 1, 1], attrs: { strides: { ints: [2, 2] } } },
  { name: '3×3 stride 2 dilation 2 (ConvTranspose)', x: [1, 2, 11, 11], w: [3, 2, 3, 3], attrs: { strides: { ints: [2, 2] }, dilations: { ints: [2, 2] } } },
  { name: '3×3 strides 1×2 (ConvTranspose)', x: [1, 2, 8, 8], w: [3, 2, 3, 3], attrs: { strides: { ints: [1, 2] }, pads: { ints: [1, 1, 1, 1] } } },
  { name: '1-D k3 stride 1 pad 1', x: [2, 3, 10], w: [4, 3, 3], attrs: { pads: { ints: [1, 1] } } },
  { name: '1-D k3 stride 2 (ConvTranspose)', x: [2, 3, 11], w: [4, 3, 3], attrs: { strides: { ints: [2] } } },
  { name: 'AveragePool 3×3 stride 2 pad 1 counted', x: [2, 3, 9, 8], w: [3, 1, 3, 3], op: 'AveragePool', attrs: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, count_include_pad: { i: 1 } } },
];

async function run(graph: OrtGraph, feeds: Record<string, Float32Array>, dims: Record<string, readonly number[]>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeOnnx(graph), { graphOptimizationLevel: 'all', logSeverityLevel: 3 });
  try {
    const out = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v, dims[k] as number[])])));
    return out[GRAD].data as Float32Array;
  } finally {
    await session.release();
  }
}

test('Conv and AveragePool adjoints (flipped Conv, polyphase Conv + DepthToSpace, ConvTranspose otherwise) equal a brute-force scatter of the forward windows', async () => {
  for (const [k, c] of CASES.entries()) {
    const rnd = random(100 + k);
    const op = c.op ?? 'Conv';
    const w = op === 'AveragePool' ? new Float32Array(c.w.reduce((a, b) => a * b, 1)).fill(1 / 9) : Float32Array.from({ length: c.w.reduce((a, b) => a * b, 1) }, rnd);
    const kernel = c.w.slice(2);
    const ints = (name: string, fallback: number[]): number[] => {
      const a = c.attrs[name];
      return a && 'ints' in a ? [...a.ints] : fallback;
    };
    const strides = ints('strides', kernel.map(() => 1));
    const dil = ints('dilations', kernel.map(() => 1));
    const pads = casePads(c, kernel, strides, dil);
    const y = [c.x[0], c.w[0], ...kernel.map((kk, a) => outSize(c.x[2 + a], kk, strides[a], dil[a], pads[a], pads[kernel.length + a]))];
    const weights: OrtTensor = { name: 'w', type: 1, dims: c.w, values: w };
    const node: OrtNode = op === 'Conv'
      ? { op, inputs: ['x', 'w'], outputs: ['y'], attrs: { ...c.attrs, kernel_shape: { ints: kernel } } }
      : { op, inputs: ['x'], outputs: ['y'], attrs: c.attrs };
    const forward: OrtGraph = {
      opset: 17,
      nodes: [node],
      initializers: op === 'Conv' ? new Map([['w', weights]]) : new Map(),
      inputs: [{ name: 'x', type: 1, dims: c.x }],
      outputs: [{ name: 'y', type: 1 }],
    };
    const graph = backwardGraph(forward, 'x', new Map([['x', c.x], ['y', y]]));
    const ops = graph.nodes.map((n) => n.op);
    const transposed = c.name.includes('(ConvTranspose)');
    assert.equal(ops.includes('ConvTranspose'), transposed, `${c.name}: ConvTranspose ${transposed ? 'expected' : 'not expected'} (${ops.join(' ')})`);
    if (!transposed && strides.some((s) => s > 1)) assert.ok(ops.includes('DepthToSpace'), `${c.name}: polyphase`);
    const x = Float32Array.from({ length: c.x.reduce((a, b) => a * b, 1) }, rnd);
    const seed = Float32Array.from({ length: y.reduce((a, b) => a * b, 1) }, rnd);
    const got = await run(graph, { x, [SEED]: seed }, { x: c.x, [SEED]: y });
    const want = referenceGradient(c, w, seed, y);
    assert.ok(relativeError(got, want) < 1e-5, `${c.name}: relative error ${relativeError(got, want)}`);
  }
});

test('batch norms fold into their Convs for the plain gradient (ONNX BatchNormalization, and the Mul/Add of a tfjs layer behind the NHWC Transpose)', async () => {
  const rnd = random(7);
  const floats = (n: number, lo = -1, hi = 1): Float32Array => Float32Array.from({ length: n }, () => lo + ((rnd() + 1) / 2) * (hi - lo));
  const t = (name: string, dims: number[], values: Float32Array): [string, OrtTensor] => [name, { name, type: 1, dims, values }];
  const init = new Map([
    t('w', [4, 3, 3, 3], floats(108)), t('b', [4], floats(4)),
    t('g', [4], floats(4)), t('beta', [4], floats(4)), t('mean', [4], floats(4)), t('var', [4], floats(4, 0.5, 2)),
    t('a', [4], floats(4)), t('c', [4], floats(4)), t('lo', [], Float32Array.of(0)), t('hi', [], Float32Array.of(0.8)),
  ]);
  const conv = (x: string, y: string): OrtNode => ({ op: 'Conv', inputs: [x, 'w', 'b'], outputs: [y], attrs: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } } });
  const graphs: Record<string, OrtGraph> = {
    onnx: {
      opset: 17,
      nodes: [conv('x', 'c1'), { op: 'BatchNormalization', inputs: ['c1', 'g', 'beta', 'mean', 'var'], outputs: ['bn'], attrs: { epsilon: { f: 1e-3 } } }, { op: 'Relu', inputs: ['bn'], outputs: ['r'] }, { op: 'Clip', inputs: ['r', 'lo', 'hi'], outputs: ['y'] }],
      initializers: init, inputs: [{ name: 'x', type: 1, dims: [2, 3, 6, 6] }], outputs: [{ name: 'y', type: 1 }],
    },
    layers: {
      opset: 17,
      nodes: [conv('x', 'c1'), { op: 'Transpose', inputs: ['c1'], outputs: ['t'], attrs: { perm: { ints: [0, 2, 3, 1] } } }, { op: 'Identity', inputs: ['t'], outputs: ['convLayer'] }, { op: 'Mul', inputs: ['convLayer', 'a'], outputs: ['m'] }, { op: 'Add', inputs: ['m', 'c'], outputs: ['bn'] }, { op: 'Relu', inputs: ['bn'], outputs: ['y'] }],
      initializers: init, inputs: [{ name: 'x', type: 1, dims: [2, 3, 6, 6] }], outputs: [{ name: 'y', type: 1 }],
    },
  };
  for (const [name, forward] of Object.entries(graphs)) {
    const nhwc = name === 'layers';
    const shapes = new Map<string, number[]>([['x', [2, 3, 6, 6]], ['c1', [2, 4, 6, 6]]]);
    for (const v of forward.nodes.slice(1).flatMap((n) => n.outputs)) shapes.set(v, nhwc ? [2, 6, 6, 4] : [2, 4, 6, 6]);
    const folded = backwardGraph(forward, 'x', shapes);
    // Part rules turn folding off (they rule on layers as they are): the same gradient through the unfolded graph.
    const unfolded = backwardGraph(forward, 'x', shapes, undefined, { segments: new Map(), reference: false });
    // Folded: no node reads the batch norm's scale any more (it is inside the Conv's kernel).
    const reads = (g: OrtGraph): boolean => g.nodes.some((n) => n.inputs.includes(nhwc ? 'a' : 'g'));
    assert.ok(!reads(folded), `${name}: folded (${folded.nodes.map((n) => n.op).join(' ')})`);
    assert.ok(reads(unfolded), `${name}: not folded under part rules`);
    const x = floats(2 * 3 * 36);
    const seed = floats(2 * 4 * 36);
    const dims = { x: [2, 3, 6, 6], [SEED]: shapes.get('y') as number[] };
    const a = await run(folded, { x, [SEED]: seed }, dims);
    const b = await run(unfolded, { x, [SEED]: seed }, dims);
    assert.ok(b.some((v) => v !== 0), `${name}: a gradient flows`);
    assert.ok(relativeError(a, b) < 1e-5, `${name}: relative error ${relativeError(a, b)}`);
  }
});

test('a MobileNet-like tfjs model (strided Conv, BN, ReLU6, strided depthwise, average pooling): saliency and IG through onnxruntime equal tfjs', async () => {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [15, 14, 3], filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tf.layers.batchNormalization({ epsilon: 1e-3, gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 2 }), betaInitializer: tf.initializers.randomUniform({ minval: -0.2, maxval: 0.4, seed: 3 }), movingMeanInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 4 }), movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 5 }) }));
  m.add(tf.layers.reLU({ maxValue: 6 }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', useBias: false, depthwiseInitializer: tf.initializers.glorotUniform({ seed: 6 }) }));
  m.add(tf.layers.batchNormalization({ epsilon: 1e-3, betaInitializer: tf.initializers.constant({ value: 0.1 }) }));
  m.add(tf.layers.activation({ activation: 'relu6' }));
  m.add(tf.layers.conv2d({ filters: 12, kernelSize: 1, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }));
  m.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'valid' }));
  m.add(tf.layers.globalAveragePooling2d({}));
  m.add(tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }));
  const viaTfjs = fromLayersModel(m);
  const viaOrt = fromLayersModel(m, { engine: 'onnxruntime' });
  const x = tf.randomUniform([3, 15, 14, 3], 0, 4, 'float32', 9);
  const a = await saliency(viaTfjs, x, { target: [0, 2, 4], mode: 'signed' });
  const b = await saliency(viaOrt, x, { target: [0, 2, 4], mode: 'signed' });
  const [av, bv] = [await a.values.data(), await b.values.data()];
  assert.ok(av.some((v) => v !== 0));
  assert.ok(relativeError(bv, av) < 1e-4, `saliency: relative error ${relativeError(bv, av)}`);
  const i1 = await integratedGradients(viaTfjs, x, { target: 'predicted', steps: 12, batchSize: 14 });
  const i2 = await integratedGradients(viaOrt, x, { target: 'predicted', steps: 12, batchSize: 14 });
  const [iv1, iv2] = [await i1.values.data(), await i2.values.data()];
  assert.ok(relativeError(iv2, iv1) < 1e-4, `IG: relative error ${relativeError(iv2, iv1)}`);
  assert.ok((viaOrt.executor as OrtExecutor).stats.backwardRuns >= 2, 'onnxruntime ran the backward passes');
  tf.dispose([x, a.values, b.values, i1.values, i2.values]);
  viaOrt.dispose?.();
  m.dispose();
});
