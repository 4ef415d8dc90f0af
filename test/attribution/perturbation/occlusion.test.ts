import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { occlusion } from '../../../src/attribution/perturbation/occlusion.js';
import { resolveBaseline } from '../../../src/core/baseline.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { maxAbsDiff } from '../../toy-models.js';
import { linearBlackBox, uniform } from './perturbation-models.js';

/**
 * Occlusion of a linear model written out: windows at rows 0, s, … (⌈(H − h)/s⌉ + 1 of them, the
 * last clipped), the same for columns, every channel; each pixel the mean over covering windows of
 * Σ_window w_t ⊙ (x − b).
 */
function textbook(x: Float32Array, b: Float32Array, w: Float32Array, classes: number, t: number[], [n, H, W, C]: number[], [h, ww]: number[], [sy, sx]: number[]): Float32Array {
  const out = new Float32Array(x.length);
  const count = new Float32Array(H * W * C);
  const ys = Array.from({ length: Math.ceil((H - h) / sy) + 1 }, (_, k) => k * sy);
  const xs = Array.from({ length: Math.ceil((W - ww) / sx) + 1 }, (_, k) => k * sx);
  for (let e = 0; e < n; e++) {
    for (const y0 of ys) {
      for (const x0 of xs) {
        const cells: number[] = [];
        for (let y = y0; y < Math.min(H, y0 + h); y++) for (let xx = x0; xx < Math.min(W, x0 + ww); xx++) for (let c = 0; c < C; c++) cells.push((y * W + xx) * C + c);
        let diff = 0;
        for (const j of cells) diff += w[j * classes + t[e]] * (x[e * H * W * C + j] - b[e * H * W * C + j]);
        for (const j of cells) {
          out[e * H * W * C + j] += diff;
          if (e === 0) count[j]++;
        }
      }
    }
  }
  return out.map((v, i) => v / count[i % (H * W * C)]);
}

test('occlusion(linear black box) is the mean over covering windows of Σ_window w ⊙ (x − baseline), Captum placement', async () => {
  await useBackend();
  const shape = [2, 5, 6, 2];
  const { model, w } = linearBlackBox(shape.slice(1), 3, 9);
  const x = uniform(shape, 1);
  const b = uniform(shape.slice(1), 2);
  const a = await occlusion(model, x, { window: [2, 3], strides: [2, 2], baseline: b, target: [2, 0] });
  assert.deepEqual(a.values.shape, shape);
  const bFull = tf.tidy(() => b.expandDims(0).tile([2, 1, 1, 1]));
  const expected = textbook(await x.data() as Float32Array, await bFull.data() as Float32Array, w, 3, [2, 0], shape, [2, 3], [2, 2]);
  assert.ok((await maxAbsDiff(a.values, expected)) < 1e-5, 'matches the written-out sum');
  assert.equal(a.meta.windows, 9);
  tf.dispose([x, b, bFull]);
  a.dispose();
});

test('occlusion with a one-scalar window is w ⊙ (x − baseline) exactly (and equals the window written in full)', async () => {
  await useBackend();
  const { model, w } = linearBlackBox([4], 2, 3);
  const x = uniform([3, 4], 4);
  const a = await occlusion(model, x, { window: [1], baseline: 0.5, target: 1 });
  const xs = await x.data();
  const expected = Array.from(xs, (v, i) => w[(i % 4) * 2 + 1] * (v - 0.5));
  assert.ok((await maxAbsDiff(a.values, expected)) < 1e-5);
  x.dispose();
  a.dispose();
});

test('occlusion sends its copies in batches (a spy counts model calls) and leaks nothing', async () => {
  await useBackend();
  const { model, calls } = linearBlackBox([6, 6, 1], 2);
  const x = uniform([2, 6, 6, 1], 5);
  const before = tf.memory().numTensors;
  // 3 × 3 windows with stride 3: 4 windows × 2 examples = 8 rows → 3 calls of ≤ 3 rows, + 1 for f(x)
  const a = await occlusion(model, x, { window: [3, 3, 1], strides: 3, target: 0, batchSize: 3 });
  assert.equal(calls(), 4);
  assert.equal(a.meta.modelCalls, 4);
  a.dispose();
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test('occlusion refuses a window that does not fit the example, naming what it expected', async () => {
  await useBackend();
  const { model, calls } = linearBlackBox([4, 4, 1], 2);
  const x = uniform([1, 4, 4, 1], 5);
  const bad = (window: number[], strides?: number | number[]) => occlusion(model, x, { window, strides, target: 0 });
  await assert.rejects(bad([5, 1, 1]), (e: unknown) => e instanceof LumenError && /window size 5 on axis 0 must be an integer in 1…4/.test(e.message));
  await assert.rejects(bad([2]), (e: unknown) => e instanceof LumenError && /one size per axis/.test(e.message));
  await assert.rejects(bad([2, 0]), LumenError);
  await assert.rejects(bad([2, 2], [1, 1, 1]), /strides \[1,1,1\] must have one entry per window axis \(2\)/);
  assert.equal(calls(), 0, 'no model call before the checks');
  x.dispose();
});

test('occlusion takes every Baseline kind: the result equals occlusion with that baseline resolved to a tensor (seeded)', async () => {
  await useBackend();
  const { model } = linearBlackBox([6, 6, 2], 2, 4);
  const x = uniform([2, 6, 6, 2], 8, 0, 1);
  for (const kind of ['mean', 'blur', 'uniform', 0.3, (z: tf.Tensor) => z.mul(0.5)] as const) {
    const resolved = resolveBaseline(kind, x, 'test', { seed: 17 });
    const a = await occlusion(model, x, { window: [2, 2], strides: 2, baseline: kind, target: 1, seed: 17 });
    const b = await occlusion(model, x, { window: [2, 2], strides: 2, baseline: resolved, target: 1 });
    assert.ok((await maxAbsDiff(a.values, b.values)) < 1e-6, String(kind));
    assert.ok((await a.values.abs().sum().data())[0] > 0);
    [a, b, resolved].forEach((t) => t.dispose());
  }
  x.dispose();
});

test('occlusion given no window: on a 15×15 image a ⌈15/7⌉ = 3 square over every channel, stride 2 (the textbook sum); on vectors one scalar', async () => {
  await useBackend();
  const shape = [1, 15, 15, 2];
  const { model, w } = linearBlackBox(shape.slice(1), 2, 21);
  const x = uniform(shape, 22);
  const a = await occlusion(model, x, { target: 1 });
  assert.deepEqual([a.meta.window, a.meta.strides], [[3, 3, 2], [2, 2, 2]]);
  const expected = textbook(await x.data() as Float32Array, new Float32Array(x.size), w, 2, [1], shape, [3, 3], [2, 2]);
  const gap = await maxAbsDiff(a.values, expected);
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  assert.ok(gap < 1e-5 * scale, `the default window is the 3×3 window, stride 2, written out (gap ${gap}, scale ${scale})`);
  const givenStride = await occlusion(model, x, { target: 1, strides: 3 });
  assert.deepEqual(givenStride.meta.strides, [3, 3, 2], 'a given stride keeps the default window');
  const vector = linearBlackBox([4], 2, 23);
  const v = uniform([2, 4], 24);
  const one = await occlusion(vector.model, v, { target: 0 });
  assert.deepEqual([one.meta.window, one.meta.strides], [[1], [1]]);
  [a, givenStride, one].forEach((r) => r.dispose());
  tf.dispose([x, v]);
});

test('occlusion refuses strides larger than the window (uncovered values would be 0/0), before any model call', async () => {
  await useBackend();
  const { model, calls } = linearBlackBox([12, 12, 1], 2);
  const x = uniform([1, 12, 12, 1], 3);
  for (const strides of [8, 10]) {
    await assert.rejects(occlusion(model, x, { window: [4, 4], strides, target: 0 }), (e: unknown) =>
      e instanceof LumenError && new RegExp(`stride ${strides} on axis 0 must be at most the window size 4`).test(e.message));
  }
  assert.equal(calls(), 0);
  const whole = await occlusion(model, x, { window: [12, 4], strides: [20, 4], target: 0 });
  assert.ok((await whole.values.data()).every(Number.isFinite), 'a window as large as its axis may take any stride there');
  whole.dispose();
  x.dispose();
});
