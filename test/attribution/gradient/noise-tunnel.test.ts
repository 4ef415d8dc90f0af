import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { noiseTunnel } from '../../../src/attribution/gradient/noise-tunnel.js';
import { saliency } from '../../../src/attribution/gradient/saliency.js';
import { integratedGradients } from '../../../src/attribution/gradient/integrated-gradients.js';
import { useBackend } from '../../../src/engine/backend.js';
import { countingModel, maxAbsDiff, tanhMlp } from '../../toy-models.js';

const input = (): tf.Tensor => tf.tensor2d([[1, -0.5, 0.25, 2], [0, 1, -1, 0.5]]);

test('SmoothGrad with σ = 0 is the gradient', async () => {
  await useBackend();
  const { model } = tanhMlp(11);
  const x = input();
  const smooth = await noiseTunnel(saliency, { stdev: 0, samples: 4 })(model, x, { target: [0, 2], mode: 'signed' });
  const plain = await saliency(model, x, { target: [0, 2], mode: 'signed' });
  assert.ok((await maxAbsDiff(smooth.values, plain.values)) < 1e-6);
  assert.deepEqual(smooth.target, [0, 2]);
  smooth.dispose();
  plain.dispose();
  x.dispose();
});

test('VarGrad with σ = 0 is zero, and SmoothGrad² is the squared gradient', async () => {
  await useBackend();
  const { model } = tanhMlp(12);
  const x = input();
  const v = await noiseTunnel(saliency, { stdev: 0, samples: 3, kind: 'vargrad' })(model, x, { target: 1, mode: 'signed' });
  const sq = await noiseTunnel(saliency, { stdev: 0, samples: 3, kind: 'smoothgrad-sq' })(model, x, { target: 1, mode: 'signed' });
  const plain = await saliency(model, x, { target: 1, mode: 'squared' });
  assert.ok((await maxAbsDiff(v.values, tf.zerosLike(v.values))) < 1e-10);
  assert.ok((await maxAbsDiff(sq.values, plain.values)) < 1e-6);
  [v, sq, plain].forEach((a) => a.dispose());
  x.dispose();
});

test('noiseTunnel is reproducible with a seed and differs with another seed', async () => {
  await useBackend();
  const { model } = tanhMlp(13);
  const x = input();
  const run = (seed: number) => noiseTunnel(integratedGradients, { stdev: 0.3, samples: 5, seed })(model, x, { target: 0, steps: 8 });
  const [a, b, c] = [await run(1), await run(1), await run(2)];
  assert.equal(await maxAbsDiff(a.values, b.values), 0);
  assert.ok((await maxAbsDiff(a.values, c.values)) > 1e-4);
  [a, b, c].forEach((r) => r.dispose());
  x.dispose();
});

test('noiseTunnel stacks all noisy copies into the wrapped method’s batches', async () => {
  await useBackend();
  const spy = countingModel(tanhMlp(14).model);
  const x = input();
  const attr = await noiseTunnel(saliency, { samples: 10, stdev: 0.1 })(spy.model, x, { target: 0, batchSize: 32 });
  assert.deepEqual(attr.values.shape, [2, 4]);
  assert.equal(spy.calls(), 1, '20 noisy rows fit one batch of 32');
  attr.dispose();
  x.dispose();
});
