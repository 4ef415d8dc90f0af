import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { datasetFromTensors } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { forEachCheckpoint, type Checkpoint } from '../../src/core/checkpoint.js';
import { fixtureTensor, loadFixture, type FixtureValue } from '../../src/models/fixture.js';
import { arnoldiEigen, arnoldiInfluence, arnoldiSelfInfluence } from '../../src/examples/arnoldi-influence.js';
import { influenceFunction } from '../../src/examples/influence-function.js';
import { selectParameters } from '../../src/examples/per-example-gradients.js';
import { methodById } from '../../src/methods.js';
import { repoPath } from '../helpers.js';

await useBackend();

interface Entry { id: string; result: { scores: { data: number[][] } }; spectrum?: { eigenvalues_of_H_plus_reg: number[] } }

/** The fixture model at its final checkpoint (ckpt2, where Captum's influence entries were computed), with its data. */
async function atFinalCheckpoint(fn: (s: { model: ReturnType<typeof loadFixture>['model']; train: ReturnType<typeof datasetFromTensors>; x: tf.Tensor; y: tf.Tensor; test: { x: tf.Tensor; y: tf.Tensor }; entries: Entry[] }) => Promise<void>): Promise<void> {
  const fx = loadFixture(repoPath('test', 'fixtures', 'wave2', 'examples_tanh_mlp.json'));
  const d = fx.json.dataset as { X_train: FixtureValue; y_train: number[]; X_test: FixtureValue; y_test: number[] };
  const ck = (fx.json.checkpoints as { name: string; weights_tfjs: Record<string, FixtureValue> }[]).find((c) => c.name === 'ckpt2');
  assert.ok(ck);
  const c: Checkpoint = { parameters: Object.fromEntries((fx.model.parameters ?? []).map((p) => [p.name, fixtureTensor(ck.weights_tfjs[`${p.layer}.${p.role === 'bias' ? 'bias' : 'kernel'}`])])) };
  const x = fixtureTensor(d.X_train);
  const y = tf.tensor1d(d.y_train, 'int32');
  const test = { x: fixtureTensor(d.X_test), y: tf.tensor1d(d.y_test, 'int32') };
  try {
    await forEachCheckpoint(fx.model, [c], () => fn({ model: fx.model, train: datasetFromTensors(x, y), x, y, test, entries: fx.json.entries as unknown as Entry[] }));
  } finally {
    tf.dispose([x, y, test.x, test.y, ...Object.values(c.parameters)]);
    fx.dispose();
  }
}

const maxAbs = (a: ArrayLike<number>): number => Math.max(...Array.from(a, Math.abs));

test('Arnoldi with a full Krylov space reproduces Captum NaiveInfluenceFunction top-10 (fixture)', async () => {
  await atFinalCheckpoint(async ({ model, train, test, entries }) => {
    const entry = entries.find((e) => e.id === 'naive_influence_all_layers_top10');
    assert.ok(entry);
    const ref = entry.result.scores.data.flat();
    const before = tf.memory().numTensors;
    // 83 parameters: 84 steps exhaust the space (Captum then keeps 82 dimensions); hessian_reg and tol as the entry.
    const got = await arnoldiInfluence(model, train, test, { arnoldiDim: 84, arnoldiTol: 1e-6, projectionDim: 10, hessianReg: Math.fround(1e-6), hessianInverseTol: 1e-5, batchSize: 16, seed: 3 });
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    assert.deepEqual(got.shape, [test.x.shape[0], 48]);
    const tol = 1e-4 * maxAbs(ref) + 1e-7;
    const err = Math.max(...ref.map((r, i) => Math.abs(r - got.scores[i])));
    assert.ok(err <= tol, `max |arnoldi − captum| ${err} > ${tol}`);
  });
});

test('Arnoldi finds the top eigenvalues of the exact Hessian from a small Krylov space, and its top-k influence matches exact top-k', async () => {
  await atFinalCheckpoint(async ({ model, train, test, entries }) => {
    const spectrum = (entries.find((e) => e.id === 'naive_influence_all_layers')?.spectrum?.eigenvalues_of_H_plus_reg ?? []).slice().sort((a, b) => a - b);
    assert.ok(spectrum.length === 83);
    const params = selectParameters(model, {}, 'test');
    const e = await arnoldiEigen(model, params, train, { arnoldiDim: 30, arnoldiTol: 1e-6, projectionDim: 3, hessianReg: Math.fround(1e-6), batchSize: 48, seed: 1 });
    assert.equal(e.values.length, 3);
    assert.equal(e.krylovDim, 29);
    spectrum.slice(-3).forEach((want, i) => assert.ok(Math.abs(e.values[i] - want) <= 1e-4 * want, `eigenvalue ${i}: ${e.values[i]} vs exact ${want}`));
    // The eigenvectors are orthonormal in parameter space.
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
      let s = 0;
      for (let r = 0; r < e.parameters; r++) s += e.vectors[r * 3 + a] * e.vectors[r * 3 + b];
      assert.ok(Math.abs(s - (a === b ? 1 : 0)) < 1e-6, `⟨v${a}, v${b}⟩ = ${s}`);
    }
    const opts = { projectionDim: 3, hessianReg: Math.fround(1e-6), hessianInverseTol: 1e-5, batchSize: 48 };
    const exact = await influenceFunction(model, train, test, { ...opts, solver: 'exact' });
    const arnoldi = await arnoldiInfluence(model, train, test, { ...opts, arnoldiDim: 30, arnoldiTol: 1e-6, seed: 1 });
    const err = Math.max(...Array.from(exact.scores, (v, i) => Math.abs(v - arnoldi.scores[i])));
    assert.ok(err <= 1e-4 * maxAbs(exact.scores) + 1e-7, `top-3 influence: max diff ${err} vs scale ${maxAbs(exact.scores)}`);
  });
});

test('Arnoldi self-influence is the diagonal of train×train influence; seeded; layer selection; errors and abort', async () => {
  await atFinalCheckpoint(async ({ model, train, x, y }) => {
    const opts = { arnoldiDim: 20, projectionDim: 5, layers: ['fc2'], seed: 7, batchSize: 13 };
    const all = await arnoldiInfluence(model, train, { x, y }, opts);
    const before = tf.memory().numTensors;
    const self = await arnoldiSelfInfluence(model, train, opts);
    assert.equal(tf.memory().numTensors, before);
    for (let j = 0; j < 48; j++) assert.ok(Math.abs(all.scores[j * 48 + j] - self[j]) <= 1e-5 * Math.max(1, self[j]), `row ${j}`);
    assert.ok(self.every((v) => v >= 0), 'R Rᵀ is positive semi-definite');
    const again = await arnoldiSelfInfluence(model, train, opts);
    assert.deepEqual(Array.from(again), Array.from(self), 'same seed, same result');
    await assert.rejects(arnoldiSelfInfluence(model, train, { ...opts, arnoldiDim: 1 }), (e: unknown) => e instanceof LumenError && /arnoldiDim must be an integer ≥ 2; found 1/.test(e.message));
    await assert.rejects(arnoldiSelfInfluence(model, train, { ...opts, arnoldiTol: 1e9 }), (e: unknown) => e instanceof LumenError && /Arnoldi basis is empty/.test(e.message));
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(arnoldiSelfInfluence(model, train, { ...opts, signal: ac.signal }), (e: unknown) => e instanceof LumenError && e.code === 'aborted');
    const m = methodById('arnoldi-influence');
    assert.equal(m.scope, 'global');
    if (m.scope !== 'global') return;
    const r = await m.run(model, train, { input: x.slice(0, 2), labels: [0, 1], k: 2, arnoldiDim: 20, projectionDim: 5 });
    assert.equal(r.kind === 'examples' && r.examples.length, 2 * 2 * 2);
  });
});
