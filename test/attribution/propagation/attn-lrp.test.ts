import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { attnLrp } from '../../../src/attribution/propagation/attn-lrp/attn-lrp.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { fromGraph } from '../../../src/models/from-graph.js';
import { GRAPH_INPUT } from '../../../src/models/graph.js';
import type { GraphNode } from '../../../src/models/graph-types.js';
import { loadFixture } from '../../../src/models/fixture.js';
import { loadOnnx } from '../../../src/models/onnx/load-onnx.js';
import { repoPath } from '../../helpers.js';

const node = (name: string, kind: string, inputs: string[], outputShape: number[], apply: (x: tf.Tensor[]) => tf.Tensor): GraphNode => ({ name, kind, inputs, outputShape, apply });
const x = (): tf.Tensor => tf.tensor2d([[0.5, -1.2, 2.0, 0.3], [1.5, 0.2, -0.7, -2.1]]);
const w = [0.7, -0.4, 1.1, 0.25];
const readout = (name: string, input: string): GraphNode => node(name, 'Dense', [input], [1], ([v]) => tf.sum(tf.mul(v, w), -1, true));

test('softmax rule: R_i = x_i (R_i − s_i Σ_j R_j) for f = Σ w ⊙ softmax(x); with attention constant nothing reaches x', async () => {
  await useBackend();
  const model = fromGraph({ nodes: [node('sm', 'Softmax', [GRAPH_INPUT], [4], ([v]) => tf.softmax(v)), readout('out', 'sm')], output: 'out' }, { inputShape: [4], outputShape: [1] });
  const input = x();
  const r = await attnLrp(model, input, { target: 0 });
  const got = (await r.values.array()) as number[][];
  const xs = (await input.array()) as number[][];
  xs.forEach((row, n) => {
    const e = row.map(Math.exp);
    const s = e.map((v) => v / e.reduce((a, b) => a + b, 0));
    const R = s.map((v, k) => w[k]! * v);
    const total = R.reduce((a, b) => a + b, 0);
    row.forEach((xi, i) => assert.ok(Math.abs(got[n]![i]! - xi * (R[i]! - s[i]! * total)) < 1e-5, `row ${n}, i ${i}`));
  });
  const cp = await attnLrp(model, input, { target: 0, attention: 'constant' });
  assert.ok(((await cp.values.abs().max().data())[0] ?? 1) === 0);
  [r, cp].forEach((a) => a.dispose());
  input.dispose();
});

test('uniform rule: each factor of a product of two runtime matrices gets half of f = Σ A·B (AttnLRP); CP-LRP leaves the gradient', async () => {
  await useBackend();
  const nodes = [
    node('a', 'Reshape', [GRAPH_INPUT], [2, 2], ([v]) => v.slice([0, 0], [-1, 4]).reshape([-1, 2, 2])),
    node('b', 'Reshape', [GRAPH_INPUT], [2, 2], ([v]) => v.slice([0, 4], [-1, 4]).reshape([-1, 2, 2])),
    node('ab', 'MatMul', ['a', 'b'], [2, 2], ([p, q]) => tf.matMul(p, q)),
    node('out', 'Sum', ['ab'], [1], ([v]) => tf.sum(v, [1, 2]).reshape([-1, 1])),
  ];
  const model = fromGraph({ nodes, output: 'out' }, { inputShape: [8], outputShape: [1] });
  const input = tf.tensor2d([[1, 2, -1, 0.5, 0.3, -2, 1.5, 1], [0.2, -0.4, 2, 1, -1, 0.7, 0.1, 3]]);
  const f = (await (await model.predict(input)).array()) as number[][];
  const r = (await (await attnLrp(model, input, { target: 0 })).values.array()) as number[][];
  const plain = (await (await attnLrp(model, input, { target: 0, attention: 'constant' })).values.array()) as number[][];
  for (let n = 0; n < 2; n++) {
    const sa = r[n]!.slice(0, 4).reduce((s, v) => s + v, 0);
    const sb = r[n]!.slice(4).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(sa - f[n]![0]! / 2) < 1e-5 && Math.abs(sb - f[n]![0]! / 2) < 1e-5, `row ${n}: ${sa}, ${sb} vs ${f[n]![0]! / 2}`);
    assert.ok(Math.abs(plain[n]!.reduce((s, v) => s + v, 0) - 2 * f[n]![0]!) < 1e-5, 'gradient × input counts a bilinear output twice');
  }
  input.dispose();
});

test('identity rules: through a decomposed GELU R_in = R_out = w ⊙ gelu(x); through a decomposed LayerNorm Σ R = f − Σ β ⊙ w', async () => {
  await useBackend();
  const gelu = fromGraph({ nodes: [
    node('div', 'Div', [GRAPH_INPUT], [4], ([v]) => tf.mul(v, Math.SQRT1_2)),
    node('erf', 'Erf', ['div'], [4], ([v]) => tf.erf(v)),
    node('gate', 'Add', ['erf'], [4], ([v]) => tf.mul(tf.add(v, 1), 0.5)),
    node('mul', 'Mul', [GRAPH_INPUT, 'gate'], [4], ([v, g]) => tf.mul(v, g)),
    readout('out', 'mul'),
  ], output: 'out' }, { inputShape: [4], outputShape: [1] });
  const input = x();
  const r = (await (await attnLrp(gelu, input, { target: 0 })).values.array()) as number[][];
  const g = (await tf.tidy(() => tf.mul(tf.mul(tf.mul(input, 0.5), tf.add(tf.erf(tf.mul(input, Math.SQRT1_2)), 1)), w)).array()) as number[][];
  r.forEach((row, n) => row.forEach((v, i) => assert.ok(Math.abs(v - g[n]![i]!) < 1e-6)));
  const gamma = [1.2, 0.8, -0.5, 1];
  const beta = [0.1, -0.3, 0.2, 0.05];
  const ln = fromGraph({ nodes: [
    node('mean', 'ReduceMean', [GRAPH_INPUT], [1], ([v]) => tf.mean(v, -1, true)),
    node('sub', 'Sub', [GRAPH_INPUT, 'mean'], [4], ([v, m]) => tf.sub(v, m)),
    node('var', 'ReduceMean', ['sub'], [1], ([v]) => tf.mean(tf.square(v), -1, true)),
    node('sqrt', 'Sqrt', ['var'], [1], ([v]) => tf.sqrt(tf.add(v, 1e-5))),
    node('norm', 'Div', ['sub', 'sqrt'], [4], ([v, s]) => tf.div(v, s)),
    node('affine', 'Add', ['norm'], [4], ([v]) => tf.add(tf.mul(v, gamma), beta)),
    readout('out', 'affine'),
  ], output: 'out' }, { inputShape: [4], outputShape: [1] });
  const f = (await (await ln.predict(input)).array()) as number[][];
  const rl = (await (await attnLrp(ln, input, { target: 0 })).values.array()) as number[][];
  const betaShare = beta.reduce((s, b, i) => s + b * w[i]!, 0);
  rl.forEach((row, n) => assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - (f[n]![0]! - betaShare)) < 1e-5, `row ${n}`));
  input.dispose();
});

test('on the attention_tiny transformer (ONNX, opset 14): CP-LRP conserves exactly, Σ R = f(x) − f̃(0); AttnLRP runs batched, 0 at PAD', async () => {
  await useBackend();
  const fixture = loadFixture(repoPath('test', 'fixtures', 'wave2', 'attention_tiny.json'));
  const onnx = await loadOnnx(repoPath('test', 'fixtures', 'wave2', 'attention_tiny.onnx'), { inputLayout: 'nhwc' });
  try {
    const layer = onnx.layers.find((l) => l.kind === 'Gather' && /tok_emb/.test(l.name))!.name;
    const ids = fixture.inputs;
    const target = fixture.targets as number[];
    const cp = await attnLrp(onnx, ids, { layer, attention: 'constant', target });
    const sums = (await tf.tidy(() => tf.sum(cp.values, [1, 2])).array()) as number[];
    // f̃(0): the token embedding at 0 with attention, LayerNorm σ and GELU gates held at their values at x.
    const held = onnx.layers.filter((l) => ['Softmax', 'Sqrt', 'Erf'].includes(l.kind)).map((l) => l.name);
    const { f, f0 } = tf.tidy(() => {
      const { output, captured } = onnx.run(ids, { capture: [...held, layer] });
      const out0 = onnx.run(ids, { replace: { ...Object.fromEntries(held.map((h) => [h, captured[h]!])), [layer]: tf.zerosLike(captured[layer]!) } }).output;
      return { f: output.arraySync() as number[][], f0: out0.arraySync() as number[][] };
    });
    sums.forEach((s, n) => {
      const gap = f[n]![target[n]!]! - f0[n]![target[n]!]!;
      assert.ok(Math.abs(s - gap) < 1e-4 * Math.max(1, Math.abs(gap)), `row ${n}: Σ R ${s} vs f(x) − f̃(0) ${gap}`);
    });
    const a = await attnLrp(onnx, ids, { layer });
    const b = await attnLrp(onnx, ids, { layer, batchSize: 1 });
    assert.equal(b.meta.modelCalls, 8);
    assert.ok((await tf.tidy(() => tf.max(tf.abs(tf.sub(a.values, b.values)))).data())[0]! < 1e-6);
    const tokens = (await tf.tidy(() => tf.sum(a.values, -1)).array()) as number[][];
    const lengths = [6, 4, 5, 3];
    tokens.forEach((row, n) => { for (let t = lengths[n]!; t < 6; t++) assert.equal(row[t], 0); });
    [cp, a, b].forEach((r) => r.dispose());
    await assert.rejects(attnLrp(fixture.model, ids, { layer: 'tok_emb' }), (e: unknown) => e instanceof LumenError && /fused op/.test(e.message));
    await assert.rejects(attnLrp(onnx, ids, { layer, attention: 'both' as 'constant' }), LumenError);
  } finally {
    onnx.dispose();
    fixture.dispose();
  }
});
