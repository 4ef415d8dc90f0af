import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { METHODS, localMethodById, type MethodInfo, type MethodOptions } from '../../src/methods.js';
import { COMPLETENESS } from './claims.js';
import { maxAbsDiff, tanhMlp } from '../toy-models.js';
import { gapCnn, images } from '../attribution/cam/cam-models.js';
import { toyAttentionModel } from '../attribution/attention/attention-models.js';

/** Options that make each method quick and fully seeded on the toy model. */
function optionsFor(m: MethodInfo): MethodOptions {
  return { target: [0, 2], seed: 7, ...(m.layer === 'required' ? { layer: 'fc1' } : {}), steps: 16, samples: 4, neuron: 0 };
}

/** Image-only methods (class activation maps) run on a small CNN with global average pooling, attention methods and AttnLRP (which acts on graph nodes) on a two-block attention toy, the others on the tanh MLP. */
function toyFor(m: MethodInfo): { model: ReturnType<typeof tanhMlp>['model']; layers: { dispose(): void }; x: tf.Tensor } {
  if (m.family === 'attention' || m.id === 'attn-lrp') return toyAttentionModel(31);
  if (!m.inputKinds.includes('image') || m.inputKinds.includes('any')) return { ...tanhMlp(31), x: tf.tensor2d([[1, -1, 0.5, 2], [0.1, 0.2, 0.3, -0.4]]) };
  return { ...gapCnn({ seed: 31 }), x: images(2) };
}

for (const m of METHODS.filter((info) => info.scope === 'local')) {
  test(`${m.id}: the same seed gives the same values, and nothing leaks`, async () => {
    await useBackend();
    const { model, layers, x } = toyFor(m);
    const before = tf.memory().numTensors;
    const a = await m.run(model, x, optionsFor(m));
    const b = await m.run(model, x, optionsFor(m));
    assert.equal(await maxAbsDiff(a.values, b.values), 0);
    assert.equal(a.values.shape[0], 2);
    a.dispose();
    b.dispose();
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    x.dispose();
    layers.dispose();
  });
}

test('every method whose meta.delta reports a completeness gap has a completeness row with its tolerance, and no other method has one', () => {
  assert.deepEqual(COMPLETENESS.map((c) => c.method).sort(), METHODS.filter((m) => m.scope === 'local' && m.completeness).map((m) => m.id).sort());
});

for (const c of COMPLETENESS) {
  test(`${c.method}: the completeness gap Σ attribution − (f(x) − f(0)) is at most ${c.tolerance} (relative), and meta.delta reports it`, async () => {
    await useBackend();
    const { model, layers } = tanhMlp(32);
    const x = tf.tensor2d([[1, -1, 0.5, 2], [0.3, 0.8, -1.5, 0.2]]);
    const target = [1, 2];
    const attr = await localMethodById(c.method).run(model, x, { target, seed: 1, ...c.options });
    const sums = (await attr.values.reshape([2, -1]).sum(1).array()) as number[];
    const out = tf.tidy(() => model.run(x).output.sub(model.run(tf.zerosLike(x)).output).arraySync() as number[][]);
    const delta = attr.meta.delta ?? [];
    assert.equal(delta.length, 2, 'one delta per example');
    sums.forEach((s, i) => {
      const diff = out[i][target[i]];
      const gap = s - diff;
      assert.ok(Math.abs(delta[i] - gap) < 1e-4, `example ${i}: reported ${delta[i]}, measured ${gap}`);
      assert.ok(Math.abs(gap) <= c.tolerance * Math.max(1, Math.abs(diff)), `example ${i}: gap ${gap} for f(x) − f(0) = ${diff}`);
    });
    attr.dispose();
    x.dispose();
    layers.dispose();
  });
}

/** An aborted call is a LumenError with code 'aborted' (or a DOM AbortError). */
function isAbort(e: unknown): boolean {
  return (e instanceof Error && e.name === 'AbortError') || (e instanceof Error && (e as { code?: string }).code === 'aborted');
}

for (const m of METHODS.filter((info) => info.scope === 'local')) {
  test(`${m.id}: an already-aborted signal stops it with an abort error, and nothing leaks`, async () => {
    await useBackend();
    const { model, layers, x } = toyFor(m);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(m.run(model, x, { ...optionsFor(m), signal: controller.signal }), isAbort);
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    x.dispose();
    layers.dispose();
  });

  test(`${m.id}: a signal aborted during the run (from onProgress) stops it, and nothing leaks`, async () => {
    await useBackend();
    const { model, layers, x } = toyFor(m);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    // batchSize 1 makes every method take several batches, so the abort lands mid-run
    const options = { ...optionsFor(m), batchSize: 1, signal: controller.signal, onProgress: () => controller.abort() };
    await assert.rejects(m.run(model, x, options), isAbort);
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    x.dispose();
    layers.dispose();
  });
}
