import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { datasetFromTensors } from '../../src/core/dataset.js';
import { cholesky, choleskySolve } from '../../src/core/cholesky.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { encodePenguins, loadPenguins, penguinSplit, penguinStandardization } from '../../src/data/penguins.js';
import { influenceFunction } from '../../src/examples/influence-function.js';
import { batchHessianVectorProduct } from '../../src/examples/hessian-vector-product.js';
import { perExampleLoss } from '../../src/examples/example-loss.js';
import type { Model } from '../../src/core/model.js';

await useBackend();

const LAMBDA = 1;

/** J(θ) = Σ CE + λ/2‖θ‖² of the head on (h, y): value, gradient (flat) and Hessian (flat, float64). */
function objective(head: Model, h: tf.Tensor, y: tf.Tensor): { grad: Float64Array; hessian: Float64Array } {
  const params = head.parameters ?? [];
  const g = tf.tidy(() => {
    const f = (...vs: tf.Tensor[]): tf.Scalar =>
      tf.add(tf.sum(perExampleLoss(head, head.run(h, { params: Object.fromEntries(params.map((p, i) => [p.name, vs[i]])) }).output, y)), tf.mul(LAMBDA / 2, tf.addN(vs.map((v) => tf.sum(tf.square(v)))))) as tf.Scalar;
    return tf.concat(tf.grads(f)(params.map((p) => p.value)).map((t) => t.reshape([-1])));
  });
  const grad = Float64Array.from(g.dataSync());
  g.dispose();
  const n = grad.length;
  const hessian = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const col = tf.tidy(() => batchHessianVectorProduct(head, params, h, y, 'cross-entropy', tf.oneHot(tf.tensor1d([k], 'int32'), n).reshape([n]).toFloat() as tf.Tensor1D));
    const v = col.dataSync();
    col.dispose();
    for (let r = 0; r < n; r++) hessian[r * n + k] = v[r] + (r === k ? LAMBDA : 0);
  }
  return { grad, hessian };
}

/** Newton's method on J from the head's current parameters, to max|∇J| < 1e-4 (float32). */
function newton(head: Model, h: tf.Tensor, y: tf.Tensor): void {
  const params = head.parameters ?? [];
  for (let it = 0; it < 30; it++) {
    const { grad, hessian } = objective(head, h, y);
    if (Math.max(...Array.from(grad, Math.abs)) < 1e-4) return;
    const step = choleskySolve(cholesky(hessian, grad.length), grad, grad.length);
    let offset = 0;
    const next: Record<string, tf.Tensor> = {};
    for (const p of params) {
      const size = p.shape.reduce((a, b) => a * b, 1);
      next[p.name] = tf.tidy(() => tf.sub(p.value, tf.tensor(Float32Array.from(step.subarray(offset, offset + size)), p.shape as number[])));
      offset += size;
    }
    head.setParameters?.(next);
    tf.dispose(Object.values(next));
  }
  assert.fail('Newton did not converge');
}

function testLoss(head: Model, h: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => tf.sum(perExampleLoss(head, head.run(h).output, y)).dataSync()[0]);
}

test('retraining the penguins MLP’s classifier layer without each of its 10 most influential rows moves the held-out loss the way influence predicted (sign agreement ≥ 90 %)', async () => {
  // The hidden layers are kept (their features fixed); the last layer is refit to the L2-regularised
  // optimum (J = Σ CE + λ/2‖θ‖², λ = 1) by Newton's method: the convex setting influence functions assume.
  const { model: layers, meta } = await loadBundledModel('penguins');
  const data = loadPenguins();
  const split = penguinSplit(data);
  const stats = penguinStandardization(data, split.train);
  const features = (idx: ArrayLike<number>): tf.Tensor => tf.tensor2d(encodePenguins(Array.from(idx, (k) => data.rows[k]), stats), [idx.length, meta.featureNames?.length ?? 9]);
  const mlp = fromLayersModel(layers);
  const xTrain = features(split.train);
  const xTest = features(split.heldOut);
  const yTrain = tf.tensor1d(Array.from(split.train, (k) => data.labels[k]), 'int32');
  const yTest = tf.tensor1d(Array.from(split.heldOut, (k) => data.labels[k]), 'int32');
  const penultimate = mlp.layers[mlp.layers.length - 2].name;
  const [hTrain, hTest] = tf.tidy(() => [mlp.run(xTrain, { capture: [penultimate] }).captured[penultimate], mlp.run(xTest, { capture: [penultimate] }).captured[penultimate]]);
  const headLayers = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [hTrain.shape[1] as number], name: 'head' })] });
  headLayers.layers[0].setWeights(layers.layers[layers.layers.length - 1].getWeights());
  const head = fromLayersModel(headLayers);
  try {
    newton(head, hTrain, yTrain);
    const optimum = Object.fromEntries((head.parameters ?? []).map((p) => [p.name, p.value.clone()]));
    const base = testLoss(head, hTest, yTest);
    // Influence of each training row on the summed held-out loss: Σ_t score[t, j].
    const s = await influenceFunction(head, datasetFromTensors(hTrain, yTrain), { x: hTest, y: yTest }, { hessianReg: LAMBDA });
    const [t, n] = s.shape;
    const total = Array.from({ length: n }, (_, j) => {
      let v = 0;
      for (let i = 0; i < t; i++) v += s.scores[i * n + j];
      return v;
    });
    const top = total.map((v, j) => ({ v, j })).sort((a, b) => Math.abs(b.v) - Math.abs(a.v)).slice(0, 10);
    let agree = 0;
    for (const { v, j } of top) {
      const keep = Int32Array.from(Array.from({ length: n }, (_, i) => i).filter((i) => i !== j));
      const [h, y] = tf.tidy(() => [tf.gather(hTrain, keep), tf.gather(yTrain, keep)]);
      head.setParameters?.(optimum);
      newton(head, h, y);
      const change = testLoss(head, hTest, yTest) - base;
      if (Math.sign(change) === Math.sign(v)) agree++;
      tf.dispose([h, y]);
    }
    assert.ok(agree >= 9, `sign agreement ${agree}/10`);
    tf.dispose(Object.values(optimum));
  } finally {
    tf.dispose([xTrain, xTest, yTrain, yTest, hTrain, hTest]);
    headLayers.dispose();
    layers.dispose();
  }
});
