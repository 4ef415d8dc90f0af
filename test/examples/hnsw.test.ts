import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { datasetFromArrays } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import type { ExamplesExplanation } from '../../src/core/explanation.js';
import type { GlobalMethodInfo } from '../../src/core/method-info.js';
import { Rng } from '../../src/core/random.js';
import { loadMnist, mnistBatch, mnistSplit } from '../../src/data/mnist.js';
import { HnswIndex } from '../../src/examples/hnsw-index.js';
import { nearestNeighbours } from '../../src/examples/nearest-neighbours.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { methodById } from '../../src/methods.js';

/** Recall@k of approximate neighbour lists against exact ones (the fraction of exact neighbours found). */
function recall(approx: readonly number[][], exact: readonly number[][]): number {
  let hit = 0;
  let all = 0;
  exact.forEach((row, t) => {
    const found = new Set(approx[t]);
    hit += row.filter((i) => found.has(i)).length;
    all += row.length;
  });
  return hit / all;
}

test('HNSW on 3,000 MNIST activations (relu3 of the bundled CNN): recall@10 ≥ 0.95 against exact search, cosine and L2; values agree where rows agree', async () => {
  const { model: layers } = await loadBundledModel('mnist');
  const model = fromLayersModel(layers);
  const mnist = loadMnist();
  const split = mnistSplit(mnist);
  const train = Array.from(split.train.slice(0, 3000));
  const rows = train.map((k) => mnist.images.subarray(k * 784, (k + 1) * 784));
  const data = datasetFromArrays(rows, { inputShape: [28, 28, 1] });
  const queries = mnistBatch(mnist, split.heldOut.slice(0, 100));
  try {
    for (const metric of ['cosine', 'l2'] as const) {
      const exact = await nearestNeighbours(model, data, queries, { layer: 'relu3', k: 10, metric, index: 'exact' });
      const approx = await nearestNeighbours(model, data, queries, { layer: 'relu3', k: 10, metric, index: 'hnsw', hnsw: { M: 16, efConstruction: 100, efSearch: 50, seed: 7 } });
      assert.equal(exact.index, 'exact');
      assert.equal(approx.index, 'hnsw');
      const r = recall(approx.indices, exact.indices);
      assert.ok(r >= 0.95, `${metric}: recall@10 ${r}`);
      console.log(`# ${metric} recall@10 ${r}`);
      // Where both lists have the same first neighbour, its value (cosine similarity or distance) is the same.
      exact.indices.forEach((row, t) => {
        if (approx.indices[t][0] === row[0]) assert.ok(Math.abs(approx.values[t][0] - exact.values[t][0]) <= 1e-3 * Math.max(1, Math.abs(exact.values[t][0])), `${metric} query ${t}`);
      });
      // Best first.
      for (const v of approx.values) for (let i = 1; i < v.length; i++) assert.ok(metric === 'cosine' ? v[i] <= v[i - 1] + 1e-9 : v[i] >= v[i - 1] - 1e-9);
    }
  } finally {
    queries.dispose();
    layers.dispose();
  }
});

test('HNSW: same seed, same graph; another seed, other levels; a greedy search of 1 finds an indexed vector itself', () => {
  const rng = new Rng(3);
  const vectors = Array.from({ length: 400 }, () => rng.normals(8));
  const build = (seed: number): HnswIndex => {
    const index = new HnswIndex(8, { metric: 'l2', M: 6, efConstruction: 40, seed });
    vectors.forEach((v) => index.add(v));
    return index;
  };
  const a = build(11);
  const b = build(11);
  const c = build(12);
  assert.deepEqual(a.graph(), b.graph());
  assert.notDeepEqual(a.graph().levels, c.graph().levels);
  const g = a.graph();
  // Level sizes fall roughly geometrically (mL = 1/ln M): most nodes on layer 0 only.
  const top = g.levels.filter((l) => l >= 1).length;
  assert.ok(top > 20 && top < 140, `${top} of 400 nodes above layer 0 (expected about 400/6)`);
  // Degree bounds: 2M on layer 0, M above; links point at nodes that exist on that layer.
  g.links.forEach((node) => node.forEach((list, level) => {
    assert.ok(list.length <= (level === 0 ? 12 : 6));
    for (const n of list) assert.ok(g.levels[n] >= level);
  }));
  for (const i of [0, 57, 399]) assert.deepEqual(a.search(vectors[i], 1, 20).ids, [i]);
});

test('HNSW: cosine distance is 1 − cosine similarity (scale-free); bad options and dot product are refused', async () => {
  const index = new HnswIndex(2, { metric: 'cosine', seed: 1 });
  index.add([1, 0], 10);
  index.add([0, 3], 20);
  index.add([1, 1], 30);
  const r = index.search([5, 5.1], 3);
  assert.deepEqual(r.ids, [30, 20, 10]);
  assert.ok(Math.abs(r.distances[0] - (1 - (5 + 5.1) / Math.sqrt(2 * (25 + 5.1 * 5.1)))) < 1e-6);
  assert.throws(() => new HnswIndex(4, { metric: 'l2', M: 1 }), LumenError);
  assert.throws(() => index.add([1, 2, 3]), /expected a vector of 2 values; found 3/);
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const data = datasetFromArrays([[1, 2], [2, 2]]);
  const model = { name: 'none' } as never;
  await assert.rejects(nearestNeighbours(model, data, x, { layer: 'input', metric: 'dot', index: 'hnsw' }), /HNSW index takes metric 'cosine' or 'l2'; found 'dot'/);
  await assert.rejects(nearestNeighbours(model, data, x, { layer: 'input', index: 'ann' as never }), /index must be 'exact', 'hnsw' or 'auto'; found 'ann'/);
  // The registry passes the HNSW options through, and 'auto' switches above approximateAbove.
  const e = await (methodById('nearest-neighbours') as GlobalMethodInfo).run(model, data, { input: x, layer: 'input', k: 1, metric: 'l2', index: 'auto', approximateAbove: 1 }) as ExamplesExplanation;
  assert.equal(e.meta?.index, 'hnsw');
  assert.deepEqual(e.examples.map((r) => r.index), [0, 1]);
  x.dispose();
});
