import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/engine/backend.js';
import { METHODS, type MethodInfo, type MethodOptions } from '../../src/methods.js';
import { maxAbsDiff, tanhMlp } from '../toy-models.js';
import { gapCnn, images } from '../attribution/cam/cam-models.js';

/** Options that make each method quick and fully seeded on the toy model. */
function optionsFor(m: MethodInfo): MethodOptions {
  return { target: [0, 2], seed: 7, ...(m.layer === 'required' ? { layer: 'fc1' } : {}), steps: 16, samples: 4, neuron: 0 };
}

/** Image-only methods (class activation maps) run on a small CNN with global average pooling, the others on the tanh MLP. */
function toyFor(m: MethodInfo): { model: ReturnType<typeof tanhMlp>['model']; layers: { dispose(): void }; x: tf.Tensor } {
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

for (const m of METHODS.filter((info) => info.scope === 'local').filter((info) => info.completeness)) {
  test(`${m.id}: meta.delta is Σ attribution − (f(x) − f(baseline)) for a single zero baseline`, async () => {
    await useBackend();
    const { model, layers } = tanhMlp(32);
    const x = tf.tensor2d([[1, -1, 0.5, 2]]);
    const attr = await m.run(model, x, { target: 1, steps: 128, samples: 64, seed: 1, ...(m.layer === 'required' ? { layer: 'fc1' } : {}) });
    const gap = tf.tidy(() => attr.values.sum().sub(model.run(x).output.sub(model.run(tf.zerosLike(x)).output).gather([1], 1).sum()).dataSync()[0]);
    const delta = attr.meta.delta ?? [NaN];
    assert.ok(Math.abs(delta[0] - gap) < 1e-4, `reported ${delta[0]}, measured ${gap}`);
    attr.dispose();
    x.dispose();
    layers.dispose();
  });
}
