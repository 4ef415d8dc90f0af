import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { scoreCam } from '../../../src/attribution/cam/score-cam.js';
import { LumenError } from '../../../src/core/errors.js';
import type { Model } from '../../../src/core/model.js';
import { fromFunction } from '../../../src/models/from-function.js';
import { localMethodById } from '../../../src/methods.js';
import { useBackend } from '../../../src/engine/backend.js';
import { countingModel, maxAbsDiff, tanhMlp } from '../../toy-models.js';
import { flatCnn, images, torchInterpolate } from './cam-models.js';

/** Score-CAM written out one mask at a time, as the paper's algorithm reads. */
async function textbookScoreCam(model: ReturnType<typeof flatCnn>['model'], x: tf.Tensor4D, layer: string, targets: number[]): Promise<Float32Array> {
  const maps = tf.tidy(() => model.run(x, { capture: [layer] }).captured[layer]);
  const [n, h, w, C] = maps.shape;
  const [, H, W, Cin] = x.shape;
  const a = await maps.data();
  const xs = await x.data();
  const out = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++) {
    const scores: number[] = [];
    for (let k = 0; k < C; k++) {
      const map = Float32Array.from({ length: h * w }, (_, p) => a[(i * h * w + p) * C + k]);
      const up = torchInterpolate(map, h, w, H, W, 'bilinear');
      const lo = Math.min(...up);
      const hi = Math.max(...up);
      const masked = new Float32Array(H * W * Cin);
      for (let p = 0; p < H * W; p++) for (let c = 0; c < Cin; c++) masked[p * Cin + c] = xs[(i * H * W + p) * Cin + c] * (hi > lo ? (up[p] - lo) / (hi - lo) : 0);
      const input = tf.tensor4d(masked, [1, H, W, Cin]);
      const y = await model.predict(input);
      scores.push((await y.data())[targets[i]]);
      tf.dispose([input, y]);
    }
    const top = Math.max(...scores);
    const e = scores.map((s) => Math.exp(s - top));
    const alpha = e.map((v) => v / e.reduce((s, u) => s + u, 0));
    for (let p = 0; p < h * w; p++) {
      let v = 0;
      for (let k = 0; k < C; k++) v += alpha[k] * a[(i * h * w + p) * C + k];
      out[i * h * w + p] = Math.max(0, v);
    }
  }
  maps.dispose();
  return out;
}

test('scoreCam(model, x) is ReLU(Σ_k softmax_k(y(x ⊙ M_k)) A_k), as the one-mask-at-a-time algorithm', async () => {
  await useBackend();
  const { model } = flatCnn(5);
  const x = images(2, 4);
  const targets = [1, 3];
  const attr = await scoreCam(model, x, { target: targets, layer: 'relu2', upsample: 'none', batchSize: 4 });
  assert.deepEqual(attr.values.shape, [2, 4, 4, 1]);
  const expected = await textbookScoreCam(model, x, 'relu2', targets);
  assert.ok(Math.max(...expected) > 0);
  assert.ok((await maxAbsDiff(attr.values, expected)) < 1e-5 * Math.max(...expected));
  x.dispose();
  attr.dispose();
});

test('scoreCam sends its N·C masked copies in batches: 2 examples × 5 channels with batchSize 3 is 4 forward passes (+1 for the maps)', async () => {
  await useBackend();
  const spy = countingModel(flatCnn().model);
  const x = images(2);
  const attr = await scoreCam(spy.model, x, { target: 0, layer: 'relu2', batchSize: 3 });
  assert.equal(spy.calls(), 5);
  assert.equal(attr.meta.modelCalls, 5);
  const whole = await scoreCam(flatCnn().model, x, { target: 0, layer: 'relu2', batchSize: 10 });
  assert.ok((await maxAbsDiff(attr.values, whole.values)) < 1e-6, 'the batch size does not change the result');
  x.dispose();
  attr.dispose();
  whole.dispose();
});

test('scoreCam upsamples to the input, needs an image model and leaves no tensor behind', async () => {
  await useBackend();
  const { model } = flatCnn();
  const x = images(2);
  const before = tf.memory().numTensors;
  const attr = await scoreCam(model, x, { target: [0, 1], batchSize: 4 });
  assert.equal(tf.memory().numTensors, before + 1);
  assert.deepEqual(attr.values.shape, [2, 8, 8, 1]);
  attr.dispose();
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(scoreCam(tanhMlp().model, tf.zeros([1, 4])), (e: unknown) => e instanceof LumenError);
  await assert.rejects(scoreCam(model, x, { layer: 'flatten' }), (e: unknown) => e instanceof LumenError && e.code === 'layer');
  x.dispose();
});

/** The CNN as a black box that can only capture: not differentiable, `run` refuses rules and replacement. */
function captureOnly(model: Model): Model {
  return {
    ...model,
    name: 'capture-only',
    differentiable: false,
    run(x, options = {}) {
      if (options.rules || options.replace) throw new Error('capture-only: no rules or replacement');
      return model.run(x, { capture: options.capture });
    },
  };
}

test('score-cam needs no gradients: on a non-differentiable model that captures its layers it equals the differentiable run; a black box without layers is a LumenError', async () => {
  await useBackend();
  const { model } = flatCnn();
  const box = captureOnly(model);
  const x = images(2);
  const entry = localMethodById('score-cam');
  assert.equal(entry.needsGradients, false);
  const onBox = await entry.run(box, x, { target: [0, 1], layer: 'relu2' });
  const onModel = await scoreCam(model, x, { target: [0, 1], layer: 'relu2' });
  assert.ok((await maxAbsDiff(onBox.values, onModel.values)) < 1e-6);
  assert.ok((await maxAbsDiff(onBox.values, tf.zerosLike(onBox.values))) > 1e-3, 'a non-trivial map');
  await assert.rejects(localMethodById('grad-cam').run(box, x, { target: 0 }), (e: unknown) => e instanceof LumenError, 'grad-cam does need gradients');
  const opaque = fromFunction((v) => model.predict(v), { inputShape: [8, 8, 2], outputShape: [4] });
  await assert.rejects(scoreCam(opaque, x, { target: 0 }), (e: unknown) => e instanceof LumenError && /exposes no layers/.test(e.message));
  [onBox, onModel].forEach((a) => a.dispose());
  x.dispose();
});
