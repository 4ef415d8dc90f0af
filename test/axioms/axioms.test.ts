import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Model } from '../../src/core/model.js';
import { useBackend } from '../../src/engine/backend.js';
import { METHODS, localMethodById, type MethodOptions } from '../../src/methods.js';
import { maxNet, symmetricDummyNet, type Toy } from './axiom-models.js';
import { COMPLETENESS, CONSERVATION, COUNTEREXAMPLES, DUMMY, IMPLEMENTATION_INVARIANCE, STRUCTURAL_SYMMETRY, SYMMETRY, type Claim, type Counterexample } from './claims.js';

// Features 0 and 1 equal (symmetry), feature 3 nonzero (so a dummy's zero is not the input's).
const SYMMETRIC_X = [[0.7, 0.7, -0.4, 1.3], [1.2, 1.2, 0.5, -2], [-0.3, -0.3, 1.1, 0.4]];
const SYMMETRIC_TARGET = [0, 1, 0];
// Points off max(x₁, x₂, 1)'s kinks, on both sides of the diagonal.
const MAX_X = [[3, 2], [0.5, 2.5], [-1, 4], [2.2, -0.7]];
const MAX_TARGET = [0, 0, 0, 0];

interface Run {
  /** Attributions, one row per example. */
  readonly values: number[][];
  /** f(x)_t and f(0)_t per example. */
  readonly fx: number[];
  readonly f0: number[];
}

/** f's target output per example, at x and at the zero baseline. */
function outputs(model: Model, x: tf.Tensor2D, target: readonly number[]): { fx: number[]; f0: number[] } {
  const at = (v: tf.Tensor): number[] => ((tf.tidy(() => model.run(v).output).arraySync() as number[][]).map((row, i) => row[target[i]]));
  const zeros = tf.zerosLike(x);
  const result = { fx: at(x), f0: at(zeros) };
  zeros.dispose();
  return result;
}

/** Runs a registry method on a toy model (zero baseline, seed 3), checks it leaks nothing, and returns plain numbers. */
async function attribute(method: string, toy: Toy, rows: number[][], target: number[], options: MethodOptions = {}): Promise<Run> {
  await useBackend();
  const x = tf.tensor2d(rows);
  const before = tf.memory().numTensors;
  const a = await localMethodById(method).run(toy.model, x, { target, seed: 3, ...options });
  const values = (await a.values.array()) as number[][];
  a.dispose();
  assert.equal(tf.memory().numTensors, before, `${method}: no tensor left behind`);
  const { fx, f0 } = outputs(toy.model, x, target);
  x.dispose();
  return { values, fx, f0 };
}

/** The unit violations are measured in: max(1, |f(x) − f(0)|) per example. */
const scale = (r: Run, i: number): number => Math.max(1, Math.abs(r.fx[i] - r.f0[i]));

/** The largest violation over the examples, relative to each example's scale. */
function worst(r: Run, violation: (row: number[], i: number) => number): number {
  return Math.max(...r.values.map((row, i) => violation(row, i) / scale(r, i)));
}

const sum = (row: number[]): number => row.reduce((s, v) => s + v, 0);

/**
 * Completeness gap of an example: Σ a − (f(x) − f(0)); for LRP, which has no baseline, Σ R − f(x)
 * (the same where f(0) = 0, as on bias-free networks).
 */
const completenessGap = (method: string, r: Run) => (row: number[], i: number): number =>
  Math.abs(sum(row) - (r.fx[i] - (method === 'lrp' ? 0 : r.f0[i])));
const symmetryGap = (row: number[]): number => Math.abs(row[0] - row[1]);
const dummyGap = (row: number[]): number => Math.abs(row[3]);

async function invarianceGap(method: string, options: MethodOptions | undefined): Promise<number> {
  const first = maxNet('first');
  const second = maxNet('second');
  const a = await attribute(method, first, MAX_X, MAX_TARGET, options);
  const b = await attribute(method, second, MAX_X, MAX_TARGET, options);
  assert.deepEqual(a.fx, b.fx, 'the two networks compute the same function');
  first.layers.dispose();
  second.layers.dispose();
  return worst(a, (row, i) => Math.max(...row.map((v, j) => Math.abs(v - b.values[i][j]))));
}

/**
 * The violation of one axiom by one method's run on its toy model: `symmetricDummyNet` (with or
 * without biases), or `maxNet('first')` on its diagonal, where max(x₁, x₂, 1) is symmetric.
 */
async function violation(axiom: Counterexample['axiom'], method: string, options: MethodOptions | undefined, on: { bias?: boolean; model?: 'max' } = {}): Promise<number> {
  if (axiom === 'implementation invariance') return invarianceGap(method, options);
  if (on.model === 'max') {
    const net = maxNet('first');
    const r = await attribute(method, net, [[3, 3], [1.5, 1.5]], [0, 0], options);
    net.layers.dispose();
    return worst(r, symmetryGap);
  }
  const toy = symmetricDummyNet(5, on.bias ?? true);
  const r = await attribute(method, toy, SYMMETRIC_X, SYMMETRIC_TARGET, options);
  toy.layers.dispose();
  if (axiom === 'completeness') return worst(r, completenessGap(method, r));
  return worst(r, axiom === 'symmetry' ? symmetryGap : dummyGap);
}

const label = (c: Claim): string => `${c.method}${c.options ? ` ${JSON.stringify(c.options)}` : ''}`;

test('the toy models are what the axioms need: features 0 and 1 symmetric, feature 3 ignored, two max networks equal', async () => {
  await useBackend();
  const toy = symmetricDummyNet(5);
  const probe = tf.tensor2d([[0.3, -1.2, 0.8, 0], [-1.2, 0.3, 0.8, 0], [0.3, -1.2, 0.8, 5]]);
  const out = (await toy.model.predict(probe).then((t) => t.array())) as number[][];
  out.slice(1).forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - out[0][j]) < 1e-6, `row ${i + 1}: swapping 0 and 1, or changing 3, leaves f unchanged`)));
  probe.dispose();
  toy.layers.dispose();
  const net = maxNet('second');
  const x = tf.tensor2d(MAX_X);
  const { fx } = outputs(net.model, x, MAX_TARGET);
  assert.deepEqual(fx.map((v) => Math.round(v * 1e5) / 1e5), [3, 2.5, 4, 2.2], 'max(x₁, x₂, 1)');
  x.dispose();
  net.layers.dispose();
});

test('every claim and counterexample names a local registry method, and no method both claims an axiom and fails it', () => {
  const ids = new Set(METHODS.filter((m) => m.scope === 'local').map((m) => m.id));
  // Completeness is claimed by the registry's flag (COMPLETENESS, test/axioms/registry.test.ts); conservation only on bias-free networks.
  const tables: [Counterexample['axiom'], readonly Claim[]][] = [['completeness', COMPLETENESS], ['symmetry', SYMMETRY], ['dummy', DUMMY], ['implementation invariance', IMPLEMENTATION_INVARIANCE]];
  for (const [, rows] of tables) for (const c of rows) assert.ok(ids.has(c.method), c.method);
  for (const c of [...CONSERVATION, ...STRUCTURAL_SYMMETRY]) assert.ok(ids.has(c.method), c.method);
  for (const c of COUNTEREXAMPLES) {
    assert.ok(ids.has(c.method), c.method);
    const claimed = tables.find(([axiom]) => axiom === c.axiom)?.[1] ?? [];
    assert.ok(!claimed.some((k) => k.method === c.method), `${c.method} is claimed for ${c.axiom} and shown to fail it`);
  }
});

for (const c of CONSERVATION) {
  test(`conservation: ${label(c)} sums to f(x) − f(0) on a ReLU network${c.bias ? ' with biases' : ' without biases'}`, async () => {
    const gap = await violation('completeness', c.method, c.options, { bias: c.bias });
    assert.ok(gap <= c.tolerance, `gap ${gap} > ${c.tolerance}`);
  });
}

for (const [kind, rows] of [['symmetry', SYMMETRY], ['structural symmetry', STRUCTURAL_SYMMETRY]] as const) {
  for (const c of rows) {
    test(`${kind}: ${label(c)} gives the two interchangeable features equal attributions`, async () => {
      const gap = await violation('symmetry', c.method, c.options);
      assert.ok(gap <= c.tolerance, `|a₀ − a₁| ${gap} > ${c.tolerance}`);
    });
  }
}

for (const c of DUMMY) {
  test(`dummy: ${label(c)} gives the ignored feature zero`, async () => {
    const gap = await violation('dummy', c.method, c.options);
    assert.ok(gap <= c.tolerance, `|a₃| ${gap} > ${c.tolerance}`);
  });
}

for (const c of IMPLEMENTATION_INVARIANCE) {
  test(`implementation invariance: ${label(c)} is the same on two networks computing max(x₁, x₂, 1)`, async () => {
    const gap = await invarianceGap(c.method, c.options);
    assert.ok(gap <= c.tolerance, `max |a − b| ${gap} > ${c.tolerance}`);
  });
}

for (const c of COUNTEREXAMPLES) {
  test(`not claimed: ${c.method} fails ${c.axiom} on a toy model (${c.why})`, async () => {
    const gap = await violation(c.axiom, c.method, c.options, { model: c.model });
    assert.ok(gap >= c.atLeast, `violation ${gap} < ${c.atLeast}: if it now holds in general, claim it instead`);
  });
}

test('implementation invariance is not vacuous: the max networks attribute differently under DeepLIFT, exactly as computed by hand', async () => {
  // first: h1 = relu(x₁ − 1) rescales by 2/3 and h2 does not move → (2, 0);
  // second: h1 = relu(x₂ − 1) rescales by 1/2, h2 = relu(x₁ − 1 − h1) by 1/2 → (1.5, 0.5).
  for (const [order, expected] of [['first', [2, 0]], ['second', [1.5, 0.5]]] as const) {
    const net = maxNet(order);
    const r = await attribute('deeplift', net, [[3, 2]], [0], { rule: 'rescale' });
    r.values[0].forEach((v, j) => assert.ok(Math.abs(v - expected[j]) < 1e-5, `${order}: a${j} = ${v}, expected ${expected[j]}`));
    net.layers.dispose();
  }
});
