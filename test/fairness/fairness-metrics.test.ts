import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { fairnessMetrics } from '../../src/fairness/fairness-metrics.js';
import { fairnessReport } from '../../src/fairness/fairness-report.js';
import { fairnessText } from '../../src/render/fairness-table.js';
import { bundledDataset } from '../../src/data/dataset-files.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';

// group A: TP FN FP TN (one each); group B: perfect decisions
const table = {
  groups: Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]),
  groupNames: ['A', 'B'],
  labels: Uint8Array.from([1, 1, 0, 0, 1, 1, 0, 0]),
  predicted: Uint8Array.from([1, 0, 1, 0, 1, 1, 0, 0]),
  scores: Float64Array.from([0.9, 0.4, 0.8, 0.1, 0.9, 0.7, 0.2, 0.3]),
};

const gap = (e: ReturnType<typeof fairnessMetrics>, m: string): number => e.disparities!.find((d) => d.metric === m)!.value;
const row = (e: ReturnType<typeof fairnessMetrics>, m: string): readonly number[] => e.values[e.metrics.indexOf(m)];

test('fairnessMetrics(table) gives the hand-computed per-group rates and confusion matrices', () => {
  const e = fairnessMetrics(table);
  assert.deepEqual(row(e, 'selection rate'), [0.5, 0.5]);
  assert.deepEqual(row(e, 'true positive rate'), [0.5, 1]);
  assert.deepEqual(row(e, 'false positive rate'), [0.5, 0]);
  assert.deepEqual(row(e, 'positive predictive value'), [0.5, 1]);
  assert.deepEqual([row(e, 'TN'), row(e, 'FP'), row(e, 'FN'), row(e, 'TP')], [[1, 2], [1, 0], [1, 0], [1, 2]]);
  // ECE of A: bins 0.1→|0-0.1|, 0.4→|1-0.4|, 0.8→|0-0.8|, 0.9→|1-0.9|, over 4 rows
  assert.ok(Math.abs(row(e, 'expected calibration error')[0] - (0.1 + 0.6 + 0.8 + 0.1) / 4) < 1e-12);
});

test("fairnessMetrics under the Fairlearn convention: max − min, min / max", () => {
  const e = fairnessMetrics(table);
  assert.equal(gap(e, 'demographic parity difference'), 0);
  assert.equal(gap(e, 'demographic parity ratio'), 1);
  assert.equal(gap(e, 'equal opportunity difference'), 0.5);
  assert.equal(gap(e, 'equalised odds difference'), 0.5);
  assert.equal(gap(e, 'equalised odds ratio'), 0);
  assert.equal(gap(e, 'average odds difference'), 0.5);
  assert.equal(gap(e, 'predictive parity difference'), 0.5);
});

test("fairnessMetrics under the AIF360 convention: signed unprivileged − privileged", () => {
  const e = fairnessMetrics(table, { convention: 'aif360', privileged: 'B' });
  assert.equal(gap(e, 'equal opportunity difference'), -0.5);
  assert.equal(gap(e, 'average odds difference'), 0);
  assert.equal(gap(e, 'equalised odds difference'), 0.5);
  assert.equal(gap(e, 'predictive parity difference'), -0.5);
  assert.equal(gap(e, 'disparate impact'), 1);
  assert.equal(e.privileged, 'B');
});

test('fairnessMetrics bootstrap intervals are seeded and contain the estimate', () => {
  const a = fairnessMetrics(table, { bootstrap: 200, seed: 7 });
  const b = fairnessMetrics(table, { bootstrap: 200, seed: 7 });
  const c = fairnessMetrics(table, { bootstrap: 200, seed: 8 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.lower, c.lower);
  const d = a.disparities!.find((x) => x.metric === 'equal opportunity difference')!;
  assert.ok(d.lower! <= d.value && d.value <= d.upper!, JSON.stringify(d));
});

test('fairnessMetrics rejects bad input with a LumenError', () => {
  assert.throws(() => fairnessMetrics(table, { convention: 'aif360' }), (e: unknown) => e instanceof LumenError && /privileged/.test(e.message));
  assert.throws(() => fairnessMetrics(table, { convention: 'aif360', privileged: 'C' }), LumenError);
  assert.throws(() => fairnessMetrics(table, { bootstrap: 5 }), LumenError);
  assert.throws(() => fairnessMetrics({ ...table, groupNames: ['A'] }), LumenError);
});

test('fairnessReport(bundled penguins, sensitive Sex) makes a table without leaking tensors', async () => {
  await useBackend();
  const { model: layers } = await loadBundledModel('penguins');
  const model = fromLayersModel(layers);
  const data = bundledDataset('penguins');
  const before = tf.memory().numTensors;
  const e = await fairnessReport(model, data, { sensitive: 'Sex', positiveClass: 'Adelie', bootstrap: 50, seed: 1 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(e.groups, ['FEMALE', 'MALE']);
  assert.equal(row(e, 'count')[0] + row(e, 'count')[1], data.size);
  assert.match(fairnessText(e), /demographic parity difference/);
  await assert.rejects(fairnessReport(model, data, { sensitive: 'Colour' }), LumenError);
  await assert.rejects(fairnessReport(model, data, { sensitive: 'Sex' }), /positiveClass/);
});
