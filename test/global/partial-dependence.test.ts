import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { datasetFromArrays, datasetFromTensors } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { mquantiles } from '../../src/global/mquantiles.js';
import { partialDependence } from '../../src/global/partial-dependence.js';
import { partialDependenceGrid } from '../../src/global/partial-dependence-grid.js';
import { fromFunction } from '../../src/models/from-function.js';
import { repoPath } from '../helpers.js';
import { countingModel, tanhMlp } from '../toy-models.js';

/** Seeded rows in [-2, 2] (a small LCG, so the test needs no other randomness). */
function rows(n: number, columns: number, seed = 7): number[][] {
  let s = seed;
  const next = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2;
  return Array.from({ length: n }, () => Array.from({ length: columns }, next));
}

/** f(x) = sin(x0) + x1² + 3·x2: additive, one raw output. */
const additive = fromFunction((x) => tf.tidy(() => {
  const [a, b, c] = tf.split(x, 3, 1);
  return tf.sin(a).add(b.square()).add(c.mul(3));
}), { inputShape: [3], outputShape: [1] });

test('partialDependence of an additive model is each component up to a constant', async () => {
  await useBackend();
  const data = datasetFromArrays(rows(40, 3));
  const components = [Math.sin, (v: number) => v * v, (v: number) => 3 * v];
  for (let f = 0; f < 3; f++) {
    const pd = await partialDependence(additive, data, { features: [f], gridResolution: 9 });
    assert.equal(pd.grid[0].length, 9);
    assert.deepEqual(pd.outputs, [0]);
    const gaps = pd.grid[0].map((v, g) => (pd.average ?? [])[g] - components[f](v));
    for (const gap of gaps) assert.ok(Math.abs(gap - gaps[0]) < 1e-5, `feature ${f}: PD − component varies (${gaps})`);
    assert.ok(Math.max(...pd.grid[0]) - Math.min(...pd.grid[0]) > 2, 'the grid spans the data');
  }
});

test('ICE rows average to the PD curve, one and two features; kind individual alone has no average', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(3);
  const data = datasetFromArrays(rows(25, 4, 11));
  for (const features of [[1], [0, 2]]) {
    const pd = await partialDependence(model, data, { features, kind: 'both', gridResolution: 4 });
    const G = pd.grid.reduce((n, g) => n * g.length, 1);
    assert.equal(G, features.length === 1 ? 4 : 16);
    assert.equal(pd.individual?.length, 3 * 25 * G);
    for (let k = 0; k < 3; k++) for (let g = 0; g < G; g++) {
      let s = 0;
      for (let i = 0; i < 25; i++) s += (pd.individual ?? [])[(k * 25 + i) * G + g];
      assert.ok(Math.abs(s / 25 - (pd.average ?? [])[k * G + g]) < 1e-9);
    }
    // probabilities: every ICE point sums to 1 over the classes
    for (let i = 0; i < 25 * G; i++) assert.ok(Math.abs([0, 1, 2].reduce((a, k) => a + (pd.individual ?? [])[k * 25 * G + i], 0) - 1) < 1e-5);
  }
  const ice = await partialDependence(model, data, { features: [0], kind: 'individual', gridResolution: 3, target: 2 });
  assert.equal(ice.average, undefined);
  assert.deepEqual(ice.outputs, [2]);
  layers.dispose();
});

test('partialDependence sends grid × rows points to the model in batches, not one call per grid point, and leaks nothing', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(2);
  const counted = countingModel(model);
  const x = tf.tensor2d(rows(30, 4, 5));
  const before = tf.memory().numTensors;
  const pd = await partialDependence(counted.model, datasetFromTensors(x), { features: [3], gridResolution: 5, batchSize: 40, kind: 'both' });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(pd.calls, Math.ceil((30 * 5) / 40));
  assert.equal(counted.calls(), 4);
  x.dispose();
  layers.dispose();
});

test("the grid is scikit-learn's: mquantiles (alphap = betap = 0.4) on the fixture's data, unique values when fewer, levels when categorical, the caller's when given", async () => {
  const fixture = JSON.parse(readFileSync(repoPath('test', 'fixtures', 'wave2', 'global_mlp.json'), 'utf8')) as {
    dataset: { X: { data: number[][] } };
    entries: { id: string; grid_info?: { feature: number; mquantiles?: number[] }[] }[];
  };
  const X = fixture.dataset.X.data;
  for (const entry of fixture.entries.filter((e) => e.id.startsWith('partial_dependence'))) {
    for (const info of entry.grid_info ?? []) {
      if (!info.mquantiles) continue;
      const sorted = Float64Array.from(X.map((r) => r[info.feature])).sort();
      assert.deepEqual(mquantiles(sorted, [0.05, 0.95]), info.mquantiles, `${entry.id} feature ${info.feature}`);
    }
  }
  // numpy's linear percentile would differ: the plotting positions matter
  const sorted = Float64Array.from(X.map((r) => r[0])).sort();
  const h = 199 * 0.05;
  assert.notEqual(mquantiles(sorted, [0.05])[0], sorted[Math.floor(h)] + (h % 1) * (sorted[Math.floor(h) + 1] - sorted[Math.floor(h)]));
  assert.deepEqual(partialDependenceGrid([3, 1, 2, 1, 3], { resolution: 10, percentiles: [0.05, 0.95] }), [1, 2, 3]);
  assert.deepEqual(partialDependenceGrid([0, 1, 2, 3, 4, 5], { resolution: 3, percentiles: [0.05, 0.95], categorical: true }), [0, 1, 2, 3, 4, 5]);
  const levels = datasetFromArrays([[0, 1], [2, 1], [1, 0], [2, 3]], { kinds: ['categorical', 'numeric'] });
  const pd = await partialDependence(additive2, levels, { features: [0], gridResolution: 2 });
  assert.deepEqual(pd.grid, [[0, 1, 2]], 'a categorical column of the dataset is gridded by level');
  const given = await partialDependence(additive2, levels, { features: [1], grid: [[-1, 5]] });
  assert.deepEqual(given.grid, [[-1, 5]]);
  assert.deepEqual(given.average, [-1 + 1.25, 5 + 1.25]);
  assert.throws(() => partialDependenceGrid([1, 1, 1, 1, 2], { resolution: 2, percentiles: [0.05, 0.5] }), /too close/);
});

/** f(x) = x0 + x1: one raw output. */
const additive2 = fromFunction((x) => x.sum(1, true), { inputShape: [2], outputShape: [1] });

test('partialDependence refuses bad input with LumenErrors saying what was expected', async () => {
  await useBackend();
  const data = datasetFromArrays(rows(6, 2));
  const refuse = async (options: Parameters<typeof partialDependence>[2], pattern: RegExp, d = data): Promise<void> => {
    await assert.rejects(partialDependence(additive2, d, options), (e: unknown) => e instanceof LumenError && pattern.test(e.message));
  };
  await refuse({ features: [0, 1, 0] }, /one or two features; found \[0,1,0\]/);
  await refuse({ features: [2] }, /feature index must be an integer in \[0, 1\]; found 2/);
  await refuse({ features: ['bill'] }, /feature 'bill' is not one of/);
  await refuse({ features: [0], target: 1 }, /target must be an output column in \[0, 0\]; found 1/);
  await refuse({ features: [0], kind: 'mean' as 'average' }, /kind must be 'average', 'individual' or 'both'; found 'mean'/);
  await refuse({ features: [0], response: 'probabilities' }, /response 'probabilities' needs two or more outputs .*returns one logit/);
  await refuse({ features: [0], gridResolution: 1 }, /gridResolution must be an integer ≥ 2; found 1/);
  await refuse({ features: [0], grid: [[0], [1]] }, /one list of values per feature \(1\); found 2/);
  const image = datasetFromArrays([[1, 2, 3, 4]], { inputShape: [2, 2] });
  await refuse({ features: [0] }, /tabular dataset \(rows \[columns\]\); found rows of shape \[2,2\]/, image);
});
