import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { attentionFlow } from '../../src/attribution/attention/attention-flow.js';
import { attentionRollout } from '../../src/attribution/attention/attention-rollout.js';
import { gradientAttention } from '../../src/attribution/attention/gradient-attention.js';
import { integratedGradients } from '../../src/attribution/gradient/integrated-gradients.js';
import { loadSpamAssassin, spamSplit } from '../../src/data/spam.js';
import { useBackend } from '../../src/engine/backend.js';
import { bundledModelDir, loadBundledModel, loadBundledOnnx, loadBundledVocabulary } from '../../src/models/bundled.js';
import { tokenAttribution } from '../../src/text/token-attribution.js';
import { encodeText } from '../../src/text/vocabulary.js';

const texts = ['Congratulations! You have won a free prize, click here to claim your money now', 'Hi Bob, the meeting about the kernel patch moved to Tuesday'];

test('bundled:spam-transformer: the committed ONNX file is the one meta.json names, with the transformer ops, ≥ 95 % held out as recorded, PyTorch logits reproduced', async () => {
  await useBackend();
  const { model, meta } = await loadBundledOnnx('spam-transformer');
  try {
    const bytes = readFileSync(path.join(bundledModelDir('spam-transformer'), meta.file ?? ''));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), meta.sha256);
    const kinds = new Set(model.layers.map((l) => l.kind));
    for (const op of ['MatMul', 'Softmax', 'ReduceMean', 'Sqrt', 'Div', 'Erf', 'Gather', 'Where']) assert.ok(kinds.has(op), `the import runs ${op}`);
    assert.deepEqual(meta.layers.slice(1), model.layers.filter((l) => l.kind === 'Softmax').map((l) => l.name));
    assert.ok(model.layers.some((l) => l.name === meta.embeddingLayer && l.kind === 'Gather'), 'the embedding layer meta.json names');
    const vocabulary = await loadBundledVocabulary('spam-transformer');
    assert.ok(vocabulary);
    const emails = loadSpamAssassin();
    const split = spamSplit(emails);
    assert.equal(split.heldOut.length, meta.training.heldOutCount);
    const length = meta.inputShape[0]!;
    const ids = new Float32Array(split.heldOut.length * length);
    split.heldOut.forEach((e, r) => ids.set(encodeText(vocabulary, emails[e]!.body, length).ids, r * length));
    const x = tf.tensor2d(ids, [split.heldOut.length, length]);
    const parts: tf.Tensor[] = [];
    for (let s = 0; s < split.heldOut.length; s += 128) {
      const rows = x.slice(s, Math.min(128, split.heldOut.length - s));
      parts.push(await model.predict(rows));
      rows.dispose();
    }
    const logits = tf.concat(parts);
    tf.dispose(parts);
    const arg = logits.argMax(-1);
    const pred = await arg.data();
    arg.dispose();
    let ok = 0;
    split.heldOut.forEach((e, r) => { if (pred[r] === emails[e]!.label) ok++; });
    const accuracy = ok / split.heldOut.length;
    assert.ok(accuracy >= 0.95, `held-out accuracy ${accuracy}`);
    assert.ok(Math.abs(accuracy - meta.training.heldOutAccuracy) < 1e-3, `meta.json says ${meta.training.heldOutAccuracy}; measured ${accuracy}`);
    const first = (await logits.slice([0, 0], [4, 2]).array()) as number[][];
    first.forEach((row, r) => row.forEach((v, c) => assert.ok(Math.abs(v - meta.referenceLogits![r]![c]!) < 1e-4 * Math.max(1, Math.abs(v)), `row ${r}: ${v} vs PyTorch ${meta.referenceLogits![r]![c]}`)));
    tf.dispose([x, logits]);
  } finally {
    model.dispose();
  }
  await assert.rejects(loadBundledModel('spam-transformer'), /ONNX model; load it with loadBundledOnnx/);
});

test('gradients reach the transformer\'s embedding: IG on /tok_emb/Gather is complete over tokens and 0 at PAD; rollout, flow and Chefer run on it', async () => {
  await useBackend();
  const { model, meta } = await loadBundledOnnx('spam-transformer');
  const vocabulary = await loadBundledVocabulary('spam-transformer');
  assert.ok(vocabulary && meta.embeddingLayer);
  const length = meta.inputShape[0]!;
  const encoded = texts.map((t) => encodeText(vocabulary, t, length));
  const x = tf.tensor2d(encoded.flatMap((e) => Array.from(e.ids)), [2, length]);
  try {
    const before = tf.memory().numTensors;
    const ig = await integratedGradients(model, x, { layer: meta.embeddingLayer, baseline: 0, steps: 32 });
    assert.deepEqual(ig.values.shape, [2, length, 32]);
    const tokens = tokenAttribution(ig.values);
    const per = (await tokens.array()) as number[][];
    const delta = ig.meta.delta as readonly number[];
    for (let n = 0; n < 2; n++) {
      const total = per[n]!.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(delta[n]!) < 0.01 * Math.max(1, Math.abs(total)), `example ${n}: completeness δ ${delta[n]} for Σ ${total}`);
      for (let t = encoded[n]!.length; t < length; t++) assert.equal(per[n]![t], 0);
    }
    ig.dispose();
    tokens.dispose();
    assert.ok(tf.memory().numTensors <= before, 'IG keeps no tensors');
    const rollout = await attentionRollout(model, x);
    assert.equal((rollout.meta.layers as readonly string[]).length, 2);
    const r = (await rollout.values.array()) as number[][];
    for (let n = 0; n < 2; n++) {
      assert.ok(Math.abs(r[n]!.reduce((a, b) => a + b, 0) - 1) < 1e-4, 'rollout rows sum to 1');
      for (let t = encoded[n]!.length; t < length; t++) assert.ok(r[n]![t]! < 1e-6, `masked PAD key ${t} gets no rollout`);
    }
    const flow = await attentionFlow(model, x, { batchSize: 1 });
    assert.equal(flow.meta.modelCalls, 2);
    const f = (await flow.values.array()) as number[][];
    f.forEach((row) => assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4));
    const chefer = await gradientAttention(model, x);
    assert.deepEqual(chefer.values.shape, [2, length]);
    [rollout, flow, chefer].forEach((a) => a.dispose());
  } finally {
    x.dispose();
    model.dispose();
  }
});
