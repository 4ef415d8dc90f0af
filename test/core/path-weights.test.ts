import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pathWeights, type PathRule } from '../../src/core/path-weights.js';
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
