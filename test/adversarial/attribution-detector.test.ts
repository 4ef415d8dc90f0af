import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { fgsm } from '../../src/adversarial/fgsm.js';
import { pgd } from '../../src/adversarial/pgd.js';
import type { AttackResult } from '../../src/adversarial/attack-result.js';
import { attributionStatistics } from '../../src/adversarial/detection/attribution-statistics.js';
import { sortedQuantile } from '../../src/core/percentile.js';
import { attributionDetectionFeatures, type DetectionFeatures } from '../../src/adversarial/detection/detection-features.js';
import { detectorAuc, detectorScores, fitAttributionDetector } from '../../src/adversarial/detection/attribution-detector.js';
import { LumenError } from '../../src/core/errors.js';
import type { Model } from '../../src/core/model.js';
import { loadMnist, mnistBatch, mnistSplit } from '../../src/data/mnist.js';
import { useBackend } from '../../src/engine/backend.js';
import { rocAuc } from '../../src/metrics/roc-auc.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { repoPath } from '../helpers.js';

test('rocAuc: hand cases — P(s₊ > s₀) + ½ P(s₊ = s₀), NaN for one class, bad labels refused', () => {
  assert.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75); // pairs (0.35>0.1), (0.35<0.4), (0.8>0.1), (0.8>0.4): 3/4
  assert.equal(rocAuc([0, 1, 1], [0, 1, 0]), 0.75); // the positive beats 0 and ties 1: (1 + ½)/2
  assert.equal(rocAuc([2, 2, 2, 2], [1, 0, 1, 0]), 0.5);
  assert.equal(rocAuc([1, 2, 3], [0, 1, 1]), 1);
  assert.equal(rocAuc([3, 2, 1], [false, true, true]), 0);
  assert.equal(rocAuc([5, 1, 3, 3, 2], [1, 0, 1, 0, 0]), (3 + (2 + 0.5)) / 6);
  assert.ok(Number.isNaN(rocAuc([1, 2], [1, 1])));
  assert.throws(() => rocAuc([1, 2], [0, 2]), LumenError);
  assert.throws(() => rocAuc([1, NaN], [0, 1]), LumenError);
  assert.throws(() => rocAuc([1, 2, 3], [0, 1]), LumenError);
});

test("rocAuc equals scikit-learn 1.2.1's roc_auc_score on every committed case (ties, all tied, separating, unbalanced)", () => {
  const fixture = JSON.parse(readFileSync(repoPath('test', 'fixtures', 'sklearn', 'roc_auc.json'), 'utf8')) as { cases: { name: string; scores: number[]; labels: number[]; auc: number }[] };
  assert.ok(fixture.cases.length >= 10);
  for (const c of fixture.cases) assert.ok(Math.abs(rocAuc(c.scores, c.labels) - c.auc) < 1e-12, `${c.name}: ${rocAuc(c.scores, c.labels)} vs ${c.auc}`);
});

test('attributionStatistics: IQR with numpy interpolation, population std, top-5 % share of |a|', () => {
  assert.equal(sortedQuantile([1, 2, 3, 4], 0.75), 3.25);
  assert.equal(sortedQuantile([1, 2, 3, 4], 0.25), 1.75);
  const s = attributionStatistics([4, 1, 3, 2, -10, 0, 0, 0], 2, 4);
  assert.equal(s[0], 1.5);
  assert.ok(Math.abs(s[1] - Math.sqrt(1.25)) < 1e-12);
  assert.equal(s[2], 4 / 10); // one value of four is the top 5 % (at least one): |4| of Σ|a| = 10
  assert.equal(s[3], 2.5); // [-10, 0, 0, 0]: Q₁ = −2.5, Q₃ = 0
  assert.equal(s[5], 1);
  assert.throws(() => attributionStatistics([1, 2, 3], 2, 2), LumenError);
});

test('fitAttributionDetector: two separated feature clouds give AUC 1; identical clouds give ½ (every score ties)', () => {
  const cloud = (shift: number, rows: number) => ({ rows, cols: 2, data: Float64Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? shift + ((i * 7919) % 13) / 13 : ((i * 104729) % 17) / 17)) });
  const det = fitAttributionDetector(cloud(0, 20), cloud(3, 20));
  assert.equal(detectorAuc(det, cloud(0, 15), cloud(3, 15)), 1);
  const same = fitAttributionDetector(cloud(0, 20), cloud(0, 20));
  assert.equal(detectorAuc(same, cloud(0, 15), cloud(0, 15)), 0.5, 'identical clouds: every score ties');
  assert.throws(() => detectorScores(det, { rows: 1, cols: 3, data: new Float64Array(3) }), LumenError);
});

/** Features of the correctly classified clean digits that `attack` fooled, and of their adversarial versions. */
async function features(model: Model, indices: number[], labels: ArrayLike<number>, attack: (x: tf.Tensor) => Promise<AttackResult>): Promise<{ clean: DetectionFeatures; adv: DetectionFeatures; n: number }> {
  const data = loadMnist();
  const x = mnistBatch(data, indices);
  const r = await attack(x);
  const keep = r.success.flatMap((s, i) => (s && r.originalPredictions[i] === labels[indices[i]] ? [i] : []));
  const k = tf.tensor1d(keep, 'int32');
  const xc = tf.gather(x, k);
  const xa = tf.gather(r.perturbed, k);
  try {
    return { clean: await attributionDetectionFeatures(model, xc), adv: await attributionDetectionFeatures(model, xa), n: keep.length };
  } finally {
    tf.dispose([x, k, xc, xa]);
    r.dispose();
  }
}

test('ML-LOO detector on the bundled MNIST CNN: fitted on FGSM (ε 0.2) of 48 digits, held-out AUC on PGD (ε 0.15) of 48 other digits above 0.9; no tensor left', async () => {
  await useBackend();
  const { model: lm } = await loadBundledModel('mnist');
  const model = fromLayersModel(lm);
  const data = loadMnist();
  const held = Array.from(mnistSplit(data).heldOut);
  const before = tf.memory().numTensors;
  const train = await features(model, held.slice(0, 48), data.labels, (x) => fgsm(model, x, { epsilon: 0.2, bounds: [0, 1] }));
  const test2 = await features(model, held.slice(48, 96), data.labels, (x) => pgd(model, x, { radius: 0.15, stepSize: 0.03, steps: 10, bounds: [0, 1] }));
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  assert.ok(train.n >= 30 && test2.n >= 30, `enough fooled digits: ${train.n}, ${test2.n}`);
  assert.equal(train.clean.names.length, 9);
  assert.equal(train.clean.matrix.cols, 9);
  const det = fitAttributionDetector(train.clean.matrix, train.adv.matrix);
  const heldOut = detectorAuc(det, test2.clean.matrix, test2.adv.matrix);
  assert.ok(heldOut > 0.9, `held-out PGD AUC ${heldOut}`);
  // The features are deterministic: the same digits give the same numbers.
  const x = mnistBatch(data, held.slice(0, 2));
  const [f1, f2] = [await attributionDetectionFeatures(model, x), await attributionDetectionFeatures(model, x)];
  assert.deepEqual(f1.matrix.data, f2.matrix.data);
  await assert.rejects(attributionDetectionFeatures(model, x, { maps: ['grad-cam' as never] }), LumenError);
  x.dispose();
  lm.dispose();
});
