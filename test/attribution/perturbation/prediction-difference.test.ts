import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { predictionDifference } from '../../../src/attribution/perturbation/prediction-difference.js';
import { LumenError } from '../../../src/core/errors.js';
import { fromFunction } from '../../../src/models/from-function.js';
import { useBackend } from '../../../src/engine/backend.js';
import { maxAbsDiff } from '../../toy-models.js';
import { linearBlackBox, uniform } from './perturbation-models.js';

const log2odds = (p: number): number => Math.log2(p / (1 - p));

function softmaxRow(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((u) => Math.exp(u - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((u) => u / s);
}

test('predictionDifference with one data row (marginal) is log₂odds p(c|x) − log₂odds p(c|x with x_j := d_j)', async () => {
  await useBackend();
  const { model: logits, w, b } = linearBlackBox([4], 3, 6);
  const probs = fromFunction(async (x) => { const z = await logits.predict(x); const p = tf.softmax(z); z.dispose(); return p; }, { inputShape: [4], outputShape: [3], outputKind: 'probabilities' });
  const x = uniform([2, 4], 1);
  const data = uniform([1, 4], 2);
  const a = await predictionDifference(probs, x, { baselines: data, target: [0, 2], samples: 3 });
  const xs = Array.from(await x.data());
  const ds = Array.from(await data.data());
  const p = (v: number[], c: number): number => softmaxRow([0, 1, 2].map((k) => v.reduce((s, u, j) => s + u * w[j * 3 + k], b[k])))[c];
  const expected: number[] = [];
  for (const [e, c] of [[0, 0], [1, 2]]) {
    const row = xs.slice(e * 4, e * 4 + 4);
    for (let j = 0; j < 4; j++) expected.push(log2odds(p(row, c)) - log2odds(p(row.map((v, k) => (k === j ? ds[j] : v)), c)));
  }
  assert.ok((await maxAbsDiff(a.values, expected)) < 1e-4, 'weight of evidence in bits');
  // the same model returning logits: 'auto' applies the softmax
  const viaLogits = await predictionDifference(logits, x, { baselines: data, target: [0, 2], samples: 3 });
  assert.ok((await maxAbsDiff(viaLogits.values, a.values)) < 1e-5);
  [a, viaLogits].forEach((r) => r.dispose());
  tf.dispose([x, data]);
});

/** A black box on [8, 8, 1] images whose class-0 probability is sigmoid(4 · pixel (2, 5)). */
function onePixelProbability(): ReturnType<typeof fromFunction> {
  return fromFunction((z) => tf.tidy(() => {
    const p = tf.sigmoid(z.slice([0, 2, 5, 0], [-1, 1, 1, 1]).reshape([-1, 1]).mul(4));
    return tf.concat([p, tf.scalar(1).sub(p)], 1);
  }), { inputShape: [8, 8, 1], outputShape: [2] });
}

for (const sampling of ['marginal', 'conditional'] as const) {
  test(`predictionDifference (${sampling}) gives exactly 0 to pixels no window over the read pixel covers, evidence where it does`, async () => {
    await useBackend();
    const model = onePixelProbability();
    const x = uniform([1, 8, 8, 1], 3, 0, 1);
    const data = uniform([6, 8, 8, 1], 4, 0, 1);
    const a = await predictionDifference(model, x, { sampling, window: 2, padding: 1, samples: 8, baselines: data, target: 0, seed: 5, batchSize: 64 });
    const v = await a.values.data();
    const near = (y: number, xx: number): boolean => Math.abs(y - 2) <= 1 && Math.abs(xx - 5) <= 1;
    for (let y = 0; y < 8; y++) for (let xx = 0; xx < 8; xx++) if (!near(y, xx)) assert.equal(v[y * 8 + xx], 0, `pixel (${y}, ${xx})`);
    assert.notEqual(v[2 * 8 + 5], 0);
    assert.deepEqual(a.meta.features, [49]);
    const again = await predictionDifference(model, x, { sampling, window: 2, padding: 1, samples: 8, baselines: data, target: 0, seed: 5, batchSize: 7 });
    assert.equal(await maxAbsDiff(a.values, again.values), 0, 'same seed, another batch size: same samples');
    [a, again].forEach((r) => r.dispose());
    tf.dispose([x, data]);
  });
}

test('predictionDifference (conditional) imputes a smooth image from its surroundings: less evidence lost than marginal on a constant-gradient image', async () => {
  await useBackend();
  // images are horizontal ramps with random offsets: a window is predictable from its frame
  const ramps = (n: number, seed: number): tf.Tensor => tf.tidy(() => {
    const offs = uniform([n, 1, 1, 1], seed, 0, 0.5);
    return offs.add(tf.linspace(0, 0.5, 8).reshape([1, 1, 8, 1]).tile([n, 8, 1, 1]));
  });
  const model = onePixelProbability();
  const x = ramps(1, 1);
  const data = ramps(40, 2);
  const cond = await predictionDifference(model, x, { sampling: 'conditional', window: 2, padding: 1, samples: 10, baselines: data, target: 0 });
  const marg = await predictionDifference(model, x, { sampling: 'marginal', window: 2, samples: 10, baselines: data, target: 0 });
  const abs = async (t: tf.Tensor): Promise<number> => (await t.abs().sum().data())[0];
  assert.ok((await abs(cond.values)) < 0.5 * (await abs(marg.values)));
  [cond, marg].forEach((r) => r.dispose());
  tf.dispose([x, data]);
});

test('predictionDifference: conditional sampling needs images; scores must be probabilities when so declared', async () => {
  await useBackend();
  const { model } = linearBlackBox([4], 3, 6);
  const x = uniform([2, 4], 1);
  await assert.rejects(predictionDifference(model, x, { sampling: 'conditional' }), (e: unknown) => e instanceof LumenError && /need sampling: 'marginal'/.test(e.message));
  await assert.rejects(predictionDifference(model, x, { outputKind: 'probabilities', target: 0 }), (e: unknown) => e instanceof LumenError && /pass outputKind: 'logits'/.test(e.message));
  const bad = uniform([2, 5], 1);
  await assert.rejects(predictionDifference(model, x, { baselines: bad }), /baselines must be examples \[M, 4\]/);
  tf.dispose([x, bad]);
});

test('predictionDifference warns when its data cannot stand for a distribution', async () => {
  await useBackend();
  const { model } = linearBlackBox([4], 3, 6);
  const one = uniform([1, 4], 1);
  const a = await predictionDifference(model, one, { target: 0 });
  assert.match(String(a.meta.warnings), /imputes the example itself/);
  assert.equal((await a.values.abs().max().data())[0], 0);
  const img = uniform([1, 4, 4, 2], 2, 0, 1);
  const b = await predictionDifference(onePixelProbabilityFor(), img, { window: 2, padding: 1, samples: 2, target: 0 });
  assert.match(String(b.meta.warnings), /fitted a Gaussian over 32 values to only 16 patches/);
  tf.dispose([one, img]);
  [a, b].forEach((r) => r.dispose());
});

function onePixelProbabilityFor(): ReturnType<typeof fromFunction> {
  return fromFunction((z) => tf.tidy(() => {
    const p = tf.sigmoid(z.slice([0, 1, 1, 0], [-1, 1, 1, 1]).reshape([-1, 1]));
    return tf.concat([p, tf.scalar(1).sub(p)], 1);
  }), { inputShape: [4, 4, 2], outputShape: [2] });
}
