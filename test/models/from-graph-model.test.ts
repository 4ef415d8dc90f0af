import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { integratedGradients } from '../../src/attribution/gradient/integrated-gradients.js';
import { saliency } from '../../src/attribution/gradient/saliency.js';
import { LumenError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { useBackend } from '../../src/engine/backend.js';
import { fromGraphModel } from '../../src/models/from-graph-model.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { layerConductance } from '../../src/attribution/layer/layer-conductance.js';
import { gradCam } from '../../src/attribution/cam/grad-cam.js';
import { gradCamPlusPlus } from '../../src/attribution/cam/grad-cam-plus-plus.js';
import { layerCam } from '../../src/attribution/cam/layer-cam.js';
import { guidedGradCam } from '../../src/attribution/cam/guided-grad-cam.js';
import { guidedBackprop } from '../../src/attribution/propagation/guided-backprop.js';
import { lrp } from '../../src/attribution/propagation/lrp/lrp.js';

const reluGradient = tf.getGradient('Relu')?.gradFunc;

// A converted TF graph as tensorflowjs_converter writes it (GraphDef JSON, string attributes in
// base64, the converter's fused conv + bias + ReLU), and the same network as a tf.LayersModel.
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const ints = (...v: number[]): { list: { i: string[] } } => ({ list: { i: v.map(String) } });
const float = { T: { type: 'DT_FLOAT' } };

function graphArtifacts(weights: Record<string, Float32Array>): tf.io.ModelArtifacts {
  const topology = {
    node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '6' }, { size: '6' }, { size: '2' }] } } } },
      ...['conv/kernel', 'conv/bias', 'fc/kernel', 'fc/bias', 'flat/shape'].map((name) => ({ name, op: 'Const', attr: { dtype: { type: name === 'flat/shape' ? 'DT_INT32' : 'DT_FLOAT' }, value: { tensor: {} } } })),
      { name: 'conv', op: '_FusedConv2D', input: ['x', 'conv/kernel', 'conv/bias'], attr: {
        ...float, strides: ints(1, 1, 1, 1), padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') }, dilations: ints(1, 1, 1, 1),
        fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } }, num_args: { i: '1' }, epsilon: { f: 0 },
      } },
      { name: 'pool', op: 'MaxPool', input: ['conv'], attr: { ...float, ksize: ints(1, 2, 2, 1), strides: ints(1, 2, 2, 1), padding: { s: b64('VALID') }, data_format: { s: b64('NHWC') } } },
      { name: 'flat', op: 'Reshape', input: ['pool', 'flat/shape'], attr: { ...float, Tshape: { type: 'DT_INT32' } } },
      { name: 'fc/MatMul', op: 'MatMul', input: ['flat', 'fc/kernel'], attr: { ...float, transpose_a: { b: false }, transpose_b: { b: false } } },
      { name: 'logits', op: 'BiasAdd', input: ['fc/MatMul', 'fc/bias'], attr: { ...float, data_format: { s: b64('NHWC') } } },
    ],
    versions: { producer: 1 },
  };
  const specs: tf.io.WeightsManifestEntry[] = [
    { name: 'conv/kernel', shape: [3, 3, 2, 4], dtype: 'float32' },
    { name: 'conv/bias', shape: [4], dtype: 'float32' },
    { name: 'fc/kernel', shape: [36, 3], dtype: 'float32' },
    { name: 'fc/bias', shape: [3], dtype: 'float32' },
    { name: 'flat/shape', shape: [2], dtype: 'int32' },
  ];
  const parts = [weights.convK, weights.convB, weights.fcK, weights.fcB].map((a) => new Uint8Array(a.buffer));
  const shape = new Uint8Array(Int32Array.from([-1, 36]).buffer);
  const data = new Uint8Array([...parts, shape].reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of [...parts, shape]) {
    data.set(p, offset);
    offset += p.length;
  }
  return { modelTopology: topology, weightSpecs: specs, weightData: data.buffer, format: 'graph-model' };
}

function layersTwin(weights: Record<string, Float32Array>): tf.LayersModel {
  const m = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }),
    tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
    tf.layers.flatten({ name: 'flat' }),
    tf.layers.dense({ units: 3, name: 'fc' }),
  ] });
  m.setWeights([tf.tensor(weights.convK, [3, 3, 2, 4]), tf.tensor(weights.convB), tf.tensor(weights.fcK, [36, 3]), tf.tensor(weights.fcB)]);
  return m;
}

async function setUp(): Promise<{ graph: tf.GraphModel; twin: tf.LayersModel; x: tf.Tensor }> {
  const rng = new Rng(17);
  const weights = { convK: rng.normals(72, 0, 0.5), convB: rng.normals(4, 0.1, 0.1), fcK: rng.normals(108, 0, 0.3), fcB: rng.normals(3, 0, 0.1) };
  return { graph: await tf.loadGraphModel(tf.io.fromMemory(graphArtifacts(weights))), twin: layersTwin(weights), x: tf.tensor(rng.normals(3 * 72), [3, 6, 6, 2]) };
}

async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

test("fromGraphModel(converted graph): predictions and saliency are the equivalent Layers model's", async () => {
  await useBackend();
  const { graph, twin, x } = await setUp();
  const model = fromGraphModel(graph, { name: 'converted' });
  const reference = fromLayersModel(twin);
  assert.equal(model.differentiable, true);
  assert.deepEqual(model.inputShape, [6, 6, 2]);
  assert.deepEqual(model.outputShape, [3]);
  assert.deepEqual(model.layers.map((l) => [l.name, l.kind, l.outputShape]), [
    ['conv', '_FusedConv2D', [6, 6, 4]], ['pool', 'MaxPool', [3, 3, 4]], ['flat', 'Reshape', [36]], ['fc/MatMul', 'MatMul', [3]], ['logits', 'BiasAdd', [3]],
  ]);
  const [a, b] = [await model.predict(x), await reference.predict(x)];
  assert.ok((await maxAbsDiff(a, b)) < 1e-5);
  const before = tf.memory().numTensors;
  const s = await saliency(model, x, { target: [0, 1, 2], mode: 'signed' });
  const r = await saliency(reference, x, { target: [0, 1, 2], mode: 'signed' });
  assert.ok(tf.tidy(() => tf.max(tf.abs(r.values)).dataSync()[0]) > 0.01, 'a non-trivial gradient');
  assert.ok((await maxAbsDiff(s.values, r.values)) < 1e-5, 'gradients flow through the graph model as through the Layers model');
  s.dispose();
  r.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  tf.dispose([a, b, x]);
  graph.dispose();
  twin.dispose();
});

test('fromGraphModel: integrated gradients are complete (sum = f(x) − f(0)) and nodes can be captured', async () => {
  await useBackend();
  const { graph, twin, x } = await setUp();
  const model = fromGraphModel(graph);
  const ig = await integratedGradients(model, x, { target: 1, steps: 64, rule: 'gauss-legendre' });
  const sums = await tf.tidy(() => tf.sum(ig.values, [1, 2, 3])).data();
  const fx = await tf.tidy(() => tf.sub(model.run(x).output, model.run(tf.zerosLike(x)).output).slice([0, 1], [-1, 1]).reshape([-1])).data();
  sums.forEach((v, i) => assert.ok(Math.abs(v - fx[i]) < 2e-2 * Math.max(1, Math.abs(fx[i])), `example ${i}: ${v} vs ${fx[i]}`));
  const pooled = tf.tidy(() => model.run(x, { capture: ['pool'] }).captured.pool.clone());
  const twinPooled = tf.tidy(() => (tf.model({ inputs: twin.inputs, outputs: twin.getLayer('pool').output as tf.SymbolicTensor }).predict(x) as tf.Tensor).clone());
  assert.deepEqual(pooled.shape, [3, 3, 3, 4]);
  assert.ok((await maxAbsDiff(pooled, twinPooled)) < 1e-5);
  tf.dispose([pooled, twinPooled, x]);
  ig.dispose();
  graph.dispose();
  twin.dispose();
});

test('fromGraphModel: unknown layers and unknown input sizes are LumenErrors', async () => {
  await useBackend();
  const { graph, twin, x } = await setUp();
  const model = fromGraphModel(graph);
  assert.throws(() => model.run(x, { capture: ['nope'] }), (e: unknown) => e instanceof LumenError && /unknown layer 'nope'/.test(e.message));
  assert.throws(() => model.run(x, { replace: { nope: tf.zeros([3, 3, 3, 4]) } }), (e: unknown) => e instanceof LumenError && /replace unknown layer 'nope'/.test(e.message));
  assert.throws(() => fromGraphModel(graph, { inputShape: [6, -1, 2] }), LumenError);
  assert.throws(() => fromGraphModel(graph, { output: 'nope' }), (e: unknown) => e instanceof LumenError && /no output 'nope'; the model's outputs are logits/.test(e.message));
  assert.throws(() => fromGraphModel(graph, { outputKind: 'probs' as never }), (e: unknown) => e instanceof LumenError && /outputKind must be/.test(e.message));
  tf.dispose(x);
  graph.dispose();
  twin.dispose();
});

test('fromGraphModel: replacing a node is exact and differentiable; layer and CAM methods and guided backprop equal the Layers twin', async () => {
  await useBackend();
  const { graph, twin, x } = await setUp();
  const model = fromGraphModel(graph);
  const reference = fromLayersModel(twin);
  assert.equal(model.outputKind, 'logits');
  assert.deepEqual(model.outputs, ['logits']);
  const value = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 3);
  const [a, b] = tf.tidy(() => [model.run(x, { replace: { pool: value } }).output, reference.run(x, { replace: { pool: value } }).output]);
  assert.ok((await maxAbsDiff(a, b)) < 1e-5, 'the replaced value flows on');
  const before = tf.memory().numTensors;
  const calls: [string, (m: typeof model) => Promise<{ values: tf.Tensor; dispose(): void }>][] = [
    ['layer saliency', (m) => saliency(m, x, { target: 1, layer: 'pool', mode: 'signed' })],
    ['layer IG', (m) => integratedGradients(m, x, { target: 2, layer: 'pool', steps: 16 })],
    ['layer conductance', (m) => layerConductance(m, x, { target: 0, layer: 'pool', steps: 16 })],
    ['grad-cam', (m) => gradCam(m, x, { target: 1, layer: 'conv' })],
    ['grad-cam++', (m) => gradCamPlusPlus(m, x, { target: 1, layer: 'conv' })],
    ['layer-cam', (m) => layerCam(m, x, { target: 2, layer: 'conv' })],
    ['guided backprop', (m) => guidedBackprop(m, x, { target: 0 })],
    ['guided grad-cam', (m) => guidedGradCam(m, x, { target: 0, layer: 'conv' })],
  ];
  for (const [what, call] of calls) {
    const [g, r] = [await call(model), await call(reference)];
    assert.deepEqual(g.values.shape, r.values.shape, what);
    assert.ok(tf.tidy(() => tf.max(tf.abs(r.values)).dataSync()[0]) > 1e-3, `${what}: non-trivial`);
    assert.ok((await maxAbsDiff(g.values, r.values)) < 1e-4, `${what}: graph model = Layers model`);
    g.dispose();
    r.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'no tensors leak');
  await assert.rejects(lrp(model, x, { target: 0 }), (e: unknown) => e instanceof LumenError && /tfjs graph model/.test(e.message) && /guided backprop and deconvnet work/.test(e.message));
  assert.equal(tf.getGradient('Relu')?.gradFunc, reluGradient, "tfjs' Relu gradient is restored after a refused run");
  tf.dispose([a, b, value, x]);
  graph.dispose();
  twin.dispose();
});
