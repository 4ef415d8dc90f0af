import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_EPSILON, fgsm } from '../../src/adversarial/fgsm.js';
import { pgd } from '../../src/adversarial/pgd.js';
import { projectPerturbation } from '../../src/adversarial/project-perturbation.js';
import { LumenError } from '../../src/core/errors.js';
import type { Model } from '../../src/core/model.js';
import { useBackend } from '../../src/engine/backend.js';
import { linearModel, maxAbsDiff, tanhMlp } from '../toy-models.js';

function runSpy(model: Model): { model: Model; runs: () => number } {
  let runs = 0;
  return { model: { ...model, run: (x, o) => (runs++, model.run(x, o)) }, runs: () => runs };
}

test('projectPerturbation: L∞ clamps each element, L2 rescales by r/(‖d‖ + 1e-7) only outside the ball', async () => {
  await useBackend();
  const x = tf.tensor2d([[0, 0], [1, 1]]);
  const p = tf.tensor2d([[3, 4], [1.3, 0.9]]);
  const r = tf.tensor2d([[1], [1]]);
  const linf = projectPerturbation(x, p, 'linf', r);
  assert.ok((await maxAbsDiff(linf, [1, 1, 1.3, 0.9])) < 1e-6);
  const l2 = projectPerturbation(x, p, 'l2', r);
  const s = 1 / (5 + 1e-7);
  assert.ok((await maxAbsDiff(l2, [3 * s, 4 * s, 1.3, 0.9])) < 1e-6, 'inside the ball (‖d‖ ≈ 0.32) nothing changes');
  tf.dispose([x, p, r, linf, l2]);
});

test('pgd keeps every example inside its ball and the bounds, one gradient call per step, no leak', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(3);
  const spy = runSpy(model);
  const x = tf.tidy(() => tf.randomUniform([5, 4], 0.1, 0.9, 'float32', 11));
  const before = tf.memory().numTensors;
  for (const norm of ['linf', 'l2'] as const) {
    const radius = norm === 'linf' ? 0.1 : 0.2;
    const start = spy.runs();
    const r = await pgd(spy.model, x, { norm, radius, stepSize: 0.05, steps: 6, bounds: [0, 1] });
    assert.equal(spy.runs() - start, 6, 'one taped pass per step for the whole batch');
    const size = norm === 'linf' ? r.linf : r.l2;
    assert.ok(size.every((s) => s <= radius * (1 + 1e-5)), `${norm}: sizes ${size} within ${radius}`);
    assert.ok(size.some((s) => s > radius * 0.5), `${norm}: the attack moved`);
    assert.ok(Array.from(await r.perturbed.data()).every((v) => v >= 0 && v <= 1));
    r.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  layers.dispose();
});

test('pgd clamps after projecting, as Captum: an input outside the bounds ends beyond the radius', async () => {
  await useBackend();
  const { model, layers } = linearModel([[1, -1]]);
  const x = tf.tensor2d([[3]]);
  const r = await pgd(model, x, { radius: 0.5, stepSize: 0.25, steps: 2, bounds: [0, 1], target: 0 });
  assert.deepEqual(Array.from(await r.perturbed.data()), [1]);
  assert.equal(r.linf[0], 2);
  tf.dispose([x, r.perturbed]);
  layers.dispose();
});

test('pgd with a random start is reproducible for a seed, differs across seeds, and starts inside the ball', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(4);
  const x = tf.tidy(() => tf.randomUniform([3, 4], 0.2, 0.8, 'float32', 5));
  const run = (seed: number, steps = 3, norm: 'linf' | 'l2' = 'linf') => pgd(model, x, { norm, radius: 0.1, stepSize: 0.02, steps, randomStart: true, seed, bounds: [0, 1] });
  const a = await run(1);
  const b = await run(1);
  const c = await run(2);
  assert.deepEqual(Array.from(await a.perturbed.data()), Array.from(await b.perturbed.data()));
  assert.ok((await maxAbsDiff(a.perturbed, c.perturbed)) > 1e-4);
  const s0 = await run(9, 0);
  assert.ok(s0.linf.every((v) => v <= 0.1 + 1e-6) && s0.linf.some((v) => v > 0));
  const l2 = await run(9, 0, 'l2');
  assert.ok(l2.l2.every((v) => v <= 0.1 + 1e-6) && l2.l2.some((v) => v > 0));
  [a, b, c, s0, l2].forEach((r) => r.dispose());
  x.dispose();
  layers.dispose();
});

test('pgd refuses bad options with a LumenError', async () => {
  await useBackend();
  const { model, layers } = tanhMlp(4);
  const x = tf.zeros([1, 4]);
  const before = tf.memory().numTensors;
  await assert.rejects(pgd(model, x, { radius: 0.1, stepSize: 0.1, norm: 'l1' as never, bounds: [0, 1] }), (e: unknown) => e instanceof LumenError && /norm must be 'linf' or 'l2'; found l1/.test(e.message));
  await assert.rejects(pgd(model, x, { radius: 0.1, stepSize: 0.1, steps: 1.5, bounds: [0, 1] }), (e: unknown) => e instanceof LumenError && /steps must be an integer ≥ 0; found 1.5/.test(e.message));
  await assert.rejects(pgd(model, x, { radius: Number.NaN, stepSize: 0.1, bounds: [0, 1] }), (e: unknown) => e instanceof LumenError && /radius must be finite/.test(e.message));
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
  layers.dispose();
});

test('fgsm and pgd hold their own defaults (ε = radius = 1/32, stepSize = radius / 4): the registry invents none', async () => {
  await useBackend();
  const { model, layers } = linearModel([[1, -1], [-2, 1], [0.5, 0.5]], [0.1, -0.2]);
  const x = tf.tensor2d([[0.6, 0.4, 0.5], [0.3, 0.5, 0.2]]);
  const bounds = [0, 1] as const;
  const pairs = [
    [await fgsm(model, x, { bounds }), await fgsm(model, x, { bounds, epsilon: DEFAULT_EPSILON })],
    [await pgd(model, x, { bounds }), await pgd(model, x, { bounds, radius: DEFAULT_EPSILON, stepSize: DEFAULT_EPSILON / 4 })],
    [await pgd(model, x, { bounds, radius: 0.2 }), await pgd(model, x, { bounds, radius: 0.2, stepSize: 0.05 })],
  ];
  assert.equal(DEFAULT_EPSILON, 1 / 32);
  for (const [implicit, explicit] of pairs) {
    assert.deepEqual(Array.from(await implicit.perturbed.data()), Array.from(await explicit.perturbed.data()));
    assert.ok(Array.from(await implicit.perturbed.data()).some((v, i) => v !== x.dataSync()[i]), 'the attack moved the input');
    implicit.dispose();
    explicit.dispose();
  }
  x.dispose();
  layers.dispose();
});
