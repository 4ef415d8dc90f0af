import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { disposeCheckpoint, type Checkpoint } from '../../src/core/checkpoint.js';
import { datasetFromTensors } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { arnoldiInfluence } from '../../src/examples/arnoldi-influence.js';
import { influenceFunction, influenceSelfInfluence } from '../../src/examples/influence-function.js';
import { nearestNeighbours } from '../../src/examples/nearest-neighbours.js';
import { scoreTerms, type ScoreTermOptions, type StreamedExampleMethod } from '../../src/examples/score-terms.js';
import { streamTopExamples } from '../../src/examples/streaming-scores.js';
import { tracInCPFast, tracInCPFastSelfInfluence } from '../../src/examples/tracin-cp-fast.js';
import { tracInCP, tracInCPSelfInfluence, type InfluenceScores } from '../../src/examples/tracin-cp.js';
import { fixtureTensor, loadFixture, type FixtureValue } from '../../src/models/fixture.js';
import { repoPath } from '../helpers.js';

await useBackend();

/** The wave-2 fixture (test/fixtures/wave2/examples_tanh_mlp.json, from ../shared/fixtures/wave2): 48 training rows, 8 test rows, 3 checkpoints. */
function setup() {
  const fx = loadFixture(repoPath('test', 'fixtures', 'wave2', 'examples_tanh_mlp.json'));
  const d = fx.json.dataset as unknown as { X_train: FixtureValue; y_train: number[]; X_test: FixtureValue; y_test: number[] };
  const ck = fx.json.checkpoints as unknown as { learning_rate: number; weights_tfjs: Record<string, FixtureValue> }[];
  const checkpoints: Checkpoint[] = ck.map((c) => ({
    learningRate: c.learning_rate,
    parameters: Object.fromEntries((fx.model.parameters ?? []).map((p) => [p.name, fixtureTensor(c.weights_tfjs[`${p.layer}.${p.role === 'bias' ? 'bias' : 'kernel'}`])])),
  }));
  const x = fixtureTensor(d.X_train);
  const y = tf.tensor1d(d.y_train, 'int32');
  const xt = fixtureTensor(d.X_test);
  const yt = tf.tensor1d(d.y_test, 'int32');
  // The test rows in two query batches of 5 and 3.
  const batches = [{ x: xt.slice(0, 5), y: yt.slice(0, 5) }, { x: xt.slice(5, 3), y: yt.slice(5, 3) }];
  return {
    fx, x, y, xt, yt, checkpoints, batches, train: datasetFromTensors(x, y),
    dispose: () => {
      tf.dispose([x, y, xt, yt, ...batches.flatMap((b) => [b.x, b.y])]);
      checkpoints.forEach(disposeCheckpoint);
      fx.dispose();
    },
  };
}

/** Checks streamed top-k rows against the full score matrix: the same scores rank by rank, and each index's full score equals its streamed score. */
function assertTopK(full: InfluenceScores, ranked: { index: number; score: number }[][], k: number, largest: boolean, what: string): void {
  const [t, n] = full.shape;
  assert.equal(ranked.length, t);
  const scale = Math.max(...Array.from(full.scores, Math.abs));
  for (let q = 0; q < t; q++) {
    const row = Array.from(full.scores.subarray(q * n, (q + 1) * n));
    const best = [...row].sort((a, b) => (largest ? b - a : a - b)).slice(0, k);
    assert.equal(ranked[q].length, k);
    ranked[q].forEach((e, r) => {
      assert.ok(Math.abs(e.score - best[r]) <= 1e-5 * scale, `${what}: query ${q} rank ${r}: ${e.score} vs ${best[r]}`);
      assert.ok(Math.abs(row[e.index] - e.score) <= 1e-5 * scale, `${what}: query ${q} rank ${r}: row ${e.index} scores ${row[e.index]} in the full matrix, ${e.score} streamed`);
    });
  }
}

test('streamTopExamples gives the top-k rows of the full score matrix of TracInCP (3 checkpoints, projection), TracInCPFast, exact/CG/Arnoldi influence and neighbours, with their self-influences; parameters restored; no leaks', async () => {
  const before = tf.memory().numTensors;
  const s = setup();
  const model = s.fx.model;
  const test = { x: s.xt, y: s.yt };
  const k = 4;
  const output = await model.predict(s.xt);
  const expected = await output.data();
  output.dispose();
  try {
    const cases: { method: StreamedExampleMethod; options: ScoreTermOptions; checkpoints?: Checkpoint[]; full: () => Promise<InfluenceScores>; self?: () => Promise<Float32Array> }[] = [
      { method: 'tracin', options: {}, checkpoints: s.checkpoints, full: () => tracInCP(model, s.train, test, { checkpoints: s.checkpoints }), self: () => tracInCPSelfInfluence(model, s.train, { checkpoints: s.checkpoints }) },
      { method: 'tracin', options: { projectionDim: 16, seed: 7 }, checkpoints: s.checkpoints, full: () => tracInCP(model, s.train, test, { checkpoints: s.checkpoints, projectionDim: 16, seed: 7 }) },
      { method: 'tracin-fast', options: {}, checkpoints: s.checkpoints, full: () => tracInCPFast(model, s.train, test, { checkpoints: s.checkpoints }), self: () => tracInCPFastSelfInfluence(model, s.train, { checkpoints: s.checkpoints }) },
      { method: 'influence-function', options: {}, full: () => influenceFunction(model, s.train, test, { solver: 'exact' }), self: () => influenceSelfInfluence(model, s.train, { solver: 'exact' }) },
      { method: 'influence-function', options: { solver: 'cg', hessianReg: 0.01 }, full: () => influenceFunction(model, s.train, test, { solver: 'cg', hessianReg: 0.01, batchSize: 16 }) },
      { method: 'arnoldi-influence', options: { arnoldiDim: 40, projectionDim: 20, seed: 3 }, full: () => arnoldiInfluence(model, s.train, test, { arnoldiDim: 40, projectionDim: 20, seed: 3 }) },
    ];
    for (const c of cases) {
      const what = `${c.method} ${JSON.stringify(c.options)}`;
      const terms = await scoreTerms(model, s.train, c.method, { batchSize: 16, ...c.options }, c.checkpoints);
      try {
        const top = await streamTopExamples(model, s.train, s.batches, terms.terms, { k, keep: terms.keep, batchSize: 16 });
        const full = await c.full();
        assertTopK(full, top.highest ?? [], k, true, `${what} proponents`);
        assertTopK(full, top.lowest ?? [], k, false, `${what} opponents`);
        if (c.self) {
          // Queries = the training rows: each query's self-influence is the row's.
          const rows = [{ x: s.x, y: s.y }];
          const mine = (await streamTopExamples(model, s.train, rows, terms.terms, { k: 1, keep: 'highest', selfInfluence: true })).selfInfluence as Float32Array;
          const ref = await c.self();
          const scale = Math.max(...Array.from(ref, Math.abs));
          ref.forEach((v, j) => assert.ok(Math.abs(mine[j] - v) <= 1e-5 * scale, `${what} self-influence of row ${j}: ${mine[j]} vs ${v}`));
        }
      } finally {
        terms.dispose();
      }
    }
    for (const metric of ['cosine', 'l2'] as const) {
      const terms = await scoreTerms(model, s.train, 'nearest-neighbours', { layer: 'act1', metric });
      const top = await streamTopExamples(model, s.train, s.batches, terms.terms, { k, keep: terms.keep, batchSize: 10 });
      terms.dispose();
      const ref = await nearestNeighbours(model, s.train, s.xt, { layer: 'act1', metric, k, index: 'exact' });
      const got = (metric === 'l2' ? top.lowest : top.highest) ?? [];
      assert.deepEqual(got.map((r) => r.map((e) => e.index)), ref.indices, `${metric} neighbours`);
      got.forEach((r, q) => r.forEach((e, i) => assert.ok(Math.abs(e.score - ref.values[q][i]) < 1e-5, `${metric} value`)));
    }
    const after = await model.predict(s.xt);
    assert.deepEqual(Array.from(await after.data()), Array.from(expected), 'the model\'s parameters are restored after the checkpoints');
    after.dispose();
  } finally {
    s.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'no tensors left');
});

test('streamTopExamples and scoreTerms refuse bad input: k, self-influence of neighbours, checkpoints of influence, unknown methods; abort', async () => {
  const s = setup();
  try {
    const terms = await scoreTerms(s.fx.model, s.train, 'nearest-neighbours', { layer: 'input' });
    await assert.rejects(streamTopExamples(s.fx.model, s.train, s.batches, terms.terms, { k: 0, keep: 'highest' }), (e: unknown) => e instanceof LumenError && /k must be a positive integer/.test(e.message));
    await assert.rejects(streamTopExamples(s.fx.model, s.train, s.batches, terms.terms, { k: 2, keep: 'highest', selfInfluence: true }), /no self-influence/);
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(streamTopExamples(s.fx.model, s.train, s.batches, terms.terms, { k: 2, keep: 'highest', signal: ac.signal }), (e: unknown) => e instanceof LumenError && e.code === 'aborted');
    terms.dispose();
    await assert.rejects(scoreTerms(s.fx.model, s.train, 'influence-function', {}, s.checkpoints), /only tracin and tracin-fast take checkpoints/);
    await assert.rejects(scoreTerms(s.fx.model, s.train, 'mmd-critic' as StreamedExampleMethod, {}), /is not one of/);
    const k = await scoreTerms(s.fx.model, s.train, 'tracin', {});
    const top = await streamTopExamples(s.fx.model, s.train, s.batches, k.terms, { k: 100, keep: 'both' });
    k.dispose();
    assert.equal(top.highest?.[0].length, 48, 'k is capped at the training set size');
  } finally {
    s.dispose();
  }
});
