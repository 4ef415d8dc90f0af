import type { Baseline } from './baseline.js';
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

/** The options every path method takes (integrated gradients, layer and neuron conductance). */
export interface PathOptions {
  /** Where the path starts; default 'zeros'. With a `layer` (layer IG), the layer's output at the baseline input. */
  readonly baseline?: Baseline;
  /** Quadrature points on the path; default 50. */
  readonly steps?: number;
  /** Quadrature rule; each method states its default. */
  readonly rule?: PathRule;
}

/**
 * The `steps` and `rule` options of a path method, with their defaults, checked: a LumenError
 * naming `fn` for a rule Lumen lacks or a step count that is not a positive integer.
 */
export function pathOptions(options: PathOptions, defaultRule: PathRule, fn: string): { steps: number; rule: PathRule } {
  const steps = options.steps ?? 50;
  const rule = options.rule ?? defaultRule;
  check(PATH_RULES.includes(rule), 'option', () => `${fn}: rule must be one of ${PATH_RULES.join(', ')}; found '${rule}'`);
  check(Number.isInteger(steps) && steps >= 1, 'option', () => `${fn}: steps must be a positive integer; found ${steps}`);
  check(steps <= MAX_PATH_STEPS, 'option', () => `${fn}: steps must be at most ${MAX_PATH_STEPS.toLocaleString('en')} (MAX_PATH_STEPS); found ${steps}`);
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
  check(n <= MAX_PATH_STEPS, 'option', () => `pathWeights: steps must be at most ${MAX_PATH_STEPS.toLocaleString('en')} (MAX_PATH_STEPS); found ${n}`);
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

/**
 * The most quadrature points a path method takes: 1,000,000 (16 MB of points and weights, prepared
 * in well under a second; beyond it the rows, not the rule, exhaust memory).
 */
export const MAX_PATH_STEPS = 1_000_000;

/** Up to this many points, Newton on the three-term recurrence (O(n) per node) finds the nodes. */
const RECURRENCE_MAX_POINTS = 1000;

/** Nodes this close to either end (by index) are found by Newton on the recurrence when marching. */
const END_NODES = 20;

/** Taylor terms of the marching step: the step is π in scaled units, the series converges far faster. */
const TAYLOR_TERMS = 30;

/**
 * Gauss–Legendre nodes and weights mapped to [0, 1], ascending (numpy's leggauss order). Up to
 * RECURRENCE_MAX_POINTS points: Newton on the three-term recurrence from Tricomi's initial guesses
 * (O(n²) in all, exact to rounding). Above: the positive nodes are reached by marching from x = 0
 * along Legendre's differential equation, one Taylor series per node (O(1) per node, in the
 * manner of Glaser, Liu & Rokhlin, "A Fast Algorithm for the Calculation of the Roots of Special
 * Functions", SIAM J. Sci. Comput. 2007), and only the END_NODES nodes nearest each end, where the
 * series would converge slowly, take Newton on the recurrence; the others follow by symmetry.
 */
function gaussLegendre(n: number): PathWeights {
  return n <= RECURRENCE_MAX_POINTS ? gaussLegendreByRecurrence(n) : gaussLegendreByMarching(n);
}

function gaussLegendreByRecurrence(n: number): PathWeights {
  const alphas = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let iter = 0; iter < 100; iter++) {
      const p = legendre(n, x);
      dp = p.dp;
      const dx = p.p / dp;
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

/** P_n(x) and P_n′(x) by the three-term recurrence (O(n)). */
function legendre(n: number, x: number): { p: number; dp: number } {
  let p0 = 1;
  let p1 = x;
  for (let k = 2; k <= n; k++) {
    const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
    p0 = p1;
    p1 = p2;
  }
  const pn = n === 1 ? x : p1;
  const pm = n === 1 ? 1 : p0;
  return { p: pn, dp: (n * (x * pn - pm)) / (x * x - 1) };
}

function gaussLegendreByMarching(n: number): PathWeights {
  const alphas = new Float64Array(n);
  const weights = new Float64Array(n);
  const half = Math.floor(n / 2);
  // node k (1 = nearest +1) and its mirror, from 1 − x_k, 1 + x_k and P_n′(x_k): w = 2 / ((1 − x²) P_n′²), halved on [0, 1]
  const put = (k: number, oneMinus: number, onePlus: number, dp: number): void => {
    const w = Math.fround(1 / (oneMinus * onePlus * dp * dp));
    alphas[k - 1] = 0.5 * oneMinus;
    alphas[n - k] = 0.5 * onePlus;
    weights[k - 1] = w;
    weights[n - k] = w;
  };
  // P_n(0) (n even) or P_n′(0) (n odd): ±(n−1)!!/n!! and ±n!!/(n−1)!!
  let ratio = 1;
  for (let j = 1; j <= half; j++) ratio *= n % 2 === 0 ? (2 * j - 1) / (2 * j) : (2 * j + 1) / (2 * j);
  const sign = half % 2 === 0 ? 1 : -1;
  let xc = 0;
  let y0 = n % 2 === 0 ? sign * ratio : 0;
  let y1 = n % 2 === 0 ? 0 : sign * ratio;
  if (n % 2 === 1) {
    alphas[half] = 0.5;
    weights[half] = Math.fround(1 / (y1 * y1));
  }
  const lambda = n * (n + 1);
  const a = new Float64Array(TAYLOR_TERMS);
  for (let k = half; k > END_NODES; k--) {
    const u = (1 - xc) * (1 + xc);
    const s = Math.sqrt(u) / n;
    a[0] = y0;
    a[1] = y1 * s;
    for (let m = 0; m + 2 < TAYLOR_TERMS; m++) {
      a[m + 2] = (2 * (m + 1) * (m + 1) * xc * s * a[m + 1] + (m * (m + 1) - lambda) * s * s * a[m]) / ((m + 2) * (m + 1) * u);
    }
    let t = (tricomi(n, k) - xc) / s;
    for (let iter = 0; iter < 30; iter++) {
      const [p, dp] = taylor(a, t);
      const dt = p / dp;
      t -= dt;
      if (Math.abs(dt) <= 4e-16 * Math.max(1, Math.abs(t))) break;
    }
    xc += t * s;
    y0 = 0;
    y1 = taylor(a, t)[1] / s;
    put(k, 1 - xc, 1 + xc, y1);
  }
  // The END_NODES nodes nearest the ends: Newton in θ (x = cos θ keeps 1 − x exact near x = 1).
  for (let k = Math.min(END_NODES, half); k >= 1; k--) {
    let theta = Math.acos(tricomi(n, k));
    // Tricomi's guess is close: Newton converges in 2–4 steps, and rounding stops it near 1e-16·θ
    for (let iter = 0; iter < 10; iter++) {
      const p = legendre(n, Math.cos(theta));
      const dtheta = p.p / (Math.sin(theta) * p.dp);
      theta += dtheta;
      if (Math.abs(dtheta) <= 1e-14 * theta) break;
    }
    const sh = Math.sin(theta / 2);
    const ch = Math.cos(theta / 2);
    put(k, 2 * sh * sh, 2 * ch * ch, legendre(n, Math.cos(theta)).dp);
  }
  return { alphas, weights };
}

/** The Taylor polynomial Σ a_m t^m and its derivative at t (Horner). */
function taylor(a: Float64Array, t: number): [number, number] {
  let p = a[a.length - 1];
  let dp = 0;
  for (let m = a.length - 2; m >= 0; m--) {
    dp = dp * t + p;
    p = p * t + a[m];
  }
  return [p, dp];
}

/** Tricomi's estimate of the k-th largest zero of P_n: (1 − 1/(8n²) + 1/(8n³)) cos(π(4k − 1)/(4n + 2)). */
function tricomi(n: number, k: number): number {
  return (1 - 1 / (8 * n * n) + 1 / (8 * n * n * n)) * Math.cos((Math.PI * (4 * k - 1)) / (4 * n + 2));
}
