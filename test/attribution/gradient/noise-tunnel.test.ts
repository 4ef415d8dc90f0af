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

test('noiseTunnel in stacks of maxStacked copies gives the one-stack result, for whole and split examples', async () => {
  await useBackend();
  const { model } = tanhMlp(15);
  const x = tf.tensor2d([[1, -0.5, 0.25, 2], [0, 1, -1, 0.5], [0.3, 0.2, -0.7, 1.5]]);
  const before = tf.memory().numTensors;
  for (const kind of ['smoothgrad', 'smoothgrad-sq', 'vargrad'] as const) {
    const run = (maxStacked: number) =>
      noiseTunnel(saliency, { stdev: 0.4, samples: 7, kind, seed: 5, maxStacked })(model, x, { target: [0, 2, 1], mode: 'signed' });
    const one = await run(21);
    for (const maxStacked of [3, 14]) {
      // 3: each example's 7 copies in stacks of 3, 3 and 1 (merged statistics); 14: two examples per stack.
      const chunked = await run(maxStacked);
      const diff = await maxAbsDiff(chunked.values, one.values);
      assert.ok(diff < 1e-6, `${kind}, maxStacked ${maxStacked}: differs by ${diff}`);
      assert.deepEqual(chunked.values.shape, [3, 4]);
      chunked.dispose();
    }
    const plain = await saliency(model, x, { target: [0, 2, 1], mode: kind === 'smoothgrad' ? 'signed' : 'squared' });
    assert.ok((await maxAbsDiff(one.values, plain.values)) > 1e-3, `${kind}: the noise changes the result`);
    plain.dispose();
    one.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
  x.dispose();
});

test('noiseTunnel never stacks more than maxStacked copies into one call, and counts every call', async () => {
  await useBackend();
  const { model } = tanhMlp(16);
  const x = input();
  const rows: number[] = [];
  const spy: typeof saliency = async (m, xs, o) => {
    rows.push(xs.shape[0]);
    return saliency(m, xs, o);
  };
  const attr = await noiseTunnel(spy, { samples: 50, stdev: 0.1, maxStacked: 8 })(model, x, { target: 0, batchSize: 4 });
  assert.ok(Math.max(...rows) <= 8, `stacks of ${rows.join(', ')}`);
  assert.equal(rows.reduce((a, b) => a + b, 0), 100);
  assert.equal(attr.meta.modelCalls, rows.reduce((a, r) => a + Math.ceil(r / 4), 0));
  attr.dispose();
  x.dispose();
});

test("smoothgrad through the registry equals noiseTunnel(saliency) with saliency's default mode (absolute, as Captum's NoiseTunnel(Saliency))", async () => {
  await useBackend();
  const { localMethodById } = await import('../../../src/methods.js');
  const { model } = tanhMlp(14);
  const x = input();
  const tunnel = { samples: 6, stdev: 0.5, seed: 3 };
  const library = await noiseTunnel(saliency, tunnel)(model, x, { target: [0, 2] });
  const registry = await localMethodById('smoothgrad').run(model, x, { ...tunnel, target: [0, 2] });
  const signed = await noiseTunnel(saliency, tunnel)(model, x, { target: [0, 2], mode: 'signed' });
  assert.equal(await maxAbsDiff(library.values, registry.values), 0);
  assert.equal(registry.meta.mode, 'absolute');
  assert.ok((await library.values.min().data())[0] >= 0, 'the mean of absolute gradients is non-negative');
  assert.ok((await maxAbsDiff(library.values, signed.values)) > 1e-3, 'and differs from the signed mean on this model');
  [library, registry, signed].forEach((a) => a.dispose());
  x.dispose();
});
