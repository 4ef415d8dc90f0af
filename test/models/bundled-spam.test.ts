import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { integratedGradients } from '../../src/attribution/gradient/integrated-gradients.js';
import { featureAblation } from '../../src/attribution/perturbation/feature-ablation.js';
import { useBackend } from '../../src/engine/backend.js';
import { emailBody, loadSpamAssassin, spamSplit } from '../../src/data/spam.js';
import { loadBundledMeta, loadBundledModel, loadBundledVocabulary } from '../../src/models/bundled.js';
import { fromLayersModel } from '../../src/models/from-layers-model.js';
import { encodeText } from '../../src/text/vocabulary.js';
import { tokenAttribution } from '../../src/text/token-attribution.js';

test('emailBody drops the header block', () => {
  assert.equal(emailBody('From: a\r\nSubject: b\r\n\r\nHello\nworld'), 'Hello\nworld');
  assert.equal(emailBody('only headers'), '');
});

test('the bundled spam model: ≥ 95 % on the held-out split of the SpamAssassin corpus, as its meta.json records', async () => {
  await useBackend();
  const meta = await loadBundledMeta('spam');
  const vocabulary = await loadBundledVocabulary('spam');
  assert.ok(vocabulary && vocabulary.tokens.length > 1000);
  const emails = loadSpamAssassin();
  assert.equal(emails.length, 6046);
  const split = spamSplit(emails);
  assert.equal(split.heldOut.length, meta.training.heldOutCount);
  const length = meta.inputShape[0];
  const ids = new Float32Array(split.heldOut.length * length);
  split.heldOut.forEach((e, r) => ids.set(encodeText(vocabulary, emails[e].body, length).ids, r * length));
  const { model } = await loadBundledModel('spam');
  const x = tf.tensor2d(ids, [split.heldOut.length, length]);
  const pred = tf.tidy(() => (model.predict(x, { batchSize: 256 }) as tf.Tensor).argMax(-1));
  const p = await pred.data();
  let ok = 0;
  split.heldOut.forEach((e, r) => { if (p[r] === emails[e].label) ok++; });
  const accuracy = ok / split.heldOut.length;
  assert.ok(accuracy >= 0.95, `held-out accuracy ${accuracy}`);
  assert.ok(Math.abs(accuracy - meta.training.heldOutAccuracy) < 1e-3, `meta.json says ${meta.training.heldOutAccuracy}; measured ${accuracy}`);
  tf.dispose([x, pred]);
  model.dispose();
});

test('token attributions on the trained text CNN: IG on the embedding is complete over tokens and 0 at PAD; occlusion is exact leave-one-out', async () => {
  await useBackend();
  const { model: layers, meta } = await loadBundledModel('spam');
  const vocabulary = await loadBundledVocabulary('spam');
  assert.ok(vocabulary);
  const model = fromLayersModel(layers);
  const length = meta.inputShape[0];
  const texts = ['Congratulations! You have won a free prize, click here to claim your money now', 'Hi Bob, the meeting about the kernel patch moved to Tuesday'];
  const encoded = texts.map((t) => encodeText(vocabulary, t, length));
  const x = tf.tensor2d(encoded.flatMap((e) => Array.from(e.ids)), [2, length]);
  const before = tf.memory().numTensors;
  const ig = await integratedGradients(model, x, { layer: 'embedding', baseline: 0, steps: 128 });
  const tokens = tokenAttribution(ig.values);
  const sums = (await tokens.sum(1).array()) as number[];
  const out = (await (await model.predict(x)).array()) as number[][];
  const pad = (await (await model.predict(tf.zerosLike(x))).array()) as number[][];
  const per = (await tokens.array()) as number[][];
  const target = ig.target as number[];
  for (let n = 0; n < 2; n++) {
    const gap = out[n][target[n]] - pad[n][target[n]];
    assert.ok(Math.abs(sums[n] - gap) < 0.02 * Math.max(1, Math.abs(gap)), `example ${n}: Σ tokens ${sums[n]} vs f(x) − f(PAD) ${gap}`);
    for (let t = encoded[n].length; t < length; t++) assert.equal(per[n][t], 0);
  }
  // Occlusion of one token = f(x) − f(x with that token set to PAD), checked on a few positions.
  const occ = await featureAblation(model, x, { baseline: 0, featureMask: 'tokens', target });
  const occValues = (await occ.values.array()) as number[][];
  for (const t of [0, 3, 7]) {
    const changed = encoded[0].ids.slice();
    changed[t] = 0;
    const y = (await (await model.predict(tf.tensor2d(Array.from(changed), [1, length]))).array()) as number[][];
    assert.ok(Math.abs(occValues[0][t] - (out[0][target[0]] - y[0][target[0]])) < 1e-4);
  }
  ig.dispose();
  occ.dispose();
  tokens.dispose();
  x.dispose();
  layers.dispose();
  assert.ok(tf.memory().numTensors < before + 20, 'no tensors kept by the methods');
});
