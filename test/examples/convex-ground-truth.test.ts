import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { datasetFromTensors } from '../../src/core/dataset.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { fixtureTensor, type FixtureValue } from '../../src/models/fixture.js';
import { influenceFunction, influenceSelfInfluence } from '../../src/examples/influence-function.js';
import { repoPath } from '../helpers.js';

await useBackend();

interface Convex {
  readonly lambda: number;
  readonly theta_hat: { readonly weight: FixtureValue; readonly bias: FixtureValue };
  readonly leave_one_out: { readonly actual_change_in_test_loss: FixtureValue };
  readonly influence_approximation: { readonly approx: FixtureValue; readonly self_influence: FixtureValue; readonly recommended_float32_tolerance: { readonly tol: number } };
}
const json = JSON.parse(readFileSync(repoPath('test', 'fixtures', 'wave2', 'examples_tanh_mlp.json'), 'utf8')) as {
  convex_ground_truth: Convex;
  dataset: { X_train: FixtureValue; y_train: number[]; X_test: FixtureValue; y_test: number[] };
};
const cgt = json.convex_ground_truth;
const flat = (v: FixtureValue): Float32Array => fixtureTensor(v).dataSync() as Float32Array;

/** Ranks (0-based) of values without ties. */
function ranks(v: ArrayLike<number>): number[] {
  const order = Array.from(v, (_, i) => i).sort((a, b) => v[a] - v[b]);
  const r = new Array<number>(v.length);
  order.forEach((idx, k) => (r[idx] = k));
  return r;
}
function pearson(a: readonly number[], b: readonly number[]): number {
  const ma = a.reduce((s, x) => s + x, 0) / a.length;
  const mb = b.reduce((s, x) => s + x, 0) / b.length;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** The L2 multinomial logistic regression at θ̂ as a one-layer tfjs model. */
function logreg(): { model: ReturnType<typeof fromLayersModel>; layers: tf.LayersModel } {
  const layers = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [6], name: 'linear' })] });
  const w = fixtureTensor(cgt.theta_hat.weight);
  const b = fixtureTensor(cgt.theta_hat.bias);
  const k = w.transpose();
  layers.layers[0].setWeights([k, b]);
  tf.dispose([w, b, k]);
  return { model: fromLayersModel(layers), layers };
}

test('convex ground truth: exact influence (H of the summed CE + λI) matches Captum’s recorded approximation and ranks like leave-one-out retraining (Spearman ≥ 0.95)', async () => {
  const { model, layers } = logreg();
  const d = json.dataset;
  const x = fixtureTensor(d.X_train);
  const y = tf.tensor1d(d.y_train, 'int32');
  const xt = fixtureTensor(d.X_test);
  const yt = tf.tensor1d(d.y_test, 'int32');
  const train = datasetFromTensors(x, y);
  try {
    const before = tf.memory().numTensors;
    const s = await influenceFunction(model, train, { x: xt, y: yt }, { hessianReg: cgt.lambda, batchSize: 16 });
    const self = await influenceSelfInfluence(model, train, { hessianReg: cgt.lambda, batchSize: 16 });
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    const ref = flat(cgt.influence_approximation.approx);
    const tol = cgt.influence_approximation.recommended_float32_tolerance.tol;
    const scale = Math.max(...Array.from(ref, Math.abs));
    const err = Math.max(...Array.from(s.scores, (v, i) => Math.abs(v - ref[i])));
    assert.ok(err <= tol * scale + 1e-7, `influence vs recorded approximation: ${err} > ${tol * scale + 1e-7}`);
    const selfRef = flat(cgt.influence_approximation.self_influence);
    const selfScale = Math.max(...Array.from(selfRef, Math.abs));
    assert.ok(Math.max(...Array.from(self, (v, i) => Math.abs(v - selfRef[i]))) <= tol * selfScale + 1e-7, 'self-influence');
    const actual = flat(cgt.leave_one_out.actual_change_in_test_loss);
    const rho = pearson(ranks(s.scores), ranks(actual));
    assert.ok(rho >= 0.95, `Spearman with actual leave-one-out: ${rho}`);
    // Conjugate gradients solve the same system: the same scores.
    const cg = await influenceFunction(model, train, { x: xt.slice(0, 2), y: yt.slice(0, 2) }, { solver: 'cg', hessianReg: cgt.lambda, batchSize: 16, cgTolerance: 1e-7 });
    const cgErr = Math.max(...Array.from(cg.scores, (v, i) => Math.abs(v - ref[i])));
    assert.ok(cgErr <= 1e-3 * scale, `CG vs exact: ${cgErr}`);
    // LiSSA (Koh & Liang's recursion) converges to the same solution given enough depth.
    const li = await influenceFunction(model, train, { x: xt.slice(0, 1), y: yt.slice(0, 1) }, { solver: 'lissa', hessianReg: cgt.lambda, scale: 30, depth: 300, lissaBatchSize: 48, batchSize: 16, seed: 3 });
    const liErr = Math.max(...Array.from(li.scores, (v, i) => Math.abs(v - ref[i])));
    assert.ok(liErr <= 1e-2 * scale, `LiSSA vs exact: ${liErr} (scale ${scale})`);
  } finally {
    tf.dispose([x, y, xt, yt]);
    layers.dispose();
  }
});
