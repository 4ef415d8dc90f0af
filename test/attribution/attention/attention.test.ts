import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { attentionRollout, attentionRolloutMatrices } from '../../../src/attribution/attention/attention-rollout.js';
import { gradientAttention, gradientAttentionMatrices } from '../../../src/attribution/attention/gradient-attention.js';
import { LumenError } from '../../../src/core/errors.js';
import { useBackend } from '../../../src/engine/backend.js';
import { fromFunction } from '../../../src/models/from-function.js';
import { fromGraph } from '../../../src/models/from-graph.js';
import { GRAPH_INPUT } from '../../../src/models/graph.js';
import type { GraphNode } from '../../../src/models/graph-types.js';
import { loadFixture } from '../../../src/models/fixture.js';
import { loadOnnx } from '../../../src/models/onnx/load-onnx.js';
import { repoPath } from '../../helpers.js';
import { maxAbsDiff } from '../../toy-models.js';

const T = 4;
const H = 2;

/**
 * A model whose attention is known: the input [N, H·T·T] holds attention logits, block b's attention
 * is softmax of them (+ b), and the output is Σ W ⊙ A over the blocks, so ∂f/∂A_b = W_b exactly.
 */
function knownAttention(weights: readonly tf.Tensor[]): ReturnType<typeof fromGraph> {
  const nodes: GraphNode[] = [];
  const names: string[] = [];
  weights.forEach((_, b) => {
    const name = `attn${b}`;
    names.push(name);
    nodes.push({ name, kind: 'Softmax', inputs: [GRAPH_INPUT], outputShape: [H, T, T], apply: ([x]) => tf.softmax(tf.add(x.reshape([x.shape[0], H, T, T]), b)) });
  });
  nodes.push({ name: 'score', kind: 'Sum', inputs: names, outputShape: [1], apply: (as) => tf.addN(as.map((a, b) => tf.sum(tf.mul(a, weights[b]), [1, 2, 3]))).reshape([-1, 1]) });
  return fromGraph({ nodes, output: 'score' }, { name: 'known-attention', inputShape: [H * T * T], outputShape: [1] });
}

const logits = (): tf.Tensor => tf.randomNormal([3, H * T * T], 0, 1, 'float32', 7);

test('attention rollout is the product of (mean-head attention + I)/2 through the blocks, first block rightmost', async () => {
  await useBackend();
  const w = [tf.randomNormal([H, T, T], 0, 1, 'float32', 1), tf.randomNormal([H, T, T], 0, 1, 'float32', 2)];
  const model = knownAttention(w);
  const x = logits();
  const before = tf.memory().numTensors;
  const { rollout } = await attentionRolloutMatrices(model, x);
  assert.equal(tf.memory().numTensors, before + 1, 'only the result is left');
  const expected = tf.tidy(() => {
    const { captured } = model.run(x, { capture: ['attn0', 'attn1'] });
    const eye = tf.eye(T);
    const step = (a: tf.Tensor): tf.Tensor => tf.add(tf.mul(tf.mean(a, 1), 0.5), tf.mul(eye, 0.5));
    return tf.matMul(step(captured.attn1), step(captured.attn0));
  });
  assert.ok((await maxAbsDiff(rollout, expected)) < 1e-6);
  // Rows of a product of row-stochastic matrices sum to 1.
  const rowSums = tf.sum(rollout, -1);
  assert.ok((await maxAbsDiff(rowSums, tf.onesLike(rowSums))) < 1e-6);
  // The pooled relevance is row 0 (first-token pooling) or the mean of the rows.
  const first = await attentionRollout(model, x);
  const mean = await attentionRollout(model, x, { pool: 'mean' });
  assert.ok((await maxAbsDiff(first.values, tf.tidy(() => rollout.slice([0, 0, 0], [-1, 1, -1]).squeeze([1])))) < 1e-7);
  assert.ok((await maxAbsDiff(mean.values, tf.tidy(() => tf.mean(rollout, 1)))) < 1e-7);
  assert.equal(first.target, null, 'attention does not depend on the explained class');
  tf.dispose([x, expected, rollout, rowSums, ...w]);
  first.dispose();
  mean.dispose();
});

test('attention rollout without the residual multiplies the raw mean attention; batches give the same numbers', async () => {
  await useBackend();
  const w = [tf.randomNormal([H, T, T], 0, 1, 'float32', 3)];
  const model = knownAttention(w);
  const x = logits();
  const plain = await attentionRolloutMatrices(model, x, { residual: false });
  const expected = tf.tidy(() => tf.mean(model.run(x, { capture: ['attn0'] }).captured.attn0, 1));
  assert.ok((await maxAbsDiff(plain.rollout, expected)) < 1e-7);
  const whole = await attentionRolloutMatrices(model, x);
  const oneByOne = await attentionRolloutMatrices(model, x, { batchSize: 1 });
  assert.equal(oneByOne.modelCalls, 3);
  assert.ok((await maxAbsDiff(whole.rollout, oneByOne.rollout)) < 1e-7);
  tf.dispose([x, expected, plain.rollout, whole.rollout, oneByOne.rollout, ...w]);
});

test('discardRatio zeroes the smallest fused entries except [0, 0]; max fusion takes the largest head', async () => {
  await useBackend();
  const w = [tf.randomNormal([H, T, T], 0, 1, 'float32', 4)];
  const model = knownAttention(w);
  const x = logits();
  const { rollout } = await attentionRolloutMatrices(model, x, { residual: false, discardRatio: 0.5 });
  const values = (await rollout.array()) as number[][][];
  const fused = (await tf.tidy(() => tf.mean(model.run(x, { capture: ['attn0'] }).captured.attn0, 1)).array()) as number[][][];
  for (let n = 0; n < 3; n++) {
    const flat = fused[n].flat();
    const sorted = [...flat].sort((a, b) => a - b);
    const zeros = values[n].flat().filter((v, i) => v === 0 && i !== 0).length;
    assert.ok(zeros >= T * T / 2 - 1, `row ${n}: at least ${T * T / 2 - 1} entries dropped (found ${zeros})`);
    values[n].flat().forEach((v, i) => { if (v !== 0) assert.ok(Math.abs(v - flat[i]) < 1e-7 && (flat[i] > sorted[T * T / 2 - 1] || i === 0)); });
  }
  const max = await attentionRolloutMatrices(model, x, { residual: false, headFusion: 'max' });
  const expected = tf.tidy(() => tf.max(model.run(x, { capture: ['attn0'] }).captured.attn0, 1));
  assert.ok((await maxAbsDiff(max.rollout, expected)) < 1e-7);
  tf.dispose([x, rollout, max.rollout, expected, ...w]);
});

test('gradient-weighted attention: with ∂f/∂A_b = W_b, R = (I + Ā_2)(I + Ā_1) with Ā_b = mean_h max(0, W_b ⊙ A_b)', async () => {
  await useBackend();
  const w = [tf.randomNormal([H, T, T], 0, 1, 'float32', 5), tf.randomNormal([H, T, T], 0, 1, 'float32', 6)];
  const model = knownAttention(w);
  const x = logits();
  const before = tf.memory().numTensors;
  const { relevance, modelCalls } = await gradientAttentionMatrices(model, x, { target: 0 });
  assert.equal(tf.memory().numTensors, before + 1);
  assert.equal(modelCalls, 2, 'one backward pass per block');
  const expected = tf.tidy(() => {
    const { captured } = model.run(x, { capture: ['attn0', 'attn1'] });
    const eye = tf.eye(T).expandDims(0);
    const bar = (b: number): tf.Tensor => tf.mean(tf.relu(tf.mul(w[b], captured[`attn${b}`])), 1);
    return tf.matMul(tf.add(eye, bar(1)), tf.add(eye, bar(0)));
  });
  assert.ok((await maxAbsDiff(relevance, expected)) < 1e-5);
  const pooled = await gradientAttention(model, x, { target: 0, pool: 2 });
  assert.ok((await maxAbsDiff(pooled.values, tf.tidy(() => relevance.slice([0, 2, 0], [-1, 1, -1]).squeeze([1])))) < 1e-6);
  assert.deepEqual(pooled.target, [0, 0, 0]);
  tf.dispose([x, relevance, expected, ...w]);
  pooled.dispose();
});

test('attention methods on the ONNX export of a PyTorch transformer find its Softmax and agree with the same weights built from JSON', async () => {
  await useBackend();
  const fixture = loadFixture(repoPath('test', 'fixtures', 'wave2', 'attention_tiny.json'));
  const onnx = await loadOnnx(repoPath('test', 'fixtures', 'wave2', 'attention_tiny.onnx'), { inputLayout: 'nhwc' });
  try {
    const fromJson = await attentionRollout(fixture.model, fixture.inputs);
    const fromOnnx = await attentionRollout(onnx, fixture.inputs);
    assert.deepEqual(fromOnnx.meta.layers, ['/blocks.0/Softmax']);
    assert.deepEqual(fromJson.meta.layers, ['blocks.0.attn']);
    assert.ok((await maxAbsDiff(fromJson.values, fromOnnx.values)) < 1e-5);
    const g1 = await gradientAttention(fixture.model, fixture.inputs);
    const g2 = await gradientAttention(onnx, fixture.inputs);
    assert.deepEqual(g1.target, fixture.targets, 'the predicted class, as the fixture records it');
    assert.ok((await maxAbsDiff(g1.values, g2.values)) < 1e-5);
    [fromJson, fromOnnx, g1, g2].forEach((a) => a.dispose());
  } finally {
    onnx.dispose();
    fixture.dispose();
  }
});

test('attention methods refuse models without attention, black boxes and bad options with LumenErrors', async () => {
  await useBackend();
  const fixture = loadFixture(repoPath('test', 'fixtures', 'mlp.json'));
  const blackBox = fromFunction((x) => x.sum(1, true), { inputShape: [3], outputShape: [1] });
  const model = knownAttention([tf.ones([H, T, T])]);
  const x = logits();
  try {
    await assert.rejects(attentionRollout(fixture.model, fixture.inputs), (e: unknown) => e instanceof LumenError && /no attention layer/.test(e.message) && /fc1/.test(e.message));
    await assert.rejects(gradientAttention(blackBox, tf.ones([1, 3])), LumenError);
    await assert.rejects(attentionRollout(model, x, { layers: ['score'] }), (e: unknown) => e instanceof LumenError && /\[heads, T, T\]/.test(e.message));
    await assert.rejects(attentionRollout(model, x, { layers: ['nope'] }), LumenError);
    await assert.rejects(attentionRollout(model, x, { pool: 9 }), (e: unknown) => e instanceof LumenError && /pool/.test(e.message));
    await assert.rejects(attentionRollout(model, x, { discardRatio: 1 }), LumenError);
    await assert.rejects(attentionRollout(model, x, { headFusion: 'median' as 'mean' }), LumenError);
  } finally {
    fixture.dispose();
    x.dispose();
  }
});
