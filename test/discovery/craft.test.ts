import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { datasetFromTensors } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import type { ImagesExplanation } from '../../src/core/explanation.js';
import type { GlobalMethodInfo } from '../../src/core/method-info.js';
import { conceptShapes, type ShapesConcept } from '../../src/data/concept-shapes.js';
import { craftConcepts, type CraftCrop } from '../../src/discovery/craft.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadModelSpec } from '../../src/cli/load-model.js';
import { methodById } from '../../src/methods.js';

const N = 200;
const shapes = conceptShapes(N, { seed: 5 });

function data() {
  return datasetFromTensors(tf.tensor4d(shapes.images, [N, 32, 32, 3]), tf.tensor1d(shapes.labels, 'int32'));
}

/** The share of a crop's pixels that carry `concept` (the ground-truth masks). */
function share(c: CraftCrop, concept: ShapesConcept): number {
  let s = 0;
  for (let y = c.y; y < c.y + c.size; y++) for (let x = c.x; x < c.x + c.size; x++) s += shapes.masks[concept][c.row * 1024 + y * 32 + x];
  return s / (c.size * c.size);
}
const holds = (crops: readonly CraftCrop[], concept: ShapesConcept) => crops.filter((c) => share(c, concept) > 0.1).length;

test.before(async () => {
  await useBackend('wasm');
});

test('craft on the concept-shapes CNN (class striped, relu3): the first-ranked concept is the stripes concept; the dots concept ranks low', async () => {
  const { model, dispose } = await loadModelSpec('bundled:concepts');
  const d = data();
  try {
    const r = await craftConcepts(model, d, { class: 1, layer: 'relu3', concepts: 5, seed: 0 });
    assert.equal(r.images, shapes.labels.reduce((s, l) => s + l, 0));
    assert.equal(r.crops, r.images * 9);
    assert.ok(r.relativeError < 0.1, `NMF relative error ${r.relativeError}`);
    const first = r.concepts[0];
    assert.equal(first.topCrops.length, 8);
    // Mostly striped: at least 6 of its 8 top crops are >10 % striped pixels, and it scores as TCAV's deciding concept.
    assert.ok(holds(first.topCrops, 'stripes') >= 6, JSON.stringify(first.topCrops));
    assert.ok(first.tcavScore > 0.9, `tcav score ${first.tcavScore}`);
    // Every other concept is less important, and the concept whose crops are mostly dotted (the distractor) has a low score.
    for (const c of r.concepts.slice(1)) assert.ok(c.tcavScore < first.tcavScore || c.meanDerivative < first.meanDerivative);
    const dotted = r.concepts.filter((c) => holds(c.topCrops, 'dots') >= 5);
    assert.ok(dotted.length >= 1, 'a dots concept is discovered');
    for (const c of dotted) assert.ok(c.tcavScore < 0.5 && r.concepts.indexOf(c) > 0, `dots concept: score ${c.tcavScore}`);
    // Ranked order and weights: crops are sorted by their concept weight.
    for (const c of r.concepts) for (let i = 1; i < c.topCrops.length; i++) assert.ok(c.topCrops[i].weight <= c.topCrops[i - 1].weight);
    // Seeded: the same call gives the same concepts.
    const again = await craftConcepts(model, d, { class: 1, layer: 'relu3', concepts: 5, seed: 0 });
    assert.deepEqual(again.concepts.map((c) => c.direction), r.concepts.map((c) => c.direction));
  } finally {
    dispose();
  }
});

test('craft registry entry: the top crops per concept as images (16×16 crops, rank order), nothing leaks; a pre-ReLU layer is refused', async () => {
  const { model, dispose } = await loadModelSpec('bundled:concepts');
  const d = data();
  const craft = methodById('craft') as GlobalMethodInfo;
  try {
    const before = tf.memory().numTensors;
    const e = (await craft.run(model, d, { class: 1, layer: 'relu3', concepts: 4, topCrops: 3, maxImages: 60, seed: 2 })) as ImagesExplanation;
    assert.equal(tf.memory().numTensors, before);
    assert.equal(e.kind, 'images');
    assert.deepEqual(e.images.map((i) => i.label), ['c1', 'c2', 'c3', 'c4'].flatMap((c) => [1, 2, 3].map((k) => `${c} #${k}`)));
    const concepts = e.meta?.concepts as unknown as { rank: number; tcavScore: number; crops: (CraftCrop & { weight: number })[] }[];
    assert.deepEqual(concepts.map((c) => c.rank), [1, 2, 3, 4]);
    // Each image is its crop of the dataset row.
    const c0 = concepts[0].crops[0];
    const img = e.images[0];
    assert.deepEqual(img.shape, [16, 16, 3]);
    for (const [y, x, ch] of [[0, 0, 0], [5, 9, 1], [15, 15, 2]]) {
      assert.ok(Math.abs(img.data[(y * 16 + x) * 3 + ch] - shapes.images[((c0.row * 32 + c0.y + y) * 32 + c0.x + x) * 3 + ch]) < 1e-6);
    }
    await assert.rejects(craft.run(model, d, { class: 1, layer: 'conv3', concepts: 3 }), (err: unknown) => err instanceof LumenError && /non-negative/.test(err.message));
    await assert.rejects(craft.run(model, d, { class: 5, layer: 'relu3' }), (err: unknown) => err instanceof LumenError && /class must be an integer in \[0, 2\); found 5/.test(err.message));
  } finally {
    dispose();
  }
});
