import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { datasetFromTensors } from '../../src/core/dataset.js';
import { LumenError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/random.js';
import { loadFixture } from '../../src/models/fixture.js';
import { loadOnnx } from '../../src/models/onnx/load-onnx.js';
import { representerPoints, type RepresenterResult } from '../../src/examples/representer-points.js';
import { methodById } from '../../src/methods.js';
import { repoPath } from '../helpers.js';

await useBackend();

/** max over (t, c) of |Σ_j α_jc k_tj − Φ_tc|, and max |Φ|. */
function decompositionError(r: RepresenterResult): { err: number; scale: number } {
  const [t, n] = r.shape;
  const c = r.classCount;
  let err = 0;
  let scale = 0;
  for (let i = 0; i < t; i++) for (let k = 0; k < c; k++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += r.alpha[j * c + k] * r.similarity[i * n + j];
    err = Math.max(err, Math.abs(s - r.preActivation[i * c + k]));
    scale = Math.max(scale, Math.abs(r.preActivation[i * c + k]));
  }
  return { err, scale };
}

function fixtureData() {
  const fx = loadFixture(repoPath('test', 'fixtures', 'wave2', 'examples_tanh_mlp.json'));
  const d = fx.json.dataset as { X_train: { data: number[][] }; y_train: number[]; X_test: { data: number[][] }; y_test: number[] };
  const x = tf.tensor2d(d.X_train.data);
  const y = tf.tensor1d(d.y_train, 'int32');
  const xt = tf.tensor2d(d.X_test.data);
  const yt = tf.tensor1d(d.y_test, 'int32');
  return { fx, x, y, xt, yt, train: datasetFromTensors(x, y), dispose: () => { tf.dispose([x, y, xt, yt]); fx.dispose(); } };
}

test('representer values sum to the fitted last layer’s pre-activation output (Yeh et al.’s decomposition), for every class', async () => {
  const s = fixtureData();
  try {
    const before = tf.memory().numTensors;
    const r = await representerPoints(s.fx.model, s.train, { x: s.xt, y: s.yt }, { batchSize: 10 });
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    assert.ok(r.relativeGradient < 1e-7, `stationary fit (relative gradient ${r.relativeGradient})`);
    const { err, scale } = decompositionError(r);
    assert.ok(err <= 1e-6 * scale + 1e-9, `decomposition error ${err} (scale ${scale})`);
    // The explained class's representer values sum to its pre-activation output.
    for (let i = 0; i < r.shape[0]; i++) {
      const sum = r.scores.slice(i * 48, (i + 1) * 48).reduce((a, b) => a + b, 0);
      const want = r.preActivation[i * 3 + r.classes[i]];
      assert.ok(Math.abs(sum - want) <= 1e-4 * scale, `test row ${i}: Σ ${sum} vs Φ ${want}`);
    }
    assert.deepEqual(r.classes, Array.from(s.yt.dataSync()));
    // The fit started from the model's weights and fits its own outputs: the predictions agree with the model's.
    const logits = (await s.fx.model.predict(s.xt)).arraySync() as number[][];
    const agree = logits.filter((row, i) => row.indexOf(Math.max(...row)) === [0, 1, 2].reduce((b, k) => (r.preActivation[i * 3 + k] > r.preActivation[i * 3 + b] ? k : b), 0)).length;
    assert.ok(agree / logits.length >= 0.9, `fitted layer agrees with the model on ${agree}/${logits.length}`);
  } finally {
    s.dispose();
  }
});

test('with the labels as targets, α of a row supports its own class and opposes the others, and sums to 0 over classes', async () => {
  const s = fixtureData();
  try {
    const r = await representerPoints(s.fx.model, s.train, { x: s.xt }, { targets: 'labels', lambda: 0.01 });
    const y = s.y.dataSync();
    for (let j = 0; j < 48; j++) {
      let sum = 0;
      for (let k = 0; k < 3; k++) {
        const a = r.alpha[j * 3 + k];
        sum += a;
        if (k === y[j]) assert.ok(a >= 0, `row ${j} own class`);
        else assert.ok(a <= 0, `row ${j} class ${k}`);
      }
      assert.ok(Math.abs(sum) < 1e-9, `Σ_c α = ${sum}`);
    }
    // No test labels: each row explains the fitted layer's predicted class.
    r.classes.forEach((c, i) => assert.ok([0, 1, 2].every((k) => r.preActivation[i * 3 + k] <= r.preActivation[i * 3 + c])));
    await assert.rejects(representerPoints(s.fx.model, s.train, { x: s.xt }, { lambda: 0 }), (e: unknown) => e instanceof LumenError && /lambda must be a positive number; found 0/.test(e.message));
    await assert.rejects(representerPoints(s.fx.model, s.train, { x: s.xt }, { finalLayer: 'act1' }), (e: unknown) => e instanceof LumenError && /layer 'act1' has no parameters/.test(e.message));
    const m = methodById('representer-points');
    assert.equal(m.scope, 'global');
    if (m.scope !== 'global') return;
    const e = await m.run(s.fx.model, s.train, { input: s.xt.slice(0, 2), k: 3 });
    assert.equal(e.kind === 'examples' && e.examples.length, 2 * 3 * 2);
  } finally {
    s.dispose();
  }
});

test('representer points on a PyTorch model exported to ONNX (Gemm kernels [out, in])', async () => {
  const onnx = await loadOnnx(repoPath('test', 'fixtures', 'mlp.onnx'));
  const rng = new Rng(5);
  const x = tf.tensor2d(rng.normals(120 * 6), [120, 6]);
  const xt = tf.tensor2d(rng.normals(10 * 6), [10, 6]);
  try {
    const r = await representerPoints(onnx, datasetFromTensors(x), { x: xt });
    assert.deepEqual(r.shape, [10, 120]);
    const { err, scale } = decompositionError(r);
    assert.ok(r.relativeGradient < 1e-7 && err <= 1e-6 * scale + 1e-9, `decomposition error ${err} (scale ${scale}), gradient ${r.relativeGradient}`);
  } finally {
    tf.dispose([x, xt]);
    onnx.dispose();
  }
});
