import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSampleBudget, featureCount, maxSamples } from '../../src/cli/sample-budget.js';
import { lumenError } from '../render/helpers.js';

test('maxSamples: coalition rows cost 8 bytes a feature; streaming methods are not limited', () => {
  const budget = 1024 * 1024;
  assert.equal(maxSamples({ method: 'kernel-shap', examples: 2, features: 10 }, budget), Math.floor(budget / (2 * (8 * 10 + 24))));
  assert.equal(maxSamples({ method: 'rise', examples: 1, features: 1, gridSize: 7 }, budget), Math.floor(budget / 61));
  assert.equal(maxSamples({ method: 'smoothgrad', examples: 1, features: 1 }, budget), Number.POSITIVE_INFINITY);
});

test('checkSampleBudget refuses more samples than the budget allows, naming the limit; defaults pass', () => {
  assert.doesNotThrow(() => checkSampleBudget({ method: 'lime', samples: 1000, examples: 16, features: 50 }));
  assert.doesNotThrow(() => checkSampleBudget({ method: 'smoothgrad', samples: 1e9, examples: 1, features: 784 }));
  const limit = Math.floor((512 * 2 ** 20) / (4 * 9 + 16)).toLocaleString('en-US');
  assert.throws(() => checkSampleBudget({ method: 'shapley-value-sampling', samples: 1e9, examples: 1, features: 9 }),
    lumenError('option', /--samples 1000000000: shapley-value-sampling keeps 52 bytes per sample and example/, new RegExp(`expected at most ${limit} samples`)));
});

test('featureCount: mask ids, patches, scalars, tabular columns, SLIC segments', () => {
  assert.equal(featureCount([28, 28, 1], { mask: [0, 3, 1] }), 4);
  assert.equal(featureCount([28, 28, 1], { features: 'patch:4x4' }), 49);
  assert.equal(featureCount([28, 28, 1], { features: 'scalars' }), 784);
  assert.equal(featureCount([9], {}), 9);
  assert.equal(featureCount([28, 28, 1], {}), 50);
  assert.equal(featureCount([28, 28, 1], { superpixels: 'slic:20' }), 20);
  assert.equal(featureCount([28, 28, 1], { superpixels: 'felzenszwalb' }), 784);
});
