import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { attentionFlow, attentionFlowValues } from '../../../src/attribution/attention/attention-flow.js';
import { attentionRollout, attentionRolloutMatrices } from '../../../src/attribution/attention/attention-rollout.js';
import { FlowNetwork } from '../../../src/attribution/attention/max-flow.js';
import { LumenError } from '../../../src/core/errors.js';
import { Rng } from '../../../src/core/random.js';
import { useBackend } from '../../../src/engine/backend.js';
import { loadFixture } from '../../../src/models/fixture.js';
import { loadOnnx } from '../../../src/models/onnx/load-onnx.js';
import { repoPath } from '../../helpers.js';
import { maxAbsDiff } from '../../toy-models.js';
import { toyAttentionModel } from './attention-models.js';

/** An independent reference: Ford–Fulkerson with BFS paths (Edmonds–Karp) on a dense capacity matrix. */
function denseMaxFlow(cap: number[][], s: number, t: number): number {
  const n = cap.length;
  const r = cap.map((row) => [...row]);
  let flow = 0;
  for (;;) {
    const prev = new Array<number>(n).fill(-1);
    prev[s] = s;
    const queue = [s];
    while (queue.length && prev[t] === -1) {
      const u = queue.shift()!;
      for (let v = 0; v < n; v++) if (prev[v] === -1 && r[u]![v]! > 1e-12) { prev[v] = u; queue.push(v); }
    }
    if (prev[t] === -1) return flow;
    let push = Infinity;
    for (let v = t; v !== s; v = prev[v]!) push = Math.min(push, r[prev[v]!]![v]!);
    for (let v = t; v !== s; v = prev[v]!) { r[prev[v]!]![v]! -= push; r[v]![prev[v]!]! += push; }
    flow += push;
  }
}

/** A random row-stochastic [T, T] matrix (seeded), with the residual mix (A + I)/2. */
function mixedMap(rng: Rng, t: number): Float64Array {
  const m = new Float64Array(t * t);
  for (let q = 0; q < t; q++) {
    const row = Array.from({ length: t }, () => rng.uniform() ** 2);
    const s = row.reduce((a, b) => a + b, 0);
    row.forEach((v, k) => { m[q * t + k] = 0.5 * v / s + (q === k ? 0.5 : 0); });
  }
  return m;
}

test('max-flow (Dinic) on textbook networks: CLRS 26.1 = 23, the reverse-edge case = 2, repeat queries agree', () => {
  const net = new FlowNetwork(6);
  for (const [u, v, c] of [[0, 1, 16], [0, 2, 13], [2, 1, 4], [1, 3, 12], [3, 2, 9], [2, 4, 14], [4, 3, 7], [3, 5, 20], [4, 5, 4]] as const) net.addEdge(u, v, c);
  assert.equal(net.maxFlow(0, 5), 23);
  assert.equal(net.maxFlow(0, 5), 23, 'the network keeps its capacities');
  assert.equal(net.maxFlow(0, 3), 19, 'into v3: 12 from v1 + 7 from v4');
  const diamond = new FlowNetwork(4);
  for (const [u, v] of [[0, 1], [0, 2], [1, 2], [1, 3], [2, 3]] as const) diamond.addEdge(u, v, 1);
  assert.equal(diamond.maxFlow(0, 3), 2);
  const fractional = new FlowNetwork(3);
  fractional.addEdge(0, 1, 0.3);
  fractional.addEdge(1, 2, 0.25);
  fractional.addEdge(0, 2, 0.125);
  assert.ok(Math.abs(fractional.maxFlow(0, 2) - 0.375) < 1e-15);
  assert.throws(() => net.maxFlow(1, 1), LumenError);
  assert.throws(() => net.addEdge(0, 9, 1), LumenError);
  assert.throws(() => net.addEdge(0, 1, -1), LumenError);
});

test('attention flow in closed form: one block gives the attention row; two blocks give Σ_k min(Â₂[q,k], Â₁[k,j])', () => {
  const rng = new Rng(11);
  const t = 5;
  const a1 = mixedMap(rng, t);
  const a2 = mixedMap(rng, t);
  const one = attentionFlowValues([a1], t, [0, 3]);
  for (let j = 0; j < t; j++) {
    assert.ok(Math.abs(one[j]! - a1[j]!) < 1e-12);
    assert.ok(Math.abs(one[t + j]! - a1[3 * t + j]!) < 1e-12);
  }
  const two = attentionFlowValues([a1, a2], t, [0, 2]);
  [0, 2].forEach((q, r) => {
    for (let j = 0; j < t; j++) {
      let expected = 0;
      for (let k = 0; k < t; k++) expected += Math.min(a2[q * t + k]!, a1[k * t + j]!);
      assert.ok(Math.abs(two[r * t + j]! - expected) < 1e-12, `q ${q}, j ${j}: ${two[r * t + j]} vs ${expected}`);
    }
  });
});

test('three blocks: Dinic equals an independent dense Edmonds–Karp, and rollout ≤ flow ≤ min(1, the input cut)', () => {
  const rng = new Rng(5);
  const t = 4;
  const maps = [mixedMap(rng, t), mixedMap(rng, t), mixedMap(rng, t)];
  const flows = attentionFlowValues(maps, t, [0, 1, 2, 3]);
  const n = 4 * t;
  const cap = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  maps.forEach((m, l) => { for (let k = 0; k < t; k++) for (let j = 0; j < t; j++) cap[(l + 1) * t + k]![l * t + j] = m[k * t + j]!; });
  // rollout = Â3 Â2 Â1 (one feasible flow: a random walk's mass stays below every capacity).
  const mul = (a: Float64Array, b: Float64Array): Float64Array => {
    const c = new Float64Array(t * t);
    for (let i = 0; i < t; i++) for (let k = 0; k < t; k++) for (let j = 0; j < t; j++) c[i * t + j] += a[i * t + k]! * b[k * t + j]!;
    return c;
  };
  const rollout = mul(maps[2]!, mul(maps[1]!, maps[0]!));
  for (let q = 0; q < t; q++) {
    for (let j = 0; j < t; j++) {
      const f = flows[q * t + j]!;
      assert.ok(Math.abs(f - denseMaxFlow(cap, 3 * t + q, j)) < 1e-12, `q ${q} j ${j}`);
      assert.ok(f >= rollout[q * t + j]! - 1e-12, `flow ${f} ≥ rollout ${rollout[q * t + j]}`);
      let inCut = 0;
      for (let k = 0; k < t; k++) inCut += maps[0]![k * t + j]!;
      assert.ok(f <= Math.min(1, inCut) + 1e-12);
    }
  }
});

test('attentionFlow on a two-block model: the closed form, normalised per output node; raw values ≥ rollout; batching changes nothing', async () => {
  await useBackend();
  const { model, x } = toyAttentionModel(3);
  try {
    const before = tf.memory().numTensors;
    const flow = await attentionFlow(model, x, { normalize: false });
    assert.equal(tf.memory().numTensors, before + 1, 'only the values are left');
    assert.deepEqual(flow.meta.layers, ['attn0', 'attn1']);
    assert.equal(flow.target, null);
    const { captured } = model.run(x, { capture: ['attn0', 'attn1'] });
    const mixed = await Promise.all(['attn0', 'attn1'].map((name) => tf.tidy(() => tf.add(tf.mul(tf.mean(captured[name]!, 1), 0.5), tf.mul(tf.eye(4), 0.5))).array() as Promise<number[][][]>));
    tf.dispose(Object.values(captured));
    const raw = (await flow.values.array()) as number[][];
    for (let e = 0; e < 2; e++) {
      for (let j = 0; j < 4; j++) {
        let expected = 0;
        for (let k = 0; k < 4; k++) expected += Math.min(mixed[1]![e]![0]![k]!, mixed[0]![e]![k]![j]!);
        assert.ok(Math.abs(raw[e]![j]! - expected) < 1e-6, `example ${e} token ${j}`);
      }
    }
    const rollout = await attentionRollout(model, x);
    const r = (await rollout.values.array()) as number[][];
    raw.forEach((row, e) => row.forEach((v, j) => assert.ok(v >= r[e]![j]! - 1e-6)));
    const normalised = await attentionFlow(model, x);
    const norm = (await normalised.values.array()) as number[][];
    norm.forEach((row, e) => {
      const s = raw[e]!.reduce((a, b) => a + b, 0);
      row.forEach((v, j) => assert.ok(Math.abs(v - raw[e]![j]! / s) < 1e-6));
    });
    const single = await attentionFlow(model, x, { batchSize: 1 });
    assert.equal(single.meta.modelCalls, 2);
    assert.equal(normalised.meta.modelCalls, 1);
    assert.ok((await maxAbsDiff(single.values, normalised.values)) < 1e-7);
    const mean = await attentionFlow(model, x, { pool: 'mean' });
    assert.deepEqual(mean.values.shape, [2, 4]);
    [flow, rollout, normalised, single, mean].forEach((a) => a.dispose());
  } finally {
    x.dispose();
    model.dispose?.();
  }
});

test('on the attention_tiny transformer (one block) flow equals rollout, from the JSON weights and from the ONNX export', async () => {
  await useBackend();
  const fixture = loadFixture(repoPath('test', 'fixtures', 'wave2', 'attention_tiny.json'));
  const onnx = await loadOnnx(repoPath('test', 'fixtures', 'wave2', 'attention_tiny.onnx'), { inputLayout: 'nhwc' });
  try {
    const { rollout } = await attentionRolloutMatrices(fixture.model, fixture.inputs);
    const pooled = tf.tidy(() => rollout.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]));
    const a = await attentionFlow(fixture.model, fixture.inputs, { batchSize: 3 });
    const b = await attentionFlow(onnx, fixture.inputs);
    assert.equal(a.meta.modelCalls, 2, '4 rows in batches of 3');
    assert.deepEqual(b.meta.layers, ['/blocks.0/Softmax']);
    assert.ok((await maxAbsDiff(a.values, pooled)) < 1e-6);
    assert.ok((await maxAbsDiff(b.values, pooled)) < 1e-5);
    tf.dispose([rollout, pooled]);
    a.dispose();
    b.dispose();
  } finally {
    onnx.dispose();
    fixture.dispose();
  }
});

test('attentionFlow refuses bad options and models without attention with LumenErrors', async () => {
  await useBackend();
  const { model, x } = toyAttentionModel(4);
  const mlp = loadFixture(repoPath('test', 'fixtures', 'mlp.json'));
  try {
    await assert.rejects(attentionFlow(model, x, { pool: 7 }), (e: unknown) => e instanceof LumenError && /pool/.test(e.message));
    await assert.rejects(attentionFlow(model, x, { headFusion: 'median' as 'mean' }), LumenError);
    await assert.rejects(attentionFlow(model, x, { normalize: 'yes' as unknown as boolean }), LumenError);
    await assert.rejects(attentionFlow(mlp.model, mlp.inputs), (e: unknown) => e instanceof LumenError && /no attention layer/.test(e.message));
  } finally {
    x.dispose();
    model.dispose?.();
    mlp.dispose();
  }
});
