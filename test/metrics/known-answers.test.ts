import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { aopc } from '../../src/metrics/aopc.js';
import { attributionLocalisation } from '../../src/metrics/attribution-localisation.js';
import { complexity } from '../../src/metrics/complexity.js';
import { completeness } from '../../src/metrics/completeness.js';
import { deletion } from '../../src/metrics/deletion.js';
import { effectiveComplexity } from '../../src/metrics/effective-complexity.js';
import { insertion } from '../../src/metrics/insertion.js';
import { localisationAuc } from '../../src/metrics/localisation-auc.js';
import { pixelFlipping } from '../../src/metrics/pixel-flipping.js';
import { pointingGame } from '../../src/metrics/pointing-game.js';
import { relevanceMassAccuracy } from '../../src/metrics/relevance-mass-accuracy.js';
import { relevanceRankAccuracy } from '../../src/metrics/relevance-rank-accuracy.js';
import { sparseness } from '../../src/metrics/sparseness.js';
import { topKIntersection } from '../../src/metrics/top-k-intersection.js';
import { linearModel } from '../toy-models.js';

const close = (got: number, want: number, what: string, tol = 1e-5): void => assert.ok(Math.abs(got - want) <= tol, `${what}: ${got}, expected ${want}`);

// y₀ = 2x₀ + 4x₁ + x₂ + 3x₃ (y₁ = −y₀) at x = 1: contributions 2, 4, 1, 3 and f(x) = 10, f(0) = 0.
// Most relevant first removes 4, 3, 2, 1: the logit falls 10 → 6 → 3 → 1 → 0; least relevant first 10 → 9 → 7 → 4 → 0.
const w = [2, 4, 1, 3];
const toy = (): ReturnType<typeof linearModel> => linearModel(w.map((v) => [v, -v]));
const opts = { target: 0, baseline: 0, output: 'logit' as const };
/** Trapezoid area over [0, 1] of equally spaced points. */
const area = (c: number[]): number => (c.slice(1).reduce((s, v, i) => s + (v + c[i]) / 2, 0)) / (c.length - 1);
const MORF = [10, 6, 3, 1, 0];
const LERF = [10, 9, 7, 4, 0];

test('deletion, insertion and pixel flipping of a linear model: the curves and areas worked out by hand, for the order and its reverse', async () => {
  await useBackend();
  const { model, layers } = toy();
  const x = tf.ones([1, 4]);
  const a = tf.tensor2d([w]);
  const rev = tf.neg(a);
  close(area(MORF), 3.75, 'the hand-computed area itself');
  const del = await deletion(model, x, a, { ...opts, steps: 4 });
  assert.deepEqual(del.curves?.[0].map((v) => Math.round(v * 1e5) / 1e5), MORF);
  close(del.scores[0], 3.75, 'deletion AUC, most relevant first');
  close((await deletion(model, x, rev, { ...opts, steps: 4 })).scores[0], area(LERF), 'deletion AUC of the reverse order');
  const ins = await insertion(model, x, a, { ...opts, steps: 4 });
  assert.deepEqual(ins.curves?.[0].map((v) => Math.round(v * 1e5) / 1e5), [0, 4, 7, 9, 10]);
  close(ins.scores[0], 6.25, 'insertion AUC');
  close((await insertion(model, x, rev, { ...opts, steps: 4 })).scores[0], 3.75, 'insertion AUC of the reverse order');
  const pf = await pixelFlipping(model, x, a, opts);
  assert.deepEqual(pf.curves?.[0].map((v) => Math.round(v * 1e5) / 1e5), MORF);
  close(pf.scores[0], 3.75, 'pixel-flipping AUC');
  tf.dispose([x, a, rev]);
  layers.dispose();
});

test('AOPC of a linear model: mean drop most relevant first (30/5) minus least relevant first (20/5) = 2', async () => {
  await useBackend();
  const { model, layers } = toy();
  const x = tf.ones([1, 4]);
  const a = tf.tensor2d([w]);
  const r = await aopc(model, x, a, { ...opts, patchSize: 1 });
  const mean = (c: number[]): number => c.reduce((s, v) => s + (10 - v), 0) / c.length;
  close(r.scores[0], mean(MORF) - mean(LERF), 'AOPC');
  close(r.scores[0], 2, 'AOPC');
  tf.dispose([x, a]);
  layers.dispose();
});

test('completeness: 0 for x ⊙ w on a bias-free linear model, 2 for its negation (|−Σa − Σa| / |Σa|)', async () => {
  await useBackend();
  const { model, layers } = toy();
  const x = tf.tensor2d([[1, 1, 1, 1], [0.5, -1, 2, 0.25]]);
  const a = tf.tidy(() => x.mul(tf.tensor1d(w)));
  const rev = tf.neg(a);
  for (const v of (await completeness(model, x, a, { target: 0 })).scores) close(v, 0, 'gap of the exact attribution');
  for (const v of (await completeness(model, x, rev, { target: 0 })).scores) close(v, 2, 'gap of the negated attribution');
  tf.dispose([x, a, rev]);
  layers.dispose();
});

test('localisation metrics on a constructed mask: the pointing game hits or misses with the maximum, the other scores are the hand-computed fractions', async () => {
  await useBackend();
  const F = 8;
  const { model, layers } = linearModel(Array.from({ length: F }, (_, i) => [1, i]));
  const x = tf.ones([2, F]);
  const mask = [0, 0, 1, 1, 0, 0, 0, 0];
  const masks = tf.tensor2d([mask, mask]);
  // Example 0: the maximum (5) is in the mask. Example 1: the maximum (6) is outside, and the mask holds the 3rd and 8th largest.
  const hit = [0.1, 0.2, 5, 0.3, 1, 0.4, 0.5, 0.6];
  const miss = [0.1, 0.2, 0.7, 0.05, 6, 0.4, 0.5, 0.8];
  const a = tf.tensor2d([hit, miss]);
  assert.deepEqual((await pointingGame(model, x, a, { masks })).scores, [1, 0]);
  const total = (v: number[]): number => v.reduce((s, t) => s + t, 0);
  const rma = (await relevanceMassAccuracy(model, x, a, { masks })).scores;
  close(rma[0], 5.3 / total(hit), 'relevance mass inside, hit');
  close(rma[1], 0.75 / total(miss), 'relevance mass inside, miss');
  const al = (await attributionLocalisation(model, x, a, { masks })).scores;
  close(al[0], 5.3 / total(hit), 'attribution localisation, hit');
  close(al[1], 0.75 / total(miss), 'attribution localisation, miss');
  // The 2 largest: hit → 5 (in), 1 (out); miss → 6 (out), 0.8 (out).
  assert.deepEqual((await relevanceRankAccuracy(model, x, a, { masks })).scores, [0.5, 0]);
  assert.deepEqual((await topKIntersection(model, x, a, { masks, k: 2 })).scores, [0.5, 0]);
  // ROC AUC = P(a_in > a_out) over 2 × 6 pairs: hit → 5 beats 6, 0.3 beats 0.1 and 0.2: 8/12; miss → 0.7 beats 4, 0.05 none: 4/12.
  const auc = (await localisationAuc(model, x, a, { masks })).scores;
  close(auc[0], 8 / 12, 'localisation AUC, hit');
  close(auc[1], 4 / 12, 'localisation AUC, miss');
  tf.dispose([x, masks, a]);
  layers.dispose();
});

test('complexity metrics on half a map: Gini 1/2, entropy ln 2, two effective features; one-hot and uniform bound them', async () => {
  await useBackend();
  const F = 4;
  const { model, layers } = linearModel(Array.from({ length: F }, () => [1, -1]));
  const x = tf.ones([3, F]);
  const a = tf.tensor2d([[0, 1, 0, 1], [0, 0, 3, 0], [2, 2, 2, 2]]);
  const gini = (await sparseness(model, x, a)).scores;
  // Gini of sorted |a| (Hurley & Rickard): Σ (2i − n − 1) aᵢ / (n Σ a) = (1 + 3) / (4 · 2) for [0, 0, 1, 1]; (n − 1)/n one-hot; 0 uniform.
  close(gini[0], 0.5, 'Gini of half a map');
  close(gini[1], 3 / 4, 'Gini of a one-hot map');
  close(gini[2], 0, 'Gini of a uniform map');
  const h = (await complexity(model, x, a)).scores;
  close(h[0], Math.log(2), 'entropy of half a map');
  close(h[1], 0, 'entropy of a one-hot map');
  close(h[2], Math.log(4), 'entropy of a uniform map');
  assert.deepEqual((await effectiveComplexity(model, x, a)).scores, [2, 1, 4]);
  tf.dispose([x, a]);
  layers.dispose();
});
