import * as tf from '@tensorflow/tfjs';
import { makeAttribution, type Attribution } from '../../core/attribution.js';
import { resolveBaseline, type Baseline } from '../../core/baseline.js';
import { check } from '../../core/errors.js';
import { completenessDelta } from '../../core/completeness.js';
import { accumulateGradients, type RowPlan } from '../../core/gradients.js';
import type { Model } from '../../core/model.js';
import type { LayerOption, LocalOptions } from '../../core/options.js';
import { prepareGradient } from '../../core/prepare.js';
import { DEFAULT_SEED, Rng } from '../../core/random.js';
import type { ResolvedTarget } from '../../core/target.js';

/** Options of `gradientShap`. */
export interface GradientShapOptions extends LocalOptions, LayerOption {
  /**
   * The baseline distribution: a tensor `[K, ...inputShape]` of reference examples (e.g. a sample
   * of training data), or any single Baseline. Default 'zeros'.
   */
  readonly baselines?: tf.Tensor | Baseline;
  /** Samples per example; default 5 (Captum's n_samples). */
  readonly samples?: number;
  /** Standard deviation of the Gaussian noise added to the input; default 0 (expected gradients). */
  readonly stdev?: number;
}

/**
 * GradientSHAP / expected gradients: E[(x + ε − x′) ⊙ ∂f(x′ + α(x + ε − x′))/∂x] over baselines x′
 * drawn from a distribution, α ~ U(0, 1) and ε ~ N(0, σ²) (Lundberg & Lee, "A Unified Approach to
 * Interpreting Model Predictions", 2017; Erion et al., "Improving performance of deep learning
 * models with axiomatic attribution priors and expected gradients", 2021). `meta.delta` is
 * Σ attribution − (f(x) − E f(x′)), which vanishes only in expectation.
 */
export async function gradientShap(model: Model, input: tf.Tensor, options: GradientShapOptions = {}): Promise<Attribution> {
  const fn = 'gradientShap';
  const samples = options.samples ?? 5;
  const stdev = options.stdev ?? 0;
  check(Number.isInteger(samples) && samples >= 1, 'option', () => `${fn}: samples must be a positive integer; found ${samples}`);
  check(stdev >= 0, 'option', () => `${fn}: stdev must be ≥ 0; found ${stdev}`);
  check(!(options.layer && stdev > 0), 'option', () => `${fn}: input noise (stdev ${stdev}) cannot be combined with a layer; use stdev 0`);
  const ctx = await prepareGradient(model, input, options, fn);
  const distribution = baselineDistribution(options.baselines, input, fn, options.seed);
  const k = distribution.shape[0];
  const [xs, bs] = tf.tidy(() => [ctx.space.valuesAt(input), ctx.space.valuesAt(distribution)]);
  const baselineValues = await meanTargetAt(model, distribution, ctx.target, ctx.n);
  distribution.dispose();
  const rng = new Rng(options.seed ?? DEFAULT_SEED);
  // Rows: `samples` random rows per example, then one zero-weight row at x per example, whose
  // values give f(x) for the delta.
  const sampled = ctx.n * samples;
  const total = sampled + ctx.n;
  const examples = new Int32Array(total);
  const which = new Int32Array(total);
  const alphas = new Float32Array(total);
  const weights = new Float32Array(total);
  for (let r = 0; r < sampled; r++) {
    examples[r] = Math.floor(r / samples);
    which[r] = rng.int(k);
    alphas[r] = rng.uniform();
    weights[r] = 1 / samples;
  }
  for (let i = 0; i < ctx.n; i++) [examples[sampled + i], which[sampled + i], alphas[sampled + i]] = [i, 0, 1];
  const size = xs.size / ctx.n;
  // Input noise is drawn batch by batch, in row order (the order accumulateGradients asks for
  // rows), so it never takes more than one batch of memory.
  let noiseRows = 0;
  const plan: RowPlan = {
    examples,
    weights,
    owned: [xs, bs],
    rows(start, end) {
      const idx = tf.tensor1d(examples.subarray(start, end), 'int32');
      const shape = [end - start, ...xs.shape.slice(1)];
      let x = tf.gather(xs, idx);
      if (stdev > 0 && start < sampled) {
        check(start === noiseRows, 'option', () => `${fn}: rows must be asked for in order; asked for ${start}, next is ${noiseRows}`);
        const rows = Math.min(end, sampled) - start;
        const eps = new Float32Array((end - start) * size);
        for (let j = 0; j < rows * size; j++) eps[j] = stdev * rng.normal();
        noiseRows += rows;
        x = x.add(tf.tensor(eps, shape));
      }
      const b = tf.gather(bs, tf.tensor1d(which.subarray(start, end), 'int32'));
      const a = tf.tensor1d(alphas.subarray(start, end)).reshape([end - start, ...shape.slice(1).map(() => 1)]);
      const diff = x.sub(b);
      return { inputs: tf.gather(input, idx), points: b.add(diff.mul(a)), scale: diff };
    },
  };
  const { sum, values, calls } = await accumulateGradients(ctx.space, plan, ctx.target, ctx.n, ctx.batchSize, options, fn);
  const delta = await completenessDelta(sum, (i) => values[sampled + i] - baselineValues[i]);
  tf.dispose([xs, bs]);
  return makeAttribution('gradient-shap', sum, ctx.target.classes, {
    delta,
    samples,
    stdev,
    modelCalls: calls,
    ...(ctx.space.layer ? { layer: ctx.space.layer } : {}),
  });
}

/** E_j f(x′_j) of each example's target over the baseline distribution (one forward pass). */
async function meanTargetAt(model: Model, distribution: tf.Tensor, target: ResolvedTarget, n: number): Promise<number[]> {
  const k = distribution.shape[0];
  const means = tf.tidy(() => {
    const out = model.run(distribution).output;
    return tf.stack(Array.from({ length: n }, (_, i) => target.select(out, new Int32Array(k).fill(i)).mean()));
  });
  const data = Array.from(await means.data());
  means.dispose();
  return data;
}

function baselineDistribution(baselines: tf.Tensor | Baseline | undefined, input: tf.Tensor, fn: string, seed?: number): tf.Tensor {
  const one = input.shape.slice(1);
  if (baselines instanceof tf.Tensor && baselines.rank === one.length + 1 && baselines.shape.slice(1).every((d, i) => d === one[i])) {
    return baselines.clone();
  }
  const first = input.slice(0, 1);
  try {
    return resolveBaseline(baselines, first, fn, { seed });
  } finally {
    first.dispose();
  }
}
