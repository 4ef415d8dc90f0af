import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { loadBundledModel } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { withEngine } from '../../src/engine/ort/with-engine.js';
import type { OrtExecutor } from '../../src/engine/ort/ort-executor.js';
import type { Model } from '../../src/core/model.js';
import { deepLift } from '../../src/attribution/propagation/deep-lift.js';
import { deepLiftShap } from '../../src/attribution/propagation/deep-lift-shap.js';
import { lrp, type LrpOptions } from '../../src/attribution/propagation/lrp/lrp.js';
import { saliency } from '../../src/attribution/gradient/saliency.js';
import { loadOnnx } from '../../src/models/onnx/load-onnx.js';
import { relativeError, repoPath } from '../helpers.js';

await useBackend();

const stats = (m: Model): OrtExecutor['stats'] => (m.executor as OrtExecutor).stats;

/** An MLP with the activations DeepLIFT rescales (ReLU, tanh, sigmoid) and a softmax output (or none), seeded. */
function mlp(softmax = true): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const bias = (seed: number) => tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed });
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [10], units: 16, activation: 'relu', kernelInitializer: init(1), biasInitializer: bias(11) }));
  m.add(tf.layers.dense({ units: 12, activation: 'tanh', kernelInitializer: init(2), biasInitializer: bias(12) }));
  m.add(tf.layers.dense({ units: 8, kernelInitializer: init(3), biasInitializer: bias(13) }));
  m.add(tf.layers.activation({ activation: 'sigmoid' }));
  m.add(tf.layers.dense({ units: 4, activation: softmax ? 'softmax' : 'linear', kernelInitializer: init(4), biasInitializer: bias(14) }));
  return m;
}

/** Runs `fn` with console.warn captured; returns its result and the warnings. */
async function capturing<T>(fn: () => Promise<T>): Promise<{ result: T; warnings: string[] }> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (m: string) => warnings.push(m);
  try {
    return { result: await fn(), warnings };
  } finally {
    console.warn = warn;
  }
}

/** Asserts that `run` on the onnxruntime model equals tfjs within 1e-5 relative, ran in onnxruntime, and warned nothing. */
async function same(label: string, tfjs: Model, ort: Model, run: (m: Model) => Promise<{ values: tf.Tensor }>): Promise<void> {
  const a = await run(tfjs);
  const before = stats(ort).backwardRuns;
  const { result: b, warnings } = await capturing(() => run(ort));
  assert.deepEqual(warnings, [], `${label}: no fallback warning`);
  assert.ok(stats(ort).backwardRuns > before, `${label}: onnxruntime ran the pass`);
  const err = relativeError(await b.values.data(), await a.values.data());
  assert.ok(err < 1e-5, `${label}: relative error ${err}`);
  tf.dispose([a.values, b.values]);
}

const LRP_CASES: readonly [string, LrpOptions][] = [
  ['epsilon', { rule: 'epsilon', epsilon: 0.01 }],
  ['zero', { rule: 'zero' }],
  ['gamma', { rule: 'gamma' }],
  ['alpha-beta', { rule: 'alpha-beta' }],
  ['z-plus', { rule: 'z-plus' }],
  ['z-box', { rule: 'z-box', low: -1, high: 2 }],
  ['flat', { rule: 'flat' }],
  ['w-square', { rule: 'w-square' }],
  ['captum', { composite: 'captum' }],
  ['epsilon-plus-flat', { composite: 'epsilon-plus-flat' }],
  ['epsilon-alpha2-beta1', { composite: 'epsilon-alpha2-beta1' }],
  ['epsilon-gamma-box', { composite: 'epsilon-gamma-box' }],
];

test('DeepLIFT rescale and the LRP rules and composites run in the onnxruntime graph and equal tfjs (MNIST CNN)', async () => {
  const { model: layers } = await loadBundledModel('mnist');
  const tfjs = fromLayersModel(layers);
  const ort = fromLayersModel(layers, { engine: 'onnxruntime' });
  const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 7);
  const baseline = tf.randomUniform([1, 28, 28, 1], 0, 0.5, 'float32', 8);
  await same('deepLift zeros', tfjs, ort, (m) => deepLift(m, x, { target: [1, 4, 9] }));
  await same('deepLift baseline', tfjs, ort, (m) => deepLift(m, x, { target: 'predicted', baseline }));
  const layer = tfjs.layers[2].name;
  await same('deepLift layer', tfjs, ort, (m) => deepLift(m, x, { target: 3, layer }));
  const baselines = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 14);
  await same('deepLiftShap', tfjs, ort, (m) => deepLiftShap(m, x, { target: 2, baselines }));
  baselines.dispose();
  for (const [name, options] of LRP_CASES) await same(`lrp ${name}`, tfjs, ort, (m) => lrp(m, x, { target: [2, 5, 7], ...options }));
  // The rules change the pass: LRP-ε and DeepLIFT differ from gradient × input.
  const g = await saliency(ort, x, { target: 2, mode: 'signed' });
  const l = await lrp(ort, x, { target: 2, rule: 'alpha-beta' });
  assert.ok(relativeError(await l.values.data(), await tf.mul(g.values, x).data()) > 1e-2);
  tf.dispose([x, baseline, g.values, l.values]);
  ort.dispose?.();
  layers.dispose();
});

test('DeepLIFT rescale and the LRP rules run in the onnxruntime graph and equal tfjs (MLP with ReLU, tanh, sigmoid, softmax)', async () => {
  const m = mlp();
  const tfjs = fromLayersModel(m);
  const ort = withEngine(tfjs, 'onnxruntime');
  const x = tf.randomNormal([5, 10], 0, 1, 'float32', 9);
  const baseline = tf.randomNormal([5, 10], 0, 0.3, 'float32', 10);
  await same('deepLift zeros', tfjs, ort, (mm) => deepLift(mm, x, { target: [0, 1, 2, 3, 0] }));
  for (const [name, options] of LRP_CASES) await same(`lrp ${name}`, tfjs, ort, (mm) => lrp(mm, x, { target: 1, ...options }));
  // Per-example references, batched by 2. Without the softmax: its rescale divides by logit
  // differences so small here that a 3e-7 relative change of x moves tfjs' own answer by 1.6e-4.
  const linear = mlp(false);
  const tfjs2 = fromLayersModel(linear);
  const ort2 = withEngine(tfjs2, 'onnxruntime');
  await same('deepLift per-example baseline', tfjs2, ort2, (mm) => deepLift(mm, x, { target: 1, baseline, batchSize: 2 }));
  tf.dispose([x, baseline]);
  ort.dispose?.();
  ort2.dispose?.();
  m.dispose();
  linear.dispose();
});

test('a rule without an onnxruntime form (DeepLIFT reveal-cancel) falls back to tfjs with one warning', async () => {
  const m = mlp();
  const tfjs = fromLayersModel(m);
  const ort = withEngine(tfjs, 'onnxruntime');
  const x = tf.randomNormal([3, 10], 0, 1, 'float32', 11);
  const a = await deepLift(tfjs, x, { target: 1, rule: 'reveal-cancel' });
  const before = stats(ort).backwardRuns;
  const { result: [b, c], warnings } = await capturing(async () => [await deepLift(ort, x, { target: 1, rule: 'reveal-cancel' }), await deepLift(ort, x, { target: 1, rule: 'reveal-cancel' })]);
  assert.equal(stats(ort).backwardRuns, before, 'tfjs ran it');
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /rule 'deeplift-linear' of layer '.*' has no onnxruntime form/);
  assert.deepEqual(Array.from(await b.values.data()), Array.from(await a.values.data()));
  tf.dispose([x, a.values, b.values, c.values]);
  ort.dispose?.();
  m.dispose();
});

test('an op form the compiled rules cannot take (overlapping max pooling) falls back to tfjs for DeepLIFT with one warning', async () => {
  const seq = tf.sequential();
  seq.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  seq.add(tf.layers.maxPooling2d({ poolSize: 3, strides: 1 }));
  seq.add(tf.layers.flatten());
  seq.add(tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  const tfjs = fromLayersModel(seq);
  const ort = withEngine(tfjs, 'onnxruntime');
  const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 4);
  const a = await deepLift(tfjs, x, { target: 1 });
  const { result: [b, c], warnings } = await capturing(async () => [await deepLift(ort, x, { target: 1 }), await deepLift(ort, x, { target: 1 })]);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /MaxPool with overlapping windows/);
  assert.deepEqual(Array.from(await b.values.data()), Array.from(await a.values.data()));
  assert.deepEqual(Array.from(await c.values.data()), Array.from(await a.values.data()));
  tf.dispose([x, a.values, b.values, c.values]);
  ort.dispose?.();
  seq.dispose();
});

test('LRP and DeepLIFT on onnxruntime leave no tensors behind and repeat bit for bit', async () => {
  const m = mlp();
  const ort = fromLayersModel(m, { engine: 'onnxruntime' });
  const x = tf.randomNormal([4, 10], 0, 1, 'float32', 12);
  const runs: [string, () => Promise<{ values: tf.Tensor }>][] = [
    ['lrp', () => lrp(ort, x, { target: 1, composite: 'epsilon-gamma-box' })],
    ['deepLift', () => deepLift(ort, x, { target: 1, batchSize: 3 })],
  ];
  for (const [name, run] of runs) {
    const first = await run();
    const start = tf.memory().numTensors;
    const again = await run();
    const values = Array.from(await again.values.data());
    again.values.dispose();
    assert.equal(tf.memory().numTensors, start, `${name}: no tensor left behind`);
    assert.deepEqual(values, Array.from(await first.values.data()), `${name}: same bits twice`);
    first.values.dispose();
  }
  x.dispose();
  ort.dispose?.();
  m.dispose();
});

test('imported ONNX models (test/fixtures cnn.onnx, mlp.onnx, bn_cnn.onnx): LRP composites and DeepLIFT run in onnxruntime and equal tfjs', async () => {
  for (const file of ['cnn', 'mlp', 'bn_cnn']) {
    const tfjs = await loadOnnx(repoPath('test', 'fixtures', `${file}.onnx`));
    const ort = await loadOnnx(repoPath('test', 'fixtures', `${file}.onnx`), { engine: 'onnxruntime' });
    const x = tf.randomUniform([3, ...tfjs.inputShape], 0, 1, 'float32', 13);
    await same(`${file} deepLift`, tfjs, ort, (m) => deepLift(m, x, { target: 1 }));
    for (const [name, options] of LRP_CASES.filter(([n]) => ['captum', 'alpha-beta', 'epsilon-gamma-box', 'epsilon-plus-flat'].includes(n))) {
      await same(`${file} lrp ${name}`, tfjs, ort, (m) => lrp(m, x, { target: 1, ...options }));
    }
    x.dispose();
    ort.dispose?.();
    tfjs.dispose?.();
  }
});
