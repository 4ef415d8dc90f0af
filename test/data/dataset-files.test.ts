import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { bundledDataset, datasetFromFile, datasetFromImageFolder } from '../../src/data/dataset-files.js';
import { loadMnist, mnistBatch, mnistLabels, mnistSplit } from '../../src/data/mnist.js';
import { encodeNpy } from '../../src/data/npy.js';
import { loadPenguins, penguinBatch, penguinSplit, penguinStandardization } from '../../src/data/penguins.js';
import { useBackend } from '../../src/engine/backend.js';
import { encodePng } from '../../src/render/png.js';

async function collect(data: Dataset, batchSize: number): Promise<{ x: number[]; y: number[]; shapes: number[][] }> {
  const out = { x: [] as number[], y: [] as number[], shapes: [] as number[][] };
  for await (const b of data.batches(batchSize)) {
    out.x.push(...(await b.x.data()));
    if (b.y) out.y.push(...(await b.y.data()));
    out.shapes.push(b.x.shape);
    tf.dispose([b.x, b.y]);
  }
  return out;
}

test('datasetFromFile: a CSV table with a text column and a label column; an .npy batch', async () => {
  await useBackend();
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-dataset-'));
  const csv = path.join(dir, 't.csv');
  writeFileSync(csv, 'size,colour,kind\n1.5,red,cat\n2,blue,dog\n3,red,cat\n');
  const table = datasetFromFile(csv, { labelColumn: 'kind' });
  assert.deepEqual([table.size, table.inputShape, table.featureNames, table.kinds, table.classNames], [3, [2], ['size', 'colour'], ['numeric', 'categorical'], ['cat', 'dog']]);
  const rows = await collect(table, 2);
  assert.deepEqual(rows.x, [1.5, 0, 2, 1, 3, 0]);
  assert.deepEqual(rows.y, [0, 1, 0]);
  const npy = path.join(dir, 'x.npy');
  writeFileSync(npy, encodeNpy(Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]));
  const batch = datasetFromFile(npy);
  assert.deepEqual([batch.size, batch.inputShape], [3, [2]]);
  assert.deepEqual((await collect(batch, 5)).x, [1, 2, 3, 4, 5, 6]);
  writeFileSync(csv, 'size,kind\n1,cat\n,dog\n');
  assert.throws(() => datasetFromFile(csv), (e: unknown) => e instanceof LumenError && /row 2, column 'size': expected a value; found an empty cell/.test(e.message));
  assert.throws(() => datasetFromFile(csv, { labelColumn: 'label' }), /expected a column 'label'; found size, kind/);
});

test('datasetFromImageFolder: class folders label the images, read a batch at a time', async () => {
  await useBackend();
  const dir = mkdtempSync(path.join(tmpdir(), 'lumen-images-'));
  const png = (v: number) => encodePng({ width: 2, height: 2, data: new Uint8ClampedArray(16).fill(v).map((p, i) => (i % 4 === 3 ? 255 : p)) });
  for (const [cls, values] of [['cats', [0, 255]], ['dogs', [51]]] as const) {
    mkdirSync(path.join(dir, cls));
    values.forEach((v, i) => writeFileSync(path.join(dir, cls, `${i}.png`), png(v)));
  }
  const data = datasetFromImageFolder(dir, { grayscale: true });
  assert.deepEqual([data.size, data.inputShape, data.classNames], [3, [2, 2, 1], ['cats', 'dogs']]);
  const before = tf.memory().numTensors;
  const all = await collect(data, 2);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(all.shapes, [[2, 2, 2, 1], [1, 2, 2, 1]]);
  assert.deepEqual(all.y, [0, 0, 1]);
  assert.deepEqual(all.x.map((v) => Math.round(v * 255)), [0, 0, 0, 0, 255, 255, 255, 255, 51, 51, 51, 51]);
});

test("bundledDataset: the held-out digits and penguins the bundled models were not trained on, with labels and names", async () => {
  await useBackend();
  const digits = bundledDataset('mnist', 5);
  const mnist = loadMnist();
  const held = mnistSplit(mnist).heldOut.slice(0, 5);
  const expected = mnistBatch(mnist, held);
  const got = await collect(digits, 3);
  assert.deepEqual([digits.size, digits.inputShape, digits.classNames?.length], [5, [28, 28, 1], 10]);
  assert.deepEqual(got.x, Array.from(await expected.data()));
  assert.deepEqual(got.y, Array.from(mnistLabels(mnist, held)));
  expected.dispose();
  const penguins = bundledDataset('penguins');
  const pdata = loadPenguins();
  const split = penguinSplit(pdata);
  const rows = penguinBatch(pdata, penguinStandardization(pdata, split.train), split.heldOut);
  assert.deepEqual([penguins.size, penguins.inputShape, penguins.kinds?.slice(3, 5)], [67, [9], ['numeric', 'categorical']]);
  assert.deepEqual((await collect(penguins, 50)).x, Array.from(await rows.data()));
  rows.dispose();
});
