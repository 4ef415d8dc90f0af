import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bonferroni, correctPValues, holm, regularizedIncompleteBeta, studentTCdf, studentTTwoSidedP, tTestIndependent } from '../../src/concepts/t-test.js';
import { LumenError } from '../../src/core/errors.js';
import { repoPath } from '../helpers.js';

// Numbers by scipy 1.10.1 (scripts/t-test-fixture.py; origin recorded in the file).
const fixture = JSON.parse(readFileSync(repoPath('test', 'fixtures', 'concepts', 't-test-scipy.json'), 'utf8')) as {
  origin: string;
  ttest: { name: string; a: number[]; b: number[]; student: { statistic: number; pValue: number }; welch: { statistic: number; pValue: number } }[];
  tCdf: { t: number; df: number; cdf: number; twoSided: number }[];
  incompleteBeta: { x: number; a: number; b: number; value: number }[];
};

function close(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.max(Math.abs(expected), 1e-300), `${what}: ${actual} vs scipy ${expected}`);
}

test('the regularised incomplete beta function matches scipy.special.betainc', () => {
  assert.match(fixture.origin, /scipy/);
  for (const c of fixture.incompleteBeta) close(regularizedIncompleteBeta(c.x, c.a, c.b), c.value, 1e-12, `I_${c.x}(${c.a}, ${c.b})`);
  // Closed forms: I_x(1, 1) = x, I_x(a, 1) = x^a.
  close(regularizedIncompleteBeta(0.37, 1, 1), 0.37, 1e-14, 'I(1,1)');
  close(regularizedIncompleteBeta(0.6, 3, 1), 0.216, 1e-13, 'I(3,1)');
});

test("Student's t CDF and two-sided tail match scipy.stats.t (and the Cauchy closed form at df = 1)", () => {
  for (const c of fixture.tCdf) {
    close(studentTCdf(c.t, c.df), c.cdf, 1e-11, `cdf(${c.t}, ${c.df})`);
    close(studentTTwoSidedP(c.t, c.df), c.twoSided, 1e-11, `two-sided(${c.t}, ${c.df})`);
  }
  close(studentTCdf(2, 1), 0.5 + Math.atan(2) / Math.PI, 1e-14, 'Cauchy');
});

test('tTestIndependent equals scipy.stats.ttest_ind for equal_var=True (default) and False (Welch)', () => {
  for (const c of fixture.ttest) {
    const s = tTestIndependent(c.a, c.b);
    close(s.statistic, c.student.statistic, 1e-11, `${c.name} student t`);
    close(s.pValue, c.student.pValue, 1e-9, `${c.name} student p`);
    assert.equal(s.df, c.a.length + c.b.length - 2);
    const w = tTestIndependent(c.a, c.b, { equalVariance: false });
    close(w.statistic, c.welch.statistic, 1e-11, `${c.name} welch t`);
    close(w.pValue, c.welch.pValue, 1e-9, `${c.name} welch p`);
  }
});

test('degenerate samples: no spread gives NaN (equal means) or p = 0; too few values is a LumenError', () => {
  assert.ok(Number.isNaN(tTestIndependent([0.5, 0.5], [0.5, 0.5]).pValue));
  const d = tTestIndependent([1, 1, 1], [0, 0, 0]);
  assert.equal(d.pValue, 0);
  assert.equal(d.statistic, Infinity);
  assert.throws(() => tTestIndependent([1], [1, 2]), LumenError);
  assert.throws(() => tTestIndependent([1, NaN], [1, 2]), LumenError);
});

test('Bonferroni and Holm corrections (hand-computed), NaN kept out of Holm’s count', () => {
  assert.deepEqual(bonferroni([0.01, 0.04, 0.5]), [0.03, 0.12, 1]);
  // Holm, sorted 0.01, 0.02, 0.04, 0.3 → ×4, ×3, ×2, ×1 = 0.04, 0.06, 0.08, 0.3 (monotone already).
  const h = holm([0.04, 0.01, 0.3, 0.02]);
  [0.08, 0.04, 0.3, 0.06].forEach((v, i) => close(h[i], v, 1e-12, `holm ${i}`));
  // Running maximum: 0.01·3 = 0.03, 0.02·2 = 0.04, 0.045·1 → 0.045.
  const r = holm([0.045, 0.02, 0.01]);
  [0.045, 0.04, 0.03].forEach((v, i) => close(r[i], v, 1e-12, `holm max ${i}`));
  const n = holm([0.01, NaN, 0.02]);
  assert.ok(Number.isNaN(n[1]));
  close(n[0], 0.02, 1e-12, 'holm nan 0');
  close(n[2], 0.02, 1e-12, 'holm nan 2');
  assert.deepEqual(correctPValues([0.2], 'none'), [0.2]);
  assert.throws(() => correctPValues([0.2], 'sidak' as 'none'), LumenError);
});
