import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { datasetFromArrays, datasetFromTensors } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { useBackend } from '../../src/engine/backend.js';
import { accumulatedLocalEffects } from '../../src/global/accumulated-local-effects.js';
import { adaptiveAleGrid, aleIntervals, customAleGrid } from '../../src/global/ale-grid.js';
import { fromFunction } from '../../src/models/from-function.js';
import { countingModel } from '../toy-models.js';

function rows(n: number, columns: number, seed = 3): number[][] {
  let s = seed;
  const next = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 4 - 2;
  return Array.from({ length: n }, () => Array.from({ length: columns }, next));
}

const coefficients = [2, -3, 0.5];
/** y = 2·x0 − 3·x1 + 0.5·x2 + 1, one raw output. */
const linear = fromFunction((x) => tf.tidy(() => x.matMul(tf.tensor2d(coefficients, [3, 1])).add(1)), { inputShape: [3], outputShape: [1] });

test('the ALE slope of a linear model is its coefficient, and each curve is centred (count-weighted trapezoid mean 0)', async () => {
  await useBackend();
  const ale = await accumulatedLocalEffects(linear, datasetFromArrays(rows(120, 3)));
  assert.equal(ale.curves.length, 3);
  for (const c of ale.curves) {
    assert.ok(c.grid.length > 10, `feature ${c.feature}: an adaptive grid of ${c.grid.length} points`);
    for (let g = 1; g < c.grid.length; g++) {
      const slope = (c.ale[g] - c.ale[g - 1]) / (c.grid[g] - c.grid[g - 1]);
      assert.ok(Math.abs(slope - coefficients[c.feature]) < 1e-3, `feature ${c.feature}: slope ${slope}`);
    }
    const centre = c.counts.reduce((s, n, b) => s + 0.5 * (c.ale[b] + c.ale[b + 1]) * n, 0) / 120;
    assert.ok(Math.abs(centre) < 1e-9, `feature ${c.feature} centred: ${centre}`);
    assert.ok(c.counts.every((n) => n > 4), 'every adaptive bin holds more than minBinPoints rows');
    assert.equal(c.counts.reduce((a, b) => a + b, 0), 120);
  }
});

test("alibi's adaptive grid: bins hold more than minBinPoints values; the minimum joins bin 1; edges close intervals", () => {
  const values = rows(200, 1, 9).map((r) => r[0]);
  for (const min of [1, 4, 10]) {
    const q = adaptiveAleGrid(values, min);
    const counts = new Array<number>(q.length).fill(0);
    for (const k of aleIntervals(q, values)) counts[k]++;
    assert.equal(counts[0], 0);
    assert.ok(counts.slice(1).every((n) => n > min), `minBinPoints ${min}: ${counts}`);
    assert.equal(q[0], Math.min(...values));
    assert.equal(q[q.length - 1], Math.max(...values));
  }
  assert.deepEqual(Array.from(aleIntervals([0, 1, 2], [0, 0.5, 1, 1.5, 2])), [1, 1, 1, 2, 2]);
});

test("a caller's grid is adjusted as alibi does: clipped past the data, ends added, empty bins merged", () => {
  const values = [0, 1, 2, 3, 4, 5];
  const { grid, notes } = customAleGrid(values, [10, -5, -2, 0.5, 0.7, 3]);
  assert.deepEqual(grid, [-2, 0.5, 3, 10]);
  assert.deepEqual(notes, ['empty leading bins removed', 'empty bins merged']);
  assert.deepEqual(customAleGrid(values, [1, 2]), { grid: [0, 1, 2, 5], notes: ['minimum added to the grid', 'maximum added to the grid'] });
});

test('ALE on a constant feature uses a small interval around it; few distinct values are the grid; a custom grid is keyed by name', async () => {
  await useBackend();
  const data = datasetFromArrays([[5, 0, 1], [5, 1, 2], [5, 2, 0], [5, 1, 1], [5, 0, 2]], { featureNames: ['c', 'd', 'e'] });
  const ale = await accumulatedLocalEffects(linear, data, { grid: { e: [0.5] } });
  assert.deepEqual(ale.curves[0].grid, [4.5, 5.5]);
  assert.deepEqual(ale.curves[0].ale, [-1, 1], 'slope 2 over [4.5, 5.5], centred');
  assert.deepEqual(ale.curves[1].grid, [0, 1, 2]);
  assert.deepEqual(ale.curves[2].grid, [0, 0.5, 2]);
  assert.ok(ale.curves[2].notes.includes('minimum added to the grid'));
  assert.ok(Math.abs(ale.constantValue - (1 + [[5, 0, 1], [5, 1, 2], [5, 2, 0], [5, 1, 1], [5, 0, 2]].reduce((s, r) => s + 10 - 3 * r[1] + 0.5 * r[2], 0) / 5)) < 1e-5);
});

test('ALE sends both interval edges of every row and feature to the model in batches and leaks nothing', async () => {
  await useBackend();
  const counted = countingModel(linear);
  const x = tf.tensor2d(rows(50, 3));
  const before = tf.memory().numTensors;
  const ale = await accumulatedLocalEffects(counted.model, datasetFromTensors(x), { features: [0, 2], batchSize: 64 });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(ale.calls, Math.ceil((2 * 50 * 2 + 50) / 64));
  assert.equal(counted.calls(), ale.calls);
  x.dispose();
});

test('accumulatedLocalEffects refuses categorical features and bad options with LumenErrors', async () => {
  await useBackend();
  const data = datasetFromArrays(rows(8, 3), { kinds: ['numeric', 'categorical', 'numeric'] });
  const refuse = async (options: Parameters<typeof accumulatedLocalEffects>[2], pattern: RegExp): Promise<void> => {
    await assert.rejects(accumulatedLocalEffects(linear, data, options), (e: unknown) => e instanceof LumenError && pattern.test(e.message));
  };
  await refuse({}, /feature 1 is categorical; ALE here takes numeric features/);
  await refuse({ features: [0], minBinPoints: -1 }, /minBinPoints must be a non-negative integer; found -1/);
  await refuse({ features: [0], grid: { 2: [0] } }, /grid is given for feature 2, which is not among the features explained/);
  await refuse({ features: [0], grid: { 0: [] } }, /grid\[0\] must hold finite numbers/);
});
