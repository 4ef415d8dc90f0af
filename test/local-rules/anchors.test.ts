import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { datasetFromArrays } from '../../src/core/dataset.js';
import type { RuleCondition } from '../../src/core/explanation.js';
import { LumenError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { useBackend } from '../../src/engine/backend.js';
import { anchorImage } from '../../src/local-rules/anchor-image.js';
import { anchorTabular } from '../../src/local-rules/anchor-tabular.js';
import { anchorText } from '../../src/local-rules/anchor-text.js';
import { klLowerBound, klUpperBound, klBernoulli } from '../../src/local-rules/kl-bounds.js';
import { predictedLabels } from '../../src/local-rules/predicted-labels.js';
import { tabularAnchorSampler } from '../../src/local-rules/tabular-anchor-sampler.js';
import { PENGUIN_FEATURES } from '../../src/data/penguins.js';
import { fromFunction } from '../../src/models/from-function.js';
import { penguinFixture } from './penguin-fixture.js';

function holds(c: RuleCondition, v: number): boolean {
  const t = c.value as number;
  return c.op === '<=' ? v <= t : c.op === '>' ? v > t : c.op === '<' ? v < t : c.op === '>=' ? v >= t : v === t;
}

test('klUpperBound / klLowerBound bracket p at the KL level asked', () => {
  for (const [p, level] of [[0.9, 0.05], [0.5, 0.2], [1, 0.01], [0, 0.3]]) {
    const ub = klUpperBound(p, level);
    const lb = klLowerBound(p, level);
    assert.ok(lb <= p + 1e-12 && p <= ub + 1e-12, `${lb} ≤ ${p} ≤ ${ub}`);
    if (ub < 1) assert.ok(Math.abs(klBernoulli(p, ub) - level) < 1e-3, `KL(p‖ub) = ${klBernoulli(p, ub)} vs ${level}`);
    if (lb > 0) assert.ok(Math.abs(klBernoulli(p, lb) - level) < 1e-3, `KL(p‖lb) = ${klBernoulli(p, lb)} vs ${level}`);
  }
});

test('anchorTabular on the bundled penguins model: re-measured precision ≥ threshold in ≥ 90 % of 50 rows; coverage is the joint share', async () => {
  await useBackend();
  const f = await penguinFixture();
  const d = PENGUIN_FEATURES.length;
  const rows = tf.tensor(f.heldOut.subarray(0, 50 * d), [50, d]);
  const before = tf.memory().numTensors;
  const e = await anchorTabular(f.model, f.train, rows, { seed: 3 });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  assert.equal(e.kind, 'rules');
  assert.equal(e.rules.length, 50);
  const labels = e.meta?.labels as number[];
  const anchors = e.meta?.anchors as { features: number[] }[];
  const kinds = PENGUIN_FEATURES.map((_, c) => (c < 4 ? 'numeric' as const : 'categorical' as const));
  const trainCount = f.trainRows.length / d;
  let kept = 0;
  let multi = 0;
  for (let i = 0; i < 50; i++) {
    const instance = f.heldOut.subarray(i * d, (i + 1) * d);
    const sampler = tabularAnchorSampler(f.trainRows, trainCount, instance, kinds, PENGUIN_FEATURES);
    const { inputs } = sampler.sample(anchors[i].features, 1000, new Rng(1000 + i));
    const { labels: fresh } = await predictedLabels(f.model, inputs, 1000, 'float32', 1000);
    const precision = fresh.filter((c) => c === labels[i]).length / 1000;
    if (precision >= 0.95) kept++;
    // Coverage: the share of training rows meeting every condition, measured here from the rule itself.
    const rule = e.rules[i];
    for (const c of rule.conditions) assert.ok(holds(c, instance[PENGUIN_FEATURES.indexOf(c.feature)]), 'the instance meets its own anchor');
    let covered = 0;
    for (let r = 0; r < trainCount; r++) if (rule.conditions.every((c) => holds(c, f.trainRows[r * d + PENGUIN_FEATURES.indexOf(c.feature)]))) covered++;
    const exact = covered / trainCount;
    const sd = Math.sqrt((exact * (1 - exact)) / 10000);
    assert.ok(Math.abs(rule.coverage - exact) <= 5 * sd + 1e-9, `row ${i}: coverage ${rule.coverage} vs joint share ${exact}`);
    if (anchors[i].features.length >= 2) multi++;
  }
  assert.ok(kept >= 45, `precision ≥ 0.95 re-measured in ${kept} of 50 rows`);
  assert.ok(multi >= 10, `multi-condition anchors checked: ${multi}`);
  rows.dispose();
  f.dispose();
});

test('anchorTabular on a black box that reads one column finds that column alone, and is seeded', async () => {
  await useBackend();
  const rng = new Rng(5);
  const data = Array.from({ length: 200 }, () => Array.from(rng.uniforms(3, -1, 1)));
  const model = fromFunction((x) => tf.tidy(() => {
    const s = x.slice([0, 1], [-1, 1]);
    return tf.concat([s.neg(), s], 1);
  }), { inputShape: [3], outputShape: [2] });
  const rows = tf.tensor2d([[0.1, 0.9, -0.3]]);
  const e = await anchorTabular(model, datasetFromArrays(data), rows, { seed: 9 });
  const again = await anchorTabular(model, datasetFromArrays(data), rows, { seed: 9 });
  assert.deepEqual(again, e);
  assert.deepEqual((e.meta?.anchors as { features: number[] }[])[0].features, [1]);
  assert.equal(e.rules[0].precision, 1);
  assert.deepEqual(e.rules[0].conditions.map((c) => [c.feature, c.op]), [['x1', '>']]);
  assert.ok(Math.abs(e.rules[0].coverage - 0.25) < 0.05, `top quartile covers a quarter: ${e.rules[0].coverage}`);
  // pulls of several arms share a model call: fewer search calls than pulls of 100 samples
  const calls = (e.meta?.modelCalls as number) - (e.meta?.instanceCalls as number);
  const samples = (e.meta?.anchors as { samples: number }[])[0].samples;
  assert.ok(calls < samples / 100, `${calls} calls for ${samples} samples`);
  rows.dispose();
});

test('anchorTabular: the rows\' searches share model calls; meta.modelCalls counts every call made', async () => {
  await useBackend();
  const rng = new Rng(6);
  const data = Array.from({ length: 200 }, () => Array.from(rng.uniforms(3, -1, 1)));
  let made = 0;
  const model = fromFunction((x) => tf.tidy(() => {
    made++;
    const s = x.slice([0, 1], [-1, 1]);
    return tf.concat([s.neg(), s], 1);
  }), { inputShape: [3], outputShape: [2] });
  const rows = tf.tensor2d([[0.1, 0.9, -0.3], [0.5, -0.8, 0.2], [-0.4, 0.7, 0.9], [0.2, -0.6, -0.1]]);
  const together = await anchorTabular(model, datasetFromArrays(data), rows, { seed: 3 });
  assert.equal(together.meta?.modelCalls, made, 'meta.modelCalls is the number of forward calls');
  // each row alone (same seeds: row i's search uses seed + i)
  let alone = 0;
  for (let i = 0; i < 4; i++) {
    const row = rows.slice([i, 0], [1, 3]);
    made = 0;
    const one = await anchorTabular(model, datasetFromArrays(data), row, { seed: 3 + i });
    alone += made;
    assert.deepEqual(one.rules[0].conditions, together.rules[i].conditions, `row ${i}: same anchor alone and together`);
    row.dispose();
  }
  const shared = together.meta?.modelCalls as number;
  assert.ok(shared < alone, `${shared} shared calls vs ${alone} one row at a time`);
  rows.dispose();
});

test('anchorImage keeps the one superpixel a model reads (precision 1, coverage ≈ keep probability)', async () => {
  await useBackend();
  const h = 8;
  const map = tf.tensor3d(Array.from({ length: h * h }, (_, p) => (Math.floor(p / h) < 4 ? 0 : 2) + (p % h < 4 ? 0 : 1)), [1, h, h], 'int32');
  const image = tf.tensor4d(Array.from({ length: h * h }, (_, p) => (Math.floor(p / h) >= 4 && p % h >= 4 ? 1 : 0.5)), [1, h, h, 1]);
  // class 1 iff the bottom-right quadrant is bright (> 0.75 on average)
  const model = fromFunction((x) => tf.tidy(() => {
    const q = x.slice([0, 4, 4, 0], [-1, 4, 4, 1]).mean([1, 2, 3]).reshape([-1, 1]);
    const s = q.sub(0.75);
    return tf.concat([s.neg(), s], 1);
  }), { inputShape: [h, h, 1], outputShape: [2] });
  const e = await anchorImage(model, image, { superpixels: map, background: 0, seed: 2 });
  assert.equal(e.rules[0].outcome, 1);
  assert.deepEqual((e.meta?.anchors as { features: number[] }[])[0].features, [3]);
  assert.equal(e.rules[0].precision, 1);
  assert.ok(Math.abs(e.rules[0].coverage - 0.5) < 0.03, `coverage ${e.rules[0].coverage}`);
  tf.dispose([map, image]);
});

test('anchorText keeps the token the model looks for; padding is never a feature', async () => {
  await useBackend();
  // class 1 iff token 7 occurs
  const model = fromFunction((x) => tf.tidy(() => {
    const has = x.equal(7).any(1).cast('float32').reshape([-1, 1]);
    return tf.concat([has.neg(), has], 1);
  }), { inputShape: [6], outputShape: [2] });
  const tokens = tf.tensor2d([[3, 9, 7, 5, 0, 0]], [1, 6], 'int32');
  const e = await anchorText(model, tokens, { unkToken: 1, padToken: 0, vocabulary: ['<pad>', '<unk>', 'a', 'the', 'b', 'good', 'c', 'great', 'd', 'film'], seed: 4 });
  assert.deepEqual(e.rules[0].conditions, [{ feature: 'token@2', op: '==', value: 'great' }]);
  assert.equal(e.rules[0].precision, 1);
  assert.deepEqual((e.meta?.positions as number[][])[0], [0, 1, 2, 3]);
  assert.ok(Math.abs(e.rules[0].coverage - 0.5) < 0.03);
  tokens.dispose();
});

test('anchors refuse bad options and shapes with a LumenError saying what was expected', async () => {
  await useBackend();
  const model = fromFunction((x) => x.slice([0, 0], [-1, 2]), { inputShape: [3], outputShape: [2] });
  const data = datasetFromArrays([[0, 0, 0], [1, 1, 1]]);
  const rows = tf.tensor2d([[0, 0, 0]]);
  await assert.rejects(anchorTabular(model, data, rows, { threshold: 1.5 }), (e: unknown) => e instanceof LumenError && /threshold must be in \(0, 1\]; found 1.5/.test(e.message));
  await assert.rejects(anchorTabular(model, data, rows, { beamSize: 0 }), (e: unknown) => e instanceof LumenError && /beamSize must be a positive integer/.test(e.message));
  const wrong = tf.tensor2d([[0, 0]]);
  await assert.rejects(anchorTabular(model, data, wrong), (e: unknown) => e instanceof LumenError && /rows must be \[N, 3\]/.test(e.message));
  await assert.rejects(anchorText(model, rows, { unkToken: 0.5 }), (e: unknown) => e instanceof LumenError && /unkToken must be an integer/.test(e.message));
  await assert.rejects(anchorImage(model, rows), (e: unknown) => e instanceof LumenError && /expected images \[N, H, W, C\]/.test(e.message));
  tf.dispose([rows, wrong]);
});
