import * as tf from '@tensorflow/tfjs';
import { withInputGradientsOnly } from '../engine/input-gradients-only.js';
import { releaseTapeOnThrow } from '../engine/release-tape.js';
import type { Model, RunOptions } from './model.js';
import type { RuleSet } from './rules.js';
import type { LocalOptions } from './options.js';
import type { ResolvedTarget } from './target.js';
import { forEachBatch } from './batching.js';
import { LumenError } from './errors.js';

/**
 * Where gradients are taken: the model's input, or the output of one of its layers. Layer
 * attribution is every input method run in a layer space, never a copy of the method.
 */
export interface GradientSpace {
  readonly layer: string | null;
  /** The values of this space for model inputs `x` (x itself, or the layer's output); caller owns. */
  valuesAt(x: tf.Tensor): tf.Tensor;
  /** ∂target/∂points for rows of points in this space, with `inputs` the model inputs of those rows. */
  gradient(inputs: tf.Tensor, points: tf.Tensor, target: ResolvedTarget, examples: Int32Array): { grad: tf.Tensor; value: tf.Tensor1D };
  /**
   * The same, computed by the model's executor (onnxruntime) when it covers this space; the
   * caller owns the tensors. Absent when tfjs computes the gradients. `beforeTfjs` runs (in the
   * tidy scope of the tfjs pass) when the executor declines the batch and tfjs computes it.
   */
  gradientAsync?(inputs: tf.Tensor, points: tf.Tensor, target: ResolvedTarget, examples: Int32Array, beforeTfjs?: () => void): Promise<{ grad: tf.Tensor; value: tf.Tensor1D }>;
}

/**
 * The gradient space of a model's input (layer null) or of one of its layers; with `rules`, the
 * backward pass is the rules' (guided backprop, DeepLIFT, LRP: src/core/rules.ts).
 */
export function gradientSpace(model: Model, layer: string | null, rules?: RuleSet): GradientSpace {
  const space = tfjsGradientSpace(model, layer, rules);
  const executor = model.executor;
  if (!executor || !executor.supports(layer, rules)) return space;
  return {
    ...space,
    async gradientAsync(inputs, points, target, examples, beforeTfjs) {
      const done = await executor.gradient(inputs, points, layer, target, examples, rules);
      return done ?? tf.tidy(() => {
        beforeTfjs?.();
        return space.gradient(inputs, points, target, examples);
      });
    },
  };
}

function tfjsGradientSpace(model: Model, layer: string | null, rules?: RuleSet): GradientSpace {
  const ruled: RunOptions = rules ? { rules } : {};
  if (layer === null) {
    return {
      layer,
      valuesAt: (x) => x.clone(),
      gradient(_inputs, points, target, examples) {
        const { value, grad } = withInputGradientsOnly(() => releaseTapeOnThrow(() =>
          tf.valueAndGrad((p: tf.Tensor) => target.select(model.run(p, ruled).output, examples))(points)));
        return { grad, value: value as tf.Tensor1D };
      },
    };
  }
  return {
    layer,
    valuesAt: (x) => tf.tidy(() => model.run(x, { capture: [layer] }).captured[layer]),
    gradient(inputs, points, target, examples) {
      const { value, grad } = withInputGradientsOnly(() => releaseTapeOnThrow(() =>
        tf.valueAndGrad((p: tf.Tensor) => target.select(model.run(inputs, { ...ruled, replace: { [layer]: p } }).output, examples))(points)));
      return { grad, value: value as tf.Tensor1D };
    },
  };
}

/** The rows of one batch: model inputs, points in the gradient space, and an optional factor. */
export interface RowBatch {
  readonly inputs: tf.Tensor;
  readonly points: tf.Tensor;
  /** Multiplies each row's gradient before it is accumulated (e.g. GradientSHAP's x − b). */
  readonly scale?: tf.Tensor;
  /**
   * Work the batch needs only when tfjs computes its gradients (DeepLIFT's recording of reference
   * values for its tfjs rules), run just before; an executor that takes the batch skips it.
   */
  readonly tfjsOnly?: () => void;
}

/** A stream of gradient rows: `examples[r]` and `weights[r]` of row r, and how to build a batch. */
export interface RowPlan {
  readonly examples: Int32Array;
  readonly weights: Float32Array;
  rows(start: number, end: number): RowBatch;
  /**
   * Tensors made for this call that the rows read (e.g. a path's ends). When the loop fails (an
   * abort, a bad batch) it disposes them, so a caller disposes them only after a result.
   */
  readonly owned?: readonly tf.Tensor[];
}

/** Summed weighted gradients per example and the target's value at every row. */
export interface AccumulatedGradients {
  /** Σ_r w_r · scale_r · ∇_r for each example: `[N, ...space shape]`; caller owns. */
  readonly sum: tf.Tensor;
  /** The target's value at every row. */
  readonly values: Float32Array;
  readonly calls: number;
}

/**
 * Runs a row plan through the model in batches of `batchSize` rows and accumulates each example's
 * weighted gradient sum: the one loop every gradient method shares. Each batch runs inside
 * tf.tidy and only its sum over the examples it touches survives it; that part is read back and
 * added into a float64 accumulator in JS, so no tensor outlives its batch and tensor memory peaks
 * at one batch however many rows there are (IG with 1,000 steps peaks like IG with 50). When it
 * throws (an aborted signal included) nothing of the call is left: the plan's `owned` tensors are
 * disposed with it.
 */
export async function accumulateGradients(
  space: GradientSpace,
  plan: RowPlan,
  target: ResolvedTarget,
  n: number,
  batchSize: number,
  options: Pick<LocalOptions, 'signal' | 'onProgress'>,
  fn: string,
): Promise<AccumulatedGradients> {
  const total = plan.examples.length;
  const values = new Float32Array(total);
  let sum: Float64Array | null = null;
  let rowShape: number[] = [];
  const calls = await forEachBatch(total, batchSize, options, fn, async (start, end) => {
    const examples = plan.examples.subarray(start, end);
    // The examples this batch touches, lo…hi (rows are grouped by example, so usually one or two).
    let lo = n;
    let hi = -1;
    for (const e of examples) {
      if (e < lo) lo = e;
      if (e > hi) hi = e;
    }
    const span = hi - lo + 1;
    let shape: number[] = [];
    const mixed = (grad: tf.Tensor, scale: tf.Tensor | undefined, value: tf.Tensor1D): { part: tf.Tensor; value: tf.Tensor1D } => {
      const g = scale ? grad.mul(scale) : grad;
      const rows = end - start;
      const mix = new Float32Array(span * rows);
      for (let r = 0; r < rows; r++) mix[(examples[r] - lo) * rows + r] = plan.weights[start + r];
      const part = tf.matMul(tf.tensor2d(mix, [span, rows]), g.reshape([rows, -1]));
      shape = g.shape.slice(1);
      return { part, value };
    };
    let next: { part: tf.Tensor; value: tf.Tensor1D };
    if (space.gradientAsync) {
      // The executor runs outside tfjs: rows are made, sent, and their gradients mixed in tidy scopes of their own.
      let tfjsOnly: (() => void) | undefined;
      const batch = tf.tidy(() => {
        const b = plan.rows(start, end);
        tfjsOnly = b.tfjsOnly;
        return b.scale ? { inputs: b.inputs, points: b.points, scale: b.scale } : { inputs: b.inputs, points: b.points };
      });
      try {
        const { grad, value } = await space.gradientAsync(batch.inputs, batch.points, target, examples, tfjsOnly);
        next = tf.tidy(() => mixed(grad, batch.scale, value));
        grad.dispose();
      } finally {
        tf.dispose([batch.inputs, batch.points, ...(batch.scale ? [batch.scale] : [])]);
      }
    } else {
      next = tf.tidy(() => {
        const batch = plan.rows(start, end);
        batch.tfjsOnly?.();
        const { grad, value } = space.gradient(batch.inputs, batch.points, target, examples);
        return mixed(grad, batch.scale, value);
      });
    }
    const [part, value] = await Promise.all([next.part.data(), next.value.data()]);
    tf.dispose([next.part, next.value]);
    values.set(value, start);
    const size = part.length / span;
    if (sum === null) {
      sum = new Float64Array(n * size);
      rowShape = shape;
    }
    const acc: Float64Array = sum;
    const offset = lo * size;
    for (let i = 0; i < part.length; i++) acc[offset + i] += part[i];
  }).catch((e: unknown) => {
    tf.dispose(plan.owned ? [...plan.owned] : []);
    throw e;
  });
  if (sum === null) throw new LumenError('input', `${fn}: no rows to run`);
  return { sum: tf.tensor(Float32Array.from(sum), [n, ...rowShape]), values, calls };
}

/**
 * A row plan along straight paths: row r lies at `from[e] + α_r (to[e] − from[e])` in the gradient
 * space, e = examples[r], with model input `inputs[e]` (used by layer spaces).
 */
export function straightPathPlan(
  inputs: tf.Tensor,
  from: tf.Tensor,
  to: tf.Tensor,
  examples: Int32Array,
  alphas: Float32Array,
  weights: Float32Array,
): RowPlan {
  return {
    examples,
    weights,
    rows(start, end) {
      const e = tf.tensor1d(examples.subarray(start, end), 'int32');
      const a = tf.tensor1d(alphas.subarray(start, end)).reshape([end - start, ...from.shape.slice(1).map(() => 1)]);
      const f = tf.gather(from, e);
      const points = f.add(tf.gather(to, e).sub(f).mul(a));
      return { inputs: tf.gather(inputs, e), points };
    },
  };
}

/**
 * Each example's plain gradient in `space` at the example itself (one row per example), `values`
 * being the points of `space` at `x`; when the loop fails, `values` is disposed with it.
 */
export async function gradientAtInputs(
  space: GradientSpace,
  x: tf.Tensor,
  values: tf.Tensor,
  target: ResolvedTarget,
  batchSize: number,
  options: Pick<LocalOptions, 'signal' | 'onProgress'>,
  fn: string,
): Promise<AccumulatedGradients> {
  const n = x.shape[0];
  const examples = Int32Array.from({ length: n }, (_, i) => i);
  const ones = new Float32Array(n).fill(1);
  const plan = { ...straightPathPlan(x, values, values, examples, ones, ones), owned: [values] };
  return accumulateGradients(space, plan, target, n, batchSize, options, fn);
}
