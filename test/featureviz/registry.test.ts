import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { LumenError } from '../../src/core/errors.js';
import type { ConceptsExplanation, ImagesExplanation } from '../../src/core/explanation.js';
import { bundledDataset } from '../../src/data/dataset-files.js';
import { shapesMaskDataset } from '../../src/dissection/shapes-mask-dataset.js';
import { loadModelSpec } from '../../src/cli/load-model.js';
import type { GlobalMethodInfo } from '../../src/core/method-info.js';
import { methodById } from '../../src/methods.js';
import { useBackend } from '../../src/engine/backend.js';

const method = (id: string) => methodById(id) as GlobalMethodInfo;

test.before(async () => {
  await useBackend('wasm');
});

test('registry: feature-visualization grids every channel of the last conv layer (relu2 of bundled:mnist) as images', async () => {
  const { model, dispose } = await loadModelSpec('bundled:mnist');
  try {
    const e = (await method('feature-visualization').run(model, bundledDataset('mnist', 8), { steps: 8, seed: 1 } )) as ImagesExplanation;
    assert.equal(e.kind, 'images');
    assert.deepEqual(e.images.map((i) => i.label), Array.from({ length: 16 }, (_, c) => `relu2:${c}`));
    for (const i of e.images) {
      assert.deepEqual(i.shape, [28, 28, 1]);
      assert.ok(i.data.every((v) => v >= 0 && v <= 1));
    }
    assert.equal(e.meta?.steps, 8);
  } finally {
    dispose();
  }
});

test('registry: top-activating-examples shows the rows themselves, best first per unit', async () => {
  const { model, dispose } = await loadModelSpec('bundled:mnist');
  const data = bundledDataset('mnist', 40);
  try {
    const e = (await method('top-activating-examples').run(model, data, { layer: 'relu2', units: '3,5', k: 2 } )) as ImagesExplanation;
    assert.equal(e.images.length, 4);
    const ex = e.meta?.examples as { unit: number; index: number; score: number }[];
    assert.deepEqual(ex.map((x) => x.unit), [3, 3, 5, 5]);
    assert.ok(ex[0].score >= ex[1].score && ex[2].score >= ex[3].score);
    // Each image is its dataset row, and the row's max activation of the unit is the recorded score.
    const rows: number[][] = [];
    for await (const { x, y } of data.batches(40)) {
      rows.push(...(x.arraySync() as number[][][][]).map((r) => r.flat(2)));
      const act = tf.tidy(() => tf.max(model.run(x, { capture: ['relu2'] }).captured.relu2, [1, 2]));
      const a = act.arraySync() as number[][];
      ex.forEach((r) => assert.ok(Math.abs(a[r.index][r.unit] - r.score) < 1e-5));
      tf.dispose([x, y, act]);
    }
    e.images.forEach((img, i) => assert.deepEqual(img.data.map((v) => Math.round(v * 1e5)), rows[ex[i].index].map((v) => Math.round(Math.min(1, Math.max(0, v)) * 1e5))));
  } finally {
    dispose();
  }
});

test('registry: first-layer-filters gives one image per conv1 kernel; network-dissection needs concept masks', async () => {
  const mnist = await loadModelSpec('bundled:mnist');
  const concepts = await loadModelSpec('bundled:concepts');
  try {
    const f = (await method('first-layer-filters').run(mnist.model, bundledDataset('mnist', 4))) as ImagesExplanation;
    assert.equal(f.images.length, 8);
    await assert.rejects(method('network-dissection').run(concepts.model, bundledDataset('mnist', 4)), (e: unknown) => e instanceof LumenError && /concept masks/.test(e.message));
    const d = (await method('network-dissection').run(concepts.model, bundledDataset('mnist', 4), { masks: shapesMaskDataset(80, 3) } )) as ConceptsExplanation;
    assert.equal(d.kind, 'concepts');
    assert.equal(d.scores.length, 32);
    assert.ok(d.scores.some((s) => s.concept === 'stripes' && s.score > 0.04));
  } finally {
    mnist.dispose();
    concepts.dispose();
  }
});
