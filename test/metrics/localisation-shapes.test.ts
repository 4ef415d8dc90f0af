import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { attributionLocalisation } from '../../src/metrics/attribution-localisation.js';
import { deletion } from '../../src/metrics/deletion.js';
import { focus } from '../../src/metrics/focus.js';
import { localisationAuc } from '../../src/metrics/localisation-auc.js';
import { pointingGame } from '../../src/metrics/pointing-game.js';
import { relevanceMassAccuracy } from '../../src/metrics/relevance-mass-accuracy.js';
import { relevanceRankAccuracy } from '../../src/metrics/relevance-rank-accuracy.js';
import type { MetricResult } from '../../src/metrics/result.js';
import { topKIntersection } from '../../src/metrics/top-k-intersection.js';
import { fromFunction } from '../../src/models/from-function.js';

const [N, H, W, C] = [2, 6, 6, 3];
const model = fromFunction((x) => tf.tidy(() => tf.concat([x.reshape([x.shape[0], -1]).sum(1, true), tf.zeros([x.shape[0], 1])], 1)), { inputShape: [H, W, C], outputShape: [2] });

type Scorer = (x: tf.Tensor, a: tf.Tensor, masks: tf.Tensor) => Promise<MetricResult>;
const quadrants = [[1, 0, 0, 0], [0, 1, 1, 0]];
const metrics: Record<string, Scorer> = {
  'pointing-game': (x, a, masks) => pointingGame(model, x, a, { target: 0, masks }),
  'attribution-localisation': (x, a, masks) => attributionLocalisation(model, x, a, { target: 0, masks }),
  'top-k-intersection': (x, a, masks) => topKIntersection(model, x, a, { target: 0, masks, k: 5 }),
  'relevance-mass-accuracy': (x, a, masks) => relevanceMassAccuracy(model, x, a, { target: 0, masks }),
  'relevance-rank-accuracy': (x, a, masks) => relevanceRankAccuracy(model, x, a, { target: 0, masks }),
  'localisation-auc': (x, a, masks) => localisationAuc(model, x, a, { target: 0, masks }),
  focus: (x, a) => focus(model, x, a, { target: 0, quadrants }),
};

test('localisation metrics take attributions reduced over channels [N, H, W, 1] and masks [N, H, W, 1] or [N, H, W, C], as Quantus does', async () => {
  await useBackend();
  const x = tf.randomUniform([N, H, W, C], 0, 1, 'float32', 1);
  const pixel = tf.randomUniform([N, H, W, 1], -0.2, 1, 'float32', 2);
  // The same evidence per input scalar: each pixel's value in channel 0, zeros elsewhere (channel sums equal `pixel`).
  const full = tf.concat([pixel, tf.zeros([N, H, W, C - 1])], 3);
  const maskPixels = tf.tensor4d(Array.from({ length: N * H * W }, (_, i) => (i % 7 < 3 ? 1 : 0)), [N, H, W, 1]);
  const maskFull = tf.tile(maskPixels, [1, 1, 1, C]);
  for (const [id, score] of Object.entries(metrics)) {
    const reference = (await score(x, full, maskPixels)).scores;
    assert.ok(reference.every(Number.isFinite), `${id}: finite scores`);
    assert.deepEqual((await score(x, pixel, maskPixels)).scores, reference, `${id}: [N, H, W, 1] attributions`);
    assert.deepEqual((await score(x, pixel, maskFull)).scores, reference, `${id}: [N, H, W, C] masks`);
  }
  // Deletion ranks pixels the same way from either shape.
  assert.deepEqual((await deletion(model, x, pixel, { target: 0, steps: 6 })).curves, (await deletion(model, x, full, { target: 0, steps: 6 })).curves);
  await assert.rejects(pointingGame(model, x, tf.zeros([N, H, W, 2]), { target: 0, masks: maskPixels }), /one value per pixel \[2,6,6,1\]; found \[2,6,6,2\]/);
  tf.dispose([x, pixel, full, maskPixels, maskFull]);
});
