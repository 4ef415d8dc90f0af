import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { occlusion } from '../../src/attribution/perturbation/occlusion.js';
import { meaningfulPerturbation } from '../../src/attribution/perturbation/meaningful-perturbation.js';
import { predictionDifference } from '../../src/attribution/perturbation/prediction-difference.js';
import { renamedOption, renamedValue } from '../../src/core/deprecated-option.js';
import type { Model } from '../../src/core/model.js';
import { resolveOutputKind } from '../../src/core/perturbation/class-probability.js';
import { useBackend } from '../../src/engine/backend.js';
import { parseMethodOptions } from '../../src/cli/method-options.js';
import { methodById } from '../../src/methods.js';
import { pixelFlipping } from '../../src/metrics/pixel-flipping.js';
import { irof } from '../../src/metrics/irof.js';
import { road } from '../../src/metrics/road.js';
import { fromFunction } from '../../src/models/from-function.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { linearBlackBox, uniform } from '../attribution/perturbation/perturbation-models.js';

/** Runs `fn` with console.warn captured; returns what it printed. */
async function warnings<T>(fn: () => Promise<T> | T): Promise<{ value: T; printed: string[] }> {
  const printed: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void printed.push(args.join(' '));
  try {
    return { value: await fn(), printed };
  } finally {
    console.warn = original;
  }
}

test('renamedOption reads the old name with one warning per process, and the new name wins when both are given', async () => {
  const first = await warnings(() => renamedOption<number>({ sigma: 2 }, 'stdev', 'sigma', 'someMethod'));
  assert.equal(first.value, 2);
  assert.equal(first.printed.length, 1);
  assert.match(first.printed[0], /someMethod: option 'sigma' is deprecated .* use 'stdev'/);
  const again = await warnings(() => renamedOption<number>({ sigma: 3 }, 'stdev', 'sigma', 'someMethod'));
  assert.deepEqual([again.value, again.printed.length], [3, 0]);
  assert.equal(renamedOption<number>({ stdev: 1, sigma: 3 }, 'stdev', 'sigma', 'someMethod'), 1);
  assert.equal(renamedOption<number>({}, 'stdev', 'sigma', 'someMethod'), undefined);
  const v = await warnings(() => renamedValue<string>('logit', { logit: 'logits' }, 'output', 'm'));
  assert.deepEqual([v.value, v.printed.length], ['logits', 1]);
  assert.equal(renamedValue<string>('logits', { logit: 'logits' }, 'output', 'm'), 'logits');
});

test('old option names give the same results as the new ones: noiseStd/stdev, stride/strides, outputs/outputKind, noise/stdev (ROAD)', async () => {
  await useBackend();
  const layers = tf.sequential();
  layers.add(tf.layers.flatten({ inputShape: [8, 8, 1] }));
  layers.add(tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) }));
  const model = fromLayersModel(layers);
  const x = uniform([1, 8, 8, 1], 3, 0, 1);
  const same = async (a: { values: tf.Tensor; dispose(): void }, b: { values: tf.Tensor; dispose(): void }, what: string): Promise<void> => {
    assert.deepEqual(Array.from(await a.values.data()), Array.from(await b.values.data()), what);
    a.dispose();
    b.dispose();
  };
  const mp = { target: 0, perturbation: 'noise' as const, steps: 3, maskSize: 8, seed: 4 };
  const { value: old } = await warnings(() => meaningfulPerturbation(model, x, { ...mp, noiseStd: 0.3, outputs: 'probabilities' }));
  await same(old, await meaningfulPerturbation(model, x, { ...mp, stdev: 0.3, outputKind: 'probabilities' }), 'meaningful perturbation');
  const pd = { target: 0, window: 3, samples: 2, sampling: 'marginal' as const, seed: 2 };
  const { value: oldPd } = await warnings(() => predictionDifference(model, x, { ...pd, stride: 2 }));
  const newPd = await predictionDifference(model, x, { ...pd, strides: 2, window: [3, 3] });
  assert.deepEqual(oldPd.meta.features, newPd.meta.features);
  await same(oldPd, newPd, 'prediction difference');
  await assert.rejects(predictionDifference(model, x, { ...pd, window: [3, 2] }), /window must be square on images/);
  const a = uniform([1, 8, 8, 1], 5);
  const { value: oldRoad } = await warnings(() => road(model, x, a, { target: 0, noise: 0.05, percentages: [10, 50] }));
  assert.deepEqual(oldRoad.curves, (await road(model, x, a, { target: 0, stdev: 0.05, percentages: [10, 50] })).curves);
  const { value: oldOut, printed } = await warnings(() => pixelFlipping(model, x, a, { target: 0, output: 'logit', baseline: 'mean', featuresPerStep: 16 }));
  assert.deepEqual(oldOut.curves, (await pixelFlipping(model, x, a, { target: 0, output: 'logits', baseline: 'example-mean', featuresPerStep: 16 })).curves);
  assert.ok(printed.some((p) => /output 'logit' is deprecated/.test(p)) && printed.some((p) => /'mean' of a metric .* use 'example-mean'/.test(p)), printed.join('\n'));
  const segments = tf.tensor3d(Array.from({ length: 64 }, (_, i) => Math.floor(i / 16)), [1, 8, 8]);
  assert.deepEqual((await irof(model, x, a, { target: 0, segments })).scores, (await irof(model, x, a, { target: 0, segments, baseline: 'example-mean' })).scores);
  tf.dispose([x, a, segments]);
  layers.dispose();
});

test('perturbation methods report meta.features as one count per example', async () => {
  await useBackend();
  const { model } = linearBlackBox([4], 3, 6);
  const x = uniform([3, 4], 1);
  const pd = await predictionDifference(model, x, { target: 0, samples: 2 });
  assert.deepEqual(pd.meta.features, [4, 4, 4]);
  const fp = await (await import('../../src/attribution/perturbation/feature-permutation.js')).featurePermutation(model, x, { target: 0 });
  assert.deepEqual(fp.meta.features, [4, 4, 4]);
  const fa = await (await import('../../src/attribution/perturbation/feature-ablation.js')).featureAblation(model, x, { target: 0 });
  assert.deepEqual(fa.meta.features, [4, 4, 4]);
  tf.dispose([x, pd.values, fp.values, fa.values]);
});

test("the registry accepts an option's deprecated name from the CLI (--opt stride=2) and the method reads it", () => {
  const info = methodById('prediction-difference');
  assert.deepEqual(parseMethodOptions(info, ['stride=2', 'outputs=logits']), { stride: 2, outputs: 'logits' });
  assert.ok(info.options.some((o) => o.name === 'strides' && o.deprecatedNames?.includes('stride')));
  assert.ok(methodById('meaningful-perturbation').options.some((o) => o.name === 'stdev'));
});

test("resolveOutputKind: the option, else the model's own outputKind (no model call), else detection", async () => {
  await useBackend();
  let calls = 0;
  const { outputKind: _declared, ...probs }: Model = fromFunction((x) => {
    calls++;
    return tf.softmax(x.reshape([x.shape[0], -1]));
  }, { inputShape: [3], outputShape: [3] });
  const x = tf.tensor2d([[1, 2, 3]]);
  assert.equal(await resolveOutputKind(probs, x, {}, 'f'), 'probabilities', 'a model that does not say is detected');
  assert.equal(calls, 1, 'detection runs the model once');
  const declared: Model = { ...probs, outputKind: 'logits' };
  assert.equal(await resolveOutputKind(declared, x, {}, 'f'), 'logits');
  assert.equal(await resolveOutputKind(declared, x, { outputKind: 'probabilities' }, 'f'), 'probabilities');
  assert.equal(calls, 1, 'a declared kind needs no model call');
  await assert.rejects(resolveOutputKind(probs, x, { outputKind: 'softmax' as 'logits' }, 'f'), /outputKind must be 'auto', 'probabilities' or 'logits'/);
  x.dispose();
});
