import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { integratedGradients } from '../../src/attribution/gradient/integrated-gradients.js';
import { BYTES_PER_ROW_FLOAT, budgetBatchSize, MAX_DEFAULT_BATCH, stackedRows } from '../../src/core/batching.js';
import type { Model } from '../../src/core/model.js';
import { useBackend } from '../../src/engine/backend.js';
import { trackPeakBytes } from '../../bench/memory.js';
import { tanhMlp } from '../toy-models.js';

/** A model description with the given input and layer sizes (floats per row); never run. */
function sized(input: number, layers: number[]): Model {
  const { model } = tanhMlp(1);
  return { ...model, inputShape: [input], layers: layers.map((f, i) => ({ name: `l${i}`, kind: 'dense', outputShape: [null, f] })) };
}

test('budgetBatchSize divides the budget by BYTES_PER_ROW_FLOAT per float of input and layer outputs, within [1, MAX_DEFAULT_BATCH]', () => {
  // 1,000 + 3,000 floats per row × 16 bytes = 64,000 bytes: a 640,000-byte budget holds 10 rows.
  assert.equal(BYTES_PER_ROW_FLOAT * 4000, 64000);
  assert.equal(budgetBatchSize(sized(1000, [1000, 2000]), 640000), 10);
  assert.equal(budgetBatchSize(sized(1000, [1000, 2000]), 639999), 9);
  assert.equal(budgetBatchSize(sized(1000, [1000, 2000]), 1000), 1, 'at least one row');
  assert.equal(budgetBatchSize(sized(4, [8, 3])), MAX_DEFAULT_BATCH, 'small models are capped');
  // MobileNet v1 at 224×224 (15.3 M floats per row): 2 rows in the default 512 MB budget.
  assert.equal(budgetBatchSize(sized(150528, [15130088])), 2);
});

test('the default batch is below IG-50’s 52 rows, so IG with 1,000 steps uses no more tensor memory than IG with 50', async () => {
  await useBackend();
  assert.ok(MAX_DEFAULT_BATCH < 52);
  const { model, layers } = tanhMlp(3);
  const x = tf.tensor2d([[1, -2, 0.5, 3]]);
  const peaks: Record<number, number> = {};
  const calls: Record<number, unknown> = {};
  for (const steps of [50, 1000]) {
    const peak = trackPeakBytes();
    const a = await integratedGradients(model, x, { target: 1, steps, rule: 'riemann-trapezoid' });
    await a.values.data();
    peaks[steps] = peak.stop();
    calls[steps] = a.meta.modelCalls;
    a.dispose();
  }
  assert.equal(calls[50], Math.ceil(52 / MAX_DEFAULT_BATCH));
  assert.equal(calls[1000], Math.ceil(1002 / MAX_DEFAULT_BATCH));
  assert.ok(peaks[50] > 0);
  assert.ok(peaks[1000] <= peaks[50], `IG-1000 peaked at ${peaks[1000]} bytes, IG-50 at ${peaks[50]}`);
  x.dispose();
  layers.dispose();
});

test('stackedRows fits copies into the stack budget in whole batches', () => {
  assert.equal(stackedRows(1000, 32, 1_000_000), 480, '500 fit; rounded down to 15 batches of 32');
  assert.equal(stackedRows(1000, 7, 1_000_000), 497);
  assert.equal(stackedRows(10_000_000, 32, 1_000_000), 32, 'at least one batch');
});
