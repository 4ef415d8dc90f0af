/**
 * Every example-based method on models Lumen did not make: the PyTorch ONNX export test/fixtures/mlp.onnx
 * (all eight registry members) and the npm nsfwjs MobileNetV2 (nearest neighbours, TracIn and
 * TracInCPFast on its last dense layer), each checked against a closed form computed here from the
 * model's own captured activations and outputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { snapshotCheckpoint, disposeCheckpoint } from '../../src/core/checkpoint.js';
import { datasetFromTensors } from '../../src/core/dataset.js';
import type { ExamplesExplanation } from '../../src/core/explanation.js';
import type { GlobalMethodInfo } from '../../src/core/method-info.js';
import type { Model } from '../../src/core/model.js';
import { Rng } from '../../src/core/random.js';
import { arnoldiInfluence } from '../../src/examples/arnoldi-influence.js';
import { influenceFunction, influenceSelfInfluence } from '../../src/examples/influence-function.js';
import { tracInCP } from '../../src/examples/tracin-cp.js';
import { tracInCPFast } from '../../src/examples/tracin-cp-fast.js';
import { methodById } from '../../src/methods.js';
import { loadModelFile } from '../../src/models/load-model-file.js';
import { loadOnnx } from '../../src/models/onnx/load-onnx.js';
import { repoPath } from '../helpers.js';

const method = (id: string): GlobalMethodInfo => methodById(id) as GlobalMethodInfo;

/** Rows of a [N, D] float array. */
function rows(values: Float32Array | Float64Array, n: number): Float64Array[] {
  const d = values.length / n;
  return Array.from({ length: n }, (_, i) => Float64Array.from(values.subarray(i * d, (i + 1) * d)));
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** The last dense layer's input a and the loss gradient at its pre-activation d = p − onehot(y), per row. */
async function lastLayer(model: Model, x: tf.Tensor, y: readonly number[], inputLayer: string, outputLayer: string): Promise<{ a: Float64Array[]; d: Float64Array[] }> {
  const r = model.run(x, { capture: [inputLayer, outputLayer] });
  const a = rows(await r.captured[inputLayer].data() as Float32Array, y.length);
  const out = r.captured[outputLayer];
  const p = tf.tidy(() => (model.outputKind === 'logits' ? tf.softmax(out) : out));
  const probs = rows(await p.data() as Float32Array, y.length);
  tf.dispose([r.output, ...Object.values(r.captured), p]);
  return { a, d: probs.map((row, i) => row.map((v, c) => v - (c === y[i] ? 1 : 0))) };
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  const scale = Math.max(1e-12, ...Array.from(expected, Math.abs));
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) <= tol * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

test('PyTorch ONNX export (mlp.onnx): all eight example-based methods, each against a closed form or a second algorithm', async () => {
  const model = await loadOnnx(repoPath('test', 'fixtures', 'mlp.onnx'));
  const rng = new Rng(2026);
  const n = 40;
  const x = tf.tensor2d(rng.normals(n * 6), [n, 6]);
  const labels = Array.from({ length: n }, () => rng.int(3));
  const y = tf.tensor1d(labels, 'int32');
  const data = datasetFromTensors(x, y);
  const qIdx = [3, 17, 29];
  const qx = tf.gather(x, qIdx);
  const qLabels = qIdx.map((i) => labels[i]);
  const qy = tf.tensor1d(qLabels, 'int32');
  const test = { x: qx, y: qy };
  const fc3 = '/fc3/Gemm';
  try {
    const train = await lastLayer(model, x, labels, '/relu2/Relu', fc3);
    const query = await lastLayer(model, qx, qLabels, '/relu2/Relu', fc3);

    // Nearest neighbours (cosine) in relu2: the query itself first at 1, then the exact cosine order.
    const nn = await method('nearest-neighbours').run(model, data, { input: qx, layer: '/relu2/Relu', k: 4 }) as ExamplesExplanation;
    qIdx.forEach((qi, t) => {
      const cos = train.a.map((a) => dot(a, query.a[t]) / Math.max(1e-12, Math.sqrt(dot(a, a) * dot(query.a[t], query.a[t]))));
      const order = cos.map((_, i) => i).sort((i, j) => cos[j] - cos[i] || i - j).slice(0, 4);
      const got = nn.examples.filter((e) => e.query === t);
      assert.equal(got[0].index, qi);
      assert.deepEqual(got.map((e) => e.index), order);
      close(got.map((e) => e.score), order.map((i) => cos[i]), 1e-5, `cosine q${t}`);
    });

    // TracIn on fc3 (kernel and bias): (⟨a, a′⟩ + 1)⟨d, d′⟩; TracInCPFast omits the bias: ⟨a, a′⟩⟨d, d′⟩.
    const c = snapshotCheckpoint(model, 0.5);
    try {
      const full = await tracInCP(model, data, test, { checkpoints: [c], layers: [fc3], batchSize: 16 });
      const fast = await tracInCPFast(model, data, test, { checkpoints: [c], finalLayer: fc3, batchSize: 16 });
      const expectFull: number[] = [];
      const expectFast: number[] = [];
      for (let t = 0; t < 3; t++) {
        for (let j = 0; j < n; j++) {
          const dd = dot(query.d[t], train.d[j]);
          const aa = dot(query.a[t], train.a[j]);
          expectFull.push(0.5 * (aa + 1) * dd);
          expectFast.push(0.5 * aa * dd);
        }
      }
      close(full.scores, expectFull, 1e-5, 'tracin fc3');
      close(fast.scores, expectFast, 1e-5, 'tracin-fast');
      // The registry's proponents are the largest of those scores.
      const e = await method('tracin').run(model, data, { input: qx, labels: qLabels, layers: fc3, k: 3, checkpoints: [c] }) as ExamplesExplanation;
      const top = expectFull.slice(0, n).map((v, j) => [v, j]).sort((p, q) => q[0] - p[0]).slice(0, 3).map((p) => p[1]);
      assert.deepEqual(e.examples.filter((r) => r.query === 0 && r.role === 'proponent').map((r) => r.index), top);
    } finally {
      disposeCheckpoint(c);
    }

    // Influence on fc3 (39 parameters): exact and Arnoldi over the full Krylov space agree; train × train is symmetric; self-influence is its diagonal and positive.
    const sub = { x: tf.slice(x, 0, 8), y: tf.slice(y, 0, 8) };
    try {
      const opts = { layers: [fc3], hessianReg: 1e-3, hessianInverseTol: 1e-9, batchSize: 16 };
      const exact = await influenceFunction(model, data, sub, { ...opts, solver: 'exact' });
      const arnoldi = await arnoldiInfluence(model, data, sub, { ...opts, projectionDim: 39, arnoldiDim: 39, arnoldiTol: 1e-12, seed: 1 });
      close(arnoldi.scores, exact.scores, 1e-3, 'arnoldi vs exact');
      for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) assert.ok(Math.abs(exact.scores[i * n + j] - exact.scores[j * n + i]) <= 1e-4 * (1 + Math.abs(exact.scores[i * n + j])), `symmetry ${i},${j}`);
      const self = await influenceSelfInfluence(model, data, { ...opts, solver: 'exact' });
      for (let i = 0; i < 8; i++) {
        assert.ok(self[i] > 0);
        assert.ok(Math.abs(self[i] - exact.scores[i * n + i]) <= 1e-4 * self[i]);
      }
      const cg = await method('influence-function').run(model, data, { input: qx, labels: qLabels, layers: fc3, solver: 'cg', hessianReg: 1e-3, k: 2 }) as ExamplesExplanation;
      assert.equal(cg.examples.length, 3 * 4);
    } finally {
      tf.dispose([sub.x, sub.y]);
    }

    // MMD-critic and ProtoDash in relu2: the first greedy pick has a closed form.
    const gamma = 0.05;
    const rbf = (a: Float64Array, b: Float64Array): number => Math.exp(-gamma * a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));
    const colMean = train.a.map((aj) => train.a.reduce((s, ai) => s + rbf(ai, aj), 0) / n);
    const mmd = await method('mmd-critic').run(model, data, { layer: '/relu2/Relu', prototypes: 3, criticisms: 2, gamma }) as ExamplesExplanation;
    const firstMmd = colMean.map((m) => 2 * m - 1);
    const best = firstMmd.indexOf(Math.max(...firstMmd));
    assert.equal(mmd.examples[0].index, best);
    assert.ok(Math.abs(mmd.examples[0].score - firstMmd[best]) < 1e-6);
    assert.deepEqual(mmd.examples.map((r) => r.role), ['prototype', 'prototype', 'prototype', 'criticism', 'criticism']);
    const sigma = Math.sqrt(1 / (2 * gamma));
    const pd = await method('protodash').run(model, data, { layer: '/relu2/Relu', prototypes: 4, sigma }) as ExamplesExplanation;
    assert.equal(pd.examples[0].index, best, 'ProtoDash starts at the largest mean kernel value (the same kernel)');
    assert.ok(pd.examples.every((r) => r.score >= 0));

    // Representer points: every training row scored, excitatory and inhibitory rows per query.
    const rep = await method('representer-points').run(model, data, { input: qx, k: 2 }) as ExamplesExplanation;
    assert.equal(rep.examples.length, 3 * 4);
    assert.ok(rep.examples.every((r) => Number.isFinite(r.score) && (r.role === 'proponent' ? r.score >= 0 : r.score <= 0)));
  } finally {
    tf.dispose([x, y, qx, qy]);
    model.dispose?.();
  }
});

test('npm nsfwjs MobileNetV2 (tfjs Layers, softmax head): nearest neighbours in dense_2 and TracIn / TracInCPFast on dense_3 match the closed forms', async () => {
  const model = await loadModelFile(repoPath('test', 'models', 'npm', 'nsfwjs-mobilenet-v2'));
  const n = 4;
  const x = tf.randomUniform([n, 224, 224, 3], 0, 1, 'float32', 7);
  const labels = [0, 1, 4, 2];
  const y = tf.tensor1d(labels, 'int32');
  const data = datasetFromTensors(x, y);
  const qIdx = [1, 3];
  const qx = tf.gather(x, qIdx);
  const qLabels = qIdx.map((i) => labels[i]);
  const qy = tf.tensor1d(qLabels, 'int32');
  try {
    const train = await lastLayer(model, x, labels, 'dropout_3', 'dense_3');
    // The queries are dataset rows: their a and d are those rows'.
    const query = { a: qIdx.map((i) => train.a[i]), d: qIdx.map((i) => train.d[i]) };
    const nn = await method('nearest-neighbours').run(model, data, { input: qx, layer: 'dropout_3', k: 3, metric: 'l2', batchSize: 4 }) as ExamplesExplanation;
    qIdx.forEach((qi, t) => {
      const dist = train.a.map((a) => Math.sqrt(a.reduce((s, v, i) => s + (v - query.a[t][i]) ** 2, 0)));
      const order = dist.map((_, i) => i).sort((i, j) => dist[i] - dist[j] || i - j).slice(0, 3);
      const got = nn.examples.filter((e) => e.query === t);
      assert.equal(got[0].index, qi, 'the query itself is nearest');
      assert.deepEqual(got.map((e) => e.index), order);
      close(got.slice(1).map((e) => e.score), order.slice(1).map((i) => dist[i]), 1e-3, `l2 q${t}`);
    });
    const c = snapshotCheckpoint(model, 1);
    try {
      const test = { x: qx, y: qy };
      const full = await tracInCP(model, data, test, { checkpoints: [c], layers: ['dense_3'], batchSize: 4 });
      const fast = await tracInCPFast(model, data, test, { checkpoints: [c], finalLayer: 'dense_3', batchSize: 4 });
      const expectFull: number[] = [];
      const expectFast: number[] = [];
      for (let t = 0; t < 2; t++) {
        for (let j = 0; j < n; j++) {
          const dd = dot(query.d[t], train.d[j]);
          const aa = dot(query.a[t], train.a[j]);
          expectFull.push((aa + 1) * dd);
          expectFast.push(aa * dd);
        }
      }
      close(full.scores, expectFull, 1e-4, 'tracin dense_3');
      close(fast.scores, expectFast, 1e-4, 'tracin-fast dense_3');
    } finally {
      disposeCheckpoint(c);
    }
  } finally {
    tf.dispose([x, y, qx, qy]);
    model.dispose();
  }
});
