import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { integratedGradients } from '../../../src/attribution/gradient/integrated-gradients.js';
import { deepLift } from '../../../src/attribution/propagation/deep-lift.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { fromFunction } from '../../../src/models/from-function.js';
import { fromLayersModel } from '../../../src/models/from-layers-model.js';
import { linearModel, maxAbsDiff } from '../../toy-models.js';
import { oneReluNet, outputDifference, randomCnn, randomMlp, rowSums, sharedResidualNet } from './deep-lift-models.js';

const W = [[1, -2, 0.5], [3, 0.25, -1], [-0.5, 1, 2], [2, -3, 1]];

test('deepLift(linear, x) is (x − b) ⊙ w, the same as integrated gradients, and multiplyByInputs false gives w', async () => {
  await useBackend();
  const { model, layers } = linearModel(W, [0.1, 0.2, 0.3]);
  const x = tf.tensor2d([[1, 2, -1, 0.5], [-2, 0.5, 3, 1]]);
  const baseline = tf.tensor1d([0.5, -1, 0, 2]);
  const target = [0, 2];
  const before = tf.memory().numTensors;
  const dl = await deepLift(model, x, { target, baseline });
  const ig = await integratedGradients(model, x, { target, baseline, steps: 4 });
  const w = tf.tidy(() => tf.tensor2d(W).gather(target, 1).transpose());
  const expected = tf.tidy(() => x.sub(baseline).mul(w));
  assert.ok((await maxAbsDiff(dl.values, expected)) < 1e-5);
  assert.ok((await maxAbsDiff(dl.values, ig.values)) < 1e-5);
  assert.ok((dl.meta.delta ?? [1]).every((d) => Math.abs(d) < 1e-5));
  assert.equal(dl.meta.warnings, undefined);
  const multipliers = await deepLift(model, x, { target, baseline, multiplyByInputs: false });
  assert.ok((await maxAbsDiff(multipliers.values, w)) < 1e-6);
  assert.equal(multipliers.meta.delta, undefined);
  tf.dispose([expected, w]);
  dl.dispose();
  ig.dispose();
  multipliers.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  tf.dispose([x, baseline]);
  layers.dispose();
});

// x → relu(x W1 + c) · v + d, by hand. W1[i][j]: input i → hidden j.
const W1 = [[1, -2], [2, 1]];
const C = [-1, 0.5];
const V = [1.5, -2];
const XS = [[1, 0.5], [-1, 2]];
const B = [0.2, -0.5];
const relu = (z: number): number => Math.max(0, z);

function handRescale(x: number[]): number[] {
  const dx = x.map((v, i) => v - B[i]);
  const r = [0, 1].map((j) => {
    const z = x[0] * W1[0][j] + x[1] * W1[1][j] + C[j];
    const z0 = B[0] * W1[0][j] + B[1] * W1[1][j] + C[j];
    return z === z0 ? (z > 0 ? 1 : 0) : (relu(z) - relu(z0)) / (z - z0);
  });
  return dx.map((d, i) => d * (W1[i][0] * r[0] * V[0] + W1[i][1] * r[1] * V[1]));
}

/** Reveal-cancel (paper §3.5.3) on each hidden unit, contributions split by the sign of w·Δx. */
function handRevealCancel(x: number[]): number[] {
  const dx = x.map((v, i) => v - B[i]);
  const attr = [0, 0];
  for (const j of [0, 1]) {
    const c = [0, 1].map((i) => W1[i][j] * dx[i]);
    const pos = c.filter((v) => v > 0).reduce((a, b) => a + b, 0);
    const neg = c.filter((v) => v < 0).reduce((a, b) => a + b, 0);
    const z0 = B[0] * W1[0][j] + B[1] * W1[1][j] + C[j];
    const yPos = 0.5 * (relu(z0 + pos) - relu(z0)) + 0.5 * (relu(z0 + pos + neg) - relu(z0 + neg));
    const yNeg = 0.5 * (relu(z0 + neg) - relu(z0)) + 0.5 * (relu(z0 + pos + neg) - relu(z0 + pos));
    [0, 1].forEach((i) => {
      if (c[i] > 0) attr[i] += (V[j] * yPos / pos) * c[i];
      if (c[i] < 0) attr[i] += (V[j] * yNeg / neg) * c[i];
    });
  }
  return attr;
}

for (const fused of [false, true]) {
  test(`deepLift on a one-ReLU network (${fused ? 'fused' : 'separate'} ReLU) matches rescale and reveal-cancel by hand`, async () => {
    await useBackend();
    const { model, layers } = oneReluNet(fused, W1, C, V, 0.25);
    const x = tf.tensor2d(XS);
    const baseline = tf.tensor1d(B);
    const rescale = await deepLift(model, x, { target: 0, baseline });
    const revealCancel = await deepLift(model, x, { target: 0, baseline, rule: 'reveal-cancel' });
    const r = (await rescale.values.array()) as number[][];
    const rc = (await revealCancel.values.array()) as number[][];
    XS.forEach((row, n) => {
      const a = handRescale(row);
      const b = handRevealCancel(row);
      a.forEach((v, i) => assert.ok(Math.abs(r[n][i] - v) < 1e-5, `rescale[${n}][${i}] = ${r[n][i]}, expected ${v}`));
      b.forEach((v, i) => assert.ok(Math.abs(rc[n][i] - v) < 1e-5, `reveal-cancel[${n}][${i}] = ${rc[n][i]}, expected ${v}`));
    });
    // the two rules differ here (hidden unit 1 of example 0 has cancelling contributions)
    assert.ok((await maxAbsDiff(rescale.values, revealCancel.values)) > 0.1);
    assert.equal(revealCancel.meta.rule, 'reveal-cancel');
    rescale.dispose();
    revealCancel.dispose();
    tf.dispose([x, baseline]);
    layers.dispose();
  });
}

for (const rule of ['rescale', 'reveal-cancel'] as const) {
  test(`deepLift (${rule}) sums to f(x) − f(baseline) on random MLPs and CNNs, with max pools, BN, ReLU6 and smooth activations`, async () => {
    await useBackend();
    for (const seed of [3, 17]) {
      for (const build of [randomMlp, randomCnn]) {
        const { model, layers } = build(seed);
        const shape = [3, ...model.inputShape];
        const x = tf.randomNormal(shape, 0, 1, 'float32', seed);
        const baseline = tf.randomNormal(shape, 0, 0.5, 'float32', seed + 1);
        const target = [0, 1, 2];
        const before = tf.memory().numTensors;
        const attr = await deepLift(model, x, { target, baseline, rule, batchSize: 2 });
        const sums = await rowSums(attr.values);
        const diff = await outputDifference(model, x, baseline, target);
        sums.forEach((s, i) => {
          assert.ok(Math.abs(s - diff[i]) < 1e-4 * Math.max(1, Math.abs(diff[i])), `${layers.name} seed ${seed} example ${i}: Σ = ${s}, Δf = ${diff[i]}`);
          assert.ok(Math.abs((attr.meta.delta ?? [])[i] - (s - diff[i])) < 1e-4, 'meta.delta is the gap');
        });
        assert.equal(attr.meta.warnings, undefined);
        attr.dispose();
        assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
        tf.dispose([x, baseline]);
        layers.dispose();
      }
    }
  });
}

test('a shared activation layer called twice and a residual Add still sum to f(x) − f(baseline)', async () => {
  await useBackend();
  const { model, layers } = sharedResidualNet(5);
  assert.deepEqual(model.layers.map((l) => l.name).filter((n) => n.startsWith('act')), ['act', 'act:1']);
  const x = tf.randomNormal([4, 5], 0, 1, 'float32', 9);
  const baseline = tf.randomNormal([4, 5], 0, 1, 'float32', 10);
  const target = [0, 1, 2, 0];
  for (const rule of ['rescale', 'reveal-cancel'] as const) {
    const attr = await deepLift(model, x, { target, baseline, rule });
    const sums = await rowSums(attr.values);
    const diff = await outputDifference(model, x, baseline, target);
    sums.forEach((s, i) => assert.ok(Math.abs(s - diff[i]) < 1e-4, `${rule} example ${i}: Σ = ${s}, Δf = ${diff[i]}`));
    attr.dispose();
  }
  // at a layer (Captum's LayerDeepLift): (a(x) − a(b)) ⊙ multipliers, of the layer's shape, also complete
  // (the layer must cut the graph: every path from the input to the output passes 'cat')
  const atLayer = await deepLift(model, x, { target, baseline, layer: 'cat' });
  assert.deepEqual(atLayer.values.shape, [4, 10]);
  assert.equal(atLayer.meta.layer, 'cat');
  const sums = await rowSums(atLayer.values);
  const diff = await outputDifference(model, x, baseline, target);
  sums.forEach((s, i) => assert.ok(Math.abs(s - diff[i]) < 1e-4, `layer example ${i}: Σ = ${s}, Δf = ${diff[i]}`));
  atLayer.dispose();
  tf.dispose([x, baseline]);
  layers.dispose();
});

test('deepLift with a per-example baseline equals one call per example, whatever the batch size', async () => {
  await useBackend();
  const { model, layers } = randomCnn(23);
  const x = tf.randomNormal([3, 8, 8, 2], 0, 1, 'float32', 1);
  const baseline = tf.randomNormal([3, 8, 8, 2], 0, 1, 'float32', 2);
  const all = await deepLift(model, x, { target: [2, 0, 1], baseline, batchSize: 3 });
  const small = await deepLift(model, x, { target: [2, 0, 1], baseline, batchSize: 1 });
  assert.ok((await maxAbsDiff(all.values, small.values)) < 1e-6);
  assert.equal(all.meta.modelCalls, 2);
  assert.equal(small.meta.modelCalls, 6);
  const one = tf.tidy(() => x.slice([1], [1]));
  const oneBase = tf.tidy(() => baseline.slice([1], [1]));
  const single = await deepLift(model, one, { target: 0, baseline: oneBase });
  const row = tf.tidy(() => all.values.slice([1], [1]));
  assert.ok((await maxAbsDiff(single.values, row)) < 1e-6);
  tf.dispose([x, baseline, one, oneBase, row]);
  all.dispose();
  small.dispose();
  single.dispose();
  layers.dispose();
});

/** Dense → softmax: Captum's softmax rule centres the multipliers, which breaks summation to Δf. */
function softmaxModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 3, inputShape: [4], activation: 'softmax', name: 'fc', kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }), biasInitializer: tf.initializers.randomNormal({ seed: 3 }) }));
  return m;
}

test('a completeness gap above the tolerance is a warning in meta, and a LumenError when strict (without leaks)', async () => {
  await useBackend();
  const layers = softmaxModel();
  const model = fromLayersModel(layers);
  const x = tf.tensor2d([[1, -2, 0.5, 3], [0.2, 1, -1, 2]]);
  const before = tf.memory().numTensors;
  const loose = await deepLift(model, x, { target: 1 });
  const delta = loose.meta.delta ?? [];
  assert.ok(delta.some((d) => Math.abs(d) > 1e-3), `the softmax rule leaves a gap: ${delta}`);
  assert.ok((loose.meta.warnings ?? []).length >= 1);
  assert.match((loose.meta.warnings ?? [''])[0], /deepLift: example \d: attributions sum to/);
  loose.dispose();
  const tolerant = await deepLift(model, x, { target: 1, tolerance: 10 });
  assert.equal(tolerant.meta.warnings, undefined);
  tolerant.dispose();
  await assert.rejects(deepLift(model, x, { target: 1, strict: true }), (e: unknown) => e instanceof LumenError && e.code === 'numeric' && /gap/.test(e.message));
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind after the error');
  x.dispose();
  layers.dispose();
});

test('deepLift refuses a black box, bad options and layers it has no rule for, with LumenErrors', async () => {
  await useBackend();
  const box = fromFunction((x) => tf.softmax(x), { inputShape: [3], outputShape: [3] });
  const x3 = tf.ones([1, 3]);
  await assert.rejects(deepLift(box, x3, { target: 0 }), (e: unknown) => e instanceof LumenError && e.code === 'not-differentiable');
  const { model, layers } = linearModel(W);
  const x = tf.ones([1, 4]);
  await assert.rejects(deepLift(model, x, { target: 0, rule: 'nope' as 'rescale' }), (e: unknown) => e instanceof LumenError && e.code === 'option');
  await assert.rejects(deepLift(model, x, { target: 0, eps: -1 }), (e: unknown) => e instanceof LumenError && e.code === 'option');
  await assert.rejects(deepLift(model, x, { target: 0, baseline: tf.ones([2, 3]) }), (e: unknown) => e instanceof LumenError && e.code === 'shape');
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 4, inputShape: [3], name: 'fc' }));
  m.add(tf.layers.layerNormalization({ name: 'norm' }));
  const before = tf.memory().numTensors;
  await assert.rejects(deepLift(fromLayersModel(m), x3, { target: 0 }), (e: unknown) => e instanceof LumenError && /'norm' \(LayerNormalization/.test(e.message));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x3, x]);
  layers.dispose();
  m.dispose();
});

test('reveal-cancel applies only where a dense layer feeds its activation alone (else rescale)', async () => {
  await useBackend();
  const input = tf.input({ shape: [4] });
  const d1 = tf.layers.dense({ units: 5, name: 'd1', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ seed: 2 }) }).apply(input) as tf.SymbolicTensor;
  const h = tf.layers.reLU({ name: 'relu' }).apply(d1) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'skip' }).apply([h, d1]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, name: 'out', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }).apply(sum) as tf.SymbolicTensor;
  const layers = tf.model({ inputs: input, outputs: out });
  const model = fromLayersModel(layers);
  const x = tf.randomNormal([3, 4], 0, 1, 'float32', 4);
  const baseline = tf.randomNormal([3, 4], 0, 1, 'float32', 5);
  const rescale = await deepLift(model, x, { target: 1, baseline });
  const revealCancel = await deepLift(model, x, { target: 1, baseline, rule: 'reveal-cancel' });
  // d1's output also feeds the skip connection, so its ReLU keeps the rescale rule
  assert.ok((await maxAbsDiff(rescale.values, revealCancel.values)) < 1e-6);
  assert.ok((revealCancel.meta.delta ?? []).every((d) => Math.abs(d) < 1e-4));
  rescale.dispose();
  revealCancel.dispose();
  tf.dispose([x, baseline]);
  layers.dispose();
});
