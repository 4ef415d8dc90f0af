import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { methodById } from '../../src/methods.js';
import { LumenError } from '../../src/core/errors.js';
import type { GlobalMethodInfo } from '../../src/core/method-info.js';
import type { AttributionExplanation, CurveExplanation, FairnessExplanation } from '../../src/core/explanation.js';
import { useBackend } from '../../src/engine/backend.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { bundledDataset } from '../../src/data/dataset-files.js';

const global = (id: string): GlobalMethodInfo => methodById(id) as GlobalMethodInfo;

test('the fairness entries run on the bundled penguins model with Sex as the sensitive attribute', async () => {
  await useBackend();
  const { model: layers } = await loadBundledModel('penguins');
  const model = fromLayersModel(layers);
  const data = bundledDataset('penguins');
  const before = tf.memory().numTensors;
  const opts = { sensitive: 'Sex', positiveClass: 'Adelie', seed: 0 };
  const curve = await global('threshold-optimizer').run(model, data, { ...opts, points: 5 }) as CurveExplanation;
  assert.equal(curve.kind, 'curve');
  assert.ok([1, 5].includes(curve.curves[0].x.length));
  assert.equal(curve.curves[0].x[0], 0);
  const y = curve.curves[0].y;
  for (let k = 1; k < y.length; k++) assert.ok(y[k] >= y[k - 1] - 1e-12, `a looser bound never lowers accuracy: ${y}`);
  assert.ok((curve.meta!.unconstrainedAccuracy as number) >= y[y.length - 1] - 1e-12);
  const shap = await global('disparity-shapley').run(model, data, { ...opts, background: 8 }) as AttributionExplanation;
  assert.equal(shap.kind, 'attribution');
  assert.ok(Math.abs(shap.meta!.efficiencyGap as number) < 1e-9);
  const diff = await global('attribution-difference').run(model, data, { ...opts, attribution: 'input-x-gradient' }) as FairnessExplanation;
  assert.equal(diff.kind, 'fairness');
  assert.deepEqual(diff.groups, ['FEMALE', 'MALE']);
  assert.equal(diff.metrics.length, data.inputShape[0]);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  await assert.rejects(global('threshold-optimizer').run(model, data, { positiveClass: 'Adelie' }), (e: unknown) => e instanceof LumenError && /sensitive/.test(e.message));
  await assert.rejects(global('attribution-difference').run(model, data, { ...opts, attribution: 'surrogate-tree' }), /local method/);
});
