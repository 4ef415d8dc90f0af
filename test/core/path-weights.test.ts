import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LumenError } from '../../src/core/errors.js';
import { MAX_PATH_STEPS, pathOptions, pathWeights, type PathRule } from '../../src/core/path-weights.js';
import { repoPath } from '../helpers.js';

interface Quadrature { method: string; n_steps: number; alphas: number[]; step_sizes: number[] }

test("pathWeights reproduces Captum's recorded alphas and step sizes", () => {
  const json = JSON.parse(readFileSync(repoPath('test', 'fixtures', 'mlp.json'), 'utf8')) as { methods: { quadrature?: Quadrature }[] };
  const names: Record<string, PathRule> = { riemann_trapezoid: 'riemann-trapezoid', gausslegendre: 'gauss-legendre' };
  let checked = 0;
  for (const q of json.methods.map((m) => m.quadrature).filter((q): q is Quadrature => q !== undefined)) {
    const { alphas, weights } = pathWeights(names[q.method], q.n_steps);
    q.alphas.forEach((a, i) => assert.ok(Math.abs(alphas[i] - a) < 1e-7, `${q.method} alpha ${i}: ${alphas[i]} vs ${a}`));
    q.step_sizes.forEach((w, i) => assert.ok(Math.abs(weights[i] - w) < 1e-7, `${q.method} weight ${i}: ${weights[i]} vs ${w}`));
    checked++;
  }
  assert.ok(checked >= 2);
});

test('Gauss–Legendre integrates polynomials of degree 2n − 1 exactly', () => {
  const { alphas, weights } = pathWeights('gauss-legendre', 4);
  for (let p = 0; p <= 7; p++) {
    let s = 0;
    alphas.forEach((a, i) => (s += weights[i] * a ** p));
    assert.ok(Math.abs(s - 1 / (p + 1)) < 1e-6, `∫α^${p} = ${s}`);
  }
});

test('pathWeights rejects an unknown rule and a non-positive step count', () => {
  assert.throws(() => pathWeights('simpson' as PathRule, 5), /rule must be one of/);
  assert.throws(() => pathWeights('riemann-left', 0), /steps must be a positive integer; found 0/);
});

test('Gauss–Legendre matches the tabulated nodes and weights for n = 1, 2, 3, 5', () => {
  // Abramowitz & Stegun 25.4.29 on [−1, 1], mapped to [0, 1]: α = (1 + x)/2, w/2.
  const tables: Record<number, [number, number][]> = {
    1: [[0, 2]],
    2: [[-1 / Math.sqrt(3), 1], [1 / Math.sqrt(3), 1]],
    3: [[-Math.sqrt(3 / 5), 5 / 9], [0, 8 / 9], [Math.sqrt(3 / 5), 5 / 9]],
    5: [[-0.906179845938664, 0.236926885056189], [-0.538469310105683, 0.478628670499366], [0, 0.568888888888889],
      [0.538469310105683, 0.478628670499366], [0.906179845938664, 0.236926885056189]],
  };
  for (const [n, table] of Object.entries(tables)) {
    const { alphas, weights } = pathWeights('gauss-legendre', Number(n));
    table.forEach(([x, w], i) => {
      assert.ok(Math.abs(alphas[i] - (1 + x) / 2) < 1e-14, `n=${n} α${i}: ${alphas[i]} vs ${(1 + x) / 2}`);
      assert.ok(Math.abs(weights[i] - w / 2) < 1e-7, `n=${n} w${i}: ${weights[i]} vs ${w / 2}`);
    });
  }
});

/** P_n(x) and P_n′(x) by the textbook three-term recurrence. */
function legendre(n: number, x: number): { p: number; dp: number } {
  let [p0, p1] = [1, x];
  for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
  return { p: p1, dp: (n * (x * p1 - p0)) / (x * x - 1) };
}

test('Gauss–Legendre with many points (found by marching) puts every node on a zero of P_n with the textbook weight', () => {
  for (const n of [1001, 1002, 4001]) {
    const { alphas, weights } = pathWeights('gauss-legendre', n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      if (i > 0) assert.ok(alphas[i] > alphas[i - 1], `n=${n}: nodes ascend at ${i}`);
      const x = 2 * alphas[i] - 1;
      const { p, dp } = legendre(n, x);
      // distance to the zero, by one Newton step, far below float32 resolution
      assert.ok(Math.abs(p / dp) < 1e-13, `n=${n} node ${i}: P_n/P_n′ = ${p / dp}`);
      assert.equal(weights[i], Math.fround(1 / ((1 - x * x) * dp * dp)), `n=${n} weight ${i}`);
      sum += weights[i];
    }
    assert.ok(Math.abs(sum - 1) < 1e-6, `n=${n}: Σw = ${sum}`);
  }
});

test('pathWeights prepares 100,000 Gauss–Legendre points in under 2 s', () => {
  const t0 = performance.now();
  const { alphas, weights } = pathWeights('gauss-legendre', 100_000);
  const ms = performance.now() - t0;
  assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
  let sum = 0;
  let moment = 0;
  for (let i = 0; i < alphas.length; i++) {
    sum += weights[i];
    moment += weights[i] * alphas[i] ** 3;
  }
  assert.ok(Math.abs(sum - 1) < 1e-6 && Math.abs(moment - 1 / 4) < 1e-6, `Σw = ${sum}, Σw α³ = ${moment}`);
});

test('pathWeights and pathOptions refuse more steps than MAX_PATH_STEPS, naming the cap', () => {
  assert.equal(MAX_PATH_STEPS, 1_000_000);
  assert.throws(() => pathWeights('gauss-legendre', 1e9), (e: unknown) => e instanceof LumenError && /steps must be at most 1,000,000 \(MAX_PATH_STEPS\); found 1000000000/.test(e.message));
  assert.throws(() => pathOptions({ steps: 1e9 }, 'gauss-legendre', 'integratedGradients'), /integratedGradients: steps must be at most 1,000,000/);
});
