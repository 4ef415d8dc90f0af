import { check } from './errors.js';

/** Quadrature rules for path integrals (integrated gradients, conductance, GradientSHAP). */
export type PathRule = 'riemann-left' | 'riemann-right' | 'riemann-middle' | 'riemann-trapezoid' | 'gauss-legendre';

export const PATH_RULES: readonly PathRule[] = [
  'riemann-left',
  'riemann-right',
  'riemann-middle',
  'riemann-trapezoid',
  'gauss-legendre',
];

/**
 * The `steps` and `rule` options of a path method, with their defaults, checked: a LumenError
 * naming `fn` for a rule Lumen lacks or a step count that is not a positive integer.
 */
export function pathOptions(options: { readonly steps?: number; readonly rule?: PathRule }, defaultRule: PathRule, fn: string): { steps: number; rule: PathRule } {
  const steps = options.steps ?? 50;
  const rule = options.rule ?? defaultRule;
  check(PATH_RULES.includes(rule), 'option', () => `${fn}: rule must be one of ${PATH_RULES.join(', ')}; found '${rule}'`);
  check(Number.isInteger(steps) && steps >= 1, 'option', () => `${fn}: steps must be a positive integer; found ${steps}`);
  return { steps, rule };
}

/** Points on [0, 1] and their weights. */
export interface PathWeights {
  readonly alphas: Float64Array;
  readonly weights: Float64Array;
}

/**
 * The points α and weights w of a quadrature rule with `n` points on [0, 1], so that
 * ∫₀¹ g(α) dα ≈ Σ w_k g(α_k). Riemann rules follow Captum's `approximation_parameters`
 * (its trapezoid rule: α = linspace(0, 1, n), w = 1/n with both ends halved); Gauss–Legendre
 * maps the Legendre nodes from [−1, 1] to [0, 1]. Weights are rounded to float32 as Captum does.
 */
export function pathWeights(rule: PathRule, n: number): PathWeights {
  check(Number.isInteger(n) && n >= 1, 'option', () => `pathWeights: steps must be a positive integer; found ${n}`);
  check(PATH_RULES.includes(rule), 'option', () => `pathWeights: rule must be one of ${PATH_RULES.join(', ')}; found '${rule}'`);
  if (rule === 'gauss-legendre') return gaussLegendre(n);
  const alphas = new Float64Array(n);
  const weights = new Float64Array(n).fill(Math.fround(1 / n));
  const linspace = (a: number, b: number): void => {
    for (let i = 0; i < n; i++) alphas[i] = Math.fround(n === 1 ? a : a + ((b - a) * i) / (n - 1));
  };
  if (rule === 'riemann-left') linspace(0, 1 - 1 / n);
  else if (rule === 'riemann-right') linspace(1 / n, 1);
  else if (rule === 'riemann-middle') linspace(1 / (2 * n), 1 - 1 / (2 * n));
  else {
    linspace(0, 1);
    weights[0] = Math.fround(1 / n / 2);
    weights[n - 1] = Math.fround(1 / n / 2);
    if (n === 1) weights[0] = Math.fround(1);
  }
  return { alphas, weights };
}

function gaussLegendre(n: number): PathWeights {
  const alphas = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? x : p1;
      const pm = n === 1 ? 1 : p0;
      dp = (n * (x * pn - pm)) / (x * x - 1);
      const dx = pn / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    const w = 2 / ((1 - x * x) * dp * dp);
    // ascending order of α, as numpy's leggauss
    alphas[n - 1 - i] = 0.5 * (1 + x);
    weights[n - 1 - i] = Math.fround(0.5 * w);
  }
  return { alphas, weights };
}
