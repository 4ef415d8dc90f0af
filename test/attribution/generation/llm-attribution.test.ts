/**
 * Generation attribution on toy decoders with closed forms: a bigram model (the next-token logits
 * at position t are a table row of token t, so only the prompt's last token can matter, and only
 * for the first generated token) and a causal bag of words (logits at t are the sum of the rows of
 * tokens 0…t, so equal tokens are symmetric players).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { llmAttribution } from '../../../src/attribution/generation/llm-attribution.js';
import { llmGradientAttribution } from '../../../src/attribution/generation/llm-gradient-attribution.js';
import { greedyGenerate } from '../../../src/attribution/generation/greedy-generate.js';
import { LumenError } from '../../../src/core/errors.js';
import { Rng } from '../../../src/core/random.js';
import { useBackend } from '../../../src/engine/backend.js';
import { fromFunction } from '../../../src/models/from-function.js';
import { fromLayersModel } from '../../../src/models/from-layers-model.js';

const T = 8;
const V = 6;

/** A V×V table of logits, row 0 (PAD) zero. */
function table(seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: V }, (_, i) => Array.from({ length: V }, () => (i === 0 ? 0 : 2 * rng.normal())));
}

function logSoftmax(row: readonly number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

function bigram(w: number[][]) {
  const layers = tf.sequential({ layers: [tf.layers.embedding({ inputDim: V, outputDim: V, inputLength: T, name: 'emb', weights: [tf.tensor2d(w)] })] });
  return { model: fromLayersModel(layers), layers };
}

function bagOfWords(w: number[][]) {
  const emb = tf.tensor2d(w);
  const causal = tf.linalg.bandPart(tf.ones([T, T]), -1, 0); // [t, s] = 1 for s ≤ t
  const model = fromFunction((x) => tf.tidy(() => {
    const e = tf.gather(emb, x.toInt()); // [N, T, V]
    return tf.matMul(causal.expandDims(0).tile([x.shape[0], 1, 1]) as tf.Tensor3D, e as unknown as tf.Tensor3D);
  }), { inputShape: [T], outputShape: [T, V] });
  return { model, dispose: () => tf.dispose([emb, causal]) };
}

test('llmAttribution on a bigram decoder: only the last prompt token matters, only for the first generated token, by the closed form (ablation, exact and sampled Shapley)', async () => {
  await useBackend();
  const w = table(3);
  const { model, layers } = bigram(w);
  const prompt = [2, 5, 3, 4];
  const generated = [1, 5, 2];
  const before = tf.memory().numTensors;
  const lpAfter = logSoftmax(w[4]!)[1]!; // log p(1 | last prompt token 4)
  const lpPad = -Math.log(V); // log p(1 | PAD): a zero row
  for (const method of ['feature-ablation', 'shapley-values', 'shapley-value-sampling'] as const) {
    const r = await llmAttribution(model, prompt, generated, { method, samples: 5, seed: 7 });
    assert.equal(r.tokenAttribution.length, 3);
    r.tokenAttribution.forEach((row, k) => row.forEach((v, j) => {
      const want = k === 0 && j === 3 ? lpAfter - lpPad : 0;
      assert.ok(Math.abs(v - want) < 1e-5, `${method} [${k}][${j}] = ${v}; closed form ${want}`);
    }));
    const logProbs = [lpAfter, logSoftmax(w[1]!)[5]!, logSoftmax(w[5]!)[2]!];
    r.logProbs.forEach((v, k) => assert.ok(Math.abs(v - logProbs[k]!) < 1e-5, `${method} log p[${k}]`));
    r.sequenceAttribution.forEach((v, j) => assert.ok(Math.abs(v - r.tokenAttribution.reduce((a, row) => a + row[j]!, 0)) < 1e-12));
  }
  // With a UNK-like baseline id 1, the closed form changes to lp(1 | 4) − lp(1 | 1).
  const unk = await llmAttribution(model, prompt, generated, { baselineId: 1 });
  assert.ok(Math.abs(unk.tokenAttribution[0]![3]! - (lpAfter - logSoftmax(w[1]!)[1]!)) < 1e-5);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  layers.dispose();
});

test('llmGradientAttribution on a bigram decoder: layer IG on the embedding gives log p(x) − log p(PAD) at the last prompt token (completeness, closed form), 0 elsewhere', async () => {
  await useBackend();
  const w = table(11);
  const { model, layers } = bigram(w);
  const prompt = [3, 2, 5];
  const generated = [4, 4];
  const before = tf.memory().numTensors;
  const r = await llmGradientAttribution(model, prompt, generated, { layer: 'emb', steps: 64 });
  const want = logSoftmax(w[5]!)[4]! + Math.log(V);
  r.tokenAttribution.forEach((row, k) => row.forEach((v, j) => {
    const expect = k === 0 && j === 2 ? want : 0;
    assert.ok(Math.abs(v - expect) < 1e-4, `[${k}][${j}] = ${v}; closed form ${expect}`);
  }));
  assert.equal(r.method, 'layer-integrated-gradients');
  assert.ok((r.meta.delta as number[]).every((d) => Math.abs(d) < 1e-4), `completeness gaps ${JSON.stringify(r.meta.delta)}`);
  // segments sum token scores: one segment of the whole prompt holds everything
  const one = await llmGradientAttribution(model, prompt, generated, { layer: 'emb', steps: 64, segments: [0, 0, 0] });
  assert.ok(Math.abs(one.tokenAttribution[0]![0]! - want) < 1e-4);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  layers.dispose();
});

test('llmAttribution on a causal bag of words: equal tokens are symmetric players, Shapley values are efficient, segments remove tokens together', async () => {
  await useBackend();
  const w = table(5);
  const toy = bagOfWords(w);
  const prompt = [2, 3, 2, 4];
  const generated = [5, 1];
  const sh = await llmAttribution(toy.model, prompt, generated, { method: 'shapley-values' });
  for (const row of sh.tokenAttribution) assert.ok(Math.abs(row[0]! - row[2]!) < 1e-5, `symmetry: ${row[0]} vs ${row[2]}`);
  const total = sh.logProbs.reduce((a, b) => a + b, 0);
  const eff = sh.sequenceAttribution.reduce((a, b) => a + b, 0) - (total - (sh.meta.baseLogProb as number));
  assert.ok(Math.abs(eff) < 1e-5, `efficiency gap ${eff}`);
  // sampled Shapley is exact on every permutation's sum: efficiency holds per sample
  const ss = await llmAttribution(toy.model, prompt, generated, { method: 'shapley-value-sampling', samples: 3, seed: 1 });
  assert.ok(Math.abs(ss.sequenceAttribution.reduce((a, b) => a + b, 0) - (total - (ss.meta.baseLogProb as number))) < 1e-5);
  const again = await llmAttribution(toy.model, prompt, generated, { method: 'shapley-value-sampling', samples: 3, seed: 1 });
  assert.deepEqual(again.tokenAttribution, ss.tokenAttribution, 'seeded');
  // the segment {0, 2} (both 2s) ablated at once: by hand, the logits lose 2·w[2] for every generated position
  const seg = await llmAttribution(toy.model, prompt, generated, { segments: [7, 1, 7, 2] });
  assert.deepEqual(seg.segments, [2, 0, 2, 1]);
  const sums = (drop: boolean, upTo: number) => Array.from({ length: V }, (_, v) => prompt.concat(generated).slice(0, upTo + 1).reduce((a, id, i) => a + (drop && (i === 0 || i === 2) ? 0 : w[id]![v]!), 0));
  const want = [0, 1].map((k) => logSoftmax(sums(false, 3 + k))[generated[k]!]! - logSoftmax(sums(true, 3 + k))[generated[k]!]!);
  want.forEach((v, k) => assert.ok(Math.abs(seg.tokenAttribution[k]![2]! - v) < 1e-5, `segment ablation [${k}] ${seg.tokenAttribution[k]![2]} vs ${v}`));
  toy.dispose();
});

test('greedyGenerate follows the bigram table (arg-max, suppressed ids skipped, batched prompts of different lengths)', async () => {
  await useBackend();
  const w = table(3);
  const { model, layers } = bigram(w);
  const argmax = (row: number[], banned: number[]) => row.map((v, i) => (banned.includes(i) ? -Infinity : v)).reduce((b, v, i, a) => (v > a[b]! ? i : b), 0);
  const out = await greedyGenerate(model, [[2, 3], [4]], { maxNewTokens: 3, suppressIds: [0, 1] });
  for (const [p, g] of [[[2, 3], out[0]!], [[4], out[1]!]] as [number[], number[]][]) {
    let cur = p[p.length - 1]!;
    for (const id of g) {
      assert.equal(id, argmax(w[cur]!, [0, 1]));
      cur = id;
    }
    assert.equal(g.length, 3);
  }
  const capped = await greedyGenerate(model, [[2, 3, 4, 5, 2, 3, 4]], { maxNewTokens: 5 });
  assert.equal(capped[0]!.length, 1, 'stops at the model length');
  layers.dispose();
});

test('generation methods: clear LumenErrors for bad input', async () => {
  await useBackend();
  const { model, layers } = bigram(table(3));
  await assert.rejects(llmAttribution(model, [1, 2, 3, 4, 5], [1, 2, 3, 4]), (e: unknown) => e instanceof LumenError && /take 9 positions; the model reads 8/.test(e.message));
  await assert.rejects(llmAttribution(model, [1, 9], [1]), (e: unknown) => e instanceof LumenError && /prompt\[1\] is 9/.test(e.message));
  await assert.rejects(llmAttribution(model, [1, 2], []), /at least one generated token/);
  await assert.rejects(llmAttribution(model, [1, 2], [3], { segments: [0] }), /one label per prompt token \(2\)/);
  await assert.rejects(llmAttribution(model, [1, 2], [3], { method: 'lime' as never }), /method must be/);
  await assert.rejects(llmGradientAttribution(model, [1, 2], [3], { layer: 'nope' }), (e: unknown) => e instanceof LumenError && e.code === 'layer');
  const classifier = fromFunction((x) => tf.softmax(x), { inputShape: [4], outputShape: [4] });
  await assert.rejects(greedyGenerate(classifier, [[1]]), /next-token scores of shape \[T, V\]/);
  await assert.rejects(greedyGenerate(model, [[1]], { maxNewTokens: 0 }), /maxNewTokens must be a positive integer/);
  layers.dispose();
});
