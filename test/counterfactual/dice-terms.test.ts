import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { determinantAndInverse, diceTerms } from '../../src/counterfactual/dice-terms.js';
import { Rng } from '../../src/core/random.js';
import { useBackend } from '../../src/engine/backend.js';

test('determinantAndInverse: det and inverse of small matrices (pivoting needed, singular)', () => {
  const { det, inverse } = determinantAndInverse([0, 2, 1, 3], 2);
  assert.equal(det, -2);
  assert.deepEqual(inverse.map((v) => Number(v.toFixed(12))), [-1.5, 1, 0.5, 0]);
  const a = [4, 1, 2, 1, 3, 0.5, 2, 0.5, 5];
  const r = determinantAndInverse(a, 3);
  assert.ok(Math.abs(r.det - (4 * (15 - 0.25) - 1 * (5 - 1) + 2 * (0.5 - 6))) < 1e-12);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    const v = [0, 1, 2].reduce((s, t) => s + a[i * 3 + t] * r.inverse[t * 3 + j], 0);
    assert.ok(Math.abs(v - (i === j ? 1 : 0)) < 1e-12, 'A·A⁻¹ = I');
  }
  assert.equal(determinantAndInverse([1, 2, 2, 4], 2).det, 0);
});

test("diceTerms' value and gradient equal tf.grad of the same loss written in tensor ops (proximity, DPP det, one-hot penalty)", async () => {
  await useBackend();
  const [n, k, d] = [2, 3, 5];
  const rng = new Rng(7);
  const z = Float32Array.from({ length: n * k * d }, () => rng.uniform() * 2 - 1);
  const q = new Float32Array(n * k * d);
  for (let i = 0; i < n; i++) for (let a = 0; a < k; a++) for (let j = 0; j < d; j++) q[(i * k + a) * d + j] = Math.fround(0.1 * j - 0.2 * i);
  const mad = [0.5, 1, 2, 1, 0.25];
  const jitter = [1e-4, 3e-5, 7e-5];
  const groups = [[3, 4]];
  const spec = { n, k, d, invMad: mad.map((v) => 1 / v), jitter, groups, proximityWeight: 0.5, diversityWeight: 1.5, categoricalPenalty: 0.1 };
  const { loss, grad } = diceTerms(z, q, spec);
  // the reference: the loss as a tensor expression, its gradient by tf.grad
  const ref = (zt: tf.Tensor): tf.Scalar => tf.tidy(() => {
    const inv = tf.tensor1d(spec.invMad);
    const query = tf.tensor2d(q, [n * k, d]);
    const prox = zt.sub(query).abs().mul(inv).sum(-1).div(d).reshape([n, k]).mean(-1).sum();
    const dist = zt.reshape([n, k, 1, d]).sub(zt.reshape([n, 1, k, d])).abs().mul(inv).sum(-1).div(d);
    const kernel = tf.onesLike(dist).div(dist.add(1)).add(tf.diag(tf.tensor1d(jitter))).reshape([n, k, k]);
    // det of each 3×3 by the rule of Sarrus
    const e = (r: number, c: number) => kernel.slice([0, r, c], [n, 1, 1]).reshape([n]);
    const det = e(0, 0).mul(e(1, 1).mul(e(2, 2)).sub(e(1, 2).mul(e(2, 1))))
      .sub(e(0, 1).mul(e(1, 0).mul(e(2, 2)).sub(e(1, 2).mul(e(2, 0)))))
      .add(e(0, 2).mul(e(1, 0).mul(e(2, 1)).sub(e(1, 1).mul(e(2, 0)))));
    const mask = tf.tensor2d([[0, 0, 0, 1, 1]]);
    const cat = zt.matMul(mask.transpose()).sub(1).square().sum().div(k);
    return prox.mul(0.5).sub(det.sum().mul(1.5)).add(cat.mul(0.1)) as tf.Scalar;
  });
  const zt = tf.tensor2d(z, [n * k, d]);
  const [refLossT, refGradT] = [ref(zt), tf.grad(ref)(zt)];
  const refLoss = (await refLossT.data())[0];
  const refGrad = await refGradT.data();
  tf.dispose([zt, refLossT, refGradT]);
  assert.ok(Math.abs(loss - refLoss) < 1e-5, `loss ${loss} vs ${refLoss}`);
  for (let p = 0; p < n * k * d; p++) assert.ok(Math.abs(grad[p] - refGrad[p]) < 1e-4, `grad[${p}] ${grad[p]} vs ${refGrad[p]}`);
  assert.ok(grad.some((g, p) => Math.abs(g) > 1e-2 && p % d < 3), 'the gradient is not trivially small');
});
