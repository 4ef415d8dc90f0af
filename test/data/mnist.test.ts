import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMnist, mnistBatch, mnistLabels, mnistSplit, MNIST_HELD_OUT } from '../../src/data/mnist.js';

test('loadMnist reads the 10,000 digits in a fixed order, grey levels in [0,1]', () => {
  const d = loadMnist();
  assert.equal(d.count, 10000);
  assert.equal(d.images.length, 10000 * 784);
  assert.equal(d.labels.length, 10000);
  let min = Infinity;
  let max = -Infinity;
  for (const v of d.images) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.equal(min, 0);
  assert.ok(max <= 1 && max > 0.9);
  assert.equal(d.labels[0], 0);
  assert.equal(d.labels[9999], 9);
  for (let i = 1; i < d.count; i++) assert.ok(d.labels[i] >= d.labels[i - 1], 'class by class');
  assert.equal(loadMnist(), d, 'cached');
});

test('mnistSplit is fixed: 2,000 held out, disjoint from train, same every call', () => {
  const a = mnistSplit();
  const b = mnistSplit();
  assert.equal(a.heldOut.length, MNIST_HELD_OUT);
  assert.equal(a.train.length, 8000);
  assert.deepEqual(a.heldOut, b.heldOut);
  const seen = new Set([...a.train, ...a.heldOut]);
  assert.equal(seen.size, 10000);
  const held = mnistLabels(loadMnist(), a.heldOut);
  for (let c = 0; c < 10; c++) assert.ok(held.filter((l) => l === c).length > 120, `digit ${c} is represented`);
});

test('mnistBatch gives [N,28,28,1] in the order of the indices', () => {
  const d = loadMnist();
  const x = mnistBatch(d, [5, 2]);
  assert.deepEqual(x.shape, [2, 28, 28, 1]);
  const v = x.dataSync();
  assert.deepEqual(Array.from(v.subarray(0, 784)), Array.from(d.images.subarray(5 * 784, 6 * 784)));
  x.dispose();
  assert.throws(() => mnistBatch(d, [10000]), /index must be an integer in 0…9999; found 10000/);
});
