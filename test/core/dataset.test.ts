import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { datasetFromArrays, datasetFromTensors, type Dataset } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';

async function readAll(data: Dataset, batchSize: number): Promise<{ x: number[][]; y: number[]; index: number[][]; sizes: number[] }> {
  const out = { x: [] as number[][], y: [] as number[], index: [] as number[][], sizes: [] as number[] };
  for await (const batch of data.batches(batchSize)) {
    out.sizes.push(batch.x.shape[0]);
    const flat = Array.from(await batch.x.data());
    const per = flat.length / batch.x.shape[0];
    for (let r = 0; r < batch.x.shape[0]; r++) out.x.push(flat.slice(r * per, (r + 1) * per));
    if (batch.y) out.y.push(...Array.from(await batch.y.data()));
    out.index.push([...batch.index]);
    tf.dispose([batch.x, batch.y]);
  }
  return out;
}

test('datasetFromTensors(x, y) yields every row once, in order, batchSize at a time, with labels and indices; the caller keeps x and y', async () => {
  await useBackend();
  const x = tf.tensor3d([[[1, 2]], [[3, 4]], [[5, 6]], [[7, 8]], [[9, 10]]]);
  const y = tf.tensor1d([0, 1, 1, 0, 2], 'int32');
  const data = datasetFromTensors(x, y, { classNames: ['a', 'b', 'c'] });
  assert.deepEqual([data.size, data.inputShape, data.classNames], [5, [1, 2], ['a', 'b', 'c']]);
  const before = tf.memory().numTensors;
  const all = await readAll(data, 2);
  assert.equal(tf.memory().numTensors, before, 'every batch was the consumer\'s to dispose, and nothing else remains');
  assert.deepEqual(all.sizes, [2, 2, 1]);
  assert.deepEqual(all.x, [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]);
  assert.deepEqual(all.y, [0, 1, 1, 0, 2]);
  assert.deepEqual(all.index, [[0, 1], [2, 3], [4]]);
  assert.equal(x.isDisposed, false);
  tf.dispose([x, y]);
});

test('datasetFromArrays builds tensors one batch at a time from plain rows, with column names and kinds', async () => {
  await useBackend();
  const data = datasetFromArrays([[1, 0], [2, 1], [3, 0]], { labels: [1, 0, 1], featureNames: ['size', 'colour'], kinds: ['numeric', 'categorical'] });
  assert.deepEqual([data.size, data.inputShape, data.featureNames, data.kinds], [3, [2], ['size', 'colour'], ['numeric', 'categorical']]);
  const before = tf.memory().numTensors;
  let seen = 0;
  for await (const batch of data.batches(2)) {
    assert.ok(tf.memory().numTensors - before <= 2, 'one batch (x and y) at a time');
    seen += batch.x.shape[0];
    tf.dispose([batch.x, batch.y]);
  }
  assert.equal(seen, 3);
  assert.equal(tf.memory().numTensors, before);
  const images = datasetFromArrays([new Float32Array(8), new Float32Array(8).fill(1)], { inputShape: [2, 2, 2] });
  const all = await readAll(images, 5);
  assert.deepEqual(all.sizes, [2]);
  assert.deepEqual(all.x[1], new Array(8).fill(1));
});

test('Dataset builders refuse mismatched rows, labels and names, and a bad batch size, saying what was expected', async () => {
  await useBackend();
  const lumen = (pattern: RegExp) => (e: unknown) => e instanceof LumenError && pattern.test(e.message);
  assert.throws(() => datasetFromArrays([[1, 2], [3]]), lumen(/row 1 must have 2 values \(shape \[2\]\); found 1/));
  assert.throws(() => datasetFromArrays([[1, 2]], { labels: [0, 1] }), lumen(/expected a label per row \(1\); found 2/));
  assert.throws(() => datasetFromArrays([[1, 2]], { featureNames: ['a'] }), lumen(/featureNames must name each of the 2 columns; found 1/));
  assert.throws(() => datasetFromArrays([]), lumen(/at least one row/));
  const x = tf.zeros([3, 2, 2, 1]);
  const y = tf.zeros([2]);
  assert.throws(() => datasetFromTensors(x, y), lumen(/y must be labels \[3\]; found shape \[2\]/));
  assert.throws(() => datasetFromTensors(x, undefined, { kinds: ['numeric'] }), lumen(/kinds describe tabular rows \[columns\]; the rows have shape \[2,2,1\]/));
  await assert.rejects(async () => {
    for await (const batch of datasetFromTensors(x).batches(0)) tf.dispose(batch.x);
  }, lumen(/batchSize must be a positive integer; found 0/));
  tf.dispose([x, y]);
});
