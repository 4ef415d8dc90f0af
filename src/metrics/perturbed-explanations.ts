/** Explanations of seeded perturbed copies: the machinery of the robustness metrics. */
import * as tf from '@tensorflow/tfjs';
import { check } from '../core/errors.js';
import { DEFAULT_SEED, Rng } from '../core/random.js';
import type { Explainer, MetricOptions } from './result.js';
import { explainRows, splitRows, type MetricContext } from './shared.js';

/** How perturbed copies are drawn: uniform in a radius, Gaussian, or a fixed table (x + table[s]). */
export interface RobustnessOptions extends MetricOptions {
  /** Perturbed copies per example (default 10; the table's length when a table is given). */
  readonly samples?: number;
  /** 'uniform' in [−radius, radius] (default, Yeh et al.) or 'gaussian' with σ = radius. */
  readonly noise?: 'uniform' | 'gaussian';
  /** Half-width of the uniform noise or σ of the Gaussian (default 0.02, Captum's perturb_radius). */
  readonly radius?: number;
  /** A fixed table `[S, ...inputShape]` of perturbations added to every example. */
  readonly perturbations?: tf.Tensor;
}

/** Each example's input and explanation, and those of its perturbed copies. */
export interface PerturbedExplanations {
  readonly e0: Float32Array[];
  readonly xs: Float32Array[][];
  readonly es: Float32Array[][];
}

/** Draws the copies and explains originals and copies (two method calls, each batched by the method). */
export async function explainPerturbed(ctx: MetricContext, explainer: Explainer, input: tf.Tensor, options: RobustnessOptions): Promise<PerturbedExplanations> {
  const F = ctx.features;
  let table: Float32Array[] | null = null;
  if (options.perturbations) {
    const t = options.perturbations;
    check(t.size % F === 0 && t.size > 0, 'shape', () => `${ctx.fn}: perturbations must be [S, ${ctx.model.inputShape}]; found [${t.shape}]`);
    table = splitRows(await t.data(), t.size / F);
  }
  const S = table ? table.length : (options.samples ?? 10);
  check(Number.isInteger(S) && S >= 1, 'option', () => `${ctx.fn}: samples must be a positive integer; found ${S}`);
  const radius = options.radius ?? 0.02;
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  const xs = ctx.x.map((x) => Array.from({ length: S }, (_, s) => {
    const d = table ? table[s] : options.noise === 'gaussian' ? rng.normals(F, 0, radius) : rng.uniforms(F, -radius, radius);
    return Float32Array.from(x, (v, f) => v + d[f]);
  }));
  const all = new Float32Array(ctx.n * S * F);
  xs.flat().forEach((row, r) => all.set(row, r * F));
  const examples = Int32Array.from({ length: ctx.n * S }, (_, r) => Math.floor(r / S));
  const stacked = tf.tensor(all, [ctx.n * S, ...input.shape.slice(1)]);
  const flat = await explainRows(ctx, explainer, stacked, examples).finally(() => stacked.dispose());
  const e0 = await explainRows(ctx, explainer, input, Int32Array.from({ length: ctx.n }, (_, i) => i));
  return { e0, xs, es: ctx.x.map((_, i) => flat.slice(i * S, (i + 1) * S)) };
}

/** The Euclidean (Frobenius) norm of a − b, or of a when b is omitted. */
export function l2(a: ArrayLike<number>, b?: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - (b ? b[i] : 0)) ** 2;
  return Math.sqrt(s);
}
