/** A smooth objective: its value and gradient at x (float64). */
export type LbfgsObjective = (x: Float64Array) => { value: number; gradient: Float64Array };

/** Where `minimizeLbfgs` stopped: the point, its value, gradient norm relative to the start's, and the iterations. */
export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly relativeGradient: number;
  readonly iterations: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Minimises a smooth function by L-BFGS (Nocedal 1980; two-loop recursion with `memory` pairs)
 * with a backtracking Armijo line search, until the gradient norm falls below `tolerance` times
 * its initial value or `iterations` are done.
 */
export function minimizeLbfgs(f: LbfgsObjective, x0: Float64Array, options: { iterations?: number; tolerance?: number; memory?: number } = {}): LbfgsResult {
  const iterations = options.iterations ?? 1000;
  const tolerance = options.tolerance ?? 1e-8;
  const memory = options.memory ?? 10;
  let x = Float64Array.from(x0);
  let { value, gradient } = f(x);
  const g0 = Math.sqrt(dot(gradient, gradient)) || 1;
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  let it = 0;
  for (; it < iterations && Math.sqrt(dot(gradient, gradient)) > tolerance * g0; it++) {
    const q = Float64Array.from(gradient);
    const alphas: number[] = [];
    for (let i = ss.length - 1; i >= 0; i--) {
      const a = dot(ss[i], q) / dot(ys[i], ss[i]);
      alphas[i] = a;
      for (let j = 0; j < q.length; j++) q[j] -= a * ys[i][j];
    }
    const gamma = ss.length ? dot(ss[ss.length - 1], ys[ys.length - 1]) / dot(ys[ys.length - 1], ys[ys.length - 1]) : 1 / g0;
    for (let j = 0; j < q.length; j++) q[j] *= gamma;
    for (let i = 0; i < ss.length; i++) {
      const b = dot(ys[i], q) / dot(ys[i], ss[i]);
      for (let j = 0; j < q.length; j++) q[j] += ss[i][j] * (alphas[i] - b);
    }
    // q ≈ H⁻¹ g: the direction is −q (steepest descent if it is not a descent direction).
    let slope = -dot(gradient, q);
    if (!(slope < 0)) {
      q.set(gradient);
      slope = -dot(gradient, gradient);
      ss.length = 0;
      ys.length = 0;
    }
    let step = 1;
    let next = x.map((v, j) => v - step * q[j]);
    let r = f(next);
    // Near the minimum the value changes at round-off level: accept those steps (the gradient still shrinks).
    const slack = 1e-14 * Math.abs(value);
    while (r.value > value + 1e-4 * step * slope + slack && step > 1e-20) {
      step /= 2;
      next = x.map((v, j) => v - step * q[j]);
      r = f(next);
    }
    if (!(r.value <= value + slack)) break;
    const s = next.map((v, j) => v - x[j]);
    const y = r.gradient.map((v, j) => v - gradient[j]);
    if (dot(s, y) > 1e-300) {
      ss.push(s);
      ys.push(y);
      if (ss.length > memory) {
        ss.shift();
        ys.shift();
      }
    }
    x = next;
    value = r.value;
    gradient = r.gradient;
  }
  return { x, value, relativeGradient: Math.sqrt(dot(gradient, gradient)) / g0, iterations: it };
}
