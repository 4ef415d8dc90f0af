/**
 * The registry's plumbing carries global methods: a tiny global entry, registered in this test only
 * (beside the ones Lumen ships), is listed by `lumen methods` (text and JSON) and the README table with its
 * scope, refused by `lumen explain` with a reason, skipped by the demo with a reason, and runs on a
 * Dataset to a JSON-serialisable Explanation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { demoApplies, demoSkipReason } from '../../src/cli/demo.js';
import { explainableMethod } from '../../src/cli/method-options.js';
import { methodsJson, methodsText } from '../../src/cli/methods.js';
import { datasetFromTensors } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import type { ExamplesExplanation } from '../../src/core/explanation.js';
import { useBackend } from '../../src/engine/backend.js';
import { methodTable } from '../../src/method-table.js';
import { localMethodById, methodById, METHODS, type GlobalMethodInfo, type MethodInfo } from '../../src/methods.js';
import { tanhMlp } from '../toy-models.js';

/** The dataset rows with the highest score for class `target`, read one batch at a time. */
const topRows: GlobalMethodInfo = {
  id: 'top-rows',
  title: 'Top rows',
  family: 'examples',
  scope: 'global',
  needsGradients: false,
  layer: 'none',
  completeness: false,
  inputKinds: ['any'],
  paper: 'a test fixture',
  summary: 'the rows the model scores highest for a class',
  options: [{ name: 'k', type: 'integer', default: 2, doc: 'rows kept' }],
  async run(model, data, options = {}) {
    const target = typeof options.target === 'number' ? options.target : 0;
    const k = typeof options.k === 'number' ? options.k : 2;
    const scored: { index: number; score: number }[] = [];
    for await (const batch of data.batches(options.batchSize ?? 3)) {
      const out = await model.predict(batch.x);
      const column = tf.tidy(() => out.slice([0, target], [-1, 1]).reshape([-1]));
      const scores = await column.data();
      tf.dispose([out, column, batch.x, batch.y]);
      batch.index.forEach((index, i) => scored.push({ index, score: scores[i] }));
    }
    scored.sort((a, b) => b.score - a.score);
    return { kind: 'examples', method: 'top-rows', examples: scored.slice(0, k).map((s) => ({ ...s, role: 'prototype' })) };
  },
};

const registry: readonly MethodInfo[] = [...METHODS, topRows];

test('lumen methods and the README table list a global entry with its scope, beside the local ones', () => {
  const text = methodsText(registry).split('\n');
  assert.match(text[0], /^id\s+family\s+scope\s+gradients/);
  assert.match(text.find((l) => l.startsWith('top-rows')) ?? '', /^top-rows\s+examples\s+global\s+no\s+none\s+the rows the model scores highest/);
  assert.match(text.find((l) => l.startsWith('saliency')) ?? '', /^saliency\s+gradient\s+local\s+yes/);
  const json = methodsJson(registry);
  const entry = json.find((m) => m.id === 'top-rows');
  assert.deepEqual({ scope: entry?.scope, family: entry?.family, run: (entry as Record<string, unknown> | undefined)?.run }, { scope: 'global', family: 'examples', run: undefined });
  assert.equal(JSON.parse(JSON.stringify(json)).length, METHODS.length + 1);
  const table = methodTable(registry).split('\n');
  assert.equal(table[0], '| id | method | family | scope | gradients | layer | options | paper |');
  assert.equal(table.at(-1), '| `top-rows` | Top rows | examples | global | no | — | `k` | a test fixture |');
  assert.ok(table.some((row) => row.startsWith('| `saliency` | Saliency | gradient | local |')));
});

test('lumen explain refuses a global method and the demo skips it, each saying why; local lookups refuse it too', () => {
  assert.equal(explainableMethod('saliency', registry).id, 'saliency');
  assert.throws(() => explainableMethod('top-rows', registry), (e: unknown) => e instanceof LumenError && /--method top-rows: a global method .*lumen explain runs local methods/.test(e.message));
  assert.throws(() => localMethodById('top-rows', registry), (e: unknown) => e instanceof LumenError && /'top-rows' is a global method/.test(e.message));
  assert.equal(methodById('top-rows', registry).scope, 'global');
  assert.equal(demoApplies(topRows, { kind: 'tabular' }), false);
  assert.match(demoSkipReason(topRows, { kind: 'tabular', name: 'penguins' }), /a global method .*per-example/);
  const saliency = methodById('saliency');
  assert.equal(demoApplies(saliency, { kind: 'image' }), true);
});

test('a global entry runs on a Dataset, batch by batch, to a JSON-serialisable Explanation, leaving no tensor behind', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(5);
  const x = tf.tensor2d([[1, -1, 0.5, 2], [0.1, 0.2, 0.3, -0.4], [2, 2, -1, 0], [-1, 0, 1, 0.5], [0, 0, 0, 0]]);
  const before = tf.memory().numTensors;
  const entry = methodById('top-rows', registry);
  assert.equal(entry.scope, 'global');
  if (entry.scope !== 'global') return;
  const result = (await entry.run(model, datasetFromTensors(x), { target: 1, k: 3, batchSize: 2 })) as ExamplesExplanation;
  assert.equal(tf.memory().numTensors, before, 'every batch disposed');
  const out = await model.predict(x);
  const slice = out.slice([0, 1], [-1, 1]);
  const column = Array.from(await slice.data());
  tf.dispose([out, slice]);
  const expected = column.map((score, index) => ({ index, score })).sort((a, b) => b.score - a.score).slice(0, 3).map((r) => r.index);
  assert.equal(result.kind, 'examples');
  assert.deepEqual(result.examples.map((e) => e.index), expected);
  assert.deepEqual(JSON.parse(JSON.stringify(result)), result);
  x.dispose();
  layers.dispose();
});
