import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { datasetFromTensors } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { snapshotCheckpoint, disposeCheckpoint } from '../../src/core/checkpoint.js';
import { loadFixture } from '../../src/models/fixture.js';
import { methodById } from '../../src/methods.js';
import { tracInCP, tracInCPSelfInfluence } from '../../src/examples/tracin-cp.js';
import { tracInCPFast } from '../../src/examples/tracin-cp-fast.js';
import { nearestNeighbours } from '../../src/examples/nearest-neighbours.js';
import { BoundedTopK } from '../../src/examples/bounded-top-k.js';
import { mmdCriticSelect, rbfKernel } from '../../src/examples/mmd-critic.js';
import { repoPath } from '../helpers.js';

await useBackend();

function setup() {
  const fx = loadFixture(repoPath('test', 'fixtures', 'wave2', 'examples_tanh_mlp.json'));
  const d = fx.json.dataset as { X_train: { data: number[][] }; y_train: number[]; X_test: { data: number[][] }; y_test: number[] };
  const x = tf.tensor2d(d.X_train.data);
  const y = tf.tensor1d(d.y_train, 'int32');
  const xt = tf.tensor2d(d.X_test.data);
  const yt = tf.tensor1d(d.y_test, 'int32');
  return { fx, x, y, xt, yt, train: datasetFromTensors(x, y), dispose: () => { tf.dispose([x, y, xt, yt]); fx.dispose(); } };
}

test('TracInCP: self-influence is the diagonal of the train×train scores; batch size does not change scores; no leaks', async () => {
  const s = setup();
  const ckpt = snapshotCheckpoint(s.fx.model, 0.5);
  try {
    const before = tf.memory().numTensors;
    const all = await tracInCP(s.fx.model, s.train, { x: s.x, y: s.y }, { checkpoints: [ckpt], batchSize: 7 });
    const self = await tracInCPSelfInfluence(s.fx.model, s.train, { checkpoints: [ckpt], batchSize: 48 });
    assert.equal(tf.memory().numTensors, before);
    const n = 48;
    for (let j = 0; j < n; j++) assert.ok(Math.abs(all.scores[j * n + j] - self[j]) <= 1e-5 * Math.max(1, self[j]), `row ${j}`);
    const other = await tracInCP(s.fx.model, s.train, { x: s.xt, y: s.yt }, { checkpoints: [ckpt], batchSize: 48 });
    const again = await tracInCP(s.fx.model, s.train, { x: s.xt, y: s.yt }, { checkpoints: [ckpt], batchSize: 5 });
    assert.ok(other.scores.every((v, i) => Math.abs(v - again.scores[i]) < 1e-6));
  } finally {
    disposeCheckpoint(ckpt);
    s.dispose();
  }
});

test('TracInCPFast omits the bias: TracInCP on the last layer minus TracInCPFast is Σ η ⟨d, d′⟩ ≥ 0 on the diagonal', async () => {
  const s = setup();
  const ckpt = snapshotCheckpoint(s.fx.model, 1);
  try {
    const full = await tracInCP(s.fx.model, s.train, { x: s.x, y: s.y }, { checkpoints: [ckpt], layers: ['fc2'] });
    const fast = await tracInCPFast(s.fx.model, s.train, { x: s.x, y: s.y }, { checkpoints: [ckpt] });
    const n = 48;
    let differs = 0;
    for (let j = 0; j < n; j++) {
      const gap = full.scores[j * n + j] - fast.scores[j * n + j];
      assert.ok(gap >= -1e-6, `‖d‖² ≥ 0 at ${j}`);
      if (gap > 1e-6) differs++;
    }
    assert.ok(differs > 0, 'the bias term is really missing from the fast variant');
  } finally {
    disposeCheckpoint(ckpt);
    s.dispose();
  }
});

test('random-projection TracIn is seeded and approximates the exact products', async () => {
  const s = setup();
  const ckpt = snapshotCheckpoint(s.fx.model, 1);
  try {
    const exact = await tracInCP(s.fx.model, s.train, { x: s.xt, y: s.yt }, { checkpoints: [ckpt] });
    const a = await tracInCP(s.fx.model, s.train, { x: s.xt, y: s.yt }, { checkpoints: [ckpt], projectionDim: 2000, seed: 1 });
    const b = await tracInCP(s.fx.model, s.train, { x: s.xt, y: s.yt }, { checkpoints: [ckpt], projectionDim: 2000, seed: 1 });
    assert.deepEqual(Array.from(a.scores), Array.from(b.scores), 'same seed, same scores');
    const scale = Math.max(...Array.from(exact.scores, Math.abs));
    const err = Math.max(...Array.from(a.scores, (v, i) => Math.abs(v - exact.scores[i])));
    assert.ok(err < 0.15 * scale, `projection error ${err} vs scale ${scale}`);
  } finally {
    disposeCheckpoint(ckpt);
    s.dispose();
  }
});

test('nearest neighbours: the bounded heap keeps the k best of a stream; dot and L2 agree with a brute-force sort', async () => {
  const heap = new BoundedTopK(3, true);
  [5, 1, 9, 7, 9, 2].forEach((v, i) => heap.push(i, v));
  assert.deepEqual(heap.sorted().map((e) => e.index), [2, 4, 3]);
  const s = setup();
  try {
    const nn = await nearestNeighbours(s.fx.model, s.train, s.xt, { layer: 'input', metric: 'l2', k: 4, batchSize: 5 });
    const xs = s.x.arraySync() as number[][];
    const qs = s.xt.arraySync() as number[][];
    qs.forEach((q, t) => {
      const d = xs.map((r, j) => ({ j, d: Math.hypot(...r.map((v, f) => v - q[f])) })).sort((a, b) => a.d - b.d);
      assert.deepEqual(nn.indices[t], d.slice(0, 4).map((e) => e.j));
    });
    await assert.rejects(nearestNeighbours(s.fx.model, s.train, s.xt, { layer: 'nope' }), (e: unknown) => e instanceof LumenError && /unknown layer 'nope'/.test(e.message));
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(nearestNeighbours(s.fx.model, s.train, s.xt, { layer: 'act1', signal: ac.signal }), (e: unknown) => e instanceof LumenError && e.code === 'aborted');
  } finally {
    s.dispose();
  }
});

test('MMD-critic on two separated clusters picks one prototype in each and criticises the outlier', () => {
  const pts = [[0, 0], [0.1, 0], [0, 0.1], [0.1, 0.1], [5, 5], [5.1, 5], [5, 5.1], [2.5, -3]];
  const z = Float64Array.from(pts.flat());
  const k = rbfKernel(z, pts.length, 2, 0.5);
  const r = mmdCriticSelect(k, pts.length, 2, 1, 'none');
  assert.deepEqual(r.prototypes.map((p) => (p < 4 ? 'a' : p < 7 ? 'b' : 'out')).sort(), ['a', 'b']);
  assert.deepEqual(r.criticisms, [7]);
  assert.throws(() => mmdCriticSelect(k, pts.length, 8, 1), (e: unknown) => e instanceof LumenError && /prototypes \+ criticisms ≤ 8/.test(e.message));
});

test('registry entries return examples explanations with proponents and opponents per query', async () => {
  const s = setup();
  try {
    const m = methodById('tracin');
    assert.equal(m.scope, 'global');
    if (m.scope !== 'global') return;
    const e = await m.run(s.fx.model, s.train, { input: s.xt.slice(0, 2), labels: [0, 2], k: 3 });
    assert.equal(e.kind, 'examples');
    if (e.kind !== 'examples') return;
    assert.equal(e.examples.length, 2 * 3 * 2);
    const pro = e.examples.filter((r) => r.query === 0 && r.role === 'proponent');
    assert.ok(pro[0].score >= pro[1].score && pro[1].score >= pro[2].score);
    const nn = methodById('nearest-neighbours');
    if (nn.scope !== 'global') return;
    const r = await nn.run(s.fx.model, s.train, { input: s.xt.slice(0, 1), layer: 'act1', k: 2 });
    assert.equal(r.kind === 'examples' && r.examples.length, 2);
  } finally {
    s.dispose();
  }
});
