import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { loadOnnx } from '../../src/models/onnx/load-onnx.js';
import type { OrtExecutor } from '../../src/engine/ort/ort-executor.js';
import { saliency } from '../../src/attribution/gradient/saliency.js';
import { integratedGradients } from '../../src/attribution/gradient/integrated-gradients.js';
import { sliceIndices } from '../../src/engine/ort/rules/select.js';
import { axisMatrix } from '../../src/models/onnx/resize-taps.js';
import { relativeError, repoPath } from '../helpers.js';

await useBackend();

// PyTorch exports (scripts/export-grad-ops-onnx.py, opset 13): Slice with unit and strided steps,
// Gather with repeated and scalar indices; Resize nearest ×2, bilinear half-pixel, bilinear align_corners.
const models = ['slice-gather', 'resize'].map((n) => repoPath('test', 'models', 'onnx', 'ops-grad', `${n}.onnx`));

async function maxRelError(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  return relativeError(await a.data(), await b.data());
}

test('Slice, Gather and Resize backward rules: onnxruntime gradients equal the tfjs executor on PyTorch exports, with no fallback', async () => {
  for (const file of models) {
    const tfjs = await loadOnnx(file);
    const ort = await loadOnnx(file, { engine: 'onnxruntime' });
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => warnings.push(m);
    const x = tf.randomUniform([3, ...tfjs.inputShape], 0, 1, 'float32', 7);
    try {
      const a = await saliency(tfjs, x, { target: [0, 1, 2], mode: 'signed' });
      const b = await saliency(ort, x, { target: [0, 1, 2], mode: 'signed' });
      assert.ok((await maxRelError(b.values, a.values)) < 1e-5, file);
      const i1 = await integratedGradients(tfjs, x, { target: 'predicted', steps: 8 });
      const i2 = await integratedGradients(ort, x, { target: 'predicted', steps: 8 });
      assert.ok((await maxRelError(i2.values, i1.values)) < 1e-5, file);
      tf.dispose([a.values, b.values, i1.values, i2.values]);
    } finally {
      console.warn = warn;
      x.dispose();
    }
    assert.deepEqual(warnings, [], `${file}: no fallback to tfjs`);
    assert.ok((ort.executor as OrtExecutor).stats.backwardRuns >= 2, `${file}: onnxruntime ran the backward pass`);
    ort.dispose?.();
    tfjs.dispose?.();
  }
});

test('slice positions follow ONNX clamping; a resize matrix of nearest ×2 is a duplication, linear rows sum to 1', () => {
  assert.deepEqual(sliceIndices(1, 5, 1, 6), [1, 2, 3, 4]);
  assert.deepEqual(sliceIndices(0, 6, 2, 6), [0, 2, 4]);
  assert.deepEqual(sliceIndices(-1, -100, -2, 6), [5, 3, 1]);
  assert.deepEqual(sliceIndices(2, 2 ** 62, 1, 4), [2, 3]);
  const nearest = axisMatrix({ mode: 'nearest', coord: 'asymmetric', nearest: 'floor', cubicA: -0.75, excludeOutside: false }, 3, 6, 2);
  assert.deepEqual(Array.from(nearest), [1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1]);
  const linear = axisMatrix({ mode: 'linear', coord: 'half_pixel', nearest: 'round_prefer_floor', cubicA: -0.75, excludeOutside: false }, 4, 7, 7 / 4);
  for (let o = 0; o < 7; o++) assert.ok(Math.abs(linear.slice(o * 4, o * 4 + 4).reduce((s, v) => s + v, 0) - 1) < 1e-6);
});
